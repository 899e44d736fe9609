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
#include <dlfcn.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "kvmrt-module.h"

typedef struct {
  char              **argv;
  gboolean            text_only;     /* --help or --version: nothing to prefetch */
  void               *module;
  KvmrtModuleRunFunc  run;
  char               *error;
} Loader;

/* Whether a library is preloaded (LD_PRELOAD or /etc/ld.so.preload): an allocator, a
 * sanitizer's or valgrind's wrappers, which every library must reach. */
static gboolean
has_preload (void)
{
  const char *env = g_getenv ("LD_PRELOAD");

  return (env != NULL && *env != '\0') || g_file_test ("/etc/ld.so.preload", G_FILE_TEST_EXISTS);
}

/* How the module is loaded.
 * - Lazy, as the libraries a program links are bound: most functions are never called.
 * - Local: loaded global, its forty libraries would join the scope that every later symbol
 *   lookup searches first, and GTK is about to load Mesa's drivers, whose tens of thousands of
 *   relocations would each search them too (about 20 million instructions of this thread's
 *   time). The console module links to this one to find its functions.
 * - Deep-bound when nothing is preloaded: the module's libraries then look symbols up among
 *   themselves before GTK's seventy, which halves the time the load takes. That time is this
 *   thread's too: glibc lets one thread at a time load or look up symbols (dlopen, dlsym), and
 *   GTK does both as soon as it starts, so the main thread waits for the whole load. A
 *   preloaded library must keep standing in front of every library's calls, so then the
 *   module's libraries search the global scope first, as usual. */
static int
module_flags (void)
{
  return RTLD_LAZY | RTLD_LOCAL | (has_preload () ? 0 : RTLD_DEEPBIND);
}

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

  /* dlopen() rather than g_module_open(), which holds GModule's lock for the whole load:
   * GTK takes that lock too when it starts. */
  loader->module = dlopen (path, module_flags ());
  if (loader->module == NULL)
    {
      loader->error = g_strdup (dlerror ());
      return NULL;
    }
  prefetch = (KvmrtModulePrefetchFunc) dlsym (loader->module, KVMRT_MODULE_PREFETCH);
  loader->run = (KvmrtModuleRunFunc) dlsym (loader->module, KVMRT_MODULE_RUN);
  if (prefetch == NULL || loader->run == NULL)
    {
      loader->error = g_strdup_printf ("%s: %s or %s is missing", path, KVMRT_MODULE_PREFETCH,
                                       KVMRT_MODULE_RUN);
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
