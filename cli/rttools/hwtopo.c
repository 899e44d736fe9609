/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hwtopo: the host's hardware topology as a tree (machine, packages, dies, level-3 caches,
 * NUMA nodes with their memory, cores and their CPUs, and each PCI device under its node), in
 * the shape chapter 3 of the manual shows, from the kvmrt host model. */
#include "rttools-cli.h"

#include <glib/gi18n.h>

static gboolean opt_verbose;
static gboolean opt_no_io;

static const GOptionEntry entries[] = {
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
    N_("Show names and sizes: board, host name, CPU model, cache and memory sizes"), NULL },
  { "no-io", 0, 0, G_OPTION_ARG_NONE, &opt_no_io,
    N_("Leave out the PCI devices"), NULL },
  { NULL }
};

/* The levels between a package and its cores, outermost first. */
typedef enum {
  GROUP_DIE,
  GROUP_CACHE,
  GROUP_NODE,
} GroupKind;

typedef struct {
  KvmrtHost *host;
  GString   *out;
  GArray    *levels;        /* GroupKind, outermost first */
  gboolean   node_in_cache; /* each node has exactly the CPUs of one cache: a line in it */
} Tree;

static void
indent (Tree *tree, guint depth)
{
  g_string_append_printf (tree->out, "%*s", depth * 2, "");
}

static void
print_devices (Tree *tree, int node, guint depth)
{
  GPtrArray *devices = kvmrt_host_get_pci_devices (tree->host);

  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *d = devices->pdata[i];
      char address[KVMRT_PCI_ADDRESS_STRLEN];
      g_autofree char *class_name = NULL;

      if (d->is_bridge || d->numa_node != node)
        continue;
      class_name = rttools_short_class (d->class_name);
      indent (tree, depth);
      g_string_append_printf (tree->out, "PCI %s %s: %s %s",
                              kvmrt_pci_address_format (d->address, address), class_name,
                              d->vendor_name, d->device_name);
      if (opt_verbose && d->driver != NULL)
        g_string_append_printf (tree->out, " (%s)", d->driver);
      g_string_append_c (tree->out, '\n');
    }
}

static gboolean
node_has_devices (Tree *tree, int node)
{
  GPtrArray *devices = kvmrt_host_get_pci_devices (tree->host);

  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *d = devices->pdata[i];

      if (!d->is_bridge && d->numa_node == node)
        return TRUE;
    }
  return FALSE;
}

/* "NUMA Node 0 (31GiB)", with a colon when devices follow under it. */
static void
print_node_line (Tree *tree, guint node, gboolean has_children, guint depth)
{
  indent (tree, depth);
  g_string_append_printf (tree->out, _("NUMA Node %u"), node);
  if (opt_verbose)
    {
      g_autofree char *size = rttools_format_size (kvmrt_host_get_node_memory (tree->host, node));

      g_string_append_printf (tree->out, " (%s)", size);
    }
  g_string_append (tree->out, has_children ? ":\n" : "\n");
}

static void
print_cores (Tree *tree, const KvmrtIdSet *cpus, guint depth)
{
  const KvmrtIdSet *cores = kvmrt_host_get_ids (tree->host, KVMRT_HOST_LEVEL_CORE);
  const KvmrtIdSet *online = kvmrt_host_get_online_cpus (tree->host);

  for (int core = kvmrt_id_set_first (cores); core >= 0; core = kvmrt_id_set_next (cores, core))
    {
      const KvmrtIdSet *members = kvmrt_host_get_level_cpus (tree->host, KVMRT_HOST_LEVEL_CORE,
                                                             core);

      if (!kvmrt_id_set_contains (cpus, kvmrt_id_set_first (members)))
        continue;
      indent (tree, depth);
      g_string_append_printf (tree->out, _("Core %d:\n"), core);
      for (int c = kvmrt_id_set_first (members); c >= 0; c = kvmrt_id_set_next (members, c))
        {
          indent (tree, depth + 1);
          g_string_append_printf (tree->out, _("CPU %d"), c);
          if (!kvmrt_id_set_contains (online, c))
            g_string_append (tree->out, _(" (offline)"));
          g_string_append_c (tree->out, '\n');
        }
    }
  /* CPUs whose core the kernel no longer shows (offline, topology removed). */
  for (int c = kvmrt_id_set_first (cpus); c >= 0; c = kvmrt_id_set_next (cpus, c))
    if (kvmrt_host_get_cpu_level (tree->host, KVMRT_HOST_LEVEL_CORE, c) < 0)
      {
        indent (tree, depth);
        g_string_append_printf (tree->out, _("CPU %d (offline, core unknown)\n"), c);
      }
}

