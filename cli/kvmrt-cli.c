/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-cli.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void
kvmrt_cli_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", g_get_prgname (), message);
}

gboolean
kvmrt_cli_is_pkexec (void)
{
  return g_getenv ("PKEXEC_UID") != NULL;
}

/* KVMRT_LIBVIRT_SYSTEM_URI of core/virt/kvmrt-libvirt.h, which tools free of libvirt (this file
 * is in them) cannot include: the one libvirt root accepts through pkexec. */
#define SYSTEM_URI "qemu:///system"

/* An authorization to run a tool as root covers the system's configuration on the system's
 * libvirt and host: an argument that points root elsewhere (a URI that runs a program, a file
 * to create or read, another host tree) would turn it into arbitrary root. */
static void
restrict_for_pkexec (KvmrtCli *cli)
{
  const char *refused = NULL;

  if (cli->config_path != NULL && !g_str_equal (cli->config_path, KVMRT_DEFAULT_CONFIG_PATH))
    refused = "-f";
  else if (cli->connect_uri != NULL && !g_str_equal (cli->connect_uri, SYSTEM_URI))
    refused = "-c";
  else if (cli->sysroot != NULL)
    refused = "--sysroot";
  if (refused != NULL)
    {
      kvmrt_cli_error (_("through pkexec, %s is refused: an authorized caller may use only "
                         "the system configuration (" KVMRT_DEFAULT_CONFIG_PATH "), the system "
                         "libvirt (" SYSTEM_URI ") and this host; run the tool as root "
                         "yourself to use other ones"), refused);
      exit (KVMRT_EXIT_USAGE);
    }
  /* Nor through the environment (pkexec clears it, a caller of the tool as root may not). */
  g_unsetenv ("LIBVIRT_DEFAULT_URI");
  g_unsetenv ("KVMRT_SYSROOT");
  g_unsetenv ("KVMRT_TUNER_BACKEND");
  g_unsetenv ("KVMRT_TUNER_STOP_AFTER");
  cli->sysroot = g_strdup ("/");
}

