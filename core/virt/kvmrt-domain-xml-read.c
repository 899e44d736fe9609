/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading kvmrt's values off a domain: the helpers the writer compares with, and
 * kvmrt_domain_xml_read() for kvmrt-import and kvmrt-sync-config -r. */
#include "kvmrt-domain-xml-private.h"

#include <gio/gio.h>
#include <libxml/parser.h>
#include <string.h>

#include "kvmrt-i18n.h"

xmlNodePtr
kvmrt_xml_child (xmlNodePtr parent, const char *name)
{
  for (xmlNodePtr n = parent != NULL ? parent->children : NULL; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrcmp (n->name, BAD_CAST name) == 0)
      return n;
  return NULL;
}

xmlNodePtr
kvmrt_xml_ensure_child (xmlNodePtr parent, const char *name)
{
  xmlNodePtr child = kvmrt_xml_child (parent, name);

  return child != NULL ? child : xmlNewChild (parent, NULL, BAD_CAST name, NULL);
}

void
kvmrt_xml_drop_if_empty (xmlNodePtr node)
{
  if (node == NULL || node->properties != NULL)
    return;
  for (xmlNodePtr n = node->children; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE)
      return;
  xmlUnlinkNode (node);
  xmlFreeNode (node);
}

void
kvmrt_xml_remove_children (xmlNodePtr parent, const char *name)
{
  xmlNodePtr next;

  for (xmlNodePtr n = parent != NULL ? parent->children : NULL; n != NULL; n = next)
    {
      next = n->next;
      if (n->type == XML_ELEMENT_NODE && xmlStrcmp (n->name, BAD_CAST name) == 0)
        {
          xmlUnlinkNode (n);
          xmlFreeNode (n);
        }
    }
}

char *
kvmrt_xml_get_prop (xmlNodePtr node, const char *name)
{
  xmlChar *value = xmlGetProp (node, BAD_CAST name);
  char *copy = g_strdup ((const char *) value);

  xmlFree (value);
  return copy;
}

char *
kvmrt_domain_normalize_set (const char *text)
{
  g_autoptr(KvmrtIdSet) set = text != NULL ? kvmrt_id_set_parse (text, NULL) : NULL;

  return set != NULL ? kvmrt_id_set_to_string (set) : g_strdup (text);
}

char *
kvmrt_domain_read_pins (xmlNodePtr root, const char *element, const char *key)
{
  xmlNodePtr cputune = kvmrt_xml_child (root, "cputune");
  GString *text = g_string_new (NULL);

  for (xmlNodePtr n = cputune != NULL ? cputune->children : NULL; n != NULL; n = n->next)
    {
      g_autofree char *id = NULL;
      g_autofree char *cpuset = NULL;
      g_autofree char *normal = NULL;

      if (n->type != XML_ELEMENT_NODE || xmlStrcmp (n->name, BAD_CAST element) != 0)
        continue;
      cpuset = kvmrt_xml_get_prop (n, "cpuset");
      normal = kvmrt_domain_normalize_set (cpuset);
      if (text->len > 0)
        g_string_append_c (text, ' ');
      if (key != NULL)
        {
          id = kvmrt_xml_get_prop (n, key);
          g_string_append_printf (text, "%s:", id != NULL ? id : "?");
        }
      g_string_append (text, normal != NULL ? normal : "");
    }
  if (text->len == 0)
    g_string_append (text, "none");
  return g_string_free (text, FALSE);
}

static KvmrtPciAddress
address_of (GVirConfigDomainAddressPci *a)
{
  return KVMRT_PCI_ADDRESS (gvir_config_domain_address_pci_get_domain (a),
                            gvir_config_domain_address_pci_get_bus (a),
                            gvir_config_domain_address_pci_get_slot (a),
                            gvir_config_domain_address_pci_get_function (a));
}

GArray *
kvmrt_domain_read_pci_hostdevs (GVirConfigDomain *domain)
{
  GArray *addresses = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  GList *devices = gvir_config_domain_get_devices (domain);

  for (GList *l = devices; l != NULL; l = l->next)
    {
      GVirConfigDomainAddressPci *a;
      KvmrtPciAddress address;

      if (!GVIR_CONFIG_IS_DOMAIN_HOSTDEV_PCI (l->data))
        continue;
      a = gvir_config_domain_hostdev_pci_get_address (l->data);
      if (a == NULL)
        continue;
      address = address_of (a);
      g_array_append_val (addresses, address);
      g_object_unref (a);
    }
  g_list_free_full (devices, g_object_unref);
  return addresses;
}

/* kvmrt's block in <metadata>, or NULL. */
static xmlNodePtr
find_metadata_block (xmlNodePtr root)
{
  xmlNodePtr metadata = kvmrt_xml_child (root, "metadata");

  for (xmlNodePtr n = metadata != NULL ? metadata->children : NULL; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && n->ns != NULL
        && xmlStrcmp (n->ns->href, BAD_CAST KVMRT_DOMAIN_XML_NS) == 0)
      return n;
  return NULL;
}

