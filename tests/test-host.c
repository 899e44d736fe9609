/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host model against the fixture hosts (data/hosts/, generated into the build tree), the
 * live machine, hwloc and libpci as references, kvmrt-host-snapshot, and small trees written
 * here for the cases the fixtures do not have. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <hwloc.h>
#include <pci/pci.h>

#include "kvmrt-test-hosts.h"

/* Helpers */

static KvmrtIdSet *
ids (const char *text)
{
  g_autoptr(GError) error = NULL;
  KvmrtIdSet *set = kvmrt_id_set_parse (text, &error);

  g_assert_no_error (error);
  return set;
}

#define assert_ids(set, text) \
  G_STMT_START { \
    const KvmrtIdSet *assert_set_ = (set); \
    g_autofree char *assert_got_ = NULL; \
    g_assert_nonnull (assert_set_); \
    assert_got_ = kvmrt_id_set_to_string (assert_set_); \
    g_assert_cmpstr (assert_got_, ==, (text)); \
  } G_STMT_END

static KvmrtPciAddress
addr (const char *text)
{
  KvmrtPciAddress address = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (kvmrt_pci_address_parse (text, &address, &error));
  g_assert_no_error (error);
  return address;
}

static const KvmrtPciDevice *
device (KvmrtHost *host, const char *text)
{
  const KvmrtPciDevice *dev = kvmrt_host_lookup_pci_device (host, addr (text));

  if (dev == NULL)
    g_error ("no PCI device %s in %s", text, kvmrt_host_get_sysroot (host));
  return dev;
}

static char *
irq_list (const KvmrtPciDevice *dev)
{
  g_autoptr(KvmrtIdSet) set = kvmrt_id_set_new ();

  for (guint i = 0; i < dev->irqs->len; i++)
    kvmrt_id_set_add (set, g_array_index (dev->irqs, guint, i));
  return kvmrt_id_set_to_string (set);
}

static char *
group_text (KvmrtHost *host, int group)
{
  const GArray *members = kvmrt_host_get_iommu_group (host, group);
  g_autoptr(GArray) copy = NULL;

  if (members == NULL)
    return NULL;
  copy = g_array_copy ((GArray *) members);
  return kvmrt_pci_set_to_string (copy);
}

static const KvmrtIrq *
find_irq (KvmrtHost *host, const char *name)
{
  GPtrArray *irqs = kvmrt_host_get_irqs (host);

  for (guint i = 0; i < irqs->len; i++)
    {
      const KvmrtIrq *irq = g_ptr_array_index (irqs, i);

      if (g_str_equal (irq->name, name))
        return irq;
    }
  g_error ("no IRQ %s in %s", name, kvmrt_host_get_sysroot (host));
  return NULL;
}

/* The IRQ of the @index-th entry of a device's IRQ list. */
static const KvmrtIrq *
find_device_irq (KvmrtHost *host, const KvmrtPciDevice *dev, guint index)
{
  g_autofree char *name = NULL;

  g_assert_cmpuint (index, <, dev->irqs->len);
  name = g_strdup_printf ("%u", g_array_index (dev->irqs, guint, index));
  return find_irq (host, name);
}

static void
write_file (const char *root, const char *relative, const char *contents)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
make_link (const char *root, const char *relative, const char *target)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static char *
make_scratch (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("kvmrt-test-host-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* The same host, field by field (all but the sysroot). */
static void
assert_hosts_equal (KvmrtHost *a, KvmrtHost *b)
{
  GPtrArray *da = kvmrt_host_get_pci_devices (a), *db = kvmrt_host_get_pci_devices (b);
  GPtrArray *ia = kvmrt_host_get_irqs (a), *ib = kvmrt_host_get_irqs (b);
  const GArray *ca = kvmrt_host_get_irq_cpus (a), *cb = kvmrt_host_get_irq_cpus (b);

  g_assert_cmpstr (kvmrt_host_get_hostname (a), ==, kvmrt_host_get_hostname (b));
  g_assert_cmpstr (kvmrt_host_get_machine (a), ==, kvmrt_host_get_machine (b));
  g_assert_cmpstr (kvmrt_host_get_cpu_model (a), ==, kvmrt_host_get_cpu_model (b));
  g_assert_cmpstr (kvmrt_host_get_cmdline (a), ==, kvmrt_host_get_cmdline (b));
  g_assert_true (kvmrt_id_set_equal (kvmrt_host_get_cpus (a), kvmrt_host_get_cpus (b)));
  g_assert_true (kvmrt_id_set_equal (kvmrt_host_get_online_cpus (a),
                                     kvmrt_host_get_online_cpus (b)));
  g_assert_cmpuint (kvmrt_host_get_n_cpus (a), ==, kvmrt_host_get_n_cpus (b));
  g_assert_cmpint (kvmrt_host_has_smt (a), ==, kvmrt_host_has_smt (b));

  for (KvmrtHostLevel level = KVMRT_HOST_LEVEL_PACKAGE; level <= KVMRT_HOST_LEVEL_CORE; level++)
    {
      const KvmrtIdSet *level_ids = kvmrt_host_get_ids (a, level);

      g_assert_true (kvmrt_id_set_equal (level_ids, kvmrt_host_get_ids (b, level)));
      for (int id = kvmrt_id_set_first (level_ids); id >= 0;
           id = kvmrt_id_set_next (level_ids, id))
        g_assert_true (kvmrt_id_set_equal (kvmrt_host_get_level_cpus (a, level, id),
                                           kvmrt_host_get_level_cpus (b, level, id)));
      for (guint cpu = 0; cpu < kvmrt_host_get_n_cpus (a); cpu++)
        g_assert_cmpint (kvmrt_host_get_cpu_level (a, level, cpu), ==,
                         kvmrt_host_get_cpu_level (b, level, cpu));
    }
  for (guint node = 0; node < 64; node++)
    g_assert_cmpuint (kvmrt_host_get_node_memory (a, node), ==,
                      kvmrt_host_get_node_memory (b, node));

  g_assert_cmpuint (da->len, ==, db->len);
  for (guint i = 0; i < da->len; i++)
    {
      const KvmrtPciDevice *x = da->pdata[i], *y = db->pdata[i];

      g_assert_cmpuint (x->address, ==, y->address);
      g_assert_cmpuint (x->vendor_id, ==, y->vendor_id);
      g_assert_cmpuint (x->device_id, ==, y->device_id);
      g_assert_cmpuint (x->class_code, ==, y->class_code);
      g_assert_cmpstr (x->class_name, ==, y->class_name);
      g_assert_cmpstr (x->vendor_name, ==, y->vendor_name);
      g_assert_cmpstr (x->device_name, ==, y->device_name);
      g_assert_cmpint (x->numa_node, ==, y->numa_node);
      g_assert_true (kvmrt_id_set_equal (x->local_cpus, y->local_cpus));
      g_assert_cmpint (x->iommu_group, ==, y->iommu_group);
      g_assert_cmpstr (x->driver, ==, y->driver);
      g_assert_cmpmem (x->irqs->data, x->irqs->len * sizeof (guint),
                       y->irqs->data, y->irqs->len * sizeof (guint));
      g_assert_cmpint (x->is_bridge, ==, y->is_bridge);
      g_assert_cmpint (x->is_virtual_function, ==, y->is_virtual_function);
      g_assert_cmpuint (x->physfn, ==, y->physfn);
      g_assert_cmpint (x->boot_vga, ==, y->boot_vga);
      g_assert_cmpuint (x->host_needs, ==, y->host_needs);
      g_assert_cmpstr (x->host_needs_detail, ==, y->host_needs_detail);
      if (x->iommu_group >= 0)
        {
          g_autofree char *ga = group_text (a, x->iommu_group);
          g_autofree char *gb = group_text (b, x->iommu_group);

          g_assert_cmpstr (ga, ==, gb);
        }
    }

  g_assert_cmpmem (ca->data, ca->len * sizeof (guint), cb->data, cb->len * sizeof (guint));
  g_assert_cmpuint (ia->len, ==, ib->len);
  for (guint i = 0; i < ia->len; i++)
    {
      const KvmrtIrq *x = ia->pdata[i], *y = ib->pdata[i];

      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpint (x->number, ==, y->number);
      g_assert_cmpmem (x->counts->data, x->counts->len * sizeof (guint64),
                       y->counts->data, y->counts->len * sizeof (guint64));
      g_assert_cmpstr (x->chip, ==, y->chip);
      g_assert_cmpstr (x->hwirq, ==, y->hwirq);
      g_assert_cmpstr (x->actions, ==, y->actions);
      g_assert_cmpstr (x->description, ==, y->description);
      g_assert_true ((x->affinity == NULL) == (y->affinity == NULL));
      g_assert_true (x->affinity == NULL || kvmrt_id_set_equal (x->affinity, y->affinity));
      g_assert_true ((x->effective_affinity == NULL) == (y->effective_affinity == NULL));
      g_assert_true (x->effective_affinity == NULL
                     || kvmrt_id_set_equal (x->effective_affinity, y->effective_affinity));
    }
}

/* The demo host: Supermicro M12SWA-TF */

static void
test_m12_system (void)
{
  KvmrtHost *host = test_load_host ("m12swa-tf");

  g_assert_cmpstr (kvmrt_host_get_hostname (host), ==, "TestStand1");
  g_assert_cmpstr (kvmrt_host_get_machine (host), ==, "Supermicro M12SWA-TF");
  g_assert_cmpstr (kvmrt_host_get_cpu_model (host), ==,
                   "AMD Ryzen Threadripper PRO 5975WX 32-Cores");
  g_assert_nonnull (strstr (kvmrt_host_get_cmdline (host),
                            " iommu=pt amd_iommu=on idle.shielded=poll "));
  g_assert_true (g_str_has_prefix (kvmrt_host_get_cmdline (host), "BOOT_IMAGE=/boot/vmlinuz"));
}

static void
test_m12_topology (void)
{
  KvmrtHost *host = test_load_host ("m12swa-tf");
  static const char *const node_cpus[] = { "0-7,32-39", "8-15,40-47", "16-23,48-55",
                                           "24-31,56-63" };
  g_autoptr(KvmrtIdSet) some = ids ("0,8,63");
  g_autoptr(KvmrtIdSet) nodes = NULL;

  assert_ids (kvmrt_host_get_cpus (host), "0-63");
  assert_ids (kvmrt_host_get_online_cpus (host), "0-63");
  g_assert_cmpuint (kvmrt_host_get_n_cpus (host), ==, 64);
  g_assert_true (kvmrt_host_has_smt (host));

  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_PACKAGE), "0");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_DIE), "0");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE), "0-3");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_CORE), "0-31");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_PACKAGE, 0), "0-63");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_DIE, 0), "0-63");
  g_assert_null (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_PACKAGE, 1));
  g_assert_null (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE, 4));
  g_assert_null (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_CORE, 32));

  for (guint n = 0; n < 4; n++)
    {
      assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE, n), node_cpus[n]);
      /* 31906, 32184, 32184, 32170 MiB as the description says */
      g_assert_cmpuint (kvmrt_host_get_node_memory (host, n) >> 20, >=, 31906);
      g_assert_cmpuint (kvmrt_host_get_node_memory (host, n) >> 20, <=, 32184);
    }
  g_assert_cmpuint (kvmrt_host_get_node_memory (host, 0), ==, 31906ull << 20);
  g_assert_cmpuint (kvmrt_host_get_node_memory (host, 7), ==, 0);

  /* Core N is CPUs N and N + 32; node k has cores 8k..8k+7. */
  for (guint core = 0; core < 32; core++)
    {
      g_autofree char *expected = g_strdup_printf ("%u,%u", core, core + 32);

      assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_CORE, core), expected);
      assert_ids (kvmrt_host_get_core_siblings (host, core), expected);
      assert_ids (kvmrt_host_get_core_siblings (host, core + 32), expected);
      g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_CORE, core + 32), ==, core);
      g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_NODE, core), ==, core / 8);
      g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_PACKAGE, core), ==, 0);
      g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_DIE, core), ==, 0);
    }
  g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_NODE, 64), ==, -1);
  g_assert_null (kvmrt_host_get_core_siblings (host, 64));

  nodes = kvmrt_host_get_nodes_of_cpus (host, some);
  assert_ids (nodes, "0-1,3");
}

