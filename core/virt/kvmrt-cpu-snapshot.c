/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-cpu-snapshot.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-host-private.h"
#include "kvmrt-sysroot.h"

static void
cpu_state_free (KvmrtCpuState *state)
{
  if (state == NULL)
    return;
  g_free (state->governor);
  g_array_unref (state->irqs);
  g_array_unref (state->effective_irqs);
  g_ptr_array_unref (state->bound_tasks);
  g_ptr_array_unref (state->last_tasks);
  g_free (state);
}

void
kvmrt_cpu_snapshot_free (KvmrtCpuSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_clear_pointer (&snapshot->cpus, g_ptr_array_unref);
  g_clear_pointer (&snapshot->threads, g_ptr_array_unref);
  g_clear_pointer (&snapshot->journal, kvmrt_journal_free);
  g_clear_pointer (&snapshot->isolated, kvmrt_id_set_free);
  g_clear_pointer (&snapshot->nohz_full, kvmrt_id_set_free);
  g_clear_object (&snapshot->host);
  g_free (snapshot);
}

const KvmrtTunedVm *
kvmrt_journal_find_cpu_owner (KvmrtJournal *journal, guint cpu)
{
  for (guint i = 0; i < journal->vms->len; i++)
    {
      const KvmrtTunedVm *vm = journal->vms->pdata[i];

      if (kvmrt_id_set_contains (vm->shielded, cpu) || kvmrt_id_set_contains (vm->offline, cpu))
        return vm;
    }
  return NULL;
}

KvmrtIdSet *
kvmrt_cmdline_cpu_list (const char *cmdline, const char *parameter)
{
  g_auto(GStrv) words = g_strsplit_set (cmdline != NULL ? cmdline : "", " \t\n", -1);
  g_autofree char *prefix = g_strconcat (parameter, "=", NULL);
  KvmrtIdSet *cpus = kvmrt_id_set_new ();

  for (char **w = words; *w != NULL; w++)
    {
      const char *value;
      KvmrtIdSet *list;

      if (!g_str_has_prefix (*w, prefix))
        continue;
      value = *w + strlen (prefix);
      /* Flags come first and start with a letter. */
      while (g_ascii_isalpha (*value) && strchr (value, ',') != NULL)
        value = strchr (value, ',') + 1;
      list = kvmrt_id_set_parse (value, NULL);
      if (list != NULL)
        {
          kvmrt_id_set_union (cpus, list);
          kvmrt_id_set_free (list);
        }
    }
  return cpus;
}

/* The kernel's own list (sys/devices/system/cpu/isolated or nohz_full) when it has one, else
 * what the command line asked for. */
static KvmrtIdSet *
read_cpu_class (KvmrtHost *host, int cpu_fd, const char *file, const char *parameter)
{
  g_autofree char *text = cpu_fd >= 0 ? kvmrt_sysroot_read_at (cpu_fd, file) : NULL;
  KvmrtIdSet *cpus = NULL;

  if (text != NULL && *g_strstrip (text) != '\0')
    cpus = kvmrt_id_set_parse (text, NULL);
  else if (text != NULL)
    cpus = kvmrt_id_set_new ();
  return cpus != NULL ? cpus : kvmrt_cmdline_cpu_list (kvmrt_host_get_cmdline (host), parameter);
}

/* Adds IRQ @number to each CPU of @cpus: to its allowed or its effective IRQs. */
static void
add_irq_to_cpus (KvmrtCpuSnapshot *snapshot, const KvmrtIdSet *cpus, int number,
                 gboolean effective)
{
  for (int c = cpus != NULL ? kvmrt_id_set_first (cpus) : -1; c >= 0;
       c = kvmrt_id_set_next (cpus, c))
    {
      KvmrtCpuState *state = (guint) c < snapshot->cpus->len ? snapshot->cpus->pdata[c] : NULL;

      if (state != NULL)
        g_array_append_val (effective ? state->effective_irqs : state->irqs, number);
    }
}

static void
place_irqs (KvmrtCpuSnapshot *snapshot)
{
  GPtrArray *irqs = kvmrt_host_get_irqs (snapshot->host);

  for (guint i = 0; i < irqs->len; i++)
    {
      const KvmrtIrq *irq = irqs->pdata[i];

      if (irq->number < 0)
        continue;
      add_irq_to_cpus (snapshot, irq->affinity, irq->number, FALSE);
      add_irq_to_cpus (snapshot, irq->effective_affinity, irq->number, TRUE);
    }
}

