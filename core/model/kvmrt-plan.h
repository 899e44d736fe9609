/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The planner: what a configuration means on a host (chapter 3 of the manual). Pure: it reads
 * a config and a host and changes neither. The validator, show-config, libvirt sync and the
 * tuner all work from the same plan. */
#pragma once

#include <glib-object.h>

#include "kvmrt-config.h"
#include "kvmrt-host.h"

G_BEGIN_DECLS

typedef struct {
  KvmrtVm      *vm;              /* borrowed from the config */
  /* Why the cpuset could not be resolved against the host, or NULL (the plan then treats the
   * cpuset as empty). */
  GError       *cpuset_error;
  guint         nr_vcpus;        /* auto resolved */
  KvmrtTopology topology;        /* auto resolved */
  gboolean      rt;
  gboolean      rt_memory;       /* auto resolved */
  KvmrtIdSet   *numatune;        /* auto resolved; NULL means unrestricted */
  KvmrtIdSet   *cpus;            /* the cpuset resolved against the host (may be empty) */
  /* rt: one CPU per core the cpuset touches (the lowest the cpuset names there);
   * not rt: the cpus */
  KvmrtIdSet   *usable_cpus;
  /* rt: every CPU of those cores (the usable ones and their siblings), which no other VM may
   * use; not rt: the cpus */
  KvmrtIdSet   *owned_cpus;
  KvmrtIdSet   *nodes;           /* NUMA nodes of the owned CPUs */
  /* Where its threads may run. rt: the usable CPUs. Not rt: the cpuset without the CPUs
   * real-time VMs own, or, for an empty cpuset, every host CPU no enabled real-time VM owns
   * (siblings included). Falls back to the cpus when nothing would be left (an error the
   * validator reports), so it is empty only for an empty cpuset on a host that real-time VMs
   * take whole. */
  KvmrtIdSet   *effective_cpus;
  /* KvmrtIdSet* per vCPU. Not rt: each the effective CPUs, except that an empty cpuset
   * stays unpinned (empty sets) while no real-time VM owns a CPU. */
  GPtrArray    *vcpu_pins;
  KvmrtIdSet   *emulator_cpus;   /* not rt: as each vCPU pin; empty when not pinned */
  KvmrtIdSet   *shielded_cpus;   /* rt: the usable CPUs; otherwise empty */
  KvmrtIdSet   *offline_cpus;    /* rt: owned minus usable; otherwise empty */
  int           irq_cpu;         /* rt: the highest usable CPU; otherwise -1 */
  guint         rt_priority;     /* SCHED_FIFO priority of its vCPU threads (rt) */
  KvmrtHost    *host;            /* the host planned for (a reference) */
} KvmrtVmPlan;

typedef struct _KvmrtPlan KvmrtPlan;

/* Plans every VM of @config (disabled ones too; callers filter). */
KvmrtPlan         *kvmrt_plan_new        (KvmrtConfig *config, KvmrtHost *host);
/* Plans @vm alone as kvmrt_plan_new() would plan it inside @config, where @vm takes the place
 * of the VM with its UUID (or joins at the end when there is none): @vm may be an edited copy
 * that is in no configuration. Of the other VMs only the CPUs enabled real-time VMs own are
 * worked out, which is all a VM's plan takes from them. The plan holds the one VM. */
KvmrtPlan         *kvmrt_plan_new_for_vm (KvmrtConfig *config, KvmrtHost *host, KvmrtVm *vm);
void               kvmrt_plan_free       (KvmrtPlan *plan);
/* The configuration and host planned (references the plan holds). The plan describes the
 * configuration as it was when planned: plan again after changing it. */
KvmrtConfig       *kvmrt_plan_get_config (KvmrtPlan *plan);
KvmrtHost         *kvmrt_plan_get_host   (KvmrtPlan *plan);
guint              kvmrt_plan_get_n_vms  (KvmrtPlan *plan);
const KvmrtVmPlan *kvmrt_plan_get_vm     (KvmrtPlan *plan, guint index);  /* config order */
const KvmrtVmPlan *kvmrt_plan_lookup     (KvmrtPlan *plan, KvmrtVm *vm);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtPlan, kvmrt_plan_free)

G_END_DECLS
