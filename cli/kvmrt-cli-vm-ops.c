/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-cli-vm-ops.h"

#include <glib/gi18n.h>

#include "kvmrt-lifecycle.h"

/* The session as the core's operations take it. */
static KvmrtSession
core_session (KvmrtCliSession *session, KvmrtCli *cli)
{
  return (KvmrtSession) { cli->sysroot, session->host, session->libvirt, session->config,
                          session->plan };
}

GPtrArray *
kvmrt_cli_boot_select (KvmrtCliSession *session, KvmrtCli *cli, KvmrtBootSetFlags flags)
{
  g_autoptr(GPtrArray) named = NULL;
  KvmrtVm *disabled = NULL;
  GPtrArray *vms;

  if (cli->args[0] != NULL && (named = kvmrt_cli_select_vms (cli, session->config)) == NULL)
    return NULL;
  vms = kvmrt_boot_set_select (session->config, named, flags, &disabled);
  if (vms == NULL)
    kvmrt_cli_error (_("%s is disabled in %s; set disabled = false to boot it"),
                     kvmrt_vm_get_label (disabled), cli->config_path);
  return vms;
}

static GMutex print_lock;

/* What to do about host settings that stay changed, after the message that names them. */
#define RETRY_HINT N_("Fix the cause, then run kvmrt-shutdown --release-held to try again.")

static void
on_released (const KvmrtVmResult *result, gpointer user_data)
{
  if (result->tuning == KVMRT_VM_TUNING_RELEASED)
    g_print (_("%s: not running any more; its real-time tuning was released\n"),
             result->label);
  else
    kvmrt_cli_error (_("%s: its real-time tuning was not fully released: %s. %s"),
                     result->label, result->error->message, _(RETRY_HINT));
}

int
kvmrt_cli_release_held (KvmrtCliSession *session, KvmrtCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtReleaseHeld) held = kvmrt_lifecycle_release_held (cli->sysroot, session->host,
                                                                   session->libvirt, NULL,
                                                                   &error);

  if (held == NULL)
    {
      kvmrt_cli_error ("%s", error->message);
      return KVMRT_EXIT_FAILED;
    }
  if (held->leftovers == KVMRT_VM_TUNING_RELEASED
      || (held->leftovers == KVMRT_VM_TUNING_FAILED
          && held->leftovers_report->changes->len > 0))
    g_print (_("host settings left from an earlier release: %u restored\n"),
             held->leftovers_report->changes->len);
  if (held->leftovers == KVMRT_VM_TUNING_FAILED)
    kvmrt_cli_error (_("host settings left from an earlier release: %s. %s"),
                     held->leftovers_error->message, _(RETRY_HINT));
  for (guint i = 0; i < held->results->len; i++)
    on_released (held->results->pdata[i], NULL);
  if (held->results->len == 0 && held->leftovers == KVMRT_VM_TUNING_NONE)
    g_print (_("No real-time tuning is held for a VM that is not running\n"));
  return kvmrt_release_held_ok (held) ? KVMRT_EXIT_OK : KVMRT_EXIT_FAILED;
}

static void
on_release_failed (const GError *error, gpointer user_data)
{
  kvmrt_cli_error ("%s", error->message);
}

static void
on_synced (KvmrtVm *vm, const KvmrtSyncState *state, const GError *error, gpointer user_data)
{
  kvmrt_cli_print_sync (vm, state, error, TRUE);
}

