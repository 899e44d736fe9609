/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing a plan into a domain: compare each field kvmrt owns with what the plan wants, note
 * the difference, and change only that. */
#include "kvmrt-domain-xml-private.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmrt-i18n.h"

void
kvmrt_domain_change_free (KvmrtDomainChange *change)
{
  if (change == NULL)
    return;
  g_free (change->current);
  g_free (change->wanted);
  g_free (change);
}

const char *
kvmrt_domain_field_to_string (KvmrtDomainField field)
{
  static const char *const names[] = {
    [KVMRT_DOMAIN_FIELD_NAME] = "name",
    [KVMRT_DOMAIN_FIELD_TITLE] = "title",
    [KVMRT_DOMAIN_FIELD_DESCRIPTION] = "description",
    [KVMRT_DOMAIN_FIELD_VCPUS] = "vcpu",
    [KVMRT_DOMAIN_FIELD_TOPOLOGY] = "topology",
    [KVMRT_DOMAIN_FIELD_VCPUPIN] = "vcpupin",
    [KVMRT_DOMAIN_FIELD_EMULATORPIN] = "emulatorpin",
    [KVMRT_DOMAIN_FIELD_IOTHREADPIN] = "iothreadpin",
    [KVMRT_DOMAIN_FIELD_NUMATUNE] = "numatune",
    [KVMRT_DOMAIN_FIELD_MEMORY_LOCKED] = "memory-locked",
    [KVMRT_DOMAIN_FIELD_KVM_HIDDEN] = "kvm-hidden",
    [KVMRT_DOMAIN_FIELD_HOSTDEVS] = "hostdevs",
    [KVMRT_DOMAIN_FIELD_GS_CHANNEL] = "guest-services-channel",
    [KVMRT_DOMAIN_FIELD_METADATA] = "metadata",
    [KVMRT_DOMAIN_FIELD_CPU_MODE] = "cpu-mode",
    [KVMRT_DOMAIN_FIELD_TSC_DEADLINE] = "tsc-deadline",
    [KVMRT_DOMAIN_FIELD_PMU] = "pmu",
    [KVMRT_DOMAIN_FIELD_MEMBALLOON] = "memballoon",
    [KVMRT_DOMAIN_FIELD_HUGEPAGES] = "hugepages",
    [KVMRT_DOMAIN_FIELD_NOSHAREPAGES] = "nosharepages",
    [KVMRT_DOMAIN_FIELD_VCPUSCHED] = "vcpusched",
  };

  return field < G_N_ELEMENTS (names) ? names[field] : "?";
}

typedef struct _KvmrtDomainSync {
  const KvmrtVmPlan *plan;
  GVirConfigDomain  *domain;
  GPtrArray         *changes;
  GArray            *remove_hostdevs;   /* kvmrt's hostdevs no longer configured */
} Sync;

/* Records a difference; TRUE when there is one (the caller then changes the field). Takes
 * ownership of both strings. */
static gboolean
differs (Sync *s, KvmrtDomainField field, KvmrtVmAttr attr, char *current, char *wanted)
{
  KvmrtDomainChange *change;

  if (g_strcmp0 (current, wanted) == 0)
    {
      g_free (current);
      g_free (wanted);
      return FALSE;
    }
  change = g_new0 (KvmrtDomainChange, 1);
  change->field = field;
  change->attr = attr;
  change->current = current;
  change->wanted = wanted;
  change->needs_restart = field != KVMRT_DOMAIN_FIELD_TITLE
                          && field != KVMRT_DOMAIN_FIELD_DESCRIPTION
                          && field != KVMRT_DOMAIN_FIELD_METADATA;
  g_ptr_array_add (s->changes, change);
  return TRUE;
}

gboolean
kvmrt_domain_sync_differs (KvmrtDomainSync *s, KvmrtDomainField field, KvmrtVmAttr attr,
                           char *current, char *wanted)
{
  return differs (s, field, attr, current, wanted);
}

static char *
text_or_none (const char *text)
{
  return g_strdup (text != NULL && *text != '\0' ? text : "none");
}

