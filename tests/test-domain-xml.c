/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Domain XML sync on the demo host: each domain of tests/libvirt/domains/ synced with
 * tests/libvirt/domains.cfg must equal its golden file (KVMRT_UPDATE_GOLDEN=1 rewrites them),
 * pass virt-xml-validate, and be a fixed point; reading it back gives the config's values; a
 * dropped pcidev removes only kvmrt's hostdev. */
#include <kvmrt.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-domain-xml.h"
#include "kvmrt-test-hosts.h"

typedef struct {
  KvmrtConfig *config;
  KvmrtPlan   *plan;
} Fixture;

static char *
data_path (const char *relative)
{
  return g_test_build_filename (G_TEST_DIST, "libvirt", relative, NULL);
}

static char *
read_data (const char *relative)
{
  g_autofree char *path = data_path (relative);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *path = data_path ("domains.cfg");
  g_autoptr(GError) error = NULL;

  f->config = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  f->plan = kvmrt_plan_new (f->config, test_load_host ("m12swa-tf"));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  kvmrt_plan_free (f->plan);
  g_object_unref (f->config);
}

static const KvmrtVmPlan *
plan_of (Fixture *f, const char *name)
{
  KvmrtVm *vm = kvmrt_config_lookup (f->config, name);

  g_assert_nonnull (vm);
  return kvmrt_plan_lookup (f->plan, vm);
}

/* virt-xml-validate (libvirt's RelaxNG schema) must accept @xml. */
static void
assert_schema_valid (const char *xml)
{
  g_autofree char *path = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int fd = g_file_open_tmp ("kvmrt-domain-XXXXXX.xml", &path, &error);
  int status = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  close (fd);
  {
    const char *argv[] = { "virt-xml-validate", path, "domain", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 &out, &err, &status, &error));
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("virt-xml-validate rejected the synced domain:\n%s\n%s", err, xml);
  g_unlink (path);
}

static void
assert_golden (const char *name, const char *xml)
{
  g_autofree char *relative = g_strconcat ("golden/", name, NULL);
  g_autofree char *path = data_path (relative);
  g_autofree char *expected = NULL;

  if (g_strcmp0 (g_getenv ("KVMRT_UPDATE_GOLDEN"), "1") == 0)
    g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  expected = read_data (relative);
  g_assert_cmpstr (xml, ==, expected);
}

static gboolean
has_change (GPtrArray *changes, KvmrtDomainField field)
{
  for (guint i = 0; i < changes->len; i++)
    if (((KvmrtDomainChange *) changes->pdata[i])->field == field)
      return TRUE;
  return FALSE;
}

static char *
sync_file (Fixture *f, const char *domain_file, const char *vm_name, GPtrArray **changes)
{
  g_autofree char *relative = g_strconcat ("domains/", domain_file, NULL);
  g_autofree char *input = read_data (relative);
  g_autoptr(GError) error = NULL;
  char *output = kvmrt_domain_xml_sync (input, plan_of (f, vm_name), changes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (output);
  return output;
}

/* Golden, schema-valid, and a fixed point. */
static void
check_domain (Fixture *f, const char *domain_file, const char *vm_name)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *output = sync_file (f, domain_file, vm_name, &changes);
  g_autofree char *second = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (changes->len, >, 0);
  assert_golden (domain_file, output);
  assert_schema_valid (output);

  second = kvmrt_domain_xml_sync (output, plan_of (f, vm_name), &again, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < again->len; i++)
    {
      KvmrtDomainChange *c = again->pdata[i];

      g_test_message ("still differs: %s: %s -> %s", kvmrt_domain_field_to_string (c->field),
                      c->current, c->wanted);
    }
  g_assert_cmpuint (again->len, ==, 0);
  g_assert_cmpstr (second, ==, output);
}

