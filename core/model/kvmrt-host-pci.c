/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI devices of the host, from sys/bus/pci/devices below the sysroot: identity and class
 * (uevent), legacy IRQ, NUMA node, local CPUs, IOMMU group, bound driver, MSI IRQs and SR-IOV
 * links; names from the pci.ids database libpci uses.
 *
 * These are the sysfs files libpci's Linux back end reads too (lspci -A linux-sysfs), but
 * libpci opens six files per device by their full path for what uevent gives in one, and
 * that made PCI the slowest part of loading a host; so each device directory is opened once
 * and read here. libpci still tells where its pci.ids is. */
#define _GNU_SOURCE   /* getdents64 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "kvmrt-error.h"
#include "kvmrt-host-private.h"
#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"

#define PCI_DEVICES_DIR "sys/bus/pci/devices"

void
kvmrt_pci_device_free (KvmrtPciDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->class_name);
  g_free (device->vendor_name);
  g_free (device->device_name);
  g_clear_pointer (&device->local_cpus, kvmrt_id_set_free);
  g_free (device->driver);
  g_clear_pointer (&device->irqs, g_array_unref);
  g_clear_pointer (&device->interfaces, g_ptr_array_unref);
  g_free (device->host_needs_detail);
  g_free (device);
}

gboolean
kvmrt_pci_address_parse_sysfs (const char *name, KvmrtPciAddress *address)
{
  guint value[4] = { 0, };
  const char *p = name;
  static const guint digits[4] = { 4, 2, 2, 1 };
  static const char separators[4] = { ':', ':', '.', '\0' };

  for (guint f = 0; f < 4; f++)
    {
      for (guint d = 0; d < digits[f]; d++, p++)
        {
          int v = g_ascii_xdigit_value (*p);

          if (v < 0)
            return FALSE;
          value[f] = value[f] << 4 | v;
        }
      if (*p++ != separators[f])
        return FALSE;
    }
  if (value[2] > 0x1f || value[3] > 7)
    return FALSE;
  *address = KVMRT_PCI_ADDRESS (value[0], value[1], value[2], value[3]);
  return TRUE;
}

/* The last component of the target of link @name in the device directory, or NULL. */
static char *
read_link_name (int device_fd, const char *name)
{
  char target[PATH_MAX];
  ssize_t n;
  const char *slash;

  n = readlinkat (device_fd, name, target, sizeof target - 1);
  if (n <= 0)
    return NULL;
  target[n] = '\0';
  slash = strrchr (target, '/');
  return g_strdup (slash != NULL ? slash + 1 : target);
}

static gboolean
read_int (int device_fd, const char *name, int *out)
{
  g_autofree char *text = kvmrt_sysroot_read_at (device_fd, name);
  char *end;
  long value;

  if (text == NULL)
    return FALSE;
  value = strtol (text, &end, 0);
  if (end == text || value < G_MININT || value > G_MAXINT)
    return FALSE;
  *out = value;
  return TRUE;
}

