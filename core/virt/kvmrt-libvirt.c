/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-libvirt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "kvmrt-i18n.h"
#include "kvmrt-uuid.h"

G_DEFINE_QUARK (kvmrt-libvirt-error-quark, kvmrt_libvirt_error)

/* One reading of libvirt's domains, and the same domains by UUID: every VM of a large
 * configuration is looked up on each validation, which a walk of the list made quadratic. */
typedef struct {
  GPtrArray  *domains;   /* GVirDomain*, owned, sorted by name */
  GHashTable *by_uuid;   /* UUID (the domain's own string) -> GVirDomain*, borrowed */
} DomainList;

static void
domain_list_free (DomainList *list)
{
  g_hash_table_unref (list->by_uuid);
  g_ptr_array_unref (list->domains);
  g_free (list);
}

struct _KvmrtLibvirt
{
  GObject         parent_instance;
  GVirConnection *connection;
  /* The GUI looks domains up in its thread while operations define them in others: the
   * list is swapped under the lock, and a replaced list (with its GVirDomain objects, which
   * callers borrow) is kept until kvmrt_libvirt_release_replaced(). */
  GMutex          lock;
  DomainList     *domains;
  GPtrArray      *replaced;  /* DomainList* read before */
};

G_DEFINE_FINAL_TYPE (KvmrtLibvirt, kvmrt_libvirt, G_TYPE_OBJECT)

static void
kvmrt_libvirt_finalize (GObject *object)
{
  KvmrtLibvirt *self = KVMRT_LIBVIRT (object);

  g_clear_pointer (&self->domains, domain_list_free);
  g_clear_pointer (&self->replaced, g_ptr_array_unref);
  g_mutex_clear (&self->lock);
  if (self->connection != NULL)
    gvir_connection_close (self->connection);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (kvmrt_libvirt_parent_class)->finalize (object);
}

static void
kvmrt_libvirt_class_init (KvmrtLibvirtClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kvmrt_libvirt_finalize;
}

static void
kvmrt_libvirt_init (KvmrtLibvirt *self)
{
  g_mutex_init (&self->lock);
  self->replaced = g_ptr_array_new_with_free_func ((GDestroyNotify) domain_list_free);
}

/* libvirt prints every error to stderr by default; we report them ourselves, with advice. */
static void
ignore_libvirt_error (void *user_data, virErrorPtr error)
{
}

/* kvmrt drives QEMU, and libvirt's test driver stands in for it. libvirt takes a URI whose
 * driver it does not know for a remote one and answers with a TLS certificate error, which
 * would send the user looking in the wrong place. */
static gboolean
check_driver (const char *uri, GError **error)
{
  const char *colon = strstr (uri, "://");
  g_autofree char *scheme = colon != NULL ? g_strndup (uri, colon - uri) : NULL;
  char *plus = scheme != NULL ? strchr (scheme, '+') : NULL;

  if (plus != NULL)
    *plus = '\0';
  if (scheme != NULL && (g_str_equal (scheme, "qemu") || g_str_equal (scheme, "test")))
    return TRUE;
  g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_UNREACHABLE,
               _("%s is not a libvirt URI kvmrt can use: it manages QEMU/KVM, so the URI "
                 "starts with qemu:// (qemu:///system, or qemu+ssh://HOST/system for another "
                 "machine)"), uri);
  return FALSE;
}

/* Turns a libvirt error into one a user can act on. @what says what we were doing ("Starting
 * rh84-control-rt"). */
