/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-json.h"

void
kvmrt_json_write_diagnostics (KvmrtJsonWriter *w, GPtrArray *diagnostics)
{
  kvmrt_json_writer_member (w, "errors");
  kvmrt_json_writer_int (w, kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR));
  kvmrt_json_writer_member (w, "warnings");
  kvmrt_json_writer_int (w, kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_WARNING));
  kvmrt_json_writer_member (w, "diagnostics");
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KvmrtDiagnostic *d = diagnostics->pdata[i];

      kvmrt_json_writer_begin_object (w);
      kvmrt_json_writer_member (w, "severity");
      kvmrt_json_writer_string (w, kvmrt_severity_to_string (d->severity));
      kvmrt_json_writer_member (w, "code");
      kvmrt_json_writer_string (w, d->code);
      kvmrt_json_writer_member (w, "vm");
      kvmrt_json_writer_string (w, d->vm_uuid);
      kvmrt_json_writer_member (w, "name");
      kvmrt_json_writer_string (w, d->vm_name);
      kvmrt_json_writer_member (w, "attribute");
      kvmrt_json_writer_string (w, d->attribute);
      kvmrt_json_writer_member (w, "line");
      if (d->line > 0)
        kvmrt_json_writer_int (w, d->line);
      else
        kvmrt_json_writer_null (w);
      kvmrt_json_writer_member (w, "message");
      kvmrt_json_writer_string (w, d->message);
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
  kvmrt_json_writer_member (w, "emulator_cpus");
  kvmrt_json_writer_id_set (w, p->emulator_cpus);
  kvmrt_json_writer_member (w, "shielded_cpus");
  kvmrt_json_writer_id_set (w, p->shielded_cpus);
  kvmrt_json_writer_member (w, "offline_cpus");
  kvmrt_json_writer_id_set (w, p->offline_cpus);
  kvmrt_json_writer_member (w, "usable_cpus");
  kvmrt_json_writer_id_set (w, p->usable_cpus);
  kvmrt_json_writer_member (w, "owned_cpus");
  kvmrt_json_writer_id_set (w, p->owned_cpus);
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

  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member (w, "uuid");
  kvmrt_json_writer_string (w, kvmrt_vm_get_uuid (vm));
  kvmrt_json_writer_member (w, "name");
  kvmrt_json_writer_string (w, kvmrt_vm_get_name (vm));
  kvmrt_json_writer_member (w, "title");
  kvmrt_json_writer_string (w, kvmrt_vm_get_title (vm));
  kvmrt_json_writer_member (w, "description");
  kvmrt_json_writer_string (w, kvmrt_vm_get_description (vm));
  kvmrt_json_writer_member (w, "nr_vcpus");
  kvmrt_json_writer_int (w, p->nr_vcpus);
  kvmrt_json_writer_member (w, "cpu_topology");
  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member (w, "sockets");
  kvmrt_json_writer_int (w, p->topology.sockets);
  kvmrt_json_writer_member (w, "cores");
  kvmrt_json_writer_int (w, p->topology.cores);
  kvmrt_json_writer_member (w, "threads");
  kvmrt_json_writer_int (w, p->topology.threads);
  kvmrt_json_writer_end_object (w);
  kvmrt_json_writer_member (w, "cpuset");
  kvmrt_json_writer_id_set (w, p->cpus);
  kvmrt_json_writer_member (w, "cpuset_text");
  kvmrt_json_writer_string (w, cpuset_text);
  kvmrt_json_writer_member (w, "rt");
  kvmrt_json_writer_bool (w, p->rt);
  kvmrt_json_writer_member (w, "rt_memory");
  kvmrt_json_writer_bool (w, p->rt_memory);
  kvmrt_json_writer_member (w, "numatune");
  kvmrt_json_writer_id_set (w, p->numatune);
  kvmrt_json_writer_member (w, "hide_kvm");
  kvmrt_json_writer_bool (w, kvmrt_vm_get_hide_kvm (vm));
  kvmrt_json_writer_member (w, "autostart");
  kvmrt_json_writer_bool (w, kvmrt_vm_get_autostart (vm));
  kvmrt_json_writer_member (w, "disabled");
  kvmrt_json_writer_bool (w, kvmrt_vm_get_disabled (vm));
  kvmrt_json_writer_member (w, "pcidevs");
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; i < devs->len; i++)
    {
      char text[KVMRT_PCI_ADDRESS_STRLEN];

      kvmrt_json_writer_string (w, kvmrt_pci_address_format (g_array_index (devs,
                                                                            KvmrtPciAddress, i),
                                                             text));
    }
  kvmrt_json_writer_end_array (w);
  kvmrt_json_writer_member (w, "comments");
  kvmrt_json_writer_string (w, kvmrt_vm_get_comments (vm));
  kvmrt_json_writer_member (w, "plan");
  write_plan (w, p);
  kvmrt_json_writer_end_object (w);
}
