/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Validator rules that compare VMs with each other and with the host: shared CPUs and nodes,
 * CPUs left to the host, memory placed on real-time nodes, devices near real-time VMs. */
#include "kvmrt-validator-private.h"

/* Which judged VMs (indices into v->active) use each CPU and each NUMA node, and a stamp per
 * VM to list each one once per question, so cross-VM rules cost O(CPUs x users), not
 * O(VMs^2). Unpinned VMs use no CPU in particular (they run where rt VMs are not). */
typedef struct {
  guint    n_cpus;
  guint    n_nodes;
  GArray **cpu_users;
  GArray **node_users;
  guint   *stamp;
  guint    now;
} Owners;

static void
owners_init (Owners *o, Validation *v)
{
  const KvmrtIdSet *nodes = kvmrt_host_get_ids (v->host, KVMRT_HOST_LEVEL_NODE);

  o->n_cpus = kvmrt_host_get_n_cpus (v->host);
  o->n_nodes = kvmrt_id_set_is_empty (nodes) ? 0 : kvmrt_id_set_last (nodes) + 1;
  o->cpu_users = g_new0 (GArray *, o->n_cpus);
  o->node_users = g_new0 (GArray *, o->n_nodes);
  o->stamp = g_new0 (guint, v->active->len);
  o->now = 0;

  for (guint i = 0; i < v->active->len; i++)
    {
      const KvmrtVmPlan *p = v->active->pdata[i];
      const KvmrtIdSet *vm_nodes = p->nodes;

      for (int c = kvmrt_id_set_first (p->owned_cpus); c >= 0;
           c = kvmrt_id_set_next (p->owned_cpus, c))
        {
          if ((guint) c >= o->n_cpus)
            continue;
          if (o->cpu_users[c] == NULL)
            o->cpu_users[c] = g_array_new (FALSE, FALSE, sizeof (guint));
          g_array_append_val (o->cpu_users[c], i);
        }
      if (kvmrt_id_set_is_empty (p->owned_cpus))
        continue;
      for (int n = kvmrt_id_set_first (vm_nodes); n >= 0; n = kvmrt_id_set_next (vm_nodes, n))
        {
          if ((guint) n >= o->n_nodes)
            continue;
          if (o->node_users[n] == NULL)
            o->node_users[n] = g_array_new (FALSE, FALSE, sizeof (guint));
          g_array_append_val (o->node_users[n], i);
        }
    }
}

static void
owners_clear (Owners *o)
{
  for (guint c = 0; c < o->n_cpus; c++)
    if (o->cpu_users[c] != NULL)
      g_array_unref (o->cpu_users[c]);
  for (guint n = 0; n < o->n_nodes; n++)
    if (o->node_users[n] != NULL)
      g_array_unref (o->node_users[n]);
  g_free (o->cpu_users);
  g_free (o->node_users);
  g_free (o->stamp);
}

/* Adds the VMs of @users other than @self to @names, each once per o->now. */
static void
collect_users (Owners *o, Validation *v, GArray *users, guint self, GPtrArray *names)
{
  for (guint u = 0; users != NULL && u < users->len; u++)
    {
      guint other = g_array_index (users, guint, u);
      const KvmrtVmPlan *op = v->active->pdata[other];

      if (other == self || o->stamp[other] == o->now)
        continue;
      o->stamp[other] = o->now;
      g_ptr_array_add (names, (gpointer) kvmrt_vm_get_label (op->vm));
    }
}

