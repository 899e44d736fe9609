/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the guest library's files share: the port transport and the guest trace writer. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* How long one call may take, in milliseconds: $KVMRT_GS_TIMEOUT_MS, else 2000. */
int  kvmrt_gs_timeout_ms      (void);

/* Sends one request and waits for its reply, within the call's time bound. Once the port is
 * open (this process's turn), @guest_event (may be NULL) goes into the guest's trace, so that
 * it precedes the host's event by the channel's latency alone. Returns 0 with
 * the reply's value in @value, or an errno value: ENODEV (no Guest Services port), EBUSY
 * (another process holds the port), ENOTCONN (no host side), ETIMEDOUT (no answer in time),
 * or the status the host answered with (EAGAIN, EOPNOTSUPP, EIO). */
int  kvmrt_gs_port_call       (uint8_t     type,
                               uint16_t    vcpu,
                               uint32_t    seq,
                               const void *payload,
                               size_t      length,
                               const char *guest_event,
                               uint32_t   *value);

/* Writes one line (without newline) into the guest's ftrace (trace_marker) when tracefs is
 * mounted and writable ($KVMRT_GS_TRACE_MARKER names another file); nothing otherwise. */
void kvmrt_gs_trace_guest     (const char *line);