static void
test_m12_pci (void)
{
  KvmrtHost *host = test_load_host ("m12swa-tf");
  GPtrArray *devices = kvmrt_host_get_pci_devices (host);
  const KvmrtPciDevice *dev;
  g_autofree char *irqs = NULL;
  g_autofree char *group = NULL;

  /* In address order, without repeats. */
  g_assert_cmpuint (devices->len, >, 80);
  for (guint i = 1; i < devices->len; i++)
    g_assert_cmpuint (((KvmrtPciDevice *) devices->pdata[i - 1])->address, <,
                      ((KvmrtPciDevice *) devices->pdata[i])->address);
  g_assert_null (kvmrt_host_lookup_pci_device (host, addr ("0000:21:00.2")));
  g_assert_null (kvmrt_host_lookup_pci_device (host, addr ("0000:44:00.0")));   /* empty slot */

  /* X550-T2 port 0: the host's, a PF with two VFs */
  dev = device (host, "0000:21:00.0");
  g_assert_cmphex (dev->vendor_id, ==, 0x8086);
  g_assert_cmphex (dev->device_id, ==, 0x1563);
  g_assert_cmphex (dev->class_code, ==, 0x020000);
  g_assert_cmpstr (dev->vendor_name, ==, "Intel Corporation");
  g_assert_cmpstr (dev->class_name, ==, "Ethernet controller");
  g_assert_nonnull (strstr (dev->device_name, "X550"));
  g_assert_cmpint (dev->numa_node, ==, 2);
  assert_ids (dev->local_cpus, "16-23,48-55");
  g_assert_cmpint (dev->iommu_group, ==, 45);
  g_assert_cmpstr (dev->driver, ==, "ixgbe");
  irqs = irq_list (dev);
  g_assert_cmpstr (irqs, ==, "265-269");
  g_assert_false (dev->is_bridge);
  g_assert_false (dev->is_virtual_function);
  g_assert_true (kvmrt_pci_device_is_host_used (dev));
  group = group_text (host, 45);
  g_assert_cmpstr (group, ==, "0000:21:00.0");
  g_clear_pointer (&irqs, g_free);
  g_clear_pointer (&group, g_free);

  /* Port 1, held for a VM */
  dev = device (host, "0000:21:00.1");
  g_assert_cmpstr (dev->driver, ==, "vfio-pci");
  g_assert_cmpint (dev->iommu_group, ==, 46);
  g_assert_false (kvmrt_pci_device_is_host_used (dev));
  irqs = irq_list (dev);
  g_assert_cmpstr (irqs, ==, "276-280");
  g_clear_pointer (&irqs, g_free);

  /* Its VFs */
  dev = device (host, "0000:21:10.0");
  g_assert_true (dev->is_virtual_function);
  g_assert_cmphex (dev->device_id, ==, 0x1565);
  g_assert_cmpstr (dev->driver, ==, "vfio-pci");
  g_assert_cmpint (dev->iommu_group, ==, 56);
  g_assert_cmpint (dev->numa_node, ==, 2);
  irqs = irq_list (dev);
  g_assert_cmpstr (irqs, ==, "270-272");
  g_clear_pointer (&irqs, g_free);
  dev = device (host, "0000:21:10.2");
  g_assert_true (dev->is_virtual_function);
  g_assert_cmpstr (dev->driver, ==, "ixgbevf");
  g_assert_cmpint (dev->iommu_group, ==, 57);
  g_assert_true (kvmrt_pci_device_is_host_used (dev));
  irqs = irq_list (dev);
  g_assert_cmpstr (irqs, ==, "273-275");
  g_clear_pointer (&irqs, g_free);

  /* The GPU and its audio function share a group */
  dev = device (host, "0000:22:00.0");
  g_assert_cmphex (dev->class_code, ==, 0x030000);
  g_assert_cmpstr (dev->vendor_name, ==, "NVIDIA Corporation");
  g_assert_cmpint (dev->iommu_group, ==, 47);
  group = group_text (host, 47);
  g_assert_cmpstr (group, ==, "0000:22:00.0 0000:22:00.1");
  g_clear_pointer (&group, g_free);
  g_assert_cmpint (device (host, "0000:22:00.1")->iommu_group, ==, 47);

  /* ASPEED bridge and VGA; FCH; data fabric */
  group = group_text (host, 71);
  g_assert_cmpstr (group, ==, "0000:46:00.0 0000:47:00.0");
  g_clear_pointer (&group, g_free);
  g_assert_true (device (host, "0000:46:00.0")->is_bridge);
  g_assert_cmpstr (device (host, "0000:47:00.0")->driver, ==, "ast");
  group = group_text (host, 11);
  g_assert_cmpstr (group, ==, "0000:00:14.0 0000:00:14.3");
  g_clear_pointer (&group, g_free);
  group = group_text (host, 12);
  g_assert_cmpstr (group, ==, "0000:00:18.0 0000:00:18.1 0000:00:18.2 0000:00:18.3 "
                   "0000:00:18.4 0000:00:18.5 0000:00:18.6 0000:00:18.7");
  g_clear_pointer (&group, g_free);
  g_assert_null (kvmrt_host_get_iommu_group (host, -1));
  g_assert_null (kvmrt_host_get_iommu_group (host, 9999));

  /* Root complex: a bridge without a group; the IOMMU's own MSI */
  dev = device (host, "0000:00:00.0");
  g_assert_true (dev->is_bridge);
  g_assert_cmpint (dev->iommu_group, ==, -1);
  g_assert_null (dev->driver);
  g_assert_false (kvmrt_pci_device_is_host_used (dev));
  g_assert_cmpuint (dev->irqs->len, ==, 0);
  dev = device (host, "0000:00:00.2");
  g_assert_cmpuint (dev->irqs->len, ==, 1);

  /* A root port: bridge with pcieport bound is not "used by the host" */
  dev = device (host, "0000:20:03.1");
  g_assert_cmpstr (dev->driver, ==, "pcieport");
  g_assert_true (dev->is_bridge);
  g_assert_false (kvmrt_pci_device_is_host_used (dev));

  /* The rest of the table of the description */
  g_assert_cmpstr (device (host, "0000:41:00.0")->driver, ==, "nvme");
  g_assert_cmpint (device (host, "0000:41:00.0")->numa_node, ==, 0);
  g_assert_cmpint (device (host, "0000:41:00.0")->iommu_group, ==, 67);
  g_assert_cmpstr (device (host, "0000:42:00.0")->driver, ==, "igb");
  g_assert_cmpstr (device (host, "0000:43:00.0")->driver, ==, "atlantic");
  g_assert_cmpstr (device (host, "0000:4a:00.0")->driver, ==, "ahci");
  dev = device (host, "0000:61:00.0");
  g_assert_cmpstr (dev->driver, ==, "vfio-pci");
  g_assert_cmpint (dev->numa_node, ==, 1);
  g_assert_cmpint (dev->iommu_group, ==, 84);
  assert_ids (dev->local_cpus, "8-15,40-47");
  /* The RCIM is held by vfio-pci for the VM Figure 5-8 gives it to. */
  dev = device (host, "0000:01:00.0");
  g_assert_cmpstr (dev->driver, ==, "vfio-pci");
  g_assert_cmpint (dev->numa_node, ==, 3);
  g_assert_cmpint (dev->iommu_group, ==, 13);
  assert_ids (dev->local_cpus, "24-31,56-63");
  g_assert_cmpstr (device (host, "0000:02:00.0")->driver, ==, "nvme");
  g_assert_cmpint (device (host, "0000:24:00.3")->iommu_group, ==, 50);
  g_assert_cmpstr (device (host, "0000:24:00.3")->class_name, ==, "USB controller");

  /* Node 1 has no device the host uses; node 0 has several */
  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *d = devices->pdata[i];

      if (d->numa_node == 1)
        g_assert_false (kvmrt_pci_device_is_host_used (d));
    }
  g_assert_true (kvmrt_pci_device_is_host_used (device (host, "0000:45:00.0")));
}