static void
test_minimal_rt (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *output = sync_file (f, "minimal.xml", "rt-minimal", &changes);

  check_domain (f, "minimal.xml", "rt-minimal");
  g_assert_true (has_change (changes, KVMRT_DOMAIN_FIELD_VCPUPIN));
  g_assert_true (has_change (changes, KVMRT_DOMAIN_FIELD_MEMORY_LOCKED));
  g_assert_true (has_change (changes, KVMRT_DOMAIN_FIELD_KVM_HIDDEN));
  g_assert_true (has_change (changes, KVMRT_DOMAIN_FIELD_HOSTDEVS));
  g_assert_true (has_change (changes, KVMRT_DOMAIN_FIELD_TITLE));
  g_assert_nonnull (strstr (output, "<locked/>"));
  g_assert_nonnull (strstr (output, "<hidden state=\"on\"/>"));
  g_assert_nonnull (strstr (output, KVMRT_DOMAIN_XML_NS));
}

static void
test_rich_keeps_the_rest (Fixture *f, gconstpointer data)
{
  g_autofree char *output = sync_file (f, "rich.xml", "cad-station", NULL);

  check_domain (f, "rich.xml", "cad-station");
  /* What kvmrt does not manage is still there. */
  for (const char *const *kept = (const char *const[]) {
         "libosinfo:os", "<hugepages/>", "<shares>2048</shares>", "<hyperv mode=\"custom\">",
         "host-passthrough", "<!-- the system disk -->", "cad-station.qcow2",
         "52:54:00:12:34:56", "type=\"spice\"", "model type=\"qxl\"", NULL };
       *kept != NULL; kept++)
    if (strstr (output, *kept) == NULL)
      g_error ("lost %s:\n%s", *kept, output);
  /* The user's hostdev 22:00.0 is not duplicated; only 22:00.1 is added. */
  {
    g_auto(GStrv) parts = g_strsplit (output, "<hostdev ", -1);

    g_assert_cmpuint (g_strv_length (parts) - 1, ==, 2);
  }
  g_assert_null (strstr (output, "cpuset=\"0-7\""));
}

static void
test_iothreads (Fixture *f, gconstpointer data)
{
  g_autofree char *output = sync_file (f, "iothreads.xml", "storage-gw", NULL);

  check_domain (f, "iothreads.xml", "storage-gw");
  g_assert_nonnull (strstr (output, "<iothreadpin iothread=\"2\" cpuset=\"24-27\"/>"));
  /* An existing numatune mode is kept; only the nodes change. */
  g_assert_nonnull (strstr (output, "mode=\"preferred\" nodeset=\"3\""));
  /* The topology goes into the <cpu> the domain has, keeping its model. */
  g_assert_nonnull (strstr (output, "<model fallback=\"forbid\">qemu64</model>\n"
                                    "    <topology sockets=\"1\" cores=\"2\" threads=\"1\"/>"));
}

/* A real-time VM made with virt-manager's defaults gets the real-time guest definition; its
 * disks, NICs, display and everything else stay as they were, and what kvmrt does not write is
 * advice with the XML to use. */
