/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The validator. Per-VM rules first, then the rules that compare VMs with each other and with
 * the host. Everything is judged against the caller's plan, the same one show-config, the sync
 * and the tuner work from, so they all agree on which CPUs a VM uses. */
#include "kvmrt-validator-private.h"

KvmrtDiagnostic *
kvmrt_validation_add (Validation *v, KvmrtDiagnostic *d, KvmrtVm *vm)
{
  GPtrArray *list;

  if (vm == NULL)
    {
      g_ptr_array_add (v->global, d);
      return d;
    }
  list = g_hash_table_lookup (v->per_vm, vm);
  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (v->per_vm, vm, list);
    }
  g_ptr_array_add (list, d);
  return d;
}

/* "'a', 'b' and 3 more" from a list of strings (quoted when @quote). */
char *
kvmrt_validation_join_list (GPtrArray *names, gboolean quote)
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

char *
kvmrt_validation_join_names (GPtrArray *names)
{
  return kvmrt_validation_join_list (names, TRUE);
}

char *
kvmrt_validation_ids (const KvmrtIdSet *set)
{
  return kvmrt_id_set_to_string (set);
}

/* "NUMA node 2" or "NUMA nodes 0-1". */
char *
kvmrt_validation_nodes_phrase (const KvmrtIdSet *nodes)
{
  g_autofree char *text = kvmrt_id_set_to_string (nodes);

  return g_strdup_printf (kvmrt_id_set_count (nodes) == 1 ? _("NUMA node %s") : _("NUMA nodes %s"),
                          text);
}

GPtrArray *
kvmrt_validate (KvmrtPlan          *plan,
                KvmrtValidateFlags  flags)
{
  Validation v = { kvmrt_plan_get_config (plan), kvmrt_plan_get_host (plan), plan,
                   NULL, NULL, NULL, NULL };
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_diagnostic_free);
  guint n = kvmrt_plan_get_n_vms (plan);

  /* A one-VM plan (kvmrt_plan_new_for_vm()) cannot be judged against the other VMs. */
  g_return_val_if_fail (n == kvmrt_config_get_n_vms (v.config), result);
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
      kvmrt_validation_check_vm (&v, p, names);
    }
  kvmrt_validation_check_cross (&v);
  kvmrt_validation_check_rt_neighbours (&v);
  kvmrt_validation_check_pci_vfs (&v);

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
