/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtLockDialog: sets, changes or removes the configuration lock (the password the GUI asks
 * for before it shows the configuration; see core/model/kvmrt-config-lock.h), and the prompt that
 * asks for that password. Setting a lock writes a copy of the loaded configuration with the
 * new hash through the manager's Apply, so it is validated and saved atomically like any other
 * edit. When a lock is set, the dialog first asks for the current password. */
#pragma once

#include <adwaita.h>

#include "kvmrt-manager.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_LOCK_DIALOG (kvmrt_lock_dialog_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtLockDialog, kvmrt_lock_dialog, KVMRT, LOCK_DIALOG, AdwWindow)

/* @unlocked is TRUE when the right password was given, FALSE when the prompt was cancelled. */
typedef void (*KvmrtUnlockCallback) (gboolean unlocked, gpointer data);

/* The dialog for @manager's loaded configuration, modal and transient for @parent. */
KvmrtLockDialog *kvmrt_lock_dialog_new          (GtkWindow    *parent,
                                                 KvmrtManager *manager);
/* Creates and presents it; on success it closes and a message shows what was saved. With
 * @unlocked (the password was given in this window already) it opens on the new password. */
void             kvmrt_lock_dialog_present      (GtkWindow    *parent,
                                                 KvmrtManager *manager,
                                                 gboolean      unlocked);

/* A password prompt for @config's lock, modal and transient for @parent. @callback runs once,
 * when the right password is given or the prompt is closed. */
KvmrtLockDialog *kvmrt_lock_dialog_new_unlock   (GtkWindow           *parent,
                                                 KvmrtConfig         *config,
                                                 KvmrtUnlockCallback  callback,
                                                 gpointer             data);
/* Presents that prompt; when @config has no lock it presents nothing and calls @callback
 * with TRUE at once. */
void             kvmrt_unlock_prompt            (GtkWindow           *parent,
                                                 KvmrtConfig         *config,
                                                 KvmrtUnlockCallback  callback,
                                                 gpointer             data);

G_END_DECLS
