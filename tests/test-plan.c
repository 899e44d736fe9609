/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The planner against the demo host (core N = CPUs N and N+32; node k = cores 8k..8k+7) and a
 * host without SMT. */
#include "kvmrt-test-hosts.h"

#define UUID "fde74e84-0e1b-404e-90e7-72101e79c48a"

typedef struct {
  KvmrtConfig *config;
  KvmrtPlan   *plan;
} Fixture;

static const KvmrtVmPlan *
plan_one (Fixture *f, const char *host, const char *attributes)
{
  g_autofree char *text = g_strdup_printf ("[" UUID "]\nname = vm\n%s\n", attributes);

  f->config = test_config (text);
  f->plan = kvmrt_plan_new (f->config, test_load_host (host));
  return kvmrt_plan_get_vm (f->plan, 0);
}

static void
fixture_clear (Fixture *f)
{
  g_clear_pointer (&f->plan, kvmrt_plan_free);
  g_clear_object (&f->config);
}

static void
assert_set (const KvmrtIdSet *set, const char *expected)
{
  g_autofree char *text = NULL;

  if (expected == NULL)
    {
      g_assert_null (set);
      return;
    }
  g_assert_nonnull (set);
  text = kvmrt_id_set_to_string (set);
  g_assert_cmpstr (text, ==, expected);
}

static void
assert_pins (const KvmrtVmPlan *p, const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  g_assert_cmpuint (p->vcpu_pins->len, ==, n);
  for (guint i = 0; i < n; i++)
    assert_set (p->vcpu_pins->pdata[i], expected[i]);
}

static void
test_rt_whole_node (void)
{
  Fixture f = { 0 };
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf", "rt = true\ncpuset = n1\nnr_vcpus = auto");

  g_assert_null (p->cpuset_error);
  assert_set (p->cpus, "8-15,40-47");
  assert_set (p->usable_cpus, "8-15");
  assert_set (p->owned_cpus, "8-15,40-47");
  assert_set (p->offline_cpus, "40-47");
  assert_set (p->shielded_cpus, "8-15");
  g_assert_cmpuint (p->nr_vcpus, ==, 7);
  g_assert_cmpuint (p->topology.sockets, ==, 1);
  g_assert_cmpuint (p->topology.cores, ==, 7);
  g_assert_cmpuint (p->topology.threads, ==, 1);
  assert_pins (p, (const char *[]) { "8", "9", "10", "11", "12", "13", "14", NULL });
  assert_set (p->emulator_cpus, "15");
  g_assert_cmpint (p->irq_cpu, ==, 15);
  g_assert_true (p->rt_memory);
  assert_set (p->numatune, "1");
  fixture_clear (&f);
}

static void
test_rt_second_threads (void)
{
  Fixture f = { 0 };
  /* Only the second hyperthreads named: those are used, the first ones go offline. */
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf", "rt = yes\ncpuset = 40-43\nnr_vcpus = auto");

  assert_set (p->usable_cpus, "40-43");
  assert_set (p->owned_cpus, "8-11,40-43");
  assert_set (p->offline_cpus, "8-11");
  g_assert_cmpuint (p->nr_vcpus, ==, 3);
  assert_pins (p, (const char *[]) { "40", "41", "42", NULL });
  assert_set (p->emulator_cpus, "43");
  g_assert_cmpint (p->irq_cpu, ==, 43);
  fixture_clear (&f);
}

static void
test_rt_both_siblings (void)
{
  Fixture f = { 0 };
  /* 8 and 40 share a core: the lower is used. 9's sibling 41 is owned though not named. */
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf", "rt = on\ncpuset = 40,8,9,10\nnr_vcpus = 2");

  assert_set (p->usable_cpus, "8-10");
  assert_set (p->owned_cpus, "8-10,40-42");
  assert_set (p->offline_cpus, "40-42");
  assert_pins (p, (const char *[]) { "8", "9", NULL });
  assert_set (p->emulator_cpus, "10");
  fixture_clear (&f);
}

static void
test_rt_core_items (void)
{
  Fixture f = { 0 };
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf",
                                   "rt = true\ncpuset = c3,c5-6\nnumatune = 0\nnr_vcpus = AUTO");

  assert_set (p->cpus, "3,5-6,35,37-38");
  assert_set (p->usable_cpus, "3,5-6");
  assert_set (p->numatune, "0");
  g_assert_cmpuint (p->nr_vcpus, ==, 2);
  fixture_clear (&f);
}

