/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtCpuSnapshot: the state of every CPU of the host at one moment, as rttools' cpus and
 * cpustat show it and the host viewers draw it: online or not, held by which tuned real-time
 * VM (the tuner's journal: its shielded CPUs and the siblings it took offline), isolcpus= and
 * nohz_full= membership, frequency governor, the IRQs allowed (smp_affinity_list) and
 * effectively routed (effective_affinity_list) to it, and optionally the threads allowed on it
 * and those that last ran there.
 *
 * It is built from a loaded KvmrtHost (topology, IRQs) and reads only what the host model does
 * not hold: the journal, the governors and, with KVMRT_CPU_SNAPSHOT_TASKS, every thread's stat
 * and status (kvmrt_proc_list_all_threads). Like the host, a snapshot does not change. */
#pragma once

#include "kvmrt-host.h"
#include "kvmrt-journal.h"
#include "kvmrt-proc.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_CPU_SNAPSHOT_DEFAULT = 0,
  KVMRT_CPU_SNAPSHOT_TASKS   = 1 << 0,   /* read every thread of the host */
} KvmrtCpuSnapshotFlags;

typedef struct {
  guint               cpu;
  gboolean            online;
  gboolean            isolated;        /* in isolcpus= */
  gboolean            nohz_full;       /* in nohz_full= */
  char               *governor;        /* cpufreq scaling governor; NULL without cpufreq */
  const KvmrtTunedVm *owner;           /* the tuned real-time VM holding it, or NULL */
  gboolean            shielded;        /* one of owner's shielded CPUs (else a sibling it took
                                        * offline) */
  GArray             *irqs;            /* int: numbered IRQs whose affinity allows it */
  GArray             *effective_irqs;  /* int: numbered IRQs effectively routed to it */
  guint               n_tasks_allowed; /* threads allowed to run on it (with TASKS) */
  GPtrArray          *bound_tasks;     /* const KvmrtThread*: threads allowed on it but not on
                                        * every CPU (with TASKS) */
  GPtrArray          *last_tasks;      /* const KvmrtThread*: threads that last ran on it */
  guint               n_tasks_running; /* of those, the ones running or runnable now */
} KvmrtCpuState;

typedef struct {
  KvmrtHost    *host;       /* a reference */
  KvmrtJournal *journal;    /* the tuner's journal (its tuned VMs) */
  GPtrArray    *threads;    /* KvmrtThread*, with TASKS; else NULL */
  KvmrtIdSet   *isolated;
  KvmrtIdSet   *nohz_full;
  GPtrArray    *cpus;       /* KvmrtCpuState* by CPU number; NULL where the host has none */
} KvmrtCpuSnapshot;

KvmrtCpuSnapshot    *kvmrt_cpu_snapshot_new  (KvmrtHost             *host,
                                              KvmrtCpuSnapshotFlags  flags,
                                              GError               **error);
void                 kvmrt_cpu_snapshot_free (KvmrtCpuSnapshot *snapshot);
/* The state of @cpu, or NULL for a CPU the host does not have. */
const KvmrtCpuState *kvmrt_cpu_snapshot_get  (KvmrtCpuSnapshot *snapshot, guint cpu);

/* The tuned VM of @journal whose shielded or offline CPUs hold @cpu, or NULL. */
const KvmrtTunedVm  *kvmrt_journal_find_cpu_owner (KvmrtJournal *journal, guint cpu);
/* The CPUs of isolcpus= or nohz_full= (@parameter) in a kernel command line; empty if absent.
 * isolcpus' flags ("domain,managed_irq,2-7") are skipped. */
KvmrtIdSet          *kvmrt_cmdline_cpu_list (const char *cmdline, const char *parameter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtCpuSnapshot, kvmrt_cpu_snapshot_free)

G_END_DECLS