static void
test_m12_irqs (void)
{
  KvmrtHost *host = test_load_host ("m12swa-tf");
  GPtrArray *irqs = kvmrt_host_get_irqs (host);
  const GArray *columns = kvmrt_host_get_irq_cpus (host);
  const KvmrtPciDevice *nvme = device (host, "0000:02:00.0");
  const KvmrtIrq *irq;
  g_autoptr(KvmrtIdSet) queue_cpus = kvmrt_id_set_new ();

  g_assert_cmpuint (columns->len, ==, 64);
  for (guint i = 0; i < columns->len; i++)
    g_assert_cmpuint (g_array_index (columns, guint, i), ==, i);

  /* File order: the timer first, the architecture rows last */
  irq = irqs->pdata[0];
  g_assert_cmpstr (irq->name, ==, "0");
  g_assert_cmpint (irq->number, ==, 0);
  g_assert_cmpstr (irq->actions, ==, "timer");
  irq = irqs->pdata[irqs->len - 1];
  g_assert_cmpint (irq->number, ==, -1);

  irq = find_irq (host, "4");
  g_assert_cmpstr (irq->chip, ==, "IR-IO-APIC");
  g_assert_cmpstr (irq->hwirq, ==, "4-edge");
  g_assert_cmpstr (irq->actions, ==, "ttyS0");
  g_assert_cmpuint (irq->counts->len, ==, 64);
  /* COM1 says node 0: its effective CPU is there */
  g_assert_true (kvmrt_id_set_is_subset (irq->effective_affinity,
                                         kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE,
                                                                    0)));

  irq = find_irq (host, "265");
  g_assert_cmpint (irq->number, ==, 265);
  g_assert_cmpstr (irq->chip, ==, "IR-PCI-MSIX-0000:21:00.0");
  g_assert_cmpstr (irq->hwirq, ==, "0-edge");
  g_assert_true (g_str_has_prefix (irq->actions, "enp33s0f0"));
  assert_ids (irq->affinity, "0-63");
  g_assert_cmpuint (kvmrt_id_set_count (irq->effective_affinity), ==, 1);
  g_assert_true (kvmrt_id_set_is_subset (irq->effective_affinity,
                                         kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE,
                                                                    2)));

  /* Guest IRQs of the devices held by vfio-pci */
  irq = find_irq (host, "276");
  g_assert_cmpstr (irq->actions, ==, "vfio-msix[0](0000:21:00.1)");
  irq = find_irq (host, "188");
  g_assert_cmpstr (irq->actions, ==, "vfio-msi[0](0000:22:00.0)");

  /* Root port actions are a list */
  irq = find_device_irq (host, device (host, "0000:20:01.1"), 0);
  g_assert_cmpstr (irq->actions, ==, "PCIe PME, aerdrv, pciehp");

  /* Managed NVMe queues: each has its share of the cores (4 cores, 8 CPUs), together all */
  g_assert_cmpuint (nvme->irqs->len, ==, 9);
  for (guint q = 1; q < nvme->irqs->len; q++)
    {
      irq = find_device_irq (host, nvme, q);
      g_assert_cmpuint (kvmrt_id_set_count (irq->affinity), ==, 8);
      g_assert_false (kvmrt_id_set_intersects (queue_cpus, irq->affinity));
      g_assert_true (kvmrt_id_set_is_subset (irq->effective_affinity, irq->affinity));
      kvmrt_id_set_union (queue_cpus, irq->affinity);
    }
  assert_ids (queue_cpus, "0-63");

  /* Architecture rows */
  irq = find_irq (host, "NMI");
  g_assert_cmpint (irq->number, ==, -1);
  g_assert_cmpstr (irq->description, ==, "Non-maskable interrupts");
  g_assert_null (irq->chip);
  g_assert_null (irq->affinity);
  g_assert_cmpuint (irq->counts->len, ==, 64);
  irq = find_irq (host, "LOC");
  g_assert_cmpuint (irq->counts->len, ==, 64);
  g_assert_cmpuint (g_array_index (irq->counts, guint64, 0), >, 0);
  irq = find_irq (host, "ERR");
  g_assert_cmpuint (irq->counts->len, ==, 1);
  g_assert_null (irq->description);
  find_irq (host, "MIS");
}

/* What the host runs on its devices, SR-IOV links, interfaces and the boot display. */

static void
assert_needs (KvmrtHost *host, const char *address, guint needs, const char *detail)
{
  const KvmrtPciDevice *dev = device (host, address);

  g_assert_cmpuint (dev->host_needs, ==, needs);
  g_assert_cmpstr (dev->host_needs_detail, ==, detail);
}