static void
test_rt_underprovisioned_wraps (void)
{
  Fixture f = { 0 };
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf", "rt = true\ncpuset = c8\nnr_vcpus = 2");

  assert_set (p->usable_cpus, "8");
  assert_pins (p, (const char *[]) { "8", "8", NULL });
  assert_set (p->emulator_cpus, "8");
  fixture_clear (&f);
}

static void
test_nonrt_pinned (void)
{
  Fixture f = { 0 };
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf", "cpuset = 0-3\nnr_vcpus = auto");

  g_assert_false (p->rt);
  g_assert_cmpuint (p->nr_vcpus, ==, 3);
  assert_pins (p, (const char *[]) { "0-3", "0-3", "0-3", NULL });
  assert_set (p->emulator_cpus, "0-3");
  assert_set (p->shielded_cpus, "");
  assert_set (p->offline_cpus, "");
  g_assert_cmpint (p->irq_cpu, ==, -1);
  g_assert_false (p->rt_memory);
  assert_set (p->numatune, "0");
  fixture_clear (&f);
}

static void
test_nonrt_unpinned (void)
{
  Fixture f = { 0 };
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf", "nr_vcpus = auto\ncpuset =");

  g_assert_cmpuint (p->nr_vcpus, ==, 1);
  /* No real-time VM: the pool is the whole host, and nothing needs pinning. */
  assert_set (p->effective_cpus, "0-63");
  assert_pins (p, (const char *[]) { "", NULL });
  assert_set (p->emulator_cpus, "");
  assert_set (p->numatune, NULL);
  fixture_clear (&f);
}

/* A plan of several VMs (sections "[UUID]\n..." each). */
static KvmrtPlan *
plan_many (Fixture *f, const char *host, const char *text)
{
  f->config = test_config (text);
  f->plan = kvmrt_plan_new (f->config, test_load_host (host));
  return f->plan;
}

#define VM_A "[0a5d2b6e-7d33-4a4c-9a11-000000000001]\nname = a\n"
#define VM_B "[0a5d2b6e-7d33-4a4c-9a11-000000000002]\nname = b\n"
#define VM_C "[0a5d2b6e-7d33-4a4c-9a11-000000000003]\nname = c\n"
#define VM_D "[0a5d2b6e-7d33-4a4c-9a11-000000000004]\nname = d\n"

static void
test_effective_unpinned_beside_rt (void)
{
  Fixture f = { 0 };
  KvmrtPlan *plan = plan_many (&f, "m12swa-tf",
                               VM_A "rt = true\ncpuset = n1\n"
                               VM_B "cpuset =\nnr_vcpus = 2\n");
  const KvmrtVmPlan *rt = kvmrt_plan_get_vm (plan, 0);
  const KvmrtVmPlan *p = kvmrt_plan_get_vm (plan, 1);

  /* The real-time VM's threads stay on its usable CPUs. */
  assert_set (rt->effective_cpus, "8-15");
  /* Everything but node 1's cores, the offline siblings 40-47 included. */
  assert_set (p->effective_cpus, "0-7,16-39,48-63");
  assert_pins (p, (const char *[]) { "0-7,16-39,48-63", "0-7,16-39,48-63", NULL });
  assert_set (p->emulator_cpus, "0-7,16-39,48-63");
  /* The cpuset itself stays empty: an unpinned VM claims no node. */
  assert_set (p->cpus, "");
  assert_set (p->numatune, NULL);
  fixture_clear (&f);
}

static void
test_effective_cpuset_over_rt_siblings (void)
{
  Fixture f = { 0 };
  /* b's cpuset names CPUs 40-41, siblings of a's real-time cores 8-9 (a validator error):
   * they are not b's to use; the rest of its cpuset is. */
  KvmrtPlan *plan = plan_many (&f, "m12swa-tf",
                               VM_A "rt = true\ncpuset = 8-9\nnr_vcpus = 1\n"
                               VM_B "cpuset = 0-3,40-41\nnr_vcpus = 2\n"
                               VM_C "cpuset = 40-41\n");
  const KvmrtVmPlan *b = kvmrt_plan_get_vm (plan, 1);
  const KvmrtVmPlan *c = kvmrt_plan_get_vm (plan, 2);

  assert_set (b->cpus, "0-3,40-41");
  assert_set (b->effective_cpus, "0-3");
  assert_pins (b, (const char *[]) { "0-3", "0-3", NULL });
  assert_set (b->emulator_cpus, "0-3");
  /* Nothing left: it keeps what was written (the validator's error says why). */
  assert_set (c->effective_cpus, "40-41");
  fixture_clear (&f);
}

