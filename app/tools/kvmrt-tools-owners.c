/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-tools-owners.h"

#include <glib/gi18n.h>

typedef struct {
  KvmrtOwnerKind kind;
  const char    *name;
  KvmrtIdSet    *cpus;
  KvmrtIdSet    *shielded;
  GString       *devices;
} Group;

static void
group_free (Group *group)
{
  kvmrt_id_set_free (group->cpus);
  kvmrt_id_set_free (group->shielded);
  g_string_free (group->devices, TRUE);
  g_free (group);
}

static Group *
lookup_group (GHashTable *groups, KvmrtOwnerKind kind, const char *name)
{
  g_autofree char *key = g_strdup_printf ("%d:%s", kind, name != NULL ? name : "");
  Group *group = g_hash_table_lookup (groups, key);

  if (group == NULL)
    {
      group = g_new0 (Group, 1);
      group->kind = kind;
      group->name = name;
      group->cpus = kvmrt_id_set_new ();
      group->shielded = kvmrt_id_set_new ();
      group->devices = g_string_new (NULL);
      g_hash_table_insert (groups, g_steal_pointer (&key), group);
    }
  return group;
}

/* Real-time VMs, other VMs, then the host and offline CPUs; by name within a kind. */
static int
compare_groups (gconstpointer a, gconstpointer b)
{
  static const int rank[KVMRT_N_OWNER_KINDS] = {
    [KVMRT_OWNER_RT_VM] = 0, [KVMRT_OWNER_VM] = 1, [KVMRT_OWNER_HOST] = 2,
    [KVMRT_OWNER_OFFLINE] = 3,
  };
  const Group *ga = *(Group **) a;
  const Group *gb = *(Group **) b;

  if (ga->kind != gb->kind)
    return rank[ga->kind] - rank[gb->kind];
  return g_strcmp0 (ga->name, gb->name);
}

static char *
describe_group (const Group *group)
{
  g_autofree char *cpus = kvmrt_id_set_to_string (group->cpus);
  GString *line = g_string_new (NULL);

  if (group->name != NULL)
    g_string_append_printf (line, "%s: %s", group->name,
                            kvmrt_owner_kind_to_string (group->kind));
  else
    g_string_append (line, kvmrt_owner_kind_to_string (group->kind));
  if (!kvmrt_id_set_is_empty (group->cpus))
    g_string_append_printf (line, _(", CPUs %s"), cpus);
  if (!kvmrt_id_set_is_empty (group->shielded))
    {
      g_autofree char *shielded = kvmrt_id_set_to_string (group->shielded);

      g_string_append_printf (line, _(" (shielded %s)"), shielded);
    }
  if (group->devices->len > 0)
    g_string_append_printf (line, _(", devices%s"), group->devices->str);
  return g_string_free (line, FALSE);
}

GPtrArray *
kvmrt_tools_describe_owners (KvmrtHost *host, KvmrtOwnership *ownership)
{
  g_autoptr(GHashTable) groups =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) group_free);
  const KvmrtIdSet *cpus = kvmrt_host_get_cpus (host);
  GPtrArray *devices = kvmrt_host_get_pci_devices (host);
  g_autoptr(GPtrArray) sorted = NULL;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      const KvmrtCpuOwner *owner = kvmrt_ownership_get_cpu (ownership, cpu);
      /* Offline CPUs go together whoever took them offline. */
      Group *group = lookup_group (groups, owner->kind,
                                   owner->kind == KVMRT_OWNER_OFFLINE ? NULL : owner->vm_name);

      kvmrt_id_set_add (group->cpus, cpu);
      if (owner->shielded)
        kvmrt_id_set_add (group->shielded, cpu);
    }
  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *device = devices->pdata[i];
      const KvmrtDeviceOwner *owner = kvmrt_ownership_get_device (ownership, device->address);
      char address[KVMRT_PCI_ADDRESS_STRLEN];

      if (owner->vm == NULL)
        continue;
      kvmrt_pci_address_format (device->address, address);
      g_string_append_printf (lookup_group (groups, owner->kind,
                                            kvmrt_vm_get_name (owner->vm))->devices,
                              " %s", address);
    }
  sorted = g_ptr_array_new ();
  {
    GHashTableIter iter;
    gpointer group;

    g_hash_table_iter_init (&iter, groups);
    while (g_hash_table_iter_next (&iter, NULL, &group))
      g_ptr_array_add (sorted, group);
  }
  g_ptr_array_sort (sorted, compare_groups);
  for (guint i = 0; i < sorted->len; i++)
    g_ptr_array_add (lines, describe_group (sorted->pdata[i]));
  return lines;
}
