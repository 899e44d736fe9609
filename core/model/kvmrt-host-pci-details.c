/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `pci -v` shows of a PCI function beyond the host model's basics, read from the same
 * device directory: the irq file, SR-IOV totals (sriov_totalvfs, sriov_numvfs) and the
 * network interfaces (net/NAME/address). Only read when a tool asks for it
 * (KVMRT_HOST_LOAD_PCI_DETAILS): the validator and the tuner do without. A VF's PF is the host
 * model's own (kvmrt-host-pci.c reads the physfn link always). */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-host-private.h"
#include "kvmrt-sysroot.h"

static void
net_interface_free (KvmrtNetInterface *interface)
{
  g_free (interface->name);
  g_free (interface->mac);
  g_free (interface);
}

static int
read_count (int device_fd, const char *name)
{
  g_autofree char *text = kvmrt_sysroot_read_at (device_fd, name);
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXINT, &value,
                                                   NULL))
    return -1;
  return (int) value;
}

static int
compare_interfaces (gconstpointer a, gconstpointer b)
{
  const KvmrtNetInterface *x = *(KvmrtNetInterface **) a, *y = *(KvmrtNetInterface **) b;

  return strcmp (x->name, y->name);
}

static GPtrArray *
read_interfaces (int device_fd)
{
  GPtrArray *interfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) net_interface_free);
  int net_fd = openat (device_fd, "net", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = net_fd >= 0 ? fdopendir (net_fd) : NULL;
  struct dirent *entry;

  if (dir == NULL)
    {
      if (net_fd >= 0)
        close (net_fd);
      return interfaces;
    }
  while ((entry = readdir (dir)) != NULL)
    {
      KvmrtNetInterface *interface;
      char path[NAME_MAX + 16];

      if (entry->d_name[0] == '.')
        continue;
      interface = g_new0 (KvmrtNetInterface, 1);
      interface->name = g_strdup (entry->d_name);
      g_snprintf (path, sizeof path, "%s/address", entry->d_name);
      interface->mac = kvmrt_sysroot_read_at (dirfd (dir), path);
      if (interface->mac != NULL)
        g_strstrip (interface->mac);
      g_ptr_array_add (interfaces, interface);
    }
  closedir (dir);
  g_ptr_array_sort (interfaces, compare_interfaces);
  return interfaces;
}

void
kvmrt_pci_device_read_details (KvmrtPciDevice *device, int device_fd)
{
  /* The host model read it already when it is the legacy line the device uses. */
  device->irq_file = device->irqs_legacy ? (int) g_array_index (device->irqs, guint, 0)
                                         : read_count (device_fd, "irq");
  if (!device->is_virtual_function)
    {
      device->sriov_total_vfs = read_count (device_fd, "sriov_totalvfs");
      if (device->sriov_total_vfs >= 0)
        device->sriov_num_vfs = MAX (0, read_count (device_fd, "sriov_numvfs"));
    }
  if ((device->class_code >> 16) == 0x02)   /* network controllers */
    device->interfaces = read_interfaces (device_fd);
  else
    device->interfaces = g_ptr_array_new ();
}
