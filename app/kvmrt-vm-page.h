/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtVmPage: the form for one VM of the configuration dialog's working copy. Each field
 * commits its edit to the KvmrtVm on Enter, Tab or leaving the field, then emits "changed".
 * Fields the validator has findings for are marked. */
#pragma once

#include <adwaita.h>

#include "kvmrt.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_VM_PAGE (kvmrt_vm_page_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtVmPage, kvmrt_vm_page, KVMRT, VM_PAGE, GtkWidget)

/* A page editing @vm of the working copy @config on @host. @original is the VM as loaded
 * (NULL for a VM imported in this dialog): Revert puts its values back. What a field's
 * "auto" comes to is planned with the rest of @config. */
KvmrtVmPage *kvmrt_vm_page_new            (KvmrtVm     *vm,
                                           KvmrtVm     *original,
                                           KvmrtConfig *config,
                                           KvmrtHost   *host);
KvmrtVm     *kvmrt_vm_page_get_vm         (KvmrtVmPage *self);
/* The name can change only while the VM's domain is shut off. */
void         kvmrt_vm_page_set_running    (KvmrtVmPage *self, gboolean running);
/* Marks the fields that @diagnostics (KvmrtDiagnostic*, any VM's) name for this VM. */
void         kvmrt_vm_page_set_diagnostics (KvmrtVmPage *self, GPtrArray *diagnostics);
/* Moves the keyboard focus to the field of a config key ("cpuset", "pcidevs", ...). */
void         kvmrt_vm_page_focus_attribute (KvmrtVmPage *self, const char *attribute);
/* Re-reads every field from the VM (after the dialog changed it: assigned devices). */
void         kvmrt_vm_page_reload         (KvmrtVmPage *self);
/* TRUE when the VM differs from @original. */
gboolean     kvmrt_vm_page_is_modified    (KvmrtVmPage *self);

/* Signals:
 *   "changed" ()             a field was committed to the VM
 *   "filter-resources" ()    the user asked to see only this VM's resources */

G_END_DECLS
