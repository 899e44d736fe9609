/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Foreign work on real-time CPUs: for each CPU a real-time VM holds, what else may run there
 * (an IRQ of another device, a thread outside the VM's QEMU process, a sibling back online),
 * each with the reason it matters. Built on the CPU snapshot the rttools commands print (the
 * IRQs and threads allowed per CPU) and the owners of kvmrt-ownership.h. One home for the
 * rule; the CPU Status viewer shows it. */
#pragma once

#include "kvmrt-cpu-snapshot.h"
#include "kvmrt-ownership.h"

G_BEGIN_DECLS

/* char* sentences for @cpu, empty when the CPU is not a real-time VM's or holds nothing
 * foreign. @vm_pids: KvmrtVm* -> QEMU PID (GINT_TO_POINTER) of the running VMs. */
GPtrArray *kvmrt_cpu_foreign_work (KvmrtCpuSnapshot *snapshot,
                                   KvmrtOwnership   *ownership,
                                   GHashTable       *vm_pids,
                                   guint             cpu);

G_END_DECLS