static void
test_host_needs (void)
{
  KvmrtHost *m12 = test_load_host ("m12swa-tf");
  KvmrtHost *wrx = test_load_host ("wrx90e-sage-se");
  KvmrtHost *small = test_load_host ("small-nosmt");
  const KvmrtPciDevice *dev;

  assert_needs (m12, "0000:41:00.0", KVMRT_PCI_HOST_NEED_STORAGE,
                "/ (nvme1n1p2), /boot/efi (nvme1n1p1), swap (nvme1n1p3)");
  assert_needs (m12, "0000:02:00.0", KVMRT_PCI_HOST_NEED_STORAGE, "/srv/data (nvme0n1p1)");
  assert_needs (m12, "0000:4a:00.0", KVMRT_PCI_HOST_NEED_STORAGE,
                "/var/lib/libvirt/images (sda1)");
  assert_needs (m12, "0000:43:00.0", KVMRT_PCI_HOST_NEED_NETWORK, "the default route via eno2");
  /* The i210 has no address: Figure 5-8 gives it to a VM */
  assert_needs (m12, "0000:42:00.0", 0, NULL);
  assert_needs (m12, "0000:47:00.0", KVMRT_PCI_HOST_NEED_CONSOLE,
                "the host console (fb0, astdrmfb)");
  /* Held for VMs, or used without anything the host depends on */
  assert_needs (m12, "0000:61:00.0", 0, NULL);
  assert_needs (m12, "0000:21:00.0", 0, NULL);
  assert_needs (m12, "0000:22:00.0", 0, NULL);
  assert_needs (m12, "0000:45:00.0", 0, NULL);

  /* Through device-mapper (root and swap on LVM) and a Linux bridge */
  assert_needs (wrx, "0000:01:00.0", KVMRT_PCI_HOST_NEED_STORAGE,
                "/ (mapper/vg0-root), /boot (nvme0n1p2), /boot/efi (nvme0n1p1), "
                "swap (mapper/vg0-swap)");
  assert_needs (wrx, "0000:81:00.0", KVMRT_PCI_HOST_NEED_NETWORK, "the default route via br0");
  assert_needs (wrx, "0000:61:00.1", KVMRT_PCI_HOST_NEED_NETWORK, "addresses on enp97s0f1");
  assert_needs (wrx, "0000:61:00.0", 0, NULL);
  assert_needs (small, "0000:00:17.0", KVMRT_PCI_HOST_NEED_STORAGE, "/ (sda2), /boot/efi (sda1)");
  assert_needs (small, "0000:01:00.0", KVMRT_PCI_HOST_NEED_NETWORK, "addresses on enp1s0");
  assert_needs (small, "0000:00:1f.6", KVMRT_PCI_HOST_NEED_NETWORK, "the default route via eno1");
  assert_needs (small, "0000:00:02.0", KVMRT_PCI_HOST_NEED_CONSOLE,
                "the host console (fb0, i915drmfb)");

  /* A PF's VFs without PCI details (the validator's load), the boot display */
  {
    g_autoptr(GArray) vfs = kvmrt_host_get_virtual_functions (m12,
                                                              KVMRT_PCI_ADDRESS (0, 0x21, 0, 0));
    g_autoptr(GArray) none = kvmrt_host_get_virtual_functions (m12,
                                                               KVMRT_PCI_ADDRESS (0, 0x21, 0, 1));

    g_assert_cmpuint (vfs->len, ==, 2);
    g_assert_cmpuint (g_array_index (vfs, KvmrtPciAddress, 0), ==,
                      KVMRT_PCI_ADDRESS (0, 0x21, 0x10, 0));
    g_assert_cmpuint (g_array_index (vfs, KvmrtPciAddress, 1), ==,
                      KVMRT_PCI_ADDRESS (0, 0x21, 0x10, 2));
    g_assert_cmpuint (none->len, ==, 0);
  }
  dev = device (m12, "0000:21:10.2");
  g_assert_true (dev->is_virtual_function);
  g_assert_cmpuint (dev->physfn, ==, KVMRT_PCI_ADDRESS (0, 0x21, 0, 0));
  g_assert_true (device (m12, "0000:47:00.0")->boot_vga);
  g_assert_false (device (m12, "0000:22:00.0")->boot_vga);

  g_assert_true (kvmrt_host_has_iommu (m12));
  g_assert_false (kvmrt_host_has_iommu (small));
  g_assert_true (kvmrt_pci_device_is_infrastructure (device (m12, "0000:40:00.2")));
  g_assert_true (kvmrt_pci_device_is_infrastructure (device (m12, "0000:40:01.1")));
  g_assert_false (kvmrt_pci_device_is_infrastructure (device (m12, "0000:41:00.0")));
}

/* Hostile files: a mount source that climbs out of /dev, interface names with slashes, lines
 * cut short. Nothing outside the tree is read and nothing is marked. */
static void
test_host_needs_hostile (void)
{
  g_autofree char *source = test_host_dir ("small-nosmt");
  g_autofree char *copy = g_dir_make_tmp ("kvmrt-needs-XXXXXX", NULL);
  g_autofree char *mounts = g_build_filename (copy, "proc", "mounts", NULL);
  g_autofree char *route = g_build_filename (copy, "proc", "net", "route", NULL);
  g_autofree char *if_inet6 = g_build_filename (copy, "proc", "net", "if_inet6", NULL);
  g_autofree char *swaps = g_build_filename (copy, "proc", "swaps", NULL);
  const char *argv[] = { "cp", "-a", NULL, NULL, NULL };
  g_autofree char *dest = g_build_filename (copy, "tree", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  GPtrArray *devices;
  int status;

  argv[2] = source;
  argv[3] = dest;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_free (mounts);
  g_free (route);
  g_free (if_inet6);
  g_free (swaps);
  mounts = g_build_filename (dest, "proc", "mounts", NULL);
  route = g_build_filename (dest, "proc", "net", "route", NULL);
  if_inet6 = g_build_filename (dest, "proc", "net", "if_inet6", NULL);
  swaps = g_build_filename (dest, "proc", "swaps", NULL);
  g_assert_true (g_file_set_contents (mounts,
                                      "/dev/../../sys/class/block/sda2 / ext4 rw 0 0\n"
                                      "/dev/mapper/../sda1 /boot ext4 rw 0 0\n"
                                      "/dev/sda2\n"
                                      "\n/dev/ / ext4 rw 0 0\n", -1, NULL));
  g_assert_true (g_file_set_contents (swaps, "Filename Type\n/dev/../sda1 partition\n\n",
                                      -1, NULL));
  g_assert_true (g_file_set_contents (route,
                                      "Iface\tDestination\n"
                                      "../net/eno1\t00000000\t01010101\t0003\t0\t0\t0\t"
                                      "00000000\n"
                                      "eno1\t00000000\n", -1, NULL));
  g_assert_true (g_file_set_contents (if_inet6, "zz 02 40 00 00 ..\n", -1, NULL));

  host = kvmrt_host_load (dest, KVMRT_HOST_LOAD_NO_IRQS, &error);
  g_assert_no_error (error);
  devices = kvmrt_host_get_pci_devices (host);
  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *dev = devices->pdata[i];

      /* Only the console, which these files do not touch, is still found. */
      g_assert_cmpuint (dev->host_needs & ~KVMRT_PCI_HOST_NEED_CONSOLE, ==, 0);
    }

  /* A root the kernel mounted itself shows as /dev/root: root= says which device it is. */
  {
    g_autofree char *cmdline = g_build_filename (dest, "proc", "cmdline", NULL);
    g_autoptr(KvmrtHost) again = NULL;

    g_assert_true (g_file_set_contents (mounts, "/dev/root / ext4 rw 0 0\n", -1, NULL));
    g_assert_true (g_file_set_contents (cmdline, "BOOT_IMAGE=/vmlinuz root=/dev/sda2 ro\n", -1,
                                        NULL));
    again = kvmrt_host_load (dest, KVMRT_HOST_LOAD_NO_IRQS, &error);
    g_assert_no_error (error);
    assert_needs (again, "0000:00:17.0", KVMRT_PCI_HOST_NEED_STORAGE, "/ (root)");
    g_assert_true (g_file_set_contents (cmdline, "root=/dev/root\n", -1, NULL));
    g_clear_object (&again);
    again = kvmrt_host_load (dest, KVMRT_HOST_LOAD_NO_IRQS, &error);
    g_assert_no_error (error);
    assert_needs (again, "0000:00:17.0", 0, NULL);
  }

  /* An NVMe multipath disk sits in its subsystem, not below a controller: the subsystem's
   * controller links lead to the PCI device (here, as if the SATA controller were one). */
  {
    g_autofree char *subsystem = g_build_filename (dest, "sys/devices/virtual/nvme-subsystem/"
                                                   "nvme-subsys0", NULL);
    g_autofree char *disk = g_build_filename (subsystem, "nvme0n1", NULL);
    g_autofree char *controller = g_build_filename (subsystem, "nvme0", NULL);
    g_autofree char *class_link = g_build_filename (dest, "sys/class/block/nvme0n1", NULL);
    g_autoptr(KvmrtHost) again = NULL;

    g_assert_cmpint (g_mkdir_with_parents (disk, 0755), ==, 0);
    g_assert_cmpint (symlink ("../../../pci0000:00/0000:00:17.0", controller), ==, 0);
    g_assert_cmpint (symlink ("../../devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1",
                              class_link), ==, 0);
    g_assert_true (g_file_set_contents (mounts, "/dev/nvme0n1 /data xfs rw 0 0\n", -1, NULL));
    again = kvmrt_host_load (dest, KVMRT_HOST_LOAD_NO_IRQS, &error);
    g_assert_no_error (error);
    assert_needs (again, "0000:00:17.0", KVMRT_PCI_HOST_NEED_STORAGE, "/data (nvme0n1)");
  }
  {
    const char *rm[] = { "rm", "-rf", copy, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, &status, NULL));
  }
}

