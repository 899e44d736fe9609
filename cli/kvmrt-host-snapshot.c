/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-host-snapshot: copy the files kvmrt's host model reads (CPU and NUMA topology, caches,
 * PCI devices with SR-IOV and network interface names, IRQs, kernel command line, host and board
 * names) from this machine, or from
 * another host root, into a directory that kvmrt then reads as that host (--sysroot DIR).
 * For bug reports and tests. Only those files are copied: nothing else of /sys or /proc, so
 * no serial numbers, keys or process data; symbolic links stay links, as kvmrt reads some of
 * them (driver, iommu_group, physfn) as links.
 *
 * The list below follows what core/model/kvmrt-host-*.c read; tests/test-host.c checks that a
 * snapshot of each fixture host loads as the same host. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <kvmrt.h>

#include "kvmrt-cli.h"

/* Enough for any chain of sysfs links; more means a loop. */
#define MAX_LINK_DEPTH 40

typedef struct
{
  char     *source;       /* host root to copy from */
  char     *target;       /* snapshot directory */
  guint     n_failed;
} Snapshot;

/* @base (a root-relative directory) joined with a link target, with "." and ".." folded;
 * ".." never climbs above the root, and an absolute target starts from the root. */
static char *
resolve_relative (const char *base, const char *link)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_auto(GStrv) base_parts = g_strsplit (link[0] == '/' ? "" : base, "/", -1);
  g_auto(GStrv) link_parts = g_strsplit (link, "/", -1);
  GStrv lists[2] = { base_parts, link_parts };

  for (guint l = 0; l < 2; l++)
    for (char **p = lists[l]; *p != NULL; p++)
      {
        if (**p == '\0' || g_str_equal (*p, "."))
          continue;
        if (g_str_equal (*p, ".."))
          {
            if (parts->len > 0)
              g_ptr_array_remove_index (parts, parts->len - 1);
            continue;
          }
        g_ptr_array_add (parts, *p);
      }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("/", (char **) parts->pdata);
}

static gboolean
make_dir (Snapshot *snap, const char *relative)
{
  g_autofree char *path = g_build_filename (snap->target, relative, NULL);

  if (g_mkdir_with_parents (path, 0755) == 0)
    return TRUE;
  kvmrt_cli_error (_("Cannot create directory “%s”: %s"), path, g_strerror (errno));
  snap->n_failed++;
  return FALSE;
}

/* Recreates the link at root-relative @relative (its directory exists in the target). */
static gboolean
copy_link (Snapshot *snap, const char *relative, const char *link)
{
  g_autofree char *path = g_build_filename (snap->target, relative, NULL);
  g_autofree char *existing = g_file_read_link (path, NULL);

  if (existing != NULL && g_str_equal (existing, link))
    return TRUE;
  if (symlink (link, path) == 0)
    return TRUE;
  kvmrt_cli_error (_("Cannot create link “%s”: %s"), path, g_strerror (errno));
  snap->n_failed++;
  return FALSE;
}

/* Walks root-relative @relative in the source, recreating directories and links in the
 * target, and returns the path it resolves to (links followed), or NULL if some part of it
 * does not exist. With @keep_last_link the last component is copied as a link and not
 * followed. */
static char *
copy_path (Snapshot *snap, const char *relative, gboolean keep_last_link, guint depth)
{
  g_auto(GStrv) parts = g_strsplit (relative, "/", -1);
  g_autofree char *resolved = g_strdup ("");

  if (depth > MAX_LINK_DEPTH)
    {
      kvmrt_cli_error (_("Too many levels of links at “%s” in “%s”; not copied"), relative,
                       snap->source);
      snap->n_failed++;
      return NULL;
    }

  for (char **p = parts; *p != NULL; p++)
    {
      g_autofree char *next = NULL;
      g_autofree char *source = NULL;
      struct stat info;
      gboolean last = p[1] == NULL;

      if (**p == '\0')
        continue;
      next = *resolved != '\0' ? g_strconcat (resolved, "/", *p, NULL) : g_strdup (*p);
      source = g_build_filename (snap->source, next, NULL);
      if (g_lstat (source, &info) != 0)
        return NULL;

      if (S_ISLNK (info.st_mode))
        {
          g_autofree char *link = g_file_read_link (source, NULL);
          g_autofree char *dir = g_path_get_dirname (next);
          g_autofree char *target = NULL;

          if (link == NULL || !make_dir (snap, *resolved != '\0' ? resolved : ".")
              || !copy_link (snap, next, link))
            return NULL;
          if (last && keep_last_link)
            return g_steal_pointer (&next);
          target = resolve_relative (g_str_equal (dir, ".") ? "" : dir, link);
          g_free (resolved);
          resolved = copy_path (snap, target, FALSE, depth + 1);
          if (resolved == NULL)
            return NULL;
        }
      else
        {
          g_free (resolved);
          resolved = g_steal_pointer (&next);
        }
    }
  return g_steal_pointer (&resolved);
}

