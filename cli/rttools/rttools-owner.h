/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How the rttools commands name the real-time VM that holds a CPU (cpus, cpustat, cpi). */
#pragma once

#include "kvmrt-cpu-snapshot.h"
#include "rttools-cli.h"

G_BEGIN_DECLS

/* "rt1 (shielded)", "rt1 (offline sibling)", or "-". */
char *rttools_owner_text   (const KvmrtCpuState *state);
/* "owner": {"uuid", "name", "shielded"} or null. */
void  rttools_write_owner  (KvmrtJsonWriter *w, const KvmrtCpuState *state);
/* Loads the host and its CPU snapshot, or prints why not (exit 2 for the caller). */
KvmrtCpuSnapshot *rttools_load_snapshot (KvmrtCli *cli, KvmrtHostLoadFlags host_flags,
                                         KvmrtCpuSnapshotFlags flags);

/* Prints why a change (kvmrt-host-change.h) was not made; the exit code: 2 for a change that
 * cannot be (no such IRQ, CPU or thread), 1 for one refused or failed. */
int   rttools_change_failed (const GError *error);

G_END_DECLS
