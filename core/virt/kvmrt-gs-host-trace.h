/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host's half of the Guest Services event pairs: an ftrace instance of its own
 * (tracefs/instances/NAME), written through its trace_marker so each KVMRT_GS_*_HOST line
 * carries the host kernel's timestamp, and flushed for xtrace_flush.
 *
 * A flush takes a snapshot of the instance (of the scope's CPUs when the kernel has per-CPU
 * snapshots) when the kernel was built with a snapshot buffer. Without one (no
 * instances/NAME/snapshot, as on Debian's stock kernel) it stops the instance instead
 * (tracing_on = 0): the buffer then ends at the flush point and stays as it is until an
 * operator writes 1 to tracing_on. Both are named in the FLUSH_HOST line. */
#pragma once

#include <glib.h>

#include "kvmrt-id-set.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_GS_FLUSH_SNAPSHOT,          /* the whole instance was snapshotted */
  KVMRT_GS_FLUSH_SNAPSHOT_PER_CPU,  /* the scope's CPUs were snapshotted */
  KVMRT_GS_FLUSH_STOP,              /* no snapshot buffer: the instance was stopped */
} KvmrtGsFlushMethod;

typedef struct _KvmrtGsHostTrace KvmrtGsHostTrace;

/* Opens (creating it when missing) the instance @name below @tracefs, the directory tracefs
 * is mounted on. */
KvmrtGsHostTrace *kvmrt_gs_host_trace_open         (const char  *tracefs,
                                                    const char  *name,
                                                    GError     **error);
/* tracefs's mount point below @sysroot (sys/kernel/tracing, else sys/kernel/debug/tracing),
 * or NULL when neither has a trace_marker. */
char             *kvmrt_gs_host_trace_find_tracefs (const char *sysroot);
void              kvmrt_gs_host_trace_free         (KvmrtGsHostTrace *trace);
const char       *kvmrt_gs_host_trace_get_path     (KvmrtGsHostTrace *trace);
gboolean          kvmrt_gs_host_trace_has_snapshot (KvmrtGsHostTrace *trace);
/* One event line (without newline), in one write. */
gboolean          kvmrt_gs_host_trace_write        (KvmrtGsHostTrace  *trace,
                                                    const char        *line,
                                                    GError           **error);
/* The method kvmrt_gs_host_trace_flush() will use for @cpus (NULL: every CPU). */
KvmrtGsFlushMethod kvmrt_gs_host_trace_flush_method (KvmrtGsHostTrace *trace,
                                                     const KvmrtIdSet *cpus);
const char       *kvmrt_gs_flush_method_to_string  (KvmrtGsFlushMethod method);
gboolean          kvmrt_gs_host_trace_flush        (KvmrtGsHostTrace  *trace,
                                                    const KvmrtIdSet  *cpus,
                                                    GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtGsHostTrace, kvmrt_gs_host_trace_free)

G_END_DECLS
