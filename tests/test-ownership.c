/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who owns each CPU and device (core/virt/kvmrt-ownership.c), on the demo host with the demo
 * configuration: each rule of the header on its own, and the invariants every result keeps
 * (one owner per CPU, shielded exactly where the journal says, a shielded CPU online and a
 * real-time VM's). */
#include "kvmrt-test-hosts.h"

#include <glib/gstdio.h>
#include <string.h>

#include "kvmrt-journal.h"
#include "kvmrt-ownership.h"

#define VISION  "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca"   /* rt, cpuset 16-23 */
#define WIN10   "ea319190-1f1e-43d7-824c-071a270cec3c"   /* not rt, 0-5,32-37 */

typedef struct {
  KvmrtHost    *host;
  KvmrtConfig  *config;
  KvmrtPlan    *plan;
  KvmrtJournal *journal;
  char         *dir;
  GHashTable   *running;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "demo",
                                                 "kvmrt.cfg", NULL);
  g_autoptr(GError) error = NULL;

  f->host = test_load_host ("m12swa-tf");
  f->config = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  f->plan = kvmrt_plan_new (f->config, f->host);
  f->dir = g_dir_make_tmp ("kvmrt-test-ownership-XXXXXX", &error);
  g_assert_no_error (error);
  f->journal = kvmrt_journal_load (f->dir, &error);
  g_assert_no_error (error);
  f->running = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_hash_table_unref (f->running);
  kvmrt_journal_free (f->journal);
  kvmrt_plan_free (f->plan);
  g_object_unref (f->config);
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* The tuner's record for the vision VM: 16-23 shielded, their siblings 48-55 offline. */
static void
tune_vision (Fixture *f)
{
  KvmrtTunedVm *vm = kvmrt_tuned_vm_new (VISION, "rh84-vision-rt");

  kvmrt_id_set_add_range (vm->shielded, 16, 23);
  kvmrt_id_set_add_range (vm->offline, 48, 55);
  vm->irq_cpu = 23;
  kvmrt_journal_put_vm (f->journal, vm);
}

static KvmrtIdSet *
online_without (Fixture *f, guint first, guint last)
{
  KvmrtIdSet *online = kvmrt_id_set_copy (kvmrt_host_get_online_cpus (f->host));

  for (guint cpu = first; cpu <= last; cpu++)
    kvmrt_id_set_remove (online, cpu);
  return online;
}

/* What holds for every result, whatever the inputs. */
static void
assert_invariants (Fixture *f, KvmrtOwnership *o, const KvmrtIdSet *online)
{
  const KvmrtIdSet *cpus = kvmrt_host_get_cpus (f->host);
  g_autoptr(KvmrtIdSet) shielded = kvmrt_id_set_new ();

  for (guint i = 0; i < f->journal->vms->len; i++)
    kvmrt_id_set_union (shielded, ((KvmrtTunedVm *) f->journal->vms->pdata[i])->shielded);
  g_assert_true (kvmrt_id_set_equal (kvmrt_ownership_get_shielded (o), shielded));
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      const KvmrtCpuOwner *owner = kvmrt_ownership_get_cpu (o, cpu);

      g_assert_nonnull (owner);
      g_assert_cmpint (owner->online, ==, kvmrt_id_set_contains (online, cpu));
      g_assert_cmpint (owner->shielded, ==, kvmrt_id_set_contains (shielded, cpu));
      if (owner->shielded)
        g_assert_cmpint (owner->kind, ==, KVMRT_OWNER_RT_VM);
      if (!owner->online)
        g_assert_cmpint (owner->kind, ==, KVMRT_OWNER_OFFLINE);
      if (owner->kind == KVMRT_OWNER_HOST)
        g_assert_null (owner->vm);
      if (owner->kind == KVMRT_OWNER_RT_VM || owner->kind == KVMRT_OWNER_VM)
        g_assert_nonnull (owner->vm_name);
    }
  g_assert_null (kvmrt_ownership_get_cpu (o, 64));
}

static void
test_nothing_runs (Fixture *f, gconstpointer data)
{
  g_autoptr(KvmrtOwnership) o = kvmrt_ownership_new (f->host, f->plan, NULL, NULL, NULL);
  KvmrtPciAddress address;

  for (guint cpu = 0; cpu < 64; cpu++)
    g_assert_cmpint (kvmrt_ownership_get_cpu (o, cpu)->kind, ==, KVMRT_OWNER_HOST);
  g_assert_true (kvmrt_pci_address_parse ("0000:21:00.1", &address, NULL));
  g_assert_cmpint (kvmrt_ownership_get_device (o, address)->kind, ==, KVMRT_OWNER_HOST);
  assert_invariants (f, o, kvmrt_host_get_online_cpus (f->host));
}

