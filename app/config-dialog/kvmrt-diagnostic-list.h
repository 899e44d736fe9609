/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtDiagnosticList: the configuration dialog's diagnostic box. The validator's findings
 * for the configuration as edited, one row each ("[VM] what is wrong"), errors first, with a
 * summary line. Selecting a row emits "diagnostic-activated" so the dialog can show the VM's
 * page and field; each row's help button opens the code's section of the guide's
 * troubleshooting page (action diagnostic.explain). */
#pragma once

#include <adwaita.h>

#include "kvmrt.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_DIAGNOSTIC_LIST (kvmrt_diagnostic_list_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtDiagnosticList, kvmrt_diagnostic_list, KVMRT, DIAGNOSTIC_LIST,
                      GtkWidget)

KvmrtDiagnosticList   *kvmrt_diagnostic_list_new             (void);
/* Shows @diagnostics (KvmrtDiagnostic*). The list keeps a reference to the array instead of
 * copying 1,000s of findings per edit, so neither it nor its findings may change afterwards.
 * NULL or empty: no problems. */
void                   kvmrt_diagnostic_list_set_diagnostics (KvmrtDiagnosticList *self,
                                                              GPtrArray           *diagnostics);
guint                  kvmrt_diagnostic_list_get_n_errors    (KvmrtDiagnosticList *self);
guint                  kvmrt_diagnostic_list_get_n_warnings  (KvmrtDiagnosticList *self);
/* The rows in display order. */
guint                  kvmrt_diagnostic_list_get_n_items     (KvmrtDiagnosticList *self);
const KvmrtDiagnostic *kvmrt_diagnostic_list_get_item        (KvmrtDiagnosticList *self,
                                                              guint                index);
/* Index of the first row with @code (and @vm_uuid, unless NULL), or -1. */
int                    kvmrt_diagnostic_list_find            (KvmrtDiagnosticList *self,
                                                              const char          *code,
                                                              const char          *vm_uuid);
/* Selects row @index as a click would (emits "diagnostic-activated"). */
void                   kvmrt_diagnostic_list_select          (KvmrtDiagnosticList *self,
                                                              guint                index);
/* The summary line ("2 errors, 3 warnings" or "No problems found"). */
const char            *kvmrt_diagnostic_list_get_summary     (KvmrtDiagnosticList *self);

/* "help:kvmrt/troubleshooting#CODE": the guide's section on @code (its id is the code). */
char                  *kvmrt_diagnostic_list_help_uri        (const char          *code);

/* Signals:
 *   "diagnostic-activated" (KvmrtDiagnostic *)   a row was selected */

G_END_DECLS
