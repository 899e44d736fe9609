/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-import.h"

#include "kvmrt-domain-xml.h"
#include "kvmrt-plan.h"
#include "kvmrt-sync.h"

#define ALL_ATTRS ((1u << KVMRT_VM_N_ATTRS) - 1)

static KvmrtImportOutcome
add_domain (KvmrtConfig *config, GVirDomain *domain, guint *changed_attrs, GError **error)
{
  g_autoptr(KvmrtVm) read = kvmrt_vm_new (gvir_domain_get_uuid (domain));
  g_autoptr(KvmrtVm) vm = kvmrt_vm_new (gvir_domain_get_uuid (domain));
  g_autofree char *xml = kvmrt_libvirt_get_xml (domain, error);

  if (xml == NULL || !kvmrt_domain_xml_read (xml, read, ALL_ATTRS, error))
    return KVMRT_IMPORT_FAILED;
  kvmrt_vm_set_autostart (read, kvmrt_libvirt_get_autostart (domain));
  /* Every attribute spelled out, in the manual's order, so the new section shows the operator
   * what can be set. */
  for (guint attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    {
      const char *text = kvmrt_vm_get_text (read, attr);

      /* kvmrt's own addition, not one of the manual's attributes: set only where wanted. */
      if (attr == KVMRT_VM_ATTR_RT_PRIORITY)
        continue;

      kvmrt_vm_set_text (vm, attr, text != NULL ? text : kvmrt_vm_attr_get_default_text (attr),
                         NULL);
    }
  if (!kvmrt_config_add_vm (config, vm, error))
    return KVMRT_IMPORT_FAILED;
  if (changed_attrs != NULL)
    *changed_attrs = ALL_ATTRS;
  return KVMRT_IMPORT_ADDED;
}

KvmrtImportOutcome
kvmrt_import_domain (KvmrtConfig *config, KvmrtHost *host, KvmrtLibvirt *libvirt,
                     GVirDomain *domain, gboolean update, guint *changed_attrs, GError **error)
{
  KvmrtVm *existing = kvmrt_config_lookup_uuid (config, gvir_domain_get_uuid (domain));
  g_autoptr(KvmrtPlan) plan = NULL;
  guint attrs = 0;

  if (changed_attrs != NULL)
    *changed_attrs = 0;
  if (existing == NULL)
    return add_domain (config, domain, changed_attrs, error);
  if (!update)
    return KVMRT_IMPORT_SKIPPED;

  plan = kvmrt_plan_new (config, host);
  if (!kvmrt_sync_from_libvirt (libvirt, kvmrt_plan_lookup (plan, existing), &attrs, error))
    return KVMRT_IMPORT_FAILED;
  if (changed_attrs != NULL)
    *changed_attrs = attrs;
  return attrs != 0 ? KVMRT_IMPORT_UPDATED : KVMRT_IMPORT_UNCHANGED;
}
