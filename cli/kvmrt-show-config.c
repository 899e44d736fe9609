/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-show-config: the configuration as kvmrt interprets it on this host, every "auto"
 * resolved, with the real-time policy each VM gets. */
#include "kvmrt-cli.h"
#include "kvmrt-tuner.h"

#include <glib/gi18n.h>
#include <stdio.h>

static gboolean opt_verbose;
static gboolean opt_host;

static const GOptionEntry extra_entries[] = {
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
    N_("Show every attribute and the full plan of each VM"), NULL },
  { "host", 0, 0, G_OPTION_ARG_NONE, &opt_host,
    N_("Show the host's NUMA nodes, cores, CPUs and PCI devices instead (with -a, bridges "
       "too)"), NULL },
  { NULL }
};

/* A table column: header and one cell per row. */
typedef struct {
  const char *header;
  GPtrArray  *cells;
} Column;

static char *
set_text (const KvmrtIdSet *set, const char *empty)
{
  if (set == NULL || kvmrt_id_set_is_empty (set))
    return g_strdup (empty);
  return kvmrt_id_set_to_string (set);
}

/* Where a VM's threads may run: the cpuset, less real-time CPUs for one that is not
 * real-time; an empty cpuset is the pool no real-time VM owns. */
static char *
effective_text (const KvmrtVmPlan *p)
{
  g_autofree char *cpus = set_text (p->effective_cpus, NULL);

  if (p->rt || !kvmrt_id_set_is_empty (p->cpus))
    return set_text (p->effective_cpus, _("any"));
  if (cpus == NULL)
    return g_strdup (_("any (real-time VMs own every CPU)"));
  return g_strdup_printf (_("any CPU not owned by a real-time VM (%s)"), cpus);
}

static const char *
yes_no (gboolean value)
{
  return value ? _("yes") : _("no");
}

static char *
auto_mark (char *text, gboolean is_auto)
{
  char *marked;

  if (!is_auto)
    return text;
  marked = g_strconcat (text, "*", NULL);
  g_free (text);
  return marked;
}

static void
print_table (KvmrtPlan *plan, GPtrArray *vms)
{
  Column columns[] = {
    { N_("NAME") }, { N_("RT") }, { N_("VCPUS") }, { N_("TOPOLOGY") }, { N_("CPUSET") },
    { N_("HOST CPUS") }, { N_("MEM NODES") }, { N_("LOCKED") }, { N_("AUTOSTART") },
    { N_("PCI") },
  };
  guint n_columns = G_N_ELEMENTS (columns);
  gboolean any_auto = FALSE;

  for (guint c = 0; c < n_columns; c++)
    columns[c].cells = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < vms->len; i++)
    {
      const KvmrtVmPlan *p = kvmrt_plan_lookup (plan, vms->pdata[i]);
      KvmrtVm *vm = p->vm;
      g_autofree char *cpuset = kvmrt_cpu_set_to_string (kvmrt_vm_get_cpuset (vm));
      gboolean vcpus_auto = kvmrt_vm_get_nr_vcpus (vm) == 0;
      gboolean topo_auto = kvmrt_vm_get_cpu_topology (vm).sockets == 0;
      gboolean numa_auto = kvmrt_vm_get_numatune (vm) == NULL;
      gboolean mem_auto = kvmrt_vm_get_rt_memory (vm) == KVMRT_TRISTATE_AUTO;

      any_auto |= vcpus_auto || topo_auto || numa_auto || mem_auto;
      g_ptr_array_add (columns[0].cells,
                       g_strdup_printf ("%s%s", kvmrt_vm_get_label (vm),
                                        kvmrt_vm_get_disabled (vm) ? _(" (disabled)") : ""));
      g_ptr_array_add (columns[1].cells, g_strdup (yes_no (p->rt)));
      g_ptr_array_add (columns[2].cells, auto_mark (g_strdup_printf ("%u", p->nr_vcpus),
                                                    vcpus_auto));
      g_ptr_array_add (columns[3].cells,
                       auto_mark (g_strdup_printf ("%u,%u,%u", p->topology.sockets,
                                                   p->topology.cores, p->topology.threads),
                                  topo_auto));
      g_ptr_array_add (columns[4].cells, g_strdup (*cpuset ? cpuset : "-"));
      g_ptr_array_add (columns[5].cells, effective_text (p));
      g_ptr_array_add (columns[6].cells, auto_mark (set_text (p->numatune, _("any")), numa_auto));
      g_ptr_array_add (columns[7].cells, auto_mark (g_strdup (yes_no (p->rt_memory)), mem_auto));
      g_ptr_array_add (columns[8].cells, g_strdup (yes_no (kvmrt_vm_get_autostart (vm))));
      g_ptr_array_add (columns[9].cells,
                       g_strdup_printf ("%u", kvmrt_vm_get_pcidevs (vm)->len));
    }

  /* Column widths once, then the rows into one buffer: both linear in the number of VMs. */
  {
    g_autofree guint *widths = g_new0 (guint, n_columns);
    g_autoptr(GString) out = g_string_new (NULL);

    for (guint c = 0; c < n_columns; c++)
      {
        widths[c] = g_utf8_strlen (_(columns[c].header), -1);
        for (guint r = 0; r < vms->len; r++)
          widths[c] = MAX (widths[c], g_utf8_strlen (columns[c].cells->pdata[r], -1));
      }
    for (guint row = 0; row <= vms->len; row++)
      {
        for (guint c = 0; c < n_columns; c++)
          {
            const char *cell = row == 0 ? _(columns[c].header)
                                        : columns[c].cells->pdata[row - 1];

            g_string_append (out, cell);
            if (c + 1 < n_columns)
              for (guint pad = g_utf8_strlen (cell, -1); pad < widths[c] + 2; pad++)
                g_string_append_c (out, ' ');
          }
        g_string_append_c (out, '\n');
      }
    fwrite (out->str, 1, out->len, stdout);
  }
  if (any_auto)
    g_print (_("* resolved from auto\n"));

  for (guint c = 0; c < n_columns; c++)
    g_ptr_array_unref (columns[c].cells);
}