static int
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* The IRQ numbers named in msi_irqs/, ascending. */
static GArray *
read_msi_irqs (int device_fd)
{
  GArray *irqs = g_array_new (FALSE, FALSE, sizeof (guint));
  char buf[4096];
  ssize_t n;
  int fd = openat (device_fd, "msi_irqs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return irqs;
  while ((n = getdents64 (fd, buf, sizeof buf)) > 0)
    {
      for (ssize_t off = 0; off < n; )
        {
          struct dirent64 *entry = (struct dirent64 *) (buf + off);
          guint64 irq;

          if (g_ascii_string_to_unsigned (entry->d_name, 10, 0, G_MAXUINT, &irq, NULL))
            {
              guint value = irq;

              g_array_append_val (irqs, value);
            }
          off += entry->d_reclen;
        }
    }
  close (fd);
  g_array_sort (irqs, compare_uint);
  return irqs;
}

/* Vendor, device and class from uevent ("PCI_ID=8086:1563", "PCI_CLASS=20000"), else from
 * the vendor, device and class files. */
static void
read_identity (KvmrtPciDevice *device, int device_fd)
{
  g_autofree char *uevent = kvmrt_sysroot_read_at (device_fd, "uevent");
  gboolean have_id = FALSE, have_class = FALSE;
  int value;

  for (char *line = uevent; line != NULL && *line != '\0'; )
    {
      char *next = strchr (line, '\n');

      if (next != NULL)
        *next++ = '\0';
      if (g_str_has_prefix (line, "PCI_ID="))
        {
          char *end;
          gulong vendor = strtoul (line + 7, &end, 16);

          if (*end == ':')
            {
              device->vendor_id = vendor;
              device->device_id = strtoul (end + 1, NULL, 16);
              have_id = TRUE;
            }
        }
      else if (g_str_has_prefix (line, "PCI_CLASS="))
        {
          device->class_code = strtoul (line + 10, NULL, 16) & 0xffffff;
          have_class = TRUE;
        }
      line = next;
    }

  if (!have_id)
    {
      if (read_int (device_fd, "vendor", &value))
        device->vendor_id = value;
      if (read_int (device_fd, "device", &value))
        device->device_id = value;
    }
  if (!have_class && read_int (device_fd, "class", &value))
    device->class_code = value & 0xffffff;
}

/* A VF's physfn link: whether it is one, and its PF (read always: the validator needs the
 * VFs of a PF). */
static void
read_physfn (KvmrtPciDevice *device, int device_fd)
{
  g_autofree char *physfn = read_link_name (device_fd, "physfn");

  device->is_virtual_function = physfn != NULL;
  if (physfn != NULL)
    kvmrt_pci_address_parse_sysfs (physfn, &device->physfn);
}

static KvmrtPciDevice *
read_device (KvmrtHost *self, int devices_fd, const char *name, KvmrtPciAddress address)
{
  KvmrtPciDevice *device;
  g_autofree char *local = NULL;
  g_autofree char *group = NULL;
  g_autoptr(GArray) msi = NULL;
  int device_fd, irq = 0, node = -1;

  /* bus/pci/devices/ADDR links into the device tree: resolve it once for every file. */
  device_fd = openat (devices_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (device_fd < 0)
    return NULL;

  device = g_new0 (KvmrtPciDevice, 1);
  device->address = address;
  read_identity (device, device_fd);
  device->is_bridge = (device->class_code >> 16) == 0x06;

  if (read_int (device_fd, "numa_node", &node) && node >= 0)
    device->numa_node = node;
  else
    device->numa_node = -1;

  local = kvmrt_sysroot_read_at (device_fd, "local_cpulist");
  if (local != NULL)
    device->local_cpus = kvmrt_id_set_parse (g_strstrip (local), NULL);
  if (device->local_cpus == NULL)
    device->local_cpus = kvmrt_id_set_copy (self->cpus);

  device->iommu_group = -1;
  group = read_link_name (device_fd, "iommu_group");
  if (group != NULL)
    {
      guint64 number;

      if (g_ascii_string_to_unsigned (group, 10, 0, G_MAXINT, &number, NULL))
        device->iommu_group = number;
    }
  device->driver = read_link_name (device_fd, "driver");
  read_physfn (device, device_fd);
  /* Only display controllers (class 03) have boot_vga. */
  if ((device->class_code >> 16) == 0x03)
    {
      int boot_vga = 0;

      device->boot_vga = read_int (device_fd, "boot_vga", &boot_vga) && boot_vga == 1;
    }

  /* "irq" shows the first vector of a device in MSI mode and the routed legacy line
   * otherwise, even when the device uses MSI-X or nothing at all. The line is the device's
   * only while a driver is bound and no MSI vector is allocated. */
  msi = read_msi_irqs (device_fd);
  device->irqs = g_array_new (FALSE, FALSE, sizeof (guint));
  if (msi->len == 0 && device->driver != NULL && read_int (device_fd, "irq", &irq) && irq > 0)
    {
      guint line = irq;

      g_array_append_val (device->irqs, line);
      device->irqs_legacy = TRUE;
    }
  g_array_append_vals (device->irqs, msi->data, msi->len);

  device->sriov_total_vfs = -1;
  device->irq_file = -1;
  if (self->flags & KVMRT_HOST_LOAD_PCI_DETAILS)
    kvmrt_pci_device_read_details (device, device_fd);
  close (device_fd);
  return device;
}

static int
compare_devices (gconstpointer a, gconstpointer b)
{
  const KvmrtPciDevice *x = *(KvmrtPciDevice * const *) a;
  const KvmrtPciDevice *y = *(KvmrtPciDevice * const *) b;

  return x->address < y->address ? -1 : x->address > y->address;
}

/* Where libpci keeps its database (its pkg-config idsdir, found at build time); the plain
 * file is tried first, then the same name with ".gz". */
static char *
pci_ids_path (void)
{
  return g_strdup (KVMRT_PCI_IDS);
}

static void
fill_names (GPtrArray *devices)
{
  g_autofree char *path = pci_ids_path ();

  kvmrt_pci_ids_lookup (path, devices);
  for (guint i = 0; i < devices->len; i++)
    {
      KvmrtPciDevice *device = g_ptr_array_index (devices, i);

      /* Unknown to the database: numbers, as lspci shows them. */
      if (device->vendor_name == NULL)
        device->vendor_name = g_strdup_printf ("%04x", device->vendor_id);
      if (device->device_name == NULL)
        device->device_name = g_strdup_printf (_("Device %04x"), device->device_id);
      if (device->class_name == NULL)
        device->class_name = g_strdup_printf (_("Class %04x"), device->class_code >> 8);
    }
}

static void
index_iommu_groups (KvmrtHost *self)
{
  for (guint i = 0; i < self->pci_devices->len; i++)
    {
      KvmrtPciDevice *device = g_ptr_array_index (self->pci_devices, i);
      GArray *members;

      if (device->iommu_group < 0)
        continue;
      members = g_hash_table_lookup (self->iommu_groups, GINT_TO_POINTER (device->iommu_group));
      if (members == NULL)
        {
          members = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
          g_hash_table_insert (self->iommu_groups, GINT_TO_POINTER (device->iommu_group),
                               members);
        }
      g_array_append_val (members, device->address);
    }
}

gboolean
kvmrt_host_load_pci (KvmrtHost *self, GError **error)
{
  g_autofree char *path = kvmrt_sysroot_path (self->sysroot, PCI_DEVICES_DIR);
  int devices_fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir;
  struct dirent *entry;

  if (devices_fd < 0)
    {
      int saved = errno;

      /* A machine (or a tree) without PCI is a host without PCI devices. */
      if (saved == ENOENT || saved == ENOTDIR)
        return TRUE;
      g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_PCI,
                   _("Cannot read the PCI devices in “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  dir = fdopendir (dup (devices_fd));
  if (dir == NULL)
    {
      int saved = errno;

      close (devices_fd);
      g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_PCI,
                   _("Cannot read the PCI devices in “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }

  while ((entry = readdir (dir)) != NULL)
    {
      KvmrtPciAddress address;
      KvmrtPciDevice *device;

      if (!kvmrt_pci_address_parse_sysfs (entry->d_name, &address))
        continue;
      device = read_device (self, devices_fd, entry->d_name, address);
      if (device == NULL)
        {
          int saved = errno;

          /* Removed while we looked (hot unplug): it is not there any more. */
          if (saved == ENOENT)
            continue;
          g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_PCI,
                       _("Cannot read PCI device “%s/%s”: %s"), path, entry->d_name,
                       g_strerror (saved));
          closedir (dir);
          close (devices_fd);
          return FALSE;
        }
      g_ptr_array_add (self->pci_devices, device);
    }
  closedir (dir);
  close (devices_fd);

  g_ptr_array_sort (self->pci_devices, compare_devices);
  index_iommu_groups (self);
  fill_names (self->pci_devices);
  return TRUE;
}
