/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the rttools commands that read the tuning journal share: how they name the real-time VM
 * that holds a CPU (cpus, cpustat, cpi), and the option and arguments of the two that change an
 * affinity through it (irq-affinity, task-affinity). */
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

/* irq-affinity and task-affinity: their --force option (in @rttools_force_entries), and their
 * arguments "ID [CPUS]". rttools_affinity_args() stores the number ID (at least @min_id) and
 * the CPU list CPUS, or NULL when only ID is given; otherwise it prints what is wrong (@usage,
 * or @not_an_id with the first argument for its %s) and returns FALSE, for exit 2. */
extern gboolean           rttools_force;
extern const GOptionEntry rttools_force_entries[];
gboolean rttools_affinity_args (KvmrtCli    *cli,
                                const char  *usage,
                                const char  *not_an_id,
                                guint64      min_id,
                                guint64     *out_id,
                                KvmrtIdSet **out_cpus);

/* Prints why a change (kvmrt-host-change.h) was not made; the exit code: 2 for a change that
 * cannot be (no such IRQ, CPU or thread), 1 for one refused or failed. */
int   rttools_change_failed (const GError *error);

G_END_DECLS
