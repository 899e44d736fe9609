/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-manager.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "kvmrt-journal.h"
#include "kvmrt-manager-private.h"
#include "kvmrt-proc.h"
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
  GError       *libvirt_error;

  KvmrtConfig  *config;         /* NULL when none is loaded */
  char         *config_path;
  gboolean      config_unsaved;
  GBytes       *config_on_disk; /* the file's bytes when loaded, to notice changes */
  KvmrtPlan    *plan;
  GHashTable   *statuses;       /* UUID -> KvmrtVmStatus* */
  guint         editors;        /* configuration dialogs open: they hold the file */
  GFileMonitor *monitor;        /* follows the file's changes by other programs */

  int           lifecycle_id;   /* libvirt's lifecycle callback on the connection, or -1 */
  guint         refresh_id;
  guint         operations;     /* in flight: the host is reloaded once none are */
  GPtrArray    *held;           /* char*: VMs whose tuning the host holds though they are off */
  KvmrtUsageSampler *usage;     /* NULL without libvirt */
};

enum {
  SIGNAL_CONFIG_CHANGED,
  SIGNAL_STATUS_CHANGED,
  SIGNAL_LIBVIRT_CHANGED,
  SIGNAL_HELD_CHANGED,
  SIGNAL_USAGE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (kvmrt-manager-error-quark, kvmrt_manager_error)
G_DEFINE_FINAL_TYPE (KvmrtManager, kvmrt_manager, G_TYPE_OBJECT)

static void
status_free (gpointer data)
{
  KvmrtVmStatus *status = data;

  kvmrt_vm_status_clear (status);
  g_free (status);
}

/* Two statuses a user would see as the same. */
static gboolean
status_equal (const KvmrtVmStatus *a, const KvmrtVmStatus *b)
{
  guint na = a->drift != NULL ? a->drift->len : 0;
  guint nb = b->drift != NULL ? b->drift->len : 0;

  if (a->state != b->state || a->defined != b->defined || a->running != b->running
      || a->tuned != b->tuned || a->pid != b->pid || na != nb
      || g_strcmp0 (a->tuning_note, b->tuning_note) != 0)
    return FALSE;
  for (guint i = 0; i < na; i++)
    if (g_strcmp0 (a->drift->pdata[i], b->drift->pdata[i]) != 0)
      return FALSE;
  return TRUE;
}

static void
refresh_vm (KvmrtManager      *self,
            const KvmrtVmPlan *plan,
            GPtrArray         *qemus,
            gboolean           always_notify)
{
  KvmrtVmStatus *status = g_new0 (KvmrtVmStatus, 1);
  KvmrtVmStatus *old;
  const char *uuid = kvmrt_vm_get_uuid (plan->vm);

  kvmrt_vm_status_gather (status, self->sysroot, self->host, self->libvirt, plan, qemus,
                          KVMRT_VM_STATUS_DEFAULT, NULL);
  g_autofree char *key = g_ascii_strdown (uuid, -1);

  old = g_hash_table_lookup (self->statuses, key);
  if (old != NULL && !always_notify && status_equal (old, status))
    {
      /* Uptime moves on; keep the newest without a signal. */
      old->uptime = status->uptime;
      status_free (status);
      return;
    }
  g_hash_table_replace (self->statuses, g_steal_pointer (&key), status);
  g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0, plan->vm);
}

/* The VM's title when the configuration has it, else the name the journal gave it. */
static char *
held_label (KvmrtManager *self, const KvmrtTunedVm *tuned)
{
  KvmrtVm *vm = self->config != NULL ? kvmrt_config_lookup_uuid (self->config, tuned->uuid)
                                     : NULL;

  if (vm != NULL && *kvmrt_vm_get_title (vm) != '\0')
    return g_strdup (kvmrt_vm_get_title (vm));
  return g_strdup (tuned->name != NULL ? tuned->name : tuned->uuid);
}

/* Tuning the journal holds for VMs libvirt does not show running (stopped outside kvmrt, or
 * after a crash): shown on the dashboard, to be released. */
