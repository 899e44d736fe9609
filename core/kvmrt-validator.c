/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The validator. Per-VM rules first, then the rules that compare VMs with each other and with
 * the host. Everything is judged against one plan, so the validator, show-config and the tuner
 * agree on which CPUs a VM uses. Cross-VM rules index CPUs and nodes once (owner lists) rather
 * than comparing every pair of VMs, so 1,000+ VM configs stay fast. */
#include "kvmrt-validator.h"

#include "kvmrt-i18n.h"
#include "kvmrt-plan.h"

/* How many other VMs or devices a message names before "and N more". */
#define MAX_NAMED 4

typedef struct {
  KvmrtConfig *config;
  KvmrtHost   *host;
  KvmrtPlan   *plan;
  GPtrArray   *active;     /* const KvmrtVmPlan*, the VMs being judged, config order */
  GHashTable  *per_vm;     /* KvmrtVm* -> GPtrArray of diagnostics */
  GPtrArray   *global;     /* diagnostics about the whole configuration */
  GHashTable  *pci_owner;  /* KvmrtPciAddress -> const KvmrtVmPlan* (first VM that has it) */
} Validation;

static void
add (Validation *v, KvmrtDiagnostic *d, KvmrtVm *vm)
{
  GPtrArray *list;

  if (vm == NULL)
    {
      g_ptr_array_add (v->global, d);
      return;
    }
  list = g_hash_table_lookup (v->per_vm, vm);
  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (v->per_vm, vm, list);
    }
  g_ptr_array_add (list, d);
}

#define REPORT(v, code, vm, attr, ...) \
  add ((v), kvmrt_diagnostic_new ((code), (vm), (attr), __VA_ARGS__), (vm))

static const char *
vm_label (KvmrtVm *vm)
{
  const char *name = kvmrt_vm_get_name (vm);

  return name != NULL ? name : kvmrt_vm_get_uuid (vm);
}

/* "'a', 'b' and 3 more" from a list of strings (quoted when @quote). */
static char *
join_list (GPtrArray *names, gboolean quote)
{
  GString *s = g_string_new (NULL);
  guint shown = MIN (names->len, MAX_NAMED);

  for (guint i = 0; i < shown; i++)
    {
      if (i > 0)
        g_string_append (s, i + 1 == shown && names->len == shown ? _(" and ") : ", ");
      g_string_append_printf (s, quote ? "'%s'" : "%s", (const char *) names->pdata[i]);
    }
  if (names->len > shown)
    g_string_append_printf (s, _(" and %u more"), names->len - shown);
  return g_string_free (s, FALSE);
}

static char *
join_names (GPtrArray *names)
{
  return join_list (names, TRUE);
}

static char *
ids (const KvmrtIdSet *set)
{
  return kvmrt_id_set_to_string (set);
}

/* "NUMA node 2" or "NUMA nodes 0-1". */
static char *
nodes_phrase (const KvmrtIdSet *nodes)
{
  g_autofree char *text = kvmrt_id_set_to_string (nodes);

  return g_strdup_printf (kvmrt_id_set_count (nodes) == 1 ? _("NUMA node %s") : _("NUMA nodes %s"),
                          text);
}

