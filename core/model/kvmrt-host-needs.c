/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which PCI devices the host itself runs on, so the validator can refuse to pass them to a VM:
 * storage controllers under a mounted filesystem or active swap (proc/mounts, proc/swaps, the
 * block devices' sysfs paths, through device-mapper and md slaves), network devices that carry
 * the default route or a configured address (proc/net/route, proc/net/ipv6_route,
 * proc/net/if_inet6, sys/class/net through bridges, bonds and VLANs), and the display the
 * console is drawn on (sys/class/vtconsole, sys/class/graphics/fb0, boot_vga).
 *
 * Everything is read below the sysroot, so fixture hosts are judged like the live one. Names
 * read from these files are only used as single path components, never to climb out. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kvmrt-host-private.h"
#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"

/* How deep stacked block devices (dm on md on partitions) or network devices (VLAN on bond
 * on bridge) are followed. */
#define MAX_DEPTH 8

typedef struct {
  KvmrtHost  *host;
  GHashTable *details;   /* KvmrtPciDevice* -> GPtrArray of char* (what runs on it) */
} Needs;

/* A name usable as one path component below a sysfs class directory. */
static gboolean
is_plain_name (const char *name)
{
  return name != NULL && *name != '\0' && strchr (name, '/') == NULL
         && !g_str_equal (name, ".") && !g_str_equal (name, "..");
}

static char *
read_text (Needs *n, const char *relative)
{
  char *text = kvmrt_sysroot_read_optional (kvmrt_host_get_sysroot (n->host), relative);

  if (text != NULL)
    g_strstrip (text);
  return text;
}

/* The PCI device whose sysfs directory holds the real path @resolved (the last PCI address on
 * the way), or NULL. */
static KvmrtPciDevice *
device_of_real_path (Needs *n, const char *resolved)
{
  g_auto(GStrv) parts = g_strsplit (resolved, "/", -1);

  for (int i = g_strv_length (parts) - 1; i >= 0; i--)
    {
      KvmrtPciAddress address;

      if (kvmrt_pci_address_parse_sysfs (parts[i], &address))
        return (KvmrtPciDevice *) kvmrt_host_lookup_pci_device (n->host, address);
    }
  return NULL;
}

/* The same for @relative below the sysroot, links followed. */
static KvmrtPciDevice *
device_on_path (Needs *n, const char *relative)
{
  g_autofree char *path = kvmrt_sysroot_path (kvmrt_host_get_sysroot (n->host), relative);
  char resolved[PATH_MAX];

  if (realpath (path, resolved) == NULL)
    return NULL;
  return device_of_real_path (n, resolved);
}

static void
mark (Needs *n, KvmrtPciDevice *device, KvmrtPciHostNeed need, char *detail)
{
  GPtrArray *list = g_hash_table_lookup (n->details, device);

  device->host_needs |= need;
  if (list == NULL)
    g_hash_table_insert (n->details, device, list = g_ptr_array_new_with_free_func (g_free));
  for (guint i = 0; i < list->len; i++)
    if (g_str_equal (list->pdata[i], detail))
      {
        g_free (detail);
        return;
      }
  g_ptr_array_add (list, detail);
}

/* Entries of a sysfs directory below the sysroot whose names start with @prefix, without it. */
static GPtrArray *
list_entries (Needs *n, const char *relative, const char *prefix)
{
  g_autofree char *path = kvmrt_sysroot_path (kvmrt_host_get_sysroot (n->host), relative);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (entry, prefix) && is_plain_name (entry + strlen (prefix)))
      g_ptr_array_add (names, g_strdup (entry + strlen (prefix)));
  return names;
}

/* Marks the PCI devices under block device @name (a disk, a partition, or a dm/md device
 * stacked on others). */
