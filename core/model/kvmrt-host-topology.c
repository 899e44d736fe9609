/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CPU topology of the host: which package, die, NUMA node and core each CPU is in, read from
 * the kernel's sys/devices/system/{cpu,node} files, the same files hwloc's Linux backend reads.
 *
 * Why not hwloc itself: hwloc reads every CPU's cache directories whatever its type filters say
 * (about 5,000 files on a 256-CPU host, 30 ms and more, plus its plugin loading), and it leaves
 * offline CPUs out of its topology, while kvmrt must know the whole host even when real-time
 * tuning has taken hyperthread siblings offline. Reading the topology files directly takes a
 * few hundred small reads and sees offline CPUs whose topology the kernel still shows.
 *
 * Core and die numbers follow hwloc's logical order (tests/test-host.c checks this against
 * hwloc on every fixture host): a depth-first walk of packages, dies, NUMA nodes and cores,
 * each level ordered by its first CPU. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-error.h"
#include "kvmrt-host-private.h"
#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"

#define CPU_DIR "sys/devices/system/cpu"
#define NODE_DIR "sys/devices/system/node"

typedef struct
{
  KvmrtIdSet *cpus;
  int         first;
  int         package_first;
  int         die_first;
  int         node_first;
} Core;

typedef struct
{
  int         package;     /* physical id */
  int         die_id;      /* die_id within the package (0 without die files) */
  KvmrtIdSet *cpus;
} Die;

typedef struct
{
  KvmrtHost  *host;
  int         cpu_fd;
  guint       n;
  int        *core_of;     /* CPU -> index into cores, -1 */
  int        *die_of;      /* CPU -> index into dies, -1 */
  int        *package_of;  /* CPU -> physical package id, -1 */
  int        *node_of;     /* CPU -> node id, -1 */
  GArray     *cores;       /* Core */
  GArray     *dies;        /* Die */
} Scan;

static void
scan_clear (Scan *scan)
{
  if (scan->cpu_fd >= 0)
    close (scan->cpu_fd);
  g_free (scan->core_of);
  g_free (scan->die_of);
  g_free (scan->package_of);
  g_free (scan->node_of);
  if (scan->cores != NULL)
    {
      for (guint i = 0; i < scan->cores->len; i++)
        kvmrt_id_set_free (g_array_index (scan->cores, Core, i).cpus);
      g_array_unref (scan->cores);
    }
  if (scan->dies != NULL)
    {
      for (guint i = 0; i < scan->dies->len; i++)
        kvmrt_id_set_free (g_array_index (scan->dies, Die, i).cpus);
      g_array_unref (scan->dies);
    }
}

static int *
new_id_array (guint n)
{
  int *array = g_new (int, n);

  for (guint i = 0; i < n; i++)
    array[i] = -1;
  return array;
}

/* A cpulist file ("0-3,8") of CPU @cpu's topology directory, restricted to present CPUs and
 * always containing @cpu itself; NULL if the file is missing. */
static KvmrtIdSet *
read_cpu_list (Scan *scan, guint cpu, const char *name, const char *fallback)
{
  char path[64];
  g_autofree char *text = NULL;
  KvmrtIdSet *set;

  g_snprintf (path, sizeof path, "cpu%u/topology/%s", cpu, name);
  text = kvmrt_sysroot_read_at (scan->cpu_fd, path);
  if (text == NULL && fallback != NULL)
    {
      g_snprintf (path, sizeof path, "cpu%u/topology/%s", cpu, fallback);
      text = kvmrt_sysroot_read_at (scan->cpu_fd, path);
    }
  if (text == NULL)
    return NULL;
  set = kvmrt_id_set_parse (text, NULL);
  if (set == NULL)
    return NULL;
  kvmrt_id_set_intersect (set, scan->host->cpus);
  kvmrt_id_set_add (set, cpu);
  return set;
}