GArray *
kvmrt_domain_read_owned_hostdevs (xmlNodePtr root, gboolean *has_block)
{
  GArray *owned = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  xmlNodePtr block = find_metadata_block (root);

  if (has_block != NULL)
    *has_block = block != NULL;
  for (xmlNodePtr n = block != NULL ? block->children : NULL; n != NULL; n = n->next)
    {
      g_autofree char *text = NULL;
      KvmrtPciAddress address;

      if (n->type != XML_ELEMENT_NODE || xmlStrcmp (n->name, BAD_CAST "hostdev") != 0)
        continue;
      text = kvmrt_xml_get_prop (n, "address");
      if (text != NULL && kvmrt_pci_address_parse (text, &address, NULL))
        g_array_append_val (owned, address);
    }
  return owned;
}

gboolean
kvmrt_domain_read_locked (xmlNodePtr root)
{
  return kvmrt_xml_child (kvmrt_xml_child (root, "memoryBacking"), "locked") != NULL;
}

gboolean
kvmrt_domain_read_hidden (xmlNodePtr root)
{
  xmlNodePtr hidden = kvmrt_xml_child (kvmrt_xml_child (kvmrt_xml_child (root, "features"),
                                                        "kvm"), "hidden");
  g_autofree char *state = hidden != NULL ? kvmrt_xml_get_prop (hidden, "state") : NULL;

  return g_strcmp0 (state, "on") == 0;
}

xmlNodePtr
kvmrt_domain_find_gs_channel (xmlNodePtr root)
{
  xmlNodePtr devices = kvmrt_xml_child (root, "devices");

  for (xmlNodePtr n = devices != NULL ? devices->children : NULL; n != NULL; n = n->next)
    {
      xmlNodePtr target = n->type == XML_ELEMENT_NODE
                          && xmlStrcmp (n->name, BAD_CAST "channel") == 0
                          ? kvmrt_xml_child (n, "target") : NULL;
      g_autofree char *name = target != NULL ? kvmrt_xml_get_prop (target, "name") : NULL;

      if (g_strcmp0 (name, KVMRT_GS_CHANNEL) == 0)
        return n;
    }
  return NULL;
}

char *
kvmrt_domain_xml_gs_socket (const char *domain_xml)
{
  xmlDocPtr doc = kvmrt_domain_parse (domain_xml, NULL);
  xmlNodePtr channel = doc != NULL ? kvmrt_domain_find_gs_channel (xmlDocGetRootElement (doc))
                                   : NULL;
  xmlNodePtr source = channel != NULL ? kvmrt_xml_child (channel, "source") : NULL;
  g_autofree char *type = channel != NULL ? kvmrt_xml_get_prop (channel, "type") : NULL;
  char *path = source != NULL && g_strcmp0 (type, "unix") == 0
               ? kvmrt_xml_get_prop (source, "path") : NULL;

  if (doc != NULL)
    xmlFreeDoc (doc);
  return path;
}

char *
kvmrt_domain_read_numatune (xmlNodePtr root)
{
  xmlNodePtr memory = kvmrt_xml_child (kvmrt_xml_child (root, "numatune"), "memory");
  g_autofree char *nodeset = memory != NULL ? kvmrt_xml_get_prop (memory, "nodeset") : NULL;

  return nodeset != NULL ? kvmrt_domain_normalize_set (nodeset) : NULL;
}

xmlDocPtr
kvmrt_domain_parse (const char *xml, GError **error)
{
  /* Without the blank text nodes, libxml2 can indent what kvmrt adds like the rest. */
  xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING
                                 | XML_PARSE_NOBLANKS);

  if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
    {
      const xmlError *last = xmlGetLastError ();

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("the domain XML cannot be parsed: %s"),
                   last != NULL && last->message != NULL ? g_strstrip (last->message)
                                                         : _("no root element"));
      if (doc != NULL)
        xmlFreeDoc (doc);
      return NULL;
    }
  return doc;
}

/* The union of the vCPU and emulator pins, or NULL when nothing is pinned there. */
static char *
read_pinned_cpus (xmlNodePtr root)
{
  xmlNodePtr cputune = kvmrt_xml_child (root, "cputune");
  g_autoptr(KvmrtIdSet) all = kvmrt_id_set_new ();
  gboolean any = FALSE;

  for (xmlNodePtr n = cputune != NULL ? cputune->children : NULL; n != NULL; n = n->next)
    {
      g_autofree char *cpuset = NULL;
      g_autoptr(KvmrtIdSet) set = NULL;

      if (n->type != XML_ELEMENT_NODE || (xmlStrcmp (n->name, BAD_CAST "vcpupin") != 0
                                          && xmlStrcmp (n->name, BAD_CAST "emulatorpin") != 0))
        continue;
      cpuset = kvmrt_xml_get_prop (n, "cpuset");
      set = cpuset != NULL ? kvmrt_id_set_parse (cpuset, NULL) : NULL;
      if (set != NULL)
        {
          kvmrt_id_set_union (all, set);
          any = TRUE;
        }
    }
  if (any)
    return kvmrt_id_set_to_string (all);
  return kvmrt_xml_get_prop (kvmrt_xml_child (root, "vcpu"), "cpuset");
}

