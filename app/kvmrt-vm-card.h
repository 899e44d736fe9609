/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtVmCard: one VM on the dashboard: title and description, power state, the real-time
 * badge (green tuned, orange drifted: click to retune, gray and insensitive not running), the
 * drift text, the last operation's result, a line of host CPUs, vCPUs, uptime and CPU usage,
 * and the per-VM menu (in the card's .ui). Its items and the badge are the card's own actions
 * (card.boot, card.shutdown, card.force-off, card.retune, card.console,
 * card.graphical-console, card.details, card.edit), enabled as the VM's state allows, which
 * ask the window the card is in to do them. Real-time cards have the red-sided cube and a red
 * edge. */
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
/* Opens the card's menu (Shift+F10 or Menu on the focused card). */
void         kvmrt_vm_card_popup_menu  (KvmrtVmCard *self);
/* A spinner while an operation on the VM runs. */
void         kvmrt_vm_card_set_busy    (KvmrtVmCard *self, gboolean busy);
/* The line of host CPUs, vCPUs, uptime and CPU usage: shown from the window's second frame
 * on (the first frame is kept as cheap as it can be). */
void         kvmrt_vm_card_show_details (KvmrtVmCard *self);
/* The VM's CPU usage in percent of its vCPUs (< 0: unknown). */
void         kvmrt_vm_card_set_cpu_usage (KvmrtVmCard *self, double percent);
/* The last operation's result under the description; @is_error shows it as an error. */
void         kvmrt_vm_card_set_message (KvmrtVmCard *self,
                                        const char  *message,
                                        gboolean     is_error);

G_END_DECLS
