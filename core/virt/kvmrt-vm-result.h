/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a whole-VM operation (kvmrt-boot-set.h, kvmrt-shutdown-set.h, the stale-tuning release
 * of kvmrt-lifecycle.h) did to one VM: its outcome, how the host's tuning for it went, and the
 * message to show when it went wrong.
 *
 * Callers tell outcomes apart by @outcome and @tuning only; @error is there for its message,
 * and its domain and code mean nothing to them. */
#pragma once

#include "kvmrt-tuner.h"

G_BEGIN_DECLS

typedef enum {
  /* Boot and retune. */
  KVMRT_VM_STARTED,          /* the domain was started */
  KVMRT_VM_ALREADY_RUNNING,  /* it ran already (a boot re-tunes it) */
  KVMRT_VM_RETUNED,          /* retune: it runs and its tuning was applied again */
  KVMRT_VM_NOT_STARTED,      /* --clean: an earlier VM failed first (@blocked_by) */
  KVMRT_VM_FAILED_START,     /* libvirt did not start it, or it stopped before it was tuned */
  /* Shutdown. */
  KVMRT_VM_SHUT_OFF,         /* the guest shut down when asked */
  KVMRT_VM_POWERED_OFF,      /* powered off (--force, Force Off) */
  KVMRT_VM_STILL_RUNNING,    /* still running when the timeout passed, and no force */
  KVMRT_VM_FAILED_STOP,      /* libvirt refused the request or the power-off */
  /* Either. */
  KVMRT_VM_NOT_RUNNING,      /* libvirt does not show it running: nothing was done */
  KVMRT_VM_NOT_DEFINED,      /* libvirt has no domain with its UUID: nothing was done */
  KVMRT_VM_STALE,            /* release of held tuning: it no longer runs (or left the config) */
} KvmrtVmOutcome;

typedef enum {
  KVMRT_VM_TUNING_NONE,      /* the host's tuning was not touched (or the VM is not real-time) */
  KVMRT_VM_TUNING_APPLIED,   /* tuned: @report->changes lists what changed (none: in place) */
  KVMRT_VM_TUNING_RELEASED,  /* given back: @report->changes lists what changed back */
  KVMRT_VM_TUNING_FAILED,    /* the tuning or its release failed: @error says why */
} KvmrtVmTuning;

typedef struct {
  KvmrtVm         *vm;          /* a reference; NULL for a journal VM no longer configured */
  char            *uuid;
  char            *label;       /* the VM's name, else its UUID: for messages */
  KvmrtVmOutcome   outcome;
  KvmrtVmTuning    tuning;
  GError          *error;       /* why, for its message: set with FAILED_START, FAILED_STOP,
                                 * NOT_DEFINED, a retune's NOT_RUNNING and TUNING_FAILED */
  KvmrtTuneReport *report;      /* what the tuner changed and what the host refused */
  char            *blocked_by;  /* NOT_STARTED: the label of the VM that failed first */
  double           seconds;     /* shutdown: from the request until it was off */
} KvmrtVmResult;

#define KVMRT_TYPE_VM_RESULT (kvmrt_vm_result_get_type ())
GType          kvmrt_vm_result_get_type (void) G_GNUC_CONST;

/* A result for @vm (may be NULL; then @uuid and @label name it) with an empty report. */
KvmrtVmResult *kvmrt_vm_result_new      (KvmrtVm        *vm,
                                         const char     *uuid,
                                         const char     *label,
                                         KvmrtVmOutcome  outcome);
KvmrtVmResult *kvmrt_vm_result_copy     (const KvmrtVmResult *result);
void           kvmrt_vm_result_free     (KvmrtVmResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtVmResult, kvmrt_vm_result_free)

G_END_DECLS