static gboolean
is_uuid (const char *text)
{
  static const int dashes[] = { 8, 13, 18, 23 };

  if (strlen (text) != 36)
    return FALSE;
  for (int i = 0; i < 36; i++)
    {
      gboolean dash = i == dashes[0] || i == dashes[1] || i == dashes[2] || i == dashes[3];

      if (dash ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

/* Windows guests are recognised by their name, title or description; libvirt's libosinfo
 * metadata is consulted by the libvirt layer when it is connected. */
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

  if (!is_uuid (kvmrt_vm_get_uuid (vm)))
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
          g_autofree char *missing_text = ids (missing);
          g_autofree char *have = ids (kvmrt_host_get_ids (v->host, KVMRT_HOST_LEVEL_NODE));

          REPORT (v, "cpuset-unknown-cpu", vm, "numatune",
                  _("numatune names NUMA node %s, which this host does not have (it has "
                    "nodes %s)."), missing_text, have);
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
        REPORT (v, "underprovisioned", vm, "cpuset",
                _("%u vCPUs and the emulator share %u host CPUs, so vCPUs will compete for "
                  "them; give the cpuset at least %u CPUs or lower nr_vcpus."),
                p->nr_vcpus, n, p->nr_vcpus + 1);
    }

  if (topology.sockets != 0 && looks_like_windows (vm))
    REPORT (v, "windows-topology", vm, "cpu_topology",
            _("This looks like a Windows guest with an explicit cpu_topology; Windows may "
              "not use all vCPUs with such a layout. Set cpu_topology = auto."));
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
      g_autofree char *usable = ids (p->usable_cpus);

      REPORT (v, "rt-underprovisioned", vm, "cpuset",
              _("%u vCPUs need %u usable host CPUs (one per vCPU plus one for the emulator), "
                "but the cpuset gives %u (CPUs %s, one per core); add cores or lower "
                "nr_vcpus (auto picks the right number)."),
              p->nr_vcpus, p->nr_vcpus + 1, n_usable, usable);
    }

  if (kvmrt_id_set_count (nodes) > 1)
    {
      g_autofree char *text = ids (nodes);

      REPORT (v, "rt-spans-numa-nodes", vm, "cpuset",
              _("The host CPUs span NUMA nodes %s, so memory and devices are remote to some "
                "vCPUs; keep a real-time VM within one node if it fits."), text);
    }

  if (numatune != NULL && kvmrt_id_set_is_empty (numatune))
    REPORT (v, "rt-numatune-disabled", vm, "numatune",
            _("numatune is empty, so the VM's memory may come from any NUMA node; set "
              "numatune = auto to keep it on the nodes of its CPUs."));
  else if (numatune != NULL && !kvmrt_id_set_is_subset (numatune, nodes))
    {
      g_autofree char *want = ids (numatune);
      g_autofree char *have = nodes_phrase (nodes);

      REPORT (v, "rt-numatune-outside-cpuset", vm, "numatune",
              _("numatune %s reaches beyond the VM's CPUs, which are on %s; use "
                "numatune = auto, or nodes among those."), want, have);
    }

  /* Both hyperthreads of a core named: the planner keeps the lowest, the rest go offline. */
  {
    g_autoptr(KvmrtIdSet) doubled = kvmrt_id_set_copy (p->cpus);

    kvmrt_id_set_subtract (doubled, p->usable_cpus);
    if (!kvmrt_id_set_is_empty (doubled))
      {
        g_autofree char *text = ids (doubled);

        REPORT (v, "rt-sibling-both-specified", vm, "cpuset",
                _("CPUs %s are hyperthread siblings of other CPUs in the cpuset; a real-time "
                  "VM uses one CPU per core, so these will be taken offline, not used."),
                text);
      }
  }
}