/* One VM's lines, whole, even while other VMs' threads print theirs. */
static void
on_booted (const KvmrtVmResult *result, gpointer user_data)
{
  const char *what = result->outcome == KVMRT_VM_STARTED ? _("started") : _("already running");
  g_autofree char *line = NULL;

  if (result->outcome == KVMRT_VM_FAILED_START)
    line = g_strdup_printf (_("failed: %s"), result->error->message);
  else if (result->outcome == KVMRT_VM_NOT_STARTED)
    line = g_strdup_printf (_("not started: %s failed first (--clean stops there)"),
                            result->blocked_by);
  else if (result->tuning == KVMRT_VM_TUNING_FAILED)
    line = g_strdup_printf (_("%s, but the host could not be tuned: %s"), what,
                            result->error->message);
  else if (result->tuning == KVMRT_VM_TUNING_NONE)
    line = g_strdup (what);
  else if (result->report->changes->len == 0)
    line = g_strdup_printf (_("%s; real-time tuning already in place"), what);
  else
    line = g_strdup_printf (_("%s; tuned for real time (%u changes)"), what,
                            result->report->changes->len);

  g_mutex_lock (&print_lock);
  g_print ("%s: %s\n", result->label, line);
  for (guint i = 0; i < result->report->problems->len; i++)
    {
      g_autofree char *warning = g_strdup_printf (_("warning: %s"),
                                                  (char *) result->report->problems->pdata[i]);

      g_print ("%s: %s\n", result->label, warning);
    }
  g_mutex_unlock (&print_lock);
}

static gboolean
booted_ok (const KvmrtVmResult *result)
{
  return (result->outcome == KVMRT_VM_STARTED || result->outcome == KVMRT_VM_ALREADY_RUNNING)
         && result->tuning != KVMRT_VM_TUNING_FAILED;
}

/* The names of @vms (KvmrtVm*), joined by ", ". */
static char *
join_labels (GPtrArray *vms)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < vms->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", kvmrt_vm_get_label (vms->pdata[i]));
  return g_string_free (names, FALSE);
}

int
kvmrt_cli_boot (KvmrtCliSession *session, KvmrtCli *cli, GPtrArray *vms,
                KvmrtBootSetFlags flags)
{
  static const KvmrtBootSetProgress progress = { on_released, on_release_failed, on_synced,
                                                 on_booted };
  KvmrtSession core = core_session (session, cli);
  g_autoptr(KvmrtBootSetReport) report = kvmrt_boot_set_run (&core, vms, flags, &progress,
                                                             NULL);
  g_autofree char *running = NULL;

  switch (report->status)
    {
    case KVMRT_BOOT_SET_INVALID:
      kvmrt_cli_print_diagnostics (report->diagnostics, cli->config_path, stderr);
      kvmrt_cli_error (_("the configuration has errors; fix them with kvmrt-edit-config first"));
      return KVMRT_EXIT_FAILED;
    case KVMRT_BOOT_SET_BUSY:
      running = join_labels (report->running);
      kvmrt_cli_error (_("--clean needs every configured VM shut off, but these are running: "
                         "%s. Shut them down with kvmrt-shutdown first, or boot without "
                         "--clean to re-tune them."), running);
      return KVMRT_EXIT_FAILED;
    case KVMRT_BOOT_SET_EMPTY:
      g_print (_("No VM to boot: none has autostart = true (use --all, or name the VMs)\n"));
      return KVMRT_EXIT_OK;
    case KVMRT_BOOT_SET_SYNC_FAILED:
      return KVMRT_EXIT_FAILED;
    case KVMRT_BOOT_SET_BOOTED:
      break;
    }
  for (guint i = 0; i < report->results->len; i++)
    if (!booted_ok (report->results->pdata[i]))
      return KVMRT_EXIT_FAILED;
  return KVMRT_EXIT_OK;
}

static void
on_retuned (const KvmrtVmResult *result, gpointer user_data)
{
  gboolean *ok = user_data;

  if (result->outcome != KVMRT_VM_RETUNED || result->tuning == KVMRT_VM_TUNING_FAILED)
    {
      kvmrt_cli_error ("%s", result->error->message);
      *ok = FALSE;
      return;
    }
  if (result->report->changes->len == 0)
    g_print (_("%s: real-time tuning already in place\n"), result->label);
  else
    g_print (_("%s: retuned for real time (%u changes)\n"), result->label,
             result->report->changes->len);
  for (guint i = 0; i < result->report->problems->len; i++)
    g_print (_("%s: warning: %s\n"), result->label,
             (char *) result->report->problems->pdata[i]);
}