/* Name, title, description, vCPUs and topology, through libvirt-gconfig. */
static void
sync_identity (Sync *s)
{
  KvmrtVm *vm = s->plan->vm;
  const char *name = kvmrt_vm_get_name (vm);
  const KvmrtTopology *t = &s->plan->topology;
  g_autoptr(GVirConfigDomainCpu) cpu = gvir_config_domain_get_cpu (s->domain);
  g_autoptr(GVirConfigCapabilitiesCpuTopology) topo = NULL;
  g_autofree char *topo_now = NULL;

  if (name != NULL
      && differs (s, KVMRT_DOMAIN_FIELD_NAME, KVMRT_VM_ATTR_NAME,
                  g_strdup (gvir_config_domain_get_name (s->domain)), g_strdup (name)))
    gvir_config_domain_set_name (s->domain, name);
  if (differs (s, KVMRT_DOMAIN_FIELD_TITLE, KVMRT_VM_ATTR_TITLE,
               text_or_none (gvir_config_domain_get_title (s->domain)),
               text_or_none (kvmrt_vm_get_title (vm))))
    gvir_config_domain_set_title (s->domain, *kvmrt_vm_get_title (vm) != '\0'
                                             ? kvmrt_vm_get_title (vm) : NULL);
  if (differs (s, KVMRT_DOMAIN_FIELD_DESCRIPTION, KVMRT_VM_ATTR_DESCRIPTION,
               text_or_none (gvir_config_domain_get_description (s->domain)),
               text_or_none (kvmrt_vm_get_description (vm))))
    gvir_config_domain_set_description (s->domain, *kvmrt_vm_get_description (vm) != '\0'
                                                   ? kvmrt_vm_get_description (vm) : NULL);
  if (differs (s, KVMRT_DOMAIN_FIELD_VCPUS, KVMRT_VM_ATTR_NR_VCPUS,
               g_strdup_printf ("%" G_GUINT64_FORMAT, gvir_config_domain_get_vcpus (s->domain)),
               g_strdup_printf ("%u", s->plan->nr_vcpus)))
    gvir_config_domain_set_vcpus (s->domain, s->plan->nr_vcpus);

  if (cpu != NULL)
    topo = gvir_config_capabilities_cpu_get_topology (GVIR_CONFIG_CAPABILITIES_CPU (cpu));
  topo_now = topo != NULL
    ? g_strdup_printf ("%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT,
                       gvir_config_capabilities_cpu_topology_get_sockets (topo),
                       gvir_config_capabilities_cpu_topology_get_cores (topo),
                       gvir_config_capabilities_cpu_topology_get_threads (topo))
    : g_strdup ("none");
  if (differs (s, KVMRT_DOMAIN_FIELD_TOPOLOGY, KVMRT_VM_ATTR_CPU_TOPOLOGY,
               g_steal_pointer (&topo_now),
               g_strdup_printf ("%u,%u,%u", t->sockets, t->cores, t->threads)))
    {
      g_autoptr(GVirConfigCapabilitiesCpuTopology) wanted =
        gvir_config_capabilities_cpu_topology_new ();

      gvir_config_capabilities_cpu_topology_set_sockets (wanted, t->sockets);
      gvir_config_capabilities_cpu_topology_set_cores (wanted, t->cores);
      gvir_config_capabilities_cpu_topology_set_threads (wanted, t->threads);
      /* An existing <cpu> object edits the document in place; handing it back to
       * gvir_config_domain_set_cpu() would free the node it is made of. */
      if (cpu != NULL)
        gvir_config_capabilities_cpu_set_topology (GVIR_CONFIG_CAPABILITIES_CPU (cpu), wanted);
      else
        {
          cpu = gvir_config_domain_cpu_new ();
          gvir_config_capabilities_cpu_set_topology (GVIR_CONFIG_CAPABILITIES_CPU (cpu), wanted);
          gvir_config_domain_set_cpu (s->domain, cpu);
        }
    }
}

static gboolean
address_in (GArray *addresses, KvmrtPciAddress address)
{
  for (guint i = 0; i < addresses->len; i++)
    if (g_array_index (addresses, KvmrtPciAddress, i) == address)
      return TRUE;
  return FALSE;
}

