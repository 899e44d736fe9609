/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Validator rules about one VM on its own: identity, values, CPUs, real-time settings and
 * its PCI devices. */
#include "kvmrt-validator-private.h"

#include "kvmrt-uuid.h"

/* A Windows guest is recognised by its name, title or description alone: the validator is
 * libvirt-free, and nothing in kvmrt reads libvirt's libosinfo metadata (the domain's
 * <libosinfo:os> element) to tell it otherwise. */
static gboolean
looks_like_windows (KvmrtVm *vm)
{
  const char *texts[] = { kvmrt_vm_get_name (vm), kvmrt_vm_get_title (vm),
                          kvmrt_vm_get_description (vm) };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *lower = NULL;

      if (texts[i] == NULL)
        continue;
      lower = g_ascii_strdown (texts[i], -1);
      if (strstr (lower, "windows") != NULL)
        return TRUE;
      for (const char *p = strstr (lower, "win"); p != NULL; p = strstr (p + 1, "win"))
        {
          gboolean starts_word = p == lower || !g_ascii_isalpha (p[-1]);

          if (starts_word && (g_ascii_isdigit (p[3]) || (p[3] == '-' && g_ascii_isdigit (p[4]))))
            return TRUE;
        }
    }
  return FALSE;
}

static void
check_identity (Validation *v, KvmrtVm *vm, GHashTable *names)
{
  const char *name = kvmrt_vm_get_name (vm);

  if (!kvmrt_uuid_is_valid (kvmrt_vm_get_uuid (vm)))
    REPORT (v, "uuid-invalid", vm, NULL,
            _("Section [%s] is not a VM UUID; each section must be the libvirt UUID of a VM "
              "(see 'virsh domuuid NAME')."), kvmrt_vm_get_uuid (vm));

  if (name == NULL)
    {
      REPORT (v, "name-missing", vm, "name",
              _("VM %s has no name; set 'name' to its libvirt domain name."),
              kvmrt_vm_get_uuid (vm));
      return;
    }

  if (g_hash_table_contains (names, name))
    {
      KvmrtVm *first = g_hash_table_lookup (names, name);

      REPORT (v, "name-duplicate", vm, "name",
              _("The name '%s' is also used by VM %s; libvirt needs every VM name to be "
                "unique, so rename one of them."), name, kvmrt_vm_get_uuid (first));
    }
  else
    g_hash_table_insert (names, (gpointer) name, vm);
}

static void
check_values (Validation *v, KvmrtVm *vm)
{
  for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    {
      const GError *error = kvmrt_vm_get_value_error (vm, attr);

      if (error != NULL)
        REPORT (v, "value-invalid", vm, kvmrt_vm_attr_get_key (attr),
                _("%s = %s: %s (the default is used until this is fixed)"),
                kvmrt_vm_attr_get_key (attr), kvmrt_vm_get_text (vm, attr), error->message);
    }
}

