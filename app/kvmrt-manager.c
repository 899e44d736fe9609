/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-manager.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "kvmrt-manager-private.h"
#include "kvmrt-sync.h"
#include "kvmrt-usage-sampler.h"

/* How often the tuning of running real-time VMs is checked, as kvmrtd does. */
#define REFRESH_INTERVAL_S 2

struct _KvmrtManager
{
  GObject       parent_instance;

  char         *sysroot;
  char         *uri;
  KvmrtHost    *host;
  char         *host_title;
  KvmrtLibvirt *libvirt;        /* NULL when unreachable */
  GError       *libvirt_error;  /* why it is unreachable, or why the connection closed */
  gboolean      connected;
  gboolean      close_callback; /* registered on the connection */

  KvmrtConfig  *config;         /* NULL when none is loaded */
  char         *config_path;
  gboolean      config_unsaved;
  GBytes       *config_on_disk; /* the file's bytes when loaded, to notice changes */
  KvmrtManagerPlan *plan;       /* with the config; shared with the status worker */
  GHashTable   *statuses;       /* UUID -> KvmrtVmStatus*, borrowing from plan */
  guint         editors;        /* configuration dialogs open: they hold the file */
  GFileMonitor *monitor;        /* follows the file's changes by other programs */

  int           lifecycle_id;   /* libvirt's lifecycle callback on the connection, or -1 */
  guint         refresh_id;
  guint         operations;     /* in flight: the host is reloaded once none are */
  gboolean      gathering;      /* a status reading is under way in a worker */
  gboolean      gather_again;   /* and another was asked for meanwhile */
  gboolean      gather_here;    /* read statuses in the calling thread (start-up prefetch) */
  GPtrArray    *held;           /* char*: VMs whose tuning the host holds though they are off */
  guint         held_leftovers; /* host settings the journal holds for no VM */
  KvmrtUsageSampler *usage;     /* NULL without libvirt */
};

enum {
  PROP_0,
  PROP_SYSROOT,
  PROP_URI,
  PROP_HOST,
  PROP_LIBVIRT,
  PROP_CONNECTED,
  PROP_LIBVIRT_ERROR,
  PROP_CONFIG,
  PROP_CONFIG_PATH,
  PROP_CONFIG_UNSAVED,
  N_PROPS
};

enum {
  SIGNAL_CONFIG_CHANGED,
  SIGNAL_STATUS_CHANGED,
  SIGNAL_LIBVIRT_CHANGED,
  SIGNAL_HELD_CHANGED,
  SIGNAL_USAGE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_QUARK (kvmrt-manager-error-quark, kvmrt_manager_error)
G_DEFINE_FINAL_TYPE (KvmrtManager, kvmrt_manager, G_TYPE_OBJECT)

static char *
uuid_key (const char *uuid)
{
  return g_ascii_strdown (uuid, -1);
}

/* Live status ------------------------------------------------------------------------------ */

/* Takes @status as the VM's; "status-changed" when a user would see a difference. */
static void
take_status (KvmrtManager *self, KvmrtVmStatus *status)
{
  g_autofree char *key = uuid_key (kvmrt_vm_get_uuid (status->vm));
  KvmrtVmStatus *old = g_hash_table_lookup (self->statuses, key);
  KvmrtVm *vm = status->vm;

  if (old != NULL && kvmrt_vm_status_same (old, status))
    {
      /* Uptime moves on; keep the newest without a signal. */
      old->uptime = status->uptime;
      kvmrt_vm_status_free (status);
      return;
    }
  g_hash_table_replace (self->statuses, g_steal_pointer (&key), status);
  g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0, vm);
}

static void
take_held (KvmrtManager *self, GPtrArray *held, guint leftovers)
{
  gboolean same = self->held != NULL && self->held->len == held->len
                  && self->held_leftovers == leftovers;

  for (guint i = 0; same && i < held->len; i++)
    same = g_str_equal (self->held->pdata[i], held->pdata[i]);
  if (same)
    return;
  g_clear_pointer (&self->held, g_ptr_array_unref);
  self->held = g_ptr_array_ref (held);
  self->held_leftovers = leftovers;
  g_signal_emit (self, signals[SIGNAL_HELD_CHANGED], 0);
}

/* Takes what a worker read, unless the configuration it read for was replaced meanwhile. */
static void
take_reading (KvmrtManager *self, KvmrtStatusReading *reading)
{
  /* While an operation runs, a VM may be between its start and its tuning. */
  if (reading->held != NULL && self->operations == 0)
    take_held (self, reading->held, reading->held_leftovers);
  if (reading->plan == NULL || reading->plan != self->plan)
    return;
  for (guint i = 0; i < reading->statuses->len; i++)
    take_status (self, g_steal_pointer (&reading->statuses->pdata[i]));
}

static KvmrtStatusReading *
new_reading (KvmrtManager *self)
{
  KvmrtStatusReading *reading = g_new0 (KvmrtStatusReading, 1);

  reading->sysroot = g_strdup (self->sysroot);
  reading->host = g_object_ref (self->host);
  reading->libvirt = self->libvirt != NULL ? g_object_ref (self->libvirt) : NULL;
  reading->plan = self->plan != NULL ? kvmrt_manager_plan_ref (self->plan) : NULL;
  reading->read_held = self->operations == 0;
  return reading;
}

