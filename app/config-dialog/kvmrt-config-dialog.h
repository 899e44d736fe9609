/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtConfigDialog: the configuration editor. A page per VM (KvmrtVmPage), the host's
 * resources (KvmrtResourcesView) and the validator's findings (diagnostic box), all on a
 * working copy of the loaded configuration; Apply writes it (KvmrtManager's apply). A locked
 * configuration is unlocked by the window (kvmrt_unlock_prompt) before the dialog opens. */
#pragma once

#include <adwaita.h>

#include "kvmrt-manager.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_CONFIG_DIALOG (kvmrt_config_dialog_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtConfigDialog, kvmrt_config_dialog, KVMRT, CONFIG_DIALOG, AdwWindow)

/* A dialog on @manager's loaded configuration, transient for @parent. */
KvmrtConfigDialog *kvmrt_config_dialog_new       (GtkWindow    *parent,
                                                  KvmrtManager *manager);
/* Shows @vm's page (a VM of the loaded configuration, matched by UUID). */
void               kvmrt_config_dialog_select_vm (KvmrtConfigDialog *self,
                                                  const char        *uuid);
/* Imports the libvirt domains named (names or UUIDs) into the working copy, unapplied; NULL
 * or empty: ask which ones with the import dialog. */
void               kvmrt_config_dialog_import    (KvmrtConfigDialog  *self,
                                                  const char * const *names);
/* TRUE when the working copy differs from the loaded configuration. */
gboolean           kvmrt_config_dialog_has_unapplied (KvmrtConfigDialog *self);

G_END_DECLS