#define WANTS(attr) (attrs & (1u << (attr)))

gboolean
kvmrt_domain_xml_read (const char *domain_xml, KvmrtVm *vm, guint attrs, GError **error)
{
  g_autoptr(GVirConfigDomain) domain = NULL;
  g_autoptr(GError) parse_error = NULL;
  xmlDocPtr doc = kvmrt_domain_parse (domain_xml, error);
  xmlNodePtr root;

  if (doc == NULL)
    return FALSE;
  root = xmlDocGetRootElement (doc);
  domain = gvir_config_domain_new_from_xml (domain_xml, &parse_error);
  if (domain == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("the domain XML cannot be parsed: %s"), parse_error->message);
      xmlFreeDoc (doc);
      return FALSE;
    }

  if (WANTS (KVMRT_VM_ATTR_NAME))
    kvmrt_vm_set_name (vm, gvir_config_domain_get_name (domain));
  if (WANTS (KVMRT_VM_ATTR_TITLE))
    kvmrt_vm_set_title (vm, gvir_config_domain_get_title (domain));
  if (WANTS (KVMRT_VM_ATTR_DESCRIPTION))
    kvmrt_vm_set_description (vm, gvir_config_domain_get_description (domain));
  if (WANTS (KVMRT_VM_ATTR_NR_VCPUS))
    kvmrt_vm_set_nr_vcpus (vm, MAX (1, (guint) gvir_config_domain_get_vcpus (domain)));
  if (WANTS (KVMRT_VM_ATTR_CPU_TOPOLOGY))
    {
      g_autoptr(GVirConfigDomainCpu) cpu = gvir_config_domain_get_cpu (domain);
      g_autoptr(GVirConfigCapabilitiesCpuTopology) topo =
        cpu != NULL ? gvir_config_capabilities_cpu_get_topology (GVIR_CONFIG_CAPABILITIES_CPU (cpu))
                    : NULL;
      KvmrtTopology t = { 0 };

      if (topo != NULL)
        {
          t.sockets = gvir_config_capabilities_cpu_topology_get_sockets (topo);
          t.cores = gvir_config_capabilities_cpu_topology_get_cores (topo);
          t.threads = gvir_config_capabilities_cpu_topology_get_threads (topo);
        }
      kvmrt_vm_set_cpu_topology (vm, topo != NULL && t.sockets * t.cores * t.threads > 0 ? &t
                                                                                        : NULL);
    }
  if (WANTS (KVMRT_VM_ATTR_CPUSET))
    {
      g_autofree char *cpus = read_pinned_cpus (root);

      kvmrt_vm_set_text (vm, KVMRT_VM_ATTR_CPUSET, cpus != NULL ? cpus : "", NULL);
    }
  if (WANTS (KVMRT_VM_ATTR_NUMATUNE))
    {
      g_autofree char *nodes = kvmrt_domain_read_numatune (root);

      kvmrt_vm_set_text (vm, KVMRT_VM_ATTR_NUMATUNE, nodes != NULL ? nodes : "auto", NULL);
    }
  /* Unlocked memory leaves an unset rt_memory at "auto" (false for an ordinary VM), so an
   * import does not pin down what the config may decide later. */
  if (WANTS (KVMRT_VM_ATTR_RT_MEMORY))
    {
      if (kvmrt_domain_read_locked (root))
        kvmrt_vm_set_rt_memory (vm, KVMRT_TRISTATE_ON);
      else if (kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_RT_MEMORY) != NULL)
        kvmrt_vm_set_rt_memory (vm, KVMRT_TRISTATE_OFF);
    }
  if (WANTS (KVMRT_VM_ATTR_HIDE_KVM))
    kvmrt_vm_set_hide_kvm (vm, kvmrt_domain_read_hidden (root));
  if (WANTS (KVMRT_VM_ATTR_GUEST_SERVICES))
    kvmrt_vm_set_guest_services (vm, kvmrt_domain_find_gs_channel (root) != NULL);
  if (WANTS (KVMRT_VM_ATTR_PCIDEVS))
    {
      g_autoptr(GArray) hostdevs = kvmrt_domain_read_pci_hostdevs (domain);

      kvmrt_vm_set_pcidevs (vm, hostdevs);
    }
  xmlFreeDoc (doc);
  return TRUE;
}
