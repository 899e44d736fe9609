/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host tuning for real-time VMs on a stock Linux kernel (chapter 3 of the manual, done with
 * sysfs, /proc and cgroups instead of RedHawk's shield command):
 *   - the sibling threads of a real-time VM's cores go offline;
 *   - every other task is confined to the remaining CPUs (cpuset.cpus of the top-level
 *     cgroups other than libvirt's machine group, cgroup v2 or v1);
 *   - every IRQ that may run on a real-time CPU is moved off it, except the interrupts of the
 *     VM's own passed-through devices, which go to its IRQ CPU;
 *   - on the live host, the VM's vCPU threads get SCHED_FIFO.
 *
 * The wanted host state is computed from every tuned VM at once (two real-time VMs share the
 * host's settings), and reached by writing only what differs. Each file's original value goes
 * into the journal (kvmrt-journal.h) before its first change; when no tuned VM needs a change
 * any more, the original is written back. So applying twice changes nothing, releasing the last
 * VM leaves the host as it was, and a run after a crash finishes or undoes what the journal
 * says. Memory locking is done by libvirt (<memoryBacking><locked/>). */
#pragma once

#include "kvmrt-host.h"
#include "kvmrt-plan.h"

G_BEGIN_DECLS

typedef struct {
  GPtrArray *changes;    /* char*: what was changed ("CPU 48 offline") */
  GPtrArray *problems;   /* char*: what the host refused, what it means and what to do */
} KvmrtTuneReport;

KvmrtTuneReport *kvmrt_tune_report_new  (void);
void             kvmrt_tune_report_free (KvmrtTuneReport *report);

/* Tunes the host for @plan's VM (nothing for a VM that is not real-time). @qemu_pid (0 if
 * unknown) is used for the thread settings on the live host. FALSE only when the journal cannot
 * be kept (then nothing unjournaled was changed); refusals by the host go into @report. */
gboolean kvmrt_tuner_apply   (const char        *sysroot,
                              KvmrtHost         *host,
                              const KvmrtVmPlan *plan,
                              int                qemu_pid,
                              KvmrtTuneReport   *report,
                              GError           **error);
/* Takes the VM out of the tuning and restores what no other tuned VM needs. A release is whole
 * or it failed: FALSE when the journal cannot be kept, and also when the host refused to take
 * back an original value; then @error names each such file (it stays in the journal, and
 * kvmrt_tuner_give_back() tries it again), and @report still lists what was changed back. */
gboolean kvmrt_tuner_release (const char       *sysroot,
                              KvmrtHost        *host,
                              const char       *uuid,
                              KvmrtTuneReport  *report,
                              GError          **error);
/* Restores the originals the journal holds that no tuned VM needs (left by a release the host
 * refused, or one a crash cut short) and, when no VM is tuned, the kernel threads' affinities;
 * the tuned VMs' settings are not touched. @n_held (may be NULL) receives how many such
 * leftovers there were (0: nothing to do). FALSE when the journal cannot be kept or the host
 * refused one again: @error names each file that stays. */
gboolean kvmrt_tuner_give_back (const char      *sysroot,
                                KvmrtHost       *host,
                                guint           *n_held,
                                KvmrtTuneReport *report,
                                GError         **error);
/* How many leftovers kvmrt_tuner_give_back() would try, changing nothing (0 when the journal
 * cannot be read): for the window, which says so while they are held. */
guint    kvmrt_tuner_count_leftovers (const char *sysroot,
                                      KvmrtHost  *host);
/* Brings the host to what the journal's VMs need (after a crash, or to retune). */
gboolean kvmrt_tuner_recover (const char       *sysroot,
                              KvmrtHost        *host,
                              KvmrtTuneReport  *report,
                              GError          **error);
/* What tuning the host for @plan's VM (beside the VMs tuned now) would change, one line
 * each (char*), changing nothing: the CPUs, cgroups, IRQs, workqueues and sysctls that
 * differ now, and the threads that would move or get SCHED_FIFO. Empty for a VM that is not
 * real-time. */
GPtrArray *kvmrt_tuner_preview (const char        *sysroot,
                                KvmrtHost         *host,
                                const KvmrtVmPlan *plan,
                                GError           **error);
/* Whether the VM's tuning is in force. @drift receives (char*) what is not: the VM is not
 * tuned, a CPU is online again, a cgroup may use a real-time CPU, an IRQ may run there, a vCPU
 * thread lost SCHED_FIFO. Always TRUE (and no drift) for a VM that is not real-time. */
gboolean kvmrt_tuner_check   (const char        *sysroot,
                              KvmrtHost         *host,
                              const KvmrtVmPlan *plan,
                              int                qemu_pid,
                              GPtrArray        **drift,
                              GError           **error);

/* The same check; @told also receives, item for item, what @drift says as a sentence for the
 * window: what is, and what it should be while which VM runs ("CPU 50 is online; it should be
 * offline while Vision Inspection runs"). The CLI keeps @drift's wording. */
gboolean kvmrt_tuner_check_told (const char        *sysroot,
                                 KvmrtHost         *host,
                                 const KvmrtVmPlan *plan,
                                 int                qemu_pid,
                                 GPtrArray        **drift,
                                 GPtrArray        **told,
                                 GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtTuneReport, kvmrt_tune_report_free)

G_END_DECLS
