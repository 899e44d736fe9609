/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The modules the application is split into (needs config.h): libkvmrt-app.so, which the
 * kvmrt launcher (main.c) loads, and libkvmrt-console.so (kvmrt-console.h). */
#pragma once

#include <glib.h>
#include <stdlib.h>

#define KVMRT_MODULE_NAME "libkvmrt-app.so"

/* Starts reading the host and connecting to libvirt for @argv on a thread of its own; called
 * on the launcher's loading thread while the main thread starts GTK. */
typedef void (*KvmrtModulePrefetchFunc) (char **argv);
#define KVMRT_MODULE_PREFETCH "kvmrt_module_prefetch"

/* Runs the application on the main thread; returns the exit status. */
typedef int (*KvmrtModuleRunFunc) (int argc, char **argv);
#define KVMRT_MODULE_RUN "kvmrt_module_run"

/* Where module @name is: in the build tree when this is the build tree's program, else where
 * it is installed. */
static inline char *
kvmrt_module_path (const char *name)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  /* /proc/self/exe has its symbolic links resolved: so must the build directory. */
  char *build_dir = realpath (KVMRT_BUILD_APP_DIR, NULL);
  gboolean in_build_tree = build_dir != NULL && g_strcmp0 (dir, build_dir) == 0;

  free (build_dir);
  return g_build_filename (in_build_tree ? KVMRT_BUILD_APP_DIR : KVMRT_MODULE_DIR, name, NULL);
}
