/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the domain XML writer (kvmrt-domain-xml.c) and reader (kvmrt-domain-xml-read.c) share:
 * small libxml2 helpers and how kvmrt's values are read off a domain. */
#pragma once

#include <libvirt-gconfig/libvirt-gconfig.h>
#include <libxml/tree.h>

#include "kvmrt-domain-xml.h"

G_BEGIN_DECLS

/* libvirt-gconfig 4.0 declares no g_autoptr() support of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomain, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainCpu, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigCapabilitiesCpuTopology, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainHostdevPci, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainAddressPci, g_object_unref)

/* The first element child of @parent named @name, or NULL. */
xmlNodePtr  kvmrt_xml_child          (xmlNodePtr parent, const char *name);
/* That child, appended when missing. */
xmlNodePtr  kvmrt_xml_ensure_child   (xmlNodePtr parent, const char *name);
/* Unlinks and frees @node when it has no element children and no attributes. */
void        kvmrt_xml_drop_if_empty  (xmlNodePtr node);
/* Attribute text, newly allocated with g_malloc, or NULL. */
char       *kvmrt_xml_get_prop       (xmlNodePtr node, const char *name);

/* A CPU or node list as kvmrt writes it ("0-3,8"); the raw text when it does not parse. */
char       *kvmrt_domain_normalize_set (const char *text);
/* The <cputune> pins as "VCPU:SET VCPU:SET" (for vcpupin) or "SET" (emulatorpin); "none". */
char       *kvmrt_domain_read_pins   (xmlNodePtr root, const char *element, const char *key);
/* Every PCI hostdev's source address, in document order (KvmrtPciAddress). */
GArray     *kvmrt_domain_read_pci_hostdevs (GVirConfigDomain *domain);
/* The hostdev addresses kvmrt's metadata says it added (KvmrtPciAddress); @has_block (may be
 * NULL) says whether the domain has kvmrt's metadata at all. */
GArray     *kvmrt_domain_read_owned_hostdevs (xmlNodePtr root, gboolean *has_block);
/* <memoryBacking><locked/> and <features><kvm><hidden state='on'/>. */
gboolean    kvmrt_domain_read_locked (xmlNodePtr root);
gboolean    kvmrt_domain_read_hidden (xmlNodePtr root);
/* The <channel> whose virtio target is KVMRT_GS_CHANNEL, or NULL. */
xmlNodePtr  kvmrt_domain_find_gs_channel (xmlNodePtr root);
/* <numatune><memory nodeset>, normalized, or NULL. */
char       *kvmrt_domain_read_numatune (xmlNodePtr root);

/* Unlinks and frees every element child of @parent named @name. */
void        kvmrt_xml_remove_children (xmlNodePtr parent, const char *name);

/* "0:a 1:a 2:b" -> "0-1:a 2:b": vCPUs in a row with the same value read as one (takes
 * @pins). */
char       *kvmrt_domain_compress_pins (char *pins);

/* The sync's state while it writes one domain (kvmrt-domain-xml.c). */
typedef struct _KvmrtDomainSync KvmrtDomainSync;
/* Records a difference (taking both strings); TRUE when there is one, and the caller then
 * changes the field. */
gboolean    kvmrt_domain_sync_differs (KvmrtDomainSync *s, KvmrtDomainField field,
                                       KvmrtVmAttr attr, char *current, char *wanted);
/* The real-time guest definition of a real-time VM (kvmrt-domain-xml-rt.c). */
void        kvmrt_domain_sync_rt_guest (KvmrtDomainSync *s, const KvmrtVmPlan *plan,
                                        xmlNodePtr root);

/* Parses what gconfig serialized into a libxml2 document. */
xmlDocPtr   kvmrt_domain_parse       (const char *xml, GError **error);

G_END_DECLS
