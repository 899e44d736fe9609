/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The token bucket that bounds how much work one guest's Guest Services channel may cost the
 * host. Tokens refill at @rate per second up to @burst. Work is charged after it is done and
 * may run the bucket into debt; while it is in debt the channel is not read, so a flooding
 * guest only fills its own queues (its writes stall inside the guest). Pure: time is passed
 * in, so tests can drive it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  double rate;       /* tokens per second */
  double burst;      /* the most tokens the bucket holds */
  double tokens;     /* may be negative: debt */
  gint64 last_us;    /* when tokens was last brought up to date */
} KvmrtGsRate;

/* What one frame and each started block of garbage or payload bytes cost. */
#define KVMRT_GS_RATE_FRAME_COST  1.0
#define KVMRT_GS_RATE_BYTES_BLOCK 256

void     kvmrt_gs_rate_init     (KvmrtGsRate *bucket, double rate, double burst, gint64 now_us);
/* Charges @cost tokens (after refilling up to @now_us). */
void     kvmrt_gs_rate_charge   (KvmrtGsRate *bucket, double cost, gint64 now_us);
/* Microseconds until the bucket is out of debt; 0 when it is not in debt. */
gint64   kvmrt_gs_rate_wait_us  (KvmrtGsRate *bucket, gint64 now_us);
/* The cost of handling @n_frames frames in @n_bytes bytes read. */
double   kvmrt_gs_rate_cost     (guint n_frames, gsize n_bytes);

G_END_DECLS
