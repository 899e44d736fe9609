/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What kvmrtd's Guest Services end counts per VM, and the file it publishes them in
 * (run/kvmrt/guest-services.json below the sysroot, replaced atomically about once a
 * second) for kvmrt-stat and the runtime details window:
 *
 *   {"pid": N, "trace": PATH|null, "flush": "snapshot"|"stop"|null, "log": "journal:PATH"|...,
 *    "vms": [{"uuid", "name", "connected": BOOL, "socket": PATH, COUNTER: N, ...}]}
 *
 * A file whose writer (pid) is gone, after a crash, is not read. The counters are listed
 * once, in KVMRT_GS_COUNTERS. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KVMRT_GS_COUNTERS(X) \
  X (frames)          /* good frames received */ \
  X (pings) \
  X (log_msgs) \
  X (flushes) \
  X (log_data) \
  X (invalid)         /* good frames with a bad type, size or argument */ \
  X (malformed)       /* resynchronisations after bytes that were not a frame */ \
  X (garbage_bytes)   /* bytes skipped by them */ \
  X (bytes_read) \
  X (throttled)       /* times reading paused because the rate limit was reached */ \
  X (replies_dropped) /* replies the guest was not reading in time */ \
  X (trace_failures)  /* host events the trace instance refused */ \
  X (log_failures)    /* messages the journal or syslog refused */

typedef struct {
  char     *uuid;
  char     *name;
  char     *socket;
  gboolean  connected;
#define KVMRT_GS_COUNTER_FIELD(name) guint64 name;
  KVMRT_GS_COUNTERS (KVMRT_GS_COUNTER_FIELD)
#undef KVMRT_GS_COUNTER_FIELD
} KvmrtGsVmStats;

typedef struct {
  int        pid;     /* kvmrtd's; 0: unknown */
  char      *trace;   /* the host trace instance, or NULL */
  char      *flush;   /* "snapshot", "stop" or NULL */
  char      *log;
  GPtrArray *vms;     /* KvmrtGsVmStats* */
} KvmrtGsStats;

/* The counter names, in KVMRT_GS_COUNTERS order, and a counter by index. */
extern const char *const kvmrt_gs_counter_names[];
guint       kvmrt_gs_counter_count    (void);
guint64     kvmrt_gs_vm_stats_counter (const KvmrtGsVmStats *vm, guint index);

KvmrtGsStats *kvmrt_gs_stats_new    (void);
void          kvmrt_gs_stats_free   (KvmrtGsStats *stats);
void          kvmrt_gs_vm_stats_free (KvmrtGsVmStats *vm);
KvmrtGsVmStats *kvmrt_gs_vm_stats_copy (const KvmrtGsVmStats *vm);
/* The counters of VM @uuid, or NULL. */
const KvmrtGsVmStats *kvmrt_gs_stats_lookup (const KvmrtGsStats *stats, const char *uuid);

char         *kvmrt_gs_stats_to_json (const KvmrtGsStats *stats);
/* Writes the file below @sysroot atomically. */
gboolean      kvmrt_gs_stats_save   (const KvmrtGsStats *stats,
                                     const char         *sysroot,
                                     GError            **error);
/* Reads it back; NULL with G_FILE_ERROR_NOENT when kvmrtd serves no channel (no file, or
 * the process that wrote it no longer runs). */
KvmrtGsStats *kvmrt_gs_stats_load   (const char  *sysroot,
                                     GError     **error);
/* Removes it (nothing is served). */
void          kvmrt_gs_stats_remove (const char *sysroot);
KvmrtGsStats *kvmrt_gs_stats_parse  (const char  *json,
                                     GError     **error);
/* The VM's member of kvmrt-stat --json (its counters; NULL writes null). */
void          kvmrt_gs_vm_stats_write_json (const KvmrtGsVmStats *vm, gpointer json_writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtGsStats, kvmrt_gs_stats_free)

G_END_DECLS
