/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's half of each event pair: one line into its own ftrace buffer through
 * trace_marker, which stamps it with the guest kernel's trace clock. */
#define _GNU_SOURCE
#include "kvmrt-gs-private.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const marker_paths[] = {
  "/sys/kernel/tracing/trace_marker",
  "/sys/kernel/debug/tracing/trace_marker",
};

/* Opened for each event: tracefs may be mounted, or the buffer made writable, at any time. */
static int
open_marker (void)
{
  const char *env = getenv ("KVMRT_GS_TRACE_MARKER");
  int fd = -1;

  if (env != NULL)
    return *env != '\0' ? open (env, O_WRONLY | O_CLOEXEC | O_APPEND) : -1;
  for (size_t i = 0; fd < 0 && i < sizeof marker_paths / sizeof *marker_paths; i++)
    fd = open (marker_paths[i], O_WRONLY | O_CLOEXEC);
  return fd;
}

void
kvmrt_gs_trace_guest (const char *event)
{
  char line[4096];
  int fd = open_marker ();
  int n;

  if (fd < 0)
    return;
  n = snprintf (line, sizeof line, "%s\n", event);
  if (n >= (int) sizeof line)
    {
      n = (int) sizeof line - 1;
      line[n - 1] = '\n';
    }
  /* One write: trace_marker turns each write into one event. */
  if (write (fd, line, (size_t) n) < 0)
    {
      /* Tracing is best effort: a full or disabled buffer must not fail the call. */
    }
  close (fd);
}
