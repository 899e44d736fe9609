/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-sriov: virtual functions on an SR-IOV physical function, now and at every boot.
 * "Now" is the PF's sriov_numvfs attribute; "every boot" is a udev rule that writes the same
 * attribute when the PF's driver binds (ACTION "bind"), so it holds whatever driver the PF
 * has. The rule also records the count before kvmrt-sriov first changed it, which --undo puts
 * back. Changing the count removes every existing VF first (the kernel only goes through 0),
 * so a PF or VF that a configured VM passes through is never touched. */
#include "kvmrt-cli-setup.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#define RULES_DIR "/etc/udev/rules.d"
#define BEFORE_TAG "# before: "

typedef struct {
  KvmrtPciAddress  address;
  char             text[KVMRT_PCI_ADDRESS_STRLEN];
  guint            total;       /* sriov_totalvfs */
  guint            current;     /* sriov_numvfs */
  GArray          *vfs;         /* KvmrtPciAddress of its virtfnN links, in N order */
} PhysicalFunction;

static void
physical_function_clear (PhysicalFunction *pf)
{
  g_clear_pointer (&pf->vfs, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PhysicalFunction, physical_function_clear)

static char *
device_path (KvmrtPciAddress address, const char *attribute)
{
  char text[KVMRT_PCI_ADDRESS_STRLEN];

  return g_strdup_printf ("sys/bus/pci/devices/%s/%s",
                          kvmrt_pci_address_format (address, text), attribute);
}

static gboolean
read_count (const char *root, KvmrtPciAddress address, const char *attribute, guint *out)
{
  g_autofree char *path = device_path (address, attribute);
  g_autofree char *text = kvmrt_sysroot_read_optional (root, path);
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXUINT,
                                                   &value, NULL))
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

/* FALSE (with the reason) when @address is not an SR-IOV physical function of the host. */
static gboolean
physical_function_read (PhysicalFunction *pf, const char *root, KvmrtPciAddress address,
                        GError **error)
{
  kvmrt_pci_address_format (address, pf->text);
  pf->address = address;
  pf->vfs = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  if (!read_count (root, address, "sriov_totalvfs", &pf->total)
      || !read_count (root, address, "sriov_numvfs", &pf->current))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NODEV,
                   _("%s is not an SR-IOV physical function here (it has no sriov_totalvfs); "
                     "run kvmrt-sriov without arguments to list those there are"), pf->text);
      return FALSE;
    }
  for (guint n = 0; ; n++)
    {
      g_autofree char *link_name = g_strdup_printf ("virtfn%u", n);
      g_autofree char *relative = device_path (address, link_name);
      g_autofree char *path = kvmrt_sysroot_path (root, relative);
      g_autofree char *target = g_file_read_link (path, NULL);
      g_autofree char *base = NULL;
      KvmrtPciAddress vf;

      if (target == NULL)
        break;
      base = g_path_get_basename (target);
      if (kvmrt_pci_address_parse (base, &vf, NULL))
        g_array_append_val (pf->vfs, vf);
    }
  return TRUE;
}

/* "0000:21:00.0" -> "/etc/udev/rules.d/70-kvmrt-sriov-0000-21-00.0.rules" */
static char *
rule_path (const PhysicalFunction *pf)
{
  g_autofree char *name = g_strdup (pf->text);

  g_strdelimit (name, ":", '-');
  return g_strdup_printf (RULES_DIR "/70-kvmrt-sriov-%s.rules", name);
}

/* The count recorded before kvmrt-sriov first changed this PF, or -1 without a rule. */
static int
rule_read_before (KvmrtSetup *setup, const PhysicalFunction *pf)
{
  g_autofree char *relative = rule_path (pf);
  g_autofree char *path = kvmrt_setup_path (setup, relative);
  g_autofree char *text = NULL;
  g_autofree char *digits = NULL;
  const char *found;
  guint64 value;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  found = strstr (text, BEFORE_TAG);
  if (found == NULL)
    return -1;
  found += strlen (BEFORE_TAG);
  digits = g_strndup (found, strcspn (found, "\n"));
  if (!g_ascii_string_to_unsigned (digits, 10, 0, 4096, &value, NULL))
    return -1;
  return (int) value;
}

static char *
rule_text (const PhysicalFunction *pf, guint count, guint before)
{
  return g_strdup_printf ("# Written by kvmrt-sriov: %u virtual function(s) on %s at every "
                          "boot,\n"
                          "# set when its driver binds. kvmrt-sriov --undo %s removes this "
                          "file and\n"
                          "# puts back the count the device had before:\n"
                          BEFORE_TAG "%u\n"
                          "ACTION==\"bind\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", "
                          "ATTR{sriov_numvfs}=\"%u\"\n",
                          count, pf->text, pf->text, before, pf->text, count);
}

