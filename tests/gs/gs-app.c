/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A guest application using libkvmrt-gs, for the end-to-end test (tests/test-gs-guest.py):
 * probes, pings, a message bracket, a data block, and four threads pinging at once (the
 * calls are thread-safe). Linked statically; prints "APP ..." lines the test reads. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kvmrt-gs.h"

#define THREADS 4
#define THREAD_PINGS 10

static int failures;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void
expect (long result, const char *what)
{
  if (result >= 0)
    return;
  pthread_mutex_lock (&lock);
  failures++;
  printf ("APP fail %s: %s\n", what, strerror (errno));
  pthread_mutex_unlock (&lock);
}

static void *
pinger (void *data)
{
  unsigned long base = 0x2000 + 0x100 * (unsigned long) (size_t) data;

  for (unsigned long i = 0; i < THREAD_PINGS; i++)
    expect (kvmrt_gs_ping (base + i), "thread ping");
  return NULL;
}

int
main (void)
{
  unsigned char data[16];
  pthread_t threads[THREADS];

  printf ("APP available=%d ping=%d log_msg=%d flush=%d log_data=%d\n",
          kvmrt_gs_available (), kvmrt_gs_ping_available (), kvmrt_gs_log_msg_available (),
          kvmrt_gs_xtrace_flush_available (), kvmrt_gs_xtrace_log_data_available ());
  expect (kvmrt_gs_log_msg ("app: about to start A"), "log_msg");
  for (unsigned long cookie = 0x1001; cookie <= 0x1005; cookie++)
    expect (kvmrt_gs_ping (cookie), "ping");
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (unsigned char) (i * 17);
  expect (kvmrt_gs_xtrace_log_data (data, sizeof data) == sizeof data ? 0 : -1, "log_data");
  for (size_t t = 0; t < THREADS; t++)
    pthread_create (&threads[t], NULL, pinger, (void *) t);
  for (size_t t = 0; t < THREADS; t++)
    pthread_join (threads[t], NULL);
  expect (kvmrt_gs_log_msg ("app: just finished A"), "log_msg");
  errno = 0;
  if (kvmrt_gs_xtrace_flush (7) != -1 || errno != EINVAL)
    {
      failures++;
      printf ("APP fail a bad scope was not refused with EINVAL\n");
    }
  printf ("APP %s (%d failures)\n", failures == 0 ? "ok" : "failed", failures);
  return failures == 0 ? 0 : 1;
}
