/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtUsageSampler: the CPU usage of running VMs, as virt-manager's list shows it. libvirt's
 * domain info (the CPU time its vCPUs used) is read in a worker thread, never in the GUI's;
 * usage is the CPU time gained between two samples over the time passed, per vCPU. */
#pragma once

#include <gio/gio.h>

#include "kvmrt-libvirt.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_USAGE_SAMPLER (kvmrt_usage_sampler_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtUsageSampler, kvmrt_usage_sampler, KVMRT, USAGE_SAMPLER, GObject)

KvmrtUsageSampler *kvmrt_usage_sampler_new    (KvmrtLibvirt *libvirt);
/* Samples the domains with these UUIDs (the running ones, lower-case as kvmrt_vm_get_uuid()
 * gives them) in a worker thread; "updated" is
 * emitted in the GUI thread when it is done. Does nothing while a sample is under way. */
void               kvmrt_usage_sampler_sample (KvmrtUsageSampler  *self,
                                               const char * const *uuids);
/* The last usage of @uuid in percent of its vCPUs (0-100), or < 0 before two samples. */
double             kvmrt_usage_sampler_get    (KvmrtUsageSampler *self,
                                               const char        *uuid);

/* Signals:
 *   "updated" ()   a sample finished: the usages may have changed */

G_END_DECLS