static void
gather_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  kvmrt_status_reading_gather (data);
  g_task_return_boolean (task, TRUE);
}

static void start_gather (KvmrtManager *self);

static void
on_gathered_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  KvmrtManager *self = KVMRT_MANAGER (source);

  self->gathering = FALSE;
  take_reading (self, g_task_get_task_data (G_TASK (result)));
  /* The domains the reading borrowed may go once nothing else holds any. */
  if (self->operations == 0 && self->libvirt != NULL)
    kvmrt_libvirt_release_replaced (self->libvirt);
  if (self->gather_again)
    start_gather (self);
}

static void
start_gather (KvmrtManager *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, on_gathered_cb, NULL);

  self->gathering = TRUE;
  self->gather_again = FALSE;
  g_task_set_source_tag (task, start_gather);
  g_task_set_task_data (task, new_reading (self), (GDestroyNotify) kvmrt_status_reading_free);
  g_task_run_in_thread (task, gather_thread);
}

void
kvmrt_manager_refresh (KvmrtManager *self)
{
  g_return_if_fail (KVMRT_IS_MANAGER (self));

  if (self->gather_here)
    {
      KvmrtStatusReading *reading = new_reading (self);

      kvmrt_status_reading_gather (reading);
      take_reading (self, reading);
      kvmrt_status_reading_free (reading);
      return;
    }
  /* One reading at a time; asks that come meanwhile are served by one more after it. */
  if (self->gathering)
    self->gather_again = TRUE;
  else
    start_gather (self);
}

/* One VM's status, read for kvmrt_manager_read_status_async(). */
typedef struct {
  char             *sysroot;
  KvmrtHost        *host;
  KvmrtLibvirt     *libvirt;
  KvmrtManagerPlan *plan;      /* keeps vm_plan alive */
  const KvmrtVmPlan *vm_plan;
  KvmrtVmStatusFlags flags;
  KvmrtVmStatus     status;
  GError           *threads_error;
} VmStatusRead;

static void
vm_status_read_free (VmStatusRead *read)
{
  kvmrt_vm_status_clear (&read->status);
  g_clear_error (&read->threads_error);
  g_free (read->sysroot);
  g_clear_object (&read->host);
  g_clear_object (&read->libvirt);
  g_clear_pointer (&read->plan, kvmrt_manager_plan_unref);
  g_free (read);
}

static void
read_status_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  VmStatusRead *read = data;

  kvmrt_vm_status_gather (&read->status, read->sysroot, read->host, read->libvirt,
                          read->vm_plan, NULL, read->flags, &read->threads_error);
  g_task_return_boolean (task, TRUE);
}

void
kvmrt_manager_read_status_async (KvmrtManager        *self,
                                 KvmrtVm             *vm,
                                 KvmrtVmStatusFlags   flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const KvmrtVmPlan *vm_plan;
  VmStatusRead *read;

  g_return_if_fail (KVMRT_IS_MANAGER (self));
  g_return_if_fail (KVMRT_IS_VM (vm));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kvmrt_manager_read_status_async);
  vm_plan = self->plan != NULL ? kvmrt_plan_lookup (self->plan->plan, vm) : NULL;
  if (vm_plan == NULL)
    {
      g_task_return_new_error (task, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                               _("The VM %s is no longer in the configuration"),
                               kvmrt_vm_get_uuid (vm));
      return;
    }
  read = g_new0 (VmStatusRead, 1);
  read->sysroot = g_strdup (self->sysroot);
  read->host = g_object_ref (self->host);
  read->libvirt = self->libvirt != NULL ? g_object_ref (self->libvirt) : NULL;
  read->plan = kvmrt_manager_plan_ref (self->plan);
  read->vm_plan = vm_plan;
  read->flags = flags;
  g_task_set_task_data (task, read, (GDestroyNotify) vm_status_read_free);
  g_task_run_in_thread (task, read_status_thread);
}

const KvmrtVmStatus *
kvmrt_manager_read_status_finish (KvmrtManager  *self,
                                  GAsyncResult  *result,
                                  GError       **threads_error,
                                  GError       **error)
{
  VmStatusRead *read;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, kvmrt_manager_read_status_async),
                        NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  read = g_task_get_task_data (G_TASK (result));
  if (read->threads_error != NULL && threads_error != NULL)
    *threads_error = g_error_copy (read->threads_error);
  return &read->status;
}

GPtrArray *
kvmrt_manager_get_held_tuning (KvmrtManager *self)
{
  return self->held;
}

guint
kvmrt_manager_get_held_leftovers (KvmrtManager *self)
{
  return self->held_leftovers;
}

static void
on_usage_updated_cb (KvmrtUsageSampler *sampler, KvmrtManager *self)
{
  g_signal_emit (self, signals[SIGNAL_USAGE_CHANGED], 0);
}

double
kvmrt_manager_get_cpu_usage (KvmrtManager *self, KvmrtVm *vm)
{
  return self->usage != NULL ? kvmrt_usage_sampler_get (self->usage, kvmrt_vm_get_uuid (vm))
                             : -1;
}

