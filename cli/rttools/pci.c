/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci: the host's PCI devices from the kvmrt host model: one line each (endpoints; -a adds
 * bridges), by IOMMU group (-G), or with driver, IRQs, NUMA node, local CPUs, SR-IOV and
 * network interfaces (-v), as appendix B of the manual uses them. */
#include "rttools-cli.h"

#include <glib/gi18n.h>

static gboolean opt_all;
static gboolean opt_groups;
static gboolean opt_verbose;

static const GOptionEntry entries[] = {
  { "all", 'a', 0, G_OPTION_ARG_NONE, &opt_all, N_("Include bridges"), NULL },
  { "groups", 'G', 0, G_OPTION_ARG_NONE, &opt_groups, N_("List the devices by IOMMU group"),
    NULL },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
    N_("Show driver, IRQs, NUMA node, local CPUs, SR-IOV functions and network interfaces"),
    NULL },
  { NULL }
};

static void
append_line (GString *out, const KvmrtPciDevice *d, const char *prefix)
{
  char address[KVMRT_PCI_ADDRESS_STRLEN];
  g_autofree char *class_name = rttools_short_class (d->class_name);

  g_string_append_printf (out, "%s%s %s: %s %s\n", prefix,
                          kvmrt_pci_address_format (d->address, address), class_name,
                          d->vendor_name, d->device_name);
}

/* "0000:21:10.0 (vfio-pci), 0000:21:10.2 (ixgbevf)": the VFs and who uses them. */
static char *
vf_list (KvmrtHost *host, const GArray *addresses)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < addresses->len; i++)
    {
      KvmrtPciAddress address = g_array_index (addresses, KvmrtPciAddress, i);
      const KvmrtPciDevice *vf = kvmrt_host_lookup_pci_device (host, address);
      char buf[KVMRT_PCI_ADDRESS_STRLEN];

      g_string_append_printf (text, "%s%s (%s)", i > 0 ? ", " : "",
                              kvmrt_pci_address_format (address, buf),
                              vf != NULL && vf->driver != NULL ? vf->driver : _("no driver"));
    }
  return g_string_free (text, FALSE);
}

static KvmrtIdSet *
msi_irqs (const KvmrtPciDevice *d)
{
  KvmrtIdSet *set = kvmrt_id_set_new ();

  for (guint i = 0; !d->irqs_legacy && i < d->irqs->len; i++)
    kvmrt_id_set_add (set, g_array_index (d->irqs, guint, i));
  return set;
}

static void
append_verbose (GString *out, KvmrtHost *host, const KvmrtPciDevice *d)
{
  g_autoptr(KvmrtIdSet) msi = msi_irqs (d);
  g_autofree char *msi_text = rttools_set_text (msi, NULL);
  g_autofree char *local = rttools_set_text (d->local_cpus, "-");
  g_autoptr(GArray) vfs = kvmrt_host_get_virtual_functions (host, d->address);
  const char *pad = "              ";

  append_line (out, d, "");
  g_string_append_printf (out, "%s(numa=%d, iommu=%d, driver=%s, irq=%d", pad, d->numa_node,
                          d->iommu_group, d->driver != NULL ? d->driver : "none",
                          MAX (d->irq_file, 0));
  if (msi_text != NULL)
    g_string_append_printf (out, ", msi_irqs=%s", msi_text);
  g_string_append_printf (out, ")\n%slocal_cpus=%s\n", pad, local);
  for (guint i = 0; i < d->interfaces->len; i++)
    {
      const KvmrtNetInterface *net = d->interfaces->pdata[i];

      g_string_append_printf (out, "NIC \"%s\" (%s)\n", net->name,
                              net->mac != NULL ? net->mac : _("no address"));
    }
  if (d->sriov_total_vfs >= 0)
    {
      g_autofree char *list = vf_list (host, vfs);

      g_string_append_printf (out, _("SR-IOV: %d of %d VFs enabled%s%s\n"), d->sriov_num_vfs,
                              d->sriov_total_vfs, vfs->len > 0 ? ": " : "", list);
    }
  if (d->is_virtual_function)
    {
      char address[KVMRT_PCI_ADDRESS_STRLEN];

      g_string_append_printf (out, _("SR-IOV VF of %s\n"),
                              kvmrt_pci_address_format (d->physfn, address));
    }
}

