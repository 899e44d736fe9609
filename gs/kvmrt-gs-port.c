/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest end of the channel: find the virtio-serial port named org.kvmrt.gs.0, send a
 * frame, wait for the reply with the same sequence number. The port is opened for each call
 * and closed after it: the kernel lets one process at a time hold a port open, and a guest
 * may run several programs that use Guest Services. Every wait is bounded by the call's
 * deadline, so a host that is gone costs at most that long. */
#define _GNU_SOURCE
#include "kvmrt-gs-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "kvmrt-gs-frame.h"

#define DEFAULT_TIMEOUT_MS 2000
#define BUSY_RETRY_NS      (1000 * 1000)

int
kvmrt_gs_timeout_ms (void)
{
  const char *text = getenv ("KVMRT_GS_TIMEOUT_MS");
  long value = text != NULL ? strtol (text, NULL, 10) : 0;

  return value > 0 && value <= 600000 ? (int) value : DEFAULT_TIMEOUT_MS;
}

static int64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The port's device: $KVMRT_GS_PORT, udev's link, or the vport whose sysfs name matches. */
static int
find_port (char *path, size_t size)
{
  const char *env = getenv ("KVMRT_GS_PORT");
  DIR *dir;
  struct dirent *entry;
  int found = 0;

  if (env != NULL && *env != '\0')
    return snprintf (path, size, "%s", env) < (int) size;
  snprintf (path, size, "/dev/virtio-ports/%s", KVMRT_GS_CHANNEL_NAME);
  if (access (path, F_OK) == 0)
    return 1;
  dir = opendir ("/sys/class/virtio-ports");
  while (dir != NULL && !found && (entry = readdir (dir)) != NULL)
    {
      char name_path[PATH_MAX], name[64] = "";
      FILE *file;

      if (entry->d_name[0] == '.')
        continue;
      snprintf (name_path, sizeof name_path, "/sys/class/virtio-ports/%s/name", entry->d_name);
      if ((file = fopen (name_path, "re")) == NULL)
        continue;
      if (fgets (name, sizeof name, file) != NULL)
        name[strcspn (name, "\n")] = '\0';
      fclose (file);
      if (strcmp (name, KVMRT_GS_CHANNEL_NAME) == 0)
        found = snprintf (path, size, "/dev/%s", entry->d_name) < (int) size;
    }
  if (dir != NULL)
    closedir (dir);
  return found;
}

/* A UNIX socket standing in for the port (tests of the library on the host). */
static int
connect_socket (const char *path)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof address.sun_path)
    return -1;
  strcpy (address.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd >= 0 && connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      int saved = errno;

      close (fd);
      errno = saved == ECONNREFUSED || saved == ENOENT ? ENOTCONN : saved;
      return -1;
    }
  return fd;
}

/* Opens the port, waiting (until @deadline) while another process holds it. */
static int
open_port (int64_t deadline)
{
  char path[PATH_MAX];

  if (!find_port (path, sizeof path))
    return -ENODEV;
  for (;;)
    {
      int fd = open (path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

      if (fd >= 0)
        return fd;
      if (errno == ENXIO)   /* a socket, not a device */
        return (fd = connect_socket (path)) >= 0 ? fd : -errno;
      if (errno == ENOENT)
        return -ENODEV;
      if (errno != EBUSY || now_ms () >= deadline)
        return -errno;
      nanosleep (&(struct timespec) { 0, BUSY_RETRY_NS }, NULL);
    }
}

/* Waits for @events on @fd until @deadline: 0 ready, else an errno value. */
static int
wait_for (int fd, short events, int64_t deadline)
{
  for (;;)
    {
      struct pollfd p = { fd, events, 0 };
      int64_t left = deadline - now_ms ();
      int n;

      if (left <= 0)
        return ETIMEDOUT;
      n = poll (&p, 1, (int) left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno;
      if (n == 0)
        return ETIMEDOUT;
      if (p.revents & events)
        return 0;
      if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
        return ENOTCONN;
    }
}

static int
send_all (int fd, const uint8_t *data, size_t length, int64_t deadline)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);
      int error;

      if (n > 0)
        {
          data += n;
          length -= (size_t) n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno != EAGAIN)
        return errno == EPIPE || errno == ECONNRESET ? ENOTCONN : errno;
      if ((error = wait_for (fd, POLLOUT, deadline)) != 0)
        return error;
    }
  return 0;
}

/* Reads until the reply to @seq arrives. */
static int
receive_reply (int fd, uint32_t seq, int64_t deadline, uint32_t *value)
{
  KvmrtGsDecoder decoder;
  KvmrtGsFrame frame;
  uint8_t chunk[512];

  kvmrt_gs_decoder_init (&decoder);
  for (;;)
    {
      int error;
      ssize_t n;
      size_t space;

      while (kvmrt_gs_decoder_next (&decoder, &frame))
        if (frame.type == KVMRT_GS_FRAME_REPLY && frame.seq == seq && frame.length >= 8)
          {
            *value = kvmrt_gs_get_u32 (frame.payload + 4);
            return (int) kvmrt_gs_get_u32 (frame.payload);
          }
      if ((error = wait_for (fd, POLLIN, deadline)) != 0)
        return error;
      space = kvmrt_gs_decoder_space (&decoder);
      n = read (fd, chunk, space < sizeof chunk ? space : sizeof chunk);
      if (n == 0)
        return ENOTCONN;
      if (n < 0 && errno != EINTR && errno != EAGAIN)
        return errno;
      if (n > 0)
        kvmrt_gs_decoder_push (&decoder, chunk, (size_t) n);
    }
}

int
kvmrt_gs_port_call (uint8_t type, uint16_t vcpu, uint32_t seq, const void *payload,
                    size_t length, const char *guest_event, uint32_t *value)
{
  int64_t deadline = now_ms () + kvmrt_gs_timeout_ms ();
  uint8_t frame[KVMRT_GS_MAX_FRAME];
  size_t size = kvmrt_gs_frame_encode (frame, type, vcpu, seq, payload, length);
  int fd, error;

  if (size == 0)
    return EMSGSIZE;
  fd = open_port (deadline);
  if (fd < 0)
    return -fd;
  if (guest_event != NULL)
    kvmrt_gs_trace_guest (guest_event);
  error = send_all (fd, frame, size, deadline);
  if (error == 0)
    error = receive_reply (fd, seq, deadline, value);
  close (fd);
  return error;
}
