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
  "# rt_priority, numatune, hide_kvm, guest_services, autostart, disabled, pcidevs, comments.\n";

static char *replace_from;
static char *if_unchanged;

static const GOptionEntry options[] = {
  { "replace", 0, 0, G_OPTION_ARG_FILENAME, &replace_from,
    N_("Take FILE (\"-\": standard input, as the GUI passes it through pkexec) as the edited "
       "copy instead of running an editor; it is validated and saved the same way"),
    N_("FILE") },
  { "if-unchanged", 0, 0, G_OPTION_ARG_STRING, &if_unchanged,
    N_("With --replace: replace the file only if its SHA-256 is still SUM (\"none\": only if "
       "there is no file), the file the copy was made from"), N_("SUM") },
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
find_problems (const char *shown_as, const char *text, gsize length, KvmrtConfig *old,
               KvmrtHost *host, KvmrtLibvirt *libvirt, KvmrtConfig **out_config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) edited = kvmrt_config_load_from_data (text, length, shown_as,
                                                               &error);
  g_autoptr(KvmrtPlan) plan = NULL;
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
                                kvmrt_vm_get_label (before),
                                kvmrt_vm_get_name (vm) != NULL ? kvmrt_vm_get_name (vm) : "");
    }

  plan = kvmrt_plan_new (edited, host);
  diagnostics = kvmrt_validate (plan, 0);
  if (kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR) > 0)
    {
      stream = open_memstream (&buffer, &size);
      kvmrt_cli_print_diagnostics (diagnostics, shown_as, stream);
      fclose (stream);
      g_string_append_len (problems, buffer, size);
      free (buffer);
    }
  if (problems->len > 0)
    return g_string_free (g_steal_pointer (&problems), FALSE);
  if (diagnostics->len > 0)
    kvmrt_cli_print_diagnostics (diagnostics, shown_as, stdout);
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

/* Saves @edited over the file, which must still hold @original (NULL: no file): a change
 * another program made while the user edited is never overwritten. @kept names where the
 * user's text stays when it is not saved (NULL: nowhere). */
static int
save_and_sync (KvmrtCli *cli, KvmrtConfig *edited, GBytes *original, KvmrtHost *host,
               KvmrtLibvirt *libvirt, const char *kept)
{
  g_autoptr(GError) error = NULL;
  KvmrtCliSession session = { edited, host, libvirt, NULL };
  int status = KVMRT_EXIT_OK;

  kvmrt_config_expect_on_disk (edited, original);
  if (!kvmrt_config_save (edited, cli->config_path, &error))
    {
      if (kept != NULL)
        kvmrt_cli_error (_("%s Your edited copy is kept in %s"), error->message, kept);
      else
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

/* The file's bytes, or NULL in *out when there is none; FALSE after printing why not. */
static gboolean
read_original (KvmrtCli *cli, GBytes **out)
{
  g_autoptr(GError) error = NULL;

  if (!kvmrt_cli_check_config_owner (cli))
    return FALSE;
  *out = kvmrt_config_read_file (cli->config_path, &error);
  if (*out != NULL || g_error_matches (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_NOT_FOUND))
    return TRUE;
  kvmrt_cli_error ("%s", error->message);
  return FALSE;
}

static int
edit (KvmrtCli *cli, KvmrtHost *host, KvmrtLibvirt *libvirt)
{
  g_autoptr(GBytes) original_bytes = NULL;
  g_autofree char *original = NULL;
  g_autofree char *text = NULL;
  g_autofree char *tmp_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) old = NULL;
  g_autoptr(KvmrtConfig) edited = NULL;
  int status;
  int fd;

  if (!read_original (cli, &original_bytes))
    return KVMRT_EXIT_USAGE;
  if (original_bytes != NULL)
    original = g_strndup (g_bytes_get_data (original_bytes, NULL),
                          g_bytes_get_size (original_bytes));
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
      problems = find_problems (cli->config_path, text, strlen (text), old, host, libvirt,
                                &edited);
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
  status = save_and_sync (cli, edited, original_bytes, host, libvirt, tmp_path);
  if (kvmrt_config_get_path (edited) != NULL)   /* saved */
    g_unlink (tmp_path);
  return status;
}

/* All of standard input, as data (never a file name). */
static GBytes *
read_stdin (GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buffer[65536];
  ssize_t n;

  while ((n = read (STDIN_FILENO, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_byte_array_append (data, buffer, n);
  if (n < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot read standard input: %s"), g_strerror (saved));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* --replace: the edited copy was made elsewhere (the GUI, as the desktop user). Its errors
 * name it, not the file it would replace. */
static int
replace (KvmrtCli *cli, KvmrtHost *host, KvmrtLibvirt *libvirt)
{
  gboolean from_stdin = g_str_equal (replace_from, "-");
  const char *shown_as = from_stdin ? _("(standard input)") : replace_from;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GBytes) original = NULL;
  g_autofree char *problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) old = NULL;
  g_autoptr(KvmrtConfig) edited = NULL;

  text = from_stdin ? read_stdin (&error) : kvmrt_config_read_file (replace_from, &error);
  if (text == NULL)
    {
      kvmrt_cli_error (_("--replace %s: %s"), replace_from, error->message);
      return KVMRT_EXIT_USAGE;
    }
  if (!read_original (cli, &original))
    return KVMRT_EXIT_USAGE;
  /* The copy was made from an earlier read: a file changed since is not overwritten. */
  if (if_unchanged != NULL)
    {
      g_autofree char *sum = original != NULL
                             ? g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, original)
                             : g_strdup ("none");

      if (g_ascii_strcasecmp (sum, if_unchanged) != 0)
        {
          kvmrt_cli_error (_("%s was changed by another program since the copy to replace it "
                             "was made; nothing was written (that program's change is kept). "
                             "Open the file again and repeat the edit"), cli->config_path);
          return KVMRT_EXIT_FAILED;
        }
    }
  if (original != NULL)
    old = kvmrt_config_load_from_data (g_bytes_get_data (original, NULL),
                                       g_bytes_get_size (original), cli->config_path, NULL);
  problems = find_problems (shown_as, g_bytes_get_data (text, NULL), g_bytes_get_size (text),
                            old, host, libvirt, &edited);
  if (problems != NULL)
    {
      fputs (problems, stderr);
      kvmrt_cli_error (_("%s was not changed"), cli->config_path);
      return KVMRT_EXIT_FAILED;
    }
  return save_and_sync (cli, edited, original, host, libvirt, from_stdin ? NULL : replace_from);
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
  cli.for_update = TRUE;
  if (if_unchanged != NULL && replace_from == NULL)
    {
      kvmrt_cli_error (_("--if-unchanged only goes with --replace"));
      return KVMRT_EXIT_USAGE;
    }
  /* Through pkexec the caller may hand over text, never name a file root would read. */
  if (replace_from != NULL && !g_str_equal (replace_from, "-") && kvmrt_cli_is_pkexec ())
    {
      kvmrt_cli_error (_("through pkexec, --replace only reads standard input: pass "
                         "\"--replace -\" with the new text on standard input"));
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
  g_free (if_unchanged);
  kvmrt_cli_clear (&cli);
  return status;
}