static gboolean
read_cpu_int (Scan *scan, guint cpu, const char *name, int *out)
{
  char path[64];
  g_autofree char *text = NULL;
  char *end;
  long value;

  g_snprintf (path, sizeof path, "cpu%u/topology/%s", cpu, name);
  text = kvmrt_sysroot_read_at (scan->cpu_fd, path);
  if (text == NULL)
    return FALSE;
  value = strtol (text, &end, 10);
  if (end == text || value > KVMRT_ID_SET_MAX_ID)
    return FALSE;
  /* Some platforms say -1 for "no package": count them as package 0. */
  *out = value < 0 ? 0 : (int) value;
  return TRUE;
}

/* The live kernel keeps the "online" list current; a fixture or demo tree is changed one
 * cpuN/online at a time (by the tuner, by a test), so there each CPU's own file wins. */
static void
read_each_online (KvmrtHost *self, int cpu_fd)
{
  for (int cpu = kvmrt_id_set_first (self->cpus); cpu >= 0;
       cpu = kvmrt_id_set_next (self->cpus, cpu))
    {
      char path[48];
      g_autofree char *value = NULL;

      g_snprintf (path, sizeof path, "cpu%d/online", cpu);
      value = kvmrt_sysroot_read_at (cpu_fd, path);
      if (value == NULL)
        continue;
      if (g_strstrip (value)[0] == '0')
        kvmrt_id_set_remove (self->online_cpus, cpu);
      else
        kvmrt_id_set_add (self->online_cpus, cpu);
    }
}

static gboolean
read_cpu_sets (KvmrtHost *self, int cpu_fd, GError **error)
{
  g_autofree char *present = kvmrt_sysroot_read_at (cpu_fd, "present");
  g_autofree char *online = kvmrt_sysroot_read_at (cpu_fd, "online");
  g_autofree char *dir_path = kvmrt_sysroot_path (self->sysroot, CPU_DIR);

  if (present != NULL)
    self->cpus = kvmrt_id_set_parse (present, NULL);
  if (self->cpus == NULL)
    {
      /* No (readable) "present" list: the cpuN directories are the CPUs. */
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      self->cpus = kvmrt_id_set_new ();
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          guint64 cpu;

          if (g_str_has_prefix (name, "cpu")
              && g_ascii_string_to_unsigned (name + 3, 10, 0, KVMRT_ID_SET_MAX_ID, &cpu, NULL))
            kvmrt_id_set_add (self->cpus, cpu);
        }
    }
  if (kvmrt_id_set_is_empty (self->cpus))
    {
      g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_TOPOLOGY,
                   _("No CPUs found in “%s”: it has neither a “present” list nor cpuN "
                     "directories. Check that the host root is a copy of a Linux /sys "
                     "(make one with kvmrt-host-snapshot)."), dir_path);
      return FALSE;
    }

  if (online != NULL)
    self->online_cpus = kvmrt_id_set_parse (online, NULL);
  if (self->online_cpus == NULL)
    {
      /* Kernels without CPU hotplug have no "online" list: every CPU is online. */
      self->online_cpus = kvmrt_id_set_copy (self->cpus);
    }
  kvmrt_id_set_intersect (self->online_cpus, self->cpus);
  if (!kvmrt_sysroot_is_live (self->sysroot) && (self->flags & KVMRT_HOST_LOAD_ONLINE_LIST) == 0)
    read_each_online (self, cpu_fd);
  self->n_cpus = kvmrt_id_set_last (self->cpus) + 1;
  return TRUE;
}

/* Groups CPUs into cores by their sibling lists. An online CPU lists its online siblings, an
 * offline CPU (when the kernel keeps its topology) all of them, so the lists are merged. */
