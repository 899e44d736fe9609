/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A hostile guest for the end-to-end test: for SECONDS it writes garbage, headers that claim
 * huge or impossible frames, frames with a bad CRC, half frames and good frames as fast as its
 * port takes them, never reading what the host answers. Prints "FLOOD bytes=N". */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvmrt-gs-frame.h"

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One hostile chunk of kind @kind into @out; returns its size. */
static size_t
make_chunk (uint8_t *out, unsigned kind, uint32_t *seed)
{
  uint8_t payload[KVMRT_GS_MAX_PAYLOAD];
  size_t size;

  switch (kind % 5)
    {
    case 0:   /* garbage, with sync bytes in it */
      for (size = 0; size < 4096; size++)
        out[size] = (uint8_t) ((*seed = *seed * 1103515245 + 12345) >> 16);
      return size;
    case 1:   /* a header claiming 65535 bytes */
      size = kvmrt_gs_frame_encode (out, KVMRT_GS_FRAME_LOG_DATA, 0, kind, NULL, 0);
      out[4] = out[5] = 0xFF;
      return size;
    case 2:   /* a good frame with its CRC broken */
      memset (payload, 'x', 1000);
      size = kvmrt_gs_frame_encode (out, KVMRT_GS_FRAME_LOG_MSG, 0, kind, payload, 1000);
      out[12] ^= 0x55;
      return size;
    case 3:   /* half of the largest frame */
      memset (payload, 0xFF, sizeof payload);
      return kvmrt_gs_frame_encode (out, KVMRT_GS_FRAME_LOG_DATA, 0, kind, payload,
                                    sizeof payload) / 2;
    default:  /* a good ping */
      memset (payload, 0, 8);
      return kvmrt_gs_frame_encode (out, KVMRT_GS_FRAME_PING, 0, kind, payload, 8);
    }
}

int
main (int argc, char **argv)
{
  const char *port = getenv ("KVMRT_GS_PORT");
  double seconds = argc > 1 ? atof (argv[1]) : 10, end = now () + seconds;
  uint8_t chunk[KVMRT_GS_MAX_FRAME + 4096];
  unsigned long long written = 0;
  uint32_t seed = 1;
  unsigned kind = 0;
  int fd = port != NULL ? open (port, O_RDWR | O_NONBLOCK) : -1;

  if (fd < 0)
    {
      printf ("FLOOD cannot open %s: %s\n", port ? port : "(KVMRT_GS_PORT unset)",
              strerror (errno));
      return 1;
    }
  while (now () < end)
    {
      size_t size = make_chunk (chunk, kind++, &seed);
      ssize_t n = write (fd, chunk, size);

      if (n > 0)
        written += (unsigned long long) n;
      else if (n < 0 && errno == EAGAIN)
        poll (&(struct pollfd) { fd, POLLOUT, 0 }, 1, 10);
    }
  printf ("FLOOD bytes=%llu\n", written);
  return 0;
}
