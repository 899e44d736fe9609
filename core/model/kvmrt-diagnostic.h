/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One finding of the validator. The codes are a stable contract (docs/design.md "Diagnostic
 * codes"): the CLI, the GUI, the tests and the docs all refer to them. */
#pragma once

#include <glib-object.h>

#include "kvmrt-id-set.h"
#include "kvmrt-pci-address.h"
#include "kvmrt-vm.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_SEVERITY_INFO,
  KVMRT_SEVERITY_WARNING,
  KVMRT_SEVERITY_ERROR,
} KvmrtSeverity;

const char *kvmrt_severity_to_string (KvmrtSeverity severity);  /* "error", "warning", "info" */

#define KVMRT_TYPE_DIAGNOSTIC (kvmrt_diagnostic_get_type ())

typedef struct {
  KvmrtSeverity severity;
  const char   *code;       /* static string, e.g. "rt-cpuset-overlap" */
  char         *vm_uuid;    /* NULL for findings about the whole configuration */
  char         *vm_name;    /* NULL if the VM has no name or there is no VM */
  char         *attribute;  /* config key ("cpuset"), NULL if none */
  char         *message;    /* what is wrong and what to change, translated */
  int           line;       /* line in the config file, 0 if unknown */
  /* Its subject: what on the host the finding is about, set by the rule that raised it, so
   * that a view can mark those resources without knowing what each code means. NULL (or
   * empty) when it names none in particular. */
  GArray       *devices;    /* KvmrtPciAddress of the PCI devices it is about */
  KvmrtIdSet   *cpus;       /* host CPUs it is about */
  KvmrtIdSet   *nodes;      /* NUMA nodes it is about */
  /* Whether kvmrt-validate-config --json lists the devices: only the findings about one
   * device that did before subjects existed (docs/contracts.md), so the JSON keeps its
   * shape. */
  gboolean      devices_in_json;
} KvmrtDiagnostic;

GType            kvmrt_diagnostic_get_type (void) G_GNUC_CONST;
/* @vm may be NULL. Takes the severity for @code from the table in kvmrt-diagnostic.c. */
KvmrtDiagnostic *kvmrt_diagnostic_new      (const char  *code,
                                            KvmrtVm     *vm,
                                            const char  *attribute,
                                            const char  *format,
                                            ...) G_GNUC_PRINTF (4, 5);
KvmrtDiagnostic *kvmrt_diagnostic_copy     (const KvmrtDiagnostic *diagnostic);
/* Add to @diagnostic's subject: PCI device @address, host CPUs @cpus, NUMA nodes @nodes
 * (the views mark them). */
void             kvmrt_diagnostic_add_device (KvmrtDiagnostic *diagnostic,
                                              KvmrtPciAddress  address);
void             kvmrt_diagnostic_add_cpus   (KvmrtDiagnostic  *diagnostic,
                                              const KvmrtIdSet *cpus);
void             kvmrt_diagnostic_add_nodes  (KvmrtDiagnostic  *diagnostic,
                                              const KvmrtIdSet *nodes);
void             kvmrt_diagnostic_free     (KvmrtDiagnostic *diagnostic);

/* Severity of a known code; aborts on an unknown code (a programming error). */
KvmrtSeverity    kvmrt_diagnostic_code_get_severity (const char *code);
/* Every known code, NULL-terminated, in the order of docs/design.md. */
const char * const *kvmrt_diagnostic_list_codes (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtDiagnostic, kvmrt_diagnostic_free)

G_END_DECLS