static char *
describe_pins (const KvmrtVmPlan *p)
{
  GString *s = g_string_new (NULL);
  gboolean all_same = TRUE;

  for (guint i = 1; i < p->vcpu_pins->len; i++)
    all_same &= kvmrt_id_set_equal (p->vcpu_pins->pdata[0], p->vcpu_pins->pdata[i]);
  if (!p->rt && all_same && p->vcpu_pins->len > 0)
    {
      g_autofree char *cpus = set_text (p->vcpu_pins->pdata[0], NULL);

      if (cpus == NULL)
        g_string_append (s, _("every vCPU on any host CPU"));
      else
        g_string_append_printf (s, _("every vCPU on %s"), cpus);
      return g_string_free (s, FALSE);
    }
  for (guint i = 0; i < p->vcpu_pins->len; i++)
    {
      g_autofree char *cpus = set_text (p->vcpu_pins->pdata[i], _("any"));

      g_string_append_printf (s, "%s%u:%s", i ? " " : "", i, cpus);
    }
  return g_string_free (s, FALSE);
}

static void
print_rt_policy (KvmrtPlan *plan, GPtrArray *vms)
{
  gboolean header = FALSE;

  for (guint i = 0; i < vms->len; i++)
    {
      const KvmrtVmPlan *p = kvmrt_plan_lookup (plan, vms->pdata[i]);
      g_autofree char *shielded = NULL;
      g_autofree char *offline = NULL;
      g_autofree char *pins = NULL;
      g_autofree char *emulator = NULL;

      if (!p->rt || kvmrt_id_set_is_empty (p->usable_cpus))
        continue;
      if (!header)
        g_print (_("\nReal-time policy:\n"));
      header = TRUE;
      shielded = set_text (p->shielded_cpus, "-");
      offline = set_text (p->offline_cpus, _("none"));
      pins = describe_pins (p);
      emulator = set_text (p->emulator_cpus, "-");
      g_print (_("  %s: shield CPUs %s, take %s offline, memory %s\n"
                 "    vCPU:host %s; emulator and I/O threads on %s; "),
               kvmrt_vm_get_label (p->vm), shielded, offline,
               p->rt_memory ? _("locked") : _("NOT locked"), pins, emulator);
      if (kvmrt_vm_get_pcidevs (p->vm)->len > 0)
        g_print (_("its device IRQs on CPU %d, all other IRQs kept off its CPUs\n"),
                 p->irq_cpu);
      else
        g_print (_("every IRQ kept off its CPUs\n"));
    }
}

