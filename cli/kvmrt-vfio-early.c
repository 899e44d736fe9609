/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-vfio-early: have vfio-pci claim devices at boot, before their host driver does
 * (graphics cards need this: once the host's driver has initialised them they do not reset
 * cleanly). One modprobe.d file holds vfio-pci's "ids=" and, for each host driver of those
 * devices, a "softdep DRIVER pre: vfio-pci" so vfio-pci is loaded first. Every function of the
 * devices' IOMMU groups is included, since they go to a VM together. "ids=" matches by vendor
 * and device ID, so a device the host keeps with the same IDs is a refusal, not a surprise at
 * the next boot. The initramfs holds a copy of modprobe.d: the tool says how to rebuild it. */
#include "kvmrt-cli-setup.h"

#include <glib/gi18n.h>

#define CONF_PATH "/etc/modprobe.d/kvmrt-vfio.conf"

/* The kernel module of @device's driver ("snd_hda_intel"), or NULL when unbound or when the
 * driver is vfio-pci already. */
static char *
driver_module (const char *root, const KvmrtPciDevice *device)
{
  char text[KVMRT_PCI_ADDRESS_STRLEN];
  g_autofree char *relative = NULL;
  g_autofree char *path = NULL;
  g_autofree char *target = NULL;
  char *module;

  if (device->driver == NULL || g_str_equal (device->driver, "vfio-pci"))
    return NULL;
  relative = g_strdup_printf ("sys/bus/pci/devices/%s/driver/module",
                              kvmrt_pci_address_format (device->address, text));
  path = kvmrt_sysroot_path (root, relative);
  target = g_file_read_link (path, NULL);
  module = target != NULL ? g_path_get_basename (target) : g_strdup (device->driver);
  /* modprobe treats - and _ alike; module names are written with _. */
  return g_strdelimit (module, "-", '_');
}

/* Adds @address and the other endpoints of its IOMMU group to @devices. */
static gboolean
add_with_group (KvmrtHost *host, GPtrArray *devices, KvmrtPciAddress address, GError **error)
{
  const KvmrtPciDevice *device = kvmrt_host_lookup_pci_device (host, address);
  const GArray *group;
  char text[KVMRT_PCI_ADDRESS_STRLEN];

  kvmrt_pci_address_format (address, text);
  if (device == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("there is no PCI device %s on this host; kvmrt-show-config --host lists "
                     "them"), text);
      return FALSE;
    }
  if (device->is_bridge)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("%s is a bridge, which stays with the host; name the device behind it"),
                   text);
      return FALSE;
    }
  group = device->iommu_group >= 0 ? kvmrt_host_get_iommu_group (host, device->iommu_group)
                                   : NULL;
  if (group == NULL)
    {
      g_printerr (_("%s: %s has no IOMMU group: passthrough needs the IOMMU on "
                    "(kvmrt-validate-host says how)\n"), g_get_prgname (), text);
      if (!g_ptr_array_find (devices, device, NULL))
        g_ptr_array_add (devices, (gpointer) device);
      return TRUE;
    }
  for (guint i = 0; i < group->len; i++)
    {
      const KvmrtPciDevice *member =
        kvmrt_host_lookup_pci_device (host, g_array_index (group, KvmrtPciAddress, i));

      if (member != NULL && !member->is_bridge && !g_ptr_array_find (devices, member, NULL))
        g_ptr_array_add (devices, (gpointer) member);
    }
  return TRUE;
}

/* The host device with the same IDs as one of @devices but not among them, or NULL. */
static const KvmrtPciDevice *
find_id_twin (KvmrtHost *host, GPtrArray *devices, const KvmrtPciDevice **twin_of)
{
  GPtrArray *all = kvmrt_host_get_pci_devices (host);

  for (guint i = 0; i < all->len; i++)
    {
      const KvmrtPciDevice *other = all->pdata[i];

      if (g_ptr_array_find (devices, other, NULL))
        continue;
      for (guint j = 0; j < devices->len; j++)
        {
          const KvmrtPciDevice *device = devices->pdata[j];

          if (device->vendor_id == other->vendor_id && device->device_id == other->device_id)
            {
              *twin_of = device;
              return other;
            }
        }
    }
  return NULL;
}

static int
compare_devices (gconstpointer a, gconstpointer b)
{
  const KvmrtPciDevice *da = *(const KvmrtPciDevice * const *) a;
  const KvmrtPciDevice *db = *(const KvmrtPciDevice * const *) b;

  return da->address < db->address ? -1 : da->address > db->address;
}

static char *
conf_text (const char *root, GPtrArray *devices)
{
  GString *text = g_string_new ("# Written by kvmrt-vfio-early: vfio-pci claims these devices "
                                "at boot.\n# Devices:");
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) modules = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id_list = NULL;

  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *device = devices->pdata[i];
      char address[KVMRT_PCI_ADDRESS_STRLEN];
      char *id = g_strdup_printf ("%04x:%04x", device->vendor_id, device->device_id);
      char *module = driver_module (root, device);

      g_string_append_printf (text, " %s", kvmrt_pci_address_format (device->address, address));
      if (g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
        g_free (id);
      else
        g_ptr_array_add (ids, id);
      if (module == NULL || g_ptr_array_find_with_equal_func (modules, module, g_str_equal, NULL))
        g_free (module);
      else
        g_ptr_array_add (modules, module);
    }
  g_ptr_array_add (ids, NULL);
  id_list = g_strjoinv (",", (char **) ids->pdata);
  g_string_append_printf (text, "\n# kvmrt-vfio-early --undo removes this file.\n"
                                "options vfio-pci ids=%s\n", id_list);
  for (guint i = 0; i < modules->len; i++)
    g_string_append_printf (text, "softdep %s pre: vfio-pci\n", (char *) modules->pdata[i]);
  return g_string_free (text, FALSE);
}