/* The running VMs' CPU usage, read in a worker thread. */
static void
sample_usage (KvmrtManager *self)
{
  g_autoptr(GPtrArray) uuids = g_ptr_array_new ();
  KvmrtPlan *plan = kvmrt_manager_get_plan (self);

  if (self->usage == NULL || plan == NULL)
    return;
  for (guint i = 0; i < kvmrt_plan_get_n_vms (plan); i++)
    {
      KvmrtVm *vm = kvmrt_plan_get_vm (plan, i)->vm;
      const KvmrtVmStatus *status = kvmrt_manager_get_status (self, vm);

      if (status != NULL && status->running)
        g_ptr_array_add (uuids, (gpointer) kvmrt_vm_get_uuid (vm));
    }
  g_ptr_array_add (uuids, NULL);
  kvmrt_usage_sampler_sample (self->usage, (const char * const *) uuids->pdata);
}

static gboolean
on_refresh_timeout_cb (gpointer data)
{
  kvmrt_manager_refresh (KVMRT_MANAGER (data));
  sample_usage (KVMRT_MANAGER (data));
  return G_SOURCE_CONTINUE;
}

/* Every domain's lifecycle events (started, stopped, paused, ...), so state changes made
 * with virsh or the CLI show at once. On the connection, not on the GVirDomain objects:
 * libvirt-gobject replaces all of those each time a definition is written (a boot syncs it),
 * and the replaced ones get no more signals. */
static int
on_domain_lifecycle_cb (virConnectPtr connection,
                        virDomainPtr  domain,
                        int           event,
                        int           detail,
                        void         *data)
{
  kvmrt_manager_refresh (KVMRT_MANAGER (data));
  return 0;
}

/* Domains defined or undefined (each sync redefines one). Operations and status readings in
 * worker threads borrow domains from the list too: the lists replaced are freed once none
 * runs. */
static void
on_domains_changed_cb (GVirConnection *connection, GVirDomain *domain, gpointer data)
{
  KvmrtManager *self = KVMRT_MANAGER (data);

  kvmrt_libvirt_update_domains (self->libvirt);
  if (self->operations == 0 && !self->gathering)
    kvmrt_libvirt_release_replaced (self->libvirt);
  g_signal_emit (self, signals[SIGNAL_LIBVIRT_CHANGED], 0);
  kvmrt_manager_refresh (self);
}

/* libvirt closed the connection (the daemon stopped or restarted): operations fail from now
 * on, and the window says why. */
static void
on_connection_closed_cb (virConnectPtr connection, int reason, void *data)
{
  KvmrtManager *self = KVMRT_MANAGER (data);

  if (!self->connected)
    return;
  self->connected = FALSE;
  g_clear_error (&self->libvirt_error);
  g_set_error (&self->libvirt_error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_NO_LIBVIRT,
               _("The connection to libvirt at %s was closed (the daemon stopped or "
                 "restarted). Close this window and open kvmrt again to reconnect."),
               self->uri);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIBVIRT_ERROR]);
}

/* A new plan for the loaded configuration: statuses are read again for it. */
static void
replan (KvmrtManager *self)
{
  g_clear_pointer (&self->plan, kvmrt_manager_plan_unref);
  g_hash_table_remove_all (self->statuses);
  if (self->config == NULL)
    return;
  self->plan = kvmrt_manager_plan_new (self->config, self->host);
  kvmrt_manager_refresh (self);
}

/* GObject ---------------------------------------------------------------------------------- */

