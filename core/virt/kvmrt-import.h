/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Adding libvirt's domains to the configuration (kvmrt-import): a new VM inherits the
 * domain's name, title, description, vCPU count and topology, and whatever pinning, NUMA
 * memory, memory locking, KVM hiding and PCI devices the domain already has; every other
 * attribute gets its default. With update, a VM already configured is refreshed from libvirt
 * (as kvmrt-sync-config -r does). */
#pragma once

#include "kvmrt-config.h"
#include "kvmrt-host.h"
#include "kvmrt-libvirt.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_IMPORT_ADDED,       /* a new VM was appended to the configuration */
  KVMRT_IMPORT_SKIPPED,     /* already configured, and no update asked for */
  KVMRT_IMPORT_UPDATED,     /* already configured; attributes were refreshed */
  KVMRT_IMPORT_UNCHANGED,   /* already configured and already in step with libvirt */
  KVMRT_IMPORT_FAILED,
} KvmrtImportOutcome;

/* @changed_attrs (may be NULL) receives the mask (1 << KvmrtVmAttr) of what was set. */
KvmrtImportOutcome kvmrt_import_domain (KvmrtConfig  *config,
                                        KvmrtHost    *host,
                                        KvmrtLibvirt *libvirt,
                                        GVirDomain   *domain,
                                        gboolean      update,
                                        guint        *changed_attrs,
                                        GError      **error);

G_END_DECLS
