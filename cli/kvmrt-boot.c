/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-boot: validate, sync, then start VMs (the autostart ones, all with --all, or those
 * named) in config order, in parallel, one result line each. With --clean nothing may be
 * running yet and the first failure stops the sequence; otherwise running VMs are re-tuned
 * and one failure does not stop the others. With --retune the VMs named are only re-tuned:
 * nothing is started, and a VM that is not running is refused. */
#include "kvmrt-cli-vm-ops.h"

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

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  KvmrtCliSession session = { 0 };
  g_autoptr(GPtrArray) vms = NULL;
  KvmrtBootSetFlags flags;
  int status;

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
  flags = (boot_all ? KVMRT_BOOT_SET_ALL : 0) | (clean ? KVMRT_BOOT_SET_CLEAN : 0);
  if (!kvmrt_cli_session_open (&session, &cli)
      || (vms = kvmrt_cli_boot_select (&session, &cli, flags)) == NULL)
    status = KVMRT_EXIT_USAGE;
  else if (retune_only)
    status = kvmrt_cli_retune (&session, &cli, vms);
  else
    status = kvmrt_cli_boot (&session, &cli, vms, flags);

  return kvmrt_cli_session_finish (&session, &cli, status);
}