static void
kvmrt_manager_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  KvmrtManager *self = KVMRT_MANAGER (object);

  switch (prop_id)
    {
    case PROP_SYSROOT:
      g_value_set_string (value, self->sysroot);
      break;
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_HOST:
      g_value_set_object (value, self->host);
      break;
    case PROP_LIBVIRT:
      g_value_set_object (value, self->libvirt);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    case PROP_LIBVIRT_ERROR:
      g_value_set_boxed (value, self->libvirt_error);
      break;
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case PROP_CONFIG_PATH:
      g_value_set_string (value, self->config_path);
      break;
    case PROP_CONFIG_UNSAVED:
      g_value_set_boolean (value, kvmrt_manager_get_config_unsaved (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_manager_dispose (GObject *object)
{
  KvmrtManager *self = KVMRT_MANAGER (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->libvirt != NULL)
    {
      GVirConnection *connection = kvmrt_libvirt_get_connection (self->libvirt);
      virConnectPtr handle = NULL;

      g_signal_handlers_disconnect_by_data (connection, self);
      g_object_get (connection, "handle", &handle, NULL);
      if (handle != NULL && self->lifecycle_id >= 0)
        virConnectDomainEventDeregisterAny (handle, self->lifecycle_id);
      self->lifecycle_id = -1;
      if (handle != NULL && self->close_callback)
        virConnectUnregisterCloseCallback (handle, on_connection_closed_cb);
      self->close_callback = FALSE;
      if (handle != NULL)
        virConnectClose (handle);
    }
  if (self->usage != NULL)
    g_signal_handlers_disconnect_by_data (self->usage, self);
  g_clear_object (&self->usage);
  g_clear_pointer (&self->held, g_ptr_array_unref);
  G_OBJECT_CLASS (kvmrt_manager_parent_class)->dispose (object);
}

static void
kvmrt_manager_finalize (GObject *object)
{
  KvmrtManager *self = KVMRT_MANAGER (object);

  g_clear_pointer (&self->statuses, g_hash_table_unref);
  g_clear_pointer (&self->plan, kvmrt_manager_plan_unref);
  g_clear_pointer (&self->config_on_disk, g_bytes_unref);
  g_clear_object (&self->config);
  g_clear_object (&self->libvirt);
  g_clear_object (&self->host);
  g_clear_error (&self->libvirt_error);
  g_free (self->config_path);
  g_free (self->host_title);
  g_free (self->sysroot);
  g_free (self->uri);
  G_OBJECT_CLASS (kvmrt_manager_parent_class)->finalize (object);
}

static void
kvmrt_manager_class_init (KvmrtManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = kvmrt_manager_get_property;
  object_class->dispose = kvmrt_manager_dispose;
  object_class->finalize = kvmrt_manager_finalize;

  properties[PROP_SYSROOT] = g_param_spec_string ("sysroot", NULL, NULL, NULL, flags);
  properties[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, NULL, flags);
  /* Replaced when tuning took CPUs offline or back online. */
  properties[PROP_HOST] = g_param_spec_object ("host", NULL, NULL, KVMRT_TYPE_HOST, flags);
  properties[PROP_LIBVIRT] = g_param_spec_object ("libvirt", NULL, NULL, KVMRT_TYPE_LIBVIRT,
                                                  flags);
  /* FALSE when libvirt could not be reached, or closed the connection since. */
  properties[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE, flags);
  properties[PROP_LIBVIRT_ERROR] = g_param_spec_boxed ("libvirt-error", NULL, NULL,
                                                       G_TYPE_ERROR, flags);
  /* Opened, closed, or replaced by Apply or by another program's write. */
  properties[PROP_CONFIG] = g_param_spec_object ("config", NULL, NULL, KVMRT_TYPE_CONFIG,
                                                 flags);
  properties[PROP_CONFIG_PATH] = g_param_spec_string ("config-path", NULL, NULL, NULL, flags);
  properties[PROP_CONFIG_UNSAVED] = g_param_spec_boolean ("config-unsaved", NULL, NULL, FALSE,
                                                          flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CONFIG_CHANGED] =
    g_signal_new ("config-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_STATUS_CHANGED] =
    g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, KVMRT_TYPE_VM);
  signals[SIGNAL_LIBVIRT_CHANGED] =
    g_signal_new ("libvirt-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_HELD_CHANGED] =
    g_signal_new ("held-tuning-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_USAGE_CHANGED] =
    g_signal_new ("usage-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
kvmrt_manager_init (KvmrtManager *self)
{
  /* Keyed by the UUID in lower case: the config and libvirt may spell it differently. */
  self->statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) kvmrt_vm_status_free);
  self->lifecycle_id = -1;
}

static char *
make_host_title (KvmrtHost *host)
{
  const char *name = kvmrt_host_get_hostname (host);
  const char *machine = kvmrt_host_get_machine (host);

  if (name != NULL && machine != NULL)
    return g_strdup_printf ("%s (%s)", name, machine);
  return g_strdup (name != NULL ? name : machine != NULL ? machine : _("This host"));
}

/* Follows the connection: domains defined and undefined, their lifecycle, its closing. */
static void
watch_connection (KvmrtManager *self)
{
  GVirConnection *connection = kvmrt_libvirt_get_connection (self->libvirt);
  virConnectPtr handle = NULL;

  g_signal_connect (connection, "domain-added", G_CALLBACK (on_domains_changed_cb), self);
  g_signal_connect (connection, "domain-removed", G_CALLBACK (on_domains_changed_cb), self);
  g_object_get (connection, "handle", &handle, NULL);
  self->lifecycle_id =
    virConnectDomainEventRegisterAny (handle, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                      VIR_DOMAIN_EVENT_CALLBACK (on_domain_lifecycle_cb),
                                      self, NULL);
  self->close_callback =
    virConnectRegisterCloseCallback (handle, on_connection_closed_cb, self, NULL) == 0;
  virConnectClose (handle);
}

KvmrtManager *
kvmrt_manager_new (const char *sysroot, const char *uri, GError **error)
{
  g_autoptr(KvmrtManager) self = g_object_new (KVMRT_TYPE_MANAGER, NULL);

  self->sysroot = g_strdup (sysroot != NULL ? sysroot : "/");
  self->uri = g_strdup (uri != NULL ? uri : kvmrt_libvirt_default_uri ());
  self->host = kvmrt_host_load (self->sysroot, KVMRT_HOST_LOAD_DEFAULT, error);
  if (self->host == NULL)
    return NULL;
  self->host_title = make_host_title (self->host);
  self->libvirt = kvmrt_libvirt_open (self->uri, &self->libvirt_error);
  if (self->libvirt != NULL)
    {
      self->connected = TRUE;
      watch_connection (self);
      self->usage = kvmrt_usage_sampler_new (self->libvirt);
      g_signal_connect (self->usage, "updated", G_CALLBACK (on_usage_updated_cb), self);
    }
  self->refresh_id = g_timeout_add_seconds (REFRESH_INTERVAL_S, on_refresh_timeout_cb, self);
  return g_steal_pointer (&self);
}

const char *
kvmrt_manager_get_sysroot (KvmrtManager *self)
{
  return self->sysroot;
}

const char *
kvmrt_manager_get_uri (KvmrtManager *self)
{
  return self->uri;
}

KvmrtHost *
kvmrt_manager_get_host (KvmrtManager *self)
{
  return self->host;
}

const char *
kvmrt_manager_get_host_title (KvmrtManager *self)
{
  return self->host_title;
}

KvmrtLibvirt *
kvmrt_manager_get_libvirt (KvmrtManager *self)
{
  return self->libvirt;
}

gboolean
kvmrt_manager_get_connected (KvmrtManager *self)
{
  return self->connected;
}

const GError *
kvmrt_manager_get_libvirt_error (KvmrtManager *self)
{
  return self->libvirt_error;
}

gboolean
kvmrt_manager_needs_privileges (KvmrtManager *self)
{
  /* A sysroot other than / is a demo or fixture host: ours to change. */
  return geteuid () != 0 && g_str_equal (self->sysroot, "/");
}

KvmrtConfig *
kvmrt_manager_get_config (KvmrtManager *self)
{
  return self->config;
}

const char *
kvmrt_manager_get_config_path (KvmrtManager *self)
{
  return self->config_path;
}

KvmrtPlan *
kvmrt_manager_get_plan (KvmrtManager *self)
{
  return self->plan != NULL ? self->plan->plan : NULL;
}

gboolean
kvmrt_manager_get_config_unsaved (KvmrtManager *self)
{
  return self->config != NULL && self->config_unsaved;
}

/* The configuration file ------------------------------------------------------------------ */

static void on_config_file_changed_cb (GFileMonitor      *monitor,
                                       GFile             *file,
                                       GFile             *other,
                                       GFileMonitorEvent  event,
                                       KvmrtManager      *self);

/* Watches the configuration's file, so what the CLI tools write shows at once. */
static void
monitor_config (KvmrtManager *self)
{
  g_autoptr(GFile) file = NULL;

  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->config_path == NULL)
    return;
  file = g_file_new_for_path (self->config_path);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (on_config_file_changed_cb), self);
}

/* Takes @config as the loaded configuration. */
static void
set_config (KvmrtManager *self,
            KvmrtConfig  *config,
            const char   *path,
            GBytes       *on_disk,
            gboolean      unsaved)
{
  gboolean was_unsaved = kvmrt_manager_get_config_unsaved (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->config != NULL)
    kvmrt_config_release (self->config);
  g_set_object (&self->config, config);
  if (path != self->config_path)
    {
      g_autofree char *old = g_steal_pointer (&self->config_path);

      self->config_path = g_strdup (path);
      if (g_strcmp0 (old, path) != 0)
        {
          monitor_config (self);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG_PATH]);
        }
    }
  g_clear_pointer (&self->config_on_disk, g_bytes_unref);
  self->config_on_disk = on_disk != NULL ? g_bytes_ref (on_disk) : NULL;
  self->config_unsaved = unsaved;
  /* While it is being edited, other programs may read the file but not save it; failing to
   * hold it (another program writing) only loses that protection. */
  if (config != NULL && !unsaved && self->editors > 0)
    kvmrt_config_hold (config, NULL);
  replan (self);
  /* Every load is a new object, even of the same file: always a change. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
  if (was_unsaved != kvmrt_manager_get_config_unsaved (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG_UNSAVED]);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[SIGNAL_CONFIG_CHANGED], 0);
}

/* The file's bytes now, or NULL when it does not exist. */
static GBytes *
read_on_disk (const char *path)
{
  char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, NULL))
    return NULL;
  return g_bytes_new_take (data, length);
}

