/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Booting and retuning one configured VM with its host tuning, and giving back the tuning
 * held for VMs that no longer run: the steps the whole-VM operations (kvmrt-boot-set.h,
 * kvmrt-shutdown-set.h) and kvmrtd's periodic check are made of. Shutting down is in
 * kvmrt-shutdown-set.h. */
#pragma once

#include "kvmrt-libvirt.h"
#include "kvmrt-plan.h"
#include "kvmrt-session.h"
#include "kvmrt-tuner.h"
#include "kvmrt-vm-result.h"

G_BEGIN_DECLS

/* Starts @plan's domain unless it runs, then tunes the host for it (real-time VMs). The
 * result's outcome is STARTED or ALREADY_RUNNING whenever the domain runs at the end, with
 * TUNING_FAILED when the host could not be tuned (the domain keeps running); FAILED_START when
 * it has no domain, libvirt refused to start it, or it stopped before it was tuned. Blocks
 * while the domain starts; safe to run for several VMs at once from threads. */
KvmrtVmResult *kvmrt_lifecycle_boot_vm   (const KvmrtSession *session,
                                          const KvmrtVmPlan  *plan);
/* Re-applies the tuning of a running VM (the window's and kvmrt-boot --retune's): RETUNED, or
 * NOT_RUNNING / NOT_DEFINED with the host left exactly as it was. */
KvmrtVmResult *kvmrt_lifecycle_retune_vm (const KvmrtSession *session,
                                          const KvmrtVmPlan  *plan);

/* Re-applies the tuning of a running VM (kvmrtd's periodic check). A VM that libvirt does not
 * show running is refused with KVMRT_LIBVIRT_ERROR_NOT_RUNNING and the host is left as it
 * is: the one guard every path to the tuner goes through. */
gboolean kvmrt_lifecycle_tune     (const char        *sysroot,
                                   KvmrtHost         *host,
                                   KvmrtLibvirt      *libvirt,
                                   const KvmrtVmPlan *plan,
                                   KvmrtTuneReport   *report,
                                   GError           **error);
/* Makes KVMRT_GS_SOCKET_DIR, where QEMU puts the host end of a Guest Services channel (it
 * must exist before such a VM starts; /run is empty after a reboot). Only for the live host
 * (@sysroot "/"): the path in the domain is the host's own. */
gboolean   kvmrt_lifecycle_prepare_gs_dir (const char *sysroot, GError **error);
/* What kvmrt_lifecycle_release_held() did: the tuning of each VM that no longer ran, and the
 * host settings the journal held for no VM at all (left by an earlier release the host
 * refused, or one a crash cut short). */
typedef struct {
  GPtrArray       *results;          /* KvmrtVmResult*: one per VM released, in journal order
                                      * (outcome STALE, tuning RELEASED or FAILED) */
  KvmrtVmTuning    leftovers;        /* NONE: the journal held nothing for no VM; RELEASED:
                                      * given back; FAILED: not all (@leftovers_error) */
  KvmrtTuneReport *leftovers_report; /* what was changed back */
  GError          *leftovers_error;  /* FAILED: what stays in the journal, and why */
} KvmrtReleaseHeld;

void       kvmrt_release_held_free (KvmrtReleaseHeld *held);
/* Whether everything held was given back: every VM's tuning and every leftover. */
gboolean   kvmrt_release_held_ok   (const KvmrtReleaseHeld *held);

/* Gives back the host settings of the VMs in the journal that no longer run (after a crash,
 * or a VM stopped outside kvmrt) and, when @config is given, of those no longer in it; first,
 * whatever the journal holds for no VM (kvmrt_tuner_give_back()). NULL with @error when the
 * journal cannot be read. */
KvmrtReleaseHeld *kvmrt_lifecycle_release_held (const char   *sysroot,
                                                KvmrtHost    *host,
                                                KvmrtLibvirt *libvirt,
                                                KvmrtConfig  *config,
                                                GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtReleaseHeld, kvmrt_release_held_free)

G_END_DECLS
