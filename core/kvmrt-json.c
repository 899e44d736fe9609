/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-json.h"

JsonNode *
kvmrt_json_id_set (const KvmrtIdSet *set)
{
  JsonArray *array = json_array_new ();

  for (int id = set ? kvmrt_id_set_first (set) : -1; id >= 0; id = kvmrt_id_set_next (set, id))
    json_array_add_int_element (array, id);
  return json_node_init_array (json_node_alloc (), array);
}

static void
set_string_or_null (JsonObject *object, const char *member, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
  else
    json_object_set_null_member (object, member);
}

JsonNode *
kvmrt_json_diagnostics (GPtrArray *diagnostics)
{
  JsonObject *root = json_object_new ();
  JsonArray *list = json_array_new ();

  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KvmrtDiagnostic *d = diagnostics->pdata[i];
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "severity", kvmrt_severity_to_string (d->severity));
      json_object_set_string_member (o, "code", d->code);
      set_string_or_null (o, "vm", d->vm_uuid);
      set_string_or_null (o, "name", d->vm_name);
      set_string_or_null (o, "attribute", d->attribute);
      json_object_set_string_member (o, "message", d->message);
      if (d->line > 0)
        json_object_set_int_member (o, "line", d->line);
      else
        json_object_set_null_member (o, "line");
      json_array_add_object_element (list, o);
    }

  json_object_set_int_member (root, "errors",
                              kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR));
  json_object_set_int_member (root, "warnings",
                              kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_WARNING));
  json_object_set_array_member (root, "diagnostics", list);
  return json_node_init_object (json_node_alloc (), root);
}

static JsonNode *
plan_node (const KvmrtVmPlan *p)
{
  JsonObject *plan = json_object_new ();
  JsonArray *pins = json_array_new ();

  for (guint i = 0; i < p->vcpu_pins->len; i++)
    json_array_add_element (pins, kvmrt_json_id_set (p->vcpu_pins->pdata[i]));
  json_object_set_array_member (plan, "vcpu_pins", pins);
  json_object_set_member (plan, "emulator_cpus", kvmrt_json_id_set (p->emulator_cpus));
  json_object_set_member (plan, "shielded_cpus", kvmrt_json_id_set (p->shielded_cpus));
  json_object_set_member (plan, "offline_cpus", kvmrt_json_id_set (p->offline_cpus));
  json_object_set_member (plan, "usable_cpus", kvmrt_json_id_set (p->usable_cpus));
  json_object_set_member (plan, "owned_cpus", kvmrt_json_id_set (p->owned_cpus));
  if (p->irq_cpu >= 0)
    json_object_set_int_member (plan, "irq_cpu", p->irq_cpu);
  else
    json_object_set_null_member (plan, "irq_cpu");
  return json_node_init_object (json_node_alloc (), plan);
}

JsonNode *
kvmrt_json_vm_plan (const KvmrtVmPlan *p)
{
  KvmrtVm *vm = p->vm;
  JsonObject *o = json_object_new ();
  JsonObject *topology = json_object_new ();
  JsonArray *pcidevs = json_array_new ();
  const GArray *devs = kvmrt_vm_get_pcidevs (vm);
  g_autofree char *cpuset_text = kvmrt_cpu_set_to_string (kvmrt_vm_get_cpuset (vm));

  json_object_set_string_member (o, "uuid", kvmrt_vm_get_uuid (vm));
  set_string_or_null (o, "name", kvmrt_vm_get_name (vm));
  json_object_set_string_member (o, "title", kvmrt_vm_get_title (vm));
  json_object_set_string_member (o, "description", kvmrt_vm_get_description (vm));
  json_object_set_int_member (o, "nr_vcpus", p->nr_vcpus);
  json_object_set_int_member (topology, "sockets", p->topology.sockets);
  json_object_set_int_member (topology, "cores", p->topology.cores);
  json_object_set_int_member (topology, "threads", p->topology.threads);
  json_object_set_object_member (o, "cpu_topology", topology);
  json_object_set_member (o, "cpuset", kvmrt_json_id_set (p->cpus));
  json_object_set_string_member (o, "cpuset_text", cpuset_text);
  json_object_set_boolean_member (o, "rt", p->rt);
  json_object_set_boolean_member (o, "rt_memory", p->rt_memory);
  if (p->numatune != NULL)
    json_object_set_member (o, "numatune", kvmrt_json_id_set (p->numatune));
  else
    json_object_set_null_member (o, "numatune");
  json_object_set_boolean_member (o, "hide_kvm", kvmrt_vm_get_hide_kvm (vm));
  json_object_set_boolean_member (o, "autostart", kvmrt_vm_get_autostart (vm));
  json_object_set_boolean_member (o, "disabled", kvmrt_vm_get_disabled (vm));
  for (guint i = 0; i < devs->len; i++)
    {
      char text[KVMRT_PCI_ADDRESS_STRLEN];

      json_array_add_string_element (pcidevs,
                                     kvmrt_pci_address_format (g_array_index (devs, KvmrtPciAddress, i),
                                                               text));
    }
  json_object_set_array_member (o, "pcidevs", pcidevs);
  json_object_set_string_member (o, "comments", kvmrt_vm_get_comments (vm));
  json_object_set_member (o, "plan", plan_node (p));
  return json_node_init_object (json_node_alloc (), o);
}

char *
kvmrt_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}
