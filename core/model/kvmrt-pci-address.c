/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI addresses as lspci and sysfs write them, and lists of them (PCISET). */
#include "kvmrt-pci-address.h"

#include <string.h>

#include "kvmrt-error.h"
#include "kvmrt-i18n.h"

/* Reads exactly @n hex digits at *@p. */
static gboolean
read_hex (const char **p, guint n, guint *out)
{
  guint value = 0;

  for (guint i = 0; i < n; i++)
    {
      int digit = g_ascii_xdigit_value ((*p)[i]);

      if (digit < 0)
        return FALSE;
      value = value * 16 + digit;
    }
  *p += n;
  *out = value;
  return TRUE;
}

static gboolean
parse_stripped (const char *text, KvmrtPciAddress *out_address, GError **error)
{
  const char *p = text;
  guint domain, bus, device, function;
  gsize function_digits;

  if (!read_hex (&p, 4, &domain) || *p++ != ':'
      || !read_hex (&p, 2, &bus) || *p++ != ':'
      || !read_hex (&p, 2, &device) || *p++ != '.')
    goto invalid;

  /* One digit, or two with a leading zero ("00"), as the manual writes it. */
  function_digits = strlen (p);
  if (function_digits == 2 && p[0] == '0')
    p++;
  else if (function_digits != 1)
    goto invalid;
  if (!read_hex (&p, 1, &function))
    goto invalid;

  if (device > 0x1f)
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
                   _("'%s' has device %02x, but PCI devices go from 00 to 1f; write "
                     "domain:bus:device.function in hex, as in 0000:21:00.0"),
                   text, device);
      return FALSE;
    }
  if (function > 7)
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
                   _("'%s' has function %x, but PCI functions go from 0 to 7; write "
                     "domain:bus:device.function in hex, as in 0000:21:00.0"),
                   text, function);
      return FALSE;
    }

  *out_address = KVMRT_PCI_ADDRESS (domain, bus, device, function);
  return TRUE;

invalid:
  g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
               _("'%s' is not a PCI address; write domain:bus:device.function in hex, "
                 "as in 0000:21:00.0"),
               text);
  return FALSE;
}

gboolean
kvmrt_pci_address_parse (const char *text, KvmrtPciAddress *out_address, GError **error)
{
  g_autofree char *stripped = NULL;
  KvmrtPciAddress address;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stripped = g_strstrip (g_strdup (text));
  if (!parse_stripped (stripped, &address, error))
    return FALSE;
  if (out_address != NULL)
    *out_address = address;
  return TRUE;
}

char *
kvmrt_pci_address_format (KvmrtPciAddress address, char buf[KVMRT_PCI_ADDRESS_STRLEN])
{
  g_snprintf (buf, KVMRT_PCI_ADDRESS_STRLEN, "%04x:%02x:%02x.%x",
              KVMRT_PCI_ADDRESS_DOMAIN (address), KVMRT_PCI_ADDRESS_BUS (address),
              KVMRT_PCI_ADDRESS_DEVICE (address), KVMRT_PCI_ADDRESS_FUNCTION (address));
  return buf;
}

char *
kvmrt_pci_address_to_string (KvmrtPciAddress address)
{
  char buf[KVMRT_PCI_ADDRESS_STRLEN];

  return g_strdup (kvmrt_pci_address_format (address, buf));
}

gboolean
kvmrt_pci_set_contains (const GArray *set, KvmrtPciAddress address)
{
  g_return_val_if_fail (set != NULL, FALSE);

  for (guint i = 0; i < set->len; i++)
    if (g_array_index (set, KvmrtPciAddress, i) == address)
      return TRUE;
  return FALSE;
}

GArray *
kvmrt_pci_set_parse (const char *text, GError **error)
{
  g_autoptr(GArray) set = NULL;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  set = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  p = text;
  for (;;)
    {
      const char *end;
      g_autofree char *word = NULL;
      KvmrtPciAddress address;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;
      for (end = p; *end != '\0' && !g_ascii_isspace (*end); end++)
        ;
      word = g_strndup (p, end - p);
      if (!parse_stripped (word, &address, error))
        return NULL;
      if (kvmrt_pci_set_contains (set, address))
        {
          g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                       _("PCI device '%s' is listed more than once; list each device once"),
                       word);
          return NULL;
        }
      g_array_append_val (set, address);
      p = end;
    }

  return g_steal_pointer (&set);
}

char *
kvmrt_pci_set_to_string (const GArray *set)
{
  GString *out;

  g_return_val_if_fail (set != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < set->len; i++)
    {
      char buf[KVMRT_PCI_ADDRESS_STRLEN];

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, kvmrt_pci_address_format (g_array_index (set, KvmrtPciAddress, i),
                                                      buf));
    }
  return g_string_free (out, FALSE);
}
