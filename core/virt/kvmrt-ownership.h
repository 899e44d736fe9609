/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who owns each CPU and PCI device of the host right now: a real-time VM, another VM, the
 * host itself, or nobody because the CPU is offline. Computed once from the configuration's
 * plan, the host, the tuner's journal (which real-time VMs are tuned, with their shielded and
 * offline CPUs) and the set of running VMs; the viewers and tools only show the result.
 *
 * Rules, in order, for a CPU:
 *  1. shielded for a tuned real-time VM (journal): that VM's, shielded;
 *  2. taken offline for a tuned real-time VM (journal): offline while it is, else still that
 *     VM's (a sibling back online while the VM runs is the VM's, unshielded);
 *  3. offline: offline;
 *  4. in the usable CPUs of a running real-time VM that is not tuned: that VM's, unshielded;
 *  5. in the CPUs of a running VM that is not real-time: the first such VM's (config order);
 *  6. otherwise the host's.
 * A device named in a running VM's pcidevs is that VM's; every other device is the host's. */
#pragma once

#include "kvmrt-host.h"
#include "kvmrt-journal.h"
#include "kvmrt-plan.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_OWNER_HOST,
  KVMRT_OWNER_RT_VM,
  KVMRT_OWNER_VM,
  KVMRT_OWNER_OFFLINE,
} KvmrtOwnerKind;

#define KVMRT_N_OWNER_KINDS (KVMRT_OWNER_OFFLINE + 1)

typedef struct {
  KvmrtOwnerKind kind;
  KvmrtVm       *vm;         /* borrowed from the plan's config; the VM an offline CPU was
                              * taken for; NULL for the host and plain offline CPUs */
  const char    *vm_name;    /* its name (the journal's for a VM no longer configured), or
                              * NULL */
  int            vcpu;       /* the vCPU pinned to exactly this CPU, or -1 */
  gboolean       online;
  gboolean       shielded;   /* kept free of all but its VM by the tuner */
} KvmrtCpuOwner;

typedef struct {
  KvmrtOwnerKind kind;       /* HOST, RT_VM or VM */
  KvmrtVm       *vm;         /* borrowed, NULL for the host */
} KvmrtDeviceOwner;

typedef struct _KvmrtOwnership KvmrtOwnership;

/* @plan and @journal may be NULL (no configuration loaded, nothing tuned). @online: the CPUs
 * online now, NULL for the host's. @running: lower-case UUIDs of the running VMs (a set,
 * keys only), or NULL for none. */
KvmrtOwnership      *kvmrt_ownership_new          (KvmrtHost        *host,
                                                   KvmrtPlan        *plan,
                                                   KvmrtJournal     *journal,
                                                   const KvmrtIdSet *online,
                                                   GHashTable       *running);
void                 kvmrt_ownership_free         (KvmrtOwnership *self);
/* The owner of CPU @cpu; NULL for a CPU the host lacks. */
const KvmrtCpuOwner *kvmrt_ownership_get_cpu      (KvmrtOwnership *self, guint cpu);
const KvmrtDeviceOwner *kvmrt_ownership_get_device (KvmrtOwnership *self,
                                                    KvmrtPciAddress address);
/* Every shielded CPU (of all tuned real-time VMs). */
const KvmrtIdSet    *kvmrt_ownership_get_shielded (KvmrtOwnership *self);
/* The real-time VM's devices' IRQ numbers, so a viewer can tell a VM's own interrupts on its
 * shielded CPUs from foreign ones: TRUE when IRQ @irq belongs to a device of the VM owning
 * CPU @cpu. */
gboolean             kvmrt_ownership_irq_is_owners (KvmrtOwnership *self,
                                                    const KvmrtIrq *irq,
                                                    guint           cpu);

/* "Real-time VM", "Other VM", "Host", "Offline" (translated). */
const char          *kvmrt_owner_kind_to_string   (KvmrtOwnerKind kind);
/* "real-time", "vm", "host", "offline": for CSS classes and JSON. */
const char          *kvmrt_owner_kind_to_id       (KvmrtOwnerKind kind);
/* One line: "Vision Inspection (RT), vCPU 3, shielded", "Host", "Offline (for X)". */
char                *kvmrt_cpu_owner_describe     (const KvmrtCpuOwner *owner);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtOwnership, kvmrt_ownership_free)

G_END_DECLS