/* Which configured VM passes @address through, or NULL. */
static KvmrtVm *
find_owner (KvmrtConfig *config, KvmrtPciAddress address)
{
  guint n = config != NULL ? kvmrt_config_get_n_vms (config) : 0;

  for (guint i = 0; i < n; i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (config, i);

      if (kvmrt_pci_set_contains (kvmrt_vm_get_pcidevs (vm), address))
        return vm;
    }
  return NULL;
}

/* A change of count destroys the PF's VFs: refuse while a VM may be using one of them. */
static gboolean
check_not_in_use (const PhysicalFunction *pf, KvmrtConfig *config, KvmrtHost *host,
                  const char *config_path)
{
  KvmrtVm *owner = find_owner (config, pf->address);

  if (owner != NULL)
    {
      kvmrt_cli_error (_("%s is passed through to the VM '%s' (pcidevs in %s); its virtual "
                         "functions cannot change while a VM owns it: take it out of that "
                         "VM's pcidevs first"), pf->text, kvmrt_vm_get_label (owner), config_path);
      return FALSE;
    }
  for (guint i = 0; i < pf->vfs->len; i++)
    {
      KvmrtPciAddress vf = g_array_index (pf->vfs, KvmrtPciAddress, i);
      const KvmrtPciDevice *device = kvmrt_host_lookup_pci_device (host, vf);
      char text[KVMRT_PCI_ADDRESS_STRLEN];

      kvmrt_pci_address_format (vf, text);
      owner = find_owner (config, vf);
      if (owner != NULL)
        {
          kvmrt_cli_error (_("changing the count removes every virtual function of %s, and "
                             "%s is passed through to the VM '%s' (pcidevs in %s); take it "
                             "out of that VM's pcidevs first"),
                           pf->text, text, kvmrt_vm_get_label (owner), config_path);
          return FALSE;
        }
      if (device != NULL && g_strcmp0 (device->driver, "vfio-pci") == 0)
        {
          kvmrt_cli_error (_("changing the count removes every virtual function of %s, and "
                             "%s is bound to vfio-pci: a VM outside the configuration may be "
                             "using it; shut that VM down and unbind it first"),
                           pf->text, text);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
set_count_now (KvmrtSetup *setup, const PhysicalFunction *pf, guint count, GError **error)
{
  g_autofree char *relative = device_path (pf->address, "sriov_numvfs");
  g_autofree char *path = g_strconcat ("/", relative, NULL);
  g_autofree char *value = g_strdup_printf ("%u", count);

  if (pf->current == count)
    return TRUE;
  /* The kernel changes a non-zero count only through 0. */
  if (pf->current != 0 && count != 0
      && !kvmrt_setup_write_attribute (setup, path, "0", error))
    return FALSE;
  return kvmrt_setup_write_attribute (setup, path, value, error);
}

static int
list_functions (KvmrtSetup *setup, KvmrtHost *host, KvmrtConfig *config)
{
  GPtrArray *devices = kvmrt_host_get_pci_devices (host);
  guint found = 0;

  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *device = devices->pdata[i];
      g_auto(PhysicalFunction) pf = { 0 };
      g_autofree char *relative = NULL;
      g_autofree char *full = NULL;
      KvmrtVm *owner;

      if (device->is_virtual_function
          || !physical_function_read (&pf, setup->root, device->address, NULL))
        continue;
      found++;
      owner = find_owner (config, pf.address);
      g_print (_("%s  %s %s, driver %s: %u of %u virtual functions"), pf.text,
               device->vendor_name, device->device_name,
               device->driver ? device->driver : _("none"), pf.current, pf.total);
      relative = rule_path (&pf);
      full = kvmrt_setup_path (setup, relative);
      if (g_file_test (full, G_FILE_TEST_EXISTS))
        g_print (_(", set at boot by %s"), full);
      if (owner != NULL)
        g_print (_(", passed through to %s"), kvmrt_vm_get_label (owner));
      g_print ("\n");
    }
  if (found == 0)
    g_print (_("No SR-IOV physical function on this host.\n"));
  return KVMRT_EXIT_OK;
}

static int
undo (KvmrtSetup *setup, const PhysicalFunction *pf, KvmrtConfig *config, KvmrtHost *host,
      const char *config_path)
{
  g_autofree char *rule = rule_path (pf);
  g_autoptr(GError) error = NULL;
  int before = rule_read_before (setup, pf);

  if (before < 0)
    {
      g_print (_("%s: no kvmrt-sriov setting to undo.\n"), pf->text);
      return KVMRT_EXIT_OK;
    }
  if ((guint) before != pf->current && !check_not_in_use (pf, config, host, config_path))
    return KVMRT_EXIT_FAILED;
  if (!set_count_now (setup, pf, (guint) before, &error)
      || !kvmrt_setup_remove_file (setup, rule, &error))
    {
      kvmrt_cli_error ("%s", error->message);
      return KVMRT_EXIT_FAILED;
    }
  return KVMRT_EXIT_OK;
}

static int
apply (KvmrtSetup *setup, const PhysicalFunction *pf, guint count, KvmrtConfig *config,
       KvmrtHost *host, const char *config_path)
{
  g_autofree char *rule = rule_path (pf);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  int before = rule_read_before (setup, pf);
  guint original;

  if (count > pf->total)
    {
      kvmrt_cli_error (_("%s offers at most %u virtual functions, not %u"), pf->text,
                       pf->total, count);
      return KVMRT_EXIT_FAILED;
    }
  if (count != pf->current && !check_not_in_use (pf, config, host, config_path))
    return KVMRT_EXIT_FAILED;
  if (!set_count_now (setup, pf, count, &error))
    {
      kvmrt_cli_error (_("%s; the driver of %s may not support SR-IOV, or the firmware "
                         "left it no resources (see dmesg)"), error->message, pf->text);
      return KVMRT_EXIT_FAILED;
    }
  original = before >= 0 ? (guint) before : pf->current;
  /* Back at the original count, there is nothing left for a rule (or --undo) to do. */
  text = rule_text (pf, count, original);
  if (count == original ? !kvmrt_setup_remove_file (setup, rule, &error)
                        : !kvmrt_setup_put_file (setup, rule, text, &error))
    {
      kvmrt_cli_error ("%s", error->message);
      return KVMRT_EXIT_FAILED;
    }
  return KVMRT_EXIT_OK;
}

int
main (int argc, char **argv)
{
  g_auto(KvmrtCli) cli = { 0 };
  g_auto(KvmrtSetup) setup = { 0 };
  g_auto(PhysicalFunction) pf = { 0 };
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  KvmrtPciAddress address;
  guint64 count = 0;
  gboolean failed;
  int status;

  kvmrt_cli_parse (&cli, &argc, &argv, KVMRT_CLI_OPTION_CONFIG,
                   kvmrt_setup_option_entries (&setup), "[PF [N]]",
                   N_("Create N virtual functions on the SR-IOV physical function PF now and at "
                      "every boot (a udev rule), refusing while a configured VM passes the PF or "
                      "one of its virtual functions through. --undo PF puts back the count it "
                      "had before. Without arguments: list the physical functions."));
  kvmrt_setup_finish_options (&setup, &cli);

  host = kvmrt_cli_load_host (&cli, KVMRT_HOST_LOAD_NO_IRQS);
  if (host == NULL)
    return KVMRT_EXIT_USAGE;
  config = kvmrt_setup_load_config (&cli, &failed);
  if (failed)
    return KVMRT_EXIT_USAGE;

  if (cli.args[0] == NULL)
    return list_functions (&setup, host, config);
  if (!kvmrt_pci_address_parse (cli.args[0], &address, &error))
    {
      kvmrt_cli_error ("%s", error->message);
      return KVMRT_EXIT_USAGE;
    }
  if ((setup.undo && cli.args[1] != NULL)
      || (!setup.undo && (cli.args[1] == NULL || cli.args[2] != NULL))
      || (!setup.undo && !g_ascii_string_to_unsigned (cli.args[1], 10, 0, 4096, &count, NULL)))
    {
      kvmrt_cli_error (_("give a physical function and a number of virtual functions "
                         "(kvmrt-sriov 0000:21:00.0 4), or --undo and the physical function "
                         "(see --help)"));
      return KVMRT_EXIT_USAGE;
    }
  if (!physical_function_read (&pf, setup.root, address, &error))
    {
      kvmrt_cli_error ("%s", error->message);
      return KVMRT_EXIT_FAILED;
    }

  status = setup.undo ? undo (&setup, &pf, config, host, cli.config_path)
                      : apply (&setup, &pf, (guint) count, config, host, cli.config_path);
  if (status == KVMRT_EXIT_OK && setup.changes == 0)
    g_print (_("%s: nothing to change.\n"), pf.text);
  return status;
}