static gboolean
selected (const KvmrtPciDevice *d, GArray *wanted)
{
  if (wanted->len > 0)
    {
      for (guint i = 0; i < wanted->len; i++)
        if (g_array_index (wanted, KvmrtPciAddress, i) == d->address)
          return TRUE;
      return FALSE;
    }
  return opt_all || !d->is_bridge;
}

static int
compare_ints (gconstpointer a, gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

static void
print_groups (KvmrtHost *host, GArray *wanted, GString *out)
{
  GPtrArray *devices = kvmrt_host_get_pci_devices (host);
  g_autoptr(GArray) groups = g_array_new (FALSE, FALSE, sizeof (int));
  gboolean ungrouped = FALSE;

  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *d = devices->pdata[i];

      if (!selected (d, wanted))
        continue;
      if (d->iommu_group < 0)
        ungrouped = TRUE;
      else if (kvmrt_host_get_iommu_group (host, d->iommu_group)->len > 0
               && g_array_index (kvmrt_host_get_iommu_group (host, d->iommu_group),
                                 KvmrtPciAddress, 0) == d->address)
        g_array_append_val (groups, d->iommu_group);
      else
        {
          gboolean known = FALSE;

          for (guint g = 0; g < groups->len; g++)
            known |= g_array_index (groups, int, g) == d->iommu_group;
          if (!known)
            g_array_append_val (groups, d->iommu_group);
        }
    }
  g_array_sort (groups, compare_ints);
  for (guint g = 0; g < groups->len; g++)
    {
      int group = g_array_index (groups, int, g);
      const GArray *members = kvmrt_host_get_iommu_group (host, group);

      g_string_append_printf (out, _("IOMMU Group %d:\n"), group);
      for (guint m = 0; m < members->len; m++)
        {
          const KvmrtPciDevice *d =
            kvmrt_host_lookup_pci_device (host, g_array_index (members, KvmrtPciAddress, m));

          if (d != NULL && selected (d, wanted))
            append_line (out, d, " ");
        }
    }
  if (ungrouped)
    {
      g_string_append (out, _("No IOMMU group:\n"));
      for (guint i = 0; i < devices->len; i++)
        {
          const KvmrtPciDevice *d = devices->pdata[i];

          if (d->iommu_group < 0 && selected (d, wanted))
            append_line (out, d, " ");
        }
    }
}