void
kvmrt_validation_check_cross (Validation *v)
{
  Owners o;
  g_autoptr(KvmrtIdSet) rt_cpus = kvmrt_id_set_new ();
  g_autoptr(KvmrtIdSet) rt_nodes = kvmrt_id_set_new ();
  g_autoptr(GPtrArray) rt_plans = g_ptr_array_new ();
  g_autoptr(GPtrArray) rt_plan_nodes = g_ptr_array_new ();

  owners_init (&o, v);

  for (guint i = 0; i < v->active->len; i++)
    {
      const KvmrtVmPlan *p = v->active->pdata[i];
      const KvmrtIdSet *nodes = p->nodes;
      g_autoptr(KvmrtIdSet) shared = NULL;
      g_autoptr(KvmrtIdSet) shared_nodes = NULL;
      g_autoptr(GPtrArray) names = NULL;

      if (!p->rt || kvmrt_id_set_is_empty (p->owned_cpus))
        continue;
      kvmrt_id_set_union (rt_cpus, p->owned_cpus);

      /* rt-cpuset-overlap: any CPU this VM owns that another VM uses. */
      shared = kvmrt_id_set_new ();
      names = g_ptr_array_new ();
      o.now++;
      for (int c = kvmrt_id_set_first (p->owned_cpus); c >= 0;
           c = kvmrt_id_set_next (p->owned_cpus, c))
        {
          GArray *users = (guint) c < o.n_cpus ? o.cpu_users[c] : NULL;

          if (users != NULL && users->len > 1)
            kvmrt_id_set_add (shared, c);
          collect_users (&o, v, users, i, names);
        }
      if (names->len > 0)
        {
          g_autofree char *cpus = kvmrt_validation_ids (shared);
          g_autofree char *who = kvmrt_validation_join_names (names);

          kvmrt_diagnostic_add_cpus (REPORT (v, "rt-cpuset-overlap", p->vm, "cpuset",
                                             _("Host CPUs %s of this real-time VM (its cores, "
                                               "hyperthread siblings included) are also used "
                                               "by %s; give every real-time VM cores no other "
                                               "VM uses."), cpus, who),
                                     shared);
        }

      /* rt-shares-numa-node: another pinned VM with CPUs on this VM's nodes. */
      kvmrt_id_set_union (rt_nodes, nodes);
      g_ptr_array_set_size (names, 0);
      shared_nodes = kvmrt_id_set_new ();
      o.now++;
      for (int n = kvmrt_id_set_first (nodes); n >= 0; n = kvmrt_id_set_next (nodes, n))
        {
          GArray *users = (guint) n < o.n_nodes ? o.node_users[n] : NULL;

          if (users != NULL && users->len > 1)
            kvmrt_id_set_add (shared_nodes, n);
          collect_users (&o, v, users, i, names);
        }
      if (names->len > 0)
        {
          g_autofree char *text = kvmrt_validation_nodes_phrase (nodes);
          g_autofree char *who = kvmrt_validation_join_names (names);

          kvmrt_diagnostic_add_nodes (REPORT (v, "rt-shares-numa-node", p->vm, "cpuset",
                                              _("%s of this real-time VM is also used by %s, "
                                                "whose memory traffic and interrupts can "
                                                "disturb it; move them to other nodes."),
                                              text, who),
                                      shared_nodes);
        }
    }
  owners_clear (&o);

  if (!kvmrt_id_set_is_empty (rt_cpus)
      && kvmrt_id_set_is_subset (kvmrt_host_get_cpus (v->host), rt_cpus))
    kvmrt_diagnostic_add_cpus (REPORT (v, "rt-consumes-all-cpus", NULL, "cpuset",
                                       _("Real-time VMs take every host CPU, leaving none for "
                                         "the host itself and other VMs; leave at least one "
                                         "core (ideally node 0) out of all real-time "
                                         "cpusets.")),
                               rt_cpus);

  /* numatune-overlaps-rt-node: another VM's memory placed on a node an rt VM runs on. */
  for (guint i = 0; i < v->active->len; i++)
    {
      const KvmrtVmPlan *p = v->active->pdata[i];

      if (p->rt && !kvmrt_id_set_is_empty (p->owned_cpus))
        {
          g_ptr_array_add (rt_plans, (gpointer) p);
          g_ptr_array_add (rt_plan_nodes, (gpointer) p->nodes);
        }
    }
  for (guint i = 0; i < v->active->len; i++)
    {
      const KvmrtVmPlan *p = v->active->pdata[i];
      g_autoptr(KvmrtIdSet) overlap = NULL;
      g_autoptr(GPtrArray) names = NULL;

      /* An auto numatune follows the VM's CPUs, and CPUs on an rt VM's node are already
       * reported (rt-shares-numa-node); only a numatune the operator set is judged here. */
      if (kvmrt_vm_get_numatune (p->vm) == NULL || p->numatune == NULL
          || !kvmrt_id_set_intersects (p->numatune, rt_nodes))
        continue;
      overlap = kvmrt_id_set_new ();
      names = g_ptr_array_new ();
      for (guint j = 0; j < rt_plans->len; j++)
        {
          const KvmrtVmPlan *rt = rt_plans->pdata[j];
          g_autoptr(KvmrtIdSet) nodes = NULL;

          if (rt == p || !kvmrt_id_set_intersects (rt_plan_nodes->pdata[j], p->numatune))
            continue;
          nodes = kvmrt_id_set_copy (rt_plan_nodes->pdata[j]);
          kvmrt_id_set_intersect (nodes, p->numatune);
          kvmrt_id_set_union (overlap, nodes);
          g_ptr_array_add (names, (gpointer) kvmrt_vm_get_label (rt->vm));
        }
      if (names->len > 0)
        {
          g_autofree char *text = kvmrt_validation_nodes_phrase (overlap);
          g_autofree char *who = kvmrt_validation_join_names (names);

          kvmrt_diagnostic_add_nodes (REPORT (v, "numatune-overlaps-rt-node", p->vm, "numatune",
                                              names->len == 1
                                                ? _("numatune places this VM's memory on %s, "
                                                    "where real-time VM %s runs; choose "
                                                    "numatune nodes no real-time VM uses.")
                                                : _("numatune places this VM's memory on %s, "
                                                    "where real-time VMs %s run; choose "
                                                    "numatune nodes no real-time VM uses."),
                                              text, who),
                                      overlap);
        }
    }
}

