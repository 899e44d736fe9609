/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-host-sample.h"

#include <string.h>

#include "kvmrt-host-private.h"
#include "kvmrt-sysroot.h"

void
kvmrt_host_sample_free (KvmrtHostSample *sample)
{
  if (sample == NULL)
    return;
  g_clear_pointer (&sample->online, kvmrt_id_set_free);
  g_clear_pointer (&sample->snapshot, kvmrt_cpu_snapshot_free);
  g_clear_object (&sample->host);
  g_free (sample->times);
  g_clear_pointer (&sample->irqs, g_ptr_array_unref);
  g_clear_pointer (&sample->irq_cpus, g_array_unref);
  g_clear_pointer (&sample->deltas, g_array_unref);
  g_clear_pointer (&sample->journal, kvmrt_journal_free);
  g_free (sample);
}

/* proc/stat "cpuN user nice system idle iowait irq softirq steal ..." */
static void
read_times (KvmrtHostSample *sample, const char *sysroot)
{
  g_autofree char *text = kvmrt_sysroot_read_optional (sysroot, "proc/stat");

  for (const char *line = text; line != NULL && *line != '\0';)
    {
      const char *next = strchr (line, '\n');
      char *end = NULL;
      guint64 cpu;

      if (strncmp (line, "cpu", 3) == 0 && g_ascii_isdigit (line[3])
          && (cpu = g_ascii_strtoull (line + 3, &end, 10)) < sample->n_cpus)
        {
          guint64 value[8] = { 0 };
          guint64 total = 0;

          for (guint i = 0; i < G_N_ELEMENTS (value); i++)
            {
              value[i] = g_ascii_strtoull (end, &end, 10);
              total += value[i];
            }
          sample->times[cpu].total = total;
          sample->times[cpu].busy = total - value[3] - value[4];
        }
      line = next != NULL ? next + 1 : NULL;
    }
}

static KvmrtIrq *
copy_row (const KvmrtIrq *row)
{
  KvmrtIrq *irq = g_new0 (KvmrtIrq, 1);

  irq->name = g_strdup (row->name);
  irq->number = row->number;
  irq->counts = g_array_copy (row->counts);
  irq->chip = g_strdup (row->chip);
  irq->actions = g_strdup (row->actions);
  irq->hwirq = g_strdup (row->hwirq);
  irq->description = g_strdup (row->description);
  return irq;
}

/* The sampler's rows and deltas copied out: the GUI reads them while the next sample is
 * being taken. */
static gboolean
read_irqs (KvmrtHostSample *sample, KvmrtIrqSampler *sampler, GError **error)
{
  guint n_columns;

  if (!kvmrt_irq_sampler_sample (sampler, error))
    return FALSE;
  sample->irq_cpus = g_array_copy ((GArray *) kvmrt_irq_sampler_get_columns (sampler));
  n_columns = sample->irq_cpus->len;
  sample->interval = kvmrt_irq_sampler_get_interval (sampler);
  g_array_set_size (sample->deltas, kvmrt_irq_sampler_get_n_rows (sampler) * n_columns);
  for (guint r = 0; r < kvmrt_irq_sampler_get_n_rows (sampler); r++)
    {
      const KvmrtIrq *row = kvmrt_irq_sampler_get_row (sampler, r);
      guint n = MIN (row->counts->len, n_columns);

      g_ptr_array_add (sample->irqs, copy_row (row));
      memset (&g_array_index (sample->deltas, guint64, r * n_columns), 0,
              n_columns * sizeof (guint64));
      memcpy (&g_array_index (sample->deltas, guint64, r * n_columns),
              kvmrt_irq_sampler_get_deltas (sampler, r), n * sizeof (guint64));
    }
  return TRUE;
}

KvmrtHostSample *
kvmrt_host_sample_read (KvmrtHost             *host,
                        KvmrtIrqSampler       *irqs,
                        KvmrtHostSampleFlags   flags,
                        GError               **error)
{
  const char *sysroot = kvmrt_host_get_sysroot (host);
  g_autoptr(KvmrtHostSample) sample = g_new0 (KvmrtHostSample, 1);

  g_return_val_if_fail (KVMRT_IS_HOST (host), NULL);
  g_return_val_if_fail (irqs != NULL || !(flags & KVMRT_HOST_SAMPLE_IRQS), NULL);

  sample->time = g_get_monotonic_time ();
  sample->n_cpus = kvmrt_host_get_n_cpus (host);
  sample->irqs = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_irq_free);
  sample->deltas = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (flags & KVMRT_HOST_SAMPLE_CPUS)
    {
      sample->host = kvmrt_host_load (sysroot, KVMRT_HOST_LOAD_NO_PCI, error);
      if (sample->host == NULL)
        return NULL;
      sample->snapshot = kvmrt_cpu_snapshot_new (sample->host, KVMRT_CPU_SNAPSHOT_TASKS, error);
      if (sample->snapshot == NULL)
        return NULL;
      /* The same journal as the snapshot's, read once. */
      sample->journal = kvmrt_journal_load (sysroot, error);
      host = sample->host;
    }
  else
    sample->journal = kvmrt_journal_load (sysroot, error);
  if (sample->journal == NULL)
    return NULL;
  sample->online = kvmrt_id_set_copy (kvmrt_host_get_online_cpus (host));
  sample->times = g_new0 (KvmrtCpuTimes, sample->n_cpus);
  if (flags & KVMRT_HOST_SAMPLE_TIMES)
    read_times (sample, sysroot);
  if (flags & KVMRT_HOST_SAMPLE_IRQS)
    {
      if (!read_irqs (sample, irqs, error))
        return NULL;
    }
  else
    sample->irq_cpus = g_array_new (FALSE, FALSE, sizeof (guint));
  return g_steal_pointer (&sample);
}

double
kvmrt_host_sample_load (const KvmrtHostSample *previous,
                        const KvmrtHostSample *current,
                        guint                  cpu)
{
  guint64 busy, total;

  if (previous == NULL || cpu >= current->n_cpus || cpu >= previous->n_cpus
      || !kvmrt_id_set_contains (current->online, cpu)
      || current->times[cpu].total <= previous->times[cpu].total)
    return -1;
  total = current->times[cpu].total - previous->times[cpu].total;
  busy = current->times[cpu].busy - previous->times[cpu].busy;
  return busy > total ? -1 : (double) busy / total;
}

guint64
kvmrt_host_sample_delta (const KvmrtHostSample *sample, guint row, guint column)
{
  guint n_columns = sample->irq_cpus->len;

  if (row >= sample->irqs->len || column >= n_columns)
    return 0;
  return g_array_index (sample->deltas, guint64, row * n_columns + column);
}

guint64
kvmrt_host_sample_since (const KvmrtHostSample *base,
                         const KvmrtHostSample *current,
                         guint                  row,
                         guint                  column)
{
  const KvmrtIrq *irq = current->irqs->pdata[row];
  guint cpu = g_array_index (current->irq_cpus, guint, column);
  guint64 now = column < irq->counts->len ? g_array_index (irq->counts, guint64, column) : 0;

  for (guint r = 0; base != NULL && r < base->irqs->len; r++)
    {
      const KvmrtIrq *then = base->irqs->pdata[(r + row) % base->irqs->len];

      if (!g_str_equal (then->name, irq->name))
        continue;
      for (guint c = 0; c < base->irq_cpus->len && c < then->counts->len; c++)
        if (g_array_index (base->irq_cpus, guint, c) == cpu)
          {
            guint64 before = g_array_index (then->counts, guint64, c);

            return now >= before ? now - before : 0;
          }
      break;
    }
  return now;
}