static int
compare_addresses (gconstpointer a, gconstpointer b)
{
  KvmrtPciAddress x = *(const KvmrtPciAddress *) a, y = *(const KvmrtPciAddress *) b;

  return (x > y) - (x < y);
}

static char *
format_addresses (GArray *addresses)
{
  g_autoptr(GArray) sorted = g_array_copy (addresses);
  char *text;

  g_array_sort (sorted, compare_addresses);
  text = kvmrt_pci_set_to_string (sorted);
  if (*text == '\0')
    {
      g_free (text);
      return g_strdup ("none");
    }
  return text;
}

static void
add_hostdev (GVirConfigDomain *domain, KvmrtPciAddress address)
{
  g_autoptr(GVirConfigDomainHostdevPci) hostdev = gvir_config_domain_hostdev_pci_new ();
  g_autoptr(GVirConfigDomainAddressPci) source = gvir_config_domain_address_pci_new ();

  gvir_config_domain_address_pci_set_domain (source, KVMRT_PCI_ADDRESS_DOMAIN (address));
  gvir_config_domain_address_pci_set_bus (source, KVMRT_PCI_ADDRESS_BUS (address));
  gvir_config_domain_address_pci_set_slot (source, KVMRT_PCI_ADDRESS_DEVICE (address));
  gvir_config_domain_address_pci_set_function (source, KVMRT_PCI_ADDRESS_FUNCTION (address));
  gvir_config_domain_hostdev_pci_set_address (hostdev, source);
  gvir_config_domain_hostdev_pci_set_managed (hostdev, TRUE);
  gvir_config_domain_add_device (domain, GVIR_CONFIG_DOMAIN_DEVICE (hostdev));
}

/* kvmrt's metadata block, before libvirt-gconfig puts it in kvmrt's namespace. */
static char *
metadata_xml (GArray *owned)
{
  GString *xml = g_string_new ("<domain>");

  for (guint i = 0; i < owned->len; i++)
    {
      g_autofree char *address = kvmrt_pci_address_to_string (g_array_index (owned,
                                                                              KvmrtPciAddress,
                                                                              i));

      g_string_append_printf (xml, "<hostdev address=\"%s\"/>", address);
    }
  g_string_append (xml, "</domain>");
  return g_string_free (xml, FALSE);
}

/* PCI hostdevs and the metadata that says which of them kvmrt added. A configured device the
 * user had already attached is left theirs; only kvmrt's own are ever removed. */
static gboolean
sync_hostdevs (Sync *s, xmlNodePtr original_root, GError **error)
{
  const GArray *wanted = kvmrt_vm_get_pcidevs (s->plan->vm);
  g_autoptr(GArray) present = kvmrt_domain_read_pci_hostdevs (s->domain);
  gboolean had_metadata = FALSE;
  g_autoptr(GArray) owned = kvmrt_domain_read_owned_hostdevs (original_root, &had_metadata);
  g_autoptr(GArray) now = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  g_autoptr(GArray) owned_after = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  g_autoptr(GArray) wanted_copy = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));

  g_array_append_vals (wanted_copy, wanted->data, wanted->len);
  /* What kvmrt manages now: its own hostdevs, and the configured ones present. */
  for (guint i = 0; i < present->len; i++)
    {
      KvmrtPciAddress a = g_array_index (present, KvmrtPciAddress, i);

      if ((address_in (owned, a) || address_in (wanted_copy, a)) && !address_in (now, a))
        g_array_append_val (now, a);
    }
  for (guint i = 0; i < wanted_copy->len; i++)
    {
      KvmrtPciAddress a = g_array_index (wanted_copy, KvmrtPciAddress, i);

      if (!address_in (present, a) || address_in (owned, a))
        g_array_append_val (owned_after, a);
    }

  if (differs (s, KVMRT_DOMAIN_FIELD_HOSTDEVS, KVMRT_VM_ATTR_PCIDEVS, format_addresses (now),
               format_addresses (wanted_copy)))
    {
      for (guint i = 0; i < wanted_copy->len; i++)
        if (!address_in (present, g_array_index (wanted_copy, KvmrtPciAddress, i)))
          add_hostdev (s->domain, g_array_index (wanted_copy, KvmrtPciAddress, i));
      for (guint i = 0; i < owned->len; i++)
        {
          KvmrtPciAddress a = g_array_index (owned, KvmrtPciAddress, i);

          if (!address_in (wanted_copy, a) && address_in (present, a))
            g_array_append_val (s->remove_hostdevs, a);
        }
    }

  if (differs (s, KVMRT_DOMAIN_FIELD_METADATA, KVMRT_VM_ATTR_PCIDEVS,
               had_metadata ? format_addresses (owned) : g_strdup ("absent"),
               format_addresses (owned_after)))
    {
      g_autofree char *xml = metadata_xml (owned_after);

      return gvir_config_domain_set_custom_xml_ns_children (s->domain, xml,
                                                            KVMRT_DOMAIN_XML_PREFIX,
                                                            KVMRT_DOMAIN_XML_NS, error);
    }
  return TRUE;
}

