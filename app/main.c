/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt, the launcher. The application is in the module libkvmrt-app.so, because libvirt and
 * the forty libraries behind it take about 10 ms to map, relocate and initialize (gnutls,
 * OpenSSL), and a window cannot be drawn before GTK has connected to the display and
 * libadwaita has loaded its styles, which take longer. So a thread loads the module and starts
 * reading the host and libvirt (kvmrt_module_prefetch) while this thread starts GTK; then the
 * module runs the application. This program links only what a bare libadwaita window does.
 * (The console and VTE are a module of their own, loaded with the first console.) */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gmodule.h>
#include <locale.h>

#include "kvmrt-module.h"

typedef struct {
  char              **argv;
  gboolean            text_only;     /* --help or --version: nothing to prefetch */
  GModule            *module;
  KvmrtModuleRunFunc  run;
  char               *error;
} Loader;

/* --help and --version print and exit: no display and no prefetch for them. */
static gboolean
wants_text_only (char **argv)
{
  for (int i = 1; argv[i] != NULL; i++)
    if (g_str_equal (argv[i], "--version") || g_str_has_prefix (argv[i], "--help")
        || g_str_equal (argv[i], "-h") || g_str_equal (argv[i], "-?"))
      return TRUE;
  return FALSE;
}

static gpointer
load_thread (gpointer data)
{
  Loader *loader = data;
  g_autofree char *path = kvmrt_module_path (KVMRT_MODULE_NAME);
  KvmrtModulePrefetchFunc prefetch = NULL;

  /* Lazy, as the libraries a program links are bound: most functions are never called.
   * Local: loaded global, the module's forty libraries would join the scope that every later
   * symbol lookup searches first, and GTK is about to load Mesa's drivers, whose tens of
   * thousands of relocations would each search them too (about 20 million instructions of
   * this thread's time). The console module links to this one to find its functions. */
  loader->module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (loader->module == NULL)
    {
      loader->error = g_strdup (g_module_error ());
      return NULL;
    }
  if (!g_module_symbol (loader->module, KVMRT_MODULE_PREFETCH, (gpointer *) &prefetch)
      || !g_module_symbol (loader->module, KVMRT_MODULE_RUN, (gpointer *) &loader->run))
    {
      loader->error = g_strdup (g_module_error ());
      loader->run = NULL;
      return NULL;
    }
  if (!loader->text_only)
    prefetch (loader->argv);
  return NULL;
}

int
main (int argc, char **argv)
{
  Loader loader = { .argv = argv, .text_only = wants_text_only (argv) };
  gboolean display;
  GThread *thread;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, KVMRT_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  thread = g_thread_new ("kvmrt-load", load_thread, &loader);
  /* What GtkApplication's startup would do first. A failed gtk_init_check() leaves GTK
   * unusable, so without a display kvmrt stops here. */
  if (!loader.text_only)
    {
      display = gtk_init_check ();
      if (!display)
        {
          g_printerr (_("kvmrt: cannot open the display “%s”: kvmrt needs a graphical session "
                        "(the kvmrt-* tools work without one)\n"),
                      g_getenv ("DISPLAY") != NULL ? g_getenv ("DISPLAY") : "");
          g_thread_join (thread);
          return 1;
        }
      adw_init ();
    }
  g_thread_join (thread);

  if (loader.run == NULL)
    {
      g_printerr (_("kvmrt: cannot load the application (%s): reinstall kvmrt\n"),
                  loader.error);
      return 1;
    }
  return loader.run (argc, argv);
}
