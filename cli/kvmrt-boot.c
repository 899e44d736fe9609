/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-boot: validate, sync, then start VMs (the autostart ones, all with --all, or those
 * named) in config order, in parallel, one result line each. With --clean nothing may be
 * running yet and the first failure stops the sequence; otherwise running VMs are re-tuned
 * and one failure does not stop the others. With --retune the VMs named are only re-tuned:
 * nothing is started, and a VM that is not running is refused. */
#include "kvmrt-cli-libvirt.h"
#include "kvmrt-lifecycle.h"

#include <glib/gi18n.h>

static gboolean boot_all;
static gboolean clean;
static gboolean retune_only;

static const GOptionEntry options[] = {
  { "all", 'a', 0, G_OPTION_ARG_NONE, &boot_all,
    N_("Boot every enabled VM, not only those with autostart"), NULL },
  { "clean", 0, 0, G_OPTION_ARG_NONE, &clean,
    N_("Require that no configured VM is running, and stop at the first failure (as the "
       "kvmrt service does at system start)"), NULL },
  { "retune", 0, 0, G_OPTION_ARG_NONE, &retune_only,
    N_("Only re-tune the VMs named, which must be running: start nothing (what the window's "
       "Retune runs)"), NULL },
  { NULL }
};

typedef struct {
  KvmrtCliSession *session;
  KvmrtCli        *cli;
  KvmrtVm         *vm;
  gboolean         ok;
} BootJob;

static GMutex print_lock;

/* Prints one line for the VM, whole, even while other jobs print theirs. */
static void
report_line (BootJob *job, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
report_line (BootJob *job, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_mutex_lock (&print_lock);
  g_print ("%s: %s\n", kvmrt_cli_vm_label (job->vm), text);
  g_mutex_unlock (&print_lock);
}

/* Starts the VM (unless it runs) and tunes the host for it; prints its line, then any
 * refusals. */
static gpointer
boot_one (gpointer data)
{
  BootJob *job = data;
  const KvmrtVmPlan *plan = kvmrt_cli_session_plan (job->session, job->vm);
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  g_autoptr(GError) error = NULL;
  KvmrtBootOutcome outcome = KVMRT_BOOT_STARTED;
  gboolean tuned = kvmrt_lifecycle_boot (job->cli->sysroot, job->session->host,
                                         job->session->libvirt, plan, &outcome, report,
                                         &error);
  const char *what = outcome == KVMRT_BOOT_STARTED ? _("started") : _("already running");

  /* A tuning failure leaves the domain running: the boot itself succeeded. */
  job->ok = tuned;
  if (!tuned && (error->domain == KVMRT_LIBVIRT_ERROR))
    report_line (job, _("failed: %s"), error->message);
  else if (!tuned)
    report_line (job, _("%s, but the host could not be tuned: %s"), what, error->message);
  else if (!plan->rt)
    report_line (job, "%s", what);
  else if (report->changes->len == 0)
    report_line (job, _("%s; real-time tuning already in place"), what);
  else
    report_line (job, _("%s; tuned for real time (%u changes)"), what, report->changes->len);
  for (guint i = 0; i < report->problems->len; i++)
    report_line (job, _("warning: %s"), (char *) report->problems->pdata[i]);
  return NULL;
}

/* --retune: re-tunes one running VM (refused when it is not running); prints its line. */
static gboolean
retune_one (KvmrtCliSession *session, KvmrtCli *cli, KvmrtVm *vm)
{
  const KvmrtVmPlan *plan = kvmrt_cli_session_plan (session, vm);
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  g_autoptr(GError) error = NULL;

  if (!kvmrt_lifecycle_tune (cli->sysroot, session->host, session->libvirt, plan, report,
                             &error))
    {
      kvmrt_cli_error ("%s", error->message);
      return FALSE;
    }
  if (report->changes->len == 0)
    g_print (_("%s: real-time tuning already in place\n"), kvmrt_cli_vm_label (vm));
  else
    g_print (_("%s: retuned for real time (%u changes)\n"), kvmrt_cli_vm_label (vm),
             report->changes->len);
  for (guint i = 0; i < report->problems->len; i++)
    g_print (_("%s: warning: %s\n"), kvmrt_cli_vm_label (vm),
             (char *) report->problems->pdata[i]);
  return TRUE;
}

/* The VMs to boot; NULL after printing why. */
static GPtrArray *
select_vms (KvmrtCli *cli, KvmrtConfig *config)
{
  g_autoptr(GPtrArray) named = NULL;
  GPtrArray *vms = g_ptr_array_new ();

  if (cli->args[0] != NULL)
    {
      named = kvmrt_cli_select_vms (cli, config);
      if (named == NULL)
        return (g_ptr_array_unref (vms), NULL);
      for (guint i = 0; i < named->len; i++)
        {
          KvmrtVm *vm = named->pdata[i];

          if (kvmrt_vm_get_disabled (vm))
            {
              kvmrt_cli_error (_("%s is disabled in %s; set disabled = false to boot it"),
                               kvmrt_cli_vm_label (vm), cli->config_path);
              return (g_ptr_array_unref (vms), NULL);
            }
          g_ptr_array_add (vms, vm);
        }
      return vms;
    }
  for (guint i = 0; i < kvmrt_config_get_n_vms (config); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (config, i);

      if (!kvmrt_vm_get_disabled (vm) && (boot_all || kvmrt_vm_get_autostart (vm)))
        g_ptr_array_add (vms, vm);
    }
  return vms;
}

/* --clean: names of the configured VMs that are running, or NULL if none. */
static char *
list_running (KvmrtCliSession *session)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < kvmrt_config_get_n_vms (session->config); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (session->config, i);
      GVirDomain *domain = kvmrt_libvirt_lookup_uuid (session->libvirt, kvmrt_vm_get_uuid (vm));

      if (domain != NULL && kvmrt_libvirt_is_active (domain))
        g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "",
                                kvmrt_cli_vm_label (vm));
    }
  return names->len > 0 ? g_string_free (g_steal_pointer (&names), FALSE) : NULL;
}

