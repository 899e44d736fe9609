/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-cli-setup.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

const GOptionEntry *
kvmrt_setup_option_entries (KvmrtSetup *setup)
{
  static GOptionEntry entries[4];

  entries[0] = (GOptionEntry) { "root", 0, 0, G_OPTION_ARG_FILENAME, &setup->root,
    N_("Act on the system below DIR (a copy, a mounted disk) instead of /"), N_("DIR") };
  entries[1] = (GOptionEntry) { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &setup->dry_run,
    N_("Say what would change, and change nothing"), NULL };
  entries[2] = (GOptionEntry) { "undo", 0, 0, G_OPTION_ARG_NONE, &setup->undo,
    N_("Take back what an earlier run set up"), NULL };
  entries[3] = (GOptionEntry) { NULL };
  return entries;
}

void
kvmrt_setup_finish_options (KvmrtSetup *setup, KvmrtCli *cli)
{
  if (setup->root == NULL || *setup->root == '\0')
    {
      g_free (setup->root);
      setup->root = g_strdup ("/");
    }
  g_free (cli->sysroot);
  cli->sysroot = g_strdup (setup->root);
  /* The default file is the one of the system being set up, not of this machine. */
  if (g_strcmp0 (cli->config_path, KVMRT_DEFAULT_CONFIG_PATH) == 0)
    {
      g_free (cli->config_path);
      cli->config_path = kvmrt_setup_path (setup, KVMRT_DEFAULT_CONFIG_PATH);
    }
}

char *
kvmrt_setup_path (KvmrtSetup *setup, const char *path)
{
  return g_build_filename (setup->root, path, NULL);
}

KvmrtConfig *
kvmrt_setup_load_config (KvmrtCli *cli, gboolean *failed)
{
  g_autoptr(GError) error = NULL;
  KvmrtConfig *config = kvmrt_config_load (cli->config_path, &error);

  *failed = FALSE;
  if (config == NULL && !g_error_matches (error, KVMRT_CONFIG_ERROR,
                                          KVMRT_CONFIG_ERROR_NOT_FOUND))
    {
      kvmrt_cli_error (_("%s; fix the file (kvmrt-validate-config shows where) or name "
                         "another with -f"), error->message);
      *failed = TRUE;
    }
  return config;
}

/* One line per change: "wrote PATH", or in a dry run "would write PATH". */
static void
report (KvmrtSetup *setup, const char *done, const char *would, const char *path)
{
  setup->changes++;
  g_print ("%s %s\n", setup->dry_run ? would : done, path);
}

gboolean
kvmrt_setup_put_file (KvmrtSetup *setup, const char *path, const char *contents,
                      GError **error)
{
  g_autofree char *full = kvmrt_setup_path (setup, path);
  g_autofree char *dir = g_path_get_dirname (full);
  g_autofree char *old = NULL;

  if (g_file_get_contents (full, &old, NULL, NULL) && g_strcmp0 (old, contents) == 0)
    return TRUE;
  report (setup, old != NULL ? _("rewrote") : _("wrote"),
          old != NULL ? _("would rewrite") : _("would write"), full);
  if (setup->dry_run)
    return TRUE;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("cannot create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  /* g_file_set_contents writes a temporary file, syncs it and renames it over the old one. */
  return g_file_set_contents_full (full, contents, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT
                                   | G_FILE_SET_CONTENTS_DURABLE, 0644, error);
}

gboolean
kvmrt_setup_remove_file (KvmrtSetup *setup, const char *path, GError **error)
{
  g_autofree char *full = kvmrt_setup_path (setup, path);

  if (!g_file_test (full, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
    return TRUE;
  report (setup, _("removed"), _("would remove"), full);
  if (!setup->dry_run && g_unlink (full) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("cannot remove %s: %s"), full, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
kvmrt_setup_write_attribute (KvmrtSetup *setup, const char *path, const char *value,
                             GError **error)
{
  g_autofree char *full = kvmrt_setup_path (setup, path);
  g_autofree char *line = g_strdup_printf ("%s\n", value);
  g_autofree char *what = g_strdup_printf ("%s < %s", full, value);
  int fd;
  gssize written;
  int saved;

  report (setup, _("wrote"), _("would write"), what);
  if (setup->dry_run)
    return TRUE;
  fd = g_open (full, O_WRONLY | O_TRUNC | O_CLOEXEC, 0);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("cannot open %s: %s"), full, g_strerror (saved));
      return FALSE;
    }
  written = write (fd, line, strlen (line));
  saved = errno;
  close (fd);
  if (written != (gssize) strlen (line))
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("the kernel refused %s in %s: %s"), value, full, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
kvmrt_setup_clear (KvmrtSetup *setup)
{
  g_clear_pointer (&setup->root, g_free);
}