static void
test_effective_two_rt_vms (void)
{
  Fixture f = { 0 };
  /* Two real-time VMs and a disabled one: only the enabled ones take CPUs from the pool. */
  KvmrtPlan *plan = plan_many (&f, "m12swa-tf",
                               VM_A "rt = true\ncpuset = n1\n"
                               VM_B "rt = true\ncpuset = c16-17\nnr_vcpus = 1\n"
                               VM_C "rt = true\ncpuset = n3\ndisabled = true\n"
                               VM_D "\n");
  const KvmrtVmPlan *d = kvmrt_plan_get_vm (plan, 3);

  assert_set (kvmrt_plan_get_vm (plan, 1)->effective_cpus, "16-17");
  assert_set (d->effective_cpus, "0-7,18-39,50-63");
  fixture_clear (&f);
}

static void
test_effective_rt_takes_all (void)
{
  Fixture f = { 0 };
  /* Real-time VMs own every CPU (rt-consumes-all-cpus): an unpinned VM has nowhere left and
   * stays unpinned. */
  KvmrtPlan *plan = plan_many (&f, "small-nosmt",
                               VM_A "rt = true\ncpuset = 0-3\n"
                               VM_B "\n");

  assert_set (kvmrt_plan_get_vm (plan, 1)->effective_cpus, "");
  assert_pins (kvmrt_plan_get_vm (plan, 1), (const char *[]) { "", NULL });
  fixture_clear (&f);
}

static void
test_rt_priority (void)
{
  Fixture f = { 0 };
  KvmrtPlan *plan = plan_many (&f, "m12swa-tf",
                               "[DEFAULT]\nrt_priority = 7\n"
                               VM_A "rt = true\ncpuset = 8-9\nrt_priority = 42\n"
                               VM_B "rt = true\ncpuset = 10-11\n"
                               VM_C "rt = true\ncpuset = 12-13\nrt_priority = 100\n");

  g_assert_cmpuint (kvmrt_plan_get_vm (plan, 0)->rt_priority, ==, 42);
  g_assert_cmpuint (kvmrt_plan_get_vm (plan, 1)->rt_priority, ==, 7);
  /* Out of range: the default (the validator reports value-invalid). */
  g_assert_cmpuint (kvmrt_plan_get_vm (plan, 2)->rt_priority, ==, 1);
  fixture_clear (&f);
}

static void
test_defaults (void)
{
  Fixture f = { 0 };
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf", "");

  /* The manual's defaults: 1 vCPU, not rt, memory not locked, no pinning. */
  g_assert_cmpuint (p->nr_vcpus, ==, 1);
  g_assert_cmpuint (p->topology.cores, ==, 1);
  g_assert_false (p->rt);
  g_assert_false (p->rt_memory);
  assert_set (p->numatune, NULL);
  fixture_clear (&f);
}

static void
test_explicit_values (void)
{
  Fixture f = { 0 };
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf",
                                   "cpuset = n2\nnr_vcpus = 4\ncpu_topology = 2, 2, 1\n"
                                   "numatune =\nrt_memory = true");

  g_assert_cmpuint (p->nr_vcpus, ==, 4);
  g_assert_cmpuint (p->topology.sockets, ==, 2);
  g_assert_cmpuint (p->topology.cores, ==, 2);
  /* An empty numatune means memory from any node. */
  assert_set (p->numatune, NULL);
  g_assert_true (p->rt_memory);
  fixture_clear (&f);
}

static void
test_inverted_cpuset (void)
{
  Fixture f = { 0 };
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf", "cpuset = ~n0,n1");

  assert_set (p->cpus, "16-31,48-63");
  assert_set (p->numatune, "2-3");
  fixture_clear (&f);
}

static void
test_unknown_cpu (void)
{
  Fixture f = { 0 };
  const KvmrtVmPlan *p = plan_one (&f, "m12swa-tf", "rt = true\ncpuset = 60-70");

  g_assert_error (p->cpuset_error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_UNKNOWN_ID);
  assert_set (p->cpus, "");
  /* A real-time VM without CPUs (an error) runs like an unpinned one. */
  assert_set (p->effective_cpus, "0-63");
  assert_pins (p, (const char *[]) { "", NULL });
  fixture_clear (&f);
}

