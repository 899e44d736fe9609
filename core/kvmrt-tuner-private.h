/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the tuner: the host state the tuned VMs want (kvmrt-tune-state.c) and the writes that
 * reach it (kvmrt-tuner.c). */
#pragma once

#include "kvmrt-journal.h"
#include "kvmrt-tuner.h"

G_BEGIN_DECLS

/* Apply in this order, restore in the reverse one: CPUs come back online before IRQs may be
 * sent to them again, and go offline after the IRQs have left. */
typedef enum {
  KVMRT_TUNE_PHASE_CGROUP,
  KVMRT_TUNE_PHASE_IRQ,
  KVMRT_TUNE_PHASE_CPU,
} KvmrtTunePhase;

typedef struct {
  char           *path;    /* sysroot-relative */
  char           *value;   /* what to write, without newline */
  KvmrtTunePhase  phase;
  char           *what;    /* for reports: "CPU 48 offline" */
} KvmrtTuneSetting;

void            kvmrt_tune_setting_free (KvmrtTuneSetting *setting);
KvmrtTunePhase  kvmrt_tune_phase_of     (const char *path);
/* The settings every VM of @journal needs together, in phase order. Files are read live (or
 * their journaled originals) to derive the new values from. */
GPtrArray      *kvmrt_tune_state_wanted (KvmrtJournal *journal, KvmrtHost *host);
/* The journal entry for a plan: shielded and offline CPUs, IRQ CPU, devices. */
KvmrtTunedVm   *kvmrt_tune_state_vm_from_plan (const KvmrtVmPlan *plan);

G_END_DECLS
