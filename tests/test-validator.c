/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every diagnostic code the validator issues: one configuration that triggers it and one,
 * as close as possible, that does not. Hosts: the demo host (core N = CPUs N and N+32,
 * node k = cores 8k..8k+7; see data/hosts/README.md for its devices). */
#include <glib/gstdio.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "kvmrt-test-hosts.h"

#define U1 "[11111111-1111-4111-8111-111111111111]\n"
#define U2 "[22222222-2222-4222-8222-222222222222]\n"
#define U3 "[33333333-3333-4333-8333-333333333333]\n"

typedef struct {
  const char *code;
  const char *host;
  const char *bad;     /* a config that must produce the code */
  const char *good;    /* a config that must not */
} Case;

static const Case cases[] = {
  { "value-invalid", "m12swa-tf",
    U1 "name = a\nrt = maybe\n",
    U1 "name = a\nrt = yes\ncpuset = n1\n" },
  { "value-invalid", "m12swa-tf",
    U1 "name = a\nrt = yes\ncpuset = n1\nrt_priority = 0\n",
    U1 "name = a\nrt = yes\ncpuset = n1\nrt_priority = 99\n" },
  { "value-invalid", "m12swa-tf",
    "[DEFAULT]\nrt_priority = high\n" U1 "name = a\nrt = yes\ncpuset = n1\n",
    "[DEFAULT]\nrt_priority = 50\n" U1 "name = a\nrt = yes\ncpuset = n1\n" },
  { "name-missing", "m12swa-tf",
    U1 "title = nameless\n",
    U1 "name = a\n" },
  { "name-duplicate", "m12swa-tf",
    U1 "name = a\n" U2 "name = a\n",
    U1 "name = a\n" U2 "name = b\n" },
  { "uuid-invalid", "m12swa-tf",
    "[my-vm]\nname = a\n",
    U1 "name = a\n" },
  { "cpuset-unknown-cpu", "m12swa-tf",
    U1 "name = a\ncpuset = 0-99\n",
    U1 "name = a\ncpuset = 0-63\n" },
  { "cpuset-unknown-cpu", "m12swa-tf",
    U1 "name = a\ncpuset = 0-3\nnumatune = 0,7\n",
    U1 "name = a\ncpuset = 0-3\nnumatune = 0,3\n" },
  { "cpuset-unknown-cpu", "m12swa-tf",
    U1 "name = a\ncpuset = n4\n",
    U1 "name = a\ncpuset = n3\n" },
  { "topology-mismatch", "m12swa-tf",
    U1 "name = a\nnr_vcpus = 4\ncpu_topology = 1,2,1\n",
    U1 "name = a\nnr_vcpus = 4\ncpu_topology = 1,2,2\n" },
  { "rt-cpuset-empty", "m12swa-tf",
    U1 "name = a\nrt = true\n",
    U1 "name = a\nrt = true\ncpuset = c8-11\n" },
  { "rt-memory-disabled", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = c8-11\nrt_memory = false\n",
    U1 "name = a\nrt = true\ncpuset = c8-11\nrt_memory = auto\n" },
  { "rt-underprovisioned", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = 8-9,40-41\nnr_vcpus = 2\n",
    U1 "name = a\nrt = true\ncpuset = 8-10\nnr_vcpus = 2\n" },
  { "rt-cpuset-overlap", "m12swa-tf",
    /* CPU 40 is the hyperthread sibling of 8, which the rt VM owns */
    U1 "name = a\nrt = true\ncpuset = 8-11\n" U2 "name = b\ncpuset = 40\n",
    U1 "name = a\nrt = true\ncpuset = 8-11\n" U2 "name = b\ncpuset = 0-3\n" },
  { "rt-cpuset-overlap", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = 4-7\n" U2 "name = b\nrt = true\ncpuset = 7-9\n",
    U1 "name = a\nrt = true\ncpuset = 4-6\n" U2 "name = b\nrt = true\ncpuset = 7-9\n" },
  { "rt-consumes-all-cpus", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = 0-15\n" U2 "name = b\nrt = true\ncpuset = n2,n3\n",
    U1 "name = a\nrt = true\ncpuset = 1-15\n" U2 "name = b\nrt = true\ncpuset = n2,n3\n" },
  { "pci-unknown-device", "m12swa-tf",
    U1 "name = a\npcidevs = 0000:99:00.0\n",
    U1 "name = a\npcidevs = 0000:21:00.0\n" },
  { "pci-iommu-group-incomplete", "m12swa-tf",
    U1 "name = a\npcidevs = 0000:22:00.0\n",
    U1 "name = a\npcidevs = 0000:22:00.0 0000:22:00.1\n" },
  { "pci-assigned-twice", "m12swa-tf",
    U1 "name = a\npcidevs = 0000:21:00.0\n" U2 "name = b\npcidevs = 0000:21:00.0\n",
    U1 "name = a\npcidevs = 0000:21:00.0\n" U2 "name = b\npcidevs = 0000:21:00.1\n" },
  { "rt-spans-numa-nodes", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = c14-17\n",
    U1 "name = a\nrt = true\ncpuset = c12-15\n" },
  { "rt-shares-numa-node", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = c8-11\n" U2 "name = b\ncpuset = 12-13\n",
    U1 "name = a\nrt = true\ncpuset = c8-11\n" U2 "name = b\ncpuset = 0-3\n" },
  { "rt-numatune-disabled", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = c8-11\nnumatune =\n",
    U1 "name = a\nrt = true\ncpuset = c8-11\nnumatune = auto\n" },
  { "rt-numatune-outside-cpuset", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = c8-11\nnumatune = 1-2\n",
    U1 "name = a\nrt = true\ncpuset = c8-11\nnumatune = 1\n" },
  { "numatune-overlaps-rt-node", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = c8-11\n" U2 "name = b\ncpuset = 0-3\nnumatune = 0-1\n",
    U1 "name = a\nrt = true\ncpuset = c8-11\n" U2 "name = b\ncpuset = 0-3\nnumatune = 0\n" },
  { "pci-not-local", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = c8-11\npcidevs = 0000:21:00.0\n",
    U1 "name = a\nrt = true\ncpuset = c16-19\npcidevs = 0000:21:00.0\n" },
  { "rt-pci-other-vm-local", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = c16-19\npcidevs = 0000:21:00.0\n"
    U2 "name = b\npcidevs = 0000:21:00.1\n",
    U1 "name = a\nrt = true\ncpuset = c16-19\npcidevs = 0000:21:00.0 0000:21:00.1\n"
    U2 "name = b\n" },
  { "rt-sibling-both-specified", "m12swa-tf",
    U1 "name = a\nrt = true\ncpuset = 8-11,40\n",
    U1 "name = a\nrt = true\ncpuset = 8-11\n" },
  { "underprovisioned", "m12swa-tf",
    U1 "name = a\ncpuset = 0-1\nnr_vcpus = 2\n",
    U1 "name = a\ncpuset = 0-2\nnr_vcpus = 2\n" },
  { "windows-topology", "m12swa-tf",
    U1 "name = Win10-Eng\nnr_vcpus = 2\ncpu_topology = 1,2,1\n",
    U1 "name = Win10-Eng\nnr_vcpus = 2\ncpu_topology = auto\n" },
  { "windows-topology", "m12swa-tf",
    U1 "name = eng\ndescription = Windows 11 workstation\nnr_vcpus = 2\ncpu_topology = 2,1,1\n",
    U1 "name = winder\nnr_vcpus = 2\ncpu_topology = 2,1,1\n" },
  /* Passthrough that keeps the host whole. */
  { "pci-no-iommu", "small-nosmt",
    U1 "name = a\npcidevs = 0000:01:00.0\n",
    U1 "name = a\npcidevs =\n" },
  { "pci-not-endpoint", "m12swa-tf",           /* a PCIe root port */
    U1 "name = a\npcidevs = 0000:40:01.1\n",
    U1 "name = a\npcidevs = 0000:61:00.0\n" },
  { "pci-not-endpoint", "m12swa-tf",           /* a host bridge (no IOMMU group) */
    U1 "name = a\npcidevs = 0000:40:00.0\n",
    U1 "name = a\npcidevs = 0000:61:00.0\n" },
  { "pci-not-endpoint", "m12swa-tf",           /* the IOMMU itself */
    U1 "name = a\npcidevs = 0000:60:00.2\n",
    U1 "name = a\npcidevs = 0000:61:00.0\n" },
  { "pci-not-endpoint", "wrx90e-sage-se",      /* the LPC (ISA) bridge */
    U1 "name = a\npcidevs = 0000:00:14.0 0000:00:14.3\n",
    U1 "name = a\npcidevs = 0000:61:02.1\n" },
  { "pci-needed-by-host", "m12swa-tf",         /* the root filesystem's NVMe */
    U1 "name = a\npcidevs = 0000:41:00.0\n",
    U1 "name = a\npcidevs = 0000:61:00.0\n" },
  { "pci-needed-by-host", "m12swa-tf",         /* the NIC with the default route */
    U1 "name = a\npcidevs = 0000:43:00.0\n",
    U1 "name = a\npcidevs = 0000:42:00.0\n" },
  { "pci-needed-by-host", "small-nosmt",       /* a NIC with an address */
    U1 "name = a\npcidevs = 0000:01:00.0\n",
    U1 "name = a\npcidevs = 0000:00:1f.3\n" },
  { "pci-needed-by-host", "m12swa-tf",         /* the console's display */
    U1 "name = a\npcidevs = 0000:47:00.0\n",
    U1 "name = a\npcidevs = 0000:22:00.0 0000:22:00.1\n" },
  { "pci-needed-by-host", "m12swa-tf",         /* SATA under a mounted filesystem */
    U1 "name = a\npcidevs = 0000:4a:00.0\n",
    U1 "name = a\npcidevs = 0000:61:00.0\n" },
  { "pci-needed-by-host", "wrx90e-sage-se",    /* root and swap on LVM */
    U1 "name = a\npcidevs = 0000:01:00.0\n",
    U1 "name = a\npcidevs = 0000:61:02.1\n" },
  { "pci-needed-by-host", "wrx90e-sage-se",    /* the port of the bridge with the default route */
    U1 "name = a\npcidevs = 0000:81:00.0\n",
    U1 "name = a\npcidevs = 0000:61:02.1\n" },
  { "pci-needed-by-host", "wrx90e-sage-se",    /* an IPv6 address */
    U1 "name = a\npcidevs = 0000:61:00.1\n",
    U1 "name = a\npcidevs = 0000:61:02.1\n" },
  { "pci-vfs-in-use", "m12swa-tf",             /* VF 21:10.2 has ixgbevf */
    U1 "name = a\npcidevs = 0000:21:00.0\n",
    U1 "name = a\npcidevs = 0000:21:00.1\n" },
  { "pci-vfs-in-use", "small-nosmt",          /* VF 02:10.0 has igbvf */
    U1 "name = a\npcidevs = 0000:02:00.0\n",
    U1 "name = a\npcidevs = 0000:01:00.0\n" },
  { "pci-vfs-in-use", "wrx90e-sage-se",        /* VF 61:02.1 belongs to another VM */
    U1 "name = a\npcidevs = 0000:61:00.0\n" U2 "name = b\npcidevs = 0000:61:02.1\n",
    U1 "name = a\npcidevs = 0000:61:02.1\n" U2 "name = b\n" },
  { "pci-host-driver", "m12swa-tf",            /* USB controller with xhci_hcd */
    U1 "name = a\npcidevs = 0000:45:00.0\n",
    U1 "name = a\npcidevs = 0000:61:00.0\n" },
};

