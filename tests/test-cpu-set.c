/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtCpuSet: the CPUSET syntax of the manual (plain CPUs, n/c/d/p prefixed items, a leading
 * "~"), its canonical text, the errors for every malformed expression, and resolving against
 * the fixture hosts (see data/hosts/README.md for their layout). */
#include "kvmrt-test-hosts.h"

static KvmrtCpuSet *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  KvmrtCpuSet *set = kvmrt_cpu_set_parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);
  return set;
}

static void
assert_items (const KvmrtCpuSet *set, KvmrtCpuItemKind kind, const char *expected)
{
  g_autofree char *text = kvmrt_id_set_to_string (kvmrt_cpu_set_get_items (set, kind));

  g_assert_cmpstr (text, ==, expected);
}

/* Text -> expression -> canonical text; the canonical text parses to the same expression. */
static void
test_parse_accepts (void)
{
  static const struct {
    const char *text;
    const char *canonical;
    gboolean    inverted;
    const char *items[KVMRT_N_CPU_ITEM_KINDS];   /* CPU, n, c, d, p */
  } cases[] = {
    { "", "", FALSE, { "", "", "", "", "" } },
    { " \t ", "", FALSE, { "", "", "", "", "" } },
    { "5", "5", FALSE, { "5", "", "", "", "" } },
    { "4-7", "4-7", FALSE, { "4-7", "", "", "", "" } },
    { "0,1,16-19", "0-1,16-19", FALSE, { "0-1,16-19", "", "", "", "" } },
    { "n1", "n1", FALSE, { "", "1", "", "", "" } },
    { "N1", "n1", FALSE, { "", "1", "", "", "" } },
    { "n1-2", "n1-2", FALSE, { "", "1-2", "", "", "" } },
    { "n1,n2", "n1-2", FALSE, { "", "1-2", "", "", "" } },
    { "n1 - 2", "n1-2", FALSE, { "", "1-2", "", "", "" } },
    { "c3", "c3", FALSE, { "", "", "3", "", "" } },
    { "C3", "c3", FALSE, { "", "", "3", "", "" } },
    { "c1,c3,c2", "c1-3", FALSE, { "", "", "1-3", "", "" } },
    { "d0", "d0", FALSE, { "", "", "", "0", "" } },
    { "D0", "d0", FALSE, { "", "", "", "0", "" } },
    { "p0", "p0", FALSE, { "", "", "", "", "0" } },
    { "P1", "p1", FALSE, { "", "", "", "", "1" } },
    { "~n0", "~n0", TRUE, { "", "0", "", "", "" } },
    { " ~ n0 ", "~n0", TRUE, { "", "0", "", "", "" } },
    { "~0-3,n2", "~0-3,n2", TRUE, { "0-3", "2", "", "", "" } },
    { "~ 0 , N2 ", "~0,n2", TRUE, { "0", "2", "", "", "" } },
    { "n2,0-3", "0-3,n2", FALSE, { "0-3", "2", "", "", "" } },
    { "p0,d1,c2,n3,4", "4,n3,c2,d1,p0", FALSE, { "4", "3", "2", "1", "0" } },
    { " 8 , n1 ,\tc12-13 ", "8,n1,c12-13", FALSE, { "8", "1", "12-13", "", "" } },
    { "63,64,n0,n63-64", "63-64,n0,n63-64", FALSE, { "63-64", "0,63-64", "", "", "" } },
    { "65535,p65535", "65535,p65535", FALSE, { "65535", "", "", "", "65535" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KvmrtCpuSet) set = NULL;
      g_autoptr(KvmrtCpuSet) again = NULL;
      g_autofree char *canonical = NULL;
      g_autofree char *canonical_again = NULL;

      g_test_message ("parsing '%s'", cases[i].text);
      set = parse_ok (cases[i].text);
      canonical = kvmrt_cpu_set_to_string (set);
      g_assert_cmpstr (canonical, ==, cases[i].canonical);
      g_assert_cmpint (kvmrt_cpu_set_is_inverted (set), ==, cases[i].inverted);
      for (guint k = 0; k < KVMRT_N_CPU_ITEM_KINDS; k++)
        assert_items (set, k, cases[i].items[k]);

      again = parse_ok (canonical);
      canonical_again = kvmrt_cpu_set_to_string (again);
      g_assert_cmpstr (canonical_again, ==, canonical);
      g_assert_cmpint (kvmrt_cpu_set_is_inverted (again), ==, cases[i].inverted);
      for (guint k = 0; k < KVMRT_N_CPU_ITEM_KINDS; k++)
        g_assert_true (kvmrt_id_set_equal (kvmrt_cpu_set_get_items (again, k),
                                           kvmrt_cpu_set_get_items (set, k)));
    }
}

#define ITEM_HINT \
  "write a CPU (5), a CPU range (4-7), or a NUMA node, core, die or package number or range " \
  "with n, c, d or p in front (n1, c2-5)"
#define TILDE_HINT \
  ": ~ may only start the whole cpuset, where it inverts all of it (~n0,3 is every CPU " \
  "outside NUMA node 0 and CPU 3)"
#define EMPTY_HINT \
  " has an empty item (two commas in a row, or a comma at one end); separate items with " \
  "single commas, as in 0-3,n1"

/* Every way the parser refuses text: the code and the exact message, which quotes the item. */
static void
test_parse_rejects (void)
{
  static const struct {
    const char *text;
    int         code;
    const char *message;
  } cases[] = {
    /* "~" anywhere but at the very start. */
    { "0,~1", KVMRT_VALUE_ERROR_INVALID, "'~1'" TILDE_HINT },
    { "~~0", KVMRT_VALUE_ERROR_INVALID, "'~0'" TILDE_HINT },
    { "~0,~n1", KVMRT_VALUE_ERROR_INVALID, "'~n1'" TILDE_HINT },
    { "n0~", KVMRT_VALUE_ERROR_INVALID, "'n0~'" TILDE_HINT },
    { "0-~3", KVMRT_VALUE_ERROR_INVALID, "'0-~3'" TILDE_HINT },
    /* "~" with nothing to invert. */
    { "~", KVMRT_VALUE_ERROR_INVALID,
      "'~' inverts nothing; write what the cpuset leaves out after it, as in ~n0" },
    { " ~ \t", KVMRT_VALUE_ERROR_INVALID,
      "'~' inverts nothing; write what the cpuset leaves out after it, as in ~n0" },
    /* Empty items: the message quotes the whole (stripped) text. */
    { ",", KVMRT_VALUE_ERROR_INVALID, "','" EMPTY_HINT },
    { "1,,2", KVMRT_VALUE_ERROR_INVALID, "'1,,2'" EMPTY_HINT },
    { " n1, ", KVMRT_VALUE_ERROR_INVALID, "'n1,'" EMPTY_HINT },
    { ",n1", KVMRT_VALUE_ERROR_INVALID, "',n1'" EMPTY_HINT },
    { "~,", KVMRT_VALUE_ERROR_INVALID, "'~,'" EMPTY_HINT },
    /* Malformed items. */
    { "n", KVMRT_VALUE_ERROR_INVALID, "'n' is not a cpuset item; " ITEM_HINT },
    { "0,x5", KVMRT_VALUE_ERROR_INVALID, "'x5' is not a cpuset item; " ITEM_HINT },
    { "n 1", KVMRT_VALUE_ERROR_INVALID, "'n 1' is not a cpuset item; " ITEM_HINT },
    { "n1-n2", KVMRT_VALUE_ERROR_INVALID, "'n1-n2' is not a cpuset item; " ITEM_HINT },
    { "nn1", KVMRT_VALUE_ERROR_INVALID, "'nn1' is not a cpuset item; " ITEM_HINT },
    { "c-1", KVMRT_VALUE_ERROR_INVALID, "'c-1' is not a cpuset item; " ITEM_HINT },
    { "-", KVMRT_VALUE_ERROR_INVALID, "'-' is not a cpuset item; " ITEM_HINT },
    { "1-", KVMRT_VALUE_ERROR_INVALID, "'1-' is not a cpuset item; " ITEM_HINT },
    { "-1", KVMRT_VALUE_ERROR_INVALID, "'-1' is not a cpuset item; " ITEM_HINT },
    { "1 2", KVMRT_VALUE_ERROR_INVALID, "'1 2' is not a cpuset item; " ITEM_HINT },
    { "s0", KVMRT_VALUE_ERROR_INVALID, "'s0' is not a cpuset item; " ITEM_HINT },
    { "0x3", KVMRT_VALUE_ERROR_INVALID, "'0x3' is not a cpuset item; " ITEM_HINT },
    { "0-3 n1", KVMRT_VALUE_ERROR_INVALID, "'0-3 n1' is not a cpuset item; " ITEM_HINT },
    /* Reversed ranges keep their prefix in the suggested fix. */
    { "3-1", KVMRT_VALUE_ERROR_INVALID,
      "'3-1' is a reversed range; write the lower number first (1-3)" },
    { "0,n3-1", KVMRT_VALUE_ERROR_INVALID,
      "'n3-1' is a reversed range; write the lower number first (n1-3)" },
    { "C9-8", KVMRT_VALUE_ERROR_INVALID,
      "'C9-8' is a reversed range; write the lower number first (c8-9)" },
    /* Too large. */
    { "65536", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'65536' is out of range: numbers in a cpuset go from 0 to 65535" },
    { "~n70000", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'n70000' is out of range: numbers in a cpuset go from 0 to 65535" },
    { "0-99999999999999999999", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'0-99999999999999999999' is out of range: numbers in a cpuset go from 0 to 65535" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KvmrtCpuSet) set = NULL;

      g_test_message ("parsing '%s'", cases[i].text);
      set = kvmrt_cpu_set_parse (cases[i].text, &error);
      g_assert_null (set);
      g_assert_error (error, KVMRT_VALUE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  /* No error location: still refused. */
  g_assert_null (kvmrt_cpu_set_parse ("0,~1", NULL));
}

static void
test_is_empty (void)
{
  g_autoptr(KvmrtCpuSet) empty = parse_ok (" ");
  g_autoptr(KvmrtCpuSet) cpus = parse_ok ("0");
  g_autoptr(KvmrtCpuSet) node = parse_ok ("n0");
  g_autoptr(KvmrtCpuSet) package = parse_ok ("p0");
  g_autoptr(KvmrtCpuSet) inverted = parse_ok ("~0");

  g_assert_true (kvmrt_cpu_set_is_empty (empty));
  g_assert_false (kvmrt_cpu_set_is_inverted (empty));
  g_assert_false (kvmrt_cpu_set_is_empty (cpus));
  g_assert_false (kvmrt_cpu_set_is_empty (node));
  g_assert_false (kvmrt_cpu_set_is_empty (package));
  /* "~0" names every CPU but one: not empty before it meets a host. */
  g_assert_false (kvmrt_cpu_set_is_empty (inverted));
}

static void
test_new_from_ids (void)
{
  g_autoptr(KvmrtIdSet) ids = kvmrt_id_set_parse ("0-3,64,200-201", NULL);
  g_autoptr(KvmrtCpuSet) set = kvmrt_cpu_set_new_from_ids (ids);
  g_autofree char *text = kvmrt_cpu_set_to_string (set);
  g_autoptr(KvmrtIdSet) none = kvmrt_id_set_new ();
  g_autoptr(KvmrtCpuSet) empty = kvmrt_cpu_set_new_from_ids (none);
  g_autofree char *empty_text = kvmrt_cpu_set_to_string (empty);

  g_assert_cmpstr (text, ==, "0-3,64,200-201");
  g_assert_false (kvmrt_cpu_set_is_inverted (set));
  g_assert_true (kvmrt_id_set_equal (kvmrt_cpu_set_get_items (set, KVMRT_CPU_ITEM_CPU), ids));
  g_assert_true (kvmrt_id_set_is_empty (kvmrt_cpu_set_get_items (set, KVMRT_CPU_ITEM_NODE)));

  /* The expression holds its own copy. */
  kvmrt_id_set_add (ids, 7);
  assert_items (set, KVMRT_CPU_ITEM_CPU, "0-3,64,200-201");

  g_assert_true (kvmrt_cpu_set_is_empty (empty));
  g_assert_cmpstr (empty_text, ==, "");
}

static void
test_copy (void)
{
  g_autoptr(KvmrtCpuSet) set = parse_ok ("~1,n2,c3,d4,p5");
  g_autoptr(KvmrtCpuSet) copy = kvmrt_cpu_set_copy (set);
  g_autofree char *a = kvmrt_cpu_set_to_string (set);
  g_autofree char *b = kvmrt_cpu_set_to_string (copy);
  KvmrtCpuSet *boxed;
  g_autofree char *c = NULL;

  g_assert_cmpstr (a, ==, "~1,n2,c3,d4,p5");
  g_assert_cmpstr (b, ==, a);
  g_assert_true (kvmrt_cpu_set_get_items (copy, KVMRT_CPU_ITEM_NODE)
                 != kvmrt_cpu_set_get_items (set, KVMRT_CPU_ITEM_NODE));

  g_assert_true (g_type_is_a (KVMRT_TYPE_CPU_SET, G_TYPE_BOXED));
  boxed = g_boxed_copy (KVMRT_TYPE_CPU_SET, set);
  c = kvmrt_cpu_set_to_string (boxed);
  g_assert_cmpstr (c, ==, a);
  g_boxed_free (KVMRT_TYPE_CPU_SET, boxed);

  kvmrt_cpu_set_free (NULL);
}

static void
test_resolve (void)
{
  static const struct {
    const char *host;
    const char *cpuset;
    const char *cpus;
  } cases[] = {
    /* Demo host: core N = CPUs N and N+32, node k = cores 8k..8k+7, one package and die. */
    { "m12swa-tf", "", "" },
    { "m12swa-tf", "0-3", "0-3" },
    { "m12swa-tf", "0,1,16-19", "0-1,16-19" },
    { "m12swa-tf", "n1", "8-15,40-47" },
    { "m12swa-tf", "n1-2", "8-23,40-55" },
    { "m12swa-tf", "c3", "3,35" },
    { "m12swa-tf", "c8-11", "8-11,40-43" },
    { "m12swa-tf", "d0", "0-63" },
    { "m12swa-tf", "p0", "0-63" },
    { "m12swa-tf", "0-3,n1,c20", "0-3,8-15,20,40-47,52" },
    { "m12swa-tf", "~n0", "8-31,40-63" },
    { "m12swa-tf", "~0-3,n2", "4-15,24-47,56-63" },
    { "m12swa-tf", "~c0-31", "" },
    { "m12swa-tf", "~ 5", "0-4,6-63" },
    /* CPUs 40 and 41 are offline: still CPUs of the host and of node 1. */
    { "wrx90e-sage-se", "40-41", "40-41" },
    { "wrx90e-sage-se", "n1", "8-15,40-47" },
    { "wrx90e-sage-se", "~n0-2", "24-31,56-63" },
    /* No SMT, one node. */
    { "small-nosmt", "n0", "0-3" },
    { "small-nosmt", "c3", "3" },
    { "small-nosmt", "~0", "1-3" },
    /* Two packages of four nodes: CPUs cross several 64-bit words. */
    { "bench-256", "p1", "64-127,192-255" },
    { "bench-256", "d0", "0-63,128-191" },
    { "bench-256", "n7", "112-127,240-255" },
    { "bench-256", "c127", "127,255" },
    { "bench-256", "~p0,n4", "80-127,208-255" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KvmrtCpuSet) set = NULL;
      g_autoptr(KvmrtIdSet) cpus = NULL;
      g_autofree char *text = NULL;

      g_test_message ("resolving '%s' on %s", cases[i].cpuset, cases[i].host);
      set = parse_ok (cases[i].cpuset);
      cpus = kvmrt_cpu_set_resolve (set, test_load_host (cases[i].host), &error);
      g_assert_no_error (error);
      g_assert_nonnull (cpus);
      text = kvmrt_id_set_to_string (cpus);
      g_assert_cmpstr (text, ==, cases[i].cpus);
    }
}

/* One error naming, kind by kind, every item the host lacks. */
static void
test_resolve_unknown (void)
{
  static const struct {
    const char *host;
    const char *cpuset;
    const char *message;
  } cases[] = {
    { "m12swa-tf", "99", "CPU 99" },
    { "m12swa-tf", "0-99", "CPUs 64-99" },
    { "m12swa-tf", "99,n7", "CPU 99, NUMA node 7" },
    { "m12swa-tf", "n3-5", "NUMA nodes 4-5" },
    { "m12swa-tf", "c31-32", "core 32" },
    { "m12swa-tf", "d1", "die 1" },
    { "m12swa-tf", "p0-2", "packages 1-2" },
    { "m12swa-tf", "p1,d9,c32,c40,n4-5,64,70-71",
      "CPUs 64,70-71, NUMA nodes 4-5, cores 32,40, die 9, package 1" },
    /* Inverting does not hide a typo. */
    { "m12swa-tf", "~n7", "NUMA node 7" },
    { "small-nosmt", "4", "CPU 4" },
    { "small-nosmt", "n1", "NUMA node 1" },
    { "bench-256", "256,p2", "CPU 256, package 2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KvmrtCpuSet) set = NULL;
      g_autoptr(KvmrtIdSet) cpus = NULL;

      g_test_message ("resolving '%s' on %s", cases[i].cpuset, cases[i].host);
      set = parse_ok (cases[i].cpuset);
      cpus = kvmrt_cpu_set_resolve (set, test_load_host (cases[i].host), &error);
      g_assert_null (cpus);
      g_assert_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_UNKNOWN_ID);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* The whole expression resolves the same from its canonical text. */
static void
test_resolve_round_trip (void)
{
  static const char *const cpusets[] = {
    "~ N2 , 0 - 3", "c9,c8,n3,1", "P0", "~d0,63", "n0,c8",
  };
  KvmrtHost *host = test_load_host ("m12swa-tf");

  for (guint i = 0; i < G_N_ELEMENTS (cpusets); i++)
    {
      g_autoptr(KvmrtCpuSet) set = parse_ok (cpusets[i]);
      g_autofree char *canonical = kvmrt_cpu_set_to_string (set);
      g_autoptr(KvmrtCpuSet) again = parse_ok (canonical);
      g_autoptr(KvmrtIdSet) a = kvmrt_cpu_set_resolve (set, host, NULL);
      g_autoptr(KvmrtIdSet) b = kvmrt_cpu_set_resolve (again, host, NULL);

      g_test_message ("resolving '%s' and '%s'", cpusets[i], canonical);
      g_assert_nonnull (a);
      g_assert_nonnull (b);
      g_assert_true (kvmrt_id_set_equal (a, b));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cpu-set/parse/accepts", test_parse_accepts);
  g_test_add_func ("/cpu-set/parse/rejects", test_parse_rejects);
  g_test_add_func ("/cpu-set/is-empty", test_is_empty);
  g_test_add_func ("/cpu-set/new-from-ids", test_new_from_ids);
  g_test_add_func ("/cpu-set/copy", test_copy);
  g_test_add_func ("/cpu-set/resolve", test_resolve);
  g_test_add_func ("/cpu-set/resolve/unknown", test_resolve_unknown);
  g_test_add_func ("/cpu-set/resolve/round-trip", test_resolve_round_trip);

  return g_test_run ();
}
