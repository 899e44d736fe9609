/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtReorderDialog: the boot and display order of the VMs of a configuration (the
 * configuration dialog's working copy), changed in place with kvmrt_config_move_vm(): move
 * up/down buttons on each row, or drag a row. The configuration's "reordered" signal tells
 * its other views. */
#pragma once

#include <adwaita.h>

#include "kvmrt.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_REORDER_DIALOG (kvmrt_reorder_dialog_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtReorderDialog, kvmrt_reorder_dialog, KVMRT, REORDER_DIALOG,
                      AdwWindow)

/* Modal, transient for @parent. */
KvmrtReorderDialog *kvmrt_reorder_dialog_new (GtkWindow   *parent,
                                              KvmrtConfig *config);

G_END_DECLS