/* WRX90E-SAGE SE: two CPUs offline, a device without NUMA node */

static void
test_wrx90e (void)
{
  KvmrtHost *host = test_load_host ("wrx90e-sage-se");
  const KvmrtPciDevice *dev;
  g_autofree char *group = NULL;

  g_assert_cmpstr (kvmrt_host_get_machine (host), ==,
                   "ASUSTeK COMPUTER INC. Pro WS WRX90E-SAGE SE");
  g_assert_nonnull (strstr (kvmrt_host_get_cpu_model (host), "7975WX"));
  assert_ids (kvmrt_host_get_cpus (host), "0-63");
  assert_ids (kvmrt_host_get_online_cpus (host), "0-39,42-63");
  g_assert_cmpuint (kvmrt_host_get_n_cpus (host), ==, 64);

  /* The offline siblings of cores 8 and 9 keep their place in the topology */
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_CORE), "0-31");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_CORE, 8), "8,40");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_CORE, 9), "9,41");
  assert_ids (kvmrt_host_get_core_siblings (host, 40), "8,40");
  g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_CORE, 41), ==, 9);
  g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_NODE, 40), ==, 1);
  g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_PACKAGE, 40), ==, 0);
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE, 1), "8-15,40-47");
  g_assert_cmpuint (kvmrt_host_get_node_memory (host, 1) >> 30, >=, 62);

  /* No NUMA node: local to every online CPU */
  dev = device (host, "0000:81:00.0");
  g_assert_cmpint (dev->numa_node, ==, -1);
  assert_ids (dev->local_cpus, "0-39,42-63");
  g_assert_cmpstr (dev->driver, ==, "r8169");
  g_assert_cmpint (dev->iommu_group, ==, 37);

  /* Not in pci.ids (Debian 12): named by number */
  dev = device (host, "0000:41:00.0");
  g_assert_cmphex (dev->vendor_id, ==, 0x1b21);
  g_assert_cmpint (dev->iommu_group, ==, 21);
  group = group_text (host, 21);
  g_assert_cmpstr (group, ==, "0000:41:00.0 0000:41:00.1");
  g_assert_cmpstr (device (host, "0000:41:00.1")->driver, ==, "thunderbolt");

  dev = device (host, "0000:61:00.1");
  g_assert_cmpstr (dev->driver, ==, "i40e");
  g_assert_false (dev->is_virtual_function);
  g_assert_cmpint (dev->iommu_group, ==, 32);
  assert_ids (dev->local_cpus, "24-31,56-63");

  /* The IRQ columns are the online CPUs */
  g_assert_cmpuint (kvmrt_host_get_irq_cpus (host)->len, ==, 62);
  g_assert_cmpuint (g_array_index (kvmrt_host_get_irq_cpus (host), guint, 40), ==, 42);
}

/* OptiPlex 7040: no SMT, no IOMMU, no NUMA tables, the old chip column */

static void
test_small_nosmt (void)
{
  KvmrtHost *host = test_load_host ("small-nosmt");
  GPtrArray *devices = kvmrt_host_get_pci_devices (host);
  const KvmrtPciDevice *dev;
  const KvmrtIrq *irq;
  g_autofree char *irqs = NULL;

  g_assert_cmpstr (kvmrt_host_get_hostname (host), ==, "lab-desktop");
  g_assert_cmpstr (kvmrt_host_get_machine (host), ==, "Dell Inc. 0Y7WYT");
  g_assert_cmpstr (kvmrt_host_get_cpu_model (host), ==,
                   "Intel(R) Core(TM) i5-6500 CPU @ 3.20GHz");
  g_assert_null (strstr (kvmrt_host_get_cmdline (host), "iommu"));
  g_assert_null (strstr (kvmrt_host_get_cmdline (host), "idle.shielded"));

  assert_ids (kvmrt_host_get_cpus (host), "0-3");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_CORE), "0-3");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE), "0");
  g_assert_false (kvmrt_host_has_smt (host));
  assert_ids (kvmrt_host_get_core_siblings (host, 2), "2");
  g_assert_cmpuint (kvmrt_host_get_node_memory (host, 0) >> 20, ==, 15872);

  g_assert_cmpuint (devices->len, ==, 13);
  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *d = devices->pdata[i];

      g_assert_cmpint (d->iommu_group, ==, -1);
      g_assert_cmpint (d->numa_node, ==, -1);
      assert_ids (d->local_cpus, "0-3");
    }
  g_assert_null (kvmrt_host_get_iommu_group (host, 0));

  /* SMBus on its legacy line */
  dev = device (host, "0000:00:1f.4");
  g_assert_cmpstr (dev->driver, ==, "i801_smbus");
  irqs = irq_list (dev);
  g_assert_cmpstr (irqs, ==, "16");
  irq = find_irq (host, "16");
  g_assert_cmpstr (irq->chip, ==, "IO-APIC");
  g_assert_cmpstr (irq->hwirq, ==, "16-fasteoi");
  g_assert_cmpstr (irq->actions, ==, "i801_smbus");

  /* Pre-6.2 chip column: bus/devfn in the hardware IRQ number */
  dev = device (host, "0000:01:00.0");
  irq = find_device_irq (host, dev, 0);
  g_assert_cmpstr (irq->chip, ==, "PCI-MSI");
  g_assert_cmpstr (irq->hwirq, ==, "524288-edge");
  g_assert_cmpstr (irq->actions, ==, "enp1s0");

  /* A host bridge with a driver is still no device the host hands to VMs */
  g_assert_false (kvmrt_pci_device_is_host_used (device (host, "0000:00:00.0")));
  g_assert_true (kvmrt_pci_device_is_host_used (device (host, "0000:00:1f.6")));
}

/* bench-256: two packages, eight nodes */

static void
test_bench_256 (void)
{
  KvmrtHost *host = test_load_host ("bench-256");

  assert_ids (kvmrt_host_get_cpus (host), "0-255");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_PACKAGE), "0-1");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_DIE), "0-1");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE), "0-7");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_CORE), "0-127");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_PACKAGE, 1), "64-127,192-255");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE, 5), "80-95,208-223");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_CORE, 100), "100,228");
  /* 64 GiB less what the firmware reserves */
  g_assert_cmpuint (kvmrt_host_get_node_memory (host, 7) >> 30, ==, 62);
  g_assert_cmpuint (kvmrt_host_get_pci_devices (host)->len, ==, 107);
}

/* hwloc and libpci as references */

/* Every online CPU: hwloc's core logical index, package os index, NUMA node and die (the
 * package's logical index where hwloc shows no Die level) are the model's. */