/* Which command rebuilds the initramfs of the system below the root. */
static const char *
initramfs_command (KvmrtSetup *setup)
{
  g_autofree char *initramfs_tools = kvmrt_setup_path (setup, "/usr/sbin/update-initramfs");
  g_autofree char *dracut = kvmrt_setup_path (setup, "/usr/bin/dracut");

  if (g_file_test (initramfs_tools, G_FILE_TEST_EXISTS))
    return "update-initramfs -u";
  if (g_file_test (dracut, G_FILE_TEST_EXISTS))
    return "dracut -f";
  return NULL;
}

static void
print_next_step (KvmrtSetup *setup)
{
  const char *command = initramfs_command (setup);

  if (setup->changes == 0)
    {
      g_print (_("Nothing to change.\n"));
      return;
    }
  if (command != NULL)
    g_print (setup->dry_run ? _("Then run '%s' and reboot for it to take effect.\n")
                            : _("Now run '%s' and reboot for it to take effect.\n"), command);
  else
    g_print (setup->dry_run
             ? _("Then rebuild the initramfs (update-initramfs -u on Debian and Ubuntu, "
                 "dracut -f on Fedora and RHEL) and reboot for it to take effect.\n")
             : _("Now rebuild the initramfs (update-initramfs -u on Debian and Ubuntu, "
                 "dracut -f on Fedora and RHEL) and reboot for it to take effect.\n"));
}

int
main (int argc, char **argv)
{
  g_auto(KvmrtCli) cli = { 0 };
  g_auto(KvmrtSetup) setup = { 0 };
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(GPtrArray) devices = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const KvmrtPciDevice *twin, *twin_of = NULL;

  kvmrt_cli_parse (&cli, &argc, &argv, 0, kvmrt_setup_option_entries (&setup), "[DEVICE...]",
                   N_("Have vfio-pci claim the PCI DEVICEs (and the rest of their IOMMU groups) "
                      "early at boot, before their host drivers: writes " CONF_PATH " and says "
                      "which command rebuilds the initramfs. Without DEVICEs: show the current "
                      "file. --undo removes it."));
  kvmrt_setup_finish_options (&setup, &cli);

  if (setup.undo)
    {
      if (cli.args[0] != NULL)
        {
          kvmrt_cli_error (_("--undo takes no device: it removes " CONF_PATH " whole"));
          return KVMRT_EXIT_USAGE;
        }
      if (!kvmrt_setup_remove_file (&setup, CONF_PATH, &error))
        {
          kvmrt_cli_error ("%s", error->message);
          return KVMRT_EXIT_FAILED;
        }
      print_next_step (&setup);
      return KVMRT_EXIT_OK;
    }
  if (cli.args[0] == NULL)
    {
      g_autofree char *path = kvmrt_setup_path (&setup, CONF_PATH);

      if (!g_file_get_contents (path, &text, NULL, NULL))
        g_print (_("%s does not exist: no device is bound to vfio-pci early.\n"), path);
      else
        g_print ("%s", text);
      return KVMRT_EXIT_OK;
    }

  host = kvmrt_cli_load_host (&cli, KVMRT_HOST_LOAD_NO_IRQS);
  if (host == NULL)
    return KVMRT_EXIT_USAGE;
  for (char **arg = cli.args; *arg != NULL; arg++)
    {
      KvmrtPciAddress address;

      if (!kvmrt_pci_address_parse (*arg, &address, &error)
          || !add_with_group (host, devices, address, &error))
        {
          kvmrt_cli_error ("%s", error->message);
          return KVMRT_EXIT_USAGE;
        }
    }
  twin = find_id_twin (host, devices, &twin_of);
  if (twin != NULL)
    {
      char a[KVMRT_PCI_ADDRESS_STRLEN], b[KVMRT_PCI_ADDRESS_STRLEN];

      kvmrt_cli_error (_("%s has the same vendor and device IDs (%04x:%04x) as %s, so vfio-pci "
                         "would claim it at boot too and the host would lose it; bind by "
                         "address instead (driver_override, or libvirt's managed hostdev)"),
                       kvmrt_pci_address_format (twin->address, a), twin->vendor_id,
                       twin->device_id, kvmrt_pci_address_format (twin_of->address, b));
      return KVMRT_EXIT_FAILED;
    }
  g_ptr_array_sort (devices, compare_devices);
  text = conf_text (setup.root, devices);
  if (!kvmrt_setup_put_file (&setup, CONF_PATH, text, &error))
    {
      kvmrt_cli_error ("%s", error->message);
      return KVMRT_EXIT_FAILED;
    }
  if (setup.dry_run && setup.changes > 0)
    g_print ("%s", text);
  print_next_step (&setup);
  return KVMRT_EXIT_OK;
}