/* "0:4 1:5 2:5 3:5" -> "0:4 1-3:5": vCPUs in a row with the same pin read as one. Both sides
 * of a comparison go through it, so it only shortens what users read. */
static char *
compress_pins (char *pins)
{
  g_auto(GStrv) items = g_strsplit (pins, " ", -1);
  GString *text = g_string_new (NULL);
  guint n = g_strv_length (items);

  for (guint i = 0; i < n;)
    {
      const char *colon = strchr (items[i], ':');
      guint j = i + 1;

      if (colon == NULL)
        {
          g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", items[i++]);
          continue;
        }
      while (j < n && strchr (items[j], ':') != NULL
             && strcmp (strchr (items[j], ':'), colon) == 0
             && atoi (items[j]) == atoi (items[j - 1]) + 1)
        j++;
      if (j - i > 1)
        g_string_append_printf (text, "%s%d-%s", text->len > 0 ? " " : "", atoi (items[i]),
                                items[j - 1]);
      else
        g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", items[i]);
      i = j;
    }
  g_free (pins);
  return g_string_free (text, FALSE);
}

char *
kvmrt_domain_compress_pins (char *pins)
{
  return compress_pins (pins);
}

/* The pins the plan wants, in the form kvmrt_domain_read_pins() reports. */
static char *
wanted_vcpu_pins (const KvmrtVmPlan *plan)
{
  GString *text = g_string_new (NULL);
  g_autofree char *set = NULL;

  for (guint i = 0; i < plan->vcpu_pins->len; i++)
    {
      /* Most VMs pin every vCPU to the same set: written once. */
      if (i == 0
          || !kvmrt_id_set_equal (plan->vcpu_pins->pdata[i], plan->vcpu_pins->pdata[i - 1]))
        {
          g_free (set);
          set = kvmrt_id_set_to_string (plan->vcpu_pins->pdata[i]);
        }
      if (*set == '\0')
        continue;
      g_string_append_printf (text, "%s%u:%s", text->len > 0 ? " " : "", i, set);
    }
  if (text->len == 0)
    g_string_append (text, "none");
  return g_string_free (text, FALSE);
}

static guint
count_iothreads (xmlNodePtr root)
{
  xmlNodePtr iothreads = kvmrt_xml_child (root, "iothreads");
  xmlChar *text = iothreads != NULL ? xmlNodeGetContent (iothreads) : NULL;
  guint n = text != NULL ? (guint) g_ascii_strtoull ((const char *) text, NULL, 10) : 0;

  xmlFree (text);
  return n;
}

static char *
wanted_iothread_pins (const KvmrtVmPlan *plan, guint n_iothreads)
{
  g_autofree char *emulator = kvmrt_id_set_to_string (plan->emulator_cpus);
  GString *text = g_string_new (NULL);

  for (guint i = 1; *emulator != '\0' && i <= n_iothreads; i++)
    g_string_append_printf (text, "%s%u:%s", text->len > 0 ? " " : "", i, emulator);
  if (text->len == 0)
    g_string_append (text, "none");
  return g_string_free (text, FALSE);
}

static void
add_pin (xmlNodePtr cputune, const char *element, const char *key, guint id, const char *cpuset)
{
  xmlNodePtr pin = xmlNewChild (cputune, NULL, BAD_CAST element, NULL);
  char number[16];

  if (key != NULL)
    {
      g_snprintf (number, sizeof number, "%u", id);
      xmlNewProp (pin, BAD_CAST key, BAD_CAST number);
    }
  xmlNewProp (pin, BAD_CAST "cpuset", BAD_CAST cpuset);
}