static void
assert_matches_hwloc (KvmrtHost *host)
{
  const char *sysroot = kvmrt_host_get_sysroot (host);
  hwloc_topology_t topology;
  int n_pus;

  if (!kvmrt_sysroot_is_live (sysroot))
    g_setenv ("HWLOC_FSROOT", sysroot, TRUE);
  else
    g_unsetenv ("HWLOC_FSROOT");
  g_setenv ("HWLOC_THISSYSTEM", kvmrt_sysroot_is_live (sysroot) ? "1" : "0", TRUE);
  g_assert_cmpint (hwloc_topology_init (&topology), ==, 0);
  hwloc_topology_set_flags (topology, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
  /* hwloc's Linux back end only: it reads what kvmrt reads (CPUID would read this machine). */
  hwloc_topology_set_components (topology, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
  hwloc_topology_set_io_types_filter (topology, HWLOC_TYPE_FILTER_KEEP_NONE);
  g_assert_cmpint (hwloc_topology_load (topology), ==, 0);

  n_pus = hwloc_get_nbobjs_by_type (topology, HWLOC_OBJ_PU);
  g_assert_cmpint (n_pus, ==, kvmrt_id_set_count (kvmrt_host_get_online_cpus (host)));
  g_assert_cmpint (hwloc_get_nbobjs_by_type (topology, HWLOC_OBJ_CORE), ==,
                   kvmrt_id_set_count (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_CORE)));
  for (int i = 0; i < n_pus; i++)
    {
      hwloc_obj_t pu = hwloc_get_obj_by_type (topology, HWLOC_OBJ_PU, i);
      hwloc_obj_t core = hwloc_get_ancestor_obj_by_type (topology, HWLOC_OBJ_CORE, pu);
      hwloc_obj_t die = hwloc_get_ancestor_obj_by_type (topology, HWLOC_OBJ_DIE, pu);
      hwloc_obj_t package = hwloc_get_ancestor_obj_by_type (topology, HWLOC_OBJ_PACKAGE, pu);
      hwloc_obj_t node = NULL;
      guint cpu = pu->os_index;

      g_assert_true (kvmrt_id_set_contains (kvmrt_host_get_online_cpus (host), cpu));
      g_assert_nonnull (core);
      g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_CORE, cpu), ==,
                       core->logical_index);
      if (package != NULL)
        g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_PACKAGE, cpu), ==,
                         package->os_index);
      if (die != NULL || package != NULL)
        g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_DIE, cpu), ==,
                         (die != NULL ? die : package)->logical_index);
      while ((node = hwloc_get_next_obj_by_type (topology, HWLOC_OBJ_NUMANODE, node)) != NULL)
        if (hwloc_bitmap_isset (node->cpuset, cpu))
          break;
      g_assert_nonnull (node);
      g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_NODE, cpu), ==,
                       node->os_index);
      if (!kvmrt_sysroot_is_live (sysroot))
        g_assert_cmpuint (kvmrt_host_get_node_memory (host, node->os_index), ==,
                          node->attr->numanode.local_memory);
    }
  hwloc_topology_destroy (topology);
  g_unsetenv ("HWLOC_FSROOT");
  g_unsetenv ("HWLOC_THISSYSTEM");
}

static void
test_hwloc_agrees (void)
{
  static const char *const hosts[] = { "m12swa-tf", "wrx90e-sage-se", "small-nosmt",
                                       "bench-256" };
  g_autoptr(KvmrtHost) live = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    assert_matches_hwloc (test_load_host (hosts[i]));

  live = kvmrt_host_load ("/", KVMRT_HOST_LOAD_NO_PCI | KVMRT_HOST_LOAD_NO_IRQS, &error);
  g_assert_no_error (error);
  assert_matches_hwloc (live);
}

static char *
libpci_name (struct pci_access *access, int flags, ...)
{
  char buf[256];
  va_list args;
  char *name;

  va_start (args, flags);
  switch (flags & (PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE | PCI_LOOKUP_CLASS))
    {
    case PCI_LOOKUP_VENDOR:
      name = pci_lookup_name (access, buf, sizeof buf, flags, va_arg (args, int));
      break;
    case PCI_LOOKUP_DEVICE:
      {
        int vendor = va_arg (args, int);

        name = pci_lookup_name (access, buf, sizeof buf, flags, vendor, va_arg (args, int));
      }
      break;
    default:
      name = pci_lookup_name (access, buf, sizeof buf, flags, va_arg (args, int));
      break;
    }
  va_end (args);
  return g_strdup (name);
}

/* The names are the ones lspci shows (libpci's own lookup in the same pci.ids). */
static void
test_names_match_libpci (void)
{
  static const char *const hosts[] = { "m12swa-tf", "wrx90e-sage-se", "small-nosmt" };
  struct pci_access *access = pci_alloc ();
  const int flags = PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB;
  guint unnamed = 0;

  pci_init (access);
  for (guint h = 0; h < G_N_ELEMENTS (hosts); h++)
    {
      GPtrArray *devices = kvmrt_host_get_pci_devices (test_load_host (hosts[h]));

      for (guint i = 0; i < devices->len; i++)
        {
          const KvmrtPciDevice *d = devices->pdata[i];
          g_autofree char *vendor = libpci_name (access, flags | PCI_LOOKUP_VENDOR, d->vendor_id);
          g_autofree char *name = libpci_name (access, flags | PCI_LOOKUP_DEVICE, d->vendor_id,
                                               d->device_id);
          g_autofree char *class = libpci_name (access, flags | PCI_LOOKUP_CLASS,
                                                d->class_code >> 8);
          g_autofree char *number = g_strdup_printf ("Device %04x", d->device_id);
          g_autofree char *vendor_number = g_strdup_printf ("%04x", d->vendor_id);
          g_autofree char *class_number = g_strdup_printf ("Class %04x", d->class_code >> 8);

          g_assert_cmpstr (d->vendor_name, ==, vendor != NULL ? vendor : vendor_number);
          g_assert_cmpstr (d->class_name, ==, class != NULL ? class : class_number);
          if (name == NULL)
            {
              g_assert_cmpstr (d->device_name, ==, number);
              unnamed++;
            }
          else
            g_assert_cmpstr (d->device_name, ==, name);
        }
    }
  /* The WRX90E has devices that Debian 12's pci.ids does not know. */
  g_assert_cmpuint (unnamed, >, 0);
  pci_cleanup (access);
}

/* kvmrt-host-snapshot */

static char *
snapshot_tool (void)
{
  const char *dir = g_getenv ("KVMRT_CLI_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, "kvmrt-host-snapshot", NULL);
}

static int
run_snapshot (const char *source, const char *target, char **err)
{
  g_autofree char *tool = snapshot_tool ();
  const char *argv[] = { tool, "--sysroot", source, target, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, err, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_snapshot_round_trip (void)
{
  static const char *const hosts[] = { "m12swa-tf", "wrx90e-sage-se", "small-nosmt" };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *scratch = make_scratch ();
      g_autofree char *target = g_build_filename (scratch, "snap", NULL);
      g_autofree char *source = test_host_dir (hosts[i]);
      g_autofree char *err = NULL;
      g_autofree char *link = NULL;
      g_autofree char *path = NULL;
      g_autoptr(KvmrtHost) copy = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (run_snapshot (source, target, &err), ==, 0);
      g_assert_cmpstr (err, ==, "");
      copy = kvmrt_host_load (target, KVMRT_HOST_LOAD_DEFAULT, &error);
      g_assert_no_error (error);
      assert_hosts_equal (test_load_host (hosts[i]), copy);

      /* Links stay links; what kvmrt does not read is not copied */
      path = g_build_filename (target, "sys/bus/pci/devices/0000:00:00.0", NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_SYMLINK));
      g_clear_pointer (&path, g_free);
      path = g_build_filename (target, "sys/class/dmi/id", NULL);
      link = g_file_read_link (path, NULL);
      g_assert_cmpstr (link, ==, "../../devices/virtual/dmi/id");
      g_clear_pointer (&path, g_free);
      path = g_build_filename (target, "sys/devices/virtual/dmi/id/bios_version", NULL);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_clear_pointer (&path, g_free);
      path = g_build_filename (target, "sys/bus/pci/devices/0000:00:00.0/config", NULL);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_clear_pointer (&path, g_free);
      path = g_build_filename (target, "sys/bus/pci/devices/0000:00:00.0/resource", NULL);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      /* kvmrt-validate-host's files come along. */
      g_clear_pointer (&path, g_free);
      path = g_build_filename (target, "proc/version", NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

      remove_tree (scratch);
    }
}

static void
test_snapshot_refuses (void)
{
  g_autofree char *scratch = make_scratch ();
  g_autofree char *missing = g_build_filename (scratch, "no-such-root", NULL);
  g_autofree char *target = g_build_filename (scratch, "snap", NULL);
  g_autofree char *source = test_host_dir ("small-nosmt");
  g_autofree char *err = NULL;

  /* Not a host root: the error of every tool, naming the directory */
  g_assert_cmpint (run_snapshot (missing, target, &err), ==, 2);
  g_assert_nonnull (strstr (err, missing));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  /* A non-empty target would mix two hosts */
  write_file (target, "leftover", "x");
  g_assert_cmpint (run_snapshot (source, target, &err), ==, 2);
  g_assert_nonnull (strstr (err, "not empty"));
  g_clear_pointer (&err, g_free);

  remove_tree (scratch);
}

/* The running machine */

static void
test_live (void)
{
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(GError) error = NULL;

  host = kvmrt_host_load (NULL, KVMRT_HOST_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_host_get_sysroot (host), ==, "/");
  g_assert_cmpuint (kvmrt_id_set_count (kvmrt_host_get_cpus (host)), >=, 1);
  g_assert_true (kvmrt_id_set_contains (kvmrt_host_get_online_cpus (host), 0));
  g_assert_true (kvmrt_id_set_contains (kvmrt_host_get_core_siblings (host, 0), 0));
  g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_NODE, 0), >=, 0);
  g_assert_cmpuint (kvmrt_id_set_count (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE)), >=, 1);
  g_assert_cmpuint (kvmrt_host_get_irq_cpus (host)->len, ==,
                    kvmrt_id_set_count (kvmrt_host_get_online_cpus (host)));
  g_assert_nonnull (kvmrt_host_get_cmdline (host));
}

