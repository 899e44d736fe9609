/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Is this host fit to run real-time VMs? (kvmrt-validate-host). Each check reads the sysroot
 * and ends as pass, warning or failure, with what it found and how to fix it. Checks about the
 * real-time CPUs use the plan when there is one. */
#pragma once

#include "kvmrt-host.h"
#include "kvmrt-plan.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_CHECK_PASS,
  KVMRT_CHECK_WARNING,
  KVMRT_CHECK_FAILURE,
} KvmrtCheckStatus;

typedef struct {
  const char       *id;       /* stable: "kvm-device", "iommu", "memlock", ... */
  KvmrtCheckStatus  status;
  char             *message;  /* what was found */
  char             *fix;      /* what to do; NULL when it passed */
} KvmrtHostCheck;

void        kvmrt_host_check_free        (KvmrtHostCheck *check);
const char *kvmrt_check_status_to_string (KvmrtCheckStatus status);  /* "pass", ... */

/* Runs every check that needs only the sysroot, in a fixed order. @plan may be NULL (no
 * configuration): the checks about real-time CPUs then judge every CPU. */
GPtrArray  *kvmrt_host_check_run         (const char *sysroot, KvmrtHost *host, KvmrtPlan *plan);
/* Whether libvirt may give vCPU threads SCHED_FIFO on this host (what the rt-budget check
 * predicts): the domain XML records vcpusched only then. */
gboolean    kvmrt_host_check_libvirt_fifo (const char *sysroot);
/* A check result made by the caller (kvmrt-validate-host adds "libvirt" this way). */
KvmrtHostCheck *kvmrt_host_check_new     (const char       *id,
                                          KvmrtCheckStatus  status,
                                          const char       *message,
                                          const char       *fix);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtHostCheck, kvmrt_host_check_free)

G_END_DECLS
