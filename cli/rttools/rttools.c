/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rttools: runs one of the host inspection commands (rttools hwtopo -v --no-io). They live in
 * a private directory, not on PATH, because their names are common words and Debian has a
 * cpustat of its own; an operator who wants them by their bare names puts that directory on
 * PATH (rttools --dir prints it). Run from its build tree, it runs the commands built there. */
#include <errno.h>
#include <glib.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_USAGE = 2 };

static const struct {
  const char *name;
  const char *summary;
} commands[] = {
  { "cpi", N_("per-CPU interrupt counts and rates") },
  { "cpus", N_("show or change the state of CPUs") },
  { "cpustat", N_("topology, CPU state, IRQs and tasks per CPU in one display") },
  { "hwtopo", N_("hardware topology") },
  { "irq-affinity", N_("show or change the CPU affinity of an IRQ") },
  { "irqs", N_("IRQs: device, affinity and counts") },
  { "pci", N_("PCI devices") },
  { "task-affinity", N_("show or change the CPU affinity of a thread") },
  { "tasks", N_("threads: scheduling, affinity, CPU, VM") },
};

/* The directory of the commands: the build tree's when this is the program built there (not
 * whatever else lies beside an installed copy, such as another vendor's hwtopo). */
static char *
commands_dir (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  /* /proc/self/exe has every link resolved: so must the build directory. */
  g_autofree char *build = realpath (RTTOOLS_BUILD_DIR, NULL);

  if (dir != NULL && build != NULL && g_str_equal (dir, build))
    return g_steal_pointer (&dir);
  return g_strdup (RTTOOLS_DIR);
}

static void
usage (FILE *stream)
{
  fprintf (stream, _("Usage: rttools COMMAND [OPTION...]\n"
                     "       rttools --dir | --help | --version\n\n"
                     "Runs one of kvmrt's host inspection commands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-14s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, _("\nEvery command takes --help. --dir prints the directory that holds "
                     "them; put it on PATH to run them by name.\n"));
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *program = NULL;

  setlocale (LC_ALL, "");
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? EXIT_USAGE : 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("rttools %s\n", KVMRT_VERSION);
      return 0;
    }
  dir = commands_dir ();
  if (g_str_equal (argv[1], "--dir"))
    {
      printf ("%s\n", dir);
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        program = g_build_filename (dir, commands[i].name, NULL);
        execv (program, argv + 1);
        fprintf (stderr, _("rttools: cannot run %s: %s\n"), program, g_strerror (errno));
        return EXIT_USAGE;
      }
  fprintf (stderr, _("rttools: no command “%s”; rttools --help lists them\n"), argv[1]);
  return EXIT_USAGE;
}
