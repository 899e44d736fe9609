/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the display tests reach inside KvmrtConfigDialog. */
#pragma once

#include "kvmrt-config-dialog.h"
#include "kvmrt-diagnostic-list.h"
#include "kvmrt-resources-view.h"
#include "kvmrt-vm-page.h"

G_BEGIN_DECLS

/* The working copy being edited. */
KvmrtConfig         *kvmrt_config_dialog_get_working         (KvmrtConfigDialog *self);
/* The page of the working copy's VM with @uuid, or NULL. */
KvmrtVmPage         *kvmrt_config_dialog_get_page            (KvmrtConfigDialog *self,
                                                              const char        *uuid);
KvmrtVmPage         *kvmrt_config_dialog_get_visible_page    (KvmrtConfigDialog *self);
KvmrtDiagnosticList *kvmrt_config_dialog_get_diagnostic_list (KvmrtConfigDialog *self);
KvmrtResourcesView  *kvmrt_config_dialog_get_resources_view  (KvmrtConfigDialog *self);
GtkWidget           *kvmrt_config_dialog_get_apply_button    (KvmrtConfigDialog *self);
/* The error of the last Apply, NULL when it succeeded (or none ran yet). */
const GError        *kvmrt_config_dialog_get_apply_error     (KvmrtConfigDialog *self);
/* Validates the working copy again and updates every view (done after each change). */
void                 kvmrt_config_dialog_revalidate          (KvmrtConfigDialog *self);
/* Whether the sidebar marks @uuid's VM as having errors. */
gboolean             kvmrt_config_dialog_sidebar_shows_error (KvmrtConfigDialog *self,
                                                              const char        *uuid);
/* Whether the VM page and the resources list are one above the other (narrow dialog). */
gboolean             kvmrt_config_dialog_is_narrow           (KvmrtConfigDialog *self);

/* Signals (besides the public ones):
 *   "applied" (gboolean success)   an Apply finished */

G_END_DECLS
