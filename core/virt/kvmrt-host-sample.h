/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtHostSample: what the Tools viewers show of a host at one moment, taken in one go from
 * the same code as the rttools commands: the host model loaded again (online CPUs, each IRQ's
 * affinity) with its KvmrtCpuSnapshot (the tuned VM holding each CPU, the IRQs and threads
 * allowed on it; as `cpus` and `cpustat` show them), the interrupt counts and their increase
 * since the previous sample from a KvmrtIrqSampler (as `cpi` shows them), each CPU's time
 * counters (proc/stat, for its load) and the tuner's journal. The viewers read one a second
 * in a worker thread. */
#pragma once

#include "kvmrt-cpu-snapshot.h"
#include "kvmrt-host.h"
#include "kvmrt-irq-sampler.h"
#include "kvmrt-journal.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_HOST_SAMPLE_ONLINE = 0,        /* always: the journal, online CPUs */
  KVMRT_HOST_SAMPLE_TIMES  = 1 << 0,   /* proc/stat per CPU */
  KVMRT_HOST_SAMPLE_CPUS   = 1 << 1,   /* the host again (no PCI) and its CPU snapshot with
                                        * threads */
  KVMRT_HOST_SAMPLE_IRQS   = 1 << 2,   /* interrupt counts from the sampler given */
} KvmrtHostSampleFlags;

typedef struct {
  guint64 busy;             /* jiffies not idle nor iowait */
  guint64 total;
} KvmrtCpuTimes;

typedef struct {
  gint64            time;      /* g_get_monotonic_time() when read */
  guint             n_cpus;    /* of the host given to read() */
  KvmrtIdSet       *online;
  KvmrtHost        *host;      /* with CPUS: loaded for this sample; else NULL */
  KvmrtCpuSnapshot *snapshot;  /* with CPUS; else NULL */
  KvmrtCpuTimes    *times;     /* per CPU number (n_cpus), zero where not read */
  GPtrArray        *irqs;      /* KvmrtIrq* (counts, no affinity), proc/interrupts order;
                                * empty without IRQS */
  GArray           *irq_cpus;  /* guint: the CPU of each count column */
  GArray           *deltas;    /* guint64: per row, one per column (stride irq_cpus->len):
                                * the increase since the sampler's previous sample */
  double            interval;  /* seconds the deltas cover; 0 on the first sample */
  KvmrtJournal     *journal;   /* never NULL (empty when nothing is tuned) */
} KvmrtHostSample;

/* Reads a sample of @host's sysroot; @irqs is the sampler to advance (with IRQS). Without
 * CPUS, the online CPUs are @host's. */
KvmrtHostSample *kvmrt_host_sample_read (KvmrtHost             *host,
                                         KvmrtIrqSampler       *irqs,
                                         KvmrtHostSampleFlags   flags,
                                         GError               **error);
void             kvmrt_host_sample_free (KvmrtHostSample *sample);

/* Load of @cpu between two samples, 0..1, or -1 when unknown (offline, not read). */
double           kvmrt_host_sample_load (const KvmrtHostSample *previous,
                                         const KvmrtHostSample *current,
                                         guint                  cpu);
/* The increase of row @row's count in column @column since the sampler's previous sample. */
guint64          kvmrt_host_sample_delta (const KvmrtHostSample *sample,
                                          guint                  row,
                                          guint                  column);
/* Row @row's count in column @column minus the count of the same IRQ (by name) and CPU in
 * @base, or the count itself when @base lacks either; 0 after a counter reset. */
guint64          kvmrt_host_sample_since (const KvmrtHostSample *base,
                                          const KvmrtHostSample *current,
                                          guint                  row,
                                          guint                  column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtHostSample, kvmrt_host_sample_free)

G_END_DECLS
