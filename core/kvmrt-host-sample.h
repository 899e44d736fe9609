/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtHostSample: what changes on a host from one second to the next, read below a sysroot
 * in one go: which CPUs are online, each CPU's time counters (proc/stat), the interrupt
 * counts per CPU with each IRQ's affinity (proc/interrupts, proc/irq/N), every thread with
 * the CPUs it may run on (proc/PID/task/TID/status) and the tuner's journal. Two samples give
 * rates and loads. The Tools viewers of the window read one a second, in a worker thread. */
#pragma once

#include "kvmrt-host.h"
#include "kvmrt-journal.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_HOST_SAMPLE_ONLINE   = 0,        /* always: online CPUs and the journal */
  KVMRT_HOST_SAMPLE_TIMES    = 1 << 0,   /* proc/stat per CPU */
  KVMRT_HOST_SAMPLE_IRQS     = 1 << 1,   /* proc/interrupts counts */
  KVMRT_HOST_SAMPLE_AFFINITY = 1 << 2,   /* with IRQS: proc/irq/N affinity lists */
  KVMRT_HOST_SAMPLE_TASKS    = 1 << 3,   /* every thread's allowed CPUs */
} KvmrtHostSampleFlags;

typedef struct {
  int         pid;          /* the process (thread group) */
  int         tid;
  char       *name;         /* comm */
  gboolean    kernel;       /* a kernel thread (no memory map) */
  KvmrtIdSet *allowed;      /* Cpus_allowed_list */
} KvmrtSampleTask;

typedef struct {
  guint64 busy;             /* jiffies not idle nor iowait */
  guint64 total;
} KvmrtCpuTimes;

typedef struct {
  gint64        time;       /* g_get_monotonic_time() when read */
  guint         n_cpus;     /* as the host given to read() */
  KvmrtIdSet   *online;
  KvmrtCpuTimes *times;     /* per CPU number (n_cpus), zero where not read */
  GPtrArray    *irqs;       /* KvmrtIrq*, in proc/interrupts order; empty without IRQS */
  GArray       *irq_cpus;   /* guint: the CPU of each count column */
  GPtrArray    *tasks;      /* KvmrtSampleTask*, by PID then TID; empty without TASKS */
  KvmrtJournal *journal;    /* never NULL (empty when nothing is tuned) */
} KvmrtHostSample;

/* Reads a sample of @host's sysroot. Fails only when the host cannot be read at all
 * (proc/interrupts missing on the live host, an unreadable journal). */
KvmrtHostSample *kvmrt_host_sample_read (KvmrtHost             *host,
                                         KvmrtHostSampleFlags   flags,
                                         GError               **error);
void             kvmrt_host_sample_free (KvmrtHostSample *sample);

/* Load of @cpu between two samples, 0..1, or -1 when unknown (offline, not read). */
double           kvmrt_host_sample_load (const KvmrtHostSample *previous,
                                         const KvmrtHostSample *current,
                                         guint                  cpu);
/* Count of @irq (a row of @current) on count column @column minus the same row's count in
 * @previous (matched by name), or 0 when @previous lacks it or the counter went back. */
guint64          kvmrt_host_sample_irq_delta (const KvmrtHostSample *previous,
                                              const KvmrtHostSample *current,
                                              guint                  row,
                                              guint                  column);
/* The CPUs the tuner keeps for the host: online minus every shielded CPU of the journal. */
KvmrtIdSet      *kvmrt_host_sample_housekeeping (const KvmrtHostSample *sample);

void             kvmrt_sample_task_free (KvmrtSampleTask *task);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtHostSample, kvmrt_host_sample_free)

G_END_DECLS