/* Trees written here */

static void
test_sysroot_errors (void)
{
  g_autofree char *scratch = make_scratch ();
  g_autofree char *missing = g_build_filename (scratch, "nowhere", NULL);
  g_autofree char *cpu_dir = NULL;
  g_autoptr(GError) error = NULL;
  KvmrtHost *host;

  host = kvmrt_host_load (missing, KVMRT_HOST_LOAD_DEFAULT, &error);
  g_assert_null (host);
  g_assert_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_SYSROOT);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_nonnull (strstr (error->message, "kvmrt-host-snapshot"));
  g_clear_error (&error);

  /* A directory, but no kernel tree */
  write_file (scratch, "proc/cmdline", "ro\n");
  host = kvmrt_host_load (scratch, KVMRT_HOST_LOAD_DEFAULT, &error);
  g_assert_null (host);
  g_assert_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_SYSROOT);
  g_assert_nonnull (strstr (error->message, scratch));
  g_assert_nonnull (strstr (error->message, "sys/devices/system/cpu"));
  g_assert_nonnull (strstr (error->message, "kvmrt-host-snapshot"));
  g_clear_error (&error);

  /* The CPU directory with no CPUs in it */
  cpu_dir = g_build_filename (scratch, "sys/devices/system/cpu", NULL);
  g_assert_cmpint (g_mkdir_with_parents (cpu_dir, 0755), ==, 0);
  host = kvmrt_host_load (scratch, KVMRT_HOST_LOAD_DEFAULT, &error);
  g_assert_null (host);
  g_assert_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_TOPOLOGY);
  g_assert_nonnull (strstr (error->message, "sys/devices/system/cpu"));

  remove_tree (scratch);
}

static void
write_cpu (const char *root, guint cpu, const char *siblings, const char *package_cpus)
{
  g_autofree char *base = g_strdup_printf ("sys/devices/system/cpu/cpu%u/topology", cpu);
  g_autofree char *core = g_build_filename (base, "core_cpus_list", NULL);
  g_autofree char *package = g_build_filename (base, "package_cpus_list", NULL);
  g_autofree char *package_id = g_build_filename (base, "physical_package_id", NULL);

  write_file (root, core, siblings);
  write_file (root, package, package_cpus);
  write_file (root, package_id, "0\n");
}

/* Four CPUs in two cores, core 0 = {0, 2} and core 1 = {1, 3}; CPU 1 is offline but keeps its
 * topology, CPU 2 is offline and lost it, as kernels do. No dies (older kernel), one node,
 * no PCI, a short /proc. */
static void
test_offline_and_sparse_tree (void)
{
  g_autofree char *root = make_scratch ();
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIdSet) lone = ids ("2");
  g_autoptr(KvmrtIdSet) nodes = NULL;
  g_autofree char *cpu2 = g_build_filename (root, "sys/devices/system/cpu/cpu2", NULL);
  const GArray *columns;
  const KvmrtIrq *irq;

  write_file (root, "sys/devices/system/cpu/present", "0-3\n");
  write_file (root, "sys/devices/system/cpu/online", "0,3\n");
  write_cpu (root, 0, "0\n", "0,3\n");          /* online lists show online siblings only */
  write_cpu (root, 1, "1,3\n", "0-3\n");        /* kept, as when all were online */
  write_cpu (root, 3, "3\n", "0,3\n");
  g_assert_cmpint (g_mkdir_with_parents (cpu2, 0755), ==, 0);
  make_link (root, "sys/devices/system/cpu/cpu1/node0", "../../node/node0");
  make_link (root, "sys/devices/system/cpu/cpu2/node0", "../../node/node0");
  write_file (root, "sys/devices/system/node/node0/cpulist", "0,3\n");
  write_file (root, "sys/devices/system/node/node0/meminfo",
              "Node 0 MemTotal:        1048576 kB\nNode 0 MemFree:   1024 kB\n");
  write_file (root, "sys/devices/system/node/node1/cpulist", "\n");   /* memory only */
  write_file (root, "sys/devices/system/node/node1/meminfo", "Node 1 MemTotal: 2048 kB\n");
  write_file (root, "proc/interrupts",
              "           CPU0       CPU3       \n"
              "  0:         12          0   IO-APIC   2-edge      timer\n"
              " 40:          1          2   PCI-MSI 524288-edge      eth0, eth0-rx\n"
              " 41:          0          0   Dummy-chip\n"
              "NMI:          1          2   Non-maskable interrupts\n"
              "ERR:          3\n");
  write_file (root, "proc/irq/40/smp_affinity_list", "0,3\n");
  write_file (root, "proc/irq/40/effective_affinity_list", "3\n");

  host = kvmrt_host_load (root, KVMRT_HOST_LOAD_DEFAULT, &error);
  g_assert_no_error (error);

  assert_ids (kvmrt_host_get_cpus (host), "0-3");
  assert_ids (kvmrt_host_get_online_cpus (host), "0,3");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_CORE), "0-1");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_CORE, 0), "0");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_CORE, 1), "1,3");
  assert_ids (kvmrt_host_get_core_siblings (host, 3), "1,3");
  g_assert_true (kvmrt_host_has_smt (host));

  /* Without topology files CPU 2 is a core of its own, placed by its node link */
  g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_CORE, 2), ==, -1);
  g_assert_true (kvmrt_id_set_equal (kvmrt_host_get_core_siblings (host, 2), lone));
  g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_NODE, 2), ==, 0);
  g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_PACKAGE, 2), ==, 0);
  g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_DIE, 2), ==, 0);
  g_assert_cmpint (kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_NODE, 1), ==, 0);

  /* No die files: one die per package. A node without CPUs is still a node. */
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_DIE), "0");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_PACKAGE, 0), "0-3");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE), "0-1");
  g_assert_true (kvmrt_id_set_is_empty (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE,
                                                                   1)));
  g_assert_cmpuint (kvmrt_host_get_node_memory (host, 0), ==, 1024ull << 20);
  g_assert_cmpuint (kvmrt_host_get_node_memory (host, 1), ==, 2048ull << 10);
  nodes = kvmrt_host_get_nodes_of_cpus (host, kvmrt_host_get_cpus (host));
  assert_ids (nodes, "0");

  /* No sys/bus/pci: no devices. No hostname, DMI or cmdline: unknown. */
  g_assert_cmpuint (kvmrt_host_get_pci_devices (host)->len, ==, 0);
  g_assert_null (kvmrt_host_get_hostname (host));
  g_assert_null (kvmrt_host_get_machine (host));
  g_assert_null (kvmrt_host_get_cpu_model (host));
  g_assert_cmpstr (kvmrt_host_get_cmdline (host), ==, "");

  /* IRQ columns are the CPUs of the header, not 0..n-1 */
  columns = kvmrt_host_get_irq_cpus (host);
  g_assert_cmpuint (columns->len, ==, 2);
  g_assert_cmpuint (g_array_index (columns, guint, 1), ==, 3);
  g_assert_cmpuint (kvmrt_host_get_irqs (host)->len, ==, 5);
  irq = find_irq (host, "40");
  g_assert_cmpuint (g_array_index (irq->counts, guint64, 1), ==, 2);
  g_assert_cmpstr (irq->chip, ==, "PCI-MSI");
  g_assert_cmpstr (irq->hwirq, ==, "524288-edge");
  g_assert_cmpstr (irq->actions, ==, "eth0, eth0-rx");
  assert_ids (irq->affinity, "0,3");
  assert_ids (irq->effective_affinity, "3");
  irq = find_irq (host, "41");
  g_assert_cmpstr (irq->chip, ==, "Dummy-chip");
  g_assert_null (irq->hwirq);
  g_assert_null (irq->actions);
  g_assert_null (irq->affinity);
  irq = find_irq (host, "ERR");
  g_assert_cmpuint (irq->counts->len, ==, 1);
  g_assert_cmpuint (g_array_index (irq->counts, guint64, 0), ==, 3);

  remove_tree (root);
}

