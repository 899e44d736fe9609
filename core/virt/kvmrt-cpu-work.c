/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-cpu-work.h"

#include <stdlib.h>
#include <string.h>

#include "kvmrt-i18n.h"

/* Only so many foreign threads are named per CPU; the rest are counted. */
#define MAX_NAMED_TASKS 6

static const KvmrtIrq *
lookup_irq (KvmrtHost *host, int number)
{
  GPtrArray *irqs = kvmrt_host_get_irqs (host);

  for (guint i = 0; i < irqs->len; i++)
    if (((KvmrtIrq *) irqs->pdata[i])->number == number)
      return irqs->pdata[i];
  return NULL;
}

/* A kernel thread of this CPU alone ("ksoftirqd/16", "kworker/16:1", "migration/16"): it
 * belongs to the CPU and cannot be moved, so it is not foreign work. */
static gboolean
is_per_cpu_kthread (const KvmrtThread *thread, guint cpu)
{
  const char *slash = thread->name != NULL ? strrchr (thread->name, '/') : NULL;
  char *end = NULL;

  if (slash == NULL || thread->affinity == NULL || kvmrt_id_set_count (thread->affinity) != 1)
    return FALSE;
  return strtoul (slash + 1, &end, 10) == cpu && end != slash + 1
         && (*end == '\0' || *end == ':');
}

static void
add_sibling (GPtrArray *foreign, KvmrtCpuSnapshot *snapshot, const KvmrtCpuState *state)
{
  if (state->owner == NULL || state->shielded || !state->online)
    return;
  g_ptr_array_add (foreign,
                   g_strdup_printf (_("Online again: the tuner took this sibling of %s's CPUs "
                                      "offline so that nothing shares their cores"),
                                    kvmrt_tuned_vm_get_label (state->owner)));
}

static void
add_irqs (GPtrArray *foreign, KvmrtCpuSnapshot *snapshot, KvmrtOwnership *ownership,
          const KvmrtCpuState *state)
{
  for (guint i = 0; i < state->irqs->len; i++)
    {
      const KvmrtIrq *irq = lookup_irq (snapshot->host, g_array_index (state->irqs, int, i));

      if (irq == NULL || kvmrt_ownership_irq_is_owners (ownership, irq, state->cpu))
        continue;
      g_ptr_array_add (foreign,
                       g_strdup_printf (_("IRQ %s (%s) may interrupt it: its affinity includes "
                                          "this CPU"),
                                        irq->name,
                                        irq->actions != NULL ? irq->actions : _("no handler")));
    }
}

static void
add_threads (GPtrArray *foreign, const KvmrtCpuState *state, int vm_pid)
{
  guint everywhere = state->n_tasks_allowed - state->bound_tasks->len;
  guint named = 0, more = 0;

  /* Threads allowed on every online CPU are not listed per CPU by the snapshot. */
  if (everywhere > 0)
    g_ptr_array_add (foreign,
                     g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "%u thread may run on every CPU, this one "
                                                   "included",
                                                   "%u threads may run on every CPU, this one "
                                                   "included", everywhere), everywhere));
  for (guint i = 0; i < state->bound_tasks->len; i++)
    {
      const KvmrtThread *thread = state->bound_tasks->pdata[i];

      if ((vm_pid > 0 && thread->pid == vm_pid) || is_per_cpu_kthread (thread, state->cpu))
        continue;
      if (named++ >= MAX_NAMED_TASKS)
        {
          more++;
          continue;
        }
      g_ptr_array_add (foreign,
                       g_strdup_printf (_("Thread %s (%d) may run here: it is not the VM's and "
                                          "its affinity includes this CPU"),
                                        thread->name, thread->tid));
    }
  if (more > 0)
    g_ptr_array_add (foreign, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "and %u more thread",
                                                            "and %u more threads", more),
                                               more));
}

GPtrArray *
kvmrt_cpu_foreign_work (KvmrtCpuSnapshot *snapshot,
                        KvmrtOwnership   *ownership,
                        GHashTable       *vm_pids,
                        guint             cpu)
{
  GPtrArray *foreign = g_ptr_array_new_with_free_func (g_free);
  const KvmrtCpuState *state = kvmrt_cpu_snapshot_get (snapshot, cpu);
  const KvmrtCpuOwner *owner = kvmrt_ownership_get_cpu (ownership, cpu);
  int vm_pid;

  if (state == NULL || owner == NULL || owner->kind != KVMRT_OWNER_RT_VM || !owner->online)
    return foreign;
  vm_pid = owner->vm != NULL ? GPOINTER_TO_INT (g_hash_table_lookup (vm_pids, owner->vm)) : 0;
  add_sibling (foreign, snapshot, state);
  add_irqs (foreign, snapshot, ownership, state);
  if (snapshot->threads != NULL)
    add_threads (foreign, state, vm_pid);
  return foreign;
}
