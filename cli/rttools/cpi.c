/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpi: per-CPU interrupt counts (since boot), or with -d SECONDS their rates, refreshed
 * top-like on a terminal (KvmrtIrqSampler re-reads proc/interrupts cheaply). An interrupt that
 * fired on a CPU a running real-time VM holds (kvmrt's tuning journal) is marked with "!". */
#include "rttools-owner.h"

#include <glib/gi18n.h>
#include <time.h>

#include "kvmrt-irq-sampler.h"

static double opt_delay;
static int opt_count;

static const GOptionEntry entries[] = {
  { "delay", 'd', 0, G_OPTION_ARG_DOUBLE, &opt_delay,
    N_("Show rates over SECONDS, refreshed every SECONDS (in place on a terminal)"),
    N_("SECONDS") },
  { "count", 'n', 0, G_OPTION_ARG_INT, &opt_count,
    N_("With -d, stop after COUNT displays"), N_("COUNT") },
  { NULL }
};

typedef struct {
  KvmrtCli        *cli;
  KvmrtIrqSampler *sampler;
  KvmrtIdSet      *held;       /* CPUs the journal's real-time VMs hold */
  gboolean         rates;
} Cpi;

typedef struct {
  guint   row;
  guint64 value;               /* total count, or total delta */
} Line;

static int
compare_lines (gconstpointer a, gconstpointer b)
{
  const Line *x = a, *y = b;

  if (x->value != y->value)
    return x->value > y->value ? -1 : 1;
  return (int) x->row - (int) y->row;
}

/* The CPUs the journal's VMs hold, read again for each display (VMs come and go). */
static KvmrtIdSet *
load_held (const char *sysroot)
{
  g_autoptr(KvmrtJournal) journal = kvmrt_journal_load (sysroot, NULL);
  KvmrtIdSet *held = kvmrt_id_set_new ();

  for (guint i = 0; journal != NULL && i < journal->vms->len; i++)
    {
      const KvmrtTunedVm *vm = journal->vms->pdata[i];

      kvmrt_id_set_union (held, vm->shielded);
      kvmrt_id_set_union (held, vm->offline);
    }
  return held;
}

/* What to show of row @r, per column: its deltas or its counts. */
static const guint64 *
values_of (Cpi *cpi, guint r)
{
  return cpi->rates ? kvmrt_irq_sampler_get_deltas (cpi->sampler, r)
                    : (const guint64 *) kvmrt_irq_sampler_get_row (cpi->sampler, r)->counts->data;
}

/* The rows with something to show, the busiest first. */
static GArray *
busy_rows (Cpi *cpi)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  guint n = kvmrt_irq_sampler_get_n_rows (cpi->sampler);

  for (guint r = 0; r < n; r++)
    {
      const KvmrtIrq *irq = kvmrt_irq_sampler_get_row (cpi->sampler, r);
      const guint64 *values = values_of (cpi, r);
      Line line = { r, 0 };

      for (guint c = 0; c < irq->counts->len; c++)
        line.value += values[c];
      if (line.value > 0)
        g_array_append_val (lines, line);
    }
  g_array_sort (lines, compare_lines);
  return lines;
}

/* A row's total per second. */
static double
per_second (Cpi *cpi, guint64 value)
{
  double interval = kvmrt_irq_sampler_get_interval (cpi->sampler);

  return interval > 0 ? value / interval : 0.0;
}

static void
print_text (Cpi *cpi, GString *out)
{
  const GArray *columns = kvmrt_irq_sampler_get_columns (cpi->sampler);
  g_autoptr(GArray) lines = busy_rows (cpi);

  if (cpi->rates)
    g_string_append_printf (out, _("Interrupts per second over the last %.1f s; ! fired on a CPU "
                                   "a real-time VM holds\n"),
                            kvmrt_irq_sampler_get_interval (cpi->sampler));
  else
    g_string_append (out, _("Interrupts since boot; ! fired on a CPU a real-time VM holds\n"));
  g_string_append (out, cpi->rates ? _("IRQ      RATE/s     PER CPU                  NAME\n")
                                   : _("IRQ      COUNT      PER CPU                  NAME\n"));
  for (guint l = 0; l < lines->len; l++)
    {
      const Line *line = &g_array_index (lines, Line, l);
      const KvmrtIrq *irq = kvmrt_irq_sampler_get_row (cpi->sampler, line->row);
      g_autoptr(GString) cells = g_string_new (NULL);
      const guint64 *values = values_of (cpi, line->row);
      gboolean marked = FALSE;
      const char *name = irq->actions != NULL ? irq->actions
                         : irq->description != NULL ? irq->description : "-";

      for (guint c = 0; c < irq->counts->len; c++)
        {
          guint64 value = values[c];
          guint cpu = g_array_index (columns, guint, c);
          gboolean held = irq->counts->len > 1 && kvmrt_id_set_contains (cpi->held, cpu);

          if (value == 0)
            continue;
          marked |= held;
          if (irq->counts->len == 1)
            g_string_append (cells, _("(total)"));
          else if (cpi->rates)
            g_string_append_printf (cells, "%s%u%s:%.0f", cells->len > 0 ? " " : "", cpu,
                                    held ? "!" : "",
                                    kvmrt_irq_sampler_get_rate (cpi->sampler, line->row, c));
          else
            g_string_append_printf (cells, "%s%u%s:%" G_GUINT64_FORMAT, cells->len > 0 ? " " : "",
                                    cpu, held ? "!" : "", value);
        }
      if (cpi->rates)
        g_string_append_printf (out, "%-6s%-2s %-10.0f %-24s %s\n", irq->name,
                                marked ? " !" : "", per_second (cpi, line->value), cells->str,
                                name);
      else
        g_string_append_printf (out, "%-6s%-2s %-10" G_GUINT64_FORMAT " %-24s %s\n", irq->name,
                                marked ? " !" : "", line->value, cells->str, name);
    }
}

