/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The planner, following chapter 3 of the manual ("Understanding the cpuset Configuration
 * Attribute" and "KVM-RT Use of Threaded CPUs"). */
#include "kvmrt-plan.h"

struct _KvmrtPlan {
  KvmrtConfig *config;   /* planned (a reference) */
  KvmrtHost   *host;     /* planned for (a reference) */
  GArray      *vms;      /* KvmrtVmPlan, config order */
  GHashTable  *by_vm;    /* KvmrtVm* -> index + 1 */
};

/* rt: the lowest CPU the cpuset names in each core it touches. Iterating the cpuset in
 * ascending order, the first CPU seen of a core is that core's lowest named one. */
static void
plan_rt_cpus (KvmrtVmPlan *p, KvmrtHost *host)
{
  for (int cpu = kvmrt_id_set_first (p->cpus); cpu >= 0; cpu = kvmrt_id_set_next (p->cpus, cpu))
    {
      const KvmrtIdSet *siblings = kvmrt_host_get_core_siblings (host, cpu);

      if (siblings == NULL)
        {
          /* A CPU without topology (cannot happen for a resolved cpuset): treat as a core. */
          kvmrt_id_set_add (p->usable_cpus, cpu);
          kvmrt_id_set_add (p->owned_cpus, cpu);
          continue;
        }
      if (kvmrt_id_set_intersects (p->owned_cpus, siblings))
        continue;
      kvmrt_id_set_add (p->usable_cpus, cpu);
      kvmrt_id_set_union (p->owned_cpus, siblings);
    }
}

static guint
resolve_nr_vcpus (KvmrtVm *vm, guint n_cpus)
{
  guint configured = kvmrt_vm_get_nr_vcpus (vm);

  if (configured != 0)
    return configured;
  return n_cpus > 1 ? n_cpus - 1 : 1;
}

static void
plan_vm (KvmrtVmPlan *p, KvmrtVm *vm, KvmrtHost *host)
{
  const KvmrtIdSet *numatune = kvmrt_vm_get_numatune (vm);
  KvmrtTopology topology = kvmrt_vm_get_cpu_topology (vm);
  KvmrtTristate rt_memory = kvmrt_vm_get_rt_memory (vm);
  guint n_usable;

  p->vm = vm;
  p->host = g_object_ref (host);
  p->rt = kvmrt_vm_get_rt (vm);
  p->cpus = kvmrt_cpu_set_resolve (kvmrt_vm_get_cpuset (vm), host, &p->cpuset_error);
  if (p->cpus == NULL)
    p->cpus = kvmrt_id_set_new ();

  p->usable_cpus = kvmrt_id_set_new ();
  p->owned_cpus = kvmrt_id_set_new ();
  p->shielded_cpus = kvmrt_id_set_new ();
  p->offline_cpus = kvmrt_id_set_new ();
  p->irq_cpu = -1;

  if (p->rt)
    plan_rt_cpus (p, host);
  else
    {
      kvmrt_id_set_union (p->usable_cpus, p->cpus);
      kvmrt_id_set_union (p->owned_cpus, p->cpus);
    }

  n_usable = kvmrt_id_set_count (p->usable_cpus);
  p->nr_vcpus = resolve_nr_vcpus (vm, n_usable);

  if (topology.sockets == 0)
    p->topology = (KvmrtTopology) { 1, p->nr_vcpus, 1 };
  else
    p->topology = topology;

  p->rt_memory = rt_memory == KVMRT_TRISTATE_AUTO ? p->rt : rt_memory == KVMRT_TRISTATE_ON;

  p->nodes = kvmrt_host_get_nodes_of_cpus (host, p->owned_cpus);
  if (numatune == NULL)
    p->numatune = kvmrt_id_set_is_empty (p->nodes) ? NULL : kvmrt_id_set_copy (p->nodes);
  else if (!kvmrt_id_set_is_empty (numatune))
    p->numatune = kvmrt_id_set_copy (numatune);

  if (p->rt && n_usable > 0)
    {
      /* vCPU i on the i-th usable CPU; the CPUs left over run the emulator and I/O threads.
       * An underprovisioned VM (an error the validator reports) wraps around so that the
       * plan stays well defined. */
      p->vcpu_pins = g_ptr_array_new_full (p->nr_vcpus, (GDestroyNotify) kvmrt_id_set_free);
      for (guint i = 0; i < p->nr_vcpus; i++)
        {
          KvmrtIdSet *pin = kvmrt_id_set_new ();

          kvmrt_id_set_add (pin, kvmrt_id_set_nth (p->usable_cpus, i % n_usable));
          g_ptr_array_add (p->vcpu_pins, pin);
        }
      p->emulator_cpus = kvmrt_id_set_new ();
      for (guint i = p->nr_vcpus; i < n_usable; i++)
        kvmrt_id_set_add (p->emulator_cpus, kvmrt_id_set_nth (p->usable_cpus, i));
      if (kvmrt_id_set_is_empty (p->emulator_cpus))
        kvmrt_id_set_add (p->emulator_cpus, kvmrt_id_set_last (p->usable_cpus));

      kvmrt_id_set_union (p->shielded_cpus, p->usable_cpus);
      kvmrt_id_set_union (p->offline_cpus, p->owned_cpus);
      kvmrt_id_set_subtract (p->offline_cpus, p->usable_cpus);
      p->irq_cpu = kvmrt_id_set_last (p->usable_cpus);
    }
  /* Not rt (or rt without CPUs, an error): the pins come with the effective CPUs, once every
   * real-time VM is planned (plan_effective_cpus). */
  p->rt_priority = kvmrt_vm_get_rt_priority (vm);
  p->effective_cpus = kvmrt_id_set_copy (p->usable_cpus);
}

/* Adds what @p owns to @owned when it is an enabled real-time VM with CPUs (its cores,
 * siblings included). */
static void
add_rt_owned (KvmrtIdSet *owned, const KvmrtVmPlan *p)
{
  if (p->rt && !kvmrt_vm_get_disabled (p->vm) && p->irq_cpu >= 0)
    kvmrt_id_set_union (owned, p->owned_cpus);
}

/* Every CPU an enabled real-time VM owns. */
static KvmrtIdSet *
rt_owned_cpus (GArray *vms)
{
  KvmrtIdSet *owned = kvmrt_id_set_new ();

  for (guint i = 0; i < vms->len; i++)
    add_rt_owned (owned, &g_array_index (vms, KvmrtVmPlan, i));
  return owned;
}

/* The CPUs of a VM that is not real-time: its cpuset, or the host's pool for an empty one,
 * less what real-time VMs own. The validator reports a cpuset that overlaps a real-time VM;
 * such a VM keeps its cpuset rather than being moved somewhere the user did not write. */
static void
plan_effective_cpus (KvmrtVmPlan *p, KvmrtHost *host, const KvmrtIdSet *rt_owned)
{
  g_autoptr(KvmrtIdSet) effective = kvmrt_id_set_copy (kvmrt_id_set_is_empty (p->cpus)
                                                       ? kvmrt_host_get_cpus (host) : p->cpus);
  KvmrtIdSet *pins;

  kvmrt_id_set_subtract (effective, rt_owned);
  if (kvmrt_id_set_is_empty (effective))
    kvmrt_id_set_union (effective, p->cpus);
  kvmrt_id_set_free (p->effective_cpus);
  p->effective_cpus = g_steal_pointer (&effective);

  /* Every vCPU shares the one set (the array does not own it). With nothing to keep away
   * from, an empty cpuset stays unpinned rather than pinned to every CPU. */
  pins = kvmrt_id_set_is_empty (rt_owned) ? p->cpus : p->effective_cpus;
  p->vcpu_pins = g_ptr_array_sized_new (p->nr_vcpus);
  for (guint i = 0; i < p->nr_vcpus; i++)
    g_ptr_array_add (p->vcpu_pins, pins);
  p->emulator_cpus = kvmrt_id_set_copy (pins);
}

static void
clear_vm_plan (KvmrtVmPlan *p)
{
  g_clear_error (&p->cpuset_error);
  g_clear_pointer (&p->numatune, kvmrt_id_set_free);
  g_clear_pointer (&p->cpus, kvmrt_id_set_free);
  g_clear_pointer (&p->usable_cpus, kvmrt_id_set_free);
  g_clear_pointer (&p->owned_cpus, kvmrt_id_set_free);
  g_clear_pointer (&p->nodes, kvmrt_id_set_free);
  g_clear_pointer (&p->vcpu_pins, g_ptr_array_unref);
  g_clear_pointer (&p->emulator_cpus, kvmrt_id_set_free);
  g_clear_pointer (&p->shielded_cpus, kvmrt_id_set_free);
  g_clear_pointer (&p->offline_cpus, kvmrt_id_set_free);
  g_clear_pointer (&p->effective_cpus, kvmrt_id_set_free);
  g_clear_object (&p->host);
}

static KvmrtPlan *
plan_alloc (KvmrtConfig *config, KvmrtHost *host, guint n)
{
  KvmrtPlan *plan = g_new0 (KvmrtPlan, 1);

  plan->config = g_object_ref (config);
  plan->host = g_object_ref (host);
  plan->vms = g_array_sized_new (FALSE, TRUE, sizeof (KvmrtVmPlan), n);
  g_array_set_clear_func (plan->vms, (GDestroyNotify) clear_vm_plan);
  g_array_set_size (plan->vms, n);
  plan->by_vm = g_hash_table_new (NULL, NULL);
  return plan;
}

KvmrtPlan *
kvmrt_plan_new (KvmrtConfig *config, KvmrtHost *host)
{
  guint n = kvmrt_config_get_n_vms (config);
  KvmrtPlan *plan = plan_alloc (config, host, n);
  g_autoptr(KvmrtIdSet) rt_owned = NULL;

  for (guint i = 0; i < n; i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (config, i);

      plan_vm (&g_array_index (plan->vms, KvmrtVmPlan, i), vm, host);
      g_hash_table_insert (plan->by_vm, vm, GUINT_TO_POINTER (i + 1));
    }
  rt_owned = rt_owned_cpus (plan->vms);
  for (guint i = 0; i < n; i++)
    {
      KvmrtVmPlan *p = &g_array_index (plan->vms, KvmrtVmPlan, i);

      if (p->vcpu_pins == NULL)
        plan_effective_cpus (p, host, rt_owned);
    }
  return plan;
}

KvmrtPlan *
kvmrt_plan_new_for_vm (KvmrtConfig *config, KvmrtHost *host, KvmrtVm *vm)
{
  KvmrtPlan *plan = plan_alloc (config, host, 1);
  KvmrtVmPlan *p = &g_array_index (plan->vms, KvmrtVmPlan, 0);
  g_autoptr(KvmrtIdSet) rt_owned = kvmrt_id_set_new ();
  const char *uuid = kvmrt_vm_get_uuid (vm);

  plan_vm (p, vm, host);
  g_hash_table_insert (plan->by_vm, vm, GUINT_TO_POINTER (1));
  add_rt_owned (rt_owned, p);
  if (p->vcpu_pins != NULL)
    return plan;   /* a real-time VM's plan does not depend on the others */

  /* Only the other VMs' real-time cores matter to this one; the VM @vm stands for (same
   * UUID) is left out. */
  for (guint i = 0; i < kvmrt_config_get_n_vms (config); i++)
    {
      KvmrtVm *other = kvmrt_config_get_vm (config, i);
      KvmrtVmPlan other_plan = { 0 };

      if (other == vm || g_ascii_strcasecmp (kvmrt_vm_get_uuid (other), uuid) == 0
          || !kvmrt_vm_get_rt (other) || kvmrt_vm_get_disabled (other))
        continue;
      plan_vm (&other_plan, other, host);
      add_rt_owned (rt_owned, &other_plan);
      clear_vm_plan (&other_plan);
    }
  plan_effective_cpus (p, host, rt_owned);
  return plan;
}

void
kvmrt_plan_free (KvmrtPlan *plan)
{
  if (plan == NULL)
    return;
  g_array_unref (plan->vms);
  g_hash_table_unref (plan->by_vm);
  g_object_unref (plan->config);
  g_object_unref (plan->host);
  g_free (plan);
}

KvmrtConfig *
kvmrt_plan_get_config (KvmrtPlan *plan)
{
  return plan->config;
}

KvmrtHost *
kvmrt_plan_get_host (KvmrtPlan *plan)
{
  return plan->host;
}

guint
kvmrt_plan_get_n_vms (KvmrtPlan *plan)
{
  return plan->vms->len;
}

const KvmrtVmPlan *
kvmrt_plan_get_vm (KvmrtPlan *plan, guint index)
{
  g_return_val_if_fail (index < plan->vms->len, NULL);
  return &g_array_index (plan->vms, KvmrtVmPlan, index);
}

const KvmrtVmPlan *
kvmrt_plan_lookup (KvmrtPlan *plan, KvmrtVm *vm)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (plan->by_vm, vm));

  return index == 0 ? NULL : kvmrt_plan_get_vm (plan, index - 1);
}