static void
refresh_held (KvmrtManager *self)
{
  g_autoptr(KvmrtJournal) journal = NULL;
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_free);
  gboolean same;

  /* While an operation runs, a VM may be between its start and its tuning. */
  if (self->libvirt == NULL || self->operations > 0)
    return;
  journal = kvmrt_journal_load (self->sysroot, NULL);
  for (guint i = 0; journal != NULL && i < journal->vms->len; i++)
    {
      const KvmrtTunedVm *tuned = journal->vms->pdata[i];
      GVirDomain *domain = kvmrt_libvirt_lookup_uuid (self->libvirt, tuned->uuid);

      if (domain == NULL || !kvmrt_libvirt_is_active (domain))
        g_ptr_array_add (held, held_label (self, tuned));
    }
  same = self->held != NULL && self->held->len == held->len;
  for (guint i = 0; same && i < held->len; i++)
    same = g_str_equal (self->held->pdata[i], held->pdata[i]);
  if (same)
    return;
  g_clear_pointer (&self->held, g_ptr_array_unref);
  self->held = g_steal_pointer (&held);
  g_signal_emit (self, signals[SIGNAL_HELD_CHANGED], 0);
}

GPtrArray *
kvmrt_manager_get_held_tuning (KvmrtManager *self)
{
  return self->held;
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

  if (self->usage == NULL || self->plan == NULL)
    return;
  for (guint i = 0; i < kvmrt_plan_get_n_vms (self->plan); i++)
    {
      KvmrtVm *vm = kvmrt_plan_get_vm (self->plan, i)->vm;
      const KvmrtVmStatus *status = kvmrt_manager_get_status (self, vm);

      if (status != NULL && status->running)
        g_ptr_array_add (uuids, (gpointer) kvmrt_vm_get_uuid (vm));
    }
  g_ptr_array_add (uuids, NULL);
  kvmrt_usage_sampler_sample (self->usage, (const char * const *) uuids->pdata);
}

