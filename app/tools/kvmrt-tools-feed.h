/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtToolsFeed: what a Tools viewer shows, kept current. It follows a window's manager (its
 * host, configuration, plan and the VMs' states, so --sysroot and --demo come along) and reads
 * a KvmrtHostSample of that host in a worker thread: every interval while not paused, and at
 * once when a VM boots, stops or is retuned. The worker runs only on the host's housekeeping
 * CPUs, never on a CPU shielded for a real-time VM. Each new sample comes with the ownership
 * of every CPU and device computed from it ("updated" signal). */
#pragma once

#include <gtk/gtk.h>

#include "kvmrt-diagnostic-index.h"
#include "kvmrt-host-sample.h"
#include "kvmrt-manager.h"
#include "kvmrt-ownership.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_TOOLS_FEED_SAMPLE = 0,       /* a sample of what the flags ask */
  KVMRT_TOOLS_FEED_HOST   = 1 << 0,  /* also load the host again (topology, PCI, drivers) */
} KvmrtToolsFeedFlags;

#define KVMRT_TYPE_TOOLS_FEED (kvmrt_tools_feed_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtToolsFeed, kvmrt_tools_feed, KVMRT, TOOLS_FEED, GObject)

KvmrtToolsFeed  *kvmrt_tools_feed_new           (KvmrtManager         *manager,
                                                 KvmrtToolsFeedFlags   flags,
                                                 KvmrtHostSampleFlags  sample_flags);
KvmrtManager    *kvmrt_tools_feed_get_manager   (KvmrtToolsFeed *self);
/* The host as last read (the manager's until the feed loaded its own). */
KvmrtHost       *kvmrt_tools_feed_get_host      (KvmrtToolsFeed *self);
/* The newest sample and the one before it (NULL until there are that many). */
const KvmrtHostSample *kvmrt_tools_feed_get_sample   (KvmrtToolsFeed *self);
const KvmrtHostSample *kvmrt_tools_feed_get_previous (KvmrtToolsFeed *self);
/* Owners from the newest sample; NULL before the first. */
KvmrtOwnership  *kvmrt_tools_feed_get_ownership (KvmrtToolsFeed *self);
/* The errors and warnings of the manager's configuration as planned on its host (the
 * validator's, kvmrt-validator.h), indexed by the CPUs, nodes and devices they name; redone
 * with the first sample after the configuration or the host changed. NULL before the first
 * sample and without a configuration. */
KvmrtDiagnosticIndex *kvmrt_tools_feed_get_findings (KvmrtToolsFeed *self);
/* @findings (from the index) as the viewers show them, "Error: …" or "Warning: …" each,
 * joined by @separator; "" for NULL. */
char            *kvmrt_tools_findings_to_text  (GPtrArray  *findings,
                                                const char *separator);
/* The QEMU PID of each running VM, keyed by the KvmrtVm (borrowed), from the manager. */
int              kvmrt_tools_feed_get_vm_pid    (KvmrtToolsFeed *self, KvmrtVm *vm);
/* Milliseconds between samples; 0 samples only on VM events and refresh(). */
void             kvmrt_tools_feed_set_interval  (KvmrtToolsFeed *self, guint interval_ms);
guint            kvmrt_tools_feed_get_interval  (KvmrtToolsFeed *self);
void             kvmrt_tools_feed_set_paused    (KvmrtToolsFeed *self, gboolean paused);
gboolean         kvmrt_tools_feed_get_paused    (KvmrtToolsFeed *self);
/* The "feed" action group on @widget: feed.interval (u, milliseconds) and feed.paused (b),
 * stateful, for menus, toggle buttons and shortcuts. */
void             kvmrt_tools_feed_add_actions   (KvmrtToolsFeed *self,
                                                 GtkWidget      *widget);
/* Reads a sample now (one at a time: a request while one is read is kept for after). */
void             kvmrt_tools_feed_refresh       (KvmrtToolsFeed *self);
/* Counts start over: the next sample becomes the base (read at once). */
void             kvmrt_tools_feed_reset         (KvmrtToolsFeed *self);
/* The sample counts since the last reset are taken from; NULL before a reset (counts are
 * then those since the host started). */
const KvmrtHostSample *kvmrt_tools_feed_get_base (KvmrtToolsFeed *self);
/* The CPUs the last worker ran on (the housekeeping set it gave itself); NULL before. */
const KvmrtIdSet *kvmrt_tools_feed_get_worker_cpus (KvmrtToolsFeed *self);

/* Properties: "interval" (guint ms), "paused" (gboolean).
 * Signals:
 *   "updated" ()   a new sample and ownership are there
 *   "failed" (const char *message)   reading the host failed */

G_END_DECLS
