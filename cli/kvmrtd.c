/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrtd, the kvmrt service (data/kvmrt.service): at start it boots the autostart VMs as
 * `kvmrt-boot --clean` does; while VMs run it keeps their real-time tuning in force (the
 * interrupts of passed-through devices only appear once the guest's driver loads, and other
 * programs may undo settings), follows libvirt's lifecycle events so a VM started or stopped
 * outside kvmrt is tuned or untuned, and logs every change; it serves the Guest Services
 * channels of the running VMs (kvmrtd-gs.c); on SIGTERM it shuts the VMs down. */
#include "kvmrt-cli-vm-ops.h"
#include "kvmrt-lifecycle.h"
#include "kvmrtd-gs.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <libvirt-glib/libvirt-glib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int interval_seconds = 2;
static int shutdown_timeout = 120;
static gboolean no_boot;
static gboolean no_guest_services;
static KvmrtdGsOptions gs_options = { NULL, NULL, NULL, 1000, 2000 };

static const GOptionEntry options[] = {
  { "interval", 0, 0, G_OPTION_ARG_INT, &interval_seconds,
    N_("Seconds between two checks of the tuning (default 2)"), N_("S") },
  { "shutdown-timeout", 0, 0, G_OPTION_ARG_INT, &shutdown_timeout,
    N_("At stop, seconds the VMs get to shut down before they are powered off (default 120)"),
    N_("S") },
  { "no-boot", 0, 0, G_OPTION_ARG_NONE, &no_boot,
    N_("Do not boot the autostart VMs at start (only keep running VMs tuned)"), NULL },
  { "no-guest-services", 0, 0, G_OPTION_ARG_NONE, &no_guest_services,
    N_("Do not serve the VMs' Guest Services channels"), NULL },
  { "gs-tracefs", 0, 0, G_OPTION_ARG_FILENAME, &gs_options.tracefs,
    N_("Where tracefs is mounted (default: /sys/kernel/tracing below the sysroot)"),
    N_("DIR") },
  { "gs-instance", 0, 0, G_OPTION_ARG_STRING, &gs_options.instance,
    N_("The trace instance for the KVMRT_GS_*_HOST events (default kvmrt-gs)"), N_("NAME") },
  { "gs-log", 0, 0, G_OPTION_ARG_STRING, &gs_options.log_target,
    N_("Where guests' log_msg goes: journal:SOCKET or syslog:SOCKET (default: the journal, "
       "else /dev/log)"), N_("TARGET") },
  { "gs-rate", 0, 0, G_OPTION_ARG_DOUBLE, &gs_options.rate,
    N_("Guest Services requests per second one VM may make on average (default 1000)"),
    N_("N") },
  { "gs-burst", 0, 0, G_OPTION_ARG_DOUBLE, &gs_options.burst,
    N_("Requests one VM may make at once above that rate (default 2000)"), N_("N") },
  { NULL }
};

typedef struct {
  KvmrtCli     *cli;
  KvmrtLibvirt *libvirt;
  GMainLoop    *loop;
  GHashTable   *last_problems;   /* VM UUID -> the problems last logged, to log each once */
  KvmrtdGs     *gs;              /* NULL with --no-guest-services */
  int           status;
} Daemon;

/* systemd's readiness protocol: one datagram to $NOTIFY_SOCKET (absent when not run by
 * systemd; a leading '@' names an abstract socket). */
static void
notify_systemd (const char *state)
{
  const char *path = g_getenv ("NOTIFY_SOCKET");
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  socklen_t length;
  int fd;

  if (path == NULL || strlen (path) >= sizeof address.sun_path || *path == '\0')
    return;
  strcpy (address.sun_path, path);
  if (path[0] == '@')
    address.sun_path[0] = '\0';
  length = offsetof (struct sockaddr_un, sun_path) + strlen (path);
  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return;
  if (sendto (fd, state, strlen (state), MSG_NOSIGNAL, (struct sockaddr *) &address, length) < 0)
    g_warning ("cannot notify systemd (%s): %s", path, g_strerror (errno));
  close (fd);
}

/* Boots the autostart VMs as kvmrt-boot --clean does, printing what it prints (to the
 * journal), on the daemon's own connection. */
static gboolean
boot_autostart (Daemon *d)
{
  KvmrtCliSession session = { 0 };
  g_autoptr(GPtrArray) vms = NULL;
  int status = KVMRT_EXIT_USAGE;

  if (kvmrt_cli_session_open_on (&session, d->cli, d->libvirt))
    {
      vms = kvmrt_boot_set_select (session.config, NULL, KVMRT_BOOT_SET_CLEAN, NULL);
      status = kvmrt_cli_boot (&session, d->cli, vms, KVMRT_BOOT_SET_CLEAN);
    }
  kvmrt_cli_session_clear (&session);
  return status == KVMRT_EXIT_OK;
}