static void
check_cpus (Validation *v, const KvmrtVmPlan *p)
{
  KvmrtVm *vm = p->vm;
  const KvmrtIdSet *numatune = kvmrt_vm_get_numatune (vm);
  KvmrtTopology topology = kvmrt_vm_get_cpu_topology (vm);

  if (p->cpuset_error != NULL)
    REPORT (v, "cpuset-unknown-cpu", vm, "cpuset",
            _("cpuset %s names what this host does not have: %s. Choose CPUs, cores or "
              "nodes the host has (see kvmrt-show-config --host)."),
            kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_CPUSET), p->cpuset_error->message);

  if (numatune != NULL)
    {
      g_autoptr(KvmrtIdSet) missing = kvmrt_id_set_copy (numatune);

      kvmrt_id_set_subtract (missing, kvmrt_host_get_ids (v->host, KVMRT_HOST_LEVEL_NODE));
      if (!kvmrt_id_set_is_empty (missing))
        {
          g_autofree char *missing_text = kvmrt_validation_ids (missing);
          const KvmrtIdSet *host_nodes = kvmrt_host_get_ids (v->host, KVMRT_HOST_LEVEL_NODE);
          g_autofree char *have = kvmrt_validation_ids (host_nodes);

          KvmrtDiagnostic *d = REPORT (v, "cpuset-unknown-cpu", vm, "numatune",
                                       _("numatune names NUMA node %s, which this host does "
                                         "not have (it has nodes %s)."), missing_text, have);

          kvmrt_diagnostic_add_nodes (d, missing);
        }
    }

  if (topology.sockets != 0
      && topology.sockets * topology.cores * topology.threads != p->nr_vcpus)
    REPORT (v, "topology-mismatch", vm, "cpu_topology",
            _("cpu_topology %u,%u,%u gives %u vCPUs but the VM has %u; make "
              "sockets x cores x threads equal nr_vcpus, or set cpu_topology = auto."),
            topology.sockets, topology.cores, topology.threads,
            topology.sockets * topology.cores * topology.threads, p->nr_vcpus);

  if (!p->rt)
    {
      guint n = kvmrt_id_set_count (p->cpus);

      if (n > 0 && n < p->nr_vcpus + 1)
        kvmrt_diagnostic_add_cpus (REPORT (v, "underprovisioned", vm, "cpuset",
                                           _("%u vCPUs and the emulator share %u host CPUs, so "
                                             "vCPUs will compete for them; give the cpuset at "
                                             "least %u CPUs or lower nr_vcpus."),
                                           p->nr_vcpus, n, p->nr_vcpus + 1),
                                   p->cpus);
    }

  if (topology.sockets != 0 && looks_like_windows (vm))
    REPORT (v, "windows-topology", vm, "cpu_topology",
            _("This looks like a Windows guest with an explicit cpu_topology; Windows may "
              "not use all vCPUs with such a layout. Set cpu_topology = auto."));
}

/* Both hyperthreads of a core listed CPU by CPU ("8-11,40"): the planner keeps the lowest and
 * takes the rest offline, which the user may not have meant. Whole cores, nodes, dies and
 * packages ("c8-11", "n1") name every thread of their cores by design, so they are left
 * alone, as is an inverted cpuset. */
static void
check_sibling_cpus (Validation *v, const KvmrtVmPlan *p)
{
  const KvmrtCpuSet *cpuset = kvmrt_vm_get_cpuset (p->vm);
  const KvmrtIdSet *listed = kvmrt_cpu_set_get_items (cpuset, KVMRT_CPU_ITEM_CPU);
  g_autoptr(KvmrtIdSet) doubled = kvmrt_id_set_new ();
  g_autofree char *text = NULL;

  if (kvmrt_cpu_set_is_inverted (cpuset))
    return;
  for (int c = kvmrt_id_set_first (listed); c >= 0; c = kvmrt_id_set_next (listed, c))
    {
      const KvmrtIdSet *siblings = kvmrt_host_get_core_siblings (v->host, c);

      /* The one the planner keeps is usable; a listed CPU beside a listed sibling is not. */
      if (siblings == NULL || kvmrt_id_set_contains (p->usable_cpus, c))
        continue;
      for (int s = kvmrt_id_set_first (siblings); s >= 0; s = kvmrt_id_set_next (siblings, s))
        if (s != c && kvmrt_id_set_contains (listed, s))
          {
            kvmrt_id_set_add (doubled, c);
            break;
          }
    }
  if (kvmrt_id_set_is_empty (doubled))
    return;
  text = kvmrt_validation_ids (doubled);
  kvmrt_diagnostic_add_cpus (REPORT (v, "rt-sibling-both-specified", p->vm, "cpuset",
                                     _("CPUs %s are hyperthread siblings of other CPUs listed "
                                       "in the cpuset; a real-time VM uses one CPU per core, "
                                       "so these will be taken offline, not used. List one "
                                       "CPU per core, or name whole cores (c8-11) or a node "
                                       "(n1)."), text),
                             doubled);
}

