/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-validate-config: judge the configuration against the host and print what is wrong,
 * grouped per VM. Exit 1 when there are errors. */
#include "kvmrt-cli.h"

#include <glib/gi18n.h>
#include <stdio.h>

/* A config that does not parse is itself a finding of this tool: report it as the
 * config-syntax diagnostic rather than as a usage failure. */
static GPtrArray *
syntax_diagnostics (const GError *error)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_diagnostic_free);

  g_ptr_array_add (list, kvmrt_diagnostic_new ("config-syntax", NULL, NULL, "%s",
                                               error->message));
  return list;
}

/* Written into one buffer and out with one write: g_print() per piece costs more than the
 * validation itself on configs with thousands of findings. */
static void
print_text (GPtrArray *diagnostics, const char *config_path)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *current = "";
  guint errors = kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR);
  guint warnings = kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_WARNING);

  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KvmrtDiagnostic *d = diagnostics->pdata[i];
      const char *group = d->vm_uuid != NULL ? d->vm_uuid : "";

      if (i == 0 || g_strcmp0 (group, current) != 0)
        {
          if (d->vm_uuid == NULL)
            g_string_append (out, _("Whole configuration:\n"));
          else
            g_string_append_printf (out, "%s [%s]:\n",
                                    d->vm_name != NULL ? d->vm_name : _("(no name)"), d->vm_uuid);
          current = group;
        }
      g_string_append_printf (out, "  %-7s %s", kvmrt_severity_to_string (d->severity), d->code);
      if (d->attribute != NULL)
        g_string_append_printf (out, " (%s", d->attribute);
      if (d->line > 0)
        g_string_append_printf (out, d->attribute != NULL ? _(", line %d") : _(" (line %d"),
                                d->line);
      if (d->attribute != NULL || d->line > 0)
        g_string_append_c (out, ')');
      g_string_append (out, "\n      ");
      g_string_append (out, d->message);
      g_string_append_c (out, '\n');
    }

  if (errors == 0 && warnings == 0)
    g_string_append_printf (out, _("%s: no problems found.\n"), config_path);
  else
    g_string_append_printf (out, _("%s: %u error(s), %u warning(s).\n"), config_path, errors,
                            warnings);
  fwrite (out->str, 1, out->len, stdout);
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(KvmrtHost) host = NULL;
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

  config = kvmrt_cli_load_config_or_syntax_error (&cli, &error);
  if (error != NULL)
    diagnostics = syntax_diagnostics (error);
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
      diagnostics = kvmrt_validate (config, host, cli.all ? KVMRT_VALIDATE_ALL : 0);
    }

  if (!cli.offline)
    g_printerr (_("%s: note: this version does not consult libvirt yet; the checks that need "
                  "it (vm-not-in-libvirt, out-of-sync) were skipped. Use --offline to silence "
                  "this note.\n"), g_get_prgname ());

  if (cli.json)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      KvmrtJsonWriter w;

      kvmrt_json_writer_init (&w, text);
      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_write_diagnostics (&w, diagnostics);
      kvmrt_json_writer_member (&w, "libvirt_checked");
      kvmrt_json_writer_bool (&w, FALSE);
      kvmrt_json_writer_end_object (&w);
      kvmrt_json_writer_clear (&w);
      fwrite (text->str, 1, text->len, stdout);
    }
  else
    print_text (diagnostics, cli.config_path);

  status = kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR) > 0
             ? KVMRT_EXIT_FAILED : KVMRT_EXIT_OK;
  kvmrt_cli_clear (&cli);
  return status;
}