static void
scan_cores (Scan *scan)
{
  KvmrtIdSet *cpus = scan->host->cpus;

  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      g_autoptr(KvmrtIdSet) siblings = NULL;
      int index = -1;

      if (scan->core_of[cpu] >= 0)
        continue;
      siblings = read_cpu_list (scan, cpu, "core_cpus_list", "thread_siblings_list");
      if (siblings == NULL)
        continue;
      for (int s = kvmrt_id_set_first (siblings); s >= 0 && index < 0;
           s = kvmrt_id_set_next (siblings, s))
        index = scan->core_of[s];
      if (index < 0)
        {
          Core core = { kvmrt_id_set_new (), cpu, -1, -1, -1 };

          index = scan->cores->len;
          g_array_append_val (scan->cores, core);
        }
      for (int s = kvmrt_id_set_first (siblings); s >= 0; s = kvmrt_id_set_next (siblings, s))
        if (scan->core_of[s] < 0)
          {
            scan->core_of[s] = index;
            kvmrt_id_set_add (g_array_index (scan->cores, Core, index).cpus, s);
          }
    }
}

static int
find_die (Scan *scan, int package, int die_id)
{
  for (guint i = 0; i < scan->dies->len; i++)
    {
      Die *die = &g_array_index (scan->dies, Die, i);

      if (die->package == package && die->die_id == die_id)
        return i;
    }
  return -1;
}

static void
assign_die (Scan *scan, int cpu, int package, int die_id)
{
  int index = find_die (scan, package, die_id);

  if (index < 0)
    {
      Die die = { package, die_id, kvmrt_id_set_new () };

      index = scan->dies->len;
      g_array_append_val (scan->dies, die);
    }
  scan->package_of[cpu] = package;
  scan->die_of[cpu] = index;
  kvmrt_id_set_add (g_array_index (scan->dies, Die, index).cpus, cpu);
}

/* Package and die of every CPU with topology files. One read of package_cpus_list and
 * die_cpus_list covers every CPU listed there, so a host costs a few reads per die, not per
 * CPU; the CPUs of a core always share its package and die. */
static void
scan_packages (Scan *scan)
{
  KvmrtIdSet *cpus = scan->host->cpus;

  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      g_autoptr(KvmrtIdSet) die_cpus = NULL;
      int package, die_id = 0;
      int core = scan->core_of[cpu];

      if (scan->die_of[cpu] >= 0)
        continue;
      if (core >= 0)
        {
          KvmrtIdSet *mates = g_array_index (scan->cores, Core, core).cpus;
          int known = -1;

          for (int m = kvmrt_id_set_first (mates); m >= 0 && known < 0;
               m = kvmrt_id_set_next (mates, m))
            if (scan->die_of[m] >= 0)
              known = m;
          if (known >= 0)
            {
              Die *die = &g_array_index (scan->dies, Die, scan->die_of[known]);

              assign_die (scan, cpu, die->package, die->die_id);
              continue;
            }
        }
      if (!read_cpu_int (scan, cpu, "physical_package_id", &package))
        continue;   /* no topology: placed by its NUMA node later */
      if (read_cpu_int (scan, cpu, "die_id", &die_id))
        die_cpus = read_cpu_list (scan, cpu, "die_cpus_list", NULL);
      else
        die_cpus = read_cpu_list (scan, cpu, "package_cpus_list", "core_siblings_list");
      if (die_cpus == NULL)
        die_cpus = kvmrt_id_set_new_range (cpu, cpu);
      for (int m = kvmrt_id_set_first (die_cpus); m >= 0; m = kvmrt_id_set_next (die_cpus, m))
        if (scan->die_of[m] < 0)
          assign_die (scan, m, package, die_id);
    }
}

static guint64
parse_meminfo_total (const char *text)
{
  const char *total = text != NULL ? strstr (text, "MemTotal:") : NULL;

  if (total == NULL)
    return 0;
  return g_ascii_strtoull (total + strlen ("MemTotal:"), NULL, 10) * 1024;
}

static void
set_node_memory (KvmrtHost *self, guint node, guint64 bytes)
{
  if (self->node_memory->len <= node)
    g_array_set_size (self->node_memory, node + 1);
  g_array_index (self->node_memory, guint64, node) = bytes;
}

