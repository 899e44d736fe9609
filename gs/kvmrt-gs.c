/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The nine calls of kvmrt_gs(3): each writes its guest event, sends its request, and maps the
 * answer onto the return value and errno. One lock makes the calls of a process take turns
 * on the port (the kernel lets one opener hold it). */
#define _GNU_SOURCE
#include "kvmrt-gs.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-gs-frame.h"
#include "kvmrt-gs-private.h"

static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t next_seq;

/* Sequence numbers pair a guest event with its host event. Each process starts at its own
 * point so that two programs in one guest rarely share one. */
static uint32_t
take_seq (void)
{
  uint32_t seq;

  if (next_seq == 0)
    next_seq = ((uint32_t) getpid () * 2654435761u) | 1;
  seq = next_seq++;
  if (next_seq == 0)
    next_seq = 1;
  return seq;
}

static uint16_t
current_vcpu (void)
{
  int cpu = sched_getcpu ();

  return cpu >= 0 && cpu < KVMRT_GS_VCPU_UNKNOWN ? (uint16_t) cpu : KVMRT_GS_VCPU_UNKNOWN;
}

/* Hex of at most KVMRT_GS_MAX_LOGGED bytes, as the host writes it. */
static void
to_hex (char *out, const uint8_t *data, size_t size)
{
  static const char digits[] = "0123456789abcdef";

  if (size > KVMRT_GS_MAX_LOGGED)
    size = KVMRT_GS_MAX_LOGGED;
  for (size_t i = 0; i < size; i++)
    {
      *out++ = digits[data[i] >> 4];
      *out++ = digits[data[i] & 15];
    }
  *out = '\0';
}

/* One request under the lock; returns the call's value, or -1 with errno. */
static long
call (uint8_t type, uint32_t seq, uint16_t vcpu, const void *payload, size_t length,
      const char *guest_event)
{
  uint32_t value = 0;
  int error = kvmrt_gs_port_call (type, vcpu, seq, payload, length, guest_event, &value);

  if (error != 0)
    {
      errno = error;
      return -1;
    }
  return (long) value;
}

static uint32_t
host_capabilities (void)
{
  long caps;
  int saved = errno;

  pthread_mutex_lock (&call_lock);
  caps = call (KVMRT_GS_FRAME_HELLO, take_seq (), current_vcpu (), NULL, 0, NULL);
  pthread_mutex_unlock (&call_lock);
  if (caps < 0)
    return 0;
  errno = saved;
  return (uint32_t) caps | 0x80000000u;   /* the high bit: the host answered */
}

bool
kvmrt_gs_available (void)
{
  return host_capabilities () != 0;
}

bool
kvmrt_gs_ping_available (void)
{
  return (host_capabilities () & KVMRT_GS_CAP_PING) != 0;
}

bool
kvmrt_gs_log_msg_available (void)
{
  return (host_capabilities () & KVMRT_GS_CAP_LOG_MSG) != 0;
}

bool
kvmrt_gs_xtrace_flush_available (void)
{
  return (host_capabilities () & KVMRT_GS_CAP_FLUSH) != 0;
}

bool
kvmrt_gs_xtrace_log_data_available (void)
{
  return (host_capabilities () & KVMRT_GS_CAP_LOG_DATA) != 0;
}

long
kvmrt_gs_ping (unsigned long cookie)
{
  uint8_t payload[8];
  char event[128];
  uint16_t vcpu = current_vcpu ();
  uint32_t seq;
  long result;

  kvmrt_gs_put_u64 (payload, cookie);
  pthread_mutex_lock (&call_lock);
  seq = take_seq ();
  snprintf (event, sizeof event, "KVMRT_GS_PING_GUEST seq=%u vcpu=%u cookie=%#lx", seq, vcpu,
            cookie);
  result = call (KVMRT_GS_FRAME_PING, seq, vcpu, payload, sizeof payload, event);
  pthread_mutex_unlock (&call_lock);
  return result < 0 ? -1 : 0;
}

long
kvmrt_gs_log_msg (char *msg)
{
  char event[KVMRT_GS_MAX_LOGGED + 128];
  uint16_t vcpu = current_vcpu ();
  size_t length;
  uint32_t seq;
  long result;

  if (msg == NULL)
    {
      errno = EINVAL;
      return -1;
    }
  length = strnlen (msg, KVMRT_GS_MAX_PAYLOAD);
  pthread_mutex_lock (&call_lock);
  seq = take_seq ();
  snprintf (event, sizeof event, "KVMRT_GS_LOG_MSG_GUEST seq=%u vcpu=%u msg=%.*s", seq, vcpu,
            (int) (length < KVMRT_GS_MAX_LOGGED ? length : KVMRT_GS_MAX_LOGGED), msg);
  result = call (KVMRT_GS_FRAME_LOG_MSG, seq, vcpu, msg, length, event);
  pthread_mutex_unlock (&call_lock);
  return result;
}

long
kvmrt_gs_xtrace_flush (unsigned long scope)
{
  uint8_t payload[4];
  char event[128];
  uint16_t vcpu = current_vcpu ();
  uint32_t seq;
  long result;

  if (scope > KVMRT_GS_XTRACE_CPU_ALL)
    {
      errno = EINVAL;
      return -1;
    }
  kvmrt_gs_put_u32 (payload, (uint32_t) scope);
  pthread_mutex_lock (&call_lock);
  seq = take_seq ();
  snprintf (event, sizeof event, "KVMRT_GS_FLUSH_GUEST seq=%u vcpu=%u scope=%lu", seq, vcpu,
            scope);
  result = call (KVMRT_GS_FRAME_FLUSH, seq, vcpu, payload, sizeof payload, event);
  pthread_mutex_unlock (&call_lock);
  return result < 0 ? -1 : 0;
}

long
kvmrt_gs_xtrace_log_data (void *data, long size)
{
  char hex[2 * KVMRT_GS_MAX_LOGGED + 1];
  char event[sizeof hex + 128];
  uint16_t vcpu = current_vcpu ();
  size_t length;
  uint32_t seq;
  long result;

  if (size < 0 || (data == NULL && size > 0))
    {
      errno = EINVAL;
      return -1;
    }
  length = (size_t) size < KVMRT_GS_MAX_PAYLOAD ? (size_t) size : KVMRT_GS_MAX_PAYLOAD;
  to_hex (hex, data, length);
  pthread_mutex_lock (&call_lock);
  seq = take_seq ();
  snprintf (event, sizeof event, "KVMRT_GS_LOG_DATA_GUEST seq=%u vcpu=%u size=%zu data=%s", seq,
            vcpu, length, hex);
  result = call (KVMRT_GS_FRAME_LOG_DATA, seq, vcpu, data, length, event);
  pthread_mutex_unlock (&call_lock);
  return result;
}
