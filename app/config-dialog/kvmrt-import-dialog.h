/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtImportDialog: which libvirt domains to add to the configuration dialog's working copy.
 * Lists the domains the configuration does not have yet, each with a check box. */
#pragma once

#include <adwaita.h>

#include "kvmrt.h"
#include "kvmrt-libvirt.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_IMPORT_DIALOG (kvmrt_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtImportDialog, kvmrt_import_dialog, KVMRT, IMPORT_DIALOG, AdwWindow)

/* The domains of @libvirt that @config lacks, all checked when @check_all (right after
 * creating a configuration), else none. Modal, transient for @parent. */
KvmrtImportDialog *kvmrt_import_dialog_new         (GtkWindow    *parent,
                                                    KvmrtLibvirt *libvirt,
                                                    KvmrtConfig  *config,
                                                    gboolean      check_all);
guint              kvmrt_import_dialog_get_n_domains (KvmrtImportDialog *self);
/* The UUIDs checked now, in the list's order. */
char             **kvmrt_import_dialog_get_checked (KvmrtImportDialog *self);
void               kvmrt_import_dialog_set_checked (KvmrtImportDialog *self,
                                                    const char        *uuid,
                                                    gboolean           checked);

/* Signals:
 *   "import" (GStrv uuids)   the user pressed Import (the window then closes) */

G_END_DECLS