static void
test_no_smt_host (void)
{
  Fixture f = { 0 };
  const KvmrtVmPlan *p = plan_one (&f, "small-nosmt", "rt = true\ncpuset = 1-3\nnr_vcpus = auto");

  assert_set (p->usable_cpus, "1-3");
  assert_set (p->offline_cpus, "");
  assert_pins (p, (const char *[]) { "1", "2", NULL });
  assert_set (p->emulator_cpus, "3");
  g_assert_cmpint (p->irq_cpu, ==, 3);
  fixture_clear (&f);
}

static void
test_plan_order_and_lookup (void)
{
  g_autoptr(KvmrtConfig) config =
    test_config ("[" UUID "]\nname = a\n[aeec46cc-0638-4949-ac04-146b233194a9]\nname = b\n");
  g_autoptr(KvmrtPlan) plan = kvmrt_plan_new (config, test_load_host ("m12swa-tf"));
  KvmrtVm *b = kvmrt_config_get_vm (config, 1);

  g_assert_cmpuint (kvmrt_plan_get_n_vms (plan), ==, 2);
  g_assert_true (kvmrt_plan_get_vm (plan, 1)->vm == b);
  g_assert_true (kvmrt_plan_lookup (plan, b) == kvmrt_plan_get_vm (plan, 1));
}

/* Two plans of one VM agree on everything a plan says. */
static void
assert_same_set (const KvmrtIdSet *a, const KvmrtIdSet *b)
{
  g_autofree char *ta = a != NULL ? kvmrt_id_set_to_string (a) : g_strdup ("(null)");
  g_autofree char *tb = b != NULL ? kvmrt_id_set_to_string (b) : g_strdup ("(null)");

  g_assert_cmpstr (ta, ==, tb);
}

static void
assert_same_vm_plan (const KvmrtVmPlan *a, const KvmrtVmPlan *b)
{
  g_assert_cmpstr (kvmrt_vm_get_uuid (a->vm), ==, kvmrt_vm_get_uuid (b->vm));
  g_assert_cmpint (a->cpuset_error == NULL, ==, b->cpuset_error == NULL);
  g_assert_cmpuint (a->nr_vcpus, ==, b->nr_vcpus);
  g_assert_cmpuint (a->topology.sockets, ==, b->topology.sockets);
  g_assert_cmpuint (a->topology.cores, ==, b->topology.cores);
  g_assert_cmpuint (a->topology.threads, ==, b->topology.threads);
  g_assert_cmpint (a->rt, ==, b->rt);
  g_assert_cmpint (a->rt_memory, ==, b->rt_memory);
  assert_same_set (a->numatune, b->numatune);
  assert_same_set (a->cpus, b->cpus);
  assert_same_set (a->usable_cpus, b->usable_cpus);
  assert_same_set (a->owned_cpus, b->owned_cpus);
  assert_same_set (a->nodes, b->nodes);
  assert_same_set (a->effective_cpus, b->effective_cpus);
  g_assert_cmpuint (a->vcpu_pins->len, ==, b->vcpu_pins->len);
  for (guint i = 0; i < a->vcpu_pins->len; i++)
    assert_same_set (a->vcpu_pins->pdata[i], b->vcpu_pins->pdata[i]);
  assert_same_set (a->emulator_cpus, b->emulator_cpus);
  assert_same_set (a->shielded_cpus, b->shielded_cpus);
  assert_same_set (a->offline_cpus, b->offline_cpus);
  g_assert_cmpint (a->irq_cpu, ==, b->irq_cpu);
  g_assert_cmpuint (a->rt_priority, ==, b->rt_priority);
  g_assert_true (a->host == b->host);
}

/* kvmrt_plan_new_for_vm(): each VM of the demo and test configurations, on every fixture
 * host, planned alone as it is planned with its configuration; and an edited copy of a VM
 * (in no configuration) as the configuration with that edit would plan it. */