static void
set_error_from (GError **error, virErrorPtr last, const char *uri, const char *what)
{
  const char *detail = last != NULL && last->message != NULL ? last->message
                                                             : _("unknown libvirt error");
  int code = last != NULL ? last->code : VIR_ERR_INTERNAL_ERROR;
  int sys_errno = last != NULL && code == VIR_ERR_SYSTEM_ERROR ? last->int1 : 0;

  /* Users other than root are let in by polkit, over the D-Bus system bus; without either,
   * libvirt reports a bus error, which means the same to the user. */
  if (sys_errno == EACCES || sys_errno == EPERM || code == VIR_ERR_AUTH_FAILED
      || code == VIR_ERR_AUTH_UNAVAILABLE || code == VIR_ERR_ACCESS_DENIED
      || code == VIR_ERR_AUTH_CANCELLED || strstr (detail, "polkit") != NULL
      || strstr (detail, "system bus") != NULL)
    g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_PERMISSION,
                 _("%s: permission denied by libvirt at %s (%s). Run the command as root "
                   "(sudo), or add your user to the 'libvirt' group and log in again."),
                 what, uri, detail);
  else if (sys_errno == ENOENT || sys_errno == ECONNREFUSED || code == VIR_ERR_NO_CONNECT)
    g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_UNREACHABLE,
                 _("%s: the libvirt daemon does not answer at %s (%s). Start it with "
                   "'sudo systemctl start libvirtd' (or run /usr/sbin/libvirtd -d), or pass "
                   "another URI with -c."),
                 what, uri, detail);
  else if (code == VIR_ERR_NO_SUPPORT && strstr (detail, "driver") != NULL)
    g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_UNREACHABLE,
                 _("%s: libvirt has no driver for %s (%s). Install the driver package "
                   "(libvirt-daemon-driver-qemu for qemu:// URIs) or check the URI."),
                 what, uri, detail);
  else if (code == VIR_ERR_OPERATION_TIMEOUT && strstr (detail, "lock") != NULL)
    g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_BUSY,
                 _("%s: the domain is busy with another libvirt job (%s). Wait for that job "
                   "to finish (see 'virsh domjobinfo') and try again."),
                 what, detail);
  else if (strstr (detail, "MEMLOCK") != NULL || strstr (detail, "memlock") != NULL
           || strstr (detail, "locked memory") != NULL)
    g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_REFUSED,
                 _("%s: the host refused to let QEMU lock the VM's memory (%s). Locked "
                   "memory (rt_memory, required for real-time VMs) needs libvirt to raise "
                   "QEMU's RLIMIT_MEMLOCK, which takes CAP_SYS_RESOURCE: run libvirtd with "
                   "it (not in a restricted container) and LimitMEMLOCK=infinity in its "
                   "systemd unit, or set rt_memory = false for a VM that is not real-time."),
                 what, detail);
  else if (strstr (detail, "sched") != NULL && strstr (detail, "ermi") != NULL)
    g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_REFUSED,
                 _("%s: the host refused a real-time scheduling policy (%s). Give "
                   "libvirt's cgroups a real-time budget (cpu.rt_runtime_us), or use a "
                   "kernel without CONFIG_RT_GROUP_SCHED."),
                 what, detail);
  else if (code == VIR_ERR_NO_DOMAIN)
    g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NO_DOMAIN,
                 _("%s: libvirt no longer has this domain (%s). Run kvmrt-import to add it "
                   "again, or remove it from the configuration."),
                 what, detail);
  else if (code == VIR_ERR_XML_ERROR || code == VIR_ERR_XML_DETAIL
           || code == VIR_ERR_CONFIG_UNSUPPORTED || code == VIR_ERR_INVALID_ARG)
    g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_INVALID,
                 _("%s: libvirt rejected the domain definition: %s"), what, detail);
  else
    g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_FAILED,
                 "%s: %s", what, detail);
}

/* The connection's URI, for messages; newly allocated (g_free works on it). */
static char *
domain_uri (virDomainPtr handle)
{
  return virConnectGetURI (virDomainGetConnect (handle));
}

/* The same for this thread's last error, which must be read before any other libvirt call:
 * each one clears it. */
static void
set_error_from_libvirt (GError **error, const char *uri, const char *what)
{
  set_error_from (error, virGetLastError (), uri, what);
}

/* For failures on a domain. @saved is virSaveLastError() taken right after the failing call:
 * any later libvirt call, even gvir_domain_get_name(), clears the thread's error. */
static void
set_domain_error (GError **error, virErrorPtr saved, virDomainPtr handle, const char *what)
{
  g_autofree char *uri = domain_uri (handle);

  set_error_from (error, saved, uri, what);
  virFreeError (saved);
}

static int
compare_domains_by_name (gconstpointer a, gconstpointer b)
{
  GVirDomain *da = *(GVirDomain **) a;
  GVirDomain *db = *(GVirDomain **) b;

  return g_strcmp0 (gvir_domain_get_name (da), gvir_domain_get_name (db));
}

static gboolean
fetch_domains (KvmrtLibvirt *self, GError **error)
{

  if (!gvir_connection_fetch_domains (self->connection, NULL, NULL))
    {
      set_error_from_libvirt (error, kvmrt_libvirt_get_uri (self),
                              _("Listing libvirt's domains"));
      return FALSE;
    }
  kvmrt_libvirt_update_domains (self);
  return TRUE;
}