static void
test_rt_guest (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *output = sync_file (f, "rt-virt-manager.xml", "rt-virt-manager", &changes);
  g_autoptr(GPtrArray) advice = NULL;
  guint nics = 0, displays = 0;

  check_domain (f, "rt-virt-manager.xml", "rt-virt-manager");
  for (KvmrtDomainField field = KVMRT_DOMAIN_FIELD_CPU_MODE;
       field <= KVMRT_DOMAIN_FIELD_VCPUSCHED; field++)
    if (field != KVMRT_DOMAIN_FIELD_HUGEPAGES && !has_change (changes, field))
      g_error ("no %s change", kvmrt_domain_field_to_string (field));
  /* Node 2 has 4096 free 2 MiB pages; 16 GiB needs 8192: no huge pages written. */
  g_assert_false (has_change (changes, KVMRT_DOMAIN_FIELD_HUGEPAGES));
  for (const char *const *wanted = (const char *const[]) {
         "<cpu mode=\"host-passthrough\" check=\"partial\">",
         "<feature policy=\"require\" name=\"tsc-deadline\"/>",
         "<feature policy=\"require\" name=\"x2apic\"/>",
         "<pmu state=\"off\"/>", "<memballoon model=\"none\"/>", "<nosharepages/>",
         "<vcpusched vcpus=\"0-2\" scheduler=\"fifo\" priority=\"1\"/>",
         /* untouched */
         "rt-virt-manager.qcow2", "<model type=\"e1000\"/>", "<model type=\"rtl8139\"/>",
         "<model type=\"vga\"", "<graphics type=\"vnc\"", "<acpi/>", NULL };
       *wanted != NULL; wanted++)
    if (strstr (output, *wanted) == NULL)
      g_error ("missing %s:\n%s", *wanted, output);
  for (const char *const *gone = (const char *const[]) {
         "EPYC-Milan", "<vendor>", "scheduler=\"rr\"", "policy=\"disable\"", "match=",
         "bus=\"0x05\"", "<hugepages", NULL };
       *gone != NULL; gone++)
    if (strstr (output, *gone) != NULL)
      g_error ("still there: %s:\n%s", *gone, output);

  advice = kvmrt_domain_xml_rt_advice (output, plan_of (f, "rt-virt-manager"));
  for (guint i = 0; i < advice->len; i++)
    {
      const KvmrtDiagnostic *d = advice->pdata[i];

      g_test_message ("%s: %s", d->code, d->message);
      if (g_str_equal (d->code, "rt-emulated-device"))
        {
          nics += strstr (d->message, "52:54:00:aa:bb:0") != NULL;
          displays += strstr (d->message, "virtio-gpu") != NULL;
          g_assert_null (strstr (d->message, "52:54:00:aa:bb:03"));
        }
      else
        {
          g_assert_cmpstr (d->code, ==, "rt-hugepages-missing");
          g_assert_nonnull (strstr (d->message, "8192"));
          g_assert_nonnull (strstr (d->message, "echo 8192 > /sys/devices/system/node/node2/"
                                                "hugepages/hugepages-2048kB/nr_hugepages"));
          g_assert_nonnull (strstr (d->message, "<page size='2048' unit='KiB'/>"));
        }
    }
  g_assert_cmpuint (nics, ==, 2);
  g_assert_cmpuint (displays, ==, 1);
  g_assert_cmpuint (advice->len, ==, 4);
}

/* Enough huge pages: the sync writes them, and there is no advice about them. A VM that is not
 * real-time keeps its settings, but never a FIFO vcpusched. */