int
kvmrt_cli_retune (KvmrtCliSession *session, KvmrtCli *cli, GPtrArray *vms)
{
  const KvmrtBootSetProgress progress = { .booted = on_retuned };
  KvmrtSession core = core_session (session, cli);
  gboolean ok = TRUE;
  g_autoptr(GPtrArray) results = kvmrt_boot_set_retune (&core, vms, &progress, &ok);

  return ok ? KVMRT_EXIT_OK : KVMRT_EXIT_FAILED;
}

typedef struct {
  guint    timeout_s;
  gboolean ok;
} ShutdownOutput;

static void
on_stopping (KvmrtVm *vm, gpointer user_data)
{
  ShutdownOutput *out = user_data;

  g_print (_("%s: shutting down (waiting up to %d s)...\n"), kvmrt_vm_get_label (vm),
           out->timeout_s);
}

/* How the release of the tuning of a VM that is off went; FALSE when it failed (the host
 * is left tuned, so the command fails too). */
static gboolean
print_release (const KvmrtVmResult *result)
{
  if (result->tuning == KVMRT_VM_TUNING_FAILED)
    {
      if (result->report->changes->len > 0)
        g_print (_("%s: real-time tuning released only in part (%u host settings changed "
                   "back)\n"), result->label, result->report->changes->len);
      kvmrt_cli_error (_("%s: its real-time tuning was not fully released: %s. %s"),
                       result->label, result->error->message, _(RETRY_HINT));
      return FALSE;
    }
  if (result->report->changes->len > 0)
    g_print (_("%s: real-time tuning released (%u host settings changed back)\n"),
             result->label, result->report->changes->len);
  for (guint i = 0; i < result->report->problems->len; i++)
    g_print (_("%s: warning: %s\n"), result->label,
             (char *) result->report->problems->pdata[i]);
  return TRUE;
}

static void
on_stopped (const KvmrtVmResult *result, gpointer user_data)
{
  ShutdownOutput *out = user_data;

  switch (result->outcome)
    {
    case KVMRT_VM_NOT_RUNNING:
    case KVMRT_VM_NOT_DEFINED:
      g_print (_("%s: not running\n"), result->label);
      return;
    case KVMRT_VM_FAILED_STOP:
      g_print (_("%s: failed: %s\n"), result->label, result->error->message);
      out->ok = FALSE;
      return;
    case KVMRT_VM_STILL_RUNNING:
      g_print (_("%s: still running after %d s (--force powers it off; the guest may "
                 "ignore ACPI shutdown requests)\n"), result->label, out->timeout_s);
      out->ok = FALSE;
      return;
    case KVMRT_VM_POWERED_OFF:
      g_print (_("%s: powered off after %d s\n"), result->label, out->timeout_s);
      break;
    default:
      g_print (_("%s: shut off after %.1f s\n"), result->label, result->seconds);
      break;
    }
  if (!print_release (result))
    out->ok = FALSE;
}

int
kvmrt_cli_shutdown (KvmrtCliSession *session, KvmrtCli *cli, GPtrArray *named,
                    guint timeout_s, KvmrtShutdownFlags flags)
{
  static const KvmrtShutdownProgress progress = { on_stopping, on_stopped };
  KvmrtSession core = core_session (session, cli);
  ShutdownOutput out = { timeout_s, TRUE };
  g_autoptr(GPtrArray) results = kvmrt_shutdown_set_run (&core, named, timeout_s, flags,
                                                         &progress, &out);

  if (results->len == 0 && named == NULL)
    g_print (_("No configured VM is running\n"));
  return out.ok ? KVMRT_EXIT_OK : KVMRT_EXIT_FAILED;
}
