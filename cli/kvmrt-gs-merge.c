/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-gs-merge: one time-ordered listing of the host's trace and the traces of guests, as
 * ftrace prints them (the `trace` file of an instance). Guest clocks are not the host's: each
 * guest's offset is estimated from its Guest Services event pairs. A KVMRT_GS_*_GUEST event
 * and the KVMRT_GS_*_HOST event kvmrtd wrote for the same request (same kind, same seq, the
 * guest's VM) are one pair; the host event comes after the guest event by the channel's
 * latency, so host minus guest time is the offset plus that latency, and the smallest
 * difference is the closest estimate (as NTP takes its fastest exchange). The spread of the
 * differences says how far the estimate can be off. */
#include "kvmrt-cli.h"

#include <glib/gi18n.h>
#include <string.h>

static char *vm_name;
static char *host_name;

static const GOptionEntry options[] = {
  { "vm", 0, 0, G_OPTION_ARG_STRING, &vm_name,
    N_("The VM of a GUEST_TRACE given without NAME= (default: guest)"), N_("NAME") },
  { "host-name", 0, 0, G_OPTION_ARG_STRING, &host_name,
    N_("What the listing calls the host (default: host)"), N_("NAME") },
  { NULL }
};

typedef struct {
  gint64      us;        /* trace time in microseconds, moved to host time for guests */
  const char *source;    /* "host" or the VM's name (borrowed) */
  int         cpu;
  char       *event;     /* "KVMRT_GS_PING_HOST vm=... seq=..." or the ftrace line's rest */
  guint       order;     /* input order, for a stable sort */
  gboolean    guest;
} Line;

typedef struct {
  char      *name;
  GPtrArray *lines;      /* Line* */
  guint      pairs;
  gint64     offset_us;
  gint64     spread_us;
  gint64     median_us;  /* median difference above the offset */
} Trace;

static void
line_free (Line *line)
{
  g_free (line->event);
  g_free (line);
}

/* "  task-123  [002] d..1.  4567.123456: tracing_mark_write: TEXT" */
static GPtrArray *
read_trace (const char *path, const char *source, gboolean is_guest, GError **error)
{
  g_autoptr(GRegex) regex = g_regex_new ("^\\s*.+-\\d+\\s+\\[(\\d+)\\]\\s+(?:\\S+\\s+)?"
                                         "(\\d+)\\.(\\d{6}):\\s+(.*)$", G_REGEX_OPTIMIZE, 0,
                                         NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *result;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) line_free);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *rest = NULL, *seconds = NULL, *micros = NULL, *cpu = NULL;
      Line *line;

      if (lines[i][0] == '#' || !g_regex_match (regex, lines[i], 0, &match))
        continue;
      cpu = g_match_info_fetch (match, 1);
      seconds = g_match_info_fetch (match, 2);
      micros = g_match_info_fetch (match, 3);
      rest = g_match_info_fetch (match, 4);
      line = g_new0 (Line, 1);
      line->us = g_ascii_strtoll (seconds, NULL, 10) * G_USEC_PER_SEC
                 + g_ascii_strtoll (micros, NULL, 10);
      line->cpu = atoi (cpu);
      line->source = source;
      line->guest = is_guest;
      line->event = g_strdup (g_str_has_prefix (rest, "tracing_mark_write: ")
                              ? rest + strlen ("tracing_mark_write: ") : rest);
      g_strchomp (line->event);
      g_ptr_array_add (result, line);
    }
  return result;
}

/* "PING" and the seq of a KVMRT_GS_PING_GUEST (or _HOST) event; FALSE for other lines. */
static gboolean
pair_key (const Line *line, const char *side, char **key, char **vm)
{
  g_autofree char *prefix = NULL;
  const char *space = strchr (line->event, ' ');
  g_auto(GStrv) fields = NULL;
  const char *seq = NULL;

  if (!g_str_has_prefix (line->event, "KVMRT_GS_") || space == NULL)
    return FALSE;
  prefix = g_strndup (line->event + strlen ("KVMRT_GS_"), space - line->event
                                                           - strlen ("KVMRT_GS_"));
  if (!g_str_has_suffix (prefix, side))
    return FALSE;
  prefix[strlen (prefix) - strlen (side)] = '\0';
  fields = g_strsplit (space + 1, " ", -1);
  *vm = NULL;
  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (g_str_has_prefix (fields[i], "seq="))
        seq = fields[i] + 4;
      else if (g_str_has_prefix (fields[i], "vm=") && *vm == NULL)
        *vm = g_strdup (fields[i] + 3);
    }
  if (seq == NULL)
    {
      g_clear_pointer (vm, g_free);
      return FALSE;
    }
  *key = g_strdup_printf ("%s %s", prefix, seq);
  return TRUE;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Pairs the guest's events with the host's and moves its lines to host time. */
