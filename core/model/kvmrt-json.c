/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-json.h"

void
kvmrt_json_write_pci_address (KvmrtJsonWriter *w, const char *name, const KvmrtPciAddress *address)
{
  char text[KVMRT_PCI_ADDRESS_STRLEN];

  kvmrt_json_writer_member_string (w, name,
                                   address != NULL ? kvmrt_pci_address_format (*address, text)
                                                   : NULL);
}

void
kvmrt_json_write_pci_addresses (KvmrtJsonWriter *w, const char *name, const GArray *addresses)
{
  kvmrt_json_writer_member (w, name);
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; i < addresses->len; i++)
    {
      char text[KVMRT_PCI_ADDRESS_STRLEN];

      kvmrt_json_writer_string (w, kvmrt_pci_address_format (g_array_index (addresses,
                                                                            KvmrtPciAddress, i),
                                                             text));
    }
  kvmrt_json_writer_end_array (w);
}

void
kvmrt_json_write_pci_irqs (KvmrtJsonWriter *w, const KvmrtPciDevice *device)
{
  kvmrt_json_writer_member (w, "irqs");
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; i < device->irqs->len; i++)
    kvmrt_json_writer_int (w, g_array_index (device->irqs, guint, i));
  kvmrt_json_writer_end_array (w);
}

void
kvmrt_json_write_diagnostics (KvmrtJsonWriter *w, GPtrArray *diagnostics)
{
  kvmrt_json_writer_member_int (w, "errors",
                                kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR));
  kvmrt_json_writer_member_int (w, "warnings",
                                kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_WARNING));
  kvmrt_json_writer_member (w, "diagnostics");
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KvmrtDiagnostic *d = diagnostics->pdata[i];

      kvmrt_json_writer_begin_object (w);
      kvmrt_json_writer_member_string (w, "severity", kvmrt_severity_to_string (d->severity));
      kvmrt_json_writer_member_string (w, "code", d->code);
      kvmrt_json_writer_member_string (w, "vm", d->vm_uuid);
      kvmrt_json_writer_member_string (w, "name", d->vm_name);
      kvmrt_json_writer_member_string (w, "attribute", d->attribute);
      kvmrt_json_writer_member (w, "line");
      if (d->line > 0)
        kvmrt_json_writer_int (w, d->line);
      else
        kvmrt_json_writer_null (w);
      kvmrt_json_writer_member_string (w, "message", d->message);
      if (d->devices != NULL && d->devices_in_json)
        kvmrt_json_write_pci_addresses (w, "devices", d->devices);
      kvmrt_json_writer_end_object (w);
    }
  kvmrt_json_writer_end_array (w);
}

static void
write_plan (KvmrtJsonWriter *w, const KvmrtVmPlan *p)
{
  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member (w, "vcpu_pins");
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; i < p->vcpu_pins->len; i++)
    kvmrt_json_writer_id_set (w, p->vcpu_pins->pdata[i]);
  kvmrt_json_writer_end_array (w);
  kvmrt_json_writer_member_id_set (w, "emulator_cpus", p->emulator_cpus);
  kvmrt_json_writer_member_id_set (w, "shielded_cpus", p->shielded_cpus);
  kvmrt_json_writer_member_id_set (w, "offline_cpus", p->offline_cpus);
  kvmrt_json_writer_member_id_set (w, "usable_cpus", p->usable_cpus);
  kvmrt_json_writer_member_id_set (w, "owned_cpus", p->owned_cpus);
  kvmrt_json_writer_member (w, "irq_cpu");
  if (p->irq_cpu >= 0)
    kvmrt_json_writer_int (w, p->irq_cpu);
  else
    kvmrt_json_writer_null (w);
  kvmrt_json_writer_end_object (w);
}

void
kvmrt_json_write_vm_plan (KvmrtJsonWriter *w, const KvmrtVmPlan *p)
{
  KvmrtVm *vm = p->vm;
  const GArray *devs = kvmrt_vm_get_pcidevs (vm);
  g_autofree char *cpuset_text = kvmrt_cpu_set_to_string (kvmrt_vm_get_cpuset (vm));
  g_autofree char *effective_text = kvmrt_id_set_to_string (p->effective_cpus);

  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member_string (w, "uuid", kvmrt_vm_get_uuid (vm));
  kvmrt_json_writer_member_string (w, "name", kvmrt_vm_get_name (vm));
  kvmrt_json_writer_member_string (w, "title", kvmrt_vm_get_title (vm));
  kvmrt_json_writer_member_string (w, "description", kvmrt_vm_get_description (vm));
  kvmrt_json_writer_member_int (w, "nr_vcpus", p->nr_vcpus);
  kvmrt_json_writer_member (w, "cpu_topology");
  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member_int (w, "sockets", p->topology.sockets);
  kvmrt_json_writer_member_int (w, "cores", p->topology.cores);
  kvmrt_json_writer_member_int (w, "threads", p->topology.threads);
  kvmrt_json_writer_end_object (w);
  kvmrt_json_writer_member_id_set (w, "cpuset", p->cpus);
  kvmrt_json_writer_member_string (w, "cpuset_text", cpuset_text);
  kvmrt_json_writer_member_id_set (w, "effective_cpus", p->effective_cpus);
  kvmrt_json_writer_member_string (w, "effective_cpus_text", effective_text);
  kvmrt_json_writer_member_bool (w, "rt", p->rt);
  kvmrt_json_writer_member_bool (w, "rt_memory", p->rt_memory);
  kvmrt_json_writer_member_int (w, "rt_priority", p->rt_priority);
  kvmrt_json_writer_member_id_set (w, "numatune", p->numatune);
  kvmrt_json_writer_member_bool (w, "hide_kvm", kvmrt_vm_get_hide_kvm (vm));
  kvmrt_json_writer_member_bool (w, "guest_services", kvmrt_vm_get_guest_services (vm));
  kvmrt_json_writer_member_bool (w, "autostart", kvmrt_vm_get_autostart (vm));
  kvmrt_json_writer_member_bool (w, "disabled", kvmrt_vm_get_disabled (vm));
  kvmrt_json_write_pci_addresses (w, "pcidevs", devs);
  kvmrt_json_writer_member_string (w, "comments", kvmrt_vm_get_comments (vm));
  kvmrt_json_writer_member (w, "plan");
  write_plan (w, p);
  kvmrt_json_writer_end_object (w);
}
