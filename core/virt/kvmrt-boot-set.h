/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Booting a set of configured VMs, the one way kvmrt-boot, kvmrtd and the window do it:
 *
 *   1. kvmrt_boot_set_select(): the VMs named (none may be disabled), else the enabled VMs
 *      with autostart (every enabled VM with KVMRT_BOOT_SET_ALL), in configuration order;
 *   2. kvmrt_boot_set_run(): validate the configuration (errors refuse the set); with
 *      KVMRT_BOOT_SET_CLEAN, refuse while any configured VM runs; release the tuning the
 *      journal holds for VMs that no longer run; write every enabled VM into libvirt (sync);
 *      then start the set and tune the host for each VM. Without CLEAN the VMs start in
 *      parallel, one thread each, and one failure does not stop the others (a VM already
 *      running is re-tuned); with CLEAN they start one after the other and the first failure
 *      stops the sequence (its sync failing stops it before anything starts).
 *
 * Every VM of the set gets a KvmrtVmResult; callers tell outcomes apart by its enums, never by
 * an error's domain. kvmrt_boot_set_retune() is the retune of running VMs (nothing starts). */
#pragma once

#include "kvmrt-session.h"
#include "kvmrt-sync.h"
#include "kvmrt-vm-result.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_BOOT_SET_DEFAULT = 0,
  KVMRT_BOOT_SET_ALL     = 1 << 0,  /* select every enabled VM, not only the autostart ones */
  KVMRT_BOOT_SET_CLEAN   = 1 << 1,  /* nothing may run yet; stop at the first failure */
} KvmrtBootSetFlags;

typedef enum {
  KVMRT_BOOT_SET_BOOTED,       /* each selected VM has its result (some may have failed) */
  KVMRT_BOOT_SET_EMPTY,        /* nothing was selected: nothing was done */
  KVMRT_BOOT_SET_INVALID,      /* the configuration has errors (@diagnostics): nothing done */
  KVMRT_BOOT_SET_BUSY,         /* CLEAN, and configured VMs run (@running): nothing done */
  KVMRT_BOOT_SET_SYNC_FAILED,  /* CLEAN, and a VM could not be written into libvirt: stale
                                * tuning was released, nothing was started */
} KvmrtBootSetStatus;

/* What the steps report while they run, for a caller that shows progress; each may be NULL.
 * All are called in the thread of kvmrt_boot_set_run(), except @booted, which a parallel
 * boot calls from the VM's worker thread as soon as that VM is done (so output stays in the
 * order things happen; a caller that prints serialises it). */
typedef struct {
  /* The tuning held for a VM that no longer runs was given back (or failed to be). */
  void (*released) (const KvmrtVmResult *result, gpointer user_data);
  /* The journal of tuned VMs could not be read, so nothing stale was released. */
  void (*release_failed) (const GError *error, gpointer user_data);
  /* An enabled VM was written into libvirt: @state says what changed, else @error why not. */
  void (*synced)   (KvmrtVm              *vm,
                    const KvmrtSyncState *state,
                    const GError         *error,
                    gpointer              user_data);
  /* A VM of the set is done (started, failed, or not started because another failed). */
  void (*booted)   (const KvmrtVmResult *result, gpointer user_data);
} KvmrtBootSetProgress;

typedef struct {
  KvmrtBootSetStatus status;
  GPtrArray *results;      /* KvmrtVmResult*, one per VM of the set in its order (BOOTED,
                            * SYNC_FAILED: empty) */
  GPtrArray *released;     /* KvmrtVmResult*, the stale tuning given back */
  GPtrArray *diagnostics;  /* KvmrtDiagnostic*: INVALID, the validator's findings */
  GPtrArray *running;      /* KvmrtVm* (borrowed): BUSY, the configured VMs that run */
} KvmrtBootSetReport;

void kvmrt_boot_set_report_free (KvmrtBootSetReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtBootSetReport, kvmrt_boot_set_report_free)

/* The VMs to boot (borrowed KvmrtVm*): @named (KvmrtVm* of @config, may be NULL or empty) or
 * the autostart ones. NULL when a named VM is disabled; *@disabled then says which. */
GPtrArray *kvmrt_boot_set_select (KvmrtConfig       *config,
                                  GPtrArray         *named,
                                  KvmrtBootSetFlags  flags,
                                  KvmrtVm          **disabled);

/* Runs the steps above for @vms (from kvmrt_boot_set_select()). Blocks until every VM is done
 * (never from a GUI thread). */
KvmrtBootSetReport *kvmrt_boot_set_run (const KvmrtSession         *session,
                                        GPtrArray                  *vms,
                                        KvmrtBootSetFlags           flags,
                                        const KvmrtBootSetProgress *progress,
                                        gpointer                    user_data);

/* Re-tunes each of @vms, one after the other, starting none: KvmrtVmResult* each RETUNED, or
 * NOT_RUNNING / NOT_DEFINED with the host untouched. @progress->booted (may be NULL) is
 * called for each as it is done. */
GPtrArray *kvmrt_boot_set_retune (const KvmrtSession         *session,
                                  GPtrArray                  *vms,
                                  const KvmrtBootSetProgress *progress,
                                  gpointer                    user_data);

G_END_DECLS