/* Syncs every enabled VM, so libvirt boots what the config says. */
static gboolean
sync_enabled (KvmrtCliSession *session)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < kvmrt_config_get_n_vms (session->config); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (session->config, i);

      if (kvmrt_vm_get_disabled (vm))
        continue;
      if (!kvmrt_cli_sync_vm (session, vm, TRUE))
        {
          ok = FALSE;
          if (clean)
            break;
        }
    }
  return ok;
}

static gboolean
boot (KvmrtCliSession *session, KvmrtCli *cli, GPtrArray *vms)
{
  g_autofree BootJob *jobs = g_new0 (BootJob, vms->len);
  g_autofree GThread **threads = g_new0 (GThread *, vms->len);
  gboolean ok = TRUE;

  for (guint i = 0; i < vms->len; i++)
    jobs[i] = (BootJob) { session, cli, vms->pdata[i], FALSE };

  if (clean)
    {
      for (guint i = 0; i < vms->len; i++)
        {
          boot_one (&jobs[i]);
          if (!jobs[i].ok)
            {
              for (guint j = i + 1; j < vms->len; j++)
                report_line (&jobs[j], _("not started: %s failed first (--clean stops there)"),
                        kvmrt_cli_vm_label (jobs[i].vm));
              return FALSE;
            }
        }
      return TRUE;
    }

  /* Started in config order; QEMU start-up then overlaps. */
  for (guint i = 0; i < vms->len; i++)
    threads[i] = g_thread_new ("kvmrt-boot", boot_one, &jobs[i]);
  for (guint i = 0; i < vms->len; i++)
    {
      g_thread_join (threads[i]);
      ok = ok && jobs[i].ok;
    }
  return ok;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  KvmrtCliSession session = { 0 };
  g_autoptr(GPtrArray) vms = NULL;
  g_autofree char *running = NULL;
  int status = KVMRT_EXIT_OK;

  kvmrt_cli_parse (&cli, &argc, &argv,
                   KVMRT_CLI_OPTION_CONFIG | KVMRT_CLI_OPTION_CONNECT | KVMRT_CLI_OPTION_SYSROOT,
                   options, _("[VM...]"),
                   N_("Validate the configuration, write it into libvirt, and start the VMs "
                      "with autostart (--all: every enabled VM; or the VMs named) in parallel. "
                      "VMs already running are re-tuned."));

  cli.changes_host = TRUE;
  if (retune_only && (cli.args[0] == NULL || boot_all || clean))
    {
      kvmrt_cli_error (_("--retune needs the VMs to retune named, and goes with neither --all "
                         "nor --clean"));
      return KVMRT_EXIT_USAGE;
    }
  if (!kvmrt_cli_session_open (&session, &cli)
      || (vms = select_vms (&cli, session.config)) == NULL)
    status = KVMRT_EXIT_USAGE;
  else if (retune_only)
    {
      for (guint i = 0; i < vms->len; i++)
        if (!retune_one (&session, &cli, vms->pdata[i]))
          status = KVMRT_EXIT_FAILED;
    }
  else if (!kvmrt_cli_session_validate (&session, &cli))
    status = KVMRT_EXIT_FAILED;
  else if (clean && (running = list_running (&session)) != NULL)
    {
      kvmrt_cli_error (_("--clean needs every configured VM shut off, but these are running: "
                         "%s. Shut them down with kvmrt-shutdown first, or boot without "
                         "--clean to re-tune them."), running);
      status = KVMRT_EXIT_FAILED;
    }
  else if (vms->len == 0)
    g_print (_("No VM to boot: none has autostart = true (use --all, or name the VMs)\n"));
  else
    {
      /* After a crash the journal may still hold VMs that no longer run: their host settings
       * go back before anything boots. */
      kvmrt_cli_release_held (&session, &cli, NULL);
      if ((!sync_enabled (&session) && clean) || !boot (&session, &cli, vms))
        status = KVMRT_EXIT_FAILED;
    }

  return kvmrt_cli_session_finish (&session, &cli, status);
}