static GPtrArray *
validate (const char *host, const char *text, KvmrtValidateFlags flags)
{
  g_autoptr(KvmrtConfig) config = test_config (text);
  g_autoptr(KvmrtPlan) plan = kvmrt_plan_new (config, test_load_host (host));

  return kvmrt_validate (plan, flags);
}

static const KvmrtDiagnostic *
find_code (GPtrArray *diagnostics, const char *code)
{
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KvmrtDiagnostic *d = diagnostics->pdata[i];

      if (g_str_equal (d->code, code))
        return d;
    }
  return NULL;
}

static void
dump (GPtrArray *diagnostics)
{
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KvmrtDiagnostic *d = diagnostics->pdata[i];

      g_test_message ("  %s %s [%s] %s", kvmrt_severity_to_string (d->severity), d->code,
                      d->vm_name ? d->vm_name : "-", d->message);
    }
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GPtrArray) bad = validate (c->host, c->bad, 0);
  g_autoptr(GPtrArray) good = validate (c->host, c->good, 0);
  const KvmrtDiagnostic *d = find_code (bad, c->code);

  dump (bad);
  g_assert_nonnull (d);
  g_assert_cmpint (d->severity, ==, kvmrt_diagnostic_code_get_severity (c->code));
  g_assert_cmpstr (d->message, !=, "");
  if (d->severity == KVMRT_SEVERITY_ERROR)
    g_assert_cmpuint (kvmrt_diagnostics_count (bad, KVMRT_SEVERITY_ERROR), >, 0);

  dump (good);
  g_assert_null (find_code (good, c->code));
}

