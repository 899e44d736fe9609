/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-gs-rate.h"

void
kvmrt_gs_rate_init (KvmrtGsRate *bucket, double rate, double burst, gint64 now_us)
{
  bucket->rate = rate > 0 ? rate : 1;
  bucket->burst = burst > 0 ? burst : 1;
  bucket->tokens = bucket->burst;
  bucket->last_us = now_us;
}

static void
refill (KvmrtGsRate *bucket, gint64 now_us)
{
  /* A clock that went back gives nothing (and takes nothing). */
  if (now_us > bucket->last_us)
    {
      bucket->tokens += bucket->rate * (double) (now_us - bucket->last_us) / G_USEC_PER_SEC;
      if (bucket->tokens > bucket->burst)
        bucket->tokens = bucket->burst;
    }
  bucket->last_us = now_us;
}

void
kvmrt_gs_rate_charge (KvmrtGsRate *bucket, double cost, gint64 now_us)
{
  refill (bucket, now_us);
  bucket->tokens -= cost;
}

gint64
kvmrt_gs_rate_wait_us (KvmrtGsRate *bucket, gint64 now_us)
{
  refill (bucket, now_us);
  if (bucket->tokens >= 0)
    return 0;
  /* Rounded up: waking a microsecond early would find the bucket still in debt. */
  return (gint64) (-bucket->tokens * G_USEC_PER_SEC / bucket->rate) + 1;
}

double
kvmrt_gs_rate_cost (guint n_frames, gsize n_bytes)
{
  return n_frames * KVMRT_GS_RATE_FRAME_COST
         + (double) ((n_bytes + KVMRT_GS_RATE_BYTES_BLOCK - 1) / KVMRT_GS_RATE_BYTES_BLOCK);
}