/* The node of an offline CPU: the kernel keeps its cpuN/nodeM link. */
static int
find_node_link (Scan *scan, guint cpu)
{
  char name[32];
  int fd;
  DIR *dir;
  struct dirent *entry;
  int node = -1;

  g_snprintf (name, sizeof name, "cpu%u", cpu);
  fd = openat (scan->cpu_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return -1;
    }
  while (node < 0 && (entry = readdir (dir)) != NULL)
    {
      guint64 value;

      if (g_str_has_prefix (entry->d_name, "node")
          && g_ascii_string_to_unsigned (entry->d_name + 4, 10, 0, KVMRT_ID_SET_MAX_ID,
                                         &value, NULL))
        node = value;
    }
  closedir (dir);
  return node;
}

static void
scan_nodes (Scan *scan)
{
  KvmrtHost *self = scan->host;
  KvmrtIdSet *nodes = self->level_ids[KVMRT_HOST_LEVEL_NODE];
  int node_fd = kvmrt_sysroot_open_dir (self->sysroot, NODE_DIR);
  DIR *dir = node_fd >= 0 ? fdopendir (dup (node_fd)) : NULL;
  struct dirent *entry;

  while (dir != NULL && (entry = readdir (dir)) != NULL)
    {
      char path[64];
      g_autofree char *list = NULL;
      g_autofree char *meminfo = NULL;
      g_autoptr(KvmrtIdSet) node_cpus = NULL;
      guint64 node;

      if (!g_str_has_prefix (entry->d_name, "node")
          || !g_ascii_string_to_unsigned (entry->d_name + 4, 10, 0, KVMRT_ID_SET_MAX_ID,
                                          &node, NULL))
        continue;
      kvmrt_id_set_add (nodes, node);
      g_snprintf (path, sizeof path, "%s/cpulist", entry->d_name);
      list = kvmrt_sysroot_read_at (node_fd, path);
      node_cpus = list != NULL ? kvmrt_id_set_parse (list, NULL) : NULL;
      if (node_cpus != NULL)
        {
          kvmrt_id_set_intersect (node_cpus, self->cpus);
          for (int c = kvmrt_id_set_first (node_cpus); c >= 0;
               c = kvmrt_id_set_next (node_cpus, c))
            scan->node_of[c] = node;
        }
      g_snprintf (path, sizeof path, "%s/meminfo", entry->d_name);
      meminfo = kvmrt_sysroot_read_at (node_fd, path);
      set_node_memory (self, node, parse_meminfo_total (meminfo));
    }
  if (dir != NULL)
    closedir (dir);
  if (node_fd >= 0)
    close (node_fd);

  if (kvmrt_id_set_is_empty (nodes))
    {
      /* A kernel without NUMA: one node 0 with every CPU and all the memory, as hwloc
       * shows it. */
      g_autofree char *meminfo = kvmrt_sysroot_read_optional (self->sysroot, "proc/meminfo");

      kvmrt_id_set_add (nodes, 0);
      for (int c = kvmrt_id_set_first (self->cpus); c >= 0; c = kvmrt_id_set_next (self->cpus, c))
        scan->node_of[c] = 0;
      set_node_memory (self, 0, parse_meminfo_total (meminfo));
      return;
    }

  /* Node lists show online CPUs only. */
  for (int cpu = kvmrt_id_set_first (self->cpus); cpu >= 0;
       cpu = kvmrt_id_set_next (self->cpus, cpu))
    if (scan->node_of[cpu] < 0)
      {
        scan->node_of[cpu] = find_node_link (scan, cpu);
        if (scan->node_of[cpu] >= 0)
          kvmrt_id_set_add (nodes, scan->node_of[cpu]);
      }
}

/* A CPU without topology files (offline on a kernel that removes them) is put in the package
 * and die of its node when every other CPU of that node agrees on them. */