/* Copies regular file @relative (links on the way are kept as links). Missing files are
 * skipped: kvmrt reads them as optional or does without them. */
static void
copy_file (Snapshot *snap, const char *relative)
{
  g_autofree char *resolved = copy_path (snap, relative, FALSE, 0);
  g_autofree char *source = NULL;
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  if (resolved == NULL)
    return;
  source = g_build_filename (snap->source, resolved, NULL);
  if (!g_file_test (source, G_FILE_TEST_IS_REGULAR))
    return;
  if (!g_file_get_contents (source, &contents, &length, &error))
    {
      kvmrt_cli_error (_("Cannot read “%s”: %s; the snapshot lacks it"), source,
                       error->message);
      snap->n_failed++;
      return;
    }
  dir = g_path_get_dirname (resolved);
  if (!make_dir (snap, dir))
    return;
  target = g_build_filename (snap->target, resolved, NULL);
  if (!g_file_set_contents (target, contents, length, &error))
    {
      kvmrt_cli_error ("%s", error->message);
      snap->n_failed++;
    }
}

static void
copy_link_only (Snapshot *snap, const char *relative)
{
  g_autofree char *copied = copy_path (snap, relative, TRUE, 0);
}

/* Copies @dir/NAME for every NAME in @names, with @copy (copy_file or copy_link_only). */
static void
copy_each (Snapshot *snap, const char *dir, GPtrArray *names,
           void (*copy) (Snapshot *snap, const char *relative))
{
  for (guint n = 0; n < names->len; n++)
    {
      g_autofree char *path = g_strconcat (dir, "/", names->pdata[n], NULL);

      copy (snap, path);
    }
}

/* Names in source directory @relative for which @accept is TRUE, sorted. */
static GPtrArray *
list_dir (Snapshot *snap, const char *relative, gboolean (*accept) (const char *name))
{
  g_autofree char *path = g_build_filename (snap->source, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (accept (name))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_ascii_strcasecmp);
  return names;
}