/* ", IRQs 265-269, enp33s0f0": what the host inventory adds to a device's line. */
static void
print_inventory_details (const KvmrtPciDevice *dev)
{
  if (dev->irqs->len > 0)
    {
      g_autoptr(KvmrtIdSet) irqs = kvmrt_id_set_new ();
      g_autofree char *text = NULL;

      for (guint i = 0; i < dev->irqs->len; i++)
        kvmrt_id_set_add (irqs, g_array_index (dev->irqs, guint, i));
      text = kvmrt_id_set_to_string (irqs);
      g_print (dev->irqs->len == 1 ? _(", IRQ %s") : _(", IRQs %s"), text);
    }
  for (guint i = 0; dev->interfaces != NULL && i < dev->interfaces->len; i++)
    g_print (", %s", ((const KvmrtNetInterface *) dev->interfaces->pdata[i])->name);
  if (dev->boot_vga)
    g_print (_(", boot display"));
}

static void
print_device_line (KvmrtHost *host, KvmrtPciAddress addr, const char *indent,
                   gboolean inventory)
{
  const KvmrtPciDevice *dev = kvmrt_host_lookup_pci_device (host, addr);
  char text[KVMRT_PCI_ADDRESS_STRLEN];

  kvmrt_pci_address_format (addr, text);
  if (dev == NULL)
    {
      g_print (_("%s%s  (not on this host)\n"), indent, text);
      return;
    }
  g_print ("%s%s  %s: %s %s  [", indent, text, dev->class_name, dev->vendor_name,
           dev->device_name);
  if (dev->numa_node >= 0)
    g_print (_("node %d"), dev->numa_node);
  else
    g_print (_("no node"));
  if (dev->iommu_group >= 0)
    g_print (_(", IOMMU group %d"), dev->iommu_group);
  g_print (", %s", dev->driver ? dev->driver : _("no driver"));
  if (inventory)
    print_inventory_details (dev);
  g_print ("]\n");
  if (inventory && dev->host_needs_detail != NULL)
    g_print (_("%s    the host runs on it: %s\n"), indent, dev->host_needs_detail);
}

/* What booting a real-time VM will change on this host now (the tuner's own computation). */
static void
print_boot_changes (const char *sysroot, KvmrtHost *host, const KvmrtVmPlan *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = kvmrt_tuner_preview (sysroot, host, p, &error);

  if (lines == NULL)
    {
      g_print (_("  At boot:        unknown (%s)\n"), error->message);
      return;
    }
  if (lines->len == 0)
    {
      g_print (_("  At boot:        nothing to change on this host\n"));
      return;
    }
  g_print (_("  At boot:\n"));
  for (guint i = 0; i < lines->len; i++)
    g_print ("    %s\n", (char *) lines->pdata[i]);
}