KvmrtLibvirt *
kvmrt_libvirt_open (const char *uri, GError **error)
{
  g_autoptr(KvmrtLibvirt) self = NULL;
  g_autofree char *what = NULL;

  if (uri == NULL)
    uri = kvmrt_libvirt_default_uri ();
  what = g_strdup_printf (_("Connecting to libvirt at %s"), uri);

  if (!check_driver (uri, error))
    return NULL;
  if (!gvir_init_object_check (NULL, NULL, error))
    return NULL;
  virSetErrorFunc (NULL, ignore_libvirt_error);

  self = g_object_new (KVMRT_TYPE_LIBVIRT, NULL);
  self->connection = gvir_connection_new (uri);
  if (!gvir_connection_open (self->connection, NULL, NULL))
    {
      set_error_from_libvirt (error, uri, what);
      return NULL;
    }
  if (!fetch_domains (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
kvmrt_libvirt_default_uri (void)
{
  const char *uri = g_getenv ("LIBVIRT_DEFAULT_URI");

  return uri != NULL ? uri : KVMRT_LIBVIRT_SYSTEM_URI;
}

const char *
kvmrt_libvirt_get_uri (KvmrtLibvirt *self)
{
  return gvir_connection_get_uri (self->connection);
}

GVirConnection *
kvmrt_libvirt_get_connection (KvmrtLibvirt *self)
{
  return self->connection;
}

void
kvmrt_libvirt_update_domains (KvmrtLibvirt *self)
{
  GList *list = gvir_connection_get_domains (self->connection);
  DomainList *domains = g_new0 (DomainList, 1);

  domains->domains = g_ptr_array_new_with_free_func (g_object_unref);
  domains->by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
  for (GList *l = list; l != NULL; l = l->next)
    {
      g_ptr_array_add (domains->domains, l->data);   /* takes the list's reference */
      g_hash_table_insert (domains->by_uuid, (gpointer) gvir_domain_get_uuid (l->data),
                           l->data);
    }
  g_list_free (list);
  g_ptr_array_sort (domains->domains, compare_domains_by_name);
  g_mutex_lock (&self->lock);
  if (self->domains != NULL)
    g_ptr_array_add (self->replaced, self->domains);
  self->domains = domains;
  g_mutex_unlock (&self->lock);
}

void
kvmrt_libvirt_release_replaced (KvmrtLibvirt *self)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->replaced, 0);
  g_mutex_unlock (&self->lock);
}

GPtrArray *
kvmrt_libvirt_list_domains (KvmrtLibvirt *self)
{
  GPtrArray *domains;

  g_mutex_lock (&self->lock);
  domains = self->domains->domains;
  g_mutex_unlock (&self->lock);
  return domains;
}

GVirDomain *
kvmrt_libvirt_lookup_uuid (KvmrtLibvirt *self, const char *uuid)
{
  GVirDomain *domain;

  g_mutex_lock (&self->lock);
  domain = g_hash_table_lookup (self->domains->by_uuid, uuid);
  g_mutex_unlock (&self->lock);
  return domain;
}

GVirDomain *
kvmrt_libvirt_find (KvmrtLibvirt *self, const char *name_or_uuid, GError **error)
{
  char buffer[KVMRT_UUID_STRLEN];
  GVirDomain *domain = kvmrt_libvirt_lookup_uuid (self, kvmrt_uuid_canonical (name_or_uuid,
                                                                            buffer));
  GPtrArray *domains = kvmrt_libvirt_list_domains (self);

  for (guint i = 0; domain == NULL && i < domains->len; i++)
    if (g_strcmp0 (gvir_domain_get_name (domains->pdata[i]), name_or_uuid) == 0)
      domain = domains->pdata[i];
  if (domain == NULL)
    g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NO_DOMAIN,
                 _("libvirt at %s has no domain named '%s' (see 'virsh list --all')"),
                 kvmrt_libvirt_get_uri (self), name_or_uuid);
  return domain;
}

/* The raw handle, for the calls libvirt-gobject does not wrap or whose errors we classify
 * ourselves. Free with virDomainFree(). */
static virDomainPtr
get_handle (GVirDomain *domain)
{
  virDomainPtr handle = NULL;

  g_object_get (domain, "handle", &handle, NULL);
  return handle;
}