/* <cputune>: one vcpupin per pinned vCPU, the emulator pin, and the I/O threads with the
 * emulator. Other children (shares, period, vcpusched, ...) stay. */
static void
sync_cputune (Sync *s, xmlNodePtr root)
{
  const KvmrtVmPlan *plan = s->plan;
  xmlNodePtr cputune = kvmrt_xml_child (root, "cputune");
  g_autofree char *emulator = kvmrt_id_set_to_string (plan->emulator_cpus);
  guint n_iothreads = count_iothreads (root);

  if (differs (s, KVMRT_DOMAIN_FIELD_VCPUPIN, KVMRT_VM_ATTR_CPUSET,
               compress_pins (kvmrt_domain_read_pins (root, "vcpupin", "vcpu")),
               compress_pins (wanted_vcpu_pins (plan))))
    {
      cputune = kvmrt_xml_ensure_child (root, "cputune");
      kvmrt_xml_remove_children (cputune, "vcpupin");
      for (guint i = 0; i < plan->vcpu_pins->len; i++)
        {
          g_autofree char *set = kvmrt_id_set_to_string (plan->vcpu_pins->pdata[i]);

          if (*set != '\0')
            add_pin (cputune, "vcpupin", "vcpu", i, set);
        }
    }
  if (differs (s, KVMRT_DOMAIN_FIELD_EMULATORPIN, KVMRT_VM_ATTR_CPUSET,
               kvmrt_domain_read_pins (root, "emulatorpin", NULL), text_or_none (emulator)))
    {
      cputune = kvmrt_xml_ensure_child (root, "cputune");
      kvmrt_xml_remove_children (cputune, "emulatorpin");
      if (*emulator != '\0')
        add_pin (cputune, "emulatorpin", NULL, 0, emulator);
    }
  if (differs (s, KVMRT_DOMAIN_FIELD_IOTHREADPIN, KVMRT_VM_ATTR_CPUSET,
               compress_pins (kvmrt_domain_read_pins (root, "iothreadpin", "iothread")),
               compress_pins (wanted_iothread_pins (plan, n_iothreads))))
    {
      cputune = kvmrt_xml_ensure_child (root, "cputune");
      kvmrt_xml_remove_children (cputune, "iothreadpin");
      for (guint i = 1; *emulator != '\0' && i <= n_iothreads; i++)
        add_pin (cputune, "iothreadpin", "iothread", i, emulator);
    }
  kvmrt_xml_drop_if_empty (kvmrt_xml_child (root, "cputune"));

  /* With every vCPU pinned, a <vcpu cpuset> would only repeat (or contradict) the pins. */
  if (plan->vcpu_pins->len > 0 && !kvmrt_id_set_is_empty (plan->vcpu_pins->pdata[0]))
    xmlUnsetProp (kvmrt_xml_child (root, "vcpu"), BAD_CAST "cpuset");
}

static void
sync_numatune (Sync *s, xmlNodePtr root)
{
  g_autofree char *wanted = s->plan->numatune != NULL
                            ? kvmrt_id_set_to_string (s->plan->numatune) : NULL;
  xmlNodePtr numatune, memory;

  if (!differs (s, KVMRT_DOMAIN_FIELD_NUMATUNE, KVMRT_VM_ATTR_NUMATUNE,
                text_or_none (kvmrt_domain_read_numatune (root)), text_or_none (wanted)))
    return;
  numatune = kvmrt_xml_child (root, "numatune");
  memory = kvmrt_xml_child (numatune, "memory");
  if (wanted == NULL || *wanted == '\0')
    {
      if (memory != NULL)
        {
          xmlUnlinkNode (memory);
          xmlFreeNode (memory);
        }
      kvmrt_xml_drop_if_empty (numatune);
      return;
    }
  if (numatune == NULL)
    numatune = xmlNewChild (root, NULL, BAD_CAST "numatune", NULL);
  if (memory == NULL)
    {
      /* <memory> comes before any <memnode>. */
      memory = xmlNewNode (NULL, BAD_CAST "memory");
      if (numatune->children != NULL)
        xmlAddPrevSibling (numatune->children, memory);
      else
        xmlAddChild (numatune, memory);
      xmlNewProp (memory, BAD_CAST "mode", BAD_CAST "strict");
    }
  xmlUnsetProp (memory, BAD_CAST "placement");
  xmlSetProp (memory, BAD_CAST "nodeset", BAD_CAST wanted);
}

