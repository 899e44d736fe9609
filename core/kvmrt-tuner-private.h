/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the tuner: the host state the tuned VMs want (kvmrt-tune-state.c) and the writes that
 * reach it (kvmrt-tuner.c). */
#pragma once

#include "kvmrt-journal.h"
#include "kvmrt-tuner.h"

G_BEGIN_DECLS

/* RedHawk's view of the shield (the CPUs from which processes are kept away). */
#define KVMRT_REDHAWK_SHIELD_FILE "proc/shield/procs"

typedef enum {
  KVMRT_TUNE_BACKEND_LINUX,    /* sysfs, /proc and cgroups */
  KVMRT_TUNE_BACKEND_REDHAWK,  /* shield(1), cpu(1), run(1) */
} KvmrtTuneBackend;

/* RedHawk when the sysroot has its shield interface and shield(1) is on PATH; Linux
 * otherwise. $KVMRT_TUNER_BACKEND=linux|redhawk overrides. */
KvmrtTuneBackend kvmrt_tune_backend_choose (const char *sysroot);
const char      *kvmrt_tune_backend_name   (KvmrtTuneBackend backend);
/* A host value as the tuner compares it (RedHawk's shield mask as a CPU list). */
char            *kvmrt_tune_backend_read   (KvmrtTuneBackend  backend,
                                            const char       *sysroot,
                                            const char       *path);
/* Sets a host value: 0, or an errno with, for commands, their message in @detail. */
int              kvmrt_tune_backend_write  (KvmrtTuneBackend  backend,
                                            const char       *sysroot,
                                            const char       *path,
                                            const char       *value,
                                            char            **detail);
int              kvmrt_tune_backend_set_fifo (KvmrtTuneBackend backend, int tid, int priority,
                                              char **detail);

/* Takes the tuner's exclusive lock on the host (one tuner, or operator change, at a time):
 * the descriptor to close() to release it, or -1 after setting @error. */
int              kvmrt_tuner_lock_host (const char *sysroot, GError **error);

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
GPtrArray      *kvmrt_tune_state_wanted (KvmrtJournal     *journal,
                                         KvmrtHost        *host,
                                         KvmrtTuneBackend  backend);
/* The journal entry for a plan: shielded and offline CPUs, IRQ CPU, devices. */
KvmrtTunedVm   *kvmrt_tune_state_vm_from_plan (const KvmrtVmPlan *plan);

G_END_DECLS
