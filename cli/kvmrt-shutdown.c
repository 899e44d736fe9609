/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-shutdown: ask the running configured VMs (or those named) to shut down, all at once;
 * wait up to --timeout; then power off those still running with --force, or report them.
 * -v does one VM at a time and says how each one goes. --release-held shuts nothing down and
 * gives back the host settings still held for VMs that no longer run. */
#include "kvmrt-cli-libvirt.h"
#include "kvmrt-tuner.h"

#include <glib/gi18n.h>

static gboolean verbose;
static gboolean force;
static int timeout_seconds = 60;
static gboolean release_held;

static const GOptionEntry options[] = {
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
    N_("Shut the VMs down one after the other and report each one's progress"), NULL },
  { "force", 0, 0, G_OPTION_ARG_NONE, &force,
    N_("Power off the VMs still running when the timeout expires"), NULL },
  { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout_seconds,
    N_("Seconds to wait for a VM to shut down (default 60)"), N_("S") },
  { "release-held", 0, 0, G_OPTION_ARG_NONE, &release_held,
    N_("Shut nothing down: give back the host settings still held for VMs that are no longer "
       "running (stopped outside kvmrt, or before a crash)"), NULL },
  { NULL }
};

#define POLL_INTERVAL_US (100 * 1000)

typedef struct {
  KvmrtVm    *vm;
  GVirDomain *domain;
  gboolean    done;      /* shut off (or failed, see error) */
  GError     *error;
} Stop;

static void
stop_clear (Stop *stop)
{
  g_clear_error (&stop->error);
}

/* Undoes the host tuning the VM needed (nothing for a VM that is not real-time). */
static void
release_tuning (KvmrtCliSession *session, KvmrtCli *cli, Stop *stop)
{
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  g_autoptr(GError) error = NULL;

  if (!kvmrt_tuner_release (cli->sysroot, session->host, kvmrt_vm_get_uuid (stop->vm), report,
                            &error))
    {
      kvmrt_cli_error (_("%s: the host's real-time settings could not be restored: %s"),
                       kvmrt_cli_vm_label (stop->vm), error->message);
      return;
    }
  if (report->changes->len > 0)
    g_print (_("%s: real-time tuning released (%u host settings changed back)\n"),
             kvmrt_cli_vm_label (stop->vm), report->changes->len);
  for (guint i = 0; i < report->problems->len; i++)
    g_print (_("%s: warning: %s\n"), kvmrt_cli_vm_label (stop->vm),
             (char *) report->problems->pdata[i]);
}

/* Waits until every stop in @stops is shut off or @deadline (monotonic µs) passes. */
static void
wait_until_off (GArray *stops, gint64 deadline)
{
  for (;;)
    {
      gboolean pending = FALSE;

      for (guint i = 0; i < stops->len; i++)
        {
          Stop *stop = &g_array_index (stops, Stop, i);

          if (!stop->done)
            stop->done = !kvmrt_libvirt_is_active (stop->domain);
          pending = pending || !stop->done;
        }
      if (!pending || g_get_monotonic_time () >= deadline)
        return;
      g_usleep (POLL_INTERVAL_US);
    }
}

/* After the wait: report each VM, powering off the late ones with --force. */
static gboolean
finish (KvmrtCliSession *session, KvmrtCli *cli, Stop *stop, gint64 started)
{
  double seconds = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;

  if (stop->error != NULL)
    {
      g_print (_("%s: failed: %s\n"), kvmrt_cli_vm_label (stop->vm), stop->error->message);
      return FALSE;
    }
  if (!stop->done && !force)
    {
      g_print (_("%s: still running after %d s (--force powers it off; the guest may "
                 "ignore ACPI shutdown requests)\n"),
               kvmrt_cli_vm_label (stop->vm), timeout_seconds);
      return FALSE;
    }
  if (!stop->done)
    {
      if (!kvmrt_libvirt_destroy (stop->domain, &stop->error))
        {
          g_print (_("%s: failed: %s\n"), kvmrt_cli_vm_label (stop->vm), stop->error->message);
          return FALSE;
        }
      g_print (_("%s: powered off after %d s\n"), kvmrt_cli_vm_label (stop->vm),
               timeout_seconds);
    }
  else
    g_print (_("%s: shut off after %.1f s\n"), kvmrt_cli_vm_label (stop->vm), seconds);
  release_tuning (session, cli, stop);
  return TRUE;
}

static gboolean
request (Stop *stop)
{
  if (kvmrt_libvirt_shutdown (stop->domain, &stop->error))
    return TRUE;
  /* It may have stopped on its own between our look and the request. */
  if (!kvmrt_libvirt_is_active (stop->domain))
    {
      g_clear_error (&stop->error);
      stop->done = TRUE;
      return TRUE;
    }
  stop->done = TRUE;
  return FALSE;
}