static void
mark_block (Needs *n, const char *name, const char *detail, int depth)
{
  g_autofree char *relative = g_strconcat ("sys/class/block/", name, NULL);
  g_autofree char *partition = g_strconcat (relative, "/partition", NULL);
  g_autofree char *path = NULL;
  g_autofree char *parent = NULL;
  char resolved[PATH_MAX];
  KvmrtPciDevice *device;

  if (depth > MAX_DEPTH || !is_plain_name (name))
    return;
  device = device_on_path (n, relative);
  if (device != NULL)
    {
      mark (n, device, KVMRT_PCI_HOST_NEED_STORAGE, g_strdup (detail));
      return;
    }
  /* Not below a PCI device: a dm or md device (its slaves), a partition of one (its disk's
   * slaves), or an NVMe multipath disk (the controllers of its subsystem). */
  path = kvmrt_sysroot_path (kvmrt_host_get_sysroot (n->host), relative);
  if (realpath (path, resolved) == NULL)
    return;
  parent = g_path_get_dirname (resolved);
  {
    g_autofree char *partition_path = kvmrt_sysroot_path (kvmrt_host_get_sysroot (n->host),
                                                          partition);
    g_autofree char *slaves_of = g_file_test (partition_path, G_FILE_TEST_EXISTS)
                                 ? g_path_get_basename (parent) : g_strdup (name);
    g_autofree char *slaves_dir = g_strconcat ("sys/class/block/", slaves_of, "/slaves", NULL);
    g_autoptr(GPtrArray) slaves = list_entries (n, slaves_dir, "");

    for (guint i = 0; i < slaves->len; i++)
      mark_block (n, slaves->pdata[i], detail, depth + 1);
  }
  if (strstr (resolved, "/nvme-subsystem/") != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
      const char *entry;

      while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *link = g_build_filename (parent, entry, NULL);
          char controller[PATH_MAX];
          KvmrtPciDevice *d;

          if (!g_str_has_prefix (entry, "nvme") || !g_file_test (link, G_FILE_TEST_IS_SYMLINK)
              || realpath (link, controller) == NULL)
            continue;
          d = device_of_real_path (n, controller);
          if (d != NULL)
            mark (n, d, KVMRT_PCI_HOST_NEED_STORAGE, g_strdup (detail));
        }
    }
}

/* The kernel name of the block device a /dev path names: "nvme1n1p2" for /dev/nvme1n1p2,
 * "dm-0" for /dev/mapper/vg0-root (by the dm/name files); NULL for anything else. */
static char *
block_name (Needs *n, const char *dev_path)
{
  const char *name;

  if (!g_str_has_prefix (dev_path, "/dev/"))
    return NULL;
  name = dev_path + strlen ("/dev/");
  /* A root mounted by the kernel itself (no initramfs) shows as /dev/root: the device is the
   * root= of the command line, when that names one. */
  if (g_str_equal (name, "root"))
    {
      g_auto(GStrv) words = g_strsplit (kvmrt_host_get_cmdline (n->host), " ", -1);

      for (char **w = words; *w != NULL; w++)
        if (g_str_has_prefix (*w, "root=/dev/") && !g_str_equal (*w + strlen ("root="), dev_path))
          return block_name (n, *w + strlen ("root="));
      return NULL;
    }
  if (g_str_has_prefix (name, "mapper/"))
    {
      g_autoptr(GPtrArray) dms = list_entries (n, "sys/class/block", "dm-");

      for (guint i = 0; i < dms->len; i++)
        {
          g_autofree char *file = g_strdup_printf ("sys/class/block/dm-%s/dm/name",
                                                   (char *) dms->pdata[i]);
          g_autofree char *dm_name = read_text (n, file);

          if (g_strcmp0 (dm_name, name + strlen ("mapper/")) == 0)
            return g_strconcat ("dm-", dms->pdata[i], NULL);
        }
      return NULL;
    }
  return is_plain_name (name) ? g_strdup (name) : NULL;
}

/* proc/mounts escapes blanks in paths as octal (\040). */
static char *
unescape_mount_field (const char *field)
{
  return g_strcompress (field);
}

static void
load_storage (Needs *n)
{
  g_autofree char *mounts = read_text (n, "proc/mounts");
  g_autofree char *swaps = read_text (n, "proc/swaps");
  g_autoptr(GHashTable) sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (mounts != NULL ? mounts : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (lines[i], " \t", -1);
      g_autofree char *source = NULL, *target = NULL, *name = NULL, *detail = NULL;

      if (g_strv_length (fields) < 3)
        continue;
      source = unescape_mount_field (fields[0]);
      /* A filesystem mounted at several places (bind mounts) is named once. */
      if (g_hash_table_contains (sources, source))
        continue;
      name = block_name (n, source);
      if (name == NULL)
        continue;
      target = unescape_mount_field (fields[1]);
      g_hash_table_add (sources, g_strdup (source));
      detail = g_strdup_printf (_("%s (%s)"), target, source + strlen ("/dev/"));
      mark_block (n, name, detail, 0);
    }

  g_strfreev (lines);
  lines = g_strsplit (swaps != NULL ? swaps : "", "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (lines[i], " \t", 2);
      g_autofree char *source = NULL, *name = NULL, *detail = NULL;

      if (fields[0] == NULL)
        continue;
      source = unescape_mount_field (fields[0]);
      name = block_name (n, source);
      /* A swap file lives on a filesystem, which proc/mounts already named. */
      if (name == NULL)
        continue;
      detail = g_strdup_printf (_("swap (%s)"), source + strlen ("/dev/"));
      mark_block (n, name, detail, 0);
    }
}