static void
place_by_node (Scan *scan)
{
  KvmrtIdSet *cpus = scan->host->cpus;
  int max_node = kvmrt_id_set_last (scan->host->level_ids[KVMRT_HOST_LEVEL_NODE]);
  g_autofree int *node_die = NULL;

  if (max_node < 0)
    return;
  /* Per node: the die all its placed CPUs share, -1 for none yet, -2 when they differ. */
  node_die = new_id_array (max_node + 1);
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      int node = scan->node_of[cpu];
      int die = scan->die_of[cpu];

      if (node < 0 || die < 0)
        continue;
      if (node_die[node] == -1)
        node_die[node] = die;
      else if (node_die[node] != die)
        node_die[node] = -2;
    }
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      int node = scan->node_of[cpu];

      if (scan->die_of[cpu] < 0 && node >= 0 && node_die[node] >= 0)
        {
          Die *d = &g_array_index (scan->dies, Die, node_die[node]);

          assign_die (scan, cpu, d->package, d->die_id);
        }
    }
}

static KvmrtIdSet *
level_set (KvmrtHost *self, KvmrtHostLevel level, guint id)
{
  GPtrArray *sets = self->level_cpus[level];

  if (sets->len <= id)
    g_ptr_array_set_size (sets, id + 1);
  if (g_ptr_array_index (sets, id) == NULL)
    {
      g_ptr_array_index (sets, id) = kvmrt_id_set_new ();
      kvmrt_id_set_add (self->level_ids[level], id);
    }
  return g_ptr_array_index (sets, id);
}

static int
compare_dies (gconstpointer a, gconstpointer b, gpointer data)
{
  const Die *x = a, *y = b;
  const int *package_first = data;

  if (package_first[x->package] != package_first[y->package])
    return package_first[x->package] < package_first[y->package] ? -1 : 1;
  return kvmrt_id_set_first (x->cpus) - kvmrt_id_set_first (y->cpus);
}

static int
compare_cores (gconstpointer a, gconstpointer b)
{
  const Core *x = a, *y = b;

  if (x->package_first != y->package_first)
    return x->package_first < y->package_first ? -1 : 1;
  if (x->die_first != y->die_first)
    return x->die_first < y->die_first ? -1 : 1;
  if (x->node_first != y->node_first)
    return x->node_first < y->node_first ? -1 : 1;
  return x->first - y->first;
}

/* Numbers dies and cores in hwloc's logical order and fills the host's tables. */
static void
number_levels (Scan *scan)
{
  KvmrtHost *self = scan->host;
  int *package_level = self->cpu_level[KVMRT_HOST_LEVEL_PACKAGE];
  int *die_level = self->cpu_level[KVMRT_HOST_LEVEL_DIE];
  int *node_level = self->cpu_level[KVMRT_HOST_LEVEL_NODE];
  int *core_level = self->cpu_level[KVMRT_HOST_LEVEL_CORE];
  g_autofree int *package_first = NULL;
  g_autofree int *node_first = NULL;
  g_autofree int *die_first = NULL;
  int max_package = 0, max_node = 0;

  for (guint c = 0; c < scan->n; c++)
    {
      max_package = MAX (max_package, scan->package_of[c]);
      max_node = MAX (max_node, scan->node_of[c]);
    }
  package_first = new_id_array (max_package + 1);
  node_first = new_id_array (max_node + 1);
  for (int c = (int) scan->n - 1; c >= 0; c--)
    {
      if (scan->package_of[c] >= 0)
        package_first[scan->package_of[c]] = c;
      if (scan->node_of[c] >= 0)
        node_first[scan->node_of[c]] = c;
    }

  /* Dies: sorted in place, so die_of is remapped through the die's own CPUs. */
  g_array_sort_with_data (scan->dies, compare_dies, package_first);
  die_first = g_new (int, MAX (scan->dies->len, 1));
  for (guint d = 0; d < scan->dies->len; d++)
    {
      Die *die = &g_array_index (scan->dies, Die, d);

      die_first[d] = kvmrt_id_set_first (die->cpus);
      for (int c = kvmrt_id_set_first (die->cpus); c >= 0; c = kvmrt_id_set_next (die->cpus, c))
        {
          scan->die_of[c] = d;
          die_level[c] = d;
          package_level[c] = die->package;
          kvmrt_id_set_add (level_set (self, KVMRT_HOST_LEVEL_DIE, d), c);
          kvmrt_id_set_add (level_set (self, KVMRT_HOST_LEVEL_PACKAGE, die->package), c);
        }
    }

  for (guint c = 0; c < scan->n; c++)
    if (scan->node_of[c] >= 0 && kvmrt_id_set_contains (self->cpus, c))
      {
        node_level[c] = scan->node_of[c];
        kvmrt_id_set_add (level_set (self, KVMRT_HOST_LEVEL_NODE, scan->node_of[c]), c);
      }
  /* Nodes without CPUs (memory only) are nodes all the same. */
  for (int n = kvmrt_id_set_first (self->level_ids[KVMRT_HOST_LEVEL_NODE]); n >= 0;
       n = kvmrt_id_set_next (self->level_ids[KVMRT_HOST_LEVEL_NODE], n))
    level_set (self, KVMRT_HOST_LEVEL_NODE, n);

  for (guint i = 0; i < scan->cores->len; i++)
    {
      Core *core = &g_array_index (scan->cores, Core, i);
      int first = kvmrt_id_set_first (core->cpus);

      core->first = first;
      core->package_first = scan->package_of[first] >= 0
                            ? package_first[scan->package_of[first]] : -1;
      core->die_first = scan->die_of[first] >= 0 ? die_first[scan->die_of[first]] : -1;
      core->node_first = scan->node_of[first] >= 0 ? node_first[scan->node_of[first]] : -1;
    }
  g_array_sort (scan->cores, compare_cores);
  for (guint i = 0; i < scan->cores->len; i++)
    {
      Core *core = &g_array_index (scan->cores, Core, i);
      KvmrtIdSet *set = level_set (self, KVMRT_HOST_LEVEL_CORE, i);

      kvmrt_id_set_union (set, core->cpus);
      if (kvmrt_id_set_count (set) > 1)
        self->smt = TRUE;
      for (int c = kvmrt_id_set_first (set); c >= 0; c = kvmrt_id_set_next (set, c))
        core_level[c] = i;
    }
}

