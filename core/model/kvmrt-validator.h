/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The validator: a pure function from a plan (a configuration as planned on a host) to a list
 * of diagnostics. The CLI (kvmrt-validate-config) and the GUI's diagnostic box show the same
 * list. */
#pragma once

#include "kvmrt-diagnostic.h"
#include "kvmrt-plan.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_VALIDATE_DEFAULT = 0,
  KVMRT_VALIDATE_ALL     = 1 << 0,   /* judge disabled VMs too */
  KVMRT_VALIDATE_WINDOW  = 1 << 1,   /* advice names the window's actions, not the CLI tools */
} KvmrtValidateFlags;

/* Diagnostics (KvmrtDiagnostic*) about @plan's configuration on its host, in config order:
 * per-VM findings first for each VM, then the findings about the whole configuration. @plan
 * must be of every VM of the configuration (kvmrt_plan_new()), made after its last change;
 * the validator never plans again. */
GPtrArray *kvmrt_validate (KvmrtPlan          *plan,
                           KvmrtValidateFlags  flags);

/* Counts by severity. */
guint      kvmrt_diagnostics_count (GPtrArray *diagnostics, KvmrtSeverity severity);

G_END_DECLS