/* No node directory (a kernel without NUMA): one node 0 with everything. Loading with
 * NO_PCI and NO_IRQS reads neither. */
static void
test_no_numa_tree (void)
{
  g_autofree char *root = make_scratch ();
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(GError) error = NULL;

  write_file (root, "sys/devices/system/cpu/present", "0-1\n");
  write_cpu (root, 0, "0\n", "0-1\n");
  write_cpu (root, 1, "1\n", "0-1\n");
  write_file (root, "proc/meminfo", "MemTotal:        4096 kB\nMemFree: 1 kB\n");
  write_file (root, "proc/cpuinfo", "processor\t: 0\nvendor_id\t: X\nmodel name\t: Test CPU\n\n");
  write_file (root, "proc/interrupts", "garbage that is not read\n");
  write_file (root, "sys/bus/pci/devices/README", "not a device\n");

  host = kvmrt_host_load (root, KVMRT_HOST_LOAD_NO_PCI | KVMRT_HOST_LOAD_NO_IRQS, &error);
  g_assert_no_error (error);
  assert_ids (kvmrt_host_get_online_cpus (host), "0-1");
  assert_ids (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE), "0");
  assert_ids (kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE, 0), "0-1");
  g_assert_cmpuint (kvmrt_host_get_node_memory (host, 0), ==, 4096ull << 10);
  g_assert_cmpstr (kvmrt_host_get_cpu_model (host), ==, "Test CPU");
  g_assert_false (kvmrt_host_has_smt (host));
  g_assert_cmpuint (kvmrt_host_get_irqs (host)->len, ==, 0);
  g_assert_cmpuint (kvmrt_host_get_irq_cpus (host)->len, ==, 0);
  g_assert_cmpuint (kvmrt_host_get_pci_devices (host)->len, ==, 0);

  remove_tree (root);
}

static void
test_sysroot_paths (void)
{
  g_autofree char *a = kvmrt_sysroot_path ("/", "sys/devices/system/cpu");
  g_autofree char *b = kvmrt_sysroot_path ("/tmp/host/", "/proc/cmdline");
  g_autofree char *c = kvmrt_sysroot_path (NULL, "proc");
  g_autofree char *scratch = make_scratch ();
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (a, ==, "/sys/devices/system/cpu");
  g_assert_cmpstr (b, ==, "/tmp/host/proc/cmdline");
  g_assert_cmpstr (c, ==, "/proc");
  g_assert_true (kvmrt_sysroot_is_live ("/"));
  g_assert_true (kvmrt_sysroot_is_live (NULL));
  g_assert_true (kvmrt_sysroot_is_live ("//"));
  g_assert_false (kvmrt_sysroot_is_live ("/tmp/host"));

  g_unsetenv ("KVMRT_SYSROOT");
  g_assert_cmpstr (kvmrt_sysroot_choose (NULL), ==, "/");
  g_setenv ("KVMRT_SYSROOT", "/from/env", TRUE);
  g_assert_cmpstr (kvmrt_sysroot_choose (NULL), ==, "/from/env");
  g_assert_cmpstr (kvmrt_sysroot_choose ("/from/option"), ==, "/from/option");
  g_unsetenv ("KVMRT_SYSROOT");

  write_file (scratch, "proc/cmdline", "ro quiet\n");
  text = kvmrt_sysroot_read (scratch, "proc/cmdline", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "ro quiet");
  g_clear_pointer (&text, g_free);
  text = kvmrt_sysroot_read (scratch, "proc/nothing", &error);
  g_assert_null (text);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "proc/nothing"));
  g_assert_null (kvmrt_sysroot_read_optional (scratch, "proc/nothing"));
  text = kvmrt_sysroot_read_optional (scratch, "proc/cmdline");
  g_assert_cmpstr (text, ==, "ro quiet");

  remove_tree (scratch);
}

/* CPUSET expressions against the demo host (kvmrt-cpu-set.h) */

static void
assert_resolves (KvmrtHost *host, const char *expression, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtCpuSet) set = kvmrt_cpu_set_parse (expression, &error);
  g_autoptr(KvmrtIdSet) cpus = NULL;

  g_assert_no_error (error);
  cpus = kvmrt_cpu_set_resolve (set, host, &error);
  g_assert_no_error (error);
  assert_ids (cpus, expected);
}

static void
test_cpu_set_resolve (void)
{
  KvmrtHost *host = test_load_host ("m12swa-tf");
  KvmrtHost *wrx = test_load_host ("wrx90e-sage-se");
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtCpuSet) set = NULL;
  g_autoptr(KvmrtIdSet) cpus = NULL;

  assert_resolves (host, "n1", "8-15,40-47");
  assert_resolves (host, "c3", "3,35");
  assert_resolves (host, "~n0", "8-31,40-63");
  assert_resolves (host, "p0", "0-63");
  assert_resolves (host, "d0", "0-63");
  assert_resolves (host, "c0-1,n3", "0-1,24-33,56-63");
  /* A core whose sibling is offline still names both CPUs */
  assert_resolves (wrx, "c8", "8,40");

  set = kvmrt_cpu_set_parse ("n7,c32,64", &error);
  g_assert_no_error (error);
  cpus = kvmrt_cpu_set_resolve (set, host, &error);
  g_assert_null (cpus);
  g_assert_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_UNKNOWN_ID);
  g_assert_nonnull (strstr (error->message, "64"));
  g_assert_nonnull (strstr (error->message, "7"));
  g_assert_nonnull (strstr (error->message, "32"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/host/m12swa-tf/system", test_m12_system);
  g_test_add_func ("/host/m12swa-tf/topology", test_m12_topology);
  g_test_add_func ("/host/m12swa-tf/pci", test_m12_pci);
  g_test_add_func ("/host/m12swa-tf/irqs", test_m12_irqs);
  g_test_add_func ("/host/wrx90e-sage-se", test_wrx90e);
  g_test_add_func ("/host/needs", test_host_needs);
  g_test_add_func ("/host/needs-hostile", test_host_needs_hostile);
  g_test_add_func ("/host/small-nosmt", test_small_nosmt);
  g_test_add_func ("/host/bench-256", test_bench_256);
  g_test_add_func ("/host/hwloc-agrees", test_hwloc_agrees);
  g_test_add_func ("/host/names-match-libpci", test_names_match_libpci);
  g_test_add_func ("/host/snapshot/round-trip", test_snapshot_round_trip);
  g_test_add_func ("/host/snapshot/refuses", test_snapshot_refuses);
  g_test_add_func ("/host/live", test_live);
  g_test_add_func ("/host/tree/errors", test_sysroot_errors);
  g_test_add_func ("/host/tree/offline-and-sparse", test_offline_and_sparse_tree);
  g_test_add_func ("/host/tree/no-numa", test_no_numa_tree);
  g_test_add_func ("/host/sysroot", test_sysroot_paths);
  g_test_add_func ("/host/cpu-set-resolve", test_cpu_set_resolve);

  return g_test_run ();
}
