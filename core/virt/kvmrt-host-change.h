/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An operator's changes to the host state (rttools' irq-affinity, task-affinity and
 * cpus --online/--offline), made so that kvmrt's tuning stays right:
 *
 *   - under the tuner's host lock, so a change never interleaves with kvmrt-boot or kvmrtd
 *     tuning the host;
 *   - refused (KVMRT_HOST_CHANGE_ERROR_REFUSED, naming the VM) when it would give work to a
 *     CPU that a tuned real-time VM of the journal holds (its shielded CPUs and the siblings it
 *     took offline), or take away a CPU such a VM runs on, unless @force; the interrupt of a
 *     device passed through to such a VM may go to that VM's IRQ CPU, as the tuner sends it;
 *   - through the journal: a file whose original value the tuner keeps (it changed the file
 *     for a real-time VM), or a kernel thread whose original affinity it keeps (it moved the
 *     thread off the real-time CPUs), gets the operator's value as its new original, saved
 *     before the change and put back if the change fails. So the tuner derives its wanted value from what the operator asked, restores
 *     that value, not the older one, when the last VM stops, and a restarted kvmrtd finds the
 *     same. A forced change that conflicts with a tuned VM is what kvmrt-stat reports as that
 *     VM's drift, and the next kvmrt-boot or kvmrtd recovery corrects it.
 *
 * Files are written as the tuner writes them (RedHawk's cpu(1) for CPU state on RedHawk). */
#pragma once

#include "kvmrt-host.h"

G_BEGIN_DECLS

#define KVMRT_HOST_CHANGE_ERROR (kvmrt_host_change_error_quark ())
typedef enum {
  KVMRT_HOST_CHANGE_ERROR_REFUSED,   /* a tuned real-time VM holds a CPU it concerns */
  KVMRT_HOST_CHANGE_ERROR_INVALID,   /* no such IRQ, CPU or thread, or no CPU left to use */
  KVMRT_HOST_CHANGE_ERROR_FAILED,    /* the kernel, the journal or the lock said no */
} KvmrtHostChangeError;

GQuark   kvmrt_host_change_error_quark   (void);

/* proc/irq/@irq/smp_affinity_list := @cpus (online CPUs of @host). */
gboolean kvmrt_host_change_irq_affinity  (KvmrtHost        *host,
                                          guint             irq,
                                          const KvmrtIdSet *cpus,
                                          gboolean          force,
                                          GError          **error);
/* Each CPU of @cpus on- or offline (those already so are left alone). All CPUs are checked
 * before any is changed; @changed (may be NULL) receives the CPUs changed, also on failure. */
gboolean kvmrt_host_change_cpus_online   (KvmrtHost        *host,
                                          const KvmrtIdSet *cpus,
                                          gboolean          online,
                                          gboolean          force,
                                          KvmrtIdSet       *changed,
                                          GError          **error);
/* The CPU affinity of thread @tid (sched_setaffinity; the running host only). A thread the
 * tuner moved keeps @cpus as its journaled original. */
gboolean kvmrt_host_change_task_affinity (KvmrtHost        *host,
                                          int               tid,
                                          const KvmrtIdSet *cpus,
                                          gboolean          force,
                                          GError          **error);

G_END_DECLS
