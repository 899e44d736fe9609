/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every diagnostic code the validator issues: one configuration that triggers it and one,
 * as close as possible, that does not. Hosts: the demo host (core N = CPUs N and N+32,
 * node k = cores 8k..8k+7; see data/hosts/README.md for its devices). */
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
};

static GPtrArray *
validate (const char *host, const char *text, KvmrtValidateFlags flags)
{
  g_autoptr(KvmrtConfig) config = test_config (text);

  return kvmrt_validate (config, test_load_host (host), flags);
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

  g_assert_cmpuint (g_strv_length ((char **) codes), ==, 28);
  for (guint i = 0; codes[i] != NULL; i++)
    kvmrt_diagnostic_code_get_severity (codes[i]);
  g_assert_cmpint (kvmrt_diagnostic_code_get_severity ("rt-cpuset-overlap"), ==,
                   KVMRT_SEVERITY_ERROR);
  g_assert_cmpint (kvmrt_diagnostic_code_get_severity ("pci-not-local"), ==,
                   KVMRT_SEVERITY_WARNING);
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
  return g_test_run ();
}
