/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel threads that may move (not per-CPU ones) kept to the housekeeping CPUs while
 * real-time VMs run, as tuned's realtime profiles do. Thread affinities are not files: each
 * thread's affinity goes into the journal's "threads" before it changes, and comes back when
 * the last real-time VM stops (unless the PID now belongs to another thread). Only on the
 * live host, where the PIDs are real; RedHawk's shield moves threads itself. */
/* sched_setaffinity() and the CPU_*_S macros */
#define _GNU_SOURCE
#include "kvmrt-tuner-private.h"

#include <errno.h>
#include <sched.h>

#include "kvmrt-i18n.h"
#include "kvmrt-proc.h"
#include "kvmrt-sysroot.h"

gboolean
kvmrt_tune_threads_applicable (const char *sysroot, KvmrtTuneBackend backend)
{
  return kvmrt_sysroot_is_live (sysroot) && backend == KVMRT_TUNE_BACKEND_LINUX;
}

static int
set_affinity (int pid, const KvmrtIdSet *cpus)
{
  int last = kvmrt_id_set_last (cpus);
  gsize size;
  cpu_set_t *mask;
  int result = 0;

  if (last < 0)
    return EINVAL;
  mask = CPU_ALLOC (last + 1);
  size = CPU_ALLOC_SIZE (last + 1);
  CPU_ZERO_S (size, mask);
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    CPU_SET_S (cpu, size, mask);
  if (sched_setaffinity (pid, size, mask) != 0)
    result = errno;
  CPU_FREE (mask);
  return result;
}

gboolean
kvmrt_tune_threads_confine (KvmrtJournal *journal, const KvmrtIdSet *rt,
                            const KvmrtIdSet *housekeeping, KvmrtTuneReport *report,
                            GError **error)
{
  g_autoptr(GPtrArray) threads = kvmrt_proc_list_movable_kthreads (journal->sysroot);
  g_autoptr(GString) refused = g_string_new (NULL);
  guint moved = 0, n_refused = 0;

  for (guint i = 0; i < threads->len; i++)
    {
      const KvmrtKernelThread *t = threads->pdata[i];
      g_autoptr(KvmrtIdSet) cpus = NULL;
      gboolean journaled = kvmrt_journal_get_thread (journal, t->pid) != NULL;
      int failed;

      if (!kvmrt_id_set_intersects (t->affinity, rt))
        continue;
      cpus = kvmrt_id_set_copy (t->affinity);
      kvmrt_id_set_intersect (cpus, housekeeping);
      if (kvmrt_id_set_is_empty (cpus))
        kvmrt_id_set_union (cpus, housekeeping);
      if (!journaled)
        {
          kvmrt_journal_set_thread (journal, t->pid, t->start, t->comm, t->affinity);
          if (!kvmrt_journal_save (journal, error))
            return FALSE;
        }
      failed = set_affinity (t->pid, cpus);
      kvmrt_tune_count_write ();
      if (failed == 0)
        {
          moved++;
          continue;
        }
      /* ESRCH: it ended meanwhile. Anything else: the kernel keeps it where it is. */
      if (failed != ESRCH)
        g_string_append_printf (refused, "%s%s (%s)", n_refused++ > 0 ? ", " : "", t->comm,
                                g_strerror (failed));
      if (!journaled)
        {
          kvmrt_journal_drop_thread (journal, t->pid);
          if (!kvmrt_journal_save (journal, error))
            return FALSE;
        }
    }
  if (moved > 0)
    g_ptr_array_add (report->changes,
                     g_strdup_printf (_("%u kernel threads kept off the real-time CPUs"),
                                      moved));
  if (n_refused > 0)
    g_ptr_array_add (report->problems,
                     g_strdup_printf (_("%u kernel threads could not leave the real-time CPUs: "
                                        "%s"), n_refused, refused->str));
  return TRUE;
}

gboolean
kvmrt_tune_threads_restore (KvmrtJournal *journal, KvmrtTuneReport *report, GError **error)
{
  guint restored = 0;

  while (journal->threads->len > 0)
    {
      const KvmrtThreadOriginal *t = journal->threads->pdata[journal->threads->len - 1];
      int pid = t->pid;

      /* Only the same thread: its PID may have been given to another since. (PID 0 would
       * be this thread; a journal edited by hand might say so.) */
      if (pid > 0 && t->start > 0
          && kvmrt_proc_get_start_time (journal->sysroot, pid) == t->start
          && set_affinity (pid, t->cpus) == 0)
        restored++;
      kvmrt_tune_count_write ();
      kvmrt_journal_drop_thread (journal, pid);
      if (!kvmrt_journal_save (journal, error))
        return FALSE;
    }
  if (restored > 0)
    g_ptr_array_add (report->changes,
                     g_strdup_printf (_("%u kernel threads may run on every CPU again"),
                                      restored));
  return TRUE;
}

/* What the kernel made of the confined scopes: no thread of another QEMU may run on a
 * real-time CPU (one outside any confinable cgroup would). */
static void
check_other_qemus (const char *sysroot, KvmrtJournal *journal, const KvmrtIdSet *rt,
                   GPtrArray *drift)
{
  g_autoptr(GPtrArray) qemus = kvmrt_proc_list_qemus (sysroot);

  for (guint i = 0; i < qemus->len; i++)
    {
      const KvmrtQemuProcess *q = qemus->pdata[i];
      g_autoptr(GPtrArray) threads = NULL;
      guint n = 0;

      if (q->uuid != NULL && kvmrt_journal_lookup_vm (journal, q->uuid) != NULL)
        continue;
      threads = kvmrt_proc_list_threads (sysroot, q->pid, NULL);
      for (guint t = 0; threads != NULL && t < threads->len; t++)
        {
          const KvmrtThread *thread = threads->pdata[t];

          n += thread->affinity != NULL && kvmrt_id_set_intersects (thread->affinity, rt);
        }
      if (n > 0)
        g_ptr_array_add (drift, g_strdup_printf (_("%u threads of QEMU %d (not a real-time VM) "
                                                   "may run on real-time CPUs"), n, q->pid));
    }
}

void
kvmrt_tune_threads_check (const char *sysroot, KvmrtJournal *journal, const KvmrtIdSet *rt,
                          GPtrArray *drift)
{
  g_autoptr(GPtrArray) threads = kvmrt_proc_list_movable_kthreads (sysroot);
  g_autoptr(GString) names = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; i < threads->len; i++)
    {
      const KvmrtKernelThread *t = threads->pdata[i];

      if (!kvmrt_id_set_intersects (t->affinity, rt))
        continue;
      if (n++ < 4)
        g_string_append_printf (names, "%s%s (%d)", n > 1 ? ", " : "", t->comm, t->pid);
    }
  if (n > 0)
    g_ptr_array_add (drift, g_strdup_printf (_("%u kernel threads may run on real-time CPUs: "
                                               "%s%s"), n, names->str, n > 4 ? ", ..." : ""));
  check_other_qemus (sysroot, journal, rt, drift);
}
