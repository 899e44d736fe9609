/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host inventory of kvmrt-show-config --host --json: CPUs and NUMA nodes as a cpuset is
 * written against them, and every PCI device (bridges only with -a) with what a pcidevs choice
 * needs to know (its node, IOMMU group, driver, IRQs, network interfaces, SR-IOV links and what
 * the host itself runs on it). The PCI pieces rttools pci shares are in kvmrt-json.c. */
#include "kvmrt-json.h"

static void
write_device (KvmrtJsonWriter *w, KvmrtHost *host, const KvmrtPciDevice *dev)
{
  g_autoptr(GArray) vfs = kvmrt_host_get_virtual_functions (host, dev->address);
  char id[8];

  kvmrt_json_writer_begin_object (w);
  kvmrt_json_write_pci_address (w, "address", &dev->address);
  g_snprintf (id, sizeof id, "%06x", dev->class_code);
  kvmrt_json_writer_member_string (w, "class_code", id);
  kvmrt_json_writer_member_string (w, "class", dev->class_name);
  g_snprintf (id, sizeof id, "%04x", dev->vendor_id);
  kvmrt_json_writer_member_string (w, "vendor_id", id);
  kvmrt_json_writer_member_string (w, "vendor", dev->vendor_name);
  g_snprintf (id, sizeof id, "%04x", dev->device_id);
  kvmrt_json_writer_member_string (w, "device_id", id);
  kvmrt_json_writer_member_string (w, "device", dev->device_name);
  kvmrt_json_writer_member_int_or_null (w, "numa_node", dev->numa_node);
  kvmrt_json_writer_member_id_set (w, "local_cpus", dev->local_cpus);
  kvmrt_json_writer_member_int_or_null (w, "iommu_group", dev->iommu_group);
  kvmrt_json_writer_member_string (w, "driver", dev->driver);
  kvmrt_json_write_pci_irqs (w, dev);
  kvmrt_json_writer_member (w, "interfaces");
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; dev->interfaces != NULL && i < dev->interfaces->len; i++)
    kvmrt_json_writer_string (w, ((const KvmrtNetInterface *) dev->interfaces->pdata[i])->name);
  kvmrt_json_writer_end_array (w);
  kvmrt_json_writer_member_bool (w, "bridge", dev->is_bridge);
  kvmrt_json_writer_member_bool (w, "assignable", !kvmrt_pci_device_is_infrastructure (dev));
  kvmrt_json_writer_member_bool (w, "boot_vga", dev->boot_vga);
  kvmrt_json_write_pci_address (w, "physfn", dev->is_virtual_function ? &dev->physfn : NULL);
  kvmrt_json_write_pci_addresses (w, "virtfns", vfs);
  kvmrt_json_writer_member (w, "host_needs");
  kvmrt_json_writer_begin_array (w);
  if (dev->host_needs & KVMRT_PCI_HOST_NEED_STORAGE)
    kvmrt_json_writer_string (w, "storage");
  if (dev->host_needs & KVMRT_PCI_HOST_NEED_NETWORK)
    kvmrt_json_writer_string (w, "network");
  if (dev->host_needs & KVMRT_PCI_HOST_NEED_CONSOLE)
    kvmrt_json_writer_string (w, "console");
  kvmrt_json_writer_end_array (w);
  kvmrt_json_writer_member_string (w, "host_needs_detail", dev->host_needs_detail);
  kvmrt_json_writer_end_object (w);
}

void
kvmrt_json_write_host (KvmrtJsonWriter *w, KvmrtHost *host, gboolean all)
{
  const KvmrtIdSet *nodes = kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE);
  GPtrArray *devices = kvmrt_host_get_pci_devices (host);

  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member_string (w, "hostname", kvmrt_host_get_hostname (host));
  kvmrt_json_writer_member_string (w, "machine", kvmrt_host_get_machine (host));
  kvmrt_json_writer_member_string (w, "cpu_model", kvmrt_host_get_cpu_model (host));
  kvmrt_json_writer_member_string (w, "cmdline", kvmrt_host_get_cmdline (host));
  kvmrt_json_writer_member_id_set (w, "cpus", kvmrt_host_get_cpus (host));
  kvmrt_json_writer_member_id_set (w, "online_cpus", kvmrt_host_get_online_cpus (host));
  kvmrt_json_writer_member_int (w, "cores",
                                kvmrt_id_set_count (kvmrt_host_get_ids (host,
                                                                        KVMRT_HOST_LEVEL_CORE)));
  kvmrt_json_writer_member_id_set (w, "packages",
                                   kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_PACKAGE));
  kvmrt_json_writer_member_bool (w, "smt", kvmrt_host_has_smt (host));
  kvmrt_json_writer_member_bool (w, "iommu", kvmrt_host_has_iommu (host));

  kvmrt_json_writer_member (w, "nodes");
  kvmrt_json_writer_begin_array (w);
  for (int n = kvmrt_id_set_first (nodes); n >= 0; n = kvmrt_id_set_next (nodes, n))
    {
      const KvmrtIdSet *cpus = kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE, n);
      g_autoptr(KvmrtIdSet) cores = kvmrt_id_set_new ();

      for (int c = kvmrt_id_set_first (cpus); c >= 0; c = kvmrt_id_set_next (cpus, c))
        {
          int core = kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_CORE, c);

          if (core >= 0)
            kvmrt_id_set_add (cores, core);
        }
      kvmrt_json_writer_begin_object (w);
      kvmrt_json_writer_member_int (w, "node", n);
      kvmrt_json_writer_member_int (w, "memory_mib", kvmrt_host_get_node_memory (host, n) >> 20);
      kvmrt_json_writer_member_id_set (w, "cores", cores);
      kvmrt_json_writer_member_id_set (w, "cpus", cpus);
      kvmrt_json_writer_end_object (w);
    }
  kvmrt_json_writer_end_array (w);

  kvmrt_json_writer_member (w, "pci_devices");
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *dev = devices->pdata[i];

      if (all || !dev->is_bridge)
        write_device (w, host, dev);
    }
  kvmrt_json_writer_end_array (w);
  kvmrt_json_writer_end_object (w);
}