/* Marks the PCI devices under network interface @name (itself, or the lower devices of a
 * bridge, bond or VLAN). */
static void
mark_interface (Needs *n, const char *name, const char *detail, int depth)
{
  g_autofree char *relative = g_strconcat ("sys/class/net/", name, NULL);
  g_autoptr(GPtrArray) lower = NULL;
  KvmrtPciDevice *device;

  if (depth > MAX_DEPTH || !is_plain_name (name))
    return;
  device = device_on_path (n, relative);
  if (device != NULL)
    {
      mark (n, device, KVMRT_PCI_HOST_NEED_NETWORK, g_strdup (detail));
      return;
    }
  lower = list_entries (n, relative, "lower_");
  for (guint i = 0; i < lower->len; i++)
    mark_interface (n, lower->pdata[i], detail, depth + 1);
}

/* Interfaces with an IPv4 route (every configured address brings its subnet's route) and those
 * with the default route, from proc/net/route. */
static void
load_routes4 (Needs *n, GHashTable *addressed, GHashTable *default_route)
{
  g_autofree char *text = read_text (n, "proc/net/route");
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit_set (lines[i], " \t", -1);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();
      guint64 flags;

      for (guint j = 0; f[j] != NULL; j++)
        if (*f[j] != '\0')
          g_ptr_array_add (fields, f[j]);
      /* Iface Destination Gateway Flags RefCnt Use Metric Mask ... */
      if (fields->len < 8 || g_str_equal (fields->pdata[0], "lo")
          || !g_ascii_string_to_unsigned (fields->pdata[3], 16, 0, G_MAXUINT32, &flags, NULL)
          || !(flags & 0x1))
        continue;
      g_hash_table_add (addressed, g_strdup (fields->pdata[0]));
      if (g_str_equal (fields->pdata[1], "00000000") && g_str_equal (fields->pdata[7], "00000000"))
        g_hash_table_add (default_route, g_strdup (fields->pdata[0]));
    }
}

/* The same for IPv6: global addresses (proc/net/if_inet6) and the default route
 * (proc/net/ipv6_route). */
