/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside a guest: the round trip of kvmrt_gs_ping() (median and 99th percentile over N
 * pings) and how many kvmrt_gs_log_msg() calls per second it sustains for SECONDS. Prints one
 * "BENCH ..." line for tests/bench/bench-gs.py. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvmrt-gs.h"

static double
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
compare (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  int pings = argc > 1 ? atoi (argv[1]) : 500;
  double seconds = argc > 2 ? atof (argv[2]) : 5;
  double *took = calloc ((size_t) pings, sizeof *took);
  long messages = 0, failed = 0;
  double start, end, total = 0;

  for (int i = 0; i < pings; i++)
    {
      double before = now_us ();

      if (kvmrt_gs_ping ((unsigned long) i) < 0)
        {
          printf ("BENCH-FAIL ping %d: %s\n", i, strerror (errno));
          return 1;
        }
      took[i] = now_us () - before;
      total += took[i];
    }
  qsort (took, (size_t) pings, sizeof *took, compare);
  start = now_us ();
  end = start + seconds * 1e6;
  while (now_us () < end)
    if (kvmrt_gs_log_msg ("bench: a short message of about forty bytes") < 0)
      failed++;
    else
      messages++;
  printf ("BENCH pings=%d ping_median_us=%.0f ping_p99_us=%.0f ping_mean_us=%.0f "
          "log_msg_per_s=%.0f log_msg_failed=%ld\n", pings, took[pings / 2],
          took[(pings * 99) / 100], total / pings,
          messages / ((now_us () - start) / 1e6), failed);
  free (took);
  return 0;
}