static void
print_level (Tree *tree, guint level, const KvmrtIdSet *cpus, guint depth);

static void
print_group (Tree *tree, guint level, GroupKind kind, guint id, const KvmrtIdSet *members,
             const KvmrtIdSet *cpus, guint depth)
{
  g_autoptr(KvmrtIdSet) inside = kvmrt_id_set_copy (members);

  kvmrt_id_set_intersect (inside, cpus);
  if (kvmrt_id_set_is_empty (inside))
    return;
  indent (tree, depth);
  switch (kind)
    {
    case GROUP_DIE:
      g_string_append_printf (tree->out, _("Die %u:\n"), id);
      break;
    case GROUP_CACHE:
      g_string_append (tree->out, _("L3 Cache"));
      if (opt_verbose)
        {
          const KvmrtHostCache *cache = kvmrt_host_get_caches (tree->host)->pdata[id];
          g_autofree char *size = rttools_format_size (cache->size);

          g_string_append_printf (tree->out, " (%s)", size);
        }
      g_string_append (tree->out, ":\n");
      if (tree->node_in_cache)
        {
          int node = kvmrt_host_get_cpu_level (tree->host, KVMRT_HOST_LEVEL_NODE,
                                               kvmrt_id_set_first (members));
          gboolean io = !opt_no_io && node >= 0 && node_has_devices (tree, node);

          if (node >= 0)
            print_node_line (tree, node, io, depth + 1);
          if (io)
            print_devices (tree, node, depth + 2);
        }
      break;
    case GROUP_NODE:
      g_assert_not_reached ();
    }
  print_level (tree, level + 1, inside, depth + 1);
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static void
print_level (Tree *tree, guint level, const KvmrtIdSet *cpus, guint depth)
{
  GroupKind kind;

  if (level >= tree->levels->len)
    {
      print_cores (tree, cpus, depth);
      return;
    }
  kind = g_array_index (tree->levels, GroupKind, level);
  if (kind == GROUP_CACHE)
    {
      GPtrArray *caches = kvmrt_host_get_caches (tree->host);
      g_autoptr(KvmrtIdSet) uncached = kvmrt_id_set_copy (cpus);

      for (guint i = 0; i < caches->len; i++)
        {
          const KvmrtIdSet *members = ((KvmrtHostCache *) caches->pdata[i])->cpus;

          print_group (tree, level, kind, i, members, cpus, depth);
          kvmrt_id_set_subtract (uncached, members);
        }
      /* Offline CPUs whose cache the kernel no longer shows. */
      if (!kvmrt_id_set_is_empty (uncached))
        print_level (tree, level + 1, uncached, depth);
      return;
    }
  {
    KvmrtHostLevel host_level = kind == GROUP_DIE ? KVMRT_HOST_LEVEL_DIE : KVMRT_HOST_LEVEL_NODE;
    const KvmrtIdSet *ids = kvmrt_host_get_ids (tree->host, host_level);

    /* Nodes and dies in the order of their first CPU, as everything else is. */
    g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint64));

    for (int id = kvmrt_id_set_first (ids); id >= 0; id = kvmrt_id_set_next (ids, id))
      {
        guint64 key = (guint64) kvmrt_id_set_first (kvmrt_host_get_level_cpus (tree->host,
                                                                              host_level, id))
                      << 32 | (guint) id;

        g_array_append_val (order, key);
      }
    g_array_sort (order, compare_keys);
    for (guint i = 0; i < order->len; i++)
      {
        guint id = (guint) (g_array_index (order, guint64, i) & 0xffffffff);

        if (kind == GROUP_NODE)
          {
            /* Inline here: the node line is at @depth, unlike print_group's call. */
            g_autoptr(KvmrtIdSet) inside =
              kvmrt_id_set_copy (kvmrt_host_get_level_cpus (tree->host, host_level, id));

            kvmrt_id_set_intersect (inside, cpus);
            if (kvmrt_id_set_is_empty (inside))
              continue;
            print_node_line (tree, id, TRUE, depth);
            print_level (tree, level + 1, inside, depth + 1);
            if (!opt_no_io)
              print_devices (tree, id, depth + 1);
            continue;
          }
        print_group (tree, level, kind, id, kvmrt_host_get_level_cpus (tree->host, host_level,
                                                                       id), cpus, depth);
      }
  }
}

