/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a configured VM is doing right now: libvirt state, its QEMU process on this host,
 * uptime, whether its real-time tuning is in force (and what drifted), and optionally its
 * threads. kvmrt-stat prints it; the GUI's dashboard and runtime details show it. */
#pragma once

#include "kvmrt-gs-stats.h"
#include "kvmrt-libvirt.h"
#include "kvmrt-plan.h"

G_BEGIN_DECLS

typedef struct {
  KvmrtVm           *vm;           /* borrowed */
  const KvmrtVmPlan *plan;         /* borrowed */
  GVirDomainState    state;
  gboolean           defined;      /* libvirt has a domain with the VM's UUID */
  gboolean           running;      /* active: running, paused or blocked */
  int                pid;          /* QEMU's PID; 0 when not running or not on this host */
  double             uptime;       /* seconds, < 0 if unknown */
  gboolean           tuned;        /* running, and its real-time tuning in force (always for
                                    * a running VM that is not real-time) */
  char              *tuning_note;  /* why the tuning could not be checked, or NULL */
  GPtrArray         *drift;        /* char*: what of the tuning is not in force */
  GPtrArray         *drift_told;   /* char*: the same, item for item, as the window says it:
                                    * what is and what should be */
  GPtrArray         *threads;      /* KvmrtThread*, with KVMRT_VM_STATUS_THREADS */
  KvmrtGsVmStats    *guest_services; /* what kvmrtd counted on its Guest Services channel,
                                      * or NULL when kvmrtd does not serve one */
} KvmrtVmStatus;

typedef enum {
  KVMRT_VM_STATUS_DEFAULT = 0,
  KVMRT_VM_STATUS_THREADS = 1 << 0,   /* also list the QEMU process's threads */
} KvmrtVmStatusFlags;

/* Fills @status (zeroed by the caller) for @plan's VM. @qemus is the host's QEMU processes
 * (kvmrt_proc_list_qemus), listed once by a caller that gathers many VMs; NULL to look for
 * this VM's alone. A failure to read the threads is returned in @error while the rest of
 * @status stays valid. */
void        kvmrt_vm_status_gather (KvmrtVmStatus      *status,
                                    const char         *sysroot,
                                    KvmrtHost          *host,
                                    KvmrtLibvirt       *libvirt,
                                    const KvmrtVmPlan  *plan,
                                    GPtrArray          *qemus,
                                    KvmrtVmStatusFlags  flags,
                                    GError            **error);
void        kvmrt_vm_status_clear  (KvmrtVmStatus *status);
/* "running", "shut off" or "not in libvirt", translated. */
const char *kvmrt_vm_status_state_text (const KvmrtVmStatus *status);
/* "01:02:03", "2d 03:04", or "-" when unknown. */
char       *kvmrt_format_uptime    (double seconds);

G_END_DECLS