/* Shuts every running configured VM down as kvmrt-shutdown --force does, powering off those
 * still running after --shutdown-timeout. */
static gboolean
shut_down_all (Daemon *d)
{
  KvmrtCliSession session = { 0 };
  int status = KVMRT_EXIT_USAGE;

  if (kvmrt_cli_session_open_on (&session, d->cli, d->libvirt))
    status = kvmrt_cli_shutdown (&session, d->cli, NULL, shutdown_timeout,
                                 KVMRT_SHUTDOWN_FORCE);
  kvmrt_cli_session_clear (&session);
  return status == KVMRT_EXIT_OK;
}

/* Logs the problems of one VM when they differ from what was logged last time. */
static void
log_problems (Daemon *d, const char *uuid, const char *label, GPtrArray *problems)
{
  g_autoptr(GString) joined = g_string_new (NULL);
  const char *last = g_hash_table_lookup (d->last_problems, uuid);

  for (guint i = 0; i < problems->len; i++)
    g_string_append_printf (joined, "%s\n", (char *) problems->pdata[i]);
  if (g_strcmp0 (last, joined->str) == 0)
    return;
  for (guint i = 0; i < problems->len; i++)
    g_warning ("%s: %s", label, (char *) problems->pdata[i]);
  g_hash_table_insert (d->last_problems, g_strdup (uuid), g_string_free (g_steal_pointer
                                                                         (&joined), FALSE));
}

/* Logs what became of the host settings the journal held for no VM (an earlier release the
 * host refused): a refusal when it first appears or changes, not every cycle. */
static void
log_leftovers (Daemon *d, const KvmrtReleaseHeld *held)
{
  static const char key[] = "(host settings held for no VM)";
  guint restored = held->leftovers_report->changes->len;

  if (held->leftovers == KVMRT_VM_TUNING_RELEASED)
    g_message ("host settings left from an earlier release: %u restored", restored);
  if (held->leftovers != KVMRT_VM_TUNING_FAILED)
    {
      g_hash_table_remove (d->last_problems, key);
      return;
    }
  if (restored == 0 && g_strcmp0 (g_hash_table_lookup (d->last_problems, key),
                                  held->leftovers_error->message) == 0)
    return;
  if (restored > 0)
    g_message ("host settings left from an earlier release: %u restored", restored);
  g_warning ("host settings left from an earlier release: %s", held->leftovers_error->message);
  g_hash_table_insert (d->last_problems, g_strdup (key),
                       g_strdup (held->leftovers_error->message));
}

/* Brings the host to what the running real-time VMs need, and releases what VMs that stopped
 * (or left the configuration) no longer need, and what the journal holds for no VM. */
static void
keep_tuned (Daemon *d)
{
  g_autoptr(GError) error = NULL;
  /* As root, a file others may write does not steer the tuning. */
  g_autoptr(KvmrtConfig) config = geteuid () != 0
                                  || kvmrt_config_check_owner (d->cli->config_path, &error)
                                  ? kvmrt_config_load (d->cli->config_path, &error) : NULL;
  g_autoptr(KvmrtHost) host = config != NULL
    ? kvmrt_host_load (d->cli->sysroot, KVMRT_HOST_LOAD_DEFAULT, &error) : NULL;
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autoptr(KvmrtReleaseHeld) released = NULL;

  if (host == NULL)
    {
      g_warning ("cannot check the tuning: %s", error->message);
      return;
    }
  plan = kvmrt_plan_new (config, host);
  released = kvmrt_lifecycle_release_held (d->cli->sysroot, host, d->libvirt, config, &error);
  if (released == NULL)
    g_warning ("cannot release the tuning of VMs that stopped: %s", error->message);
  g_clear_error (&error);
  if (released != NULL)
    log_leftovers (d, released);
  for (guint i = 0; released != NULL && i < released->results->len; i++)
    {
      const KvmrtVmResult *result = released->results->pdata[i];

      if (result->tuning == KVMRT_VM_TUNING_FAILED)
        g_warning ("%s: cannot release its tuning: %s", result->label, result->error->message);
      else
        g_message ("%s: no longer running; its real-time tuning was released "
                   "(%u host settings changed back)", result->label,
                   result->report->changes->len);
    }
  for (guint i = 0; i < kvmrt_plan_get_n_vms (plan); i++)
    {
      const KvmrtVmPlan *p = kvmrt_plan_get_vm (plan, i);
      const char *uuid = kvmrt_vm_get_uuid (p->vm);
      g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();

      if (!p->rt || kvmrt_vm_get_disabled (p->vm)
          || !kvmrt_libvirt_is_running (d->libvirt, uuid))
        continue;
      if (!kvmrt_lifecycle_tune (d->cli->sysroot, host, d->libvirt, p, report, &error))
        {
          g_warning ("%s: cannot keep its tuning: %s", kvmrt_vm_get_label (p->vm),
                     error->message);
          g_clear_error (&error);
          continue;
        }
      for (guint c = 0; c < report->changes->len; c++)
        g_message ("%s: %s", kvmrt_vm_get_label (p->vm), (char *) report->changes->pdata[c]);
      log_problems (d, uuid, kvmrt_vm_get_label (p->vm), report->problems);
    }
  if (d->gs != NULL)
    kvmrtd_gs_follow (d->gs, d->libvirt, plan, host);
}

