/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The entry points of libkvmrt-app.so: see main.c for why the application is a module. */
#include "config.h"

#include "kvmrt-module.h"

#include <gmodule.h>

#include "kvmrt-application.h"

G_MODULE_EXPORT void kvmrt_module_prefetch (char **argv);
G_MODULE_EXPORT int  kvmrt_module_run (int argc, char **argv);

void
kvmrt_module_prefetch (char **argv)
{
  kvmrt_application_prefetch_early (argv);
}

int
kvmrt_module_run (int argc, char **argv)
{
  g_autoptr(KvmrtApplication) app = kvmrt_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
