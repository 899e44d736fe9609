/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-program.h"

char *
kvmrt_program_find (const char *name, const char *build_subdir, const char *installed_dir)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  g_autofree char *build_dir = dir != NULL ? g_build_filename (dir, build_subdir, NULL) : NULL;
  g_autofree char *beside = build_dir != NULL ? g_canonicalize_filename (name, build_dir)
                                              : NULL;

  if (beside != NULL && g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&beside);
  return g_build_filename (installed_dir, name, NULL);
}
