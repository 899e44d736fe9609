/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-validate-config: judge the configuration against the host and print what is wrong,
 * grouped per VM. Exit 1 when there are errors. */
#include "kvmrt-cli.h"
#include "kvmrt-program.h"

#include <glib/gi18n.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#ifdef KVMRT_WITH_LIBVIRT
#include "kvmrt-cli-libvirt.h"
#endif

/* Loading libvirt costs about 20 ms per process, more than validating a thousand VMs, so this
 * program does not link it: the libvirt checks live in a twin build of this file with
 * KVMRT_WITH_LIBVIRT, kvmrt-validate-config-libvirt, which we run unless --offline. */
#define LIBVIRT_TWIN "kvmrt-validate-config-libvirt"

#ifndef KVMRT_WITH_LIBVIRT
static int
run_libvirt_twin (char **argv)
{
  /* Beside this program in a build tree, else in kvmrt's libexec directory. */
  g_autofree char *twin = kvmrt_program_find (LIBVIRT_TWIN, ".", KVMRT_LIBEXECDIR);

  execv (twin, argv);
  kvmrt_cli_error (_("cannot run %s (%s), which does the libvirt checks: reinstall kvmrt, or "
                     "use --offline to check against the host alone"), twin, g_strerror (errno));
  return KVMRT_EXIT_USAGE;
}
#endif

/* A config that does not parse is itself a finding of this tool: report it as the
 * config-syntax diagnostic rather than as a usage failure. */
static GPtrArray *
syntax_diagnostics (const GError *error, const char *config_path)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_diagnostic_free);
  KvmrtDiagnostic *d = kvmrt_diagnostic_new ("config-syntax", NULL, NULL, "%s", error->message);
  gsize prefix = strlen (config_path);

  /* Syntax errors read "PATH:LINE: what"; the line goes into the finding's own field. */
  if (strncmp (error->message, config_path, prefix) == 0 && error->message[prefix] == ':')
    {
      guint64 line = 0;
      char *end = NULL;

      line = g_ascii_strtoull (error->message + prefix + 1, &end, 10);
      if (end != NULL && *end == ':' && line > 0 && line <= G_MAXINT)
        d->line = (int) line;
    }
  g_ptr_array_add (list, d);
  return list;
}

#ifdef KVMRT_WITH_LIBVIRT
/* vm-not-in-libvirt and out-of-sync; FALSE (after saying why) when libvirt cannot be reached. */
static gboolean
check_libvirt (KvmrtCli *cli, KvmrtPlan *plan, GPtrArray *diagnostics)
{
  g_autoptr(KvmrtLibvirt) libvirt = kvmrt_cli_open_libvirt (cli);

  if (libvirt == NULL)
    {
      kvmrt_cli_error (_("use --offline to check the configuration against the host alone"));
      return FALSE;
    }
  kvmrt_sync_diagnose (libvirt, plan, cli->all ? KVMRT_VALIDATE_ALL : 0, diagnostics);
  return TRUE;
}
#endif

int
main (int argc, char **argv)
{
  char **original_argv = g_strdupv (argv);
  KvmrtCli cli = { 0 };
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autoptr(GPtrArray) diagnostics = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  kvmrt_cli_parse (&cli, &argc, &argv,
                   KVMRT_CLI_OPTION_CONFIG | KVMRT_CLI_OPTION_CONNECT | KVMRT_CLI_OPTION_SYSROOT
                   | KVMRT_CLI_OPTION_OFFLINE | KVMRT_CLI_OPTION_JSON | KVMRT_CLI_OPTION_ALL,
                   NULL, "",
                   N_("Check the VMs of a KVM-RT configuration, each on its own and against each "
                      "other, on this host.\nExit status: 0 no errors, 1 errors found, 2 the "
                      "config or host could not be read."));
  if (cli.args[0] != NULL)
    {
      kvmrt_cli_error (_("unexpected argument '%s': the whole configuration is always "
                         "validated (see --help)"), cli.args[0]);
      return KVMRT_EXIT_USAGE;
    }
#ifndef KVMRT_WITH_LIBVIRT
  if (!cli.offline)
    return run_libvirt_twin (original_argv);
#endif
  g_strfreev (original_argv);

  config = kvmrt_cli_load_config_or_syntax_error (&cli, &error);
  if (error != NULL)
    diagnostics = syntax_diagnostics (error, cli.config_path);
  else if (config == NULL)
    {
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  else
    {
      host = kvmrt_cli_load_host (&cli, KVMRT_HOST_LOAD_NO_IRQS);
      if (host == NULL)
        {
          kvmrt_cli_clear (&cli);
          return KVMRT_EXIT_USAGE;
        }
      plan = kvmrt_plan_new (config, host);
      diagnostics = kvmrt_validate (plan, cli.all ? KVMRT_VALIDATE_ALL : 0);
    }

#ifdef KVMRT_WITH_LIBVIRT
  if (!cli.offline && plan != NULL && !check_libvirt (&cli, plan, diagnostics))
    {
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
#endif

  if (cli.json)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      KvmrtJsonWriter w;

      kvmrt_json_writer_init (&w, text);
      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_write_diagnostics (&w, diagnostics);
      kvmrt_json_writer_member_bool (&w, "libvirt_checked", !cli.offline && config != NULL);
      kvmrt_json_writer_end_object (&w);
      kvmrt_json_writer_clear (&w);
      fwrite (text->str, 1, text->len, stdout);
    }
  else
    kvmrt_cli_print_diagnostics (diagnostics, cli.config_path, stdout);

  status = kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR) > 0
             ? KVMRT_EXIT_FAILED : KVMRT_EXIT_OK;
  kvmrt_cli_clear (&cli);
  return status;
}