static void
check_rt (Validation *v, const KvmrtVmPlan *p)
{
  KvmrtVm *vm = p->vm;
  const KvmrtIdSet *numatune = kvmrt_vm_get_numatune (vm);
  guint n_usable = kvmrt_id_set_count (p->usable_cpus);
  const KvmrtIdSet *nodes = p->nodes;

  if (kvmrt_id_set_is_empty (p->cpus))
    {
      if (p->cpuset_error == NULL)
        REPORT (v, "rt-cpuset-empty", vm, "cpuset",
                _("A real-time VM needs host CPUs of its own; set cpuset (for example to "
                  "whole cores of one NUMA node, like 'n1')."));
      return;
    }

  if (kvmrt_vm_get_rt_memory (vm) == KVMRT_TRISTATE_OFF)
    REPORT (v, "rt-memory-disabled", vm, "rt_memory",
            _("A real-time VM must have its memory locked; set rt_memory = auto (or true)."));

  if (n_usable < p->nr_vcpus + 1)
    {
      g_autofree char *usable = kvmrt_validation_ids (p->usable_cpus);
      KvmrtDiagnostic *d;

      d = REPORT (v, "rt-underprovisioned", vm, "cpuset",
                  _("%u vCPUs need %u usable host CPUs (one per vCPU plus one for the "
                    "emulator), but the cpuset gives %u (CPUs %s, one per core); add cores or "
                    "lower nr_vcpus (auto picks the right number)."),
                  p->nr_vcpus, p->nr_vcpus + 1, n_usable, usable);
      /* The VM's cores, siblings included: all of them are too few. */
      kvmrt_diagnostic_add_cpus (d, p->owned_cpus);
    }

  if (kvmrt_id_set_count (nodes) > 1)
    {
      g_autofree char *text = kvmrt_validation_ids (nodes);

      kvmrt_diagnostic_add_nodes (REPORT (v, "rt-spans-numa-nodes", vm, "cpuset",
                                          _("The host CPUs span NUMA nodes %s, so memory and "
                                            "devices are remote to some vCPUs; keep a "
                                            "real-time VM within one node if it fits."), text),
                                  nodes);
    }

  if (numatune != NULL && kvmrt_id_set_is_empty (numatune))
    REPORT (v, "rt-numatune-disabled", vm, "numatune",
            _("numatune is empty, so the VM's memory may come from any NUMA node; set "
              "numatune = auto to keep it on the nodes of its CPUs."));
  else if (numatune != NULL && !kvmrt_id_set_is_subset (numatune, nodes))
    {
      g_autofree char *want = kvmrt_validation_ids (numatune);
      g_autofree char *have = kvmrt_validation_nodes_phrase (nodes);
      g_autoptr(KvmrtIdSet) beyond = kvmrt_id_set_copy (numatune);

      kvmrt_id_set_subtract (beyond, nodes);
      kvmrt_diagnostic_add_nodes (REPORT (v, "rt-numatune-outside-cpuset", vm, "numatune",
                                          _("numatune %s reaches beyond the VM's CPUs, which "
                                            "are on %s; use numatune = auto, or nodes among "
                                            "those."), want, have),
                                  beyond);
    }

  check_sibling_cpus (v, p);
}

gboolean
kvmrt_validation_device_is_local (const KvmrtPciDevice *dev, const KvmrtIdSet *nodes)
{
  /* Without a node the platform gives no locality: local_cpus is then every online CPU,
   * which says nothing about where the device really is. */
  return dev->numa_node >= 0 && kvmrt_id_set_contains (nodes, dev->numa_node);
}