/* Another program (a CLI tool, an editor) wrote the file: show what it wrote. Not while a
 * configuration dialog is open: it holds the file against kvmrt's tools, and Apply refuses
 * to overwrite a change from anything else. */
static void
on_config_file_changed_cb (GFileMonitor      *monitor,
                           GFile             *file,
                           GFile             *other,
                           GFileMonitorEvent  event,
                           KvmrtManager      *self)
{
  g_autoptr(GBytes) now = NULL;
  g_autoptr(GError) error = NULL;

  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT && event != G_FILE_MONITOR_EVENT_CREATED
      && event != G_FILE_MONITOR_EVENT_MOVED_IN && event != G_FILE_MONITOR_EVENT_RENAMED)
    return;
  if (self->editors > 0 || self->operations > 0 || self->config_path == NULL
      || (now = read_on_disk (self->config_path)) == NULL
      || (self->config_on_disk != NULL && g_bytes_equal (now, self->config_on_disk)))
    return;
  if (!kvmrt_manager_open_config (self, self->config_path, &error))
    g_message ("%s", error->message);
}

void
kvmrt_manager_begin_edit (KvmrtManager *self)
{
  if (self->editors++ == 0 && self->config != NULL && !self->config_unsaved)
    kvmrt_config_hold (self->config, NULL);
}

void
kvmrt_manager_end_edit (KvmrtManager *self)
{
  g_return_if_fail (self->editors > 0);

  if (--self->editors == 0 && self->config != NULL)
    kvmrt_config_release (self->config);
}