static void
test_host_local (void)
{
  /* Node 0 has devices the host uses (its disks, NICs, USB). */
  g_autoptr(GPtrArray) bad = validate ("m12swa-tf", U1 "name = a\nrt = true\ncpuset = c1-4\n", 0);
  /* Node 1 has no device the host uses (only bridges and a vfio-pci NVMe). */
  g_autoptr(GPtrArray) good = validate ("m12swa-tf", U1 "name = a\nrt = true\ncpuset = c9-12\n", 0);
  const KvmrtDiagnostic *d = find_code (bad, "rt-pci-host-local");

  dump (bad);
  g_assert_nonnull (d);
  g_assert_cmpint (d->severity, ==, KVMRT_SEVERITY_WARNING);
  dump (good);
  g_assert_null (find_code (good, "rt-pci-host-local"));
}

static void
test_clean_config (void)
{
  g_autoptr(GPtrArray) diagnostics =
    validate ("m12swa-tf",
              U1 "name = rt\nrt = true\ncpuset = c17-19\n"
              "pcidevs = 0000:22:00.0 0000:22:00.1\n"
              U2 "name = other\ncpuset = 0-3\n", 0);

  dump (diagnostics);
  g_assert_cmpuint (kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR), ==, 0);
}

static void
test_disabled_left_out (void)
{
  const char *text = U1 "name = a\nrt = true\ncpuset = 8-11\n"
                     U2 "name = b\ncpuset = 8\ndisabled = true\n";
  g_autoptr(GPtrArray) normal = validate ("m12swa-tf", text, 0);
  g_autoptr(GPtrArray) all = validate ("m12swa-tf", text, KVMRT_VALIDATE_ALL);

  g_assert_null (find_code (normal, "rt-cpuset-overlap"));
  g_assert_nonnull (find_code (all, "rt-cpuset-overlap"));
}