static void
place_tasks (KvmrtCpuSnapshot *snapshot)
{
  const KvmrtIdSet *all = kvmrt_host_get_cpus (snapshot->host);
  const KvmrtIdSet *online = kvmrt_host_get_online_cpus (snapshot->host);

  for (guint t = 0; t < snapshot->threads->len; t++)
    {
      const KvmrtThread *thread = snapshot->threads->pdata[t];
      /* Allowed on every online CPU: nothing to say per CPU but the count. */
      gboolean everywhere = thread->affinity == NULL
                            || kvmrt_id_set_is_subset (online, thread->affinity);

      if (thread->cpu >= 0 && (guint) thread->cpu < snapshot->cpus->len
          && snapshot->cpus->pdata[thread->cpu] != NULL)
        {
          KvmrtCpuState *last = snapshot->cpus->pdata[thread->cpu];

          g_ptr_array_add (last->last_tasks, (gpointer) thread);
          if (thread->state == 'R')
            last->n_tasks_running++;
        }
      for (int c = kvmrt_id_set_first (all); c >= 0; c = kvmrt_id_set_next (all, c))
        {
          KvmrtCpuState *state = snapshot->cpus->pdata[c];

          if (thread->affinity != NULL && !kvmrt_id_set_contains (thread->affinity, c))
            continue;
          state->n_tasks_allowed++;
          if (!everywhere)
            g_ptr_array_add (state->bound_tasks, (gpointer) thread);
        }
    }
}

KvmrtCpuSnapshot *
kvmrt_cpu_snapshot_new (KvmrtHost *host, KvmrtCpuSnapshotFlags flags, GError **error)
{
  g_autoptr(KvmrtCpuSnapshot) snapshot = g_new0 (KvmrtCpuSnapshot, 1);
  const char *sysroot = kvmrt_host_get_sysroot (host);
  const KvmrtIdSet *cpus = kvmrt_host_get_cpus (host);
  int cpu_fd;

  snapshot->host = g_object_ref (host);
  snapshot->journal = kvmrt_journal_load (sysroot, error);
  if (snapshot->journal == NULL)
    return NULL;
  if (flags & KVMRT_CPU_SNAPSHOT_TASKS)
    {
      snapshot->threads = kvmrt_proc_list_all_threads (sysroot, error);
      if (snapshot->threads == NULL)
        return NULL;
    }
  cpu_fd = kvmrt_sysroot_open_dir (sysroot, "sys/devices/system/cpu");
  snapshot->isolated = read_cpu_class (host, cpu_fd, "isolated", "isolcpus");
  snapshot->nohz_full = read_cpu_class (host, cpu_fd, "nohz_full", "nohz_full");
  snapshot->cpus = g_ptr_array_new_with_free_func ((GDestroyNotify) cpu_state_free);
  g_ptr_array_set_size (snapshot->cpus, kvmrt_host_get_n_cpus (host));

  for (int c = kvmrt_id_set_first (cpus); c >= 0; c = kvmrt_id_set_next (cpus, c))
    {
      KvmrtCpuState *state = g_new0 (KvmrtCpuState, 1);
      char path[64];

      state->cpu = c;
      state->online = kvmrt_id_set_contains (kvmrt_host_get_online_cpus (host), c);
      state->isolated = kvmrt_id_set_contains (snapshot->isolated, c);
      state->nohz_full = kvmrt_id_set_contains (snapshot->nohz_full, c);
      if (state->online && cpu_fd >= 0)
        {
          g_snprintf (path, sizeof path, "cpu%d/cpufreq/scaling_governor", c);
          state->governor = kvmrt_sysroot_read_at (cpu_fd, path);
          if (state->governor != NULL)
            g_strstrip (state->governor);
        }
      state->owner = kvmrt_journal_find_cpu_owner (snapshot->journal, c);
      state->shielded = state->owner != NULL && kvmrt_id_set_contains (state->owner->shielded, c);
      state->irqs = g_array_new (FALSE, FALSE, sizeof (int));
      state->effective_irqs = g_array_new (FALSE, FALSE, sizeof (int));
      state->bound_tasks = g_ptr_array_new ();
      state->last_tasks = g_ptr_array_new ();
      snapshot->cpus->pdata[c] = state;
    }
  if (cpu_fd >= 0)
    close (cpu_fd);
  place_irqs (snapshot);
  if (snapshot->threads != NULL)
    place_tasks (snapshot);
  return g_steal_pointer (&snapshot);
}

const KvmrtCpuState *
kvmrt_cpu_snapshot_get (KvmrtCpuSnapshot *snapshot, guint cpu)
{
  return cpu < snapshot->cpus->len ? snapshot->cpus->pdata[cpu] : NULL;
}
