/* SPDX-License-Identifier: GPL-2.0-or-later */
/* irqs: each IRQ of the host with its actions, device, affinity, effective affinity and its
 * count on each CPU (the CPUs where it fired), from the kvmrt host model. */
#include "rttools-cli.h"

#include <glib/gi18n.h>

/* The device (address) whose IRQs hold @number, or NULL. */
static const KvmrtPciDevice *
device_of (KvmrtHost *host, int number)
{
  GPtrArray *devices = kvmrt_host_get_pci_devices (host);

  for (guint i = 0; number >= 0 && i < devices->len; i++)
    {
      const KvmrtPciDevice *d = devices->pdata[i];

      for (guint k = 0; k < d->irqs->len; k++)
        if (g_array_index (d->irqs, guint, k) == (guint) number)
          return d;
    }
  return NULL;
}

static guint64
total (const KvmrtIrq *irq)
{
  guint64 sum = 0;

  for (guint i = 0; i < irq->counts->len; i++)
    sum += g_array_index (irq->counts, guint64, i);
  return sum;
}

/* "16:1234 48:9": the CPUs where it fired and how often. */
static char *
counts_text (KvmrtHost *host, const KvmrtIrq *irq)
{
  const GArray *columns = kvmrt_host_get_irq_cpus (host);
  GString *text = g_string_new (NULL);

  if (irq->counts->len == 1 && columns->len != 1)
    return g_string_free (text, FALSE);   /* ERR, MIS: a total only */
  for (guint i = 0; i < irq->counts->len && i < columns->len; i++)
    {
      guint64 count = g_array_index (irq->counts, guint64, i);

      if (count > 0)
        g_string_append_printf (text, "%s%u:%" G_GUINT64_FORMAT, text->len > 0 ? " " : "",
                                g_array_index (columns, guint, i), count);
    }
  return g_string_free (text, FALSE);
}

static gboolean
selected (const KvmrtIrq *irq, char **args)
{
  if (args[0] == NULL)
    return TRUE;
  for (char **arg = args; *arg != NULL; arg++)
    if (g_ascii_strcasecmp (*arg, irq->name) == 0)
      return TRUE;
  return FALSE;
}

static void
print_table (KvmrtHost *host, char **args, GString *out)
{
  GPtrArray *irqs = kvmrt_host_get_irqs (host);

  g_string_append (out, _("IRQ    AFFINITY     EFFECTIVE  DEVICE        TOTAL       NAME\n"));
  for (guint i = 0; i < irqs->len; i++)
    {
      const KvmrtIrq *irq = irqs->pdata[i];
      const KvmrtPciDevice *device = device_of (host, irq->number);
      g_autofree char *affinity = rttools_set_text (irq->affinity, "-");
      g_autofree char *effective = rttools_set_text (irq->effective_affinity, "-");
      g_autofree char *counts = counts_text (host, irq);
      char address[KVMRT_PCI_ADDRESS_STRLEN] = "-";
      const char *name = irq->actions != NULL ? irq->actions
                         : irq->description != NULL ? irq->description : "-";

      if (!selected (irq, args))
        continue;
      if (device != NULL)
        kvmrt_pci_address_format (device->address, address);
      g_string_append_printf (out, "%-6s %-12s %-10s %-13s %-11" G_GUINT64_FORMAT " %s\n",
                              irq->name, affinity, effective, address, total (irq), name);
      if (*counts != '\0')
        g_string_append_printf (out, _("       per CPU: %s\n"), counts);
    }
}

static void
write_json (KvmrtHost *host, char **args, GString *out)
{
  GPtrArray *irqs = kvmrt_host_get_irqs (host);
  const GArray *columns = kvmrt_host_get_irq_cpus (host);
  KvmrtJsonWriter w;

  kvmrt_json_writer_init (&w, out);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member (&w, "columns");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < columns->len; i++)
    kvmrt_json_writer_int (&w, g_array_index (columns, guint, i));
  kvmrt_json_writer_end_array (&w);
  kvmrt_json_writer_member (&w, "irqs");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < irqs->len; i++)
    {
      const KvmrtIrq *irq = irqs->pdata[i];
      const KvmrtPciDevice *device = device_of (host, irq->number);

      if (!selected (irq, args))
        continue;
      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_string (&w, "name", irq->name);
      kvmrt_json_writer_member_int_or_null (&w, "number", irq->number);
      kvmrt_json_writer_member_string (&w, "chip", irq->chip);
      kvmrt_json_writer_member_string (&w, "hwirq", irq->hwirq);
      kvmrt_json_writer_member_string (&w, "actions", irq->actions);
      kvmrt_json_writer_member_string (&w, "description", irq->description);
      kvmrt_json_write_pci_address (&w, "device", device != NULL ? &device->address : NULL);
      kvmrt_json_writer_member_id_set (&w, "affinity", irq->affinity);
      kvmrt_json_writer_member_id_set (&w, "effective_affinity", irq->effective_affinity);
      kvmrt_json_writer_member (&w, "counts");
      kvmrt_json_writer_begin_array (&w);
      for (guint c = 0; c < irq->counts->len; c++)
        kvmrt_json_writer_int (&w, g_array_index (irq->counts, guint64, c));
      kvmrt_json_writer_end_array (&w);
      kvmrt_json_writer_member_int (&w, "total", total (irq));
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

  rttools_parse (&cli, &argc, &argv, NULL, N_("[IRQ...]"),
                 N_("Show the host's IRQs (all, or those named, as 24 or LOC): actions, "
                    "device, affinity, effective affinity and the count on each CPU."));
  host = kvmrt_cli_load_host (&cli, KVMRT_HOST_LOAD_DEFAULT);
  if (host == NULL)
    {
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  for (char **arg = cli.args; *arg != NULL; arg++)
    {
      GPtrArray *irqs = kvmrt_host_get_irqs (host);
      gboolean found = FALSE;

      for (guint i = 0; i < irqs->len && !found; i++)
        found = g_ascii_strcasecmp (((KvmrtIrq *) irqs->pdata[i])->name, *arg) == 0;
      if (!found)
        {
          kvmrt_cli_error (_("the host has no IRQ “%s” (irqs lists them)"), *arg);
          kvmrt_cli_clear (&cli);
          return KVMRT_EXIT_USAGE;
        }
    }
  if (cli.json)
    write_json (host, cli.args, out);
  else
    print_table (host, cli.args, out);
  rttools_print (out);
  kvmrt_cli_clear (&cli);
  return KVMRT_EXIT_OK;
}