static void
print_verbose (const char *sysroot, KvmrtHost *host, KvmrtPlan *plan, GPtrArray *vms)
{
  for (guint i = 0; i < vms->len; i++)
    {
      const KvmrtVmPlan *p = kvmrt_plan_lookup (plan, vms->pdata[i]);
      KvmrtVm *vm = p->vm;
      const GArray *devs = kvmrt_vm_get_pcidevs (vm);
      g_autofree char *heading = kvmrt_vm_format_heading (kvmrt_vm_get_name (vm),
                                                          kvmrt_vm_get_uuid (vm));
      g_autofree char *cpuset = kvmrt_cpu_set_to_string (kvmrt_vm_get_cpuset (vm));
      g_autofree char *cpus = effective_text (p);
      g_autofree char *pins = describe_pins (p);
      g_autofree char *emulator = set_text (p->emulator_cpus, _("any"));
      g_autofree char *numa = set_text (p->numatune, NULL);
      const char *a = _(" (auto)");

      if (i > 0)
        g_print ("\n");
      g_print ("%s%s\n", heading, kvmrt_vm_get_disabled (vm) ? _(" (disabled)") : "");
      g_print (_("  Title:          %s\n"), kvmrt_vm_get_title (vm));
      g_print (_("  Description:    %s\n"), kvmrt_vm_get_description (vm));
      if (p->rt)
        g_print (_("  Real-time:      yes (vCPU threads SCHED_FIFO, priority %u)\n"),
                 p->rt_priority);
      else
        g_print (_("  Real-time:      no\n"));
      g_print (_("  vCPUs:          %u%s\n"), p->nr_vcpus,
               kvmrt_vm_get_nr_vcpus (vm) == 0 ? a : "");
      g_print (_("  Topology:       sockets %u, cores %u, threads %u%s\n"),
               p->topology.sockets, p->topology.cores, p->topology.threads,
               kvmrt_vm_get_cpu_topology (vm).sockets == 0 ? a : "");
      if (*cpuset != '\0' && !p->rt && !kvmrt_id_set_equal (p->cpus, p->effective_cpus))
        {
          g_autofree char *written = set_text (p->cpus, "-");

          g_print (_("  cpuset:         %s = CPUs %s, without real-time CPUs %s\n"), cpuset,
                   written, cpus);
        }
      else if (*cpuset == '\0')
        g_print (_("  cpuset:         \"\" = %s\n"), cpus);
      else
        g_print (_("  cpuset:         %s = CPUs %s\n"), cpuset, cpus);
      g_print (_("  vCPU pins:      %s\n"), pins);
      g_print (_("  Emulator, I/O:  %s\n"), emulator);
      if (p->rt)
        {
          g_autofree char *shielded = set_text (p->shielded_cpus, "-");
          g_autofree char *offline = set_text (p->offline_cpus, _("none"));

          g_print (_("  Shielded CPUs:  %s\n"), shielded);
          g_print (_("  Taken offline:  %s\n"), offline);
          /* Without devices there are no device IRQs to place. */
          if (p->irq_cpu >= 0 && devs->len > 0)
            g_print (_("  Device IRQs on: CPU %d\n"), p->irq_cpu);
          print_boot_changes (sysroot, host, p);
        }
      g_print (_("  Memory:         %s%s; %s%s%s\n"),
               p->rt_memory ? _("locked") : _("not locked"),
               kvmrt_vm_get_rt_memory (vm) == KVMRT_TRISTATE_AUTO ? a : "",
               numa ? _("from NUMA nodes ") : _("from any NUMA node"), numa ? numa : "",
               kvmrt_vm_get_numatune (vm) == NULL ? a : "");
      g_print (_("  Hide KVM:       %s\n"), yes_no (kvmrt_vm_get_hide_kvm (vm)));
      g_print (_("  Guest services: %s\n"), yes_no (kvmrt_vm_get_guest_services (vm)));
      g_print (_("  Autostart:      %s\n"), yes_no (kvmrt_vm_get_autostart (vm)));
      if (devs->len == 0)
        g_print (_("  PCI devices:    none\n"));
      else
        g_print (_("  PCI devices:\n"));
      for (guint d = 0; d < devs->len; d++)
        print_device_line (host, g_array_index (devs, KvmrtPciAddress, d), "    ", FALSE);
      if (*kvmrt_vm_get_comments (vm))
        {
          g_auto(GStrv) lines = g_strsplit (kvmrt_vm_get_comments (vm), "\n", -1);
          g_autofree char *joined = g_strjoinv ("\n                  ", lines);

          g_print (_("  Comments:       %s\n"), joined);
        }
    }
}

/* Bridges only with -a: they are never passed to a VM. */
static gboolean
listed (const KvmrtPciDevice *dev, gboolean all)
{
  return all || !dev->is_bridge;
}