static void
test_plan_for_vm (void)
{
  /* Edits that move a VM in and out of real-time and between CPUs. */
  static const struct { KvmrtVmAttr attr; const char *text; } edits[] = {
    { KVMRT_VM_ATTR_CPUSET, "" }, { KVMRT_VM_ATTR_CPUSET, "0-3" },
    { KVMRT_VM_ATTR_RT, "yes" }, { KVMRT_VM_ATTR_RT, "no" },
    { KVMRT_VM_ATTR_DISABLED, "yes" }, { KVMRT_VM_ATTR_NR_VCPUS, "auto" },
  };
  guint planned = 0;

  for (const char * const *name = test_config_paths (); *name != NULL; name++)
    for (const char * const *host_name = test_host_names (); *host_name != NULL; host_name++)
      {
        g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", *name, NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(KvmrtConfig) config = kvmrt_config_load (path, &error);
        KvmrtHost *host = test_load_host (*host_name);
        g_autoptr(KvmrtPlan) whole = NULL;

        g_assert_no_error (error);
        whole = kvmrt_plan_new (config, host);
        for (guint i = 0; i < kvmrt_config_get_n_vms (config); i++)
          {
            KvmrtVm *vm = kvmrt_config_get_vm (config, i);
            g_autoptr(KvmrtPlan) alone = kvmrt_plan_new_for_vm (config, host, vm);

            g_assert_cmpuint (kvmrt_plan_get_n_vms (alone), ==, 1);
            g_assert_true (kvmrt_plan_lookup (alone, vm) == kvmrt_plan_get_vm (alone, 0));
            assert_same_vm_plan (kvmrt_plan_get_vm (alone, 0), kvmrt_plan_lookup (whole, vm));
            planned++;

            for (gsize e = 0; e < G_N_ELEMENTS (edits); e++)
              {
                g_autoptr(KvmrtVm) edited = kvmrt_vm_copy (vm);
                g_autoptr(KvmrtConfig) edited_config = kvmrt_config_copy (config);
                KvmrtVm *in_config = kvmrt_config_get_vm (edited_config, i);
                g_autoptr(KvmrtPlan) edited_alone = NULL;
                g_autoptr(KvmrtPlan) edited_whole = NULL;

                kvmrt_vm_set_text (edited, edits[e].attr, edits[e].text, NULL);
                kvmrt_vm_set_text (in_config, edits[e].attr, edits[e].text, NULL);
                /* Planned against the unedited configuration, where it takes its VM's place. */
                edited_alone = kvmrt_plan_new_for_vm (config, host, edited);
                edited_whole = kvmrt_plan_new (edited_config, host);
                assert_same_vm_plan (kvmrt_plan_get_vm (edited_alone, 0),
                                     kvmrt_plan_lookup (edited_whole, in_config));
                planned++;
              }
          }
      }
  g_assert_cmpuint (planned, >, 100);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plan/rt/whole-node", test_rt_whole_node);
  g_test_add_func ("/plan/rt/second-threads", test_rt_second_threads);
  g_test_add_func ("/plan/rt/both-siblings", test_rt_both_siblings);
  g_test_add_func ("/plan/rt/core-items", test_rt_core_items);
  g_test_add_func ("/plan/rt/underprovisioned-wraps", test_rt_underprovisioned_wraps);
  g_test_add_func ("/plan/rt/no-smt-host", test_no_smt_host);
  g_test_add_func ("/plan/nonrt/pinned", test_nonrt_pinned);
  g_test_add_func ("/plan/nonrt/unpinned", test_nonrt_unpinned);
  g_test_add_func ("/plan/effective/unpinned-beside-rt", test_effective_unpinned_beside_rt);
  g_test_add_func ("/plan/effective/cpuset-over-rt-siblings",
                   test_effective_cpuset_over_rt_siblings);
  g_test_add_func ("/plan/effective/two-rt-vms", test_effective_two_rt_vms);
  g_test_add_func ("/plan/effective/rt-takes-all", test_effective_rt_takes_all);
  g_test_add_func ("/plan/rt-priority", test_rt_priority);
  g_test_add_func ("/plan/defaults", test_defaults);
  g_test_add_func ("/plan/explicit-values", test_explicit_values);
  g_test_add_func ("/plan/inverted-cpuset", test_inverted_cpuset);
  g_test_add_func ("/plan/unknown-cpu", test_unknown_cpu);
  g_test_add_func ("/plan/order-and-lookup", test_plan_order_and_lookup);
  g_test_add_func ("/plan/for-vm", test_plan_for_vm);
  return g_test_run ();
}