static void
write_device (KvmrtJsonWriter *w, KvmrtHost *host, const KvmrtPciDevice *d)
{
  g_autoptr(GArray) vfs = kvmrt_host_get_virtual_functions (host, d->address);

  kvmrt_json_writer_begin_object (w);
  kvmrt_json_write_pci_address (w, "address", &d->address);
  kvmrt_json_writer_member_int (w, "vendor_id", d->vendor_id);
  kvmrt_json_writer_member_int (w, "device_id", d->device_id);
  kvmrt_json_writer_member_int (w, "class_code", d->class_code);
  kvmrt_json_writer_member_string (w, "class", d->class_name);
  kvmrt_json_writer_member_string (w, "vendor", d->vendor_name);
  kvmrt_json_writer_member_string (w, "device", d->device_name);
  kvmrt_json_writer_member_bool (w, "bridge", d->is_bridge);
  kvmrt_json_writer_member_int (w, "numa_node", d->numa_node);
  kvmrt_json_writer_member_int (w, "iommu_group", d->iommu_group);
  kvmrt_json_writer_member_string (w, "driver", d->driver);
  kvmrt_json_writer_member_int (w, "irq", d->irq_file);
  kvmrt_json_write_pci_irqs (w, d);
  kvmrt_json_writer_member_id_set (w, "local_cpus", d->local_cpus);
  kvmrt_json_writer_member (w, "sriov");
  if (d->sriov_total_vfs >= 0)
    {
      kvmrt_json_writer_begin_object (w);
      kvmrt_json_writer_member_int (w, "total_vfs", d->sriov_total_vfs);
      kvmrt_json_writer_member_int (w, "num_vfs", d->sriov_num_vfs);
      kvmrt_json_write_pci_addresses (w, "vfs", vfs);
      kvmrt_json_writer_end_object (w);
    }
  else
    kvmrt_json_writer_null (w);
  kvmrt_json_write_pci_address (w, "physfn", d->is_virtual_function ? &d->physfn : NULL);
  kvmrt_json_writer_member (w, "interfaces");
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; i < d->interfaces->len; i++)
    {
      const KvmrtNetInterface *net = d->interfaces->pdata[i];

      kvmrt_json_writer_begin_object (w);
      kvmrt_json_writer_member_string (w, "name", net->name);
      kvmrt_json_writer_member_string (w, "mac", net->mac);
      kvmrt_json_writer_end_object (w);
    }
  kvmrt_json_writer_end_array (w);
  kvmrt_json_writer_end_object (w);
}

static void
write_json (KvmrtHost *host, GArray *wanted, GString *out)
{
  GPtrArray *devices = kvmrt_host_get_pci_devices (host);
  KvmrtJsonWriter w;

  kvmrt_json_writer_init (&w, out);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member (&w, "devices");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < devices->len; i++)
    if (selected (devices->pdata[i], wanted))
      write_device (&w, host, devices->pdata[i]);
  kvmrt_json_writer_end_array (&w);
  rttools_json_finish (&w, out);
}

/* The addresses named on the command line; FALSE after printing why one is not usable. */
static gboolean
parse_addresses (KvmrtHost *host, char **args, GArray *wanted)
{
  for (char **arg = args; *arg != NULL; arg++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *full = strlen (*arg) == 7 ? g_strconcat ("0000:", *arg, NULL)
                                                 : g_strdup (*arg);
      KvmrtPciAddress address;

      if (!kvmrt_pci_address_parse (full, &address, &error))
        {
          kvmrt_cli_error ("%s", error->message);
          return FALSE;
        }
      if (kvmrt_host_lookup_pci_device (host, address) == NULL)
        {
          kvmrt_cli_error (_("the host has no PCI device %s (pci lists them)"), *arg);
          return FALSE;
        }
      g_array_append_val (wanted, address);
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GArray) wanted = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  GPtrArray *devices;
  int status = KVMRT_EXIT_OK;

  rttools_parse (&cli, &argc, &argv, entries, N_("[ADDRESS...]"),
                 N_("Show the host's PCI devices (all, or those at the ADDRESSes given as "
                    "0000:21:00.0 or 21:00.0)."));
  host = kvmrt_cli_load_host (&cli, KVMRT_HOST_LOAD_NO_IRQS | KVMRT_HOST_LOAD_PCI_DETAILS
                                    | KVMRT_HOST_LOAD_ONLINE_LIST);
  if (host == NULL || !parse_addresses (host, cli.args, wanted))
    {
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  devices = kvmrt_host_get_pci_devices (host);
  if (cli.json)
    write_json (host, wanted, out);
  else if (opt_groups)
    print_groups (host, wanted, out);
  else
    for (guint i = 0; i < devices->len; i++)
      {
        const KvmrtPciDevice *d = devices->pdata[i];

        if (!selected (d, wanted))
          continue;
        if (opt_verbose)
          append_verbose (out, host, d);
        else
          append_line (out, d, "");
      }
  rttools_print (out);
  kvmrt_cli_clear (&cli);
  return status;
}
