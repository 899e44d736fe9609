/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtVmCard: one VM on the dashboard: title and description, power state, the real-time
 * badge (red tuned, orange drifted: click to retune, gray not running), the drift text, the
 * last operation's result, and the per-VM menu (win.vm-* actions with the VM's UUID). */
#pragma once

#include <adwaita.h>

#include "kvmrt.h"
#include "kvmrt-vm-status.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_VM_CARD (kvmrt_vm_card_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtVmCard, kvmrt_vm_card, KVMRT, VM_CARD, GtkWidget)

/* Cards are made by the dashboard's list view for the rows it shows, and given a VM. */
KvmrtVmCard *kvmrt_vm_card_new         (void);
void         kvmrt_vm_card_set_vm      (KvmrtVmCard *self, KvmrtVm *vm);
/* The VM's UUID, NULL while the card shows none. */
const char  *kvmrt_vm_card_get_uuid    (KvmrtVmCard *self);
/* Shows @status (NULL: unknown). */
void         kvmrt_vm_card_update      (KvmrtVmCard         *self,
                                        const KvmrtVmStatus *status);
/* A spinner while an operation on the VM runs. */
void         kvmrt_vm_card_set_busy    (KvmrtVmCard *self, gboolean busy);
/* The last operation's result under the description; @is_error shows it as an error. */
void         kvmrt_vm_card_set_message (KvmrtVmCard *self,
                                        const char  *message,
                                        gboolean     is_error);

G_END_DECLS
