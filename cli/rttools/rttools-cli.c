/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE   /* strchrnul */
#include "rttools-cli.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

void
rttools_parse (KvmrtCli *cli, int *argc, char ***argv, const GOptionEntry *extra,
               const char *parameter, const char *summary)
{
  kvmrt_cli_parse (cli, argc, argv, KVMRT_CLI_OPTION_SYSROOT | KVMRT_CLI_OPTION_JSON, extra,
                   parameter, summary);
}

/* Thread, VM and device names come from other users (a process names its own threads): no
 * control character of theirs reaches the terminal. */
static void
neutralize_controls (GString *out)
{
  for (gsize i = 0; i < out->len; i++)
    {
      guchar c = out->str[i];

      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
        out->str[i] = '?';
    }
}

void
rttools_print (GString *out)
{
  neutralize_controls (out);
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
}

/* What fits a terminal of @columns x @rows: long lines cut, the last lines left out. */
static void
fit_terminal (GString *out, guint columns, guint rows)
{
  g_autoptr(GString) fitted = g_string_new (NULL);
  const char *p = out->str;

  for (guint row = 0; *p != '\0' && row + 1 < rows; row++)
    {
      const char *end = strchrnul (p, '\n');
      const char *cut = p;

      /* Count characters, not bytes (names may be UTF-8). */
      for (guint column = 0; cut < end && column < columns; column++)
        cut = g_utf8_find_next_char (cut, end) != NULL ? g_utf8_find_next_char (cut, end) : end;
      g_string_append_len (fitted, p, cut - p);
      g_string_append_c (fitted, '\n');
      p = *end != '\0' ? end + 1 : end;
    }
  g_string_assign (out, fitted->str);
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

void
rttools_json_finish (KvmrtJsonWriter *w, GString *out)
{
  kvmrt_json_writer_end_object (w);
  kvmrt_json_writer_clear (w);
  g_string_append_c (out, '\n');
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
      struct winsize size = { 0 };

      if (frame > 0 && !json && !terminal)
        g_string_append_c (out, '\n');
      if (!draw (out, data))
        return KVMRT_EXIT_FAILED;
      neutralize_controls (out);
      if (terminal && seconds > 0)
        {
          if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 && size.ws_row > 1)
            fit_terminal (out, size.ws_col, size.ws_row);
          g_string_prepend (out, "\033[H\033[2J");   /* home, clear screen */
        }
      fwrite (out->str, 1, out->len, stdout);
      fflush (stdout);
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
