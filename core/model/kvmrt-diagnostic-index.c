/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-diagnostic-index.h"

struct _KvmrtDiagnosticIndex
{
  GPtrArray  *diagnostics;  /* owned reference: the findings the tables point into */
  GHashTable *cpus;         /* CPU number -> GPtrArray of const KvmrtDiagnostic* */
  GHashTable *nodes;        /* node number -> GPtrArray */
  GHashTable *devices;      /* KvmrtPciAddress -> GPtrArray */
  guint       count;
};

static GHashTable *
new_table (void)
{
  return g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                (GDestroyNotify) g_ptr_array_unref);
}

static void
add_to (GHashTable *table, guint key, const KvmrtDiagnostic *diagnostic)
{
  GPtrArray *findings = g_hash_table_lookup (table, GUINT_TO_POINTER (key));

  if (findings == NULL)
    {
      findings = g_ptr_array_new ();
      g_hash_table_insert (table, GUINT_TO_POINTER (key), findings);
    }
  /* A rule may name a resource twice (once through each of two sets it adds). */
  if (findings->len == 0 || findings->pdata[findings->len - 1] != diagnostic)
    g_ptr_array_add (findings, (gpointer) diagnostic);
}

static void
add_ids (GHashTable *table, const KvmrtIdSet *ids, const KvmrtDiagnostic *diagnostic)
{
  for (int id = ids != NULL ? kvmrt_id_set_first (ids) : -1; id >= 0;
       id = kvmrt_id_set_next (ids, id))
    add_to (table, (guint) id, diagnostic);
}

KvmrtDiagnosticIndex *
kvmrt_diagnostic_index_new (GPtrArray *diagnostics, KvmrtSeverity at_least)
{
  KvmrtDiagnosticIndex *index;

  g_return_val_if_fail (diagnostics != NULL, NULL);
  index = g_new0 (KvmrtDiagnosticIndex, 1);
  index->diagnostics = g_ptr_array_ref (diagnostics);
  index->cpus = new_table ();
  index->nodes = new_table ();
  index->devices = new_table ();
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const KvmrtDiagnostic *diagnostic = diagnostics->pdata[i];

      if (diagnostic->severity < at_least)
        continue;
      index->count++;
      add_ids (index->cpus, diagnostic->cpus, diagnostic);
      add_ids (index->nodes, diagnostic->nodes, diagnostic);
      for (guint j = 0; diagnostic->devices != NULL && j < diagnostic->devices->len; j++)
        add_to (index->devices, g_array_index (diagnostic->devices, KvmrtPciAddress, j),
                diagnostic);
    }
  return index;
}

void
kvmrt_diagnostic_index_free (KvmrtDiagnosticIndex *index)
{
  if (index == NULL)
    return;
  g_hash_table_unref (index->cpus);
  g_hash_table_unref (index->nodes);
  g_hash_table_unref (index->devices);
  g_ptr_array_unref (index->diagnostics);
  g_free (index);
}

GPtrArray *
kvmrt_diagnostic_index_for_cpu (KvmrtDiagnosticIndex *index, guint cpu)
{
  return g_hash_table_lookup (index->cpus, GUINT_TO_POINTER (cpu));
}

GPtrArray *
kvmrt_diagnostic_index_for_node (KvmrtDiagnosticIndex *index, guint node)
{
  return g_hash_table_lookup (index->nodes, GUINT_TO_POINTER (node));
}

GPtrArray *
kvmrt_diagnostic_index_for_device (KvmrtDiagnosticIndex *index, KvmrtPciAddress address)
{
  return g_hash_table_lookup (index->devices, GUINT_TO_POINTER (address));
}

guint
kvmrt_diagnostic_index_get_count (KvmrtDiagnosticIndex *index)
{
  return index->count;
}

KvmrtSeverity
kvmrt_diagnostics_worst (GPtrArray *findings)
{
  KvmrtSeverity worst = KVMRT_SEVERITY_INFO;

  for (guint i = 0; findings != NULL && i < findings->len; i++)
    worst = MAX (worst, ((const KvmrtDiagnostic *) findings->pdata[i])->severity);
  return worst;
}
