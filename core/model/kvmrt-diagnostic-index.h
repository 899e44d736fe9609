/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtDiagnosticIndex: the findings turned around, resource by resource: which findings name
 * a host CPU, a NUMA node or a PCI device in their subject (kvmrt-diagnostic.h). Views that
 * draw the host (the Tools viewers) look a resource up here to mark it, without knowing what
 * any rule code means. Lookups are hash lookups, so a drawing of 256 CPUs against a
 * configuration with thousands of findings stays cheap. */
#pragma once

#include "kvmrt-diagnostic.h"

G_BEGIN_DECLS

typedef struct _KvmrtDiagnosticIndex KvmrtDiagnosticIndex;

/* Indexes the findings of @diagnostics (KvmrtDiagnostic*) of severity @at_least or worse;
 * keeps a reference to @diagnostics. */
KvmrtDiagnosticIndex *kvmrt_diagnostic_index_new  (GPtrArray     *diagnostics,
                                                   KvmrtSeverity  at_least);
void                  kvmrt_diagnostic_index_free (KvmrtDiagnosticIndex *index);

/* The findings (const KvmrtDiagnostic*, in the validator's order) whose subject names the
 * resource; NULL when none does. */
GPtrArray *kvmrt_diagnostic_index_for_cpu    (KvmrtDiagnosticIndex *index,
                                              guint                 cpu);
GPtrArray *kvmrt_diagnostic_index_for_node   (KvmrtDiagnosticIndex *index,
                                              guint                 node);
GPtrArray *kvmrt_diagnostic_index_for_device (KvmrtDiagnosticIndex *index,
                                              KvmrtPciAddress       address);
/* How many findings were indexed (those that name no resource count too). */
guint      kvmrt_diagnostic_index_get_count  (KvmrtDiagnosticIndex *index);

/* The worst severity among @findings (KvmrtDiagnostic*); INFO for NULL or none. */
KvmrtSeverity kvmrt_diagnostics_worst (GPtrArray *findings);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtDiagnosticIndex, kvmrt_diagnostic_index_free)

G_END_DECLS