void
kvmrt_manager_refresh (KvmrtManager *self)
{
  g_return_if_fail (KVMRT_IS_MANAGER (self));

  g_autoptr(GPtrArray) qemus = NULL;

  refresh_held (self);
  if (self->plan == NULL)
    return;
  qemus = kvmrt_proc_list_qemus (self->sysroot);
  for (guint i = 0; i < kvmrt_plan_get_n_vms (self->plan); i++)
    refresh_vm (self, kvmrt_plan_get_vm (self->plan, i), qemus, FALSE);
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

/* Domains defined or undefined (each sync redefines one). Operations in worker threads
 * borrow domains from the list too: the lists replaced are freed once none runs. */
static void
on_domains_changed_cb (GVirConnection *connection, GVirDomain *domain, gpointer data)
{
  KvmrtManager *self = KVMRT_MANAGER (data);

  kvmrt_libvirt_update_domains (self->libvirt);
  if (self->operations == 0)
    kvmrt_libvirt_release_replaced (self->libvirt);
  g_signal_emit (self, signals[SIGNAL_LIBVIRT_CHANGED], 0);
  kvmrt_manager_refresh (self);
}

static void
replan (KvmrtManager *self)
{
  g_autoptr(GPtrArray) qemus = NULL;

  g_clear_pointer (&self->plan, kvmrt_plan_free);
  g_hash_table_remove_all (self->statuses);
  if (self->config == NULL)
    return;
  self->plan = kvmrt_plan_new (self->config, self->host);
  qemus = kvmrt_proc_list_qemus (self->sysroot);
  for (guint i = 0; i < kvmrt_plan_get_n_vms (self->plan); i++)
    refresh_vm (self, kvmrt_plan_get_vm (self->plan, i), qemus, TRUE);
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

  g_clear_pointer (&self->plan, kvmrt_plan_free);
  g_clear_pointer (&self->statuses, g_hash_table_unref);
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

  object_class->dispose = kvmrt_manager_dispose;
  object_class->finalize = kvmrt_manager_finalize;

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
  self->statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, status_free);
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

KvmrtManager *
kvmrt_manager_new (const char *sysroot, const char *uri, GError **error)
{
  g_autoptr(KvmrtManager) self = g_object_new (KVMRT_TYPE_MANAGER, NULL);

  self->sysroot = g_strdup (sysroot != NULL ? sysroot : "/");
  if (uri == NULL)
    uri = g_getenv ("LIBVIRT_DEFAULT_URI") != NULL ? g_getenv ("LIBVIRT_DEFAULT_URI")
                                                  : "qemu:///system";
  self->uri = g_strdup (uri);
  self->host = kvmrt_host_load (self->sysroot, KVMRT_HOST_LOAD_DEFAULT, error);
  if (self->host == NULL)
    return NULL;
  self->host_title = make_host_title (self->host);
  self->libvirt = kvmrt_libvirt_open (self->uri, &self->libvirt_error);
  if (self->libvirt != NULL)
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
      virConnectClose (handle);
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
  return self->plan;
}

gboolean
kvmrt_manager_get_config_unsaved (KvmrtManager *self)
{
  return self->config != NULL && self->config_unsaved;
}

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
  if (self->config != NULL)
    kvmrt_config_release (self->config);
  g_set_object (&self->config, config);
  if (path != self->config_path)
    {
      g_autofree char *old = g_steal_pointer (&self->config_path);

      self->config_path = g_strdup (path);
      if (g_strcmp0 (old, path) != 0)
        monitor_config (self);
    }
  g_clear_pointer (&self->config_on_disk, g_bytes_unref);
  self->config_on_disk = on_disk != NULL ? g_bytes_ref (on_disk) : NULL;
  self->config_unsaved = unsaved;
  /* While it is being edited, other programs may read the file but not save it; failing to
   * hold it (another program writing) only loses that protection. */
  if (config != NULL && !unsaved && self->editors > 0)
    kvmrt_config_hold (config, NULL);
  replan (self);
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

void
kvmrt_manager_new_config (KvmrtManager *self, const char *path)
{
  g_autoptr(KvmrtConfig) config = kvmrt_config_new ();

  set_config (self, config, path, NULL, TRUE);
}

void
kvmrt_manager_close_config (KvmrtManager *self)
{
  g_free (self->config_path);
  self->config_path = NULL;
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
    plan = self->plan;
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

  g_autofree char *key = g_ascii_strdown (kvmrt_vm_get_uuid (vm), -1);

  return g_hash_table_lookup (self->statuses, key);
}

/* Operations ----------------------------------------------------------------------------- */

static void
on_operation_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) outer = data;
  KvmrtManager *self = g_task_get_source_object (outer);
  KvmrtOperation *op = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  char *message = g_task_propagate_pointer (G_TASK (result), &error);

  self->operations--;
  if (self->operations == 0)
    kvmrt_libvirt_release_replaced (self->libvirt);
  if (op->new_host != NULL && self->operations == 0)
    {
      /* Tuning took CPUs offline or back online: show the host as it is now. */
      g_set_object (&self->host, op->new_host);
      if (self->config != NULL)
        replan (self);
    }
  if (op->kind == KVMRT_OPERATION_APPLY && error == NULL)
    {
      g_autoptr(GBytes) on_disk = read_on_disk (op->config_path);

      set_config (self, op->config, op->config_path, on_disk, FALSE);
    }
  else if (op->kind == KVMRT_OPERATION_APPLY && self->config != NULL && !self->config_unsaved
           && self->editors > 0)
    kvmrt_config_hold (self->config, NULL);
  kvmrt_manager_refresh (self);
  g_object_set_data_full (G_OBJECT (outer), "kvmrt-problems", g_ptr_array_ref (op->problems),
                          (GDestroyNotify) g_ptr_array_unref);
  if (error != NULL)
    {
      g_task_set_task_data (outer, message, g_free);
      g_task_return_error (outer, g_steal_pointer (&error));
    }
  else
    g_task_return_pointer (outer, message, g_free);
}