static gboolean
has_number_after (const char *name, const char *prefix)
{
  gsize n = strlen (prefix);

  if (strncmp (name, prefix, n) != 0 || name[n] == '\0')
    return FALSE;
  for (const char *p = name + n; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_cpu (const char *name)
{
  return has_number_after (name, "cpu");
}

static gboolean
is_node (const char *name)
{
  return has_number_after (name, "node");
}

static gboolean
is_number (const char *name)
{
  return has_number_after (name, "");
}

static gboolean
is_cache_index (const char *name)
{
  return has_number_after (name, "index");
}

static gboolean
is_entry (const char *name)
{
  return name[0] != '.';
}

/* The cache levels, sizes and sharing of one CPU (hwtopo's level-3 caches). */
static void
copy_caches (Snapshot *snap, const char *cpu_dir)
{
  static const char *const files[] = { "level", "size", "shared_cpu_list" };
  g_autofree char *cache_dir = g_strconcat (cpu_dir, "/cache", NULL);
  g_autoptr(GPtrArray) indexes = list_dir (snap, cache_dir, is_cache_index);

  for (guint i = 0; i < indexes->len; i++)
    for (guint f = 0; f < G_N_ELEMENTS (files); f++)
      {
        g_autofree char *file = g_strconcat (cache_dir, "/", indexes->pdata[i], "/", files[f],
                                             NULL);

        copy_file (snap, file);
      }
}

static void
copy_cpus (Snapshot *snap)
{
  static const char *const topology[] = {
    "core_cpus_list", "thread_siblings_list", "package_cpus_list", "core_siblings_list",
    "die_cpus_list", "physical_package_id", "die_id",
  };
  g_autoptr(GPtrArray) cpus = list_dir (snap, "sys/devices/system/cpu", is_cpu);

  copy_file (snap, "sys/devices/system/cpu/present");
  copy_file (snap, "sys/devices/system/cpu/online");
  copy_file (snap, "sys/devices/system/cpu/isolated");
  copy_file (snap, "sys/devices/system/cpu/nohz_full");
  for (guint i = 0; i < cpus->len; i++)
    {
      g_autofree char *dir = g_strconcat ("sys/devices/system/cpu/", cpus->pdata[i], NULL);
      g_autoptr(GPtrArray) links = list_dir (snap, dir, is_node);

      make_dir (snap, dir);
      for (guint t = 0; t < G_N_ELEMENTS (topology); t++)
        {
          g_autofree char *file = g_strconcat (dir, "/topology/", topology[t], NULL);

          copy_file (snap, file);
        }
      /* The node an offline CPU belongs to is only told by this link. */
      copy_each (snap, dir, links, copy_link_only);
      copy_caches (snap, dir);
      {
        g_autofree char *governor = g_strconcat (dir, "/cpufreq/scaling_governor", NULL);

        copy_file (snap, governor);
      }
    }
}

static void
copy_nodes (Snapshot *snap)
{
  g_autoptr(GPtrArray) nodes = list_dir (snap, "sys/devices/system/node", is_node);

  for (guint i = 0; i < nodes->len; i++)
    {
      g_autofree char *cpulist = g_strconcat ("sys/devices/system/node/", nodes->pdata[i],
                                              "/cpulist", NULL);
      g_autofree char *meminfo = g_strconcat ("sys/devices/system/node/", nodes->pdata[i],
                                              "/meminfo", NULL);

      copy_file (snap, cpulist);
      copy_file (snap, meminfo);
    }
}

/* The names of a device's network interfaces (pci -v), not their MAC addresses: like serial
 * numbers, those identify the machine. */
static void
copy_interfaces (Snapshot *snap, const char *device_dir)
{
  g_autofree char *net_dir = g_strconcat (device_dir, "/net", NULL);
  g_autoptr(GPtrArray) names = list_dir (snap, net_dir, is_entry);
  g_autofree char *resolved = names->len > 0 ? copy_path (snap, device_dir, FALSE, 0) : NULL;

  for (guint i = 0; resolved != NULL && i < names->len; i++)
    {
      g_autofree char *interface = g_strconcat (resolved, "/net/", names->pdata[i], NULL);

      make_dir (snap, interface);
    }
}

static void
copy_pci (Snapshot *snap)
{
  static const char *const files[] = {
    "uevent", "vendor", "device", "class", "irq", "numa_node", "local_cpulist",
    "sriov_totalvfs", "sriov_numvfs",
  };
  static const char *const links[] = { "driver", "iommu_group", "physfn" };
  g_autoptr(GPtrArray) devices = list_dir (snap, "sys/bus/pci/devices", is_entry);
  g_autoptr(GPtrArray) groups = list_dir (snap, "sys/kernel/iommu_groups", is_number);

  for (guint i = 0; i < devices->len; i++)
    {
      g_autofree char *dir = g_strconcat ("sys/bus/pci/devices/", devices->pdata[i], NULL);
      g_autofree char *msi_dir = g_strconcat (dir, "/msi_irqs", NULL);
      g_autoptr(GPtrArray) msi = list_dir (snap, msi_dir, is_number);

      for (guint f = 0; f < G_N_ELEMENTS (files); f++)
        {
          g_autofree char *file = g_strconcat (dir, "/", files[f], NULL);

          copy_file (snap, file);
        }
      for (guint l = 0; l < G_N_ELEMENTS (links); l++)
        {
          g_autofree char *link = g_strconcat (dir, "/", links[l], NULL);

          copy_link_only (snap, link);
        }
      copy_each (snap, msi_dir, msi, copy_file);
      copy_interfaces (snap, dir);
    }

  /* The groups the devices' iommu_group links point to, with their members. */
  for (guint i = 0; i < groups->len; i++)
    {
      g_autofree char *dir = g_strconcat ("sys/kernel/iommu_groups/", groups->pdata[i], NULL);
      g_autofree char *type = g_strconcat (dir, "/type", NULL);
      g_autofree char *members_dir = g_strconcat (dir, "/devices", NULL);
      g_autoptr(GPtrArray) members = list_dir (snap, members_dir, is_entry);

      make_dir (snap, members_dir);
      copy_file (snap, type);
      copy_each (snap, members_dir, members, copy_link_only);
    }
}

static void
copy_irqs (Snapshot *snap)
{
  g_autoptr(GPtrArray) irqs = list_dir (snap, "proc/irq", is_number);

  copy_file (snap, "proc/interrupts");
  for (guint i = 0; i < irqs->len; i++)
    {
      g_autofree char *affinity = g_strconcat ("proc/irq/", irqs->pdata[i],
                                               "/smp_affinity_list", NULL);
      g_autofree char *effective = g_strconcat ("proc/irq/", irqs->pdata[i],
                                                "/effective_affinity_list", NULL);

      copy_file (snap, affinity);
      copy_file (snap, effective);
    }
}

static void
copy_system (Snapshot *snap)
{
  static const char *const files[] = {
    "proc/cmdline", "proc/cpuinfo", "proc/meminfo", "proc/sys/kernel/hostname",
    "sys/class/dmi/id/board_vendor", "sys/class/dmi/id/board_name",
    "sys/class/dmi/id/sys_vendor", "sys/class/dmi/id/product_name",
    /* What kvmrt-validate-host reads besides the host model. */
    "proc/version", "proc/sys/kernel/numa_balancing", "proc/sys/kernel/sched_rt_runtime_us",
    "sys/devices/system/cpu/smt/control", "etc/default/irqbalance",
    "sys/fs/cgroup/cpu/cpu.rt_runtime_us", "sys/fs/cgroup/cpu/machine.slice/cpu.rt_runtime_us",
    "sys/fs/cgroup/cpu/machine/cpu.rt_runtime_us",
    /* The kernel tunables the run-time shield changes. */
    "sys/devices/virtual/workqueue/cpumask", "sys/devices/virtual/workqueue/writeback/cpumask",
    "proc/sys/kernel/timer_migration", "proc/sys/kernel/nmi_watchdog",
    "proc/sys/kernel/watchdog_cpumask", "proc/sys/vm/stat_interval",
  };

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    copy_file (snap, files[f]);
}

/* Device nodes and driver directories only count by being there: an empty file stands in. */
static void
mark_presence (Snapshot *snap)
{
  static const char *const paths[] = {
    "dev/kvm", "sys/module/vfio_pci", "sys/bus/pci/drivers/vfio-pci",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *source = g_build_filename (snap->source, paths[i], NULL);
      g_autofree char *target = g_build_filename (snap->target, paths[i], NULL);
      g_autofree char *dir = g_path_get_dirname (paths[i]);
      g_autoptr(GError) error = NULL;

      if (!g_file_test (source, G_FILE_TEST_EXISTS) || g_file_test (target, G_FILE_TEST_EXISTS)
          || !make_dir (snap, dir))
        continue;
      if (!g_file_set_contents (target, "", 0, &error))
        {
          kvmrt_cli_error ("%s", error->message);
          snap->n_failed++;
        }
    }
}

/* The host daemons kvmrt-validate-host judges (irqbalance, libvirt): name, capabilities and
 * limits. */
static void
copy_daemons (Snapshot *snap)
{
  static const char *const daemons[] = { "irqbalance", "libvirtd", "virtqemud", NULL };
  static const char *const files[] = { "comm", "status", "limits" };
  g_autoptr(GPtrArray) pids = list_dir (snap, "proc", is_number);

  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *comm_path = g_build_filename (snap->source, "proc", pids->pdata[i],
                                                     "comm", NULL);
      g_autofree char *comm = NULL;

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL)
          || !g_strv_contains (daemons, g_strchomp (comm)))
        continue;
      for (guint f = 0; f < G_N_ELEMENTS (files); f++)
        {
          g_autofree char *relative = g_strconcat ("proc/", pids->pdata[i], "/", files[f], NULL);

          copy_file (snap, relative);
        }
    }
}

