/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtIrqSampler: proc/interrupts read again and again, for displays that refresh (rttools'
 * cpi, the interrupt viewer). It keeps the file open and its buffers between samples; a sample
 * whose rows and columns are those of the previous one (the usual case) only has its counts
 * parsed, in place. When they differ (an IRQ came or went, a CPU went on- or offline) the rows
 * are parsed whole again, with the host model's parser, and deltas are matched by IRQ name and
 * CPU. Deltas are the counts since the previous sample (0 at the first); a count that went
 * down (a counter reset) counts from 0.
 *
 * Cost: one read of the file and one pass over its digits per sample. */
#pragma once

#include "kvmrt-host.h"

G_BEGIN_DECLS

typedef struct _KvmrtIrqSampler KvmrtIrqSampler;

/* Opens proc/interrupts below @sysroot and takes the first sample. */
KvmrtIrqSampler *kvmrt_irq_sampler_new         (const char *sysroot, GError **error);
void             kvmrt_irq_sampler_free        (KvmrtIrqSampler *self);
/* Takes the next sample. */
gboolean         kvmrt_irq_sampler_sample      (KvmrtIrqSampler *self, GError **error);
/* The CPU (guint) of each count column of the latest sample. */
const GArray    *kvmrt_irq_sampler_get_columns (KvmrtIrqSampler *self);
guint            kvmrt_irq_sampler_get_n_rows  (KvmrtIrqSampler *self);
/* Row @row of the latest sample: name, number, chip, actions, description and its counts
 * (the affinity fields are NULL: the host model has them). */
const KvmrtIrq  *kvmrt_irq_sampler_get_row     (KvmrtIrqSampler *self, guint row);
/* Per column of row @row (as many as its counts): the increase since the previous sample. */
const guint64   *kvmrt_irq_sampler_get_deltas  (KvmrtIrqSampler *self, guint row);
/* Deltas of row @row, column @column per second of the last interval; 0 after the first. */
double           kvmrt_irq_sampler_get_rate    (KvmrtIrqSampler *self, guint row, guint column);
/* Seconds between the previous sample and the latest (monotonic clock); 0 after the first. */
double           kvmrt_irq_sampler_get_interval (KvmrtIrqSampler *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtIrqSampler, kvmrt_irq_sampler_free)

G_END_DECLS