static gboolean
device_is_local (const KvmrtPciDevice *dev, const KvmrtIdSet *nodes)
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

  for (guint i = 0; i < devs->len; i++)
    {
      KvmrtPciAddress addr = g_array_index (devs, KvmrtPciAddress, i);
      const KvmrtPciDevice *dev = kvmrt_host_lookup_pci_device (v->host, addr);
      const KvmrtVmPlan *owner;
      char text[KVMRT_PCI_ADDRESS_STRLEN];

      kvmrt_pci_address_format (addr, text);
      if (dev == NULL)
        {
          REPORT (v, "pci-unknown-device", vm, "pcidevs",
                  _("PCI device %s does not exist on this host; check the address with "
                    "'lspci -D' and correct pcidevs."), text);
          continue;
        }

      owner = g_hash_table_lookup (v->pci_owner, GUINT_TO_POINTER (addr));
      if (owner == NULL)
        g_hash_table_insert (v->pci_owner, GUINT_TO_POINTER (addr), (gpointer) p);
      else if (owner != p)
        REPORT (v, "pci-assigned-twice", vm, "pcidevs",
                _("PCI device %s (%s) is also passed through to '%s'; a device can belong to "
                  "one VM only, so remove it from one of them."),
                text, dev->device_name, vm_label (owner->vm));

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

              REPORT (v, "pci-iommu-group-incomplete", vm, "pcidevs",
                      _("PCI device %s is in IOMMU group %d, whose other devices must go to "
                        "the same VM; add %s to pcidevs."),
                      text, dev->iommu_group, list);
            }
        }

      /* A device without a NUMA node cannot be judged either way. */
      if (p->rt && !kvmrt_id_set_is_empty (p->owned_cpus) && dev->numa_node >= 0
          && !device_is_local (dev, nodes))
        {
          g_autofree char *have = nodes_phrase (nodes);

          REPORT (v, "pci-not-local", vm, "pcidevs",
                  _("PCI device %s (%s) is on NUMA node %d, not local to the VM's host CPUs "
                    "(%s); its DMA and interrupts cross nodes. Prefer a device of %s or move "
                    "the VM's cpuset to node %d."),
                  text, dev->device_name, dev->numa_node, have, have, dev->numa_node);
        }
    }
}

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
      g_ptr_array_add (names, (gpointer) vm_label (op->vm));
    }
}

static void
check_cross (Validation *v)
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
          g_autofree char *cpus = ids (shared);
          g_autofree char *who = join_names (names);

          REPORT (v, "rt-cpuset-overlap", p->vm, "cpuset",
                  _("Host CPUs %s of this real-time VM (its cores, hyperthread siblings "
                    "included) are also used by %s; give every real-time VM cores no other "
                    "VM uses."), cpus, who);
        }

      /* rt-shares-numa-node: another pinned VM with CPUs on this VM's nodes. */
      kvmrt_id_set_union (rt_nodes, nodes);
      g_ptr_array_set_size (names, 0);
      o.now++;
      for (int n = kvmrt_id_set_first (nodes); n >= 0; n = kvmrt_id_set_next (nodes, n))
        collect_users (&o, v, (guint) n < o.n_nodes ? o.node_users[n] : NULL, i, names);
      if (names->len > 0)
        {
          g_autofree char *text = nodes_phrase (nodes);
          g_autofree char *who = join_names (names);

          REPORT (v, "rt-shares-numa-node", p->vm, "cpuset",
                  _("%s of this real-time VM is also used by %s, whose memory traffic and "
                    "interrupts can disturb it; move them to other nodes."),
                  text, who);
        }
    }
  owners_clear (&o);

  if (!kvmrt_id_set_is_empty (rt_cpus)
      && kvmrt_id_set_is_subset (kvmrt_host_get_cpus (v->host), rt_cpus))
    REPORT (v, "rt-consumes-all-cpus", NULL, "cpuset",
            _("Real-time VMs take every host CPU, leaving none for the host itself and other "
              "VMs; leave at least one core (ideally node 0) out of all real-time cpusets."));

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
          g_ptr_array_add (names, (gpointer) vm_label (rt->vm));
        }
      if (names->len > 0)
        {
          g_autofree char *text = nodes_phrase (overlap);
          g_autofree char *who = join_names (names);

          REPORT (v, "numatune-overlaps-rt-node", p->vm, "numatune",
                  names->len == 1
                    ? _("numatune places this VM's memory on %s, where real-time VM %s runs; "
                        "choose numatune nodes no real-time VM uses.")
                    : _("numatune places this VM's memory on %s, where real-time VMs %s run; "
                        "choose numatune nodes no real-time VM uses."),
                  text, who);
        }
    }
}

