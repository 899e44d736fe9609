/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtResourcesView: the host's resources as a tree, NUMA node > core > CPU, with the PCI
 * devices under their node (class, name, address, IOMMU group, driver), marked by who has
 * them: CPUs and nodes of real-time VMs, devices the host uses (gray), devices assigned to a
 * VM (its name), and the rows the validator has errors for. A View menu (expand all, show
 * bridges and other non-endpoint devices, show CPUs, show devices), a search field, and
 * Assign PCI Devices on the selected rows (right click, Menu key or Shift+F10). */
#pragma once

#include <adwaita.h>

#include "kvmrt.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_RESOURCES_VIEW (kvmrt_resources_view_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtResourcesView, kvmrt_resources_view, KVMRT, RESOURCES_VIEW,
                      GtkWidget)

KvmrtResourcesView *kvmrt_resources_view_new     (KvmrtHost *host);
/* Shows who has what in @config (the dialog's working copy) as @plan plans it, and marks
 * the CPUs, nodes and devices @diagnostics (KvmrtDiagnostic*) have errors for. Call after
 * every change; the tree keeps its expansion and selection. */
void                kvmrt_resources_view_update  (KvmrtResourcesView *self,
                                                  KvmrtConfig        *config,
                                                  KvmrtPlan          *plan,
                                                  GPtrArray          *diagnostics);
/* Shows only @vm's CPUs and devices; NULL shows everything again (as Expand All does). */
void                kvmrt_resources_view_set_filter_vm (KvmrtResourcesView *self, KvmrtVm *vm);

/* Signals:
 *   "assign-devices" (KvmrtVm *vm, GArray *addresses)
 *       the user assigned the devices (KvmrtPciAddress) to @vm, or to no VM when @vm is NULL
 *       (give back to the host). When the selection left out devices of the same IOMMU
 *       group, the view has already asked whether to add them, and @addresses holds the
 *       answer. The dialog changes the working copy. */

G_END_DECLS