static void
test_tuned_rt_vm_and_shared_vm (Fixture *f, gconstpointer data)
{
  g_autoptr(KvmrtIdSet) online = online_without (f, 48, 55);
  g_autoptr(KvmrtOwnership) o = NULL;
  KvmrtPciAddress address;

  tune_vision (f);
  g_hash_table_add (f->running, VISION);
  g_hash_table_add (f->running, WIN10);
  o = kvmrt_ownership_new (f->host, f->plan, f->journal, online, f->running);

  for (guint cpu = 16; cpu <= 23; cpu++)
    {
      const KvmrtCpuOwner *owner = kvmrt_ownership_get_cpu (o, cpu);

      g_assert_cmpint (owner->kind, ==, KVMRT_OWNER_RT_VM);
      g_assert_true (owner->shielded);
      g_assert_cmpstr (owner->vm_name, ==, "rh84-vision-rt");
    }
  /* vCPU n is pinned to CPU 16 + n. */
  g_assert_cmpint (kvmrt_ownership_get_cpu (o, 16)->vcpu, ==, 0);
  g_assert_cmpint (kvmrt_ownership_get_cpu (o, 19)->vcpu, ==, 3);
  for (guint cpu = 48; cpu <= 55; cpu++)
    {
      g_assert_cmpint (kvmrt_ownership_get_cpu (o, cpu)->kind, ==, KVMRT_OWNER_OFFLINE);
      g_assert_cmpstr (kvmrt_ownership_get_cpu (o, cpu)->vm_name, ==, "rh84-vision-rt");
    }
  /* The Windows VM shares 0-5 and 32-37 with the host. */
  g_assert_cmpint (kvmrt_ownership_get_cpu (o, 0)->kind, ==, KVMRT_OWNER_VM);
  g_assert_cmpint (kvmrt_ownership_get_cpu (o, 37)->kind, ==, KVMRT_OWNER_VM);
  g_assert_cmpint (kvmrt_ownership_get_cpu (o, 6)->kind, ==, KVMRT_OWNER_HOST);
  g_assert_true (kvmrt_pci_address_parse ("0000:22:00.0", &address, NULL));
  g_assert_cmpint (kvmrt_ownership_get_device (o, address)->kind, ==, KVMRT_OWNER_RT_VM);
  /* The first X550 port stays with the host; the build server's VF too while it is off. */
  g_assert_true (kvmrt_pci_address_parse ("0000:21:00.0", &address, NULL));
  g_assert_cmpint (kvmrt_ownership_get_device (o, address)->kind, ==, KVMRT_OWNER_HOST);
  g_assert_true (kvmrt_pci_address_parse ("0000:21:10.0", &address, NULL));
  g_assert_cmpint (kvmrt_ownership_get_device (o, address)->kind, ==, KVMRT_OWNER_HOST);
  assert_invariants (f, o, online);
}

static void
test_sibling_back_online (Fixture *f, gconstpointer data)
{
  g_autoptr(KvmrtIdSet) online = online_without (f, 49, 55);
  g_autoptr(KvmrtOwnership) o = NULL;
  const KvmrtCpuOwner *owner;

  tune_vision (f);
  g_hash_table_add (f->running, VISION);
  o = kvmrt_ownership_new (f->host, f->plan, f->journal, online, f->running);
  owner = kvmrt_ownership_get_cpu (o, 48);
  /* Still the VM's (the tuner took it for the VM), but nothing keeps it free. */
  g_assert_cmpint (owner->kind, ==, KVMRT_OWNER_RT_VM);
  g_assert_false (owner->shielded);
  g_assert_true (owner->online);
  assert_invariants (f, o, online);
}

static void
test_running_rt_vm_not_tuned (Fixture *f, gconstpointer data)
{
  g_autoptr(KvmrtOwnership) o = NULL;

  g_hash_table_add (f->running, VISION);
  o = kvmrt_ownership_new (f->host, f->plan, f->journal, NULL, f->running);
  g_assert_cmpint (kvmrt_ownership_get_cpu (o, 16)->kind, ==, KVMRT_OWNER_RT_VM);
  g_assert_false (kvmrt_ownership_get_cpu (o, 16)->shielded);
  /* Its siblings are not taken without the tuner. */
  g_assert_cmpint (kvmrt_ownership_get_cpu (o, 48)->kind, ==, KVMRT_OWNER_HOST);
  assert_invariants (f, o, kvmrt_host_get_online_cpus (f->host));
}

