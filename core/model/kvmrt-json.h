/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON documents of the CLI's --json output (shapes in docs/design.md, "JSON documents"). */
#pragma once

#include "kvmrt-json-writer.h"
#include "kvmrt-plan.h"
#include "kvmrt-validator.h"

G_BEGIN_DECLS

/* Members "errors", "warnings" and "diagnostics" into the object being written. */
void kvmrt_json_write_diagnostics (KvmrtJsonWriter *w, GPtrArray *diagnostics);
/* One VM of kvmrt-show-config --json as an object: autos resolved, with its "plan". */
void kvmrt_json_write_vm_plan     (KvmrtJsonWriter *w, const KvmrtVmPlan *plan);

/* Pieces every document that names PCI devices writes the same way (kvmrt-show-config, rttools
 * pci, irqs and hwtopo). Member @name: "0000:21:00.0", or null for a NULL @address. */
void kvmrt_json_write_pci_address   (KvmrtJsonWriter        *w,
                                     const char             *name,
                                     const KvmrtPciAddress  *address);
/* Member @name: the KvmrtPciAddress elements of @addresses as an array of strings. */
void kvmrt_json_write_pci_addresses (KvmrtJsonWriter        *w,
                                     const char             *name,
                                     const GArray           *addresses);
/* Member "irqs": the numbers of the IRQs @device raises. */
void kvmrt_json_write_pci_irqs      (KvmrtJsonWriter        *w,
                                     const KvmrtPciDevice   *device);

/* kvmrt-show-config --host --json: the host as one object (kvmrt-json-host.c); bridges only
 * with @all. Interfaces need a host loaded with KVMRT_HOST_LOAD_PCI_DETAILS. */
void kvmrt_json_write_host        (KvmrtJsonWriter *w, KvmrtHost *host, gboolean all);

G_END_DECLS