/* @cpus as libvirt's CPU map (one bit per host CPU, lowest first); NULL for an empty set. */
static unsigned char *
cpu_map (const KvmrtIdSet *cpus, int *length)
{
  unsigned char *map;

  if (kvmrt_id_set_is_empty (cpus))
    return NULL;
  *length = VIR_CPU_MAPLEN (kvmrt_id_set_last (cpus) + 1);
  map = g_malloc0 (*length);
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    VIR_USE_CPU (map, cpu);
  return map;
}

gboolean
kvmrt_libvirt_pin_live (GVirDomain *domain, const KvmrtVmPlan *plan, GError **error)
{
  virDomainPtr handle = get_handle (domain);
  g_autofree unsigned char *emulator = NULL;
  virDomainIOThreadInfoPtr *iothreads = NULL;
  int length = 0, n_iothreads;
  int failed = 0;

  for (guint i = 0; failed == 0 && i < plan->vcpu_pins->len; i++)
    {
      g_autofree unsigned char *map = cpu_map (plan->vcpu_pins->pdata[i], &length);

      if (map != NULL)
        failed = virDomainPinVcpuFlags (handle, i, map, length, VIR_DOMAIN_AFFECT_LIVE);
    }
  emulator = cpu_map (plan->emulator_cpus, &length);
  if (failed == 0 && emulator != NULL)
    failed = virDomainPinEmulator (handle, emulator, length, VIR_DOMAIN_AFFECT_LIVE);
  /* I/O threads run with the emulator. */
  n_iothreads = failed == 0 && emulator != NULL
                ? virDomainGetIOThreadInfo (handle, &iothreads, VIR_DOMAIN_AFFECT_LIVE) : 0;
  for (int i = 0; i < n_iothreads; i++)
    {
      if (failed == 0)
        failed = virDomainPinIOThread (handle, iothreads[i]->iothread_id, emulator, length,
                                       VIR_DOMAIN_AFFECT_LIVE);
      virDomainIOThreadInfoFree (iothreads[i]);
    }
  free (iothreads);
  if (failed != 0)
    {
      virErrorPtr saved = virSaveLastError ();
      g_autofree char *what = g_strdup_printf (_("Pinning the threads of running %s"),
                                               gvir_domain_get_name (domain));

      set_domain_error (error, saved, handle, what);
    }
  virDomainFree (handle);
  return failed == 0;
}

