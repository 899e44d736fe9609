/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-demo.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

/* Where the demo's pieces are: the build tree when run from it, else the installed data. */
static void
locate (char **host_dir, char **demo_dir)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  g_autofree char *build_root = dir != NULL ? g_path_get_dirname (dir) : NULL;
  g_autofree char *build_host = g_strdup (KVMRT_BUILD_DEMO_HOST_DIR);

  if (build_root != NULL && g_str_has_prefix (build_host, build_root)
      && g_file_test (build_host, G_FILE_TEST_IS_DIR))
    {
      *host_dir = g_steal_pointer (&build_host);
      *demo_dir = g_strdup (KVMRT_SOURCE_DEMO_DIR);
      return;
    }
  *host_dir = g_strdup (KVMRT_DEMO_HOST_DIR);
  *demo_dir = g_strdup (KVMRT_DEMO_DIR);
}

static gboolean
run (const char * const *argv, GError **error)
{
  g_autoptr(GSubprocess) process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, error);

  return process != NULL && g_subprocess_wait_check (process, NULL, error);
}

char *
kvmrt_demo_prepare (GError **error)
{
  g_autofree char *host_dir = NULL;
  g_autofree char *source_dir = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *host_copy = NULL;
  g_autofree char *config_source = NULL;
  g_autofree char *config_copy = NULL;
  g_autofree char *text = NULL;
  gsize length;

  locate (&host_dir, &source_dir);
  if (!g_file_test (host_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The demo host is not installed (%s is missing); reinstall kvmrt or "
                     "run it from its build directory"), host_dir);
      return NULL;
    }
  if ((dir = g_dir_make_tmp ("kvmrt-demo-XXXXXX", error)) == NULL)
    return NULL;

  /* cp -a keeps the tree's symbolic links, which sysfs is made of. */
  host_copy = g_build_filename (dir, "host", NULL);
  config_source = g_build_filename (source_dir, "kvmrt.cfg", NULL);
  config_copy = g_build_filename (dir, "kvmrt.cfg", NULL);
  if (!run ((const char *[]) { "cp", "-a", host_dir, host_copy, NULL }, error)
      || !g_file_get_contents (config_source, &text, &length, error)
      || !g_file_set_contents (config_copy, text, length, error))
    {
      kvmrt_demo_remove (dir);
      return NULL;
    }
  return g_steal_pointer (&dir);
}

char *
kvmrt_demo_get_sysroot (const char *demo_dir)
{
  return g_build_filename (demo_dir, "host", NULL);
}

char *
kvmrt_demo_get_config (const char *demo_dir)
{
  return g_build_filename (demo_dir, "kvmrt.cfg", NULL);
}

char *
kvmrt_demo_get_uri (const char *demo_dir)
{
  g_autofree char *host_dir = NULL;
  g_autofree char *source_dir = NULL;

  locate (&host_dir, &source_dir);
  return g_strdup_printf ("test://%s/libvirt-node.xml", source_dir);
}

void
kvmrt_demo_remove (const char *demo_dir)
{
  /* Only a directory we made: g_dir_make_tmp's pattern. */
  g_return_if_fail (strstr (demo_dir, "kvmrt-demo-") != NULL);
  run ((const char *[]) { "rm", "-rf", "--one-file-system", demo_dir, NULL }, NULL);
}