static void
align (Trace *guest, GPtrArray *host)
{
  g_autoptr(GHashTable) host_events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             NULL);
  g_autoptr(GArray) differences = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < host->len; i++)
    {
      Line *line = host->pdata[i];
      g_autofree char *key = NULL, *vm = NULL;

      /* The first host event of a key wins: a seq used twice pairs its earliest events. */
      if (pair_key (line, "_HOST", &key, &vm) && g_strcmp0 (vm, guest->name) == 0
          && !g_hash_table_contains (host_events, key))
        g_hash_table_insert (host_events, g_steal_pointer (&key), line);
    }
  for (guint i = 0; i < guest->lines->len; i++)
    {
      Line *line = guest->lines->pdata[i];
      g_autofree char *key = NULL, *vm = NULL;
      Line *partner;
      gint64 difference;

      if (!pair_key (line, "_GUEST", &key, &vm)
          || (partner = g_hash_table_lookup (host_events, key)) == NULL)
        continue;
      g_hash_table_remove (host_events, key);
      difference = partner->us - line->us;
      g_array_append_val (differences, difference);
    }
  guest->pairs = differences->len;
  if (differences->len == 0)
    return;
  g_array_sort (differences, compare_gint64);
  guest->offset_us = g_array_index (differences, gint64, 0);
  guest->spread_us = g_array_index (differences, gint64, differences->len - 1)
                     - guest->offset_us;
  guest->median_us = g_array_index (differences, gint64, differences->len / 2)
                     - guest->offset_us;
  for (guint i = 0; i < guest->lines->len; i++)
    ((Line *) guest->lines->pdata[i])->us += guest->offset_us;
}

static int
compare_lines (gconstpointer a, gconstpointer b)
{
  const Line *x = *(Line *const *) a, *y = *(Line *const *) b;

  if (x->us != y->us)
    return x->us < y->us ? -1 : 1;
  /* At the same time a guest's request comes before the host's answer to it. */
  if (x->guest != y->guest)
    return x->guest ? -1 : 1;
  return (x->order > y->order) - (x->order < y->order);
}

static char *
format_seconds (gint64 us)
{
  return g_strdup_printf ("%s%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT, us < 0 ? "-" : "",
                          ABS (us) / G_USEC_PER_SEC, ABS (us) % G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(GPtrArray) host = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GPtrArray) guests = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  guint width;
  int status = KVMRT_EXIT_OK;

  kvmrt_cli_parse (&cli, &argc, &argv, 0, options, "HOST_TRACE [NAME=]GUEST_TRACE...",
                   N_("Merge the host's ftrace listing and guests' into one time-ordered "
                      "listing, guest times moved to the host's clock by the offset their "
                      "Guest Services event pairs give."));
  if (cli.args == NULL || g_strv_length (cli.args) < 2)
    {
      kvmrt_cli_error (_("give the host's trace and at least one guest's (see --help)"));
      return KVMRT_EXIT_USAGE;
    }
  if (host_name == NULL)
    host_name = g_strdup ("host");
  host = read_trace (cli.args[0], host_name, FALSE, &error);
  if (host == NULL)
    {
      kvmrt_cli_error (_("cannot read the host's trace: %s"), error->message);
      return KVMRT_EXIT_USAGE;
    }
  width = strlen (host_name);
  for (guint i = 1; cli.args[i] != NULL; i++)
    {
      const char *arg = cli.args[i], *equals = strchr (arg, '=');
      Trace *trace = g_new0 (Trace, 1);

      trace->name = equals != NULL ? g_strndup (arg, equals - arg)
                    : g_strdup (vm_name != NULL ? vm_name : "guest");
      trace->lines = read_trace (equals != NULL ? equals + 1 : arg, trace->name, TRUE, &error);
      if (trace->lines == NULL)
        {
          kvmrt_cli_error (_("cannot read the trace of %s: %s"), trace->name, error->message);
          return KVMRT_EXIT_USAGE;
        }
      align (trace, host);
      width = MAX (width, strlen (trace->name));
      g_ptr_array_add (guests, trace);
    }

  for (guint i = 0; i < guests->len; i++)
    {
      Trace *trace = guests->pdata[i];
      g_autofree char *offset = format_seconds (trace->offset_us);
      g_autofree char *spread = format_seconds (trace->spread_us);
      g_autofree char *median = format_seconds (trace->median_us);

      g_print ("# %s: pairs: %u\n", trace->name, trace->pairs);
      if (trace->pairs == 0)
        {
          /* Without a pair the guest's times cannot be put on the host's clock. */
          g_printerr (_("kvmrt-gs-merge: %s: no KVMRT_GS_*_GUEST event has its _HOST event in "
                        "the host's trace with vm=%s; is that the VM's name, and did kvmrtd "
                        "serve it?\n"), trace->name, trace->name);
          status = KVMRT_EXIT_FAILED;
          continue;
        }
      g_print ("# %s: offset: %s s (host time = guest time + offset)\n", trace->name, offset);
      g_print ("# %s: spread: %s s (median %s s above the offset)\n", trace->name, spread,
               median);
    }
  for (guint i = 0; i < host->len; i++)
    g_ptr_array_add (all, host->pdata[i]);
  for (guint i = 0; i < guests->len; i++)
    {
      Trace *trace = guests->pdata[i];

      for (guint j = 0; trace->pairs > 0 && j < trace->lines->len; j++)
        g_ptr_array_add (all, trace->lines->pdata[j]);
    }
  for (guint i = 0; i < all->len; i++)
    ((Line *) all->pdata[i])->order = i;
  g_ptr_array_sort (all, compare_lines);
  for (guint i = 0; i < all->len; i++)
    {
      const Line *line = all->pdata[i];
      g_autofree char *when = format_seconds (line->us);

      g_print ("%s %-*s %3d %s\n", when, (int) width, line->source, line->cpu, line->event);
    }
  for (guint i = 0; i < guests->len; i++)
    {
      Trace *trace = guests->pdata[i];

      g_ptr_array_unref (trace->lines);
      g_free (trace->name);
      g_free (trace);
    }
  kvmrt_cli_clear (&cli);
  return status;
}
