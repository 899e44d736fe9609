/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The validator: a pure function from a configuration and a host to a list of diagnostics.
 * The CLI (kvmrt-validate-config) and the GUI's diagnostic box show the same list. */
#pragma once

#include "kvmrt-config.h"
#include "kvmrt-diagnostic.h"
#include "kvmrt-host.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_VALIDATE_DEFAULT = 0,
  KVMRT_VALIDATE_ALL     = 1 << 0,   /* judge disabled VMs too */
  KVMRT_VALIDATE_WINDOW  = 1 << 1,   /* advice names the window's actions, not the CLI tools */
} KvmrtValidateFlags;

/* Diagnostics (KvmrtDiagnostic*) in config order: per-VM findings first for each VM, then
 * the findings about the whole configuration. */
GPtrArray *kvmrt_validate (KvmrtConfig        *config,
                           KvmrtHost          *host,
                           KvmrtValidateFlags  flags);

/* Counts by severity. */
guint      kvmrt_diagnostics_count (GPtrArray *diagnostics, KvmrtSeverity severity);

G_END_DECLS