static void
test_rt_guest_hugepages_and_non_rt (Fixture *f, gconstpointer data)
{
  const char *domain = "<domain type='kvm'><name>rt-virt-manager</name>"
                       "<uuid>c4d5e6f7-0819-4a2b-9c3d-4e5f60718293</uuid>"
                       "<memory unit='MiB'>4096</memory><vcpu>3</vcpu>"
                       "<os><type arch='x86_64'>hvm</type></os></domain>";
  const char *non_rt = "<domain type='kvm'><name>storage-gw</name>"
                       "<uuid>9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d</uuid>"
                       "<memory unit='MiB'>4096</memory><vcpu>2</vcpu>"
                       "<cputune><vcpusched vcpus='0-1' scheduler='fifo' priority='5'/>"
                       "<vcpusched vcpus='0' scheduler='batch'/></cputune>"
                       "<cpu mode='host-model'/>"
                       "<os><type arch='x86_64'>hvm</type></os>"
                       "<devices><memballoon model='virtio'/></devices></domain>";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) advice = NULL;
  g_autofree char *output = kvmrt_domain_xml_sync (domain, plan_of (f, "rt-virt-manager"),
                                                   &changes, &error);

  g_assert_no_error (error);
  g_assert_true (has_change (changes, KVMRT_DOMAIN_FIELD_HUGEPAGES));
  g_assert_nonnull (strstr (output, "<page size=\"2048\" unit=\"KiB\"/>"));
  assert_schema_valid (output);
  advice = kvmrt_domain_xml_rt_advice (output, plan_of (f, "rt-virt-manager"));
  g_assert_cmpuint (advice->len, ==, 0);

  /* libvirt keeps one vcpusched per vCPU: the same setting, nothing to sync. */
  {
    g_autoptr(GPtrArray) split_changes = NULL;
    g_autofree char *split = NULL;
    g_autofree char *again = NULL;
    const char *one = "<vcpusched vcpus=\"0-2\" scheduler=\"fifo\" priority=\"1\"/>";
    char *at = strstr (output, one);

    g_assert_nonnull (at);
    split = g_strdup_printf ("%.*s<vcpusched vcpus='0' scheduler='fifo' priority='1'/>"
                             "<vcpusched vcpus='1' scheduler='fifo' priority='1'/>"
                             "<vcpusched vcpus='2' scheduler='fifo' priority='1'/>%s",
                             (int) (at - output), output, at + strlen (one));
    again = kvmrt_domain_xml_sync (split, plan_of (f, "rt-virt-manager"), &split_changes,
                                   &error);
    g_assert_no_error (error);
    g_assert_cmpuint (split_changes->len, ==, 0);
  }

  /* TCG has no host CPU to pass through. */
  {
    g_autofree char *tcg = g_strconcat ("<domain type='qemu'>",
                                        domain + strlen ("<domain type='kvm'>"), NULL);
    g_autoptr(GPtrArray) tcg_changes = NULL;
    g_autofree char *tcg_output = NULL;

    tcg_output = kvmrt_domain_xml_sync (tcg, plan_of (f, "rt-virt-manager"), &tcg_changes,
                                        &error);
    g_assert_no_error (error);
    g_assert_false (has_change (tcg_changes, KVMRT_DOMAIN_FIELD_CPU_MODE));
    g_assert_true (has_change (tcg_changes, KVMRT_DOMAIN_FIELD_PMU));
    g_assert_null (strstr (tcg_output, "host-passthrough"));
  }

  g_clear_pointer (&output, g_free);
  g_clear_pointer (&changes, g_ptr_array_unref);
  output = kvmrt_domain_xml_sync (non_rt, plan_of (f, "storage-gw"), &changes, &error);
  g_assert_no_error (error);
  g_assert_true (has_change (changes, KVMRT_DOMAIN_FIELD_VCPUSCHED));
  g_assert_false (has_change (changes, KVMRT_DOMAIN_FIELD_CPU_MODE));
  g_assert_false (has_change (changes, KVMRT_DOMAIN_FIELD_MEMBALLOON));
  g_assert_null (strstr (output, "fifo"));
  g_assert_nonnull (strstr (output, "scheduler=\"batch\""));
  g_assert_nonnull (strstr (output, "host-model"));
  g_assert_nonnull (strstr (output, "model=\"virtio\""));
  g_clear_pointer (&advice, g_ptr_array_unref);
  advice = kvmrt_domain_xml_rt_advice (output, plan_of (f, "storage-gw"));
  g_assert_cmpuint (advice->len, ==, 0);
}

/* Dropping a pcidev removes the hostdev kvmrt added, never the user's. */
static void
test_removal_only_removes_own (Fixture *f, gconstpointer data)
{
  g_autofree char *synced = sync_file (f, "rich.xml", "cad-station", NULL);
  KvmrtVm *vm = kvmrt_config_lookup (f->config, "cad-station");
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autofree char *output = NULL;

  kvmrt_vm_set_text (vm, KVMRT_VM_ATTR_PCIDEVS, "", NULL);
  plan = kvmrt_plan_new (f->config, test_load_host ("m12swa-tf"));
  output = kvmrt_domain_xml_sync (synced, kvmrt_plan_lookup (plan, vm), &changes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (output, "slot=\"0x00\" function=\"0x0\""));
  g_assert_null (strstr (output, "function=\"0x1\""));
  assert_schema_valid (output);
}

