/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-edit-config: edit a temporary copy of the configuration in $VISUAL / $EDITOR / vi,
 * validate it, and only then replace the file (atomically) and sync libvirt. On errors the
 * file is left as it was: on a terminal the user may edit again, otherwise we exit 1. */
#include "kvmrt-cli-libvirt.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char new_file_text[] =
  "# KVM-RT configuration: one [UUID] section per libvirt VM (kvmrt-import adds them).\n"
  "# Attributes: name, title, description, nr_vcpus, cpu_topology, cpuset, rt, rt_memory,\n"
  "# rt_priority, numatune, hide_kvm, autostart, disabled, pcidevs, comments.\n";

static char *replace_from;

static const GOptionEntry options[] = {
  { "replace", 0, 0, G_OPTION_ARG_FILENAME, &replace_from,
    N_("Take FILE as the edited copy instead of running an editor (the GUI does this "
       "through pkexec); it is validated and saved the same way"), N_("FILE") },
  { NULL }
};

static const char *
choose_editor (void)
{
  const char *editor = g_getenv ("VISUAL");

  if (editor == NULL || *editor == '\0')
    editor = g_getenv ("EDITOR");
  return editor != NULL && *editor != '\0' ? editor : "vi";
}

/* Runs the editor on @path with the terminal. The editor variable may carry arguments, as
 * shells allow ("emacs -nw"). */
static gboolean
run_editor (const char *path)
{
  const char *editor = choose_editor ();
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = g_strdup_printf ("%s %s", editor, quoted);
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL,
                     NULL, NULL, &wait_status, &error))
    {
      kvmrt_cli_error (_("cannot run the editor '%s': %s"), editor, error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (wait_status, &error))
    {
      kvmrt_cli_error (_("the editor '%s' failed (%s); set VISUAL or EDITOR to one that "
                         "works"), editor, error->message);
      return FALSE;
    }
  return TRUE;
}

/* Everything that keeps @edited from being saved, as text; NULL if it may be saved. */
static char *
find_problems (KvmrtCli *cli, const char *text, KvmrtConfig *old, KvmrtHost *host,
               KvmrtLibvirt *libvirt, KvmrtConfig **out_config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) edited = kvmrt_config_load_from_data (text, -1, cli->config_path,
                                                               &error);
  g_autoptr(GPtrArray) diagnostics = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  char *buffer = NULL;
  size_t size = 0;
  FILE *stream;

  if (edited == NULL)
    return g_strdup_printf ("%s\n", error->message);

  /* libvirt renames only shut-off domains. */
  for (guint i = 0; i < kvmrt_config_get_n_vms (edited); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (edited, i);
      KvmrtVm *before = old != NULL ? kvmrt_config_lookup_uuid (old, kvmrt_vm_get_uuid (vm))
                                    : NULL;
      GVirDomain *domain = kvmrt_libvirt_lookup_uuid (libvirt, kvmrt_vm_get_uuid (vm));

      if (before != NULL && domain != NULL
          && g_strcmp0 (kvmrt_vm_get_name (before), kvmrt_vm_get_name (vm)) != 0
          && kvmrt_libvirt_is_active (domain))
        g_string_append_printf (problems,
                                _("%s is running: it can only be renamed (to '%s') while "
                                  "shut off; shut it down first or keep its name\n"),
                                kvmrt_cli_vm_label (before),
                                kvmrt_vm_get_name (vm) != NULL ? kvmrt_vm_get_name (vm) : "");
    }

  diagnostics = kvmrt_validate (edited, host, 0);
  if (kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR) > 0)
    {
      stream = open_memstream (&buffer, &size);
      kvmrt_cli_print_diagnostics (diagnostics, cli->config_path, stream);
      fclose (stream);
      g_string_append_len (problems, buffer, size);
      free (buffer);
    }
  if (problems->len > 0)
    return g_string_free (g_steal_pointer (&problems), FALSE);
  if (diagnostics->len > 0)
    kvmrt_cli_print_diagnostics (diagnostics, cli->config_path, stdout);
  *out_config = g_steal_pointer (&edited);
  return NULL;
}

static gboolean
ask_edit_again (void)
{
  char answer[16] = "";

  if (!isatty (STDIN_FILENO))
    return FALSE;
  g_print (_("Edit again? [Y/n] "));
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  return answer[0] == '\n' || answer[0] == 'y' || answer[0] == 'Y';
}

/* Whether the file still holds @original (NULL: did not exist), i.e. nobody wrote it while
 * the editor ran. */
static gboolean
unchanged_since (const char *path, const char *original)
{
  g_autofree char *now = NULL;

  if (!g_file_get_contents (path, &now, NULL, NULL))
    return original == NULL;
  return g_strcmp0 (now, original) == 0;
}

static int
save_and_sync (KvmrtCli *cli, KvmrtConfig *edited, KvmrtHost *host, KvmrtLibvirt *libvirt)
{
  g_autoptr(GError) error = NULL;
  KvmrtCliSession session = { edited, host, libvirt, NULL };
  int status = KVMRT_EXIT_OK;

  if (!kvmrt_config_save (edited, cli->config_path, &error))
    {
      kvmrt_cli_error ("%s", error->message);
      return KVMRT_EXIT_FAILED;
    }
  g_print (_("%s: saved\n"), cli->config_path);

  session.plan = kvmrt_plan_new (edited, host);
  for (guint i = 0; i < kvmrt_config_get_n_vms (edited); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (edited, i);

      if (!kvmrt_vm_get_disabled (vm) && !kvmrt_cli_sync_vm (&session, vm, TRUE))
        status = KVMRT_EXIT_FAILED;
    }
  kvmrt_plan_free (session.plan);
  return status;
}