static gboolean
is_lower (const char *name)
{
  return g_str_has_prefix (name, "lower_");
}

static gboolean
is_vtconsole (const char *name)
{
  return has_number_after (name, "vtcon");
}

/* What kvmrt-host-needs.c reads to tell which devices the host runs on: mounts, swap, the
 * block devices under them, routes and addresses with their interfaces (no MAC address), the
 * console and its display, and each display controller's boot_vga. */
static void
copy_host_needs (Snapshot *snap)
{
  static const char *const files[] = {
    "proc/mounts", "proc/swaps", "proc/net/route", "proc/net/if_inet6", "proc/net/ipv6_route",
    "sys/class/graphics/fb0/name",
  };
  static const char *const block_files[] = { "dev", "partition", "dm/name" };
  g_autoptr(GPtrArray) devices = list_dir (snap, "sys/bus/pci/devices", is_entry);
  g_autoptr(GPtrArray) blocks = list_dir (snap, "sys/class/block", is_entry);
  g_autoptr(GPtrArray) nets = list_dir (snap, "sys/class/net", is_entry);
  g_autoptr(GPtrArray) consoles = list_dir (snap, "sys/class/vtconsole", is_vtconsole);

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    copy_file (snap, files[f]);
  copy_link_only (snap, "sys/class/graphics/fb0/device");
  for (guint i = 0; i < devices->len; i++)
    {
      g_autofree char *boot_vga = g_strconcat ("sys/bus/pci/devices/", devices->pdata[i],
                                               "/boot_vga", NULL);

      copy_file (snap, boot_vga);
    }
  for (guint i = 0; i < blocks->len; i++)
    {
      g_autofree char *dir = g_strconcat ("sys/class/block/", blocks->pdata[i], NULL);
      g_autofree char *slaves_dir = g_strconcat (dir, "/slaves", NULL);
      g_autoptr(GPtrArray) slaves = list_dir (snap, slaves_dir, is_entry);

      for (guint f = 0; f < G_N_ELEMENTS (block_files); f++)
        {
          g_autofree char *file = g_strconcat (dir, "/", block_files[f], NULL);

          copy_file (snap, file);
        }
      copy_each (snap, slaves_dir, slaves, copy_link_only);
    }
  for (guint i = 0; i < nets->len; i++)
    {
      g_autofree char *dir = g_strconcat ("sys/class/net/", nets->pdata[i], NULL);
      g_autofree char *operstate = g_strconcat (dir, "/operstate", NULL);
      g_autoptr(GPtrArray) lower = list_dir (snap, dir, is_lower);

      copy_file (snap, operstate);
      copy_each (snap, dir, lower, copy_link_only);
    }
  for (guint i = 0; i < consoles->len; i++)
    {
      g_autofree char *bind = g_strconcat ("sys/class/vtconsole/", consoles->pdata[i], "/bind",
                                           NULL);
      g_autofree char *name = g_strconcat ("sys/class/vtconsole/", consoles->pdata[i], "/name",
                                           NULL);

      copy_file (snap, bind);
      copy_file (snap, name);
    }
}