/* The subject of a finding about devices on an rt VM's @nodes. */
static void
add_neighbours (KvmrtDiagnostic *d, GArray *devices, const KvmrtIdSet *nodes)
{
  for (guint i = 0; i < devices->len; i++)
    kvmrt_diagnostic_add_device (d, g_array_index (devices, KvmrtPciAddress, i));
  kvmrt_diagnostic_add_nodes (d, nodes);
}

/* Devices near an rt VM's CPUs that belong to someone else: another VM or the host. */
void
kvmrt_validation_check_rt_neighbours (Validation *v)
{
  GPtrArray *devices = kvmrt_host_get_pci_devices (v->host);

  for (guint i = 0; i < v->active->len; i++)
    {
      const KvmrtVmPlan *p = v->active->pdata[i];
      const KvmrtIdSet *nodes = p->nodes;
      g_autoptr(GPtrArray) other_vm = NULL;
      g_autoptr(GPtrArray) host_used = NULL;
      g_autoptr(GArray) other_vm_devices = NULL;
      g_autoptr(GArray) host_used_devices = NULL;

      if (!p->rt || kvmrt_id_set_is_empty (p->owned_cpus))
        continue;
      other_vm = g_ptr_array_new_with_free_func (g_free);
      host_used = g_ptr_array_new_with_free_func (g_free);
      other_vm_devices = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
      host_used_devices = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));

      for (guint d = 0; d < devices->len; d++)
        {
          const KvmrtPciDevice *dev = devices->pdata[d];
          const KvmrtVmPlan *owner;
          char text[KVMRT_PCI_ADDRESS_STRLEN];

          if (!kvmrt_validation_device_is_local (dev, nodes))
            continue;
          owner = g_hash_table_lookup (v->pci_owner, GUINT_TO_POINTER (dev->address));
          if (owner == p)
            continue;
          kvmrt_pci_address_format (dev->address, text);
          if (owner != NULL)
            {
              g_ptr_array_add (other_vm, g_strdup_printf ("%s (%s)", text,
                                                          kvmrt_vm_get_label (owner->vm)));
              g_array_append_val (other_vm_devices, dev->address);
            }
          else if (kvmrt_pci_device_is_host_used (dev))
            {
              g_ptr_array_add (host_used, g_strdup_printf ("%s (%s, %s)", text,
                                                           dev->device_name, dev->driver));
              g_array_append_val (host_used_devices, dev->address);
            }
        }

      if (other_vm->len > 0)
        {
          g_autofree char *list = kvmrt_validation_join_list (other_vm, FALSE);

          add_neighbours (REPORT (v, "rt-pci-other-vm-local", p->vm, "pcidevs",
                                  _("Devices passed to other VMs sit on this real-time VM's "
                                    "NUMA node and their interrupts and DMA can disturb it: "
                                    "%s."), list),
                          other_vm_devices, nodes);
        }
      if (host_used->len > 0)
        {
          g_autofree char *list = kvmrt_validation_join_list (host_used, FALSE);

          add_neighbours (REPORT (v, "rt-pci-host-local", p->vm, "pcidevs",
                                  _("Devices the host uses sit on this real-time VM's NUMA "
                                    "node; their interrupts are moved off its CPUs, but their "
                                    "memory traffic stays: %s."), list),
                          host_used_devices, nodes);
        }
    }
}