static void
test_attribute_and_line (void)
{
  g_autoptr(GPtrArray) diagnostics =
    validate ("m12swa-tf", U1 "name = a\n\n# memory\nrt = maybe\n", 0);
  const KvmrtDiagnostic *d = find_code (diagnostics, "value-invalid");

  g_assert_nonnull (d);
  g_assert_cmpstr (d->attribute, ==, "rt");
  g_assert_cmpint (d->line, ==, 5);
  g_assert_cmpstr (d->vm_name, ==, "a");
  g_assert_cmpstr (d->vm_uuid, ==, "11111111-1111-4111-8111-111111111111");
  g_assert_nonnull (strstr (d->message, "maybe"));
}

static void
test_rt_priority_line (void)
{
  g_autoptr(GPtrArray) diagnostics =
    validate ("m12swa-tf", U1 "name = a\nrt = yes\ncpuset = n1\nrt_priority = 100\n", 0);
  const KvmrtDiagnostic *d = find_code (diagnostics, "value-invalid");

  g_assert_nonnull (d);
  g_assert_cmpstr (d->attribute, ==, "rt_priority");
  g_assert_cmpint (d->line, ==, 5);
  g_assert_nonnull (strstr (d->message, "1 to 99"));
}

static void
test_order_per_vm (void)
{
  /* Diagnostics come grouped by VM in config order, whole-config ones last. */
  g_autoptr(GPtrArray) diagnostics =
    validate ("m12swa-tf",
              U1 "name = a\nrt = true\ncpuset = 0-15\nrt_memory = no\n"
              U2 "name = b\nrt = true\ncpuset = n2,n3\nnumatune =\n", 0);
  guint last_vm = 0;

  dump (diagnostics);
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KvmrtDiagnostic *d = diagnostics->pdata[i];
      guint vm = d->vm_uuid == NULL ? 3 : d->vm_uuid[0] == '1' ? 1 : 2;

      g_assert_cmpuint (vm, >=, last_vm);
      last_vm = vm;
    }
  g_assert_cmpuint (last_vm, ==, 3);
}

static void
test_every_code_has_a_severity (void)
{
  const char * const *codes = kvmrt_diagnostic_list_codes ();

  g_assert_cmpuint (g_strv_length ((char **) codes), ==, 35);
  for (guint i = 0; codes[i] != NULL; i++)
    kvmrt_diagnostic_code_get_severity (codes[i]);
  g_assert_cmpint (kvmrt_diagnostic_code_get_severity ("rt-cpuset-overlap"), ==,
                   KVMRT_SEVERITY_ERROR);
  g_assert_cmpint (kvmrt_diagnostic_code_get_severity ("pci-not-local"), ==,
                   KVMRT_SEVERITY_WARNING);
}

/* On every fixture host, each device the host cannot give away (its PCI fabric, the IOMMU, what
 * it runs its storage, network and console on) is an error when passed through, and each host
 * has such devices of every kind it describes. */
