/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libkvmrt-gs: KVM-RT Guest Services for applications inside a guest (kvmrt_gs(3)).
 *
 * Each call sends one request over the virtio-serial port "org.kvmrt.gs.0" to kvmrtd on the
 * host and waits, at most a bounded time, for its answer. The host writes the matching
 * KVMRT_GS_*_HOST event into its trace buffer with its own clock; the library writes the
 * KVMRT_GS_*_GUEST event into the guest's ftrace (trace_marker) first, so the two traces can
 * be merged (kvmrt-gs-merge). Every call is thread-safe. On failure a call returns -1 (the
 * *_available probes false) and sets errno. */
#pragma once

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's only exported symbols (it is built with hidden visibility). */
#if defined(__GNUC__)
#define KVMRT_GS_API __attribute__ ((visibility ("default")))
#else
#define KVMRT_GS_API
#endif

/* Scopes of kvmrt_gs_xtrace_flush(). */
#define KVMRT_GS_XTRACE_CPU_CURRENT 0UL   /* the host CPU running the calling vCPU */
#define KVMRT_GS_XTRACE_CPU_VM      1UL   /* every host CPU serving this VM */
#define KVMRT_GS_XTRACE_CPU_ALL     2UL   /* every host CPU */

KVMRT_GS_API bool kvmrt_gs_available                 (void);
KVMRT_GS_API bool kvmrt_gs_ping_available            (void);
KVMRT_GS_API bool kvmrt_gs_log_msg_available         (void);
KVMRT_GS_API bool kvmrt_gs_xtrace_flush_available    (void);
KVMRT_GS_API bool kvmrt_gs_xtrace_log_data_available (void);

/* 0 once the host has logged the ping. */
KVMRT_GS_API long kvmrt_gs_ping            (unsigned long cookie);
/* The number of bytes of @msg the host logged (it may truncate). */
KVMRT_GS_API long kvmrt_gs_log_msg         (char *msg);
/* 0 once the host has flushed (or frozen) its trace for @scope. */
KVMRT_GS_API long kvmrt_gs_xtrace_flush    (unsigned long scope);
/* The number of bytes of @data the host logged (it may truncate). */
KVMRT_GS_API long kvmrt_gs_xtrace_log_data (void *data, long size);

#ifdef __cplusplus
}
#endif