gboolean
kvmrt_manager_open_config (KvmrtManager *self, const char *path, GError **error)
{
  g_autoptr(GBytes) on_disk = NULL;
  g_autoptr(KvmrtConfig) config = NULL;

  g_return_val_if_fail (KVMRT_IS_MANAGER (self), FALSE);

  if ((on_disk = read_on_disk (path)) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("%s cannot be read (%s). Check that it exists and that you may read "
                     "it, or create a new configuration."),
                   path, g_strerror (saved));
      return FALSE;
    }
  if ((config = kvmrt_config_load (path, error)) == NULL)
    return FALSE;
  set_config (self, config, path, on_disk, FALSE);
  return TRUE;
}

gboolean
kvmrt_manager_open_config_and_gather (KvmrtManager *self, const char *path, GError **error)
{
  gboolean opened;

  self->gather_here = TRUE;
  opened = kvmrt_manager_open_config (self, path, error);
  self->gather_here = FALSE;
  return opened;
}

void
kvmrt_manager_new_config (KvmrtManager *self, const char *path)
{
  g_autoptr(KvmrtConfig) config = kvmrt_config_new ();

  set_config (self, config, path, NULL, TRUE);
}

void
kvmrt_manager_close_config (KvmrtManager *self)
{
  set_config (self, NULL, NULL, NULL, FALSE);
}

gboolean
kvmrt_manager_clone_config (KvmrtManager *self, const char *path, GError **error)
{
  if (self->config == NULL)
    {
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_NO_CONFIG,
                   _("No configuration is loaded"));
      return FALSE;
    }
  if (!kvmrt_config_save (self->config, path, error))
    return FALSE;
  return kvmrt_manager_open_config (self, path, error);
}

GPtrArray *
kvmrt_manager_validate (KvmrtManager *self, KvmrtPlan *plan)
{
  KvmrtValidateFlags flags = KVMRT_VALIDATE_WINDOW;
  GPtrArray *diagnostics;

  if (plan == NULL)
    plan = kvmrt_manager_get_plan (self);
  g_return_val_if_fail (plan != NULL, NULL);

  diagnostics = kvmrt_validate (plan, flags);
  if (self->libvirt != NULL)
    kvmrt_sync_diagnose (self->libvirt, plan, flags, diagnostics);
  return diagnostics;
}

const KvmrtVmStatus *
kvmrt_manager_get_status (KvmrtManager *self, KvmrtVm *vm)
{
  g_return_val_if_fail (KVMRT_IS_MANAGER (self), NULL);

  g_autofree char *key = uuid_key (kvmrt_vm_get_uuid (vm));

  return g_hash_table_lookup (self->statuses, key);
}

/* Operations ------------------------------------------------------------------------------ */

/* The GUI thread's part once a worker is done: the host as tuning left it, the applied
 * configuration loaded, statuses read again. */
static void
operation_done (KvmrtManager *self, KvmrtOperation *op)
{
  self->operations--;
  if (self->operations == 0 && !self->gathering)
    kvmrt_libvirt_release_replaced (self->libvirt);
  if (op->new_host != NULL && self->operations == 0)
    {
      /* Tuning took CPUs offline or back online: show the host as it is now. */
      g_set_object (&self->host, op->new_host);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
      if (self->config != NULL)
        replan (self);
    }
  kvmrt_manager_refresh (self);
}

/* The worker's task is done: hands its outcome to the caller's task (@data). */
static void
on_worker_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  KvmrtManager *self = KVMRT_MANAGER (source);
  GError *error = NULL;
  char *message = g_task_propagate_pointer (G_TASK (result), &error);

  operation_done (self, g_task_get_task_data (task));
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, message, g_free);
}

/* Fills @op from the manager now, or returns FALSE from @task when it cannot run. */
static gboolean
prepare (KvmrtManager *self, GTask *task, KvmrtOperation *op, KvmrtConfig *config)
{
  if (config == NULL && self->config == NULL)
    {
      g_task_return_new_error (task, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_NO_CONFIG,
                               _("No configuration is loaded"));
      return FALSE;
    }
  if (!self->connected)
    {
      g_task_return_new_error (task, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_NO_LIBVIRT,
                               "%s", self->libvirt_error->message);
      return FALSE;
    }
  op->sysroot = g_strdup (self->sysroot);
  op->uri = g_strdup (self->uri);
  op->config_path = g_strdup (self->config_path);
  op->host = g_object_ref (self->host);
  op->libvirt = g_object_ref (self->libvirt);
  op->config = g_object_ref (config != NULL ? config : self->config);
  op->privileged = kvmrt_manager_needs_privileges (self);
  return TRUE;
}

/* Runs @thread on @task's data (a struct starting with a KvmrtOperation) in a worker; @done
 * (in the GUI thread) takes the outcome in and completes @task. A cancel is honoured by the
 * worker between its steps, so the outcome says what happened: the task does not turn it
 * into a bare "cancelled". */
