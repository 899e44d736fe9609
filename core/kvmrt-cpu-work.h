/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What may run on each CPU, from a host sample and the owners: the IRQs whose affinity
 * includes it, how many threads may run on it, and, for a CPU a real-time VM owns, every
 * piece of foreign work (an IRQ of another device, a thread outside the VM's QEMU process,
 * a sibling back online) with the reason it matters. One home for the rule, used by the CPU
 * Status viewer. */
#pragma once

#include "kvmrt-host-sample.h"
#include "kvmrt-ownership.h"

G_BEGIN_DECLS

typedef struct {
  GArray    *irqs;       /* guint: rows of the sample's irqs whose affinity includes the CPU */
  guint      n_tasks;    /* threads allowed on it */
  GPtrArray *foreign;    /* char*: one sentence per foreign item (real-time CPUs only) */
} KvmrtCpuWork;

/* Per CPU number (sample->n_cpus entries). @vm_pids: KvmrtVm* -> QEMU PID (GINT_TO_POINTER)
 * of the running VMs. Free with kvmrt_cpu_work_free_all(). */
KvmrtCpuWork *kvmrt_cpu_work_compute  (const KvmrtHostSample *sample,
                                       KvmrtOwnership        *ownership,
                                       GHashTable            *vm_pids);
void          kvmrt_cpu_work_free_all (KvmrtCpuWork *work, guint n_cpus);

G_END_DECLS