/* Whether every set of @inner lies within one set of @outer. */
static gboolean
sets_within (GPtrArray *inner, GPtrArray *outer)
{
  for (guint i = 0; i < inner->len; i++)
    {
      gboolean found = FALSE;

      for (guint o = 0; o < outer->len && !found; o++)
        found = outer->pdata[o] != NULL && kvmrt_id_set_is_subset (inner->pdata[i], outer->pdata[o]);
      if (!found)
        return FALSE;
    }
  return TRUE;
}

/* Which of dies, caches and nodes nest in which on this host. */
static void
choose_levels (Tree *tree)
{
  KvmrtHost *host = tree->host;
  GPtrArray *caches = kvmrt_host_get_caches (host);
  g_autoptr(GPtrArray) cache_sets = g_ptr_array_new ();
  g_autoptr(GPtrArray) node_sets = g_ptr_array_new ();
  const KvmrtIdSet *nodes = kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE);
  GroupKind kinds[3];
  guint n = 0;

  if (kvmrt_id_set_count (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_DIE))
      > kvmrt_id_set_count (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_PACKAGE)))
    kinds[n++] = GROUP_DIE;
  for (guint i = 0; i < caches->len; i++)
    g_ptr_array_add (cache_sets, ((KvmrtHostCache *) caches->pdata[i])->cpus);
  for (int id = kvmrt_id_set_first (nodes); id >= 0; id = kvmrt_id_set_next (nodes, id))
    g_ptr_array_add (node_sets,
                     (gpointer) kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE, id));
  if (caches->len == 0)
    kinds[n++] = GROUP_NODE;
  else if (sets_within (cache_sets, node_sets) && sets_within (node_sets, cache_sets))
    {
      kinds[n++] = GROUP_CACHE;
      tree->node_in_cache = TRUE;
    }
  else if (sets_within (cache_sets, node_sets))
    {
      kinds[n++] = GROUP_NODE;
      kinds[n++] = GROUP_CACHE;
    }
  else if (sets_within (node_sets, cache_sets))
    {
      kinds[n++] = GROUP_CACHE;
      kinds[n++] = GROUP_NODE;
    }
  else
    kinds[n++] = GROUP_NODE;
  g_array_append_vals (tree->levels, kinds, n);
}

static void
print_tree (KvmrtHost *host, GString *out)
{
  Tree tree = { host, out, g_array_new (FALSE, FALSE, sizeof (GroupKind)), FALSE };
  const KvmrtIdSet *packages = kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_PACKAGE);

  choose_levels (&tree);
  g_string_append (out, _("Machine 0"));
  if (opt_verbose)
    {
      const char *machine = kvmrt_host_get_machine (host);
      const char *name = kvmrt_host_get_hostname (host);

      g_string_append (out, " (");
      if (machine != NULL)
        g_string_append_printf (out, "%s%s", machine, name != NULL ? ", " : "");
      if (name != NULL)
        g_string_append_printf (out, "\"%s\"", name);
      g_string_append_c (out, ')');
    }
  g_string_append (out, ":\n");
  for (int p = kvmrt_id_set_first (packages); p >= 0; p = kvmrt_id_set_next (packages, p))
    {
      indent (&tree, 1);
      g_string_append_printf (out, _("Package %d"), p);
      if (opt_verbose && kvmrt_host_get_cpu_model (host) != NULL)
        g_string_append_printf (out, " (%s)", kvmrt_host_get_cpu_model (host));
      g_string_append (out, ":\n");
      print_level (&tree, 0, kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_PACKAGE, p), 2);
    }
  if (!opt_no_io)
    print_devices (&tree, -1, 1);
  g_array_unref (tree.levels);
}

