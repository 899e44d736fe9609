/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A VM's QEMU process and its threads, read from the sysroot's proc/ (so a fixture tree works
 * like the live host): which thread is which (vCPU n, emulator, I/O, worker, SPICE), where it
 * may run, where it last ran and how it is scheduled. */
#pragma once

#include "kvmrt-id-set.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_THREAD_VCPU,
  KVMRT_THREAD_EMULATOR,
  KVMRT_THREAD_IO,
  KVMRT_THREAD_WORKER,
  KVMRT_THREAD_SPICE,
  KVMRT_THREAD_OTHER,
} KvmrtThreadKind;

typedef struct {
  int              tid;
  int              pid;       /* its process (thread group, from status' Tgid) */
  char            *name;      /* comm: "CPU 0/KVM", "CPU 1/TCG", "qemu-system-x86", "worker" */
  KvmrtThreadKind  kind;
  int              vcpu;      /* vCPU index for KVMRT_THREAD_VCPU, else -1 (also "ALL CPUs") */
  KvmrtIdSet      *affinity;  /* Cpus_allowed_list; NULL if unreadable */
  int              cpu;       /* CPU it last ran on */
  char             state;     /* 'R' running or runnable, 'S' sleeping, ... (proc(5)) */
  int              policy;    /* SCHED_OTHER, SCHED_FIFO, ... */
  int              priority;  /* real-time priority, 0 for the normal policies */
  char            *vm;        /* kvmrt_proc_list_all_threads(): the VM a QEMU process runs
                               * (its -name), else NULL */
} KvmrtThread;

void        kvmrt_thread_free            (KvmrtThread *thread);
/* The JSON kind of docs/design.md: "vcpu", "emulator", "io", "worker" or "other" (SPICE is "other"). */
const char *kvmrt_thread_kind_to_json    (KvmrtThreadKind kind);
/* For tables: "vCPU 3", "emulator", "I/O", "worker", "SPICE", "other". */
char       *kvmrt_thread_describe_kind   (const KvmrtThread *thread);
/* "other", "fifo", "rr", "batch", "idle", "deadline". */
const char *kvmrt_sched_policy_to_string (int policy);
/* Which kind a thread of that name is in a QEMU process; @vcpu gets the vCPU index or -1. */
KvmrtThreadKind kvmrt_thread_classify    (const char *name, int *vcpu);

/* Threads of process @pid (or of the process thread @pid belongs to), sorted by TID. Threads
 * that end while being read are left out. */
GPtrArray  *kvmrt_proc_list_threads (const char *sysroot, int pid, GError **error);
/* Every thread of every process below the sysroot's proc/, sorted by PID then TID; each
 * thread's stat and status are read once, a QEMU process's cmdline once for its VM name.
 * Threads that end while being read are left out. */
GPtrArray  *kvmrt_proc_list_all_threads (const char *sysroot, GError **error);
/* The VM name in a QEMU command line ("-name guest=rt1,debug-threads=on" or "-name rt1"),
 * NUL-separated as in proc/PID/cmdline; NULL if it has none. */
char       *kvmrt_proc_qemu_name    (const char *cmdline, gsize length);
/* The PID of the QEMU process running domain @uuid (lower-case, as kvmrt keeps UUIDs; the
 * command line's is lower-cased to compare): libvirt's pid file
 * (run/libvirt/qemu/NAME.pid) when it names a live process with "-uuid UUID" on its command
 * line, else the first such process found in proc/. 0 when there is none. */
int         kvmrt_proc_find_qemu    (const char *sysroot, const char *uuid, const char *name);
/* The same from a list made once for many VMs (@qemus from kvmrt_proc_list_qemus): a scan of
 * proc/ per VM costs a read of every process's command line each time. */
int         kvmrt_proc_find_qemu_in (GPtrArray  *qemus,
                                     const char *sysroot,
                                     const char *uuid,
                                     const char *name);
/* A QEMU process of the host, whoever started it. */
typedef struct {
  int   pid;
  char *uuid;        /* its "-uuid" argument (lower-case, kvmrt-uuid.h), or NULL */
} KvmrtQemuProcess;

void        kvmrt_qemu_process_free (KvmrtQemuProcess *qemu);
/* Every QEMU process in proc/ (its program is qemu-system-* or qemu-kvm), by PID. */
GPtrArray  *kvmrt_proc_list_qemus   (const char *sysroot);
/* The cgroup of process @pid in the cgroup v2 hierarchy (@controller NULL) or in the v1
 * hierarchy of @controller ("cpuset"), from proc/PID/cgroup: "machine.slice/x.scope/libvirt"
 * without the leading "/", "" for the root. NULL when unknown or not a plain path (".."). */
char       *kvmrt_proc_get_cgroup   (const char *sysroot, int pid, const char *controller);
/* A kernel thread that may be moved: PF_KTHREAD without PF_NO_SETAFFINITY (per-CPU threads
 * and workqueue workers have it, kthreadd and threads like rcu_preempt or kswapd do not). */
typedef struct {
  int         pid;
  char       *comm;
  guint64     start;      /* proc/PID/stat field 22, to tell a reused PID */
  KvmrtIdSet *affinity;
} KvmrtKernelThread;

void        kvmrt_kernel_thread_free        (KvmrtKernelThread *thread);
GPtrArray  *kvmrt_proc_list_movable_kthreads (const char *sysroot);
/* Start time of process @pid (stat field 22), 0 when it is gone. */
guint64     kvmrt_proc_get_start_time       (const char *sysroot, int pid);
/* Seconds since process @pid started. */
gboolean    kvmrt_proc_get_uptime   (const char  *sysroot,
                                     int          pid,
                                     double      *seconds,
                                     GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtThread, kvmrt_thread_free)

G_END_DECLS
