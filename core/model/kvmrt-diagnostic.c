/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-diagnostic.h"

#include <stdarg.h>

typedef struct {
  const char    *code;
  KvmrtSeverity  severity;
} CodeInfo;

/* The table of docs/design.md ("Diagnostic codes"), in its order. */
static const CodeInfo codes[] = {
  { "config-syntax", KVMRT_SEVERITY_ERROR },
  { "value-invalid", KVMRT_SEVERITY_ERROR },
  { "name-missing", KVMRT_SEVERITY_ERROR },
  { "name-duplicate", KVMRT_SEVERITY_ERROR },
  { "uuid-invalid", KVMRT_SEVERITY_ERROR },
  { "cpuset-unknown-cpu", KVMRT_SEVERITY_ERROR },
  { "topology-mismatch", KVMRT_SEVERITY_ERROR },
  { "rt-cpuset-empty", KVMRT_SEVERITY_ERROR },
  { "rt-memory-disabled", KVMRT_SEVERITY_ERROR },
  { "rt-underprovisioned", KVMRT_SEVERITY_ERROR },
  { "rt-cpuset-overlap", KVMRT_SEVERITY_ERROR },
  { "rt-consumes-all-cpus", KVMRT_SEVERITY_ERROR },
  { "pci-unknown-device", KVMRT_SEVERITY_ERROR },
  { "pci-iommu-group-incomplete", KVMRT_SEVERITY_ERROR },
  { "pci-assigned-twice", KVMRT_SEVERITY_ERROR },
  { "vm-not-in-libvirt", KVMRT_SEVERITY_ERROR },
  { "rt-spans-numa-nodes", KVMRT_SEVERITY_WARNING },
  { "rt-shares-numa-node", KVMRT_SEVERITY_WARNING },
  { "rt-numatune-disabled", KVMRT_SEVERITY_WARNING },
  { "rt-numatune-outside-cpuset", KVMRT_SEVERITY_WARNING },
  { "numatune-overlaps-rt-node", KVMRT_SEVERITY_WARNING },
  { "pci-not-local", KVMRT_SEVERITY_WARNING },
  { "rt-pci-other-vm-local", KVMRT_SEVERITY_WARNING },
  { "rt-pci-host-local", KVMRT_SEVERITY_WARNING },
  { "rt-sibling-both-specified", KVMRT_SEVERITY_WARNING },
  { "underprovisioned", KVMRT_SEVERITY_WARNING },
  { "windows-topology", KVMRT_SEVERITY_WARNING },
  { "out-of-sync", KVMRT_SEVERITY_WARNING },
  { "pci-no-iommu", KVMRT_SEVERITY_ERROR },
  { "pci-not-endpoint", KVMRT_SEVERITY_ERROR },
  { "pci-needed-by-host", KVMRT_SEVERITY_ERROR },
  { "pci-vfs-in-use", KVMRT_SEVERITY_WARNING },
  { "pci-host-driver", KVMRT_SEVERITY_WARNING },
  { "rt-hugepages-missing", KVMRT_SEVERITY_WARNING },
  { "rt-emulated-device", KVMRT_SEVERITY_WARNING },
};

G_DEFINE_BOXED_TYPE (KvmrtDiagnostic, kvmrt_diagnostic, kvmrt_diagnostic_copy,
                     kvmrt_diagnostic_free)

const char *
kvmrt_severity_to_string (KvmrtSeverity severity)
{
  switch (severity)
    {
    case KVMRT_SEVERITY_ERROR:
      return "error";
    case KVMRT_SEVERITY_WARNING:
      return "warning";
    case KVMRT_SEVERITY_INFO:
    default:
      return "info";
    }
}

static const CodeInfo *
lookup_code (const char *code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    if (g_str_equal (codes[i].code, code))
      return &codes[i];
  return NULL;
}

KvmrtSeverity
kvmrt_diagnostic_code_get_severity (const char *code)
{
  const CodeInfo *info = lookup_code (code);

  if (info == NULL)
    g_error ("unknown diagnostic code '%s'", code);
  return info->severity;
}