static const char *
yes_no (gboolean value)
{
  return value ? "yes" : "no";
}

static void
sync_flags (Sync *s, xmlNodePtr root)
{
  gboolean hide = kvmrt_vm_get_hide_kvm (s->plan->vm);

  if (differs (s, KVMRT_DOMAIN_FIELD_MEMORY_LOCKED, KVMRT_VM_ATTR_RT_MEMORY,
               g_strdup (yes_no (kvmrt_domain_read_locked (root))),
               g_strdup (yes_no (s->plan->rt_memory))))
    {
      xmlNodePtr backing = kvmrt_xml_ensure_child (root, "memoryBacking");

      if (s->plan->rt_memory)
        kvmrt_xml_ensure_child (backing, "locked");
      else
        kvmrt_xml_remove_children (backing, "locked");
      kvmrt_xml_drop_if_empty (backing);
    }
  if (differs (s, KVMRT_DOMAIN_FIELD_KVM_HIDDEN, KVMRT_VM_ATTR_HIDE_KVM,
               g_strdup (yes_no (kvmrt_domain_read_hidden (root))), g_strdup (yes_no (hide))))
    {
      xmlNodePtr features = kvmrt_xml_ensure_child (root, "features");
      xmlNodePtr kvm = kvmrt_xml_ensure_child (features, "kvm");

      kvmrt_xml_remove_children (kvm, "hidden");
      if (hide)
        xmlSetProp (xmlNewChild (kvm, NULL, BAD_CAST "hidden", NULL), BAD_CAST "state",
                    BAD_CAST "on");
      kvmrt_xml_drop_if_empty (kvm);
      kvmrt_xml_drop_if_empty (features);
    }
}

static gboolean
has_virtio_serial_controller (xmlNodePtr devices)
{
  for (xmlNodePtr n = devices->children; n != NULL; n = n->next)
    {
      g_autofree char *type = NULL;

      if (n->type != XML_ELEMENT_NODE || xmlStrcmp (n->name, BAD_CAST "controller") != 0)
        continue;
      type = kvmrt_xml_get_prop (n, "type");
      if (g_strcmp0 (type, "virtio-serial") == 0)
        return TRUE;
    }
  return FALSE;
}

/* Guest Services: the virtio-serial controller (kept when the channel goes: other channels
 * may use it) and the channel whose socket kvmrtd serves. */
static void
sync_guest_services (Sync *s, xmlNodePtr root)
{
  gboolean wanted = kvmrt_vm_get_guest_services (s->plan->vm);
  xmlNodePtr channel = kvmrt_domain_find_gs_channel (root);
  xmlNodePtr devices, source, target;
  g_autofree char *path = NULL;

  if (!differs (s, KVMRT_DOMAIN_FIELD_GS_CHANNEL, KVMRT_VM_ATTR_GUEST_SERVICES,
                g_strdup (yes_no (channel != NULL)), g_strdup (yes_no (wanted))))
    return;
  if (!wanted)
    {
      xmlUnlinkNode (channel);
      xmlFreeNode (channel);
      return;
    }
  devices = kvmrt_xml_ensure_child (root, "devices");
  if (!has_virtio_serial_controller (devices))
    xmlSetProp (xmlNewChild (devices, NULL, BAD_CAST "controller", NULL), BAD_CAST "type",
                BAD_CAST "virtio-serial");
  channel = xmlNewChild (devices, NULL, BAD_CAST "channel", NULL);
  xmlSetProp (channel, BAD_CAST "type", BAD_CAST "unix");
  source = xmlNewChild (channel, NULL, BAD_CAST "source", NULL);
  path = g_strdup_printf ("%s/%s.sock", KVMRT_GS_SOCKET_DIR, kvmrt_vm_get_uuid (s->plan->vm));
  xmlSetProp (source, BAD_CAST "mode", BAD_CAST "bind");
  xmlSetProp (source, BAD_CAST "path", BAD_CAST path);
  target = xmlNewChild (channel, NULL, BAD_CAST "target", NULL);
  xmlSetProp (target, BAD_CAST "type", BAD_CAST "virtio");
  xmlSetProp (target, BAD_CAST "name", BAD_CAST KVMRT_GS_CHANNEL);
}