gboolean
kvmrt_host_load_topology (KvmrtHost *self, GError **error)
{
  Scan scan = { self, -1, };
  gboolean ok = FALSE;

  scan.cpu_fd = kvmrt_sysroot_open_dir (self->sysroot, CPU_DIR);
  if (scan.cpu_fd < 0)
    {
      int saved = errno;
      g_autofree char *path = kvmrt_sysroot_path (self->sysroot, CPU_DIR);

      g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_TOPOLOGY,
                   _("Cannot open “%s”: %s"), path, g_strerror (saved));
      goto out;
    }
  if (!read_cpu_sets (self, scan.cpu_fd, error))
    goto out;

  scan.n = self->n_cpus;
  scan.core_of = new_id_array (scan.n);
  scan.die_of = new_id_array (scan.n);
  scan.package_of = new_id_array (scan.n);
  scan.node_of = new_id_array (scan.n);
  scan.cores = g_array_new (FALSE, FALSE, sizeof (Core));
  scan.dies = g_array_new (FALSE, FALSE, sizeof (Die));
  for (guint l = 0; l < KVMRT_HOST_N_LEVELS; l++)
    {
      self->cpu_level[l] = new_id_array (scan.n);
      self->level_ids[l] = kvmrt_id_set_new ();
      self->level_cpus[l] = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_id_set_free);
    }

  scan_cores (&scan);
  scan_packages (&scan);
  scan_nodes (&scan);
  place_by_node (&scan);
  number_levels (&scan);

  /* CPUs whose core is unknown are their own siblings. */
  self->lone_cpus = g_ptr_array_new_full (scan.n, (GDestroyNotify) kvmrt_id_set_free);
  g_ptr_array_set_size (self->lone_cpus, scan.n);
  for (int c = kvmrt_id_set_first (self->cpus); c >= 0; c = kvmrt_id_set_next (self->cpus, c))
    if (self->cpu_level[KVMRT_HOST_LEVEL_CORE][c] < 0)
      g_ptr_array_index (self->lone_cpus, c) = kvmrt_id_set_new_range (c, c);
  ok = TRUE;

out:
  scan_clear (&scan);
  return ok;
}
