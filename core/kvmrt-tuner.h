/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host tuning for real-time VMs: the one entry point kvmrt-boot, kvmrt-shutdown, kvmrt-stat
 * and (later) kvmrtd call. Taking siblings offline, shielding CPUs, steering IRQs and giving
 * vCPU threads SCHED_FIFO are not implemented yet, and this module says so instead of
 * pretending: a real-time VM is reported as not tuned, with the reason. */
#pragma once

#include "kvmrt-plan.h"

G_BEGIN_DECLS

#define KVMRT_TUNER_ERROR (kvmrt_tuner_error_quark ())
typedef enum {
  KVMRT_TUNER_ERROR_NOT_AVAILABLE,   /* this build cannot tune the host */
} KvmrtTunerError;
GQuark kvmrt_tuner_error_quark (void);

/* Applies the real-time part of @plan for a VM whose QEMU process is @qemu_pid (0 if not
 * known). TRUE when the host is as the plan needs it (always, for a VM that is not
 * real-time). */
gboolean kvmrt_tuner_apply   (const char        *sysroot,
                              const KvmrtVmPlan *plan,
                              int                qemu_pid,
                              GError           **error);
/* Undoes what kvmrt_tuner_apply() changed for the VM, after it stopped. */
gboolean kvmrt_tuner_release (const char        *sysroot,
                              const KvmrtVmPlan *plan,
                              GError           **error);
/* Whether a running VM's tuning is in force; FALSE with the reason in @error otherwise. */
gboolean kvmrt_tuner_check   (const char        *sysroot,
                              const KvmrtVmPlan *plan,
                              int                qemu_pid,
                              GError           **error);

G_END_DECLS