static void
write_json (Cpi *cpi, GString *out)
{
  const GArray *columns = kvmrt_irq_sampler_get_columns (cpi->sampler);
  guint n = kvmrt_irq_sampler_get_n_rows (cpi->sampler);
  KvmrtJsonWriter w;

  kvmrt_json_writer_init (&w, out);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member (&w, "interval_us");
  if (cpi->rates)
    kvmrt_json_writer_int (&w, (gint64) (kvmrt_irq_sampler_get_interval (cpi->sampler) * 1e6));
  else
    kvmrt_json_writer_null (&w);
  kvmrt_json_writer_member (&w, "columns");
  kvmrt_json_writer_begin_array (&w);
  for (guint c = 0; c < columns->len; c++)
    kvmrt_json_writer_int (&w, g_array_index (columns, guint, c));
  kvmrt_json_writer_end_array (&w);
  kvmrt_json_writer_member_id_set (&w, "held_cpus", cpi->held);
  kvmrt_json_writer_member (&w, "irqs");
  kvmrt_json_writer_begin_array (&w);
  for (guint r = 0; r < n; r++)
    {
      const KvmrtIrq *irq = kvmrt_irq_sampler_get_row (cpi->sampler, r);
      const guint64 *deltas = kvmrt_irq_sampler_get_deltas (cpi->sampler, r);
      gboolean held = FALSE;

      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_string (&w, "name", irq->name);
      kvmrt_json_writer_member_string (&w, "actions", irq->actions);
      kvmrt_json_writer_member_string (&w, "description", irq->description);
      kvmrt_json_writer_member (&w, "counts");
      kvmrt_json_writer_begin_array (&w);
      for (guint c = 0; c < irq->counts->len; c++)
        kvmrt_json_writer_int (&w, g_array_index (irq->counts, guint64, c));
      kvmrt_json_writer_end_array (&w);
      kvmrt_json_writer_member (&w, "deltas");
      if (cpi->rates)
        {
          kvmrt_json_writer_begin_array (&w);
          for (guint c = 0; c < irq->counts->len; c++)
            kvmrt_json_writer_int (&w, deltas[c]);
          kvmrt_json_writer_end_array (&w);
        }
      else
        kvmrt_json_writer_null (&w);
      for (guint c = 0; irq->counts->len > 1 && c < irq->counts->len; c++)
        held |= values_of (cpi, r)[c] > 0
                && kvmrt_id_set_contains (cpi->held, g_array_index (columns, guint, c));
      kvmrt_json_writer_member_bool (&w, "on_held_cpu", held);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  rttools_json_finish (&w, out);
}

static gboolean
draw (GString *out, gpointer data)
{
  Cpi *cpi = data;
  g_autoptr(GError) error = NULL;

  if (cpi->rates && !kvmrt_irq_sampler_sample (cpi->sampler, &error))
    {
      kvmrt_cli_error ("%s", error->message);
      return FALSE;
    }
  g_clear_pointer (&cpi->held, kvmrt_id_set_free);
  cpi->held = load_held (cpi->cli->sysroot);
  if (cpi->cli->json)
    write_json (cpi, out);
  else
    print_text (cpi, out);
  return TRUE;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(GError) error = NULL;
  Cpi cpi = { &cli, NULL, NULL, FALSE };
  int status;

  rttools_parse (&cli, &argc, &argv, entries, "",
                 N_("Show how often each interrupt fired on each CPU, since boot or (with -d) "
                    "per second."));
  if (cli.args[0] != NULL || opt_delay < 0 || opt_count < 0)
    {
      kvmrt_cli_error (cli.args[0] != NULL ? _("unexpected argument (see --help)")
                                           : _("-d and -n take positive numbers"));
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  cpi.sampler = kvmrt_irq_sampler_new (cli.sysroot, &error);
  if (cpi.sampler == NULL)
    {
      kvmrt_cli_error ("%s", error->message);
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  cpi.rates = opt_delay > 0;
  if (cpi.rates)
    {
      /* The first display already shows rates: one interval first. */
      struct timespec wait = { (time_t) opt_delay,
                               (long) ((opt_delay - (time_t) opt_delay) * 1e9) };

      nanosleep (&wait, NULL);
    }
  status = rttools_refresh (opt_delay, opt_count, cli.json, draw, &cpi);
  kvmrt_irq_sampler_free (cpi.sampler);
  g_clear_pointer (&cpi.held, kvmrt_id_set_free);
  kvmrt_cli_clear (&cli);
  return status;
}