static void
write_level_ids (KvmrtJsonWriter *w, KvmrtHost *host, KvmrtHostLevel level, const char *name)
{
  const KvmrtIdSet *ids = kvmrt_host_get_ids (host, level);

  kvmrt_json_writer_member (w, name);
  kvmrt_json_writer_begin_array (w);
  for (int id = kvmrt_id_set_first (ids); id >= 0; id = kvmrt_id_set_next (ids, id))
    {
      const KvmrtIdSet *cpus = kvmrt_host_get_level_cpus (host, level, id);

      kvmrt_json_writer_begin_object (w);
      kvmrt_json_writer_member_int (w, "id", id);
      if (level == KVMRT_HOST_LEVEL_NODE)
        kvmrt_json_writer_member_int (w, "memory", kvmrt_host_get_node_memory (host, id));
      if (level != KVMRT_HOST_LEVEL_PACKAGE)
        kvmrt_json_writer_member_int (w, "package",
                                      kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_PACKAGE,
                                                                kvmrt_id_set_first (cpus)));
      if (level == KVMRT_HOST_LEVEL_CORE)
        kvmrt_json_writer_member_int (w, "node",
                                      kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_NODE,
                                                                kvmrt_id_set_first (cpus)));
      kvmrt_json_writer_member_id_set (w, "cpus", cpus);
      kvmrt_json_writer_end_object (w);
    }
  kvmrt_json_writer_end_array (w);
}

static void
write_json (KvmrtHost *host, GString *out)
{
  KvmrtJsonWriter w;
  GPtrArray *caches = kvmrt_host_get_caches (host);
  GPtrArray *devices = kvmrt_host_get_pci_devices (host);

  kvmrt_json_writer_init (&w, out);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member_string (&w, "hostname", kvmrt_host_get_hostname (host));
  kvmrt_json_writer_member_string (&w, "machine", kvmrt_host_get_machine (host));
  kvmrt_json_writer_member_string (&w, "cpu_model", kvmrt_host_get_cpu_model (host));
  kvmrt_json_writer_member_id_set (&w, "cpus", kvmrt_host_get_cpus (host));
  kvmrt_json_writer_member_id_set (&w, "online_cpus", kvmrt_host_get_online_cpus (host));
  write_level_ids (&w, host, KVMRT_HOST_LEVEL_PACKAGE, "packages");
  write_level_ids (&w, host, KVMRT_HOST_LEVEL_DIE, "dies");
  write_level_ids (&w, host, KVMRT_HOST_LEVEL_NODE, "nodes");
  kvmrt_json_writer_member (&w, "l3_caches");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < caches->len; i++)
    {
      const KvmrtHostCache *cache = caches->pdata[i];

      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_int (&w, "size", cache->size);
      kvmrt_json_writer_member_id_set (&w, "cpus", cache->cpus);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  write_level_ids (&w, host, KVMRT_HOST_LEVEL_CORE, "cores");
  kvmrt_json_writer_member (&w, "pci");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; !opt_no_io && i < devices->len; i++)
    {
      const KvmrtPciDevice *d = devices->pdata[i];

      if (d->is_bridge)
        continue;
      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_write_pci_address (&w, "address", &d->address);
      kvmrt_json_writer_member_int (&w, "node", d->numa_node);
      kvmrt_json_writer_member_string (&w, "class", d->class_name);
      kvmrt_json_writer_member_string (&w, "vendor", d->vendor_name);
      kvmrt_json_writer_member_string (&w, "device", d->device_name);
      kvmrt_json_writer_member_string (&w, "driver", d->driver);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  rttools_json_finish (&w, out);
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  rttools_parse (&cli, &argc, &argv, entries, "",
                 N_("Show the host's hardware topology: packages, level-3 caches, NUMA nodes "
                    "and their memory, cores and their CPUs, and each PCI device under its "
                    "node."));
  if (cli.args[0] != NULL)
    {
      kvmrt_cli_error (_("unexpected argument “%s” (see --help)"), cli.args[0]);
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  host = kvmrt_cli_load_host (&cli, KVMRT_HOST_LOAD_CACHES | KVMRT_HOST_LOAD_NO_IRQS
                                    | (opt_no_io ? KVMRT_HOST_LOAD_NO_PCI : 0));
  if (host == NULL)
    {
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  if (cli.json)
    write_json (host, out);
  else
    print_tree (host, out);
  rttools_print (out);
  kvmrt_cli_clear (&cli);
  return KVMRT_EXIT_OK;
}