static void
test_host_devices_never_assignable (void)
{
  static const struct {
    const char *host;
    guint       needs;   /* the kinds the fixture must have */
  } hosts[] = {
    { "m12swa-tf", KVMRT_PCI_HOST_NEED_STORAGE | KVMRT_PCI_HOST_NEED_NETWORK
                   | KVMRT_PCI_HOST_NEED_CONSOLE },
    { "wrx90e-sage-se", KVMRT_PCI_HOST_NEED_STORAGE | KVMRT_PCI_HOST_NEED_NETWORK
                        | KVMRT_PCI_HOST_NEED_CONSOLE },
    { "small-nosmt", KVMRT_PCI_HOST_NEED_STORAGE | KVMRT_PCI_HOST_NEED_NETWORK
                     | KVMRT_PCI_HOST_NEED_CONSOLE },
    { "bench-256", KVMRT_PCI_HOST_NEED_STORAGE | KVMRT_PCI_HOST_NEED_NETWORK
                   | KVMRT_PCI_HOST_NEED_CONSOLE },
  };
  static const char *const host_codes[] = { "pci-no-iommu", "pci-not-endpoint",
                                             "pci-needed-by-host" };

  for (guint h = 0; h < G_N_ELEMENTS (hosts); h++)
    {
      KvmrtHost *host = test_load_host (hosts[h].host);
      GPtrArray *devices = kvmrt_host_get_pci_devices (host);
      guint seen = 0, checked = 0;

      for (guint i = 0; i < devices->len; i++)
        {
          const KvmrtPciDevice *dev = devices->pdata[i];
          g_autofree char *address = kvmrt_pci_address_to_string (dev->address);
          g_autofree char *text = NULL;
          g_autoptr(GPtrArray) diagnostics = NULL;
          gboolean found = FALSE;

          seen |= dev->host_needs;
          if (dev->host_needs == 0 && !kvmrt_pci_device_is_infrastructure (dev))
            continue;
          text = g_strdup_printf (U1 "name = a\npcidevs = %s\n", address);
          diagnostics = validate (hosts[h].host, text, 0);
          for (guint c = 0; c < G_N_ELEMENTS (host_codes); c++)
            {
              const KvmrtDiagnostic *d = find_code (diagnostics, host_codes[c]);

              found |= d != NULL;
              /* The per-device findings name the device (the GUI marks it). */
              if (d != NULL && !g_str_equal (d->code, "pci-no-iommu"))
                g_assert_true (kvmrt_pci_set_contains (d->devices, dev->address));
            }
          if (!found)
            {
              dump (diagnostics);
              g_error ("%s: %s can be passed through without a host-device error",
                       hosts[h].host, address);
            }
          checked++;
        }
      g_test_message ("%s: %u host devices checked", hosts[h].host, checked);
      g_assert_cmpuint (seen & hosts[h].needs, ==, hosts[h].needs);
    }
}

/* @dst as a shadow of @src: a real directory whose entries are links to @src's, except the one
 * named by the first component of @path (made real the same way, down the rest of @path);
 * the last component of @path is left out. With @copy_links, @src's entries that are links
 * are copied as they are (relative ones then resolve in the shadow). Cheap where a copy of a
 * fixture tree is not (thousands of files). */
static void
shadow (const char *src, const char *dst, const char *path, gboolean copy_links)
{
  g_autoptr(GDir) dir = g_dir_open (src, 0, NULL);
  const char *slash = strchr (path, '/');
  g_autofree char *first = slash != NULL ? g_strndup (path, slash - path) : g_strdup (path);
  const char *entry;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (dst, 0755), ==, 0);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (src, entry, NULL);
      g_autofree char *to = g_build_filename (dst, entry, NULL);
      g_autofree char *target = copy_links ? g_file_read_link (from, NULL) : NULL;

      if (g_str_equal (entry, first))
        {
          if (slash != NULL)
            shadow (from, to, slash + 1, FALSE);
          continue;
        }
      g_assert_cmpint (symlink (target != NULL ? target : from, to), ==, 0);
    }
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, NULL));
}

/* An endpoint the IOMMU left out of every group, on a host that has groups: the WRX90E host
 * with USB controller 24:00.3's iommu_group link taken away. */
static void
test_endpoint_without_group (void)
{
  g_autofree char *source = test_host_dir ("wrx90e-sage-se");
  g_autofree char *scratch = g_dir_make_tmp ("kvmrt-validator-XXXXXX", NULL);
  g_autofree char *tree = g_build_filename (scratch, "host", NULL);
  g_autofree char *device_link = g_build_filename (source, "sys/bus/pci/devices/0000:24:00.3",
                                                   NULL);
  g_autofree char *device = realpath (device_link, NULL);
  g_autofree char *devices_src = g_build_filename (source, "sys/bus/pci/devices", NULL);
  g_autofree char *devices_dst = g_build_filename (tree, "sys/bus/pci/devices", NULL);
  g_autofree char *resolved_source = realpath (source, NULL);
  g_autofree char *below = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtConfig) bad = test_config (U1 "name = a\npcidevs = 0000:24:00.3\n");
  g_autoptr(KvmrtConfig) good = test_config (U1 "name = a\npcidevs = 0000:63:00.3\n");
  g_autoptr(KvmrtPlan) bad_plan = NULL;
  g_autoptr(KvmrtPlan) good_plan = NULL;
  g_autoptr(GPtrArray) bad_found = NULL;
  g_autoptr(GPtrArray) good_found = NULL;
  const KvmrtDiagnostic *d;

  g_assert_nonnull (device);
  g_assert_true (g_str_has_prefix (device, resolved_source));
  /* sys/devices/.../0000:24:00.3 real, without its iommu_group; the bus's device links
   * copied so that they lead there. */
  below = g_strconcat (device + strlen (resolved_source) + 1, "/iommu_group", NULL);
  shadow (source, tree, below, FALSE);
  {
    g_autofree char *bus_src = g_build_filename (source, "sys/bus", NULL);
    g_autofree char *bus_dst = g_build_filename (tree, "sys/bus", NULL);

    /* Only the link to the fixture's sys/bus goes: nothing of the fixture is touched. */
    g_assert_true (g_file_test (bus_dst, G_FILE_TEST_IS_SYMLINK));
    g_assert_cmpint (unlink (bus_dst), ==, 0);
    shadow (bus_src, bus_dst, "pci/devices", FALSE);
    shadow (devices_src, devices_dst, "", TRUE);
  }

  host = kvmrt_host_load (tree, KVMRT_HOST_LOAD_NO_IRQS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kvmrt_host_lookup_pci_device (host, KVMRT_PCI_ADDRESS (0, 0x24, 0, 3))
                     ->iommu_group, ==, -1);
  bad_plan = kvmrt_plan_new (bad, host);
  good_plan = kvmrt_plan_new (good, host);
  bad_found = kvmrt_validate (bad_plan, 0);
  good_found = kvmrt_validate (good_plan, 0);
  dump (bad_found);
  d = find_code (bad_found, "pci-not-endpoint");
  g_assert_nonnull (d);
  g_assert_nonnull (strstr (d->message, "no IOMMU group"));
  g_assert_null (find_code (bad_found, "pci-no-iommu"));
  g_assert_null (find_code (good_found, "pci-not-endpoint"));
  remove_tree (scratch);
}

