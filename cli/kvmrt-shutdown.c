/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-shutdown: ask the running configured VMs (or those named) to shut down, all at once;
 * wait up to --timeout; then power off those still running with --force, or report them.
 * -v does one VM at a time and says how each one goes. --release-held shuts nothing down and
 * gives back the host settings still held for VMs that no longer run. */
#include "kvmrt-cli-vm-ops.h"

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

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  KvmrtCliSession session = { 0 };
  g_autoptr(GPtrArray) named = NULL;
  int status;

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
    status = kvmrt_cli_release_held (&session, &cli);
  else if (cli.args[0] != NULL && (named = kvmrt_cli_select_vms (&cli, session.config)) == NULL)
    status = KVMRT_EXIT_USAGE;
  else
    status = kvmrt_cli_shutdown (&session, &cli, named, timeout_seconds,
                                 (force ? KVMRT_SHUTDOWN_FORCE : 0)
                                 | (verbose ? KVMRT_SHUTDOWN_ONE_BY_ONE : 0));

  return kvmrt_cli_session_finish (&session, &cli, status);
}