/* Removes the PCI hostdevs in @addresses (kvmrt's own, no longer configured). */
static void
remove_hostdevs (xmlNodePtr root, GArray *addresses)
{
  xmlNodePtr devices = kvmrt_xml_child (root, "devices");
  xmlNodePtr next;

  for (xmlNodePtr n = devices != NULL ? devices->children : NULL; n != NULL; n = next)
    {
      xmlNodePtr address = kvmrt_xml_child (kvmrt_xml_child (n, "source"), "address");
      g_autofree char *type = NULL;
      g_autofree char *dom = NULL, *bus = NULL, *slot = NULL, *fn = NULL;
      KvmrtPciAddress a;

      next = n->next;
      if (n->type != XML_ELEMENT_NODE || xmlStrcmp (n->name, BAD_CAST "hostdev") != 0
          || address == NULL)
        continue;
      type = kvmrt_xml_get_prop (n, "type");
      dom = kvmrt_xml_get_prop (address, "domain");
      bus = kvmrt_xml_get_prop (address, "bus");
      slot = kvmrt_xml_get_prop (address, "slot");
      fn = kvmrt_xml_get_prop (address, "function");
      if (g_strcmp0 (type, "pci") != 0 || bus == NULL || slot == NULL || fn == NULL)
        continue;
      a = KVMRT_PCI_ADDRESS (dom != NULL ? g_ascii_strtoull (dom, NULL, 0) : 0,
                             g_ascii_strtoull (bus, NULL, 0), g_ascii_strtoull (slot, NULL, 0),
                             g_ascii_strtoull (fn, NULL, 0));
      if (address_in (addresses, a))
        {
          xmlUnlinkNode (n);
          xmlFreeNode (n);
        }
    }
}

static char *
dump_root (xmlDocPtr doc)
{
  xmlBufferPtr buffer = xmlBufferCreate ();
  char *text;

  xmlNodeDump (buffer, doc, xmlDocGetRootElement (doc), 0, 1);
  text = g_strconcat ((const char *) xmlBufferContent (buffer), "\n", NULL);
  xmlBufferFree (buffer);
  return text;
}

char *
kvmrt_domain_xml_sync (const char *domain_xml, const KvmrtVmPlan *plan, GPtrArray **changes,
                       GError **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GVirConfigDomain) domain = gvir_config_domain_new_from_xml (domain_xml,
                                                                        &parse_error);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                              kvmrt_domain_change_free);
  g_autoptr(GArray) remove = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  g_autofree char *modelled = NULL;
  Sync s = { plan, domain, list, remove };
  xmlDocPtr doc;
  xmlNodePtr root;
  gboolean ok;
  char *result;

  if (domain == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("the domain XML cannot be parsed: %s"), parse_error->message);
      return NULL;
    }
  doc = kvmrt_domain_parse (domain_xml, error);
  if (doc == NULL)
    return NULL;
  sync_identity (&s);
  ok = sync_hostdevs (&s, xmlDocGetRootElement (doc), error);
  xmlFreeDoc (doc);
  if (!ok)
    return NULL;

  /* libvirt-gconfig has no model for the rest: continue on its document with libxml2. */
  modelled = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (domain));
  doc = kvmrt_domain_parse (modelled, error);
  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  sync_cputune (&s, root);
  sync_numatune (&s, root);
  sync_flags (&s, root);
  kvmrt_domain_sync_rt_guest (&s, plan, root);
  sync_guest_services (&s, root);
  remove_hostdevs (root, remove);

  result = list->len > 0 ? dump_root (doc) : g_strdup (domain_xml);
  xmlFreeDoc (doc);
  if (changes != NULL)
    *changes = g_steal_pointer (&list);
  return result;
}