/* The recommended cpuset forms expand to both threads of every core; only CPUs the user listed
 * one by one are worth a word. */
static void
test_sibling_forms (void)
{
  static const char *const clean[] = { "n1", "c8-11", "p0", "d0", "8-11", "c8,40", "8-11,n1" };
  static const char *const doubled[] = { "8-11,40", "8,40", "8-11,40-43" };

  for (guint i = 0; i < G_N_ELEMENTS (clean); i++)
    {
      g_autofree char *text = g_strdup_printf (U1 "name = a\nrt = true\ncpuset = %s\n"
                                               U2 "name = b\ncpuset = 0-3\n", clean[i]);
      g_autoptr(GPtrArray) diagnostics = validate ("m12swa-tf", text, 0);

      dump (diagnostics);
      g_assert_null (find_code (diagnostics, "rt-sibling-both-specified"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (doubled); i++)
    {
      g_autofree char *text = g_strdup_printf (U1 "name = a\nrt = true\ncpuset = %s\n",
                                               doubled[i]);
      g_autoptr(GPtrArray) diagnostics = validate ("m12swa-tf", text, 0);

      g_assert_nonnull (find_code (diagnostics, "rt-sibling-both-specified"));
    }
}

/* The validator judges the plan it is given: on every fixture host, for the demo and the
 * test configurations, it finds what it found when it planned for itself
 * (tests/validator/fixture-hosts.txt, written by that validator), the same again on the
 * same plan, and the same on a plan of a copy. */
static void
append_findings (GString *out, GPtrArray *diagnostics)
{
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KvmrtDiagnostic *d = diagnostics->pdata[i];

      g_string_append_printf (out, "%s %s %s %s %d %s\n", kvmrt_severity_to_string (d->severity),
                              d->code, d->vm_uuid ? d->vm_uuid : "-",
                              d->attribute ? d->attribute : "-", d->line, d->message);
    }
}

static void
test_plan_input_same_findings (void)
{
  g_autofree char *golden_path = g_test_build_filename (G_TEST_DIST, "validator",
                                                        "fixture-hosts.txt", NULL);
  g_autofree char *golden = NULL;
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GString) found = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (golden_path, &golden, NULL, NULL));
  lines = g_strsplit (golden, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '#' || g_str_has_prefix (lines[i], "## "))
      g_string_append_printf (expected, "%s%s", lines[i], lines[i + 1] != NULL ? "\n" : "");

  for (const char * const *name = test_config_paths (); *name != NULL; name++)
    for (const char * const *host_name = test_host_names (); *host_name != NULL; host_name++)
      {
        g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", *name, NULL);
        g_autofree char *base = g_path_get_basename (*name);
        g_autoptr(GError) error = NULL;
        g_autoptr(KvmrtConfig) config = kvmrt_config_load (path, &error);
        g_autoptr(KvmrtConfig) copy = NULL;
        g_autoptr(KvmrtPlan) plan = NULL;
        g_autoptr(KvmrtPlan) copy_plan = NULL;
        g_autoptr(GPtrArray) first = NULL;
        g_autoptr(GPtrArray) again = NULL;
        g_autoptr(GPtrArray) of_copy = NULL;
        g_autoptr(GString) first_text = g_string_new (NULL);
        g_autoptr(GString) again_text = g_string_new (NULL);
        g_autoptr(GString) copy_text = g_string_new (NULL);

        g_assert_no_error (error);
        copy = kvmrt_config_copy (config);
        plan = kvmrt_plan_new (config, test_load_host (*host_name));
        copy_plan = kvmrt_plan_new (copy, test_load_host (*host_name));
        first = kvmrt_validate (plan, KVMRT_VALIDATE_ALL);
        again = kvmrt_validate (plan, KVMRT_VALIDATE_ALL);
        of_copy = kvmrt_validate (copy_plan, KVMRT_VALIDATE_ALL);
        append_findings (first_text, first);
        append_findings (again_text, again);
        append_findings (copy_text, of_copy);
        g_assert_cmpstr (again_text->str, ==, first_text->str);
        g_assert_cmpstr (copy_text->str, ==, first_text->str);
        g_string_append_printf (found, "## %s %s\n%s", *host_name, base, first_text->str);
      }
  g_assert_cmpstr (found->str, ==, expected->str);
}