char *
kvmrt_libvirt_get_xml (GVirDomain *domain, GError **error)
{
  virDomainPtr handle = get_handle (domain);
  char *xml = virDomainGetXMLDesc (handle, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  char *copy;

  if (xml == NULL)
    {
      virErrorPtr saved = virSaveLastError ();
      g_autofree char *what = g_strdup_printf (_("Reading the definition of %s"),
                                               gvir_domain_get_name (domain));

      set_domain_error (error, saved, handle, what);
      virDomainFree (handle);
      return NULL;
    }
  copy = g_strdup (xml);
  free (xml);
  virDomainFree (handle);
  return copy;
}

GVirDomain *
kvmrt_libvirt_define (KvmrtLibvirt *self, const char *xml, GError **error)
{
  virConnectPtr conn = NULL;
  virDomainPtr handle;
  char uuid[VIR_UUID_STRING_BUFLEN];

  g_object_get (self->connection, "handle", &conn, NULL);
  handle = virDomainDefineXML (conn, xml);
  virConnectClose (conn);
  if (handle == NULL)
    {
      set_error_from_libvirt (error, kvmrt_libvirt_get_uri (self),
                              _("Writing the domain definition"));
      return NULL;
    }
  virDomainGetUUIDString (handle, uuid);
  virDomainFree (handle);
  /* Refetch so the domain list and each GVirDomain see the new definition. */
  if (!fetch_domains (self, error))
    return NULL;
  return kvmrt_libvirt_lookup_uuid (self, uuid);
}

gboolean
kvmrt_libvirt_rename (GVirDomain *domain, const char *name, GError **error)
{
  virDomainPtr handle = get_handle (domain);
  gboolean ok = virDomainRename (handle, name, 0) == 0;

  if (!ok)
    {
      virErrorPtr saved = virSaveLastError ();
      g_autofree char *what = g_strdup_printf (_("Renaming %s to %s"),
                                               gvir_domain_get_name (domain), name);

      set_domain_error (error, saved, handle, what);
    }
  virDomainFree (handle);
  return ok;
}

GVirDomainState
kvmrt_libvirt_get_state (GVirDomain *domain)
{
  virDomainPtr handle = get_handle (domain);
  int state = VIR_DOMAIN_NOSTATE;

  if (virDomainGetState (handle, &state, NULL, 0) < 0)
    state = VIR_DOMAIN_NOSTATE;
  virDomainFree (handle);
  return (GVirDomainState) state;
}

gboolean
kvmrt_libvirt_is_active (GVirDomain *domain)
{
  virDomainPtr handle = get_handle (domain);
  gboolean active = virDomainIsActive (handle) == 1;

  virDomainFree (handle);
  return active;
}

gboolean
kvmrt_libvirt_is_running (KvmrtLibvirt *self, const char *uuid)
{
  GVirDomain *domain = kvmrt_libvirt_lookup_uuid (self, uuid);

  return domain != NULL && kvmrt_libvirt_is_active (domain);
}

gboolean
kvmrt_libvirt_get_autostart (GVirDomain *domain)
{
  virDomainPtr handle = get_handle (domain);
  int autostart = 0;

  if (virDomainGetAutostart (handle, &autostart) < 0)
    autostart = 0;
  virDomainFree (handle);
  return autostart != 0;
}

const char *
kvmrt_libvirt_state_to_string (GVirDomainState state)
{
  switch (state)
    {
    case GVIR_DOMAIN_STATE_RUNNING:     return _("running");
    case GVIR_DOMAIN_STATE_BLOCKED:     return _("blocked");
    case GVIR_DOMAIN_STATE_PAUSED:      return _("paused");
    case GVIR_DOMAIN_STATE_SHUTDOWN:    return _("shutting down");
    case GVIR_DOMAIN_STATE_SHUTOFF:     return _("shut off");
    case GVIR_DOMAIN_STATE_CRASHED:     return _("crashed");
    case GVIR_DOMAIN_STATE_PMSUSPENDED: return _("suspended");
    case GVIR_DOMAIN_STATE_NONE:
    default:                            return _("no state");
    }
}

const char *
kvmrt_libvirt_state_to_json (GVirDomainState state)
{
  switch (state)
    {
    case GVIR_DOMAIN_STATE_RUNNING:     return "running";
    case GVIR_DOMAIN_STATE_BLOCKED:     return "blocked";
    case GVIR_DOMAIN_STATE_PAUSED:      return "paused";
    case GVIR_DOMAIN_STATE_SHUTDOWN:    return "shutdown";
    case GVIR_DOMAIN_STATE_SHUTOFF:     return "shutoff";
    case GVIR_DOMAIN_STATE_CRASHED:     return "crashed";
    case GVIR_DOMAIN_STATE_PMSUSPENDED: return "pmsuspended";
    case GVIR_DOMAIN_STATE_NONE:
    default:                            return "nostate";
    }
}

typedef enum { ACTION_START, ACTION_SHUTDOWN, ACTION_DESTROY } Action;

/* What we were doing, for the error message. */
static char *
describe_action (Action action, const char *name)
{
  switch (action)
    {
    case ACTION_START:    return g_strdup_printf (_("Starting %s"), name);
    case ACTION_SHUTDOWN: return g_strdup_printf (_("Shutting down %s"), name);
    case ACTION_DESTROY:
    default:              return g_strdup_printf (_("Powering off %s"), name);
    }
}

static gboolean
act (GVirDomain *domain, Action action, GError **error)
{
  virDomainPtr handle = get_handle (domain);
  int result;

  switch (action)
    {
    case ACTION_START:    result = virDomainCreate (handle); break;
    case ACTION_SHUTDOWN: result = virDomainShutdown (handle); break;
    case ACTION_DESTROY:
    default:              result = virDomainDestroy (handle); break;
    }
  if (result < 0)
    {
      virErrorPtr saved = virSaveLastError ();
      g_autofree char *what = describe_action (action, gvir_domain_get_name (domain));

      set_domain_error (error, saved, handle, what);
    }
  virDomainFree (handle);
  return result == 0;
}

gboolean
kvmrt_libvirt_start (GVirDomain *domain, GError **error)
{
  return act (domain, ACTION_START, error);
}

gboolean
kvmrt_libvirt_shutdown (GVirDomain *domain, GError **error)
{
  return act (domain, ACTION_SHUTDOWN, error);
}

gboolean
kvmrt_libvirt_destroy (GVirDomain *domain, GError **error)
{
  return act (domain, ACTION_DESTROY, error);
}