static void
run_in_worker (KvmrtManager        *self,
               GTask               *task,
               GTaskThreadFunc      thread,
               GAsyncReadyCallback  done)
{
  g_autoptr(GTask) worker = g_task_new (self, g_task_get_cancellable (task), done,
                                        g_object_ref (task));

  g_task_set_check_cancellable (task, FALSE);
  g_task_set_check_cancellable (worker, FALSE);
  g_task_set_source_tag (worker, run_in_worker);
  g_task_set_task_data (worker, g_task_get_task_data (task), NULL);
  self->operations++;
  g_task_run_in_thread (worker, thread);
}

/* The message of a finished operation started with @source_tag. */
static gboolean
finish (KvmrtManager  *self,
        GAsyncResult  *result,
        gpointer       source_tag,
        char         **message,
        GError       **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), FALSE);

  text = g_task_propagate_pointer (G_TASK (result), error);
  if (message != NULL)
    *message = g_steal_pointer (&text);
  return !g_task_had_error (G_TASK (result));
}

static void
run_vm_operation (KvmrtManager        *self,
                  KvmrtVm             *vm,
                  gpointer             source_tag,
                  GTaskThreadFunc      thread,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  KvmrtVmOperation *data = g_new0 (KvmrtVmOperation, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) kvmrt_vm_operation_free);
  data->uuid = g_strdup (kvmrt_vm_get_uuid (vm));
  data->op.host_changes = TRUE;
  if (prepare (self, task, &data->op, NULL))
    run_in_worker (self, task, thread, on_worker_done_cb);
}

void
kvmrt_manager_boot_async (KvmrtManager        *self,
                          KvmrtVm             *vm,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (KVMRT_IS_MANAGER (self));
  g_return_if_fail (KVMRT_IS_VM (vm));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_vm_operation (self, vm, kvmrt_manager_boot_async, kvmrt_boot_thread, cancellable,
                    callback, user_data);
}

gboolean
kvmrt_manager_boot_finish (KvmrtManager  *self,
                           GAsyncResult  *result,
                           char         **message,
                           GError       **error)
{
  return finish (self, result, kvmrt_manager_boot_async, message, error);
}

void
kvmrt_manager_boot_set_async (KvmrtManager        *self,
                              GPtrArray           *vms,
                              gboolean             clean,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  KvmrtBootSetOperation *data;

  g_return_if_fail (KVMRT_IS_MANAGER (self));
  g_return_if_fail (vms != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (KvmrtBootSetOperation, 1);
  g_task_set_source_tag (task, kvmrt_manager_boot_set_async);
  g_task_set_task_data (task, data, (GDestroyNotify) kvmrt_boot_set_operation_free);
  data->uuids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < vms->len; i++)
    g_ptr_array_add (data->uuids, g_strdup (kvmrt_vm_get_uuid (vms->pdata[i])));
  data->clean = clean;
  data->reports = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_vm_report_free);
  data->op.host_changes = TRUE;
  if (prepare (self, task, &data->op, NULL))
    run_in_worker (self, task, kvmrt_boot_set_thread, on_worker_done_cb);
}

GPtrArray *
kvmrt_manager_boot_set_finish (KvmrtManager  *self,
                               GAsyncResult  *result,
                               char         **message,
                               GError       **error)
{
  KvmrtBootSetOperation *data;

  if (!finish (self, result, kvmrt_manager_boot_set_async, message, error))
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  return g_ptr_array_ref (data->reports);
}

void
kvmrt_manager_retune_async (KvmrtManager        *self,
                            KvmrtVm             *vm,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (KVMRT_IS_MANAGER (self));
  g_return_if_fail (KVMRT_IS_VM (vm));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_vm_operation (self, vm, kvmrt_manager_retune_async, kvmrt_retune_thread, cancellable,
                    callback, user_data);
}

gboolean
kvmrt_manager_retune_finish (KvmrtManager  *self,
                             GAsyncResult  *result,
                             char         **message,
                             GError       **error)
{
  return finish (self, result, kvmrt_manager_retune_async, message, error);
}

static void
run_shutdown (KvmrtManager        *self,
              GPtrArray           *vms,
              gboolean             force,
              guint                timeout_s,
              gpointer             source_tag,
              GTaskThreadFunc      thread,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  KvmrtShutdownOperation *data = g_new0 (KvmrtShutdownOperation, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) kvmrt_shutdown_operation_free);
  if (vms != NULL)
    {
      data->uuids = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < vms->len; i++)
        g_ptr_array_add (data->uuids, g_strdup (kvmrt_vm_get_uuid (vms->pdata[i])));
    }
  data->force = force;
  data->timeout_s = timeout_s;
  data->reports = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_vm_report_free);
  data->op.host_changes = TRUE;
  if (prepare (self, task, &data->op, NULL))
    run_in_worker (self, task, thread, on_worker_done_cb);
}

void
kvmrt_manager_shutdown_async (KvmrtManager        *self,
                              KvmrtVm             *vm,
                              gboolean             force,
                              guint                timeout_s,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GPtrArray) vms = g_ptr_array_new ();

  g_return_if_fail (KVMRT_IS_MANAGER (self));
  g_return_if_fail (KVMRT_IS_VM (vm));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  g_ptr_array_add (vms, vm);
  run_shutdown (self, vms, force, timeout_s, kvmrt_manager_shutdown_async,
                kvmrt_shutdown_thread, cancellable, callback, user_data);
}