/* What each code's finding is about, as its subject names it. */
enum { SUBJECT_CPUS = 1, SUBJECT_NODES = 2, SUBJECT_DEVICES = 4 };

static const struct {
  const char *code;
  guint       subject;
} subjects[] = {
  { "rt-underprovisioned", SUBJECT_CPUS },
  { "underprovisioned", SUBJECT_CPUS },
  { "rt-cpuset-overlap", SUBJECT_CPUS },
  { "rt-consumes-all-cpus", SUBJECT_CPUS },
  { "rt-sibling-both-specified", SUBJECT_CPUS },
  { "rt-spans-numa-nodes", SUBJECT_NODES },
  { "rt-shares-numa-node", SUBJECT_NODES },
  { "rt-numatune-outside-cpuset", SUBJECT_NODES },
  { "numatune-overlaps-rt-node", SUBJECT_NODES },
  { "pci-unknown-device", SUBJECT_DEVICES },
  { "pci-iommu-group-incomplete", SUBJECT_DEVICES },
  { "pci-assigned-twice", SUBJECT_DEVICES },
  { "pci-no-iommu", SUBJECT_DEVICES },
  { "pci-not-endpoint", SUBJECT_DEVICES },
  { "pci-needed-by-host", SUBJECT_DEVICES },
  { "pci-vfs-in-use", SUBJECT_DEVICES },
  { "pci-host-driver", SUBJECT_DEVICES },
  { "pci-not-local", SUBJECT_DEVICES | SUBJECT_NODES },
  { "rt-pci-other-vm-local", SUBJECT_DEVICES | SUBJECT_NODES },
  { "rt-pci-host-local", SUBJECT_DEVICES | SUBJECT_NODES },
};

static guint
subject_of (const KvmrtDiagnostic *d)
{
  return (d->cpus != NULL && !kvmrt_id_set_is_empty (d->cpus) ? SUBJECT_CPUS : 0)
         | (d->nodes != NULL && !kvmrt_id_set_is_empty (d->nodes) ? SUBJECT_NODES : 0)
         | (d->devices != NULL && d->devices->len > 0 ? SUBJECT_DEVICES : 0);
}

/* Every case of a code about CPUs, nodes or devices names them; a copy keeps them. */
static void
test_subjects (void)
{
  guint checked = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (subjects); j++)
      {
        g_autoptr(GPtrArray) bad = NULL;
        g_autoptr(KvmrtDiagnostic) copy = NULL;
        const KvmrtDiagnostic *d;

        if (!g_str_equal (cases[i].code, subjects[j].code))
          continue;
        bad = validate (cases[i].host, cases[i].bad, 0);
        d = find_code (bad, cases[i].code);
        g_assert_nonnull (d);
        g_test_message ("%s: subject %u", d->code, subject_of (d));
        g_assert_cmpuint (subject_of (d), ==, subjects[j].subject);
        copy = kvmrt_diagnostic_copy (d);
        g_assert_cmpuint (subject_of (copy), ==, subjects[j].subject);
        checked++;
      }
  g_assert_cmpuint (checked, >=, 15);
}

/* The subject is what the finding is about, not all the VM has. */
static void
test_subject_exact (void)
{
  g_autoptr(GPtrArray) overlap = validate ("m12swa-tf", U1 "name = a\nrt = true\ncpuset = c8-11\n"
                                           U2 "name = b\ncpuset = 11-13,43\n", 0);
  g_autoptr(GPtrArray) numatune = validate ("m12swa-tf",
                                            U1 "name = a\ncpuset = 0-3\nnumatune = 0,7\n", 0);
  g_autoptr(GPtrArray) unknown = validate ("m12swa-tf", U1 "name = a\ncpuset = 0-99\n", 0);
  g_autoptr(GPtrArray) twice = validate ("m12swa-tf",
                                         U1 "name = a\npcidevs = 0000:61:00.0 0000:41:00.0\n"
                                         U2 "name = b\npcidevs = 0000:61:00.0\n", 0);
  const KvmrtDiagnostic *d = find_code (overlap, "rt-cpuset-overlap");
  g_autofree char *cpus = NULL;
  g_autofree char *nodes = NULL;

  g_assert_nonnull (d);
  cpus = kvmrt_id_set_to_string (d->cpus);
  g_assert_cmpstr (cpus, ==, "11,43");
  d = find_code (numatune, "cpuset-unknown-cpu");
  g_assert_nonnull (d);
  nodes = kvmrt_id_set_to_string (d->nodes);
  g_assert_cmpstr (nodes, ==, "7");
  g_assert_null (d->cpus);
  /* CPUs the host does not have are no resource of it. */
  d = find_code (unknown, "cpuset-unknown-cpu");
  g_assert_nonnull (d);
  g_assert_cmpuint (subject_of (d), ==, 0);
  d = find_code (twice, "pci-assigned-twice");
  g_assert_nonnull (d);
  g_assert_cmpuint (d->devices->len, ==, 1);
  g_assert_cmpuint (g_array_index (d->devices, KvmrtPciAddress, 0), ==,
                    KVMRT_PCI_ADDRESS (0, 0x61, 0, 0));
}

