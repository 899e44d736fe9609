/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A library for LD_PRELOAD that stands in front of g_application_run(), as an allocator or a
 * sanitizer stands in front of malloc(): it says it was reached, then runs the real one.
 * test-launcher.py checks that the application module's call reaches it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

#include <gio/gio.h>

int
g_application_run (GApplication *application, int argc, char **argv)
{
  int (*real) (GApplication *, int, char **) = dlsym (RTLD_NEXT, "g_application_run");

  fprintf (stderr, "preload-probe: reached\n");
  return real (application, argc, argv);
}
