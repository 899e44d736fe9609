/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-cpu-work.h"

#include "kvmrt-i18n.h"

/* Only so many foreign threads are named per CPU; the rest are counted. */
#define MAX_NAMED_TASKS 8

void
kvmrt_cpu_work_free_all (KvmrtCpuWork *work, guint n_cpus)
{
  for (guint i = 0; work != NULL && i < n_cpus; i++)
    {
      g_array_unref (work[i].irqs);
      g_ptr_array_unref (work[i].foreign);
    }
  g_free (work);
}

static gboolean
is_rt_cpu (KvmrtOwnership *ownership, guint cpu)
{
  const KvmrtCpuOwner *owner = kvmrt_ownership_get_cpu (ownership, cpu);

  return owner != NULL && owner->kind == KVMRT_OWNER_RT_VM && owner->online;
}

static void
add_irqs (KvmrtCpuWork *work, const KvmrtHostSample *sample, KvmrtOwnership *ownership)
{
  for (guint row = 0; row < sample->irqs->len; row++)
    {
      const KvmrtIrq *irq = sample->irqs->pdata[row];

      if (irq->affinity == NULL)
        continue;
      for (int cpu = kvmrt_id_set_first (irq->affinity); cpu >= 0;
           cpu = kvmrt_id_set_next (irq->affinity, cpu))
        {
          if ((guint) cpu >= sample->n_cpus)
            break;
          g_array_append_val (work[cpu].irqs, row);
          if (is_rt_cpu (ownership, cpu) && !kvmrt_ownership_irq_is_owners (ownership, irq, cpu))
            g_ptr_array_add (work[cpu].foreign,
                             g_strdup_printf (_("IRQ %s (%s) may interrupt it: its affinity "
                                                "includes this CPU"),
                                              irq->name,
                                              irq->actions != NULL ? irq->actions
                                                                   : _("no handler")));
        }
    }
}

/* A kernel thread bound to this CPU alone (ksoftirqd/16, migration/16) belongs to the CPU
 * and cannot be moved; it is not foreign work. */
static gboolean
is_cpu_bound_kthread (const KvmrtSampleTask *task)
{
  return task->kernel && kvmrt_id_set_count (task->allowed) == 1;
}

static void
add_tasks (KvmrtCpuWork *work, const KvmrtHostSample *sample, KvmrtOwnership *ownership,
           GHashTable *vm_pids)
{
  g_autofree guint *extra = g_new0 (guint, sample->n_cpus);

  for (guint i = 0; i < sample->tasks->len; i++)
    {
      const KvmrtSampleTask *task = sample->tasks->pdata[i];

      if (task->allowed == NULL)
        continue;
      for (int cpu = kvmrt_id_set_first (task->allowed); cpu >= 0;
           cpu = kvmrt_id_set_next (task->allowed, cpu))
        {
          const KvmrtCpuOwner *owner;

          if ((guint) cpu >= sample->n_cpus)
            break;
          work[cpu].n_tasks++;
          if (!is_rt_cpu (ownership, cpu) || is_cpu_bound_kthread (task))
            continue;
          owner = kvmrt_ownership_get_cpu (ownership, cpu);
          if (owner->vm != NULL
              && GPOINTER_TO_INT (g_hash_table_lookup (vm_pids, owner->vm)) == task->pid)
            continue;
          if (work[cpu].foreign->len < MAX_NAMED_TASKS)
            g_ptr_array_add (work[cpu].foreign,
                             g_strdup_printf (_("Thread %s (%d) may run here: it is not the "
                                                "VM's and its affinity includes this CPU"),
                                              task->name, task->tid));
          else
            extra[cpu]++;
        }
    }
  for (guint cpu = 0; cpu < sample->n_cpus; cpu++)
    if (extra[cpu] > 0)
      g_ptr_array_add (work[cpu].foreign,
                       g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "and %u more thread",
                                                     "and %u more threads", extra[cpu]),
                                        extra[cpu]));
}

/* A sibling the tuner took offline that is back online shares the core with the VM. */
static void
add_siblings (KvmrtCpuWork *work, const KvmrtHostSample *sample, KvmrtOwnership *ownership)
{
  for (guint i = 0; i < sample->journal->vms->len; i++)
    {
      const KvmrtTunedVm *vm = sample->journal->vms->pdata[i];

      for (int cpu = kvmrt_id_set_first (vm->offline); cpu >= 0;
           cpu = kvmrt_id_set_next (vm->offline, cpu))
        if ((guint) cpu < sample->n_cpus && kvmrt_id_set_contains (sample->online, cpu))
          g_ptr_array_insert (work[cpu].foreign, 0,
                              g_strdup_printf (_("Online again: the tuner took this sibling of "
                                                 "%s's CPUs offline so nothing shares their "
                                                 "cores"),
                                               vm->name != NULL ? vm->name : vm->uuid));
    }
}

KvmrtCpuWork *
kvmrt_cpu_work_compute (const KvmrtHostSample *sample,
                        KvmrtOwnership        *ownership,
                        GHashTable            *vm_pids)
{
  KvmrtCpuWork *work = g_new0 (KvmrtCpuWork, sample->n_cpus);

  for (guint cpu = 0; cpu < sample->n_cpus; cpu++)
    {
      work[cpu].irqs = g_array_new (FALSE, FALSE, sizeof (guint));
      work[cpu].foreign = g_ptr_array_new_with_free_func (g_free);
    }
  add_siblings (work, sample, ownership);
  add_irqs (work, sample, ownership);
  add_tasks (work, sample, ownership, vm_pids);
  return work;
}