/* The index turns the findings around: each CPU, node and device leads to exactly the
 * findings whose subject names it, in order, each once, at the severity asked for. */
static void
test_index_by_subject (void)
{
  g_autoptr(GPtrArray) found = validate ("m12swa-tf",
                                         U1 "name = a\nrt = true\ncpuset = c8-11\n"
                                         U2 "name = b\ncpuset = 11-13,43\n"
                                         "pcidevs = 0000:61:00.0\n"
                                         U3 "name = c\npcidevs = 0000:61:00.0\n", 0);
  g_autoptr(KvmrtDiagnosticIndex) all = kvmrt_diagnostic_index_new (found, KVMRT_SEVERITY_INFO);
  g_autoptr(KvmrtDiagnosticIndex) errors = kvmrt_diagnostic_index_new (found,
                                                                       KVMRT_SEVERITY_ERROR);
  const KvmrtDiagnostic *overlap = find_code (found, "rt-cpuset-overlap");
  const KvmrtDiagnostic *twice = find_code (found, "pci-assigned-twice");
  GPtrArray *at;
  guint n_errors = kvmrt_diagnostics_count (found, KVMRT_SEVERITY_ERROR);

  g_assert_nonnull (overlap);
  g_assert_nonnull (twice);
  g_assert_cmpuint (kvmrt_diagnostic_index_get_count (all), ==, found->len);
  g_assert_cmpuint (kvmrt_diagnostic_index_get_count (errors), ==, n_errors);
  /* Every finding is found again from each resource of its subject, and nowhere else. */
  for (guint cpu = 0; cpu < 64; cpu++)
    {
      at = kvmrt_diagnostic_index_for_cpu (all, cpu);
      for (guint i = 0; i < found->len; i++)
        {
          const KvmrtDiagnostic *d = found->pdata[i];
          gboolean names = d->cpus != NULL && kvmrt_id_set_contains (d->cpus, cpu);
          guint seen = 0;

          for (guint j = 0; at != NULL && j < at->len; j++)
            seen += at->pdata[j] == d;
          g_assert_cmpuint (seen, ==, names ? 1 : 0);
        }
    }
  at = kvmrt_diagnostic_index_for_cpu (errors, 43);
  g_assert_nonnull (at);
  g_assert_true (g_ptr_array_find (at, overlap, NULL));
  g_assert_cmpint (kvmrt_diagnostics_worst (at), ==, KVMRT_SEVERITY_ERROR);
  g_assert_null (kvmrt_diagnostic_index_for_cpu (errors, 0));
  at = kvmrt_diagnostic_index_for_device (errors, KVMRT_PCI_ADDRESS (0, 0x61, 0, 0));
  g_assert_nonnull (at);
  g_assert_true (g_ptr_array_find (at, twice, NULL));
  g_assert_null (kvmrt_diagnostic_index_for_device (errors, KVMRT_PCI_ADDRESS (0, 0x41, 0, 0)));
  g_assert_cmpint (kvmrt_diagnostics_worst (NULL), ==, KVMRT_SEVERITY_INFO);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/validator/%s/%u", cases[i].code, i);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/validator/rt-pci-host-local", test_host_local);
  g_test_add_func ("/validator/clean-config", test_clean_config);
  g_test_add_func ("/validator/disabled-left-out", test_disabled_left_out);
  g_test_add_func ("/validator/attribute-and-line", test_attribute_and_line);
  g_test_add_func ("/validator/rt-priority-line", test_rt_priority_line);
  g_test_add_func ("/validator/order-per-vm", test_order_per_vm);
  g_test_add_func ("/validator/codes", test_every_code_has_a_severity);
  g_test_add_func ("/validator/host-devices", test_host_devices_never_assignable);
  g_test_add_func ("/validator/sibling-forms", test_sibling_forms);
  g_test_add_func ("/validator/endpoint-without-group", test_endpoint_without_group);
  g_test_add_func ("/validator/plan-input/same-findings", test_plan_input_same_findings);
  g_test_add_func ("/validator/subjects", test_subjects);
  g_test_add_func ("/validator/subjects/exact", test_subject_exact);
  g_test_add_func ("/validator/index-by-subject", test_index_by_subject);
  return g_test_run ();
}