/* Devices near an rt VM's CPUs that belong to someone else: another VM or the host. */
static void
check_rt_neighbours (Validation *v)
{
  GPtrArray *devices = kvmrt_host_get_pci_devices (v->host);

  for (guint i = 0; i < v->active->len; i++)
    {
      const KvmrtVmPlan *p = v->active->pdata[i];
      const KvmrtIdSet *nodes = p->nodes;
      g_autoptr(GPtrArray) other_vm = NULL;
      g_autoptr(GPtrArray) host_used = NULL;

      if (!p->rt || kvmrt_id_set_is_empty (p->owned_cpus))
        continue;
      other_vm = g_ptr_array_new_with_free_func (g_free);
      host_used = g_ptr_array_new_with_free_func (g_free);

      for (guint d = 0; d < devices->len; d++)
        {
          const KvmrtPciDevice *dev = devices->pdata[d];
          const KvmrtVmPlan *owner;
          char text[KVMRT_PCI_ADDRESS_STRLEN];

          if (!device_is_local (dev, nodes))
            continue;
          owner = g_hash_table_lookup (v->pci_owner, GUINT_TO_POINTER (dev->address));
          if (owner == p)
            continue;
          kvmrt_pci_address_format (dev->address, text);
          if (owner != NULL)
            g_ptr_array_add (other_vm, g_strdup_printf ("%s (%s)", text, vm_label (owner->vm)));
          else if (kvmrt_pci_device_is_host_used (dev))
            g_ptr_array_add (host_used, g_strdup_printf ("%s (%s, %s)", text, dev->device_name,
                                                         dev->driver));
        }

      if (other_vm->len > 0)
        {
          g_autofree char *list = join_list (other_vm, FALSE);

          REPORT (v, "rt-pci-other-vm-local", p->vm, "pcidevs",
                  _("Devices passed to other VMs sit on this real-time VM's NUMA node and "
                    "their interrupts and DMA can disturb it: %s."), list);
        }
      if (host_used->len > 0)
        {
          g_autofree char *list = join_list (host_used, FALSE);

          REPORT (v, "rt-pci-host-local", p->vm, "pcidevs",
                  _("Devices the host uses sit on this real-time VM's NUMA node; their "
                    "interrupts are moved off its CPUs, but their memory traffic stays: %s."),
                  list);
        }
    }
}

GPtrArray *
kvmrt_validate (KvmrtConfig        *config,
                KvmrtHost          *host,
                KvmrtValidateFlags  flags)
{
  Validation v = { config, host, NULL, NULL, NULL, NULL, NULL };
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_diagnostic_free);
  guint n = kvmrt_config_get_n_vms (config);

  v.plan = kvmrt_plan_new (config, host);
  v.active = g_ptr_array_new ();
  v.per_vm = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  v.global = g_ptr_array_new ();
  v.pci_owner = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < n; i++)
    {
      const KvmrtVmPlan *p = kvmrt_plan_get_vm (v.plan, i);

      if (!(flags & KVMRT_VALIDATE_ALL) && kvmrt_vm_get_disabled (p->vm))
        continue;
      g_ptr_array_add (v.active, (gpointer) p);
      check_identity (&v, p->vm, names);
      check_values (&v, p->vm);
      check_cpus (&v, p);
      if (p->rt)
        check_rt (&v, p);
      check_pci (&v, p);
    }
  check_cross (&v);
  check_rt_neighbours (&v);

  for (guint i = 0; i < v.active->len; i++)
    {
      const KvmrtVmPlan *p = v.active->pdata[i];
      GPtrArray *list = g_hash_table_lookup (v.per_vm, p->vm);

      for (guint j = 0; list != NULL && j < list->len; j++)
        g_ptr_array_add (result, list->pdata[j]);
    }
  for (guint j = 0; j < v.global->len; j++)
    g_ptr_array_add (result, v.global->pdata[j]);

  g_ptr_array_unref (v.active);
  g_hash_table_unref (v.per_vm);
  g_ptr_array_unref (v.global);
  g_hash_table_unref (v.pci_owner);
  kvmrt_plan_free (v.plan);
  return result;
}

guint
kvmrt_diagnostics_count (GPtrArray *diagnostics, KvmrtSeverity severity)
{
  guint count = 0;

  for (guint i = 0; i < diagnostics->len; i++)
    if (((KvmrtDiagnostic *) diagnostics->pdata[i])->severity == severity)
      count++;
  return count;
}