static void
check_pci (Validation *v, const KvmrtVmPlan *p)
{
  KvmrtVm *vm = p->vm;
  const GArray *devs = kvmrt_vm_get_pcidevs (vm);
  const KvmrtIdSet *nodes = p->nodes;
  g_autoptr(GHashTable) groups_done = g_hash_table_new (NULL, NULL);

  kvmrt_validation_check_iommu_present (v, p);
  for (guint i = 0; i < devs->len; i++)
    {
      KvmrtPciAddress addr = g_array_index (devs, KvmrtPciAddress, i);
      const KvmrtPciDevice *dev = kvmrt_host_lookup_pci_device (v->host, addr);
      const KvmrtVmPlan *owner;
      char text[KVMRT_PCI_ADDRESS_STRLEN];

      kvmrt_pci_address_format (addr, text);
      if (dev == NULL)
        {
          kvmrt_diagnostic_add_device (REPORT (v, "pci-unknown-device", vm, "pcidevs",
                                               _("PCI device %s does not exist on this host; "
                                                 "check the address with 'lspci -D' and "
                                                 "correct pcidevs."), text),
                                       addr);
          continue;
        }

      owner = g_hash_table_lookup (v->pci_owner, GUINT_TO_POINTER (addr));
      if (owner == NULL)
        g_hash_table_insert (v->pci_owner, GUINT_TO_POINTER (addr), (gpointer) p);
      else if (owner != p)
        kvmrt_diagnostic_add_device (REPORT (v, "pci-assigned-twice", vm, "pcidevs",
                                             _("PCI device %s (%s) is also passed through to "
                                               "'%s'; a device can belong to one VM only, so "
                                               "remove it from one of them."),
                                             text, dev->device_name,
                                             kvmrt_vm_get_label (owner->vm)),
                                     addr);
      kvmrt_validation_check_pci_host (v, p, dev);

      if (dev->iommu_group >= 0
          && !g_hash_table_contains (groups_done, GINT_TO_POINTER (dev->iommu_group + 1)))
        {
          const GArray *group = kvmrt_host_get_iommu_group (v->host, dev->iommu_group);
          g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);

          g_hash_table_add (groups_done, GINT_TO_POINTER (dev->iommu_group + 1));
          for (guint j = 0; group != NULL && j < group->len; j++)
            {
              KvmrtPciAddress member = g_array_index (group, KvmrtPciAddress, j);
              const KvmrtPciDevice *mdev = kvmrt_host_lookup_pci_device (v->host, member);

              /* Bridges in a group stay with the host; vfio only needs the endpoints. */
              if (mdev != NULL && mdev->is_bridge)
                continue;
              if (!kvmrt_pci_set_contains (devs, member))
                g_ptr_array_add (missing, kvmrt_pci_address_to_string (member));
            }
          if (missing->len > 0)
            {
              g_ptr_array_add (missing, NULL);
              g_autofree char *list = g_strjoinv (" ", (char **) missing->pdata);
              KvmrtDiagnostic *d;

              d = REPORT (v, "pci-iommu-group-incomplete", vm, "pcidevs",
                          _("PCI device %s is in IOMMU group %d, whose other devices must go "
                            "to the same VM; add %s to pcidevs."),
                          text, dev->iommu_group, list);
              /* The VM's devices of that group: each goes without the rest of it. */
              for (guint j = 0; j < group->len; j++)
                if (kvmrt_pci_set_contains (devs, g_array_index (group, KvmrtPciAddress, j)))
                  kvmrt_diagnostic_add_device (d, g_array_index (group, KvmrtPciAddress, j));
            }
        }

      /* A device without a NUMA node cannot be judged either way. */
      if (p->rt && !kvmrt_id_set_is_empty (p->owned_cpus) && dev->numa_node >= 0
          && !kvmrt_validation_device_is_local (dev, nodes))
        {
          g_autofree char *have = kvmrt_validation_nodes_phrase (nodes);
          g_autoptr(KvmrtIdSet) device_node = kvmrt_id_set_new ();
          KvmrtDiagnostic *d;

          d = REPORT (v, "pci-not-local", vm, "pcidevs",
                      _("PCI device %s (%s) is on NUMA node %d, not local to the VM's host "
                        "CPUs (%s); its DMA and interrupts cross nodes. Prefer a device of %s "
                        "or move the VM's cpuset to node %d."),
                      text, dev->device_name, dev->numa_node, have, have, dev->numa_node);
          kvmrt_id_set_add (device_node, dev->numa_node);
          kvmrt_diagnostic_add_device (d, addr);
          kvmrt_diagnostic_add_nodes (d, device_node);
        }
    }
}

void
kvmrt_validation_check_vm (Validation *v, const KvmrtVmPlan *p, GHashTable *names)
{
  check_identity (v, p->vm, names);
  check_values (v, p->vm);
  check_cpus (v, p);
  if (p->rt)
    check_rt (v, p);
  check_pci (v, p);
}