static void
test_journal_vm_not_configured (Fixture *f, gconstpointer data)
{
  g_autoptr(KvmrtIdSet) online = online_without (f, 56, 59);
  KvmrtTunedVm *vm = kvmrt_tuned_vm_new ("00000000-0000-4000-8000-000000000001", "gone-rt");
  g_autoptr(KvmrtOwnership) o = NULL;

  kvmrt_id_set_add_range (vm->shielded, 24, 27);
  kvmrt_id_set_add_range (vm->offline, 56, 59);
  kvmrt_journal_put_vm (f->journal, vm);
  o = kvmrt_ownership_new (f->host, f->plan, f->journal, online, NULL);
  g_assert_cmpint (kvmrt_ownership_get_cpu (o, 24)->kind, ==, KVMRT_OWNER_RT_VM);
  g_assert_null (kvmrt_ownership_get_cpu (o, 24)->vm);
  g_assert_cmpstr (kvmrt_ownership_get_cpu (o, 24)->vm_name, ==, "gone-rt");
  assert_invariants (f, o, online);
}

/* A journal written with an upper-case UUID (as kvmrt wrote a VM's UUID as the file had it,
 * before keeping UUIDs lower-case) is read lower-case: its VM is the configured one. */
static void
test_journal_uuid_case (Fixture *f, gconstpointer data)
{
  static const char text[] =
    "{\"version\": 1, \"vms\": [{\"uuid\": \"85055E0B-9CC9-4FC5-8B3C-6EB6E3DAAECA\", "
    "\"name\": \"rh84-vision-rt\", \"shielded\": [16, 17, 18, 19, 20, 21, 22, 23], "
    "\"offline\": [48, 49, 50, 51, 52, 53, 54, 55], \"irq_cpu\": 23}], "
    "\"originals\": [], \"threads\": []}\n";
  g_autofree char *run = g_build_filename (f->dir, "run", "kvmrt", NULL);
  g_autofree char *path = g_build_filename (f->dir, KVMRT_JOURNAL_PATH, NULL);
  g_autoptr(KvmrtIdSet) online = online_without (f, 48, 55);
  g_autoptr(KvmrtOwnership) o = NULL;
  g_autoptr(GError) error = NULL;
  KvmrtJournal *journal;

  /* The fixture's journal was read from an empty tree; this one replaces it. */
  g_assert_cmpint (g_mkdir_with_parents (run, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  journal = kvmrt_journal_load (f->dir, &error);
  g_assert_no_error (error);
  kvmrt_journal_free (f->journal);
  f->journal = journal;
  g_assert_cmpuint (journal->vms->len, ==, 1);
  g_assert_cmpstr (((KvmrtTunedVm *) journal->vms->pdata[0])->uuid, ==, VISION);
  g_assert_nonnull (kvmrt_journal_lookup_vm (journal, VISION));
  o = kvmrt_ownership_new (f->host, f->plan, journal, online, NULL);
  g_assert_true (kvmrt_ownership_get_cpu (o, 16)->vm == kvmrt_config_lookup_uuid (f->config,
                                                                                   VISION));
  g_assert_true (kvmrt_ownership_get_cpu (o, 16)->shielded);
  assert_invariants (f, o, online);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (run), ==, 0);
  run[strlen (run) - strlen ("/kvmrt")] = '\0';
  g_assert_cmpint (g_rmdir (run), ==, 0);
}

static void
test_vm_irqs (Fixture *f, gconstpointer data)
{
  g_autoptr(KvmrtIdSet) online = online_without (f, 48, 55);
  g_autoptr(KvmrtOwnership) o = NULL;
  KvmrtIrq own = { .name = "301", .number = 301,
                   .actions = "vfio-msix[0](0000:21:00.1)" };
  KvmrtIrq other = { .name = "302", .number = 302, .actions = "nvme0q3" };

  tune_vision (f);
  g_hash_table_add (f->running, VISION);
  o = kvmrt_ownership_new (f->host, f->plan, f->journal, online, f->running);
  g_assert_true (kvmrt_ownership_irq_is_owners (o, &own, 16));
  g_assert_false (kvmrt_ownership_irq_is_owners (o, &other, 16));
  /* On a host CPU nothing is a VM's own. */
  g_assert_false (kvmrt_ownership_irq_is_owners (o, &own, 6));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ownership/nothing-runs", test_nothing_runs);
  ADD ("/ownership/tuned-rt-vm-and-shared-vm", test_tuned_rt_vm_and_shared_vm);
  ADD ("/ownership/sibling-back-online", test_sibling_back_online);
  ADD ("/ownership/running-rt-vm-not-tuned", test_running_rt_vm_not_tuned);
  ADD ("/ownership/journal-vm-not-configured", test_journal_vm_not_configured);
  ADD ("/ownership/journal-uuid-case", test_journal_uuid_case);
  ADD ("/ownership/vm-irqs", test_vm_irqs);
#undef ADD
  return g_test_run ();
}
