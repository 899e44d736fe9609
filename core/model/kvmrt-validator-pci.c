/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Validator rules that keep passthrough from breaking the host: only endpoint functions on a
 * host with an IOMMU, never a device the host runs its storage, network or console on, and
 * warnings where assigning a device takes something away (virtual functions in use, a host
 * driver libvirt will unbind). What the host runs where comes from the host model
 * (kvmrt-host-needs.c), read below the sysroot. */
#include "kvmrt-validator-private.h"

/* REPORT for a finding about one device: the diagnostic names it, so the GUI marks it. */
#define REPORT_DEVICE(v, code, vm, address, ...) \
  G_STMT_START { \
    KvmrtDiagnostic *d_ = kvmrt_diagnostic_new ((code), (vm), "pcidevs", __VA_ARGS__); \
    kvmrt_diagnostic_add_device (d_, (address)); \
    d_->devices_in_json = TRUE; \
    kvmrt_validation_add ((v), d_, (vm)); \
  } G_STMT_END

/* "a PCI bridge", "a host bridge", ... for the not-endpoint message. */
static const char *
infrastructure_kind (const KvmrtPciDevice *dev)
{
  switch (dev->class_code >> 8)
    {
    case 0x0600: return _("a host bridge");
    case 0x0604:
    case 0x0609: return _("a PCI bridge");
    case 0x0806: return _("the IOMMU");
    default:     return _("a bridge");
    }
}

void
kvmrt_validation_check_iommu_present (Validation *v, const KvmrtVmPlan *p)
{
  const GArray *devs = kvmrt_vm_get_pcidevs (p->vm);
  g_autofree char *list = NULL;
  KvmrtDiagnostic *d;

  if (devs->len == 0 || kvmrt_host_has_iommu (v->host))
    return;
  list = kvmrt_pci_set_to_string (devs);
  d = REPORT (v, "pci-no-iommu", p->vm, "pcidevs",
          _("This host has no IOMMU (no device is in an IOMMU group), so %s cannot be passed "
            "to the VM: without one a device could reach all of the host's memory. Turn the "
            "IOMMU on in the firmware (VT-d or AMD-Vi; on Intel also intel_iommu=on on the "
            "kernel command line) and reboot, or empty pcidevs."), list);
  for (guint i = 0; i < devs->len; i++)
    kvmrt_diagnostic_add_device (d, g_array_index (devs, KvmrtPciAddress, i));
}

void
kvmrt_validation_check_pci_host (Validation *v, const KvmrtVmPlan *p,
                                 const KvmrtPciDevice *dev)
{
  KvmrtVm *vm = p->vm;
  char text[KVMRT_PCI_ADDRESS_STRLEN];

  kvmrt_pci_address_format (dev->address, text);
  if (kvmrt_pci_device_is_infrastructure (dev))
    {
      REPORT_DEVICE (v, "pci-not-endpoint", vm, dev->address,
              _("PCI device %s (%s) is %s, not a device a VM can be given: it belongs to the "
                "host's PCI fabric. Remove it from pcidevs and pass the endpoint devices "
                "behind it, if any."), text, dev->device_name, infrastructure_kind (dev));
      return;
    }
  if (dev->iommu_group < 0 && kvmrt_host_has_iommu (v->host))
    {
      REPORT_DEVICE (v, "pci-not-endpoint", vm, dev->address,
              _("PCI device %s (%s) is in no IOMMU group, so the IOMMU cannot isolate it and "
                "vfio-pci will not take it; remove it from pcidevs."), text, dev->device_name);
      return;
    }
  if (dev->host_needs != 0)
    {
      REPORT_DEVICE (v, "pci-needed-by-host", vm, dev->address,
              _("PCI device %s (%s) is what the host itself runs on: %s. Passing it through "
                "would take that away from the host; choose another device, or move the "
                "host off it first."), text, dev->device_name, dev->host_needs_detail);
      return;
    }
  if (kvmrt_pci_device_is_host_used (dev))
    REPORT_DEVICE (v, "pci-host-driver", vm, dev->address,
            _("PCI device %s (%s) is bound to the host driver %s: libvirt unbinds it when the "
              "VM starts, and the host goes without it while the VM runs. If it is meant for "
              "VMs only, let vfio-pci claim it at boot (vfio-pci.ids=%04x:%04x)."),
            text, dev->device_name, dev->driver, dev->vendor_id, dev->device_id);
}

/* A PF given to a VM takes its VFs with it: its host driver's removal destroys them. */
void
kvmrt_validation_check_pci_vfs (Validation *v)
{
  for (guint i = 0; i < v->active->len; i++)
    {
      const KvmrtVmPlan *p = v->active->pdata[i];
      const GArray *devs = kvmrt_vm_get_pcidevs (p->vm);

      for (guint d = 0; d < devs->len; d++)
        {
          KvmrtPciAddress addr = g_array_index (devs, KvmrtPciAddress, d);
          const KvmrtPciDevice *dev = kvmrt_host_lookup_pci_device (v->host, addr);
          g_autoptr(GArray) vfs = NULL;
          g_autoptr(GPtrArray) users = NULL;
          char text[KVMRT_PCI_ADDRESS_STRLEN];

          if (dev == NULL || dev->is_virtual_function)
            continue;
          vfs = kvmrt_host_get_virtual_functions (v->host, addr);
          if (vfs->len == 0)
            continue;
          users = g_ptr_array_new_with_free_func (g_free);
          for (guint f = 0; f < vfs->len; f++)
            {
              KvmrtPciAddress vf_addr = g_array_index (vfs, KvmrtPciAddress, f);
              const KvmrtPciDevice *vf = kvmrt_host_lookup_pci_device (v->host, vf_addr);
              const KvmrtVmPlan *owner = g_hash_table_lookup (v->pci_owner,
                                                              GUINT_TO_POINTER (vf_addr));
              char vf_text[KVMRT_PCI_ADDRESS_STRLEN];

              kvmrt_pci_address_format (vf_addr, vf_text);
              if (owner != NULL && owner != p)
                g_ptr_array_add (users, g_strdup_printf (_("%s in '%s'"), vf_text,
                                                         kvmrt_vm_get_label (owner->vm)));
              else if (owner == NULL && vf != NULL && kvmrt_pci_device_is_host_used (vf))
                g_ptr_array_add (users, g_strdup_printf (_("%s with the host driver %s"),
                                                         vf_text, vf->driver));
            }
          if (users->len == 0)
            continue;
          {
            g_autofree char *list = kvmrt_validation_join_list (users, FALSE);

            kvmrt_pci_address_format (addr, text);
            REPORT_DEVICE (v, "pci-vfs-in-use", p->vm, addr,
                    _("PCI device %s (%s) is the physical function of virtual functions in "
                      "use: %s. Passing it through removes them from the host and from their "
                      "VMs; pass a free virtual function instead, or stop using them first."),
                    text, dev->device_name, list);
          }
        }
    }
}
