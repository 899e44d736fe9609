/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Booting and stopping one configured VM with its host tuning: what kvmrt-boot,
 * kvmrt-shutdown, kvmrtd and the GUI all do, so they do it alike. */
#pragma once

#include "kvmrt-libvirt.h"
#include "kvmrt-plan.h"
#include "kvmrt-tuner.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_BOOT_STARTED,          /* the domain was started, then tuned */
  KVMRT_BOOT_ALREADY_RUNNING,  /* it was running; the tuning was checked and re-applied */
} KvmrtBootOutcome;

/* Starts @plan's domain unless it runs, then tunes the host for it (real-time VMs). On a
 * tuning failure the domain keeps running and @error says why; @outcome is set whenever the
 * domain runs at the end. Refusals the host made along the way are in @report->problems. */
gboolean kvmrt_lifecycle_boot     (const char        *sysroot,
                                   KvmrtHost         *host,
                                   KvmrtLibvirt      *libvirt,
                                   const KvmrtVmPlan *plan,
                                   KvmrtBootOutcome  *outcome,
                                   KvmrtTuneReport   *report,
                                   GError           **error);
/* Re-applies the tuning of a running VM (the GUI's and kvmrt-boot's "retune"). A VM that
 * libvirt does not show running is refused with KVMRT_LIBVIRT_ERROR_NOT_RUNNING and the host
 * is left as it is. */
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
/* Gives back the host settings of VMs in the journal that no longer run (after a crash, or
 * a VM stopped outside kvmrt). Returns the names released; errors are appended to
 * @problems. */
GPtrArray *kvmrt_lifecycle_release_stale (const char   *sysroot,
                                          KvmrtHost    *host,
                                          KvmrtLibvirt *libvirt,
                                          GPtrArray    *problems);

G_END_DECLS