void
kvmrt_cli_parse (KvmrtCli           *cli,
                 int                *argc,
                 char             ***argv,
                 KvmrtCliOptions     which,
                 const GOptionEntry *extra,
                 const char         *parameter,
                 const char         *summary)
{
  const GOptionEntry all_entries[] = {
    { "config", 'f', 0, G_OPTION_ARG_FILENAME, &cli->config_path,
      N_("Configuration file (default " KVMRT_DEFAULT_CONFIG_PATH ")"), N_("FILE") },
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &cli->connect_uri,
      N_("libvirt connection URI (default qemu:///system)"), N_("URI") },
    { "sysroot", 0, 0, G_OPTION_ARG_FILENAME, &cli->sysroot,
      N_("Read the host below DIR instead of / (also $KVMRT_SYSROOT)"), N_("DIR") },
    { "offline", 0, 0, G_OPTION_ARG_NONE, &cli->offline,
      N_("Do not contact libvirt; judge the config against the host alone"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print one JSON document on standard output"), NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &cli->all,
      N_("Include disabled VMs"), NULL },
  };
  const GOptionEntry version_entry[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &cli->version, N_("Print the version and exit"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  g_autoptr(GError) error = NULL;

  /* A fixed mmap threshold: glibc raises its own after the first large free, and large
   * buffers (file text, output, arrays of every VM) then grow and die inside the heap,
   * leaving holes that thousands of small allocations split. With it, kvmrt-show-config on
   * 20,000 VMs runs about 15% faster (the hostile-files benchmark). */
  mallopt (M_MMAP_THRESHOLD, 256 * 1024);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, KVMRT_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  {
    g_autofree char *name = g_path_get_basename ((*argv)[0]);

    g_set_prgname (name);
  }

  for (guint bit = 0; bit < G_N_ELEMENTS (all_entries); bit++)
    if (which & (1u << bit))
      g_array_append_val (entries, all_entries[bit]);
  g_array_append_val (entries, version_entry[0]);

  context = g_option_context_new (parameter);
  g_option_context_set_summary (context, _(summary));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, (GOptionEntry *) entries->data, GETTEXT_PACKAGE);
  if (extra != NULL)
    g_option_context_add_main_entries (context, extra, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      kvmrt_cli_error ("%s (see --help)", error->message);
      exit (KVMRT_EXIT_USAGE);
    }
  if (cli->version)
    {
      g_print ("%s %s\n", g_get_prgname (), KVMRT_VERSION);
      exit (KVMRT_EXIT_OK);
    }

  if (kvmrt_cli_is_pkexec ())
    restrict_for_pkexec (cli);
  if (cli->config_path == NULL)
    cli->config_path = g_strdup (KVMRT_DEFAULT_CONFIG_PATH);
  {
    char *root = g_strdup (kvmrt_sysroot_choose (cli->sysroot));

    g_free (cli->sysroot);
    cli->sysroot = root;
  }
  cli->args = g_new0 (char *, *argc);
  for (int i = 1; i < *argc; i++)
    cli->args[i - 1] = g_strdup ((*argv)[i]);
}

gboolean
kvmrt_cli_check_config_owner (KvmrtCli *cli)
{
  g_autoptr(GError) error = NULL;

  if (geteuid () != 0 || kvmrt_config_check_owner (cli->config_path, &error))
    return TRUE;
  if (cli->for_update || cli->changes_host)
    {
      kvmrt_cli_error (_("%s; nothing was done"), error->message);
      return FALSE;
    }
  kvmrt_cli_error (_("warning: %s"), error->message);
  return TRUE;
}

KvmrtConfig *
kvmrt_cli_load_config_or_syntax_error (KvmrtCli *cli, GError **syntax_error)
{
  g_autoptr(GError) error = NULL;
  KvmrtConfig *config;

  if (!kvmrt_cli_check_config_owner (cli))
    return NULL;
  config = cli->for_update ? kvmrt_config_load_for_update (cli->config_path, &error)
                           : kvmrt_config_load (cli->config_path, &error);

  if (config != NULL)
    return config;

  if (syntax_error != NULL
      && g_error_matches (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_SYNTAX))
    g_propagate_error (syntax_error, g_steal_pointer (&error));
  else if (g_error_matches (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_NOT_FOUND))
    kvmrt_cli_error (_("%s; create it from libvirt's VMs with kvmrt-import, or name another "
                       "file with -f FILE"),
                     error->message);
  else
    kvmrt_cli_error ("%s", error->message);
  return NULL;
}

KvmrtConfig *
kvmrt_cli_load_config (KvmrtCli *cli)
{
  return kvmrt_cli_load_config_or_syntax_error (cli, NULL);
}

KvmrtHost *
kvmrt_cli_load_host (KvmrtCli *cli, KvmrtHostLoadFlags flags)
{
  g_autoptr(GError) error = NULL;
  KvmrtHost *host = kvmrt_host_load (cli->sysroot, flags, &error);

  if (host == NULL)
    kvmrt_cli_error ("%s", error->message);
  return host;
}

GPtrArray *
kvmrt_cli_select_vms (KvmrtCli *cli, KvmrtConfig *config)
{
  g_autoptr(GPtrArray) vms = g_ptr_array_new ();
  guint n = kvmrt_config_get_n_vms (config);

  if (cli->args[0] == NULL)
    {
      for (guint i = 0; i < n; i++)
        {
          KvmrtVm *vm = kvmrt_config_get_vm (config, i);

          if (cli->all || !kvmrt_vm_get_disabled (vm))
            g_ptr_array_add (vms, vm);
        }
      return g_steal_pointer (&vms);
    }

  for (char **arg = cli->args; *arg != NULL; arg++)
    {
      KvmrtVm *vm = kvmrt_config_lookup (config, *arg);

      if (vm == NULL)
        {
          kvmrt_cli_error (_("no VM named '%s' in %s; kvmrt-show-config lists the configured "
                             "VMs"), *arg, cli->config_path);
          return NULL;
        }
      if (!g_ptr_array_find (vms, vm, NULL))
        g_ptr_array_add (vms, vm);
    }
  return g_steal_pointer (&vms);
}

/* Written into one buffer and out with one write: g_print() per piece costs more than the
 * validation itself on configs with thousands of findings. */
void
kvmrt_cli_print_diagnostics (GPtrArray *diagnostics, const char *config_path, FILE *stream)
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
            {
              g_autofree char *heading = kvmrt_vm_format_heading (d->vm_name, d->vm_uuid);

              g_string_append_printf (out, "%s:\n", heading);
            }
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
  fwrite (out->str, 1, out->len, stream);
}

void
kvmrt_cli_clear (KvmrtCli *cli)
{
  g_clear_pointer (&cli->config_path, g_free);
  g_clear_pointer (&cli->connect_uri, g_free);
  g_clear_pointer (&cli->sysroot, g_free);
  g_clear_pointer (&cli->args, g_strfreev);
}
