/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI bus addresses "dddd:bb:dd.f" and the PCISET field type (space-separated addresses). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* domain << 16 | bus << 8 | device << 3 | function; domain is at most 0xffff. */
typedef guint32 KvmrtPciAddress;

#define KVMRT_PCI_ADDRESS(dom, bus, dev, fn) \
  ((KvmrtPciAddress) (((dom) << 16) | ((bus) << 8) | ((dev) << 3) | (fn)))
#define KVMRT_PCI_ADDRESS_DOMAIN(a)   (((a) >> 16) & 0xffff)
#define KVMRT_PCI_ADDRESS_BUS(a)      (((a) >> 8) & 0xff)
#define KVMRT_PCI_ADDRESS_DEVICE(a)   (((a) >> 3) & 0x1f)
#define KVMRT_PCI_ADDRESS_FUNCTION(a) ((a) & 0x7)

/* Hex fields, case-insensitive; the function may be written with a leading zero ("00") as in
 * some vendor docs. Errors quote the text and show the expected form. */
gboolean kvmrt_pci_address_parse  (const char      *text,
                                   KvmrtPciAddress *out_address,
                                   GError         **error);
/* Canonical lower-case "0000:21:00.0" into @buf (at least KVMRT_PCI_ADDRESS_STRLEN bytes). */
#define KVMRT_PCI_ADDRESS_STRLEN 13
char    *kvmrt_pci_address_format (KvmrtPciAddress address,
                                   char            buf[KVMRT_PCI_ADDRESS_STRLEN]);
char    *kvmrt_pci_address_to_string (KvmrtPciAddress address);

/* PCISET: whitespace-separated addresses, order kept. A repeated address is an error.
 * Returns a GArray of KvmrtPciAddress ("" is an empty array). */
GArray  *kvmrt_pci_set_parse      (const char *text, GError **error);
/* Space-separated canonical addresses. */
char    *kvmrt_pci_set_to_string  (const GArray *set);
gboolean kvmrt_pci_set_contains   (const GArray *set, KvmrtPciAddress address);

G_END_DECLS
