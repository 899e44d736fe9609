/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI addresses "dddd:bb:dd.f" and PCISET lists: every accepted spelling, the canonical text,
 * and the error for every malformed address or list. */
#include <kvmrt.h>

static void
test_parse_accepts (void)
{
  static const struct {
    const char *text;
    const char *canonical;
    guint       domain, bus, device, function;
  } cases[] = {
    { "0000:21:00.0", "0000:21:00.0", 0, 0x21, 0, 0 },
    { "0000:21:00.00", "0000:21:00.0", 0, 0x21, 0, 0 },   /* the manual's own spelling */
    { "0000:22:00.1", "0000:22:00.1", 0, 0x22, 0, 1 },
    { "0000:22:00.01", "0000:22:00.1", 0, 0x22, 0, 1 },
    { "ABCD:EF:1F.7", "abcd:ef:1f.7", 0xabcd, 0xef, 0x1f, 7 },
    { "aBcD:eF:1f.07", "abcd:ef:1f.7", 0xabcd, 0xef, 0x1f, 7 },
    { "ffff:ff:1f.7", "ffff:ff:1f.7", 0xffff, 0xff, 0x1f, 7 },
    { "0000:00:00.0", "0000:00:00.0", 0, 0, 0, 0 },
    { " \t0000:c1:00.3\n", "0000:c1:00.3", 0, 0xc1, 0, 3 },
    { "0001:0a:10.2", "0001:0a:10.2", 1, 0x0a, 0x10, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      KvmrtPciAddress address = 0, again = 0;
      char buf[KVMRT_PCI_ADDRESS_STRLEN];
      g_autofree char *text = NULL;

      g_test_message ("parsing '%s'", cases[i].text);
      g_assert_true (kvmrt_pci_address_parse (cases[i].text, &address, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (KVMRT_PCI_ADDRESS_DOMAIN (address), ==, cases[i].domain);
      g_assert_cmpuint (KVMRT_PCI_ADDRESS_BUS (address), ==, cases[i].bus);
      g_assert_cmpuint (KVMRT_PCI_ADDRESS_DEVICE (address), ==, cases[i].device);
      g_assert_cmpuint (KVMRT_PCI_ADDRESS_FUNCTION (address), ==, cases[i].function);
      g_assert_cmpuint (address, ==, KVMRT_PCI_ADDRESS (cases[i].domain, cases[i].bus,
                                                        cases[i].device, cases[i].function));

      g_assert_true (kvmrt_pci_address_format (address, buf) == buf);
      g_assert_cmpstr (buf, ==, cases[i].canonical);
      text = kvmrt_pci_address_to_string (address);
      g_assert_cmpstr (text, ==, cases[i].canonical);

      g_assert_true (kvmrt_pci_address_parse (text, &again, NULL));
      g_assert_cmpuint (again, ==, address);
    }

  /* The address is optional for a check-only parse. */
  g_assert_true (kvmrt_pci_address_parse ("0000:21:00.0", NULL, NULL));
}

static void
test_address_order (void)
{
  /* Numeric order of the packed value is address order, as the host's device list uses. */
  g_assert_cmpuint (KVMRT_PCI_ADDRESS (0, 0x21, 0, 1), <, KVMRT_PCI_ADDRESS (0, 0x21, 1, 0));
  g_assert_cmpuint (KVMRT_PCI_ADDRESS (0, 0x21, 0x1f, 7), <, KVMRT_PCI_ADDRESS (0, 0x22, 0, 0));
  g_assert_cmpuint (KVMRT_PCI_ADDRESS (0, 0xff, 0x1f, 7), <, KVMRT_PCI_ADDRESS (1, 0, 0, 0));
}

#define FORM "write domain:bus:device.function in hex, as in 0000:21:00.0"

static void
test_parse_rejects (void)
{
  static const struct {
    const char *text;
    int         code;
    const char *message;
  } cases[] = {
    { "", KVMRT_VALUE_ERROR_INVALID, "'' is not a PCI address; " FORM },
    { "   ", KVMRT_VALUE_ERROR_INVALID, "'' is not a PCI address; " FORM },
    { "21:00.0", KVMRT_VALUE_ERROR_INVALID, "'21:00.0' is not a PCI address; " FORM },
    { "0000:21:00", KVMRT_VALUE_ERROR_INVALID, "'0000:21:00' is not a PCI address; " FORM },
    { "0000:21:00.", KVMRT_VALUE_ERROR_INVALID, "'0000:21:00.' is not a PCI address; " FORM },
    { "0000:21:00.000", KVMRT_VALUE_ERROR_INVALID,
      "'0000:21:00.000' is not a PCI address; " FORM },
    { "0000:21:00.10", KVMRT_VALUE_ERROR_INVALID,
      "'0000:21:00.10' is not a PCI address; " FORM },
    { "0000:21:0.0", KVMRT_VALUE_ERROR_INVALID, "'0000:21:0.0' is not a PCI address; " FORM },
    { "0000:1:00.0", KVMRT_VALUE_ERROR_INVALID, "'0000:1:00.0' is not a PCI address; " FORM },
    { "000:21:00.0", KVMRT_VALUE_ERROR_INVALID, "'000:21:00.0' is not a PCI address; " FORM },
    { "00000:21:00.0", KVMRT_VALUE_ERROR_INVALID,
      "'00000:21:00.0' is not a PCI address; " FORM },
    { "0000-21-00.0", KVMRT_VALUE_ERROR_INVALID, "'0000-21-00.0' is not a PCI address; " FORM },
    { "0000:21:00:0", KVMRT_VALUE_ERROR_INVALID, "'0000:21:00:0' is not a PCI address; " FORM },
    { "g000:21:00.0", KVMRT_VALUE_ERROR_INVALID, "'g000:21:00.0' is not a PCI address; " FORM },
    { "0000:2x:00.0", KVMRT_VALUE_ERROR_INVALID, "'0000:2x:00.0' is not a PCI address; " FORM },
    { "0000:21:00.0x", KVMRT_VALUE_ERROR_INVALID,
      "'0000:21:00.0x' is not a PCI address; " FORM },
    { "0000:21:00.g", KVMRT_VALUE_ERROR_INVALID, "'0000:21:00.g' is not a PCI address; " FORM },
    { "0000:21:00.0 0000:21:00.1", KVMRT_VALUE_ERROR_INVALID,
      "'0000:21:00.0 0000:21:00.1' is not a PCI address; " FORM },
    { "+000:21:00.0", KVMRT_VALUE_ERROR_INVALID, "'+000:21:00.0' is not a PCI address; " FORM },
    { "0000:21:20.0", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'0000:21:20.0' has device 20, but PCI devices go from 00 to 1f; " FORM },
    { "0000:21:FF.0", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'0000:21:FF.0' has device ff, but PCI devices go from 00 to 1f; " FORM },
    { "0000:21:00.8", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'0000:21:00.8' has function 8, but PCI functions go from 0 to 7; " FORM },
    { "0000:21:00.08", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'0000:21:00.08' has function 8, but PCI functions go from 0 to 7; " FORM },
    { "0000:21:00.f", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'0000:21:00.f' has function f, but PCI functions go from 0 to 7; " FORM },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      KvmrtPciAddress address = 0x12345;

      g_test_message ("parsing '%s'", cases[i].text);
      g_assert_false (kvmrt_pci_address_parse (cases[i].text, &address, &error));
      g_assert_error (error, KVMRT_VALUE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_cmpuint (address, ==, 0x12345);   /* untouched on error */
    }
}

static void
assert_pci_set (const GArray *set, const char *expected)
{
  g_autofree char *text = kvmrt_pci_set_to_string (set);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_set_accepts (void)
{
  static const struct {
    const char *text;
    const char *canonical;
    guint       len;
  } cases[] = {
    { "", "", 0 },
    { " \t\n ", "", 0 },
    { "0000:21:00.0", "0000:21:00.0", 1 },
    { "0000:21:00.0 0000:22:00.0 0000:22:00.1", "0000:21:00.0 0000:22:00.0 0000:22:00.1", 3 },
    /* Order is kept, not sorted: it is the order the VM sees its devices in. */
    { "0000:22:00.1 0000:21:00.0", "0000:22:00.1 0000:21:00.0", 2 },
    { "  0000:21:00.00\t0000:21:00.1\n\n0000:C1:00.0  ", "0000:21:00.0 0000:21:00.1 0000:c1:00.0",
      3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) set = NULL;
      g_autoptr(GArray) again = NULL;

      g_test_message ("parsing '%s'", cases[i].text);
      set = kvmrt_pci_set_parse (cases[i].text, &error);
      g_assert_no_error (error);
      g_assert_nonnull (set);
      g_assert_cmpuint (set->len, ==, cases[i].len);
      assert_pci_set (set, cases[i].canonical);

      again = kvmrt_pci_set_parse (cases[i].canonical, NULL);
      g_assert_nonnull (again);
      g_assert_cmpuint (again->len, ==, set->len);
      for (guint j = 0; j < set->len; j++)
        g_assert_cmpuint (g_array_index (again, KvmrtPciAddress, j), ==,
                          g_array_index (set, KvmrtPciAddress, j));
    }
}

static void
test_set_contains (void)
{
  g_autoptr(GArray) set = kvmrt_pci_set_parse ("0000:21:00.0 0000:22:00.1", NULL);
  g_autoptr(GArray) empty = kvmrt_pci_set_parse ("", NULL);

  g_assert_cmpuint (g_array_index (set, KvmrtPciAddress, 0), ==,
                    KVMRT_PCI_ADDRESS (0, 0x21, 0, 0));
  g_assert_cmpuint (g_array_index (set, KvmrtPciAddress, 1), ==,
                    KVMRT_PCI_ADDRESS (0, 0x22, 0, 1));
  g_assert_true (kvmrt_pci_set_contains (set, KVMRT_PCI_ADDRESS (0, 0x21, 0, 0)));
  g_assert_true (kvmrt_pci_set_contains (set, KVMRT_PCI_ADDRESS (0, 0x22, 0, 1)));
  g_assert_false (kvmrt_pci_set_contains (set, KVMRT_PCI_ADDRESS (0, 0x22, 0, 0)));
  g_assert_false (kvmrt_pci_set_contains (set, KVMRT_PCI_ADDRESS (1, 0x21, 0, 0)));
  g_assert_false (kvmrt_pci_set_contains (empty, KVMRT_PCI_ADDRESS (0, 0, 0, 0)));
}

static void
test_set_rejects (void)
{
  static const struct {
    const char *text;
    int         code;
    const char *message;
  } cases[] = {
    { "0000:21:00.0 bogus", KVMRT_VALUE_ERROR_INVALID, "'bogus' is not a PCI address; " FORM },
    { "0000:21:00.0,0000:21:00.1", KVMRT_VALUE_ERROR_INVALID,
      "'0000:21:00.0,0000:21:00.1' is not a PCI address; " FORM },
    { "21:00.0 0000:21:00.1", KVMRT_VALUE_ERROR_INVALID,
      "'21:00.0' is not a PCI address; " FORM },
    { "0000:21:00.0\t0000:21:00.9", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'0000:21:00.9' has function 9, but PCI functions go from 0 to 7; " FORM },
    { "0000:21:00.0 0000:22:00.0 0000:21:00.0", KVMRT_VALUE_ERROR_INVALID,
      "PCI device '0000:21:00.0' is listed more than once; list each device once" },
    /* The same device spelt differently is still the same device. */
    { "0000:21:00.0\n0000:21:00.00", KVMRT_VALUE_ERROR_INVALID,
      "PCI device '0000:21:00.00' is listed more than once; list each device once" },
    { "0000:c1:00.0 0000:C1:00.0", KVMRT_VALUE_ERROR_INVALID,
      "PCI device '0000:C1:00.0' is listed more than once; list each device once" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) set = NULL;

      g_test_message ("parsing '%s'", cases[i].text);
      set = kvmrt_pci_set_parse (cases[i].text, &error);
      g_assert_null (set);
      g_assert_error (error, KVMRT_VALUE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_set_to_string (void)
{
  g_autoptr(GArray) set = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  KvmrtPciAddress a = KVMRT_PCI_ADDRESS (0x10, 0x3, 0x1e, 6);
  KvmrtPciAddress b = KVMRT_PCI_ADDRESS (0, 0, 0, 0);

  assert_pci_set (set, "");
  g_array_append_val (set, a);
  assert_pci_set (set, "0010:03:1e.6");
  g_array_append_val (set, b);
  assert_pci_set (set, "0010:03:1e.6 0000:00:00.0");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pci-address/parse/accepts", test_parse_accepts);
  g_test_add_func ("/pci-address/parse/rejects", test_parse_rejects);
  g_test_add_func ("/pci-address/order", test_address_order);
  g_test_add_func ("/pci-set/parse/accepts", test_set_accepts);
  g_test_add_func ("/pci-set/parse/rejects", test_set_rejects);
  g_test_add_func ("/pci-set/contains", test_set_contains);
  g_test_add_func ("/pci-set/to-string", test_set_to_string);

  return g_test_run ();
}
