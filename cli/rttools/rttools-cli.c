/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rttools-cli.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void
rttools_parse (KvmrtCli *cli, int *argc, char ***argv, const GOptionEntry *extra,
               const char *parameter, const char *summary)
{
  kvmrt_cli_parse (cli, argc, argv, KVMRT_CLI_OPTION_SYSROOT | KVMRT_CLI_OPTION_JSON, extra,
                   parameter, summary);
}

void
rttools_print (GString *out)
{
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
}

char *
rttools_format_size (guint64 bytes)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
  guint unit = 0;
  double value = bytes;

  while (value >= 1024 && unit + 1 < G_N_ELEMENTS (units))
    {
      value /= 1024;
      unit++;
    }
  return g_strdup_printf ("%.0f%s", value, units[unit]);
}

char *
rttools_set_text (const KvmrtIdSet *set, const char *empty)
{
  if (set == NULL || kvmrt_id_set_is_empty (set))
    return g_strdup (empty);
  return kvmrt_id_set_to_string (set);
}

KvmrtIdSet *
rttools_parse_cpus (const char *text)
{
  g_autoptr(GError) error = NULL;
  KvmrtIdSet *set = kvmrt_id_set_parse (text, &error);

  if (set == NULL)
    kvmrt_cli_error (_("“%s” is not a CPU list (write it as 0-3,8): %s"), text, error->message);
  return set;
}

char *
rttools_short_class (const char *class_name)
{
  const char *space = strrchr (class_name, ' ');

  if (space != NULL && g_str_equal (space + 1, "controller"))
    return g_strndup (class_name, space - class_name);
  return g_strdup (class_name);
}

static volatile sig_atomic_t interrupted;

static void
on_interrupt (int signal_number)
{
  interrupted = 1;
}

int
rttools_refresh (double seconds, int count, gboolean json, RttoolsDrawFunc draw, gpointer data)
{
  gboolean terminal = !json && isatty (STDOUT_FILENO);
  struct sigaction action = { 0 };

  action.sa_handler = on_interrupt;
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
  for (int frame = 0; !interrupted; frame++)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      if (terminal && seconds > 0)
        g_string_append (out, "\033[H\033[2J");   /* home, clear screen */
      else if (frame > 0 && !json)
        g_string_append_c (out, '\n');
      if (!draw (out, data))
        return KVMRT_EXIT_FAILED;
      rttools_print (out);
      if (seconds <= 0 || (count > 0 && frame + 1 >= count))
        break;
      {
        /* One nanosleep: a signal ends the wait at once. */
        struct timespec wait = { (time_t) seconds,
                                 (long) ((seconds - (time_t) seconds) * 1e9) };

        nanosleep (&wait, NULL);
      }
    }
  return KVMRT_EXIT_OK;
}
