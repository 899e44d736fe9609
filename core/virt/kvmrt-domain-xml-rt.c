/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A real-time guest as libvirt's kvm-realtime guide describes it. For a real-time VM the sync
 * writes what only changes how QEMU runs the guest: the host's CPU model with the TSC deadline
 * timer required, no PMU, no memory balloon, no page sharing, huge pages where its NUMA nodes
 * have them reserved, and SCHED_FIFO for its vCPUs where libvirt may set it. What would change
 * the guest's hardware as the user chose it (NIC and display models) or needs the host changed
 * (reserving huge pages) is advice for the validator instead, with the XML or command to use.
 * A VM that is not real-time is left as it is, except that a FIFO or RR vcpusched (which
 * would let its vCPUs starve the host's shared CPUs) is removed. */
#include "kvmrt-domain-xml-private.h"

#include <string.h>

#include "kvmrt-host-check.h"
#include "kvmrt-i18n.h"

/* Huge page sizes tried, largest first (KiB). */
static const guint64 page_sizes[] = { 1048576, 2048 };

/* The SCHED_FIFO priority recorded for real-time vCPUs: the VM's rt_priority, which the tuner
 * gives them too. */
static guint
vcpu_priority (const KvmrtVmPlan *plan)
{
  return plan->rt_priority;
}

static xmlNodePtr
devices_of (xmlNodePtr root)
{
  return kvmrt_xml_child (root, "devices");
}

/* <cpu mode='host-passthrough'> with <feature policy='require' name='tsc-deadline'/>. The
 * model and vendor of another mode mean nothing there and go. */
static void
sync_cpu (KvmrtDomainSync *s, xmlNodePtr root)
{
  xmlNodePtr cpu = kvmrt_xml_child (root, "cpu");
  g_autofree char *mode = kvmrt_xml_get_prop (cpu, "mode");
  xmlNodePtr tsc = NULL;
  g_autofree char *policy = NULL;

  if (kvmrt_domain_sync_differs (s, KVMRT_DOMAIN_FIELD_CPU_MODE, KVMRT_VM_ATTR_RT,
                                 g_strdup (mode != NULL ? mode : "none"),
                                 g_strdup ("host-passthrough")))
    {
      cpu = kvmrt_xml_ensure_child (root, "cpu");
      xmlSetProp (cpu, BAD_CAST "mode", BAD_CAST "host-passthrough");
      xmlUnsetProp (cpu, BAD_CAST "match");
      kvmrt_xml_remove_children (cpu, "model");
      kvmrt_xml_remove_children (cpu, "vendor");
    }
  for (xmlNodePtr n = cpu != NULL ? cpu->children : NULL; n != NULL; n = n->next)
    {
      g_autofree char *name = NULL;

      if (n->type != XML_ELEMENT_NODE || xmlStrcmp (n->name, BAD_CAST "feature") != 0)
        continue;
      name = kvmrt_xml_get_prop (n, "name");
      if (g_strcmp0 (name, "tsc-deadline") == 0)
        {
          tsc = n;
          policy = kvmrt_xml_get_prop (n, "policy");
          break;
        }
    }
  if (kvmrt_domain_sync_differs (s, KVMRT_DOMAIN_FIELD_TSC_DEADLINE, KVMRT_VM_ATTR_RT,
                                 g_strdup (tsc == NULL ? "absent"
                                                       : policy != NULL ? policy : "require"),
                                 g_strdup ("require")))
    {
      if (tsc == NULL)
        {
          tsc = xmlNewChild (kvmrt_xml_ensure_child (root, "cpu"), NULL, BAD_CAST "feature",
                             NULL);
          xmlNewProp (tsc, BAD_CAST "name", BAD_CAST "tsc-deadline");
        }
      xmlSetProp (tsc, BAD_CAST "policy", BAD_CAST "require");
    }
}

/* <features><pmu state='off'/>: a virtual PMU costs exits on every counter access. */
static void
sync_pmu (KvmrtDomainSync *s, xmlNodePtr root)
{
  xmlNodePtr pmu = kvmrt_xml_child (kvmrt_xml_child (root, "features"), "pmu");
  g_autofree char *state = kvmrt_xml_get_prop (pmu, "state");

  if (kvmrt_domain_sync_differs (s, KVMRT_DOMAIN_FIELD_PMU, KVMRT_VM_ATTR_RT,
                                 g_strdup (pmu == NULL ? "default"
                                                       : state != NULL ? state : "on"),
                                 g_strdup ("off")))
    xmlSetProp (kvmrt_xml_ensure_child (kvmrt_xml_ensure_child (root, "features"), "pmu"),
                BAD_CAST "state", BAD_CAST "off");
}

/* <memballoon model='none'/>: without one libvirt adds a virtio balloon, and locked memory
 * cannot be ballooned anyway. */
static void
sync_memballoon (KvmrtDomainSync *s, xmlNodePtr root)
{
  xmlNodePtr balloon = kvmrt_xml_child (devices_of (root), "memballoon");
  g_autofree char *model = kvmrt_xml_get_prop (balloon, "model");

  if (!kvmrt_domain_sync_differs (s, KVMRT_DOMAIN_FIELD_MEMBALLOON, KVMRT_VM_ATTR_RT,
                                  g_strdup (balloon == NULL ? "default"
                                                            : model != NULL ? model : "?"),
                                  g_strdup ("none")))
    return;
  if (balloon != NULL)
    {
      xmlUnlinkNode (balloon);
      xmlFreeNode (balloon);
    }
  balloon = xmlNewChild (kvmrt_xml_ensure_child (root, "devices"), NULL,
                         BAD_CAST "memballoon", NULL);
  xmlNewProp (balloon, BAD_CAST "model", BAD_CAST "none");
}

/* The domain's memory in KiB, from <memory unit=...>. */
static guint64
memory_kib (xmlNodePtr root)
{
  static const struct { const char *unit; guint64 bytes; } units[] = {
    { "b", 1 }, { "bytes", 1 }, { "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 },
    { "MB", 1000000 }, { "M", 1 << 20 }, { "MiB", 1 << 20 }, { "GB", 1000000000 },
    { "G", 1 << 30 }, { "GiB", 1 << 30 }, { "TB", G_GUINT64_CONSTANT (1000000000000) },
    { "T", G_GUINT64_CONSTANT (1) << 40 }, { "TiB", G_GUINT64_CONSTANT (1) << 40 },
  };
  xmlNodePtr memory = kvmrt_xml_child (root, "memory");
  g_autofree char *unit = kvmrt_xml_get_prop (memory, "unit");
  xmlChar *text = memory != NULL ? xmlNodeGetContent (memory) : NULL;
  guint64 value = text != NULL ? g_ascii_strtoull ((const char *) text, NULL, 10) : 0;
  guint64 scale = 1024;

  xmlFree (text);
  for (guint i = 0; unit != NULL && i < G_N_ELEMENTS (units); i++)
    if (g_ascii_strcasecmp (unit, units[i].unit) == 0 && strlen (unit) == strlen (units[i].unit))
      scale = units[i].bytes;
  return value / 1024 * scale + (value % 1024) * scale / 1024;
}

/* The nodes the VM's memory comes from: its numatune, else the nodes of its CPUs. */
static const KvmrtIdSet *
memory_nodes (const KvmrtVmPlan *plan)
{
  if (plan->numatune != NULL && !kvmrt_id_set_is_empty (plan->numatune))
    return plan->numatune;
  return plan->nodes;
}

static guint64
free_pages (const KvmrtVmPlan *plan, guint64 page_kib)
{
  const KvmrtIdSet *nodes = memory_nodes (plan);
  guint64 total = 0;

  for (int n = kvmrt_id_set_first (nodes); n >= 0; n = kvmrt_id_set_next (nodes, n))
    {
      guint64 free_here = 0;

      kvmrt_host_get_node_hugepages (plan->host, n, page_kib, &free_here);
      total += free_here;
    }
  return total;
}

/* The largest page size of which the VM's nodes have enough free pages, or 0. */
static guint64
usable_page_size (const KvmrtVmPlan *plan, guint64 kib)
{
  if (kib == 0)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (page_sizes); i++)
    if (kib % page_sizes[i] == 0 && free_pages (plan, page_sizes[i]) >= kib / page_sizes[i])
      return page_sizes[i];
  return 0;
}

/* <memoryBacking><hugepages><page size=.../></hugepages><nosharepages/>. Huge pages are added
 * only when the nodes have them free and never taken away: a running VM holds its pages, so
 * they no longer show as free. */
static void
sync_memory_backing (KvmrtDomainSync *s, const KvmrtVmPlan *plan, xmlNodePtr root)
{
  xmlNodePtr backing = kvmrt_xml_child (root, "memoryBacking");
  gboolean has_hugepages = kvmrt_xml_child (backing, "hugepages") != NULL;
  gboolean shares = kvmrt_xml_child (backing, "nosharepages") == NULL;
  guint64 page_kib = has_hugepages ? 0 : usable_page_size (plan, memory_kib (root));

  if (page_kib != 0
      && kvmrt_domain_sync_differs (s, KVMRT_DOMAIN_FIELD_HUGEPAGES, KVMRT_VM_ATTR_RT,
                                    g_strdup ("none"),
                                    g_strdup_printf ("%" G_GUINT64_FORMAT " KiB", page_kib)))
    {
      xmlNodePtr hugepages = kvmrt_xml_ensure_child (kvmrt_xml_ensure_child (root,
                                                                            "memoryBacking"),
                                                     "hugepages");
      xmlNodePtr page = xmlNewChild (hugepages, NULL, BAD_CAST "page", NULL);
      char size[32];

      g_snprintf (size, sizeof size, "%" G_GUINT64_FORMAT, page_kib);
      xmlNewProp (page, BAD_CAST "size", BAD_CAST size);
      xmlNewProp (page, BAD_CAST "unit", BAD_CAST "KiB");
    }
  if (kvmrt_domain_sync_differs (s, KVMRT_DOMAIN_FIELD_NOSHAREPAGES, KVMRT_VM_ATTR_RT,
                                 g_strdup (shares ? "no" : "yes"), g_strdup ("yes")))
    kvmrt_xml_ensure_child (kvmrt_xml_ensure_child (root, "memoryBacking"), "nosharepages");
}

static gboolean
is_realtime_scheduler (const char *scheduler)
{
  return g_strcmp0 (scheduler, "fifo") == 0 || g_strcmp0 (scheduler, "rr") == 0;
}

/* "0-3:fifo/1 4:batch" by vCPU, consecutive vCPUs with the same setting folded (libvirt keeps
 * one vcpusched per vCPU, kvmrt writes one for all); "none". With @keep_realtime FALSE, FIFO
 * and RR entries are left out. */
static char *
read_vcpusched (xmlNodePtr root, gboolean keep_realtime)
{
  xmlNodePtr cputune = kvmrt_xml_child (root, "cputune");
  g_autoptr(GPtrArray) settings = g_ptr_array_new_with_free_func (g_free);  /* by vCPU */
  GString *text = g_string_new (NULL);

  for (xmlNodePtr n = cputune != NULL ? cputune->children : NULL; n != NULL; n = n->next)
    {
      g_autofree char *vcpus = NULL, *scheduler = NULL, *priority = NULL;
      g_autoptr(KvmrtIdSet) set = NULL;

      if (n->type != XML_ELEMENT_NODE || xmlStrcmp (n->name, BAD_CAST "vcpusched") != 0)
        continue;
      vcpus = kvmrt_xml_get_prop (n, "vcpus");
      scheduler = kvmrt_xml_get_prop (n, "scheduler");
      priority = kvmrt_xml_get_prop (n, "priority");
      if (!keep_realtime && is_realtime_scheduler (scheduler))
        continue;
      set = vcpus != NULL ? kvmrt_id_set_parse (vcpus, NULL) : NULL;
      if (set == NULL)
        {
          /* A form kvmrt does not read ("0-3,^2", or none): as it is. */
          g_string_append_printf (text, "%s%s:%s", text->len > 0 ? " " : "",
                                  vcpus != NULL ? vcpus : "all",
                                  scheduler != NULL ? scheduler : "?");
          continue;
        }
      for (int v = kvmrt_id_set_first (set); v >= 0 && v < 4096; v = kvmrt_id_set_next (set, v))
        {
          if ((guint) v >= settings->len)
            g_ptr_array_set_size (settings, v + 1);
          g_free (settings->pdata[v]);
          settings->pdata[v] = g_strdup_printf ("%s%s%s", scheduler != NULL ? scheduler : "?",
                                                priority != NULL ? "/" : "",
                                                priority != NULL ? priority : "");
        }
    }
  {
    GString *by_vcpu = g_string_new (NULL);

    for (guint v = 0; v < settings->len; v++)
      if (settings->pdata[v] != NULL)
        g_string_append_printf (by_vcpu, "%s%u:%s", by_vcpu->len > 0 ? " " : "", v,
                                (char *) settings->pdata[v]);
    if (by_vcpu->len > 0)
      {
        g_autofree char *folded = kvmrt_domain_compress_pins (g_string_free (by_vcpu, FALSE));

        g_string_prepend (text, text->len > 0 ? " " : "");
        g_string_prepend (text, folded);
      }
    else
      g_string_free (by_vcpu, TRUE);
  }
  if (text->len == 0)
    g_string_append (text, "none");
  return g_string_free (text, FALSE);
}

/* What sync_vcpusched() writes, as read_vcpusched() reads it back. */
static char *
wanted_vcpusched (const KvmrtVmPlan *plan)
{
  GString *text = g_string_new (NULL);

  for (guint v = 0; v < plan->nr_vcpus; v++)
    g_string_append_printf (text, "%s%u:fifo/%u", v > 0 ? " " : "", v, vcpu_priority (plan));
  return kvmrt_domain_compress_pins (g_string_free (text, FALSE));
}

static void
remove_realtime_vcpusched (xmlNodePtr root)
{
  xmlNodePtr cputune = kvmrt_xml_child (root, "cputune");
  xmlNodePtr next;

  for (xmlNodePtr n = cputune != NULL ? cputune->children : NULL; n != NULL; n = next)
    {
      g_autofree char *scheduler = NULL;

      next = n->next;
      if (n->type != XML_ELEMENT_NODE || xmlStrcmp (n->name, BAD_CAST "vcpusched") != 0)
        continue;
      scheduler = kvmrt_xml_get_prop (n, "scheduler");
      if (is_realtime_scheduler (scheduler))
        {
          xmlUnlinkNode (n);
          xmlFreeNode (n);
        }
    }
  kvmrt_xml_drop_if_empty (cputune);
}

/* <cputune><vcpusched vcpus='0-N' scheduler='fifo' priority=P/> for a real-time VM where
 * libvirt may set SCHED_FIFO (else the tuner sets it, and a vcpusched would fail the start);
 * no FIFO or RR vcpusched anywhere else. */
static void
sync_vcpusched (KvmrtDomainSync *s, const KvmrtVmPlan *plan, xmlNodePtr root)
{
  gboolean record = plan->rt && plan->nr_vcpus > 0
                    && kvmrt_host_check_libvirt_fifo (kvmrt_host_get_sysroot (plan->host));
  g_autofree char *vcpus = plan->nr_vcpus > 1 ? g_strdup_printf ("0-%u", plan->nr_vcpus - 1)
                                              : g_strdup ("0");
  char *wanted = record ? wanted_vcpusched (plan) : read_vcpusched (root, FALSE);

  if (!kvmrt_domain_sync_differs (s, KVMRT_DOMAIN_FIELD_VCPUSCHED, KVMRT_VM_ATTR_RT,
                                  read_vcpusched (root, TRUE), wanted))
    return;
  if (record)
    {
      xmlNodePtr cputune = kvmrt_xml_ensure_child (root, "cputune");
      xmlNodePtr sched;
      char priority[16];

      kvmrt_xml_remove_children (cputune, "vcpusched");
      sched = xmlNewChild (cputune, NULL, BAD_CAST "vcpusched", NULL);
      g_snprintf (priority, sizeof priority, "%u", vcpu_priority (plan));
      xmlNewProp (sched, BAD_CAST "vcpus", BAD_CAST vcpus);
      xmlNewProp (sched, BAD_CAST "scheduler", BAD_CAST "fifo");
      xmlNewProp (sched, BAD_CAST "priority", BAD_CAST priority);
    }
  else
    remove_realtime_vcpusched (root);
}

/* QEMU's emulator (domain type 'qemu', TCG) has no host CPU to pass through and no
 * real-time to keep; it gets the rest, which it accepts. */
static gboolean
emulated (xmlNodePtr root)
{
  g_autofree char *type = kvmrt_xml_get_prop (root, "type");

  return g_strcmp0 (type, "qemu") == 0;
}

void
kvmrt_domain_sync_rt_guest (KvmrtDomainSync *s, const KvmrtVmPlan *plan, xmlNodePtr root)
{
  sync_vcpusched (s, plan, root);
  if (!plan->rt)
    return;
  if (!emulated (root))
    sync_cpu (s, root);
  sync_pmu (s, root);
  sync_memballoon (s, root);
  sync_memory_backing (s, plan, root);
}

/* Advice for the validator. */

static void
advise_hugepages (GPtrArray *advice, const KvmrtVmPlan *plan, xmlNodePtr root)
{
  const KvmrtIdSet *nodes = memory_nodes (plan);
  guint64 kib = memory_kib (root);
  guint64 needed = (kib + 2047) / 2048;
  guint64 have;
  guint n_nodes = kvmrt_id_set_count (nodes);
  g_autofree char *node_text = NULL;
  g_autoptr(GString) commands = NULL;

  if (kib == 0 || n_nodes == 0
      || kvmrt_xml_child (kvmrt_xml_child (root, "memoryBacking"), "hugepages") != NULL
      || usable_page_size (plan, kib) != 0)
    return;
  have = free_pages (plan, 2048);
  node_text = kvmrt_id_set_to_string (nodes);
  commands = g_string_new (NULL);
  /* Spread over the nodes, the first ones taking the remainder. */
  for (int n = kvmrt_id_set_first (nodes), i = 0; n >= 0; n = kvmrt_id_set_next (nodes, n), i++)
    {
      guint64 share = needed / n_nodes + ((guint64) i < needed % n_nodes ? 1 : 0);
      guint64 reserved = kvmrt_host_get_node_hugepages (plan->host, n, 2048, NULL);
      guint64 free_here = 0;

      kvmrt_host_get_node_hugepages (plan->host, n, 2048, &free_here);
      g_string_append_printf (commands, "%secho %" G_GUINT64_FORMAT
                              " > /sys/devices/system/node/node%d/hugepages/hugepages-2048kB/"
                              "nr_hugepages", commands->len > 0 ? "; " : "",
                              reserved - free_here + share, n);
    }
  g_ptr_array_add (advice,
                   kvmrt_diagnostic_new ("rt-hugepages-missing", plan->vm, "rt_memory",
                                         _("Its %" G_GUINT64_FORMAT " MiB of memory would best "
                                           "be huge pages, but NUMA node(s) %s have %"
                                           G_GUINT64_FORMAT " free 2 MiB pages of the %"
                                           G_GUINT64_FORMAT " it needs. Reserve them (%s, or "
                                           "hugepages= on the kernel command line); "
                                           "kvmrt-sync-config then adds <memoryBacking>"
                                           "<hugepages><page size='2048' unit='KiB'/>"
                                           "</hugepages></memoryBacking>."),
                                         kib / 1024, node_text, have, needed,
                                         commands->str));
}

static void
advise_devices (GPtrArray *advice, const KvmrtVmPlan *plan, xmlNodePtr root)
{
  static const char *const nic_models[] = { "rtl8139", "e1000", "e1000e", NULL };
  static const char *const vga_models[] = { "vga", "cirrus", NULL };
  xmlNodePtr devices = devices_of (root);
  gboolean display = kvmrt_xml_child (devices, "graphics") != NULL;

  for (xmlNodePtr n = devices != NULL ? devices->children : NULL; n != NULL; n = n->next)
    {
      xmlNodePtr model = kvmrt_xml_child (n, "model");
      g_autofree char *type = kvmrt_xml_get_prop (model, "type");
      g_autofree char *mac = kvmrt_xml_get_prop (kvmrt_xml_child (n, "mac"), "address");

      if (n->type != XML_ELEMENT_NODE || type == NULL)
        continue;
      if (xmlStrcmp (n->name, BAD_CAST "interface") == 0 && g_strv_contains (nic_models, type))
        g_ptr_array_add (advice,
                         kvmrt_diagnostic_new ("rt-emulated-device", plan->vm, NULL,
                                               _("Network interface %s is an emulated %s, "
                                                 "whose every packet is an interrupt QEMU "
                                                 "emulates; give it <model type='virtio'/> "
                                                 "(virtio-net), or pass a NIC or one of its "
                                                 "virtual functions through with pcidevs."),
                                               mac != NULL ? mac : _("(no MAC)"), type));
      else if (xmlStrcmp (n->name, BAD_CAST "video") == 0 && display
               && g_strv_contains (vga_models, type))
        g_ptr_array_add (advice,
                         kvmrt_diagnostic_new ("rt-emulated-device", plan->vm, NULL,
                                               _("The display is an emulated %s adapter "
                                                 "drawn by QEMU on the host's CPUs at every "
                                                 "screen change; use <model type='virtio'/> "
                                                 "(virtio-gpu), pass a GPU through with "
                                                 "pcidevs, or remove the <graphics> display "
                                                 "if the guest needs none."), type));
    }
}

GPtrArray *
kvmrt_domain_xml_rt_advice (const char *domain_xml, const KvmrtVmPlan *plan)
{
  GPtrArray *advice = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_diagnostic_free);
  xmlDocPtr doc;

  if (!plan->rt)
    return advice;
  doc = kvmrt_domain_parse (domain_xml, NULL);
  if (doc == NULL)
    return advice;
  advise_hugepages (advice, plan, xmlDocGetRootElement (doc));
  advise_devices (advice, plan, xmlDocGetRootElement (doc));
  xmlFreeDoc (doc);
  return advice;
}