static void
run_operation (KvmrtManager        *self,
               KvmrtOperationKind   kind,
               KvmrtVm             *vm,
               KvmrtConfig         *config,
               gboolean             force,
               guint                timeout_s,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;
  KvmrtOperation *op;

  if (config == NULL && self->config == NULL)
    {
      g_task_return_new_error (outer, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_NO_CONFIG,
                               _("No configuration is loaded"));
      return;
    }
  if (self->libvirt == NULL)
    {
      g_task_return_new_error (outer, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_NO_LIBVIRT,
                               "%s", self->libvirt_error->message);
      return;
    }

  op = g_new0 (KvmrtOperation, 1);
  op->kind = kind;
  op->sysroot = g_strdup (self->sysroot);
  op->uri = g_strdup (self->uri);
  op->config_path = g_strdup (self->config_path);
  op->host = g_object_ref (self->host);
  op->libvirt = g_object_ref (self->libvirt);
  /* The worker saves and plans its own copy: the dialog goes on reading (and may edit) the
   * one it passed, in the GUI thread. */
  op->config = config != NULL ? kvmrt_config_copy (config) : g_object_ref (self->config);
  op->uuid = vm != NULL ? g_strdup (kvmrt_vm_get_uuid (vm)) : NULL;
  op->force = force;
  op->timeout_s = timeout_s;
  op->privileged = kvmrt_manager_needs_privileges (self);
  op->on_disk = self->config_on_disk != NULL ? g_bytes_ref (self->config_on_disk) : NULL;
  op->problems = g_ptr_array_new_with_free_func (g_free);
  if (kind == KVMRT_OPERATION_APPLY && self->config_unsaved)
    g_clear_pointer (&op->on_disk, g_bytes_unref);

  /* Saving takes an exclusive lock, which our own shared hold would block. */
  if (kind == KVMRT_OPERATION_APPLY && self->config != NULL)
    kvmrt_config_release (self->config);

  self->operations++;
  inner = g_task_new (self, cancellable, on_operation_done_cb, g_steal_pointer (&outer));
  g_task_set_task_data (inner, op, (GDestroyNotify) kvmrt_operation_free);
  g_task_run_in_thread (inner, kvmrt_operation_thread);
}

void
kvmrt_manager_boot_async (KvmrtManager        *self,
                          KvmrtVm             *vm,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  run_operation (self, KVMRT_OPERATION_BOOT, vm, NULL, FALSE, 0, cancellable, callback,
                 user_data);
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
  run_operation (self, KVMRT_OPERATION_SHUTDOWN, vm, NULL, force, timeout_s, cancellable,
                 callback, user_data);
}

void
kvmrt_manager_retune_async (KvmrtManager        *self,
                            KvmrtVm             *vm,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  run_operation (self, KVMRT_OPERATION_RETUNE, vm, NULL, FALSE, 0, cancellable, callback,
                 user_data);
}

void
kvmrt_manager_release_held_async (KvmrtManager        *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  run_operation (self, KVMRT_OPERATION_RELEASE, NULL, NULL, FALSE, 0, cancellable, callback,
                 user_data);
}

void
kvmrt_manager_resync_async (KvmrtManager        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  run_operation (self, KVMRT_OPERATION_RESYNC, NULL, NULL, FALSE, 0, cancellable, callback,
                 user_data);
}

void
kvmrt_manager_apply_async (KvmrtManager        *self,
                           KvmrtConfig         *edited,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (KVMRT_IS_CONFIG (edited));

  run_operation (self, KVMRT_OPERATION_APPLY, NULL, edited, FALSE, 0, cancellable, callback,
                 user_data);
}

gboolean
kvmrt_manager_operation_finish (KvmrtManager  *self,
                                GAsyncResult  *result,
                                char         **message,
                                GError       **error)
{
  GTask *task = G_TASK (result);
  g_autofree char *text = g_task_propagate_pointer (task, error);

  if (message != NULL)
    *message = text != NULL ? g_steal_pointer (&text)
                            : g_strdup (g_task_get_task_data (task));
  return !g_task_had_error (task);
}

GPtrArray *
kvmrt_manager_operation_get_problems (GAsyncResult *result)
{
  GPtrArray *problems = g_object_get_data (G_OBJECT (result), "kvmrt-problems");

  return problems != NULL && problems->len > 0 ? problems : NULL;
}

gboolean
kvmrt_manager_apply_finish (KvmrtManager  *self,
                            GAsyncResult  *result,
                            char         **message,
                            GError       **error)
{
  return kvmrt_manager_operation_finish (self, result, message, error);
}
