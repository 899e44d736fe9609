/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private: what the validator's rule files share. kvmrt-validator.c runs the rules;
 * kvmrt-validator-vm.c judges each VM on its own, kvmrt-validator-cross.c VMs against each
 * other and against the host's devices, kvmrt-validator-pci.c whether a device may leave the
 * host at all. */
#pragma once

#include "kvmrt-i18n.h"
#include "kvmrt-plan.h"
#include "kvmrt-validator.h"

G_BEGIN_DECLS

/* How many other VMs or devices a message names before "and N more". */
#define MAX_NAMED 4

typedef struct {
  KvmrtConfig *config;
  KvmrtHost   *host;
  KvmrtPlan   *plan;
  GPtrArray   *active;     /* const KvmrtVmPlan*, the VMs being judged, config order */
  GHashTable  *per_vm;     /* KvmrtVm* -> GPtrArray of diagnostics */
  GPtrArray   *global;     /* diagnostics about the whole configuration */
  GHashTable  *pci_owner;  /* KvmrtPciAddress -> const KvmrtVmPlan* (first VM that has it) */
} Validation;

/* Files @d under @vm (NULL: the whole configuration) and returns it, for the rule to set its
 * subject. */
KvmrtDiagnostic *kvmrt_validation_add     (Validation *v, KvmrtDiagnostic *d, KvmrtVm *vm);
/* "'a', 'b' and 3 more" from a list of strings (quoted when @quote). */
char       *kvmrt_validation_join_list    (GPtrArray *names, gboolean quote);
char       *kvmrt_validation_join_names   (GPtrArray *names);
char       *kvmrt_validation_ids          (const KvmrtIdSet *set);
/* "NUMA node 2" or "NUMA nodes 0-1". */
char       *kvmrt_validation_nodes_phrase (const KvmrtIdSet *nodes);
/* Whether a device's NUMA node is among @nodes (a device without a node is never local). */
gboolean    kvmrt_validation_device_is_local (const KvmrtPciDevice *dev, const KvmrtIdSet *nodes);

/* The rules. */
void        kvmrt_validation_check_vm     (Validation *v, const KvmrtVmPlan *p, GHashTable *names);
void        kvmrt_validation_check_cross  (Validation *v);
void        kvmrt_validation_check_rt_neighbours (Validation *v);
/* Passthrough that keeps the host whole (kvmrt-validator-pci.c). */
void        kvmrt_validation_check_iommu_present (Validation *v, const KvmrtVmPlan *p);
void        kvmrt_validation_check_pci_host      (Validation *v, const KvmrtVmPlan *p,
                                                  const KvmrtPciDevice *dev);
void        kvmrt_validation_check_pci_vfs       (Validation *v);

/* Evaluates to the new diagnostic. */
#define REPORT(v, code, vm, attr, ...) \
  kvmrt_validation_add ((v), kvmrt_diagnostic_new ((code), (vm), (attr), __VA_ARGS__), (vm))

G_END_DECLS