static int
edit (KvmrtCli *cli, KvmrtHost *host, KvmrtLibvirt *libvirt)
{
  g_autofree char *original = NULL;
  g_autofree char *text = NULL;
  g_autofree char *tmp_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) old = NULL;
  g_autoptr(KvmrtConfig) edited = NULL;
  int fd;

  if (!g_file_get_contents (cli->config_path, &original, NULL, &error)
      && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      kvmrt_cli_error (_("cannot read %s: %s"), cli->config_path, error->message);
      return KVMRT_EXIT_USAGE;
    }
  g_clear_error (&error);
  /* The old config only serves the rename check; an unparsable one simply has no names. */
  if (original != NULL)
    old = kvmrt_config_load_from_data (original, -1, cli->config_path, NULL);

  fd = g_file_open_tmp ("kvmrt-edit-XXXXXX.cfg", &tmp_path, &error);
  if (fd < 0 || !g_file_set_contents (tmp_path, original != NULL ? original : new_file_text,
                                      -1, &error))
    {
      kvmrt_cli_error (_("cannot make a temporary copy to edit: %s"), error->message);
      return KVMRT_EXIT_FAILED;
    }
  close (fd);

  for (;;)
    {
      g_autofree char *problems = NULL;

      if (!run_editor (tmp_path))
        break;
      g_clear_pointer (&text, g_free);
      if (!g_file_get_contents (tmp_path, &text, NULL, &error))
        {
          kvmrt_cli_error (_("cannot read back %s: %s"), tmp_path, error->message);
          break;
        }
      if (original != NULL && strcmp (text, original) == 0)
        {
          g_print (_("%s: no changes\n"), cli->config_path);
          g_unlink (tmp_path);
          return KVMRT_EXIT_OK;
        }
      problems = find_problems (cli, text, old, host, libvirt, &edited);
      if (problems == NULL)
        break;
      fputs (problems, stderr);
      if (!ask_edit_again ())
        break;
    }

  if (edited == NULL)
    {
      kvmrt_cli_error (_("%s was not changed; your edited copy is kept in %s"),
                       cli->config_path, tmp_path);
      return KVMRT_EXIT_FAILED;
    }
  if (!unchanged_since (cli->config_path, original))
    {
      kvmrt_cli_error (_("%s was changed by another program while you edited it; nothing "
                         "was saved. Your edited copy is kept in %s"),
                       cli->config_path, tmp_path);
      return KVMRT_EXIT_FAILED;
    }
  g_unlink (tmp_path);
  return save_and_sync (cli, edited, host, libvirt);
}

/* --replace: the edited copy was made elsewhere (the GUI, as the desktop user). */
static int
replace (KvmrtCli *cli, KvmrtHost *host, KvmrtLibvirt *libvirt)
{
  g_autofree char *original = NULL;
  g_autofree char *text = NULL;
  g_autofree char *problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) old = NULL;
  g_autoptr(KvmrtConfig) edited = NULL;

  if (!g_file_get_contents (replace_from, &text, NULL, &error))
    {
      kvmrt_cli_error (_("cannot read %s: %s"), replace_from, error->message);
      return KVMRT_EXIT_USAGE;
    }
  if (g_file_get_contents (cli->config_path, &original, NULL, NULL))
    old = kvmrt_config_load_from_data (original, -1, cli->config_path, NULL);
  problems = find_problems (cli, text, old, host, libvirt, &edited);
  if (problems != NULL)
    {
      fputs (problems, stderr);
      kvmrt_cli_error (_("%s was not changed"), cli->config_path);
      return KVMRT_EXIT_FAILED;
    }
  return save_and_sync (cli, edited, host, libvirt);
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtLibvirt) libvirt = NULL;
  int status;

  kvmrt_cli_parse (&cli, &argc, &argv,
                   KVMRT_CLI_OPTION_CONFIG | KVMRT_CLI_OPTION_CONNECT | KVMRT_CLI_OPTION_SYSROOT,
                   options, "",
                   N_("Edit the configuration in $VISUAL or $EDITOR (else vi). The edited "
                      "copy is validated first; only a copy without errors replaces the file, "
                      "and libvirt is then synchronized with it."));
  if (cli.args[0] != NULL)
    {
      kvmrt_cli_error (_("unexpected argument '%s' (the file is chosen with -f)"), cli.args[0]);
      return KVMRT_EXIT_USAGE;
    }

  /* Connect before editing, so an unreachable libvirt does not cost the user their edit. */
  if ((host = kvmrt_cli_load_host (&cli, KVMRT_HOST_LOAD_NO_IRQS)) == NULL
      || (libvirt = kvmrt_cli_open_libvirt (&cli)) == NULL)
    status = KVMRT_EXIT_USAGE;
  else if (replace_from != NULL)
    status = replace (&cli, host, libvirt);
  else
    status = edit (&cli, host, libvirt);
  g_free (replace_from);
  kvmrt_cli_clear (&cli);
  return status;
}