void
kvmrt_manager_shutdown_set_async (KvmrtManager        *self,
                                  GPtrArray           *vms,
                                  gboolean             force,
                                  guint                timeout_s,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (KVMRT_IS_MANAGER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_shutdown (self, vms, force, timeout_s, kvmrt_manager_shutdown_set_async,
                kvmrt_shutdown_set_thread, cancellable, callback, user_data);
}

GPtrArray *
kvmrt_manager_shutdown_set_finish (KvmrtManager  *self,
                                   GAsyncResult  *result,
                                   char         **message,
                                   GError       **error)
{
  KvmrtShutdownOperation *data;

  if (!finish (self, result, kvmrt_manager_shutdown_set_async, message, error))
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  return g_ptr_array_ref (data->reports);
}

gboolean
kvmrt_manager_shutdown_finish (KvmrtManager  *self,
                               GAsyncResult  *result,
                               char         **message,
                               GError       **error)
{
  return finish (self, result, kvmrt_manager_shutdown_async, message, error);
}

/* Release Tuning and Resynchronize work on the whole configuration. */
static void
run_config_operation (KvmrtManager        *self,
                      gpointer             source_tag,
                      GTaskThreadFunc      thread,
                      gboolean             host_changes,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  KvmrtOperation *op = g_new0 (KvmrtOperation, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) kvmrt_operation_free);
  op->host_changes = host_changes;
  if (prepare (self, task, op, NULL))
    run_in_worker (self, task, thread, on_worker_done_cb);
}

void
kvmrt_manager_release_held_async (KvmrtManager        *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (KVMRT_IS_MANAGER (self));

  run_config_operation (self, kvmrt_manager_release_held_async, kvmrt_release_held_thread,
                        TRUE, cancellable, callback, user_data);
}

gboolean
kvmrt_manager_release_held_finish (KvmrtManager  *self,
                                   GAsyncResult  *result,
                                   char         **message,
                                   GError       **error)
{
  return finish (self, result, kvmrt_manager_release_held_async, message, error);
}

void
kvmrt_manager_resync_async (KvmrtManager        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (KVMRT_IS_MANAGER (self));

  run_config_operation (self, kvmrt_manager_resync_async, kvmrt_resync_thread, FALSE,
                        cancellable, callback, user_data);
}

gboolean
kvmrt_manager_resync_finish (KvmrtManager  *self,
                             GAsyncResult  *result,
                             char         **message,
                             GError       **error)
{
  return finish (self, result, kvmrt_manager_resync_async, message, error);
}

/* Apply's end in the GUI thread: the written file becomes the loaded configuration. */
static void
on_apply_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  KvmrtManager *self = KVMRT_MANAGER (source);
  KvmrtApplyOperation *apply = g_task_get_task_data (task);
  GError *error = NULL;
  char *message = g_task_propagate_pointer (G_TASK (result), &error);

  operation_done (self, &apply->op);
  if (error == NULL)
    {
      g_autoptr(GBytes) on_disk = read_on_disk (apply->op.config_path);

      set_config (self, apply->op.config, apply->op.config_path, on_disk, FALSE);
      g_task_return_pointer (task, message, g_free);
      return;
    }
  /* Not written: the dialog still edits the file, which it holds again. */
  if (self->config != NULL && !self->config_unsaved && self->editors > 0)
    kvmrt_config_hold (self->config, NULL);
  g_task_return_error (task, error);
}

void
kvmrt_manager_apply_async (KvmrtManager        *self,
                           KvmrtConfig         *edited,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(KvmrtConfig) copy = NULL;
  KvmrtApplyOperation *data;

  g_return_if_fail (KVMRT_IS_MANAGER (self));
  g_return_if_fail (KVMRT_IS_CONFIG (edited));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  data = g_new0 (KvmrtApplyOperation, 1);
  g_task_set_source_tag (task, kvmrt_manager_apply_async);
  g_task_set_task_data (task, data, (GDestroyNotify) kvmrt_apply_operation_free);
  /* The worker saves and plans its own copy: the dialog goes on reading (and may edit) the
   * one it passed, in the GUI thread. */
  copy = kvmrt_config_copy (edited);
  if (!prepare (self, task, &data->op, copy))
    return;
  data->on_disk = self->config_on_disk != NULL && !self->config_unsaved
                  ? g_bytes_ref (self->config_on_disk) : NULL;
  data->problems = g_ptr_array_new_with_free_func (g_free);
  /* Saving takes an exclusive lock, which our own shared hold would block. */
  if (self->config != NULL)
    kvmrt_config_release (self->config);

  run_in_worker (self, task, kvmrt_apply_thread, on_apply_done_cb);
}

gboolean
kvmrt_manager_apply_finish (KvmrtManager  *self,
                            GAsyncResult  *result,
                            char         **message,
                            GError       **error)
{
  return finish (self, result, kvmrt_manager_apply_async, message, error);
}

GPtrArray *
kvmrt_manager_operation_get_problems (GAsyncResult *result)
{
  KvmrtApplyOperation *data;

  g_return_val_if_fail (g_async_result_is_tagged (result, kvmrt_manager_apply_async), NULL);

  data = g_task_get_task_data (G_TASK (result));
  return data->problems != NULL && data->problems->len > 0 ? data->problems : NULL;
}
