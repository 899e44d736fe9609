/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrtd's Guest Services end: one thread, on the housekeeping CPUs, that connects to the
 * channel socket of each running VM with guest_services = true and answers its guest's
 * requests (ping, log_msg, xtrace_flush, xtrace_log_data) with KVMRT_GS_*_HOST events in a
 * host trace instance and messages in the journal or syslog. Each channel has a bounded
 * decoder and a token bucket of its own, and is read at most one chunk per main loop turn,
 * so no guest can make another wait or make the daemon grow. */
#pragma once

#include <kvmrt.h>

#include "kvmrt-libvirt.h"

G_BEGIN_DECLS

typedef struct {
  char   *tracefs;      /* where tracefs is mounted; NULL: found below the sysroot */
  char   *instance;     /* the trace instance's name */
  char   *log_target;   /* "journal:PATH", "syslog:PATH" or NULL (the system's) */
  double  rate;         /* tokens per second per VM (kvmrt-gs-rate.h) */
  double  burst;
} KvmrtdGsOptions;

typedef struct {
  char *uuid;
  char *name;           /* the VM's label: its name, else its UUID */
  char *socket;         /* the channel's host end (a UNIX socket QEMU listens on) */
} KvmrtdGsTarget;

typedef struct _KvmrtdGs KvmrtdGs;

KvmrtdGsTarget *kvmrtd_gs_target_new  (const char *uuid, const char *name, const char *socket);
void            kvmrtd_gs_target_free (KvmrtdGsTarget *target);

/* Starts the thread. */
KvmrtdGs *kvmrtd_gs_start  (const char *sysroot, const KvmrtdGsOptions *options);
/* The channels to serve from now on (KvmrtdGsTarget*; taken) and the CPUs the thread may
 * run on (taken; NULL or empty: unchanged). Channels that could not be connected are tried
 * again. */
void      kvmrtd_gs_update (KvmrtdGs   *gs,
                            GPtrArray  *targets,
                            KvmrtIdSet *housekeeping);
/* The update for @plan: the running VMs with guest_services = true, and the host's online
 * CPUs that no real-time VM shields. */
void      kvmrtd_gs_follow (KvmrtdGs     *gs,
                            KvmrtLibvirt *libvirt,
                            KvmrtPlan    *plan,
                            KvmrtHost    *host);
/* Closes every channel, removes the counters file and ends the thread. */
void      kvmrtd_gs_stop   (KvmrtdGs *gs);

G_END_DECLS