/* Reading a synced non-real-time domain back gives the config's values. */
static void
test_read_back (Fixture *f, gconstpointer data)
{
  g_autofree char *synced = sync_file (f, "iothreads.xml", "storage-gw", NULL);
  g_autoptr(KvmrtVm) vm = kvmrt_vm_new ("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
  g_autoptr(GError) error = NULL;

  g_assert_true (kvmrt_domain_xml_read (synced, vm, (1u << KVMRT_VM_N_ATTRS) - 1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_vm_get_name (vm), ==, "storage-gw");
  g_assert_cmpuint (kvmrt_vm_get_nr_vcpus (vm), ==, 2);
  g_assert_cmpstr (kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_CPUSET), ==, "24-27");
  g_assert_cmpstr (kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_NUMATUNE), ==, "3");
  g_assert_false (kvmrt_vm_get_hide_kvm (vm));
  g_assert_null (kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_RT_MEMORY));
}

static void
test_read_rich (Fixture *f, gconstpointer data)
{
  g_autofree char *input = read_data ("domains/rich.xml");
  g_autoptr(KvmrtVm) vm = kvmrt_vm_new ("6b0c3f0e-8d7a-4f65-a3c2-91e0f1d2c3b4");
  g_autoptr(GError) error = NULL;
  KvmrtTopology topology;

  g_assert_true (kvmrt_domain_xml_read (input, vm, (1u << KVMRT_VM_N_ATTRS) - 1, &error));
  g_assert_cmpstr (kvmrt_vm_get_title (vm), ==, "CAD station");
  g_assert_cmpstr (kvmrt_vm_get_description (vm), ==, "Made in virt-manager");
  g_assert_cmpuint (kvmrt_vm_get_nr_vcpus (vm), ==, 4);
  topology = kvmrt_vm_get_cpu_topology (vm);
  g_assert_cmpuint (topology.sockets * 100 + topology.cores * 10 + topology.threads, ==, 122);
  /* The one vcpupin is what the domain pins. */
  g_assert_cmpstr (kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_CPUSET), ==, "2");
  g_assert_cmpstr (kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_PCIDEVS), ==, "0000:22:00.0");
}

/* Only the fields asked for are touched. */
static void
test_read_selected_attrs (Fixture *f, gconstpointer data)
{
  g_autofree char *input = read_data ("domains/rich.xml");
  g_autoptr(KvmrtVm) vm = kvmrt_vm_new ("6b0c3f0e-8d7a-4f65-a3c2-91e0f1d2c3b4");
  g_autoptr(GError) error = NULL;

  kvmrt_vm_set_text (vm, KVMRT_VM_ATTR_CPUSET, "n0", NULL);
  g_assert_true (kvmrt_domain_xml_read (input, vm, 1u << KVMRT_VM_ATTR_NR_VCPUS, &error));
  g_assert_cmpstr (kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_CPUSET), ==, "n0");
  g_assert_null (kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_NAME));
  g_assert_cmpuint (kvmrt_vm_get_nr_vcpus (vm), ==, 4);
}

static void
test_bad_xml (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtVm) vm = kvmrt_vm_new ("6b0c3f0e-8d7a-4f65-a3c2-91e0f1d2c3b4");

  g_assert_null (kvmrt_domain_xml_sync ("<domain><name>x</name", plan_of (f, "storage-gw"),
                                        NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (kvmrt_domain_xml_read ("not xml at all", vm, ~0u, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/domain-xml/minimal-rt", test_minimal_rt);
  ADD ("/domain-xml/rich-keeps-the-rest", test_rich_keeps_the_rest);
  ADD ("/domain-xml/iothreads", test_iothreads);
  ADD ("/domain-xml/rt-guest", test_rt_guest);
  ADD ("/domain-xml/rt-guest-hugepages-and-non-rt", test_rt_guest_hugepages_and_non_rt);
  ADD ("/domain-xml/removal-only-removes-own", test_removal_only_removes_own);
  ADD ("/domain-xml/read-back", test_read_back);
  ADD ("/domain-xml/read-rich", test_read_rich);
  ADD ("/domain-xml/read-selected-attrs", test_read_selected_attrs);
  ADD ("/domain-xml/bad-xml", test_bad_xml);
  return g_test_run ();
}
