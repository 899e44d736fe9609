/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shutting down a set of configured VMs, the one way kvmrt-shutdown, kvmrtd and the window do
 * it: ask each guest to shut down (ACPI), all at once or one after the other; wait up to the
 * timeout; power off those still running when forced (a timeout of 0 with force powers off
 * without asking: the window's Force Off); then give back the host tuning of each VM that is
 * off. Every VM gets a KvmrtVmResult; callers tell outcomes apart by its enums, never by an
 * error's domain. */
#pragma once

#include "kvmrt-session.h"
#include "kvmrt-vm-result.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_SHUTDOWN_DEFAULT    = 0,
  KVMRT_SHUTDOWN_FORCE      = 1 << 0,  /* power off what still runs when the timeout passes */
  KVMRT_SHUTDOWN_ONE_BY_ONE = 1 << 1,  /* each VM in turn, each with the whole timeout */
} KvmrtShutdownFlags;

/* Progress for a caller that shows it; each may be NULL. Called in the caller's thread. */
typedef struct {
  /* ONE_BY_ONE: @vm is about to be asked to shut down. */
  void (*stopping) (KvmrtVm *vm, gpointer user_data);
  /* A VM is done: off (and its tuning released), still running, failed, or, for a VM named,
   * not running / not defined (reported before any request is made). */
  void (*stopped)  (const KvmrtVmResult *result, gpointer user_data);
  /* When cancelled, the wait for the guests ends at once: those still running get
   * STILL_RUNNING and are not powered off, even with FORCE (the window's cancel). */
  GCancellable *cancellable;
} KvmrtShutdownProgress;

/* Shuts down @vms (KvmrtVm* of the session's configuration; those not running get a
 * NOT_RUNNING or NOT_DEFINED result), or with @vms NULL every configured VM that runs (the
 * others get no result). Returns KvmrtVmResult*: first those found not running, then the
 * others in order. Outcomes: SHUT_OFF, POWERED_OFF (tuning RELEASED, or FAILED with @error),
 * STILL_RUNNING (no @error: the caller words it with the timeout), FAILED_STOP, NOT_RUNNING,
 * NOT_DEFINED. Blocks up to @timeout_s per VM (one by one) or in all (never from a GUI
 * thread). */
GPtrArray *kvmrt_shutdown_set_run (const KvmrtSession          *session,
                                   GPtrArray                   *vms,
                                   guint                        timeout_s,
                                   KvmrtShutdownFlags           flags,
                                   const KvmrtShutdownProgress *progress,
                                   gpointer                     user_data);

G_END_DECLS