static gboolean
shut_down (KvmrtCliSession *session, KvmrtCli *cli, GArray *stops)
{
  gint64 timeout_us = (gint64) timeout_seconds * G_USEC_PER_SEC;
  gboolean ok = TRUE;

  if (verbose)
    {
      for (guint i = 0; i < stops->len; i++)
        {
          Stop *stop = &g_array_index (stops, Stop, i);
          g_autoptr(GArray) one = g_array_new (FALSE, FALSE, sizeof (Stop));
          gint64 started = g_get_monotonic_time ();

          g_print (_("%s: shutting down (waiting up to %d s)...\n"),
                   kvmrt_cli_vm_label (stop->vm), timeout_seconds);
          if (request (stop))
            {
              g_array_append_val (one, *stop);
              wait_until_off (one, started + timeout_us);
              stop->done = g_array_index (one, Stop, 0).done;
            }
          ok = finish (session, cli, stop, started) && ok;
        }
      return ok;
    }

  gint64 started = g_get_monotonic_time ();

  for (guint i = 0; i < stops->len; i++)
    request (&g_array_index (stops, Stop, i));
  wait_until_off (stops, started + timeout_us);
  for (guint i = 0; i < stops->len; i++)
    ok = finish (session, cli, &g_array_index (stops, Stop, i), started) && ok;
  return ok;
}

/* The running VMs to stop: those named (each must exist in libvirt), else every configured
 * VM that is running. */
static GArray *
collect (KvmrtCliSession *session, KvmrtCli *cli)
{
  g_autoptr(GPtrArray) named = NULL;
  GArray *stops = g_array_new (FALSE, TRUE, sizeof (Stop));
  guint n = kvmrt_config_get_n_vms (session->config);

  g_array_set_clear_func (stops, (GDestroyNotify) stop_clear);
  if (cli->args[0] != NULL && (named = kvmrt_cli_select_vms (cli, session->config)) == NULL)
    return (g_array_unref (stops), NULL);

  for (guint i = 0; i < (named != NULL ? named->len : n); i++)
    {
      KvmrtVm *vm = named != NULL ? named->pdata[i] : kvmrt_config_get_vm (session->config, i);
      GVirDomain *domain = kvmrt_libvirt_lookup_uuid (session->libvirt, kvmrt_vm_get_uuid (vm));
      Stop stop = { vm, domain, FALSE, NULL };

      if (domain != NULL && kvmrt_libvirt_is_active (domain))
        g_array_append_val (stops, stop);
      else if (named != NULL)
        g_print (_("%s: not running\n"), kvmrt_cli_vm_label (vm));
    }
  return stops;
}

/* --release-held: the tuning of VMs in the journal that libvirt does not show running. */
static gboolean
release_held_tuning (KvmrtCliSession *session, KvmrtCli *cli)
{
  gboolean ok = TRUE;

  if (kvmrt_cli_release_held (session, cli, &ok) == 0 && ok)
    g_print (_("No real-time tuning is held for a VM that is not running\n"));
  return ok;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  KvmrtCliSession session = { 0 };
  g_autoptr(GArray) stops = NULL;
  int status = KVMRT_EXIT_OK;

  kvmrt_cli_parse (&cli, &argc, &argv,
                   KVMRT_CLI_OPTION_CONFIG | KVMRT_CLI_OPTION_CONNECT | KVMRT_CLI_OPTION_SYSROOT,
                   options, _("[VM...]"),
                   N_("Shut down the running VMs of the configuration (or those named), in "
                      "parallel, and undo their real-time host settings."));
  if (timeout_seconds < 0)
    {
      kvmrt_cli_error (_("--timeout must be 0 or more seconds, not %d"), timeout_seconds);
      return KVMRT_EXIT_USAGE;
    }

  cli.changes_host = TRUE;
  if (release_held && cli.args[0] != NULL)
    {
      kvmrt_cli_error (_("--release-held takes no VM names: it releases the tuning of every VM "
                         "that no longer runs"));
      return KVMRT_EXIT_USAGE;
    }
  if (!kvmrt_cli_session_open (&session, &cli))
    status = KVMRT_EXIT_USAGE;
  else if (release_held)
    status = release_held_tuning (&session, &cli) ? KVMRT_EXIT_OK : KVMRT_EXIT_FAILED;
  else if ((stops = collect (&session, &cli)) == NULL)
    status = KVMRT_EXIT_USAGE;
  else if (stops->len == 0 && cli.args[0] == NULL)
    g_print (_("No configured VM is running\n"));
  else if (!shut_down (&session, &cli, stops))
    status = KVMRT_EXIT_FAILED;

  return kvmrt_cli_session_finish (&session, &cli, status);
}