/* The target must be new or empty: mixing two hosts' files would make a host of neither. */
static gboolean
prepare_target (const char *target)
{
  g_autoptr(GDir) dir = NULL;

  if (g_mkdir_with_parents (target, 0755) != 0)
    {
      kvmrt_cli_error (_("Cannot create directory “%s”: %s"), target, g_strerror (errno));
      return FALSE;
    }
  dir = g_dir_open (target, 0, NULL);
  if (dir != NULL && g_dir_read_name (dir) != NULL)
    {
      kvmrt_cli_error (_("“%s” is not empty; give a new or empty directory for the snapshot"),
                       target);
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  Snapshot snap = { NULL, };

  kvmrt_cli_parse (&cli, &argc, &argv, KVMRT_CLI_OPTION_SYSROOT, NULL, N_("OUTDIR"),
                   N_("Copy the files kvmrt reads about this host (CPU and NUMA topology, PCI "
                      "devices, IRQs, kernel command line) into OUTDIR, which kvmrt tools then "
                      "read with --sysroot OUTDIR."));
  if (cli.args[0] == NULL || cli.args[1] != NULL)
    {
      kvmrt_cli_error ("%s", cli.args[0] == NULL
                             ? _("no output directory given: kvmrt-host-snapshot [--sysroot DIR] "
                                 "OUTDIR")
                             : _("one output directory only: kvmrt-host-snapshot [--sysroot DIR] "
                                 "OUTDIR"));
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }

  snap.source = g_strdup (cli.sysroot);
  snap.target = g_strdup (cli.args[0]);
  kvmrt_cli_clear (&cli);

  /* The same checks as every tool makes of a host root, with the same advice. */
  host = kvmrt_host_load (snap.source, KVMRT_HOST_LOAD_NO_PCI | KVMRT_HOST_LOAD_NO_IRQS, &error);
  if (host == NULL)
    {
      kvmrt_cli_error ("%s", error->message);
      g_free (snap.source);
      g_free (snap.target);
      return KVMRT_EXIT_USAGE;
    }
  if (!prepare_target (snap.target))
    {
      g_free (snap.source);
      g_free (snap.target);
      return KVMRT_EXIT_USAGE;
    }

  copy_system (&snap);
  mark_presence (&snap);
  copy_daemons (&snap);
  copy_cpus (&snap);
  copy_nodes (&snap);
  copy_pci (&snap);
  copy_host_needs (&snap);
  copy_irqs (&snap);

  if (snap.n_failed > 0)
    kvmrt_cli_error (g_dngettext (GETTEXT_PACKAGE, "%u file could not be copied; the snapshot in "
                                  "“%s” is incomplete",
                                  "%u files could not be copied; the snapshot in “%s” is "
                                  "incomplete", snap.n_failed), snap.n_failed, snap.target);
  g_free (snap.source);
  g_free (snap.target);
  return snap.n_failed > 0 ? KVMRT_EXIT_FAILED : KVMRT_EXIT_OK;
}