static void
load_routes6 (Needs *n, GHashTable *addressed, GHashTable *default_route)
{
  g_autofree char *addresses = read_text (n, "proc/net/if_inet6");
  g_autofree char *routes = read_text (n, "proc/net/ipv6_route");
  g_auto(GStrv) lines = g_strsplit (addresses != NULL ? addresses : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* address ifindex prefix-length scope flags name; scope 00 is global, 40 site. */
      g_auto(GStrv) f = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();

      for (guint j = 0; f[j] != NULL; j++)
        if (*f[j] != '\0')
          g_ptr_array_add (fields, f[j]);
      if (fields->len == 6 && !g_str_equal (fields->pdata[5], "lo")
          && (g_str_equal (fields->pdata[3], "00") || g_str_equal (fields->pdata[3], "40")))
        g_hash_table_add (addressed, g_strdup (fields->pdata[5]));
    }

  g_strfreev (lines);
  lines = g_strsplit (routes != NULL ? routes : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* dest plen src plen next-hop metric refcnt use flags name; flags: RTF_UP 0x1,
       * RTF_REJECT 0x200 (the "unreachable" defaults the kernel keeps on lo). */
      g_auto(GStrv) f = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();
      guint64 flags;

      for (guint j = 0; f[j] != NULL; j++)
        if (*f[j] != '\0')
          g_ptr_array_add (fields, f[j]);
      if (fields->len == 10 && !g_str_equal (fields->pdata[9], "lo")
          && g_str_equal (fields->pdata[0], "00000000000000000000000000000000")
          && g_str_equal (fields->pdata[1], "00")
          && g_ascii_string_to_unsigned (fields->pdata[8], 16, 0, G_MAXUINT32, &flags, NULL)
          && (flags & 0x1) && !(flags & 0x200))
        g_hash_table_add (default_route, g_strdup (fields->pdata[9]));
    }
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
load_network (Needs *n)
{
  g_autoptr(GHashTable) addressed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           NULL);
  g_autoptr(GHashTable) default_route = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               NULL);
  g_autofree const char **names = NULL;
  guint n_names = 0;

  load_routes4 (n, addressed, default_route);
  load_routes6 (n, addressed, default_route);
  /* In name order, so that the details read the same on every run. */
  names = (const char **) g_hash_table_get_keys_as_array (addressed, &n_names);
  qsort (names, n_names, sizeof *names, compare_names);
  for (guint i = 0; i < n_names; i++)
    {
      g_autofree char *detail = g_hash_table_contains (default_route, names[i])
        ? g_strdup_printf (_("the default route via %s"), names[i])
        : g_strdup_printf (_("addresses on %s"), names[i]);

      mark_interface (n, names[i], detail, 0);
    }
  g_clear_pointer (&names, g_free);
  names = (const char **) g_hash_table_get_keys_as_array (default_route, &n_names);
  qsort (names, n_names, sizeof *names, compare_names);
  for (guint i = 0; i < n_names; i++)
    if (!g_hash_table_contains (addressed, names[i]))
      {
        g_autofree char *detail = g_strdup_printf (_("the default route via %s"), names[i]);

        mark_interface (n, names[i], detail, 0);
      }
}

static KvmrtPciDevice *
boot_vga_device (Needs *n)
{
  GPtrArray *devices = kvmrt_host_get_pci_devices (n->host);

  for (guint i = 0; i < devices->len; i++)
    if (((KvmrtPciDevice *) devices->pdata[i])->boot_vga)
      return devices->pdata[i];
  return NULL;
}

/* The display under a bound console driver: the framebuffer console draws on fb0 (a PCI
 * display, or the firmware's framebuffer, which is the boot VGA); the VGA text console is the
 * boot VGA. */
static void
load_console (Needs *n)
{
  g_autoptr(GPtrArray) consoles = list_entries (n, "sys/class/vtconsole", "vtcon");

  for (guint i = 0; i < consoles->len; i++)
    {
      g_autofree char *bind_file = g_strdup_printf ("sys/class/vtconsole/vtcon%s/bind",
                                                    (char *) consoles->pdata[i]);
      g_autofree char *name_file = g_strdup_printf ("sys/class/vtconsole/vtcon%s/name",
                                                    (char *) consoles->pdata[i]);
      g_autofree char *bound = read_text (n, bind_file);
      g_autofree char *name = read_text (n, name_file);
      KvmrtPciDevice *device = NULL;
      char *detail;

      if (g_strcmp0 (bound, "1") != 0 || name == NULL)
        continue;
      if (strstr (name, "frame buffer") != NULL)
        {
          g_autofree char *fb_name = read_text (n, "sys/class/graphics/fb0/name");

          device = device_on_path (n, "sys/class/graphics/fb0/device");
          if (device == NULL)
            device = boot_vga_device (n);
          detail = fb_name != NULL
            ? g_strdup_printf (_("the host console (fb0, %s)"), fb_name)
            : g_strdup (_("the host console (fb0)"));
        }
      else if (strstr (name, "VGA") != NULL)
        {
          device = boot_vga_device (n);
          detail = g_strdup (_("the host console (VGA text mode)"));
        }
      else
        continue;
      if (device != NULL)
        mark (n, device, KVMRT_PCI_HOST_NEED_CONSOLE, detail);
      else
        g_free (detail);
    }
}

void
kvmrt_host_load_needs (KvmrtHost *self)
{
  Needs n = { self, g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref) };
  GHashTableIter iter;
  gpointer key, value;

  load_storage (&n);
  load_network (&n);
  load_console (&n);

  g_hash_table_iter_init (&iter, n.details);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      KvmrtPciDevice *device = key;
      GPtrArray *list = value;

      g_ptr_array_add (list, NULL);
      device->host_needs_detail = g_strjoinv (", ", (char **) list->pdata);
    }
  g_hash_table_unref (n.details);
}