const char * const *
kvmrt_diagnostic_list_codes (void)
{
  static const char *list[G_N_ELEMENTS (codes) + 1];

  if (list[0] == NULL)
    for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
      list[i] = codes[i].code;
  return list;
}

KvmrtDiagnostic *
kvmrt_diagnostic_new (const char *code,
                      KvmrtVm    *vm,
                      const char *attribute,
                      const char *format,
                      ...)
{
  const CodeInfo *info = lookup_code (code);
  KvmrtDiagnostic *d;
  va_list args;

  if (info == NULL)
    g_error ("unknown diagnostic code '%s'", code);

  d = g_new0 (KvmrtDiagnostic, 1);
  d->severity = info->severity;
  d->code = info->code;
  d->attribute = g_strdup (attribute);
  if (vm != NULL)
    {
      KvmrtVmAttr attr;

      d->vm_uuid = g_strdup (kvmrt_vm_get_uuid (vm));
      d->vm_name = g_strdup (kvmrt_vm_get_name (vm));
      if (attribute != NULL && kvmrt_vm_attr_from_key (attribute, &attr))
        d->line = kvmrt_vm_get_attr_line (vm, attr);
      if (d->line == 0)
        d->line = kvmrt_vm_get_line (vm);
    }

  va_start (args, format);
  d->message = g_strdup_vprintf (format, args);
  va_end (args);

  return d;
}

KvmrtDiagnostic *
kvmrt_diagnostic_copy (const KvmrtDiagnostic *diagnostic)
{
  KvmrtDiagnostic *d = g_memdup2 (diagnostic, sizeof *diagnostic);

  d->vm_uuid = g_strdup (diagnostic->vm_uuid);
  d->vm_name = g_strdup (diagnostic->vm_name);
  d->attribute = g_strdup (diagnostic->attribute);
  d->message = g_strdup (diagnostic->message);
  if (diagnostic->devices != NULL)
    d->devices = g_array_copy (diagnostic->devices);
  if (diagnostic->cpus != NULL)
    d->cpus = kvmrt_id_set_copy (diagnostic->cpus);
  if (diagnostic->nodes != NULL)
    d->nodes = kvmrt_id_set_copy (diagnostic->nodes);
  return d;
}

void
kvmrt_diagnostic_add_device (KvmrtDiagnostic *diagnostic, KvmrtPciAddress address)
{
  g_return_if_fail (diagnostic != NULL);
  if (diagnostic->devices == NULL)
    diagnostic->devices = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  g_array_append_val (diagnostic->devices, address);
}

static void
add_ids (KvmrtIdSet **subject, const KvmrtIdSet *ids)
{
  if (*subject == NULL)
    *subject = kvmrt_id_set_new ();
  kvmrt_id_set_union (*subject, ids);
}

void
kvmrt_diagnostic_add_cpus (KvmrtDiagnostic *diagnostic, const KvmrtIdSet *cpus)
{
  g_return_if_fail (diagnostic != NULL && cpus != NULL);
  add_ids (&diagnostic->cpus, cpus);
}

void
kvmrt_diagnostic_add_nodes (KvmrtDiagnostic *diagnostic, const KvmrtIdSet *nodes)
{
  g_return_if_fail (diagnostic != NULL && nodes != NULL);
  add_ids (&diagnostic->nodes, nodes);
}

void
kvmrt_diagnostic_free (KvmrtDiagnostic *diagnostic)
{
  if (diagnostic == NULL)
    return;
  g_free (diagnostic->vm_uuid);
  g_free (diagnostic->vm_name);
  g_free (diagnostic->attribute);
  g_free (diagnostic->message);
  g_clear_pointer (&diagnostic->devices, g_array_unref);
  g_clear_pointer (&diagnostic->cpus, kvmrt_id_set_free);
  g_clear_pointer (&diagnostic->nodes, kvmrt_id_set_free);
  g_free (diagnostic);
}