static void
print_host (KvmrtHost *host, gboolean all)
{
  const KvmrtIdSet *nodes = kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE);
  GPtrArray *devices = kvmrt_host_get_pci_devices (host);
  g_autofree char *online = set_text (kvmrt_host_get_online_cpus (host), _("none"));

  g_print ("%s: %s, %s\n",
           kvmrt_host_get_hostname (host) ? kvmrt_host_get_hostname (host) : _("(unknown host)"),
           kvmrt_host_get_machine (host) ? kvmrt_host_get_machine (host) : _("unknown board"),
           kvmrt_host_get_cpu_model (host) ? kvmrt_host_get_cpu_model (host) : _("unknown CPU"));
  g_print (_("%u CPUs (online: %s), %u cores, packages: %u, NUMA nodes: %u, SMT %s\n"),
           kvmrt_id_set_count (kvmrt_host_get_cpus (host)), online,
           kvmrt_id_set_count (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_CORE)),
           kvmrt_id_set_count (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_PACKAGE)),
           kvmrt_id_set_count (nodes), kvmrt_host_has_smt (host) ? _("on") : _("off"));

  for (int n = kvmrt_id_set_first (nodes); n >= 0; n = kvmrt_id_set_next (nodes, n))
    {
      const KvmrtIdSet *cpus = kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE, n);
      g_autoptr(KvmrtIdSet) cores = kvmrt_id_set_new ();
      g_autofree char *cpu_text = NULL;
      g_autofree char *core_text = NULL;

      for (int c = kvmrt_id_set_first (cpus); c >= 0; c = kvmrt_id_set_next (cpus, c))
        kvmrt_id_set_add (cores, kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_CORE, c));
      cpu_text = set_text (cpus, "-");
      core_text = set_text (cores, "-");
      g_print (_("\nNUMA node %d (%" G_GUINT64_FORMAT " MiB): cores %s, CPUs %s\n"), n,
               kvmrt_host_get_node_memory (host, n) >> 20, core_text, cpu_text);
      for (guint d = 0; d < devices->len; d++)
        {
          const KvmrtPciDevice *dev = devices->pdata[d];

          if (dev->numa_node == n && listed (dev, all))
            print_device_line (host, dev->address, "  ", TRUE);
        }
    }

  for (guint d = 0, header = 0; d < devices->len; d++)
    {
      const KvmrtPciDevice *dev = devices->pdata[d];

      if (dev->numa_node >= 0 || !listed (dev, all))
        continue;
      if (!header++)
        g_print (_("\nDevices without a NUMA node:\n"));
      print_device_line (host, dev->address, "  ", TRUE);
    }
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autoptr(GPtrArray) vms = NULL;

  kvmrt_cli_parse (&cli, &argc, &argv,
                   KVMRT_CLI_OPTION_CONFIG | KVMRT_CLI_OPTION_CONNECT | KVMRT_CLI_OPTION_SYSROOT
                   | KVMRT_CLI_OPTION_OFFLINE | KVMRT_CLI_OPTION_JSON | KVMRT_CLI_OPTION_ALL,
                   extra_entries, N_("[VM...]"),
                   N_("Show the VMs of a KVM-RT configuration as kvmrt will run them on this "
                      "host: every auto value resolved, the host CPUs of each vCPU, and the "
                      "real-time policy. VMs may be given by name or UUID."));

  if (opt_host)
    {
      host = kvmrt_cli_load_host (&cli, KVMRT_HOST_LOAD_NO_IRQS | KVMRT_HOST_LOAD_PCI_DETAILS);
      if (host == NULL)
        return KVMRT_EXIT_USAGE;
      if (cli.json)
        {
          g_autoptr(GString) text = g_string_new (NULL);
          KvmrtJsonWriter w;

          kvmrt_json_writer_init (&w, text);
          kvmrt_json_write_host (&w, host, cli.all);
          kvmrt_json_writer_clear (&w);
          fwrite (text->str, 1, text->len, stdout);
        }
      else
        print_host (host, cli.all);
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_OK;
    }

  config = kvmrt_cli_load_config (&cli);
  if (config == NULL)
    return KVMRT_EXIT_USAGE;
  vms = kvmrt_cli_select_vms (&cli, config);
  if (vms == NULL)
    return KVMRT_EXIT_USAGE;
  /* -v previews the IRQs the tuning moves. */
  host = kvmrt_cli_load_host (&cli, opt_verbose && !cli.json ? KVMRT_HOST_LOAD_DEFAULT
                                                             : KVMRT_HOST_LOAD_NO_IRQS);
  if (host == NULL)
    return KVMRT_EXIT_USAGE;
  plan = kvmrt_plan_new (config, host);

  if (cli.json)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      KvmrtJsonWriter w;

      kvmrt_json_writer_init (&w, text);
      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member (&w, "vms");
      kvmrt_json_writer_begin_array (&w);
      for (guint i = 0; i < vms->len; i++)
        kvmrt_json_write_vm_plan (&w, kvmrt_plan_lookup (plan, vms->pdata[i]));
      kvmrt_json_writer_end_array (&w);
      kvmrt_json_writer_end_object (&w);
      kvmrt_json_writer_clear (&w);
      fwrite (text->str, 1, text->len, stdout);
    }
  else if (vms->len == 0)
    g_print (_("%s has no enabled VMs (--all shows disabled ones too).\n"), cli.config_path);
  else if (opt_verbose)
    print_verbose (cli.sysroot, host, plan, vms);
  else
    {
      print_table (plan, vms);
      print_rt_policy (plan, vms);
    }

  kvmrt_cli_clear (&cli);
  return KVMRT_EXIT_OK;
}