static gboolean
on_interval (gpointer data)
{
  keep_tuned (data);
  return G_SOURCE_CONTINUE;
}

static void
on_domain_event (GVirDomain *domain, gpointer data)
{
  Daemon *d = data;

  g_message ("%s: %s", gvir_domain_get_name (domain),
             kvmrt_libvirt_is_active (domain) ? "started" : "stopped");
  keep_tuned (d);
}

static void
watch_domains (Daemon *d)
{
  GPtrArray *domains = kvmrt_libvirt_list_domains (d->libvirt);

  for (guint i = 0; i < domains->len; i++)
    {
      g_signal_connect (domains->pdata[i], "started", G_CALLBACK (on_domain_event), d);
      g_signal_connect (domains->pdata[i], "stopped", G_CALLBACK (on_domain_event), d);
    }
}

static gboolean
on_stop_signal (gpointer data)
{
  Daemon *d = data;

  g_message ("stopping: shutting the VMs down");
  notify_systemd ("STOPPING=1");
  if (!shut_down_all (d))
    d->status = KVMRT_EXIT_FAILED;
  keep_tuned (d);
  g_main_loop_quit (d->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  Daemon d = { &cli, NULL, NULL, NULL, NULL, KVMRT_EXIT_OK };

  kvmrt_cli_parse (&cli, &argc, &argv,
                   KVMRT_CLI_OPTION_CONFIG | KVMRT_CLI_OPTION_CONNECT | KVMRT_CLI_OPTION_SYSROOT,
                   options, "",
                   N_("The kvmrt service: boot the autostart VMs (as kvmrt-boot --clean), keep "
                      "the real-time VMs' host tuning in force while they run, follow VMs "
                      "started and stopped outside kvmrt, and shut the VMs down on SIGTERM."));
  if (interval_seconds < 1 || shutdown_timeout < 0)
    {
      kvmrt_cli_error (_("--interval must be at least 1 and --shutdown-timeout 0 or more"));
      return KVMRT_EXIT_USAGE;
    }
  if (gs_options.rate <= 0 || gs_options.burst < 1)
    {
      kvmrt_cli_error (_("--gs-rate must be above 0 and --gs-burst at least 1"));
      return KVMRT_EXIT_USAGE;
    }
  if (gs_options.instance == NULL)
    gs_options.instance = g_strdup ("kvmrt-gs");

  /* It changes the host from the configuration: as root, a file others may write is refused
   * (kvmrt_cli_check_config_owner()). */
  cli.changes_host = TRUE;
  /* Events need libvirt's event loop on GLib's, before the connection opens. */
  gvir_event_register ();
  if ((d.libvirt = kvmrt_cli_open_libvirt (&cli)) == NULL)
    return KVMRT_EXIT_USAGE;
  if (!no_boot && !boot_autostart (&d))
    {
      kvmrt_cli_error (_("booting the autostart VMs failed (see above); not starting"));
      g_object_unref (d.libvirt);
      return KVMRT_EXIT_FAILED;
    }

  d.loop = g_main_loop_new (NULL, FALSE);
  d.last_problems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!no_guest_services)
    d.gs = kvmrtd_gs_start (cli.sysroot, &gs_options);
  watch_domains (&d);
  keep_tuned (&d);
  g_timeout_add_seconds (interval_seconds, on_interval, &d);
  g_unix_signal_add (SIGTERM, on_stop_signal, &d);
  g_unix_signal_add (SIGINT, on_stop_signal, &d);
  notify_systemd ("READY=1");
  g_message ("ready: keeping the real-time VMs of %s tuned", cli.config_path);
  g_main_loop_run (d.loop);

  if (d.gs != NULL)
    kvmrtd_gs_stop (d.gs);
  g_main_loop_unref (d.loop);
  g_hash_table_unref (d.last_problems);
  g_object_unref (d.libvirt);
  kvmrt_cli_clear (&cli);
  return d.status;
}
