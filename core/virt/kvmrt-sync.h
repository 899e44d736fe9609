/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Keeping the configuration and libvirt's domains in step (chapter 3 of the manual): compare a
 * VM's plan with its domain, write the plan into the domain (kvmrt-sync-config), read the
 * domain's edits back into the VM (kvmrt-sync-config -r, kvmrt-import -u), and the two
 * libvirt-dependent diagnostics of kvmrt-validate-config. The XML work itself is in
 * kvmrt-domain-xml.c; this module adds the connection, renames and running domains. */
#pragma once

#include "kvmrt-domain-xml.h"
#include "kvmrt-libvirt.h"
#include "kvmrt-plan.h"
#include "kvmrt-validator.h"

G_BEGIN_DECLS

typedef struct {
  KvmrtVm    *vm;             /* borrowed */
  GVirDomain *domain;         /* borrowed; NULL when libvirt has no domain with the VM's UUID */
  gboolean    running;        /* the domain is active (its changes wait for the next boot) */
  GPtrArray  *changes;        /* KvmrtDomainChange*, what differs; empty when in sync */
} KvmrtSyncState;

void            kvmrt_sync_state_free   (KvmrtSyncState *state);
/* TRUE if a change only takes effect when the running domain restarts. */
gboolean        kvmrt_sync_state_needs_restart (const KvmrtSyncState *state);
/* "vcpupin: 0-3 -> 4,5" for each change (libvirt's value, then the config's), joined by
 * @separator. */
char           *kvmrt_sync_state_describe (const KvmrtSyncState *state, const char *separator);

typedef enum {
  KVMRT_SYNC_WORDING_LINES,   /* the CLI's: a line per change, indented, under the VM's line */
  KVMRT_SYNC_WORDING_INLINE,  /* the window's: one line */
} KvmrtSyncWording;

/* What writing @state's changes into libvirt did to @label's VM, in words (no final
 * newline), with the note that a running VM gets them at its next start; NULL when nothing
 * changed. The one wording of a sync's result, for every caller. */
char           *kvmrt_sync_state_word     (const KvmrtSyncState *state,
                                           const char           *label,
                                           KvmrtSyncWording      wording);

/* How the VM's domain differs from what its plan implies. */
KvmrtSyncState *kvmrt_sync_compare      (KvmrtLibvirt      *libvirt,
                                         const KvmrtVmPlan *plan,
                                         GError           **error);
/* Writes the plan into the VM's persistent domain definition (renaming the domain first when
 * the name changed, which libvirt allows only while it is shut off). @state (may be NULL)
 * receives what was changed. */
gboolean        kvmrt_sync_to_libvirt   (KvmrtLibvirt      *libvirt,
                                         const KvmrtVmPlan *plan,
                                         KvmrtSyncState   **state,
                                         GError           **error);
/* Copies into the VM the attributes whose domain values differ from the plan (so a cpuset
 * written as "n1" stays as it is while the pins still match). @changed_attrs receives a mask
 * of 1 << KvmrtVmAttr. */
gboolean        kvmrt_sync_from_libvirt (KvmrtLibvirt      *libvirt,
                                         const KvmrtVmPlan *plan,
                                         guint             *changed_attrs,
                                         GError           **error);

/* Adds vm-not-in-libvirt and out-of-sync findings for the VMs the validator judged (disabled
 * ones only with KVMRT_VALIDATE_ALL) into @diagnostics, each after its VM's other findings. */
void            kvmrt_sync_diagnose     (KvmrtLibvirt       *libvirt,
                                         KvmrtPlan          *plan,
                                         KvmrtValidateFlags  flags,
                                         GPtrArray          *diagnostics);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtSyncState, kvmrt_sync_state_free)

G_END_DECLS
