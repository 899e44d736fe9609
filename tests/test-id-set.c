/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtIdSet: the ID-set syntax, compact formatting, set algebra and iteration, across word
 * boundaries and up to the largest id. */
#include <string.h>

#include <kvmrt.h>

static void
assert_set_is (const KvmrtIdSet *set, const char *expected)
{
  g_autofree char *text = kvmrt_id_set_to_string (set);

  g_assert_cmpstr (text, ==, expected);
}

static KvmrtIdSet *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  KvmrtIdSet *set = kvmrt_id_set_parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);
  return set;
}

/* Text -> set -> canonical text, and the canonical text parses to the same set. */
static void
test_parse_accepts (void)
{
  static const struct {
    const char *text;
    const char *canonical;
    guint       count;
  } cases[] = {
    { "", "", 0 },
    { "   ", "", 0 },
    { "\t\n", "", 0 },
    { "0", "0", 1 },
    { "0,2,4-7,12-15", "0,2,4-7,12-15", 10 },
    { " 1 , 3 ", "1,3", 2 },
    { "\t1\n,2", "1-2", 2 },
    { "3,1,2", "1-3", 3 },
    { "4 - 7", "4-7", 4 },
    { "4-\t7", "4-7", 4 },
    { "0-0", "0", 1 },
    { "5,5", "5", 1 },
    { "1-3,2-5", "1-5", 5 },
    { "1-3,4-6", "1-6", 6 },
    { "007", "7", 1 },
    { "63,64", "63-64", 2 },
    { "0-63,64-127", "0-127", 128 },
    { "62-65,127-129", "62-65,127-129", 7 },
    { "0-255", "0-255", 256 },
    { "1,3,5,7", "1,3,5,7", 4 },
    { "65535", "65535", 1 },
    { "0,65535", "0,65535", 2 },
    { "65530-65535", "65530-65535", 6 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KvmrtIdSet) set = parse_ok (cases[i].text);
      g_autofree char *canonical = kvmrt_id_set_to_string (set);
      g_autoptr(KvmrtIdSet) again = NULL;
      g_autofree char *canonical_again = NULL;

      g_test_message ("parsing '%s'", cases[i].text);
      g_assert_cmpstr (canonical, ==, cases[i].canonical);
      g_assert_cmpuint (kvmrt_id_set_count (set), ==, cases[i].count);

      again = parse_ok (canonical);
      g_assert_true (kvmrt_id_set_equal (set, again));
      canonical_again = kvmrt_id_set_to_string (again);
      g_assert_cmpstr (canonical_again, ==, canonical);
    }
}

static void
test_parse_members (void)
{
  g_autoptr(KvmrtIdSet) set = parse_ok ("0,2,4-7,12-15");
  static const guint members[] = { 0, 2, 4, 5, 6, 7, 12, 13, 14, 15 };

  for (guint id = 0; id < 20; id++)
    {
      gboolean expected = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (members); j++)
        expected |= members[j] == id;
      g_assert_cmpint (kvmrt_id_set_contains (set, id), ==, expected);
    }
}

/* Every way the parser refuses text: the code and the exact message, which quotes the item. */
static void
test_parse_rejects (void)
{
  static const struct {
    const char *text;
    int         code;
    const char *message;
  } cases[] = {
    /* Empty items: the message quotes the whole (stripped) text. */
    { ",", KVMRT_VALUE_ERROR_INVALID,
      "',' has an empty item (two commas in a row, or a comma at one end); separate numbers "
      "and ranges with single commas, as in 0,2,4-7" },
    { " 1,,2 ", KVMRT_VALUE_ERROR_INVALID,
      "'1,,2' has an empty item (two commas in a row, or a comma at one end); separate numbers "
      "and ranges with single commas, as in 0,2,4-7" },
    { "1,", KVMRT_VALUE_ERROR_INVALID,
      "'1,' has an empty item (two commas in a row, or a comma at one end); separate numbers "
      "and ranges with single commas, as in 0,2,4-7" },
    { ",1", KVMRT_VALUE_ERROR_INVALID,
      "',1' has an empty item (two commas in a row, or a comma at one end); separate numbers "
      "and ranges with single commas, as in 0,2,4-7" },
    { "1, ,2", KVMRT_VALUE_ERROR_INVALID,
      "'1, ,2' has an empty item (two commas in a row, or a comma at one end); separate "
      "numbers and ranges with single commas, as in 0,2,4-7" },
    /* Malformed items: the message quotes the item alone. */
    { "-", KVMRT_VALUE_ERROR_INVALID,
      "'-' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "a", KVMRT_VALUE_ERROR_INVALID,
      "'a' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "0, 1-", KVMRT_VALUE_ERROR_INVALID,
      "'1-' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "-1", KVMRT_VALUE_ERROR_INVALID,
      "'-1' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "1-2-3", KVMRT_VALUE_ERROR_INVALID,
      "'1-2-3' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "1--2", KVMRT_VALUE_ERROR_INVALID,
      "'1--2' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "1 2", KVMRT_VALUE_ERROR_INVALID,
      "'1 2' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "+1", KVMRT_VALUE_ERROR_INVALID,
      "'+1' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "0x10", KVMRT_VALUE_ERROR_INVALID,
      "'0x10' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "1.5", KVMRT_VALUE_ERROR_INVALID,
      "'1.5' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "0-3,n1", KVMRT_VALUE_ERROR_INVALID,
      "'n1' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "~1", KVMRT_VALUE_ERROR_INVALID,
      "'~1' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    { "1;2", KVMRT_VALUE_ERROR_INVALID,
      "'1;2' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    /* A malformed item wins over a too large number in it. */
    { "1-70000x", KVMRT_VALUE_ERROR_INVALID,
      "'1-70000x' is not a number or a range of numbers; write IDs as in 0,2,4-7" },
    /* Reversed ranges name the range the right way round. */
    { "3-1", KVMRT_VALUE_ERROR_INVALID,
      "'3-1' is a reversed range; write the lower number first (1-3)" },
    { "0, 15 - 8", KVMRT_VALUE_ERROR_INVALID,
      "'15 - 8' is a reversed range; write the lower number first (8-15)" },
    /* Too large. */
    { "65536", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'65536' is out of range: IDs go from 0 to 65535" },
    { "0-99999999", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'0-99999999' is out of range: IDs go from 0 to 65535" },
    { "1,99999999999999999999999", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'99999999999999999999999' is out of range: IDs go from 0 to 65535" },
    { "70000-1", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'70000-1' is out of range: IDs go from 0 to 65535" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KvmrtIdSet) set = NULL;

      g_test_message ("parsing '%s'", cases[i].text);
      set = kvmrt_id_set_parse (cases[i].text, &error);
      g_assert_null (set);
      g_assert_error (error, KVMRT_VALUE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_parse_no_error_location (void)
{
  g_autoptr(KvmrtIdSet) set = kvmrt_id_set_parse ("1,x", NULL);

  g_assert_null (set);
}

static void
test_new_range (void)
{
  g_autoptr(KvmrtIdSet) a = kvmrt_id_set_new_range (60, 200);
  g_autoptr(KvmrtIdSet) one = kvmrt_id_set_new_range (7, 7);
  g_autoptr(KvmrtIdSet) empty = kvmrt_id_set_new_range (5, 4);
  g_autoptr(KvmrtIdSet) word = kvmrt_id_set_new_range (64, 127);

  assert_set_is (a, "60-200");
  g_assert_cmpuint (kvmrt_id_set_count (a), ==, 141);
  g_assert_false (kvmrt_id_set_contains (a, 59));
  g_assert_true (kvmrt_id_set_contains (a, 60));
  g_assert_true (kvmrt_id_set_contains (a, 200));
  g_assert_false (kvmrt_id_set_contains (a, 201));
  assert_set_is (one, "7");
  g_assert_true (kvmrt_id_set_is_empty (empty));
  g_assert_cmpuint (kvmrt_id_set_count (word), ==, 64);
  g_assert_cmpint (kvmrt_id_set_first (word), ==, 64);
  g_assert_cmpint (kvmrt_id_set_last (word), ==, 127);
}

static void
test_add_remove (void)
{
  g_autoptr(KvmrtIdSet) set = kvmrt_id_set_new ();
  static const guint ids[] = { 0, 1, 62, 63, 64, 65, 127, 128, 255, 256, 1000, 65535 };

  g_assert_true (kvmrt_id_set_is_empty (set));
  g_assert_cmpint (kvmrt_id_set_first (set), ==, -1);
  g_assert_cmpint (kvmrt_id_set_last (set), ==, -1);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      kvmrt_id_set_add (set, ids[i]);
      kvmrt_id_set_add (set, ids[i]);   /* twice: still one member */
      g_assert_true (kvmrt_id_set_contains (set, ids[i]));
      g_assert_cmpuint (kvmrt_id_set_count (set), ==, i + 1);
      g_assert_cmpint (kvmrt_id_set_last (set), ==, ids[i]);
    }
  assert_set_is (set, "0-1,62-65,127-128,255-256,1000,65535");
  g_assert_false (kvmrt_id_set_contains (set, 2));
  g_assert_false (kvmrt_id_set_contains (set, 65534));
  g_assert_false (kvmrt_id_set_contains (set, 1000000));

  kvmrt_id_set_remove (set, 64);
  kvmrt_id_set_remove (set, 65535);
  kvmrt_id_set_remove (set, 3);          /* not a member */
  kvmrt_id_set_remove (set, 2000000);    /* past the bitmap */
  assert_set_is (set, "0-1,62-63,65,127-128,255-256,1000");
  g_assert_cmpint (kvmrt_id_set_last (set), ==, 1000);

  kvmrt_id_set_clear (set);
  g_assert_true (kvmrt_id_set_is_empty (set));
  g_assert_cmpuint (kvmrt_id_set_count (set), ==, 0);
  assert_set_is (set, "");
}

static void
test_add_range (void)
{
  g_autoptr(KvmrtIdSet) set = kvmrt_id_set_new ();

  kvmrt_id_set_add_range (set, 3, 5);           /* inside one word */
  kvmrt_id_set_add_range (set, 60, 70);         /* across one boundary */
  kvmrt_id_set_add_range (set, 100, 400);       /* across several words */
  kvmrt_id_set_add_range (set, 9, 8);           /* empty: nothing */
  kvmrt_id_set_add_range (set, 63, 63);
  assert_set_is (set, "3-5,60-70,100-400");
  g_assert_cmpuint (kvmrt_id_set_count (set), ==, 3 + 11 + 301);

  kvmrt_id_set_add_range (set, 0, 65535);
  g_assert_cmpuint (kvmrt_id_set_count (set), ==, 65536);
  assert_set_is (set, "0-65535");
}

static void
test_copy_and_equal (void)
{
  g_autoptr(KvmrtIdSet) a = parse_ok ("1,64,300");
  g_autoptr(KvmrtIdSet) b = kvmrt_id_set_copy (a);
  g_autoptr(KvmrtIdSet) grown = kvmrt_id_set_new ();
  g_autoptr(KvmrtIdSet) empty = kvmrt_id_set_new ();
  KvmrtIdSet *boxed;

  g_assert_true (kvmrt_id_set_equal (a, b));
  kvmrt_id_set_add (b, 2);
  g_assert_false (kvmrt_id_set_equal (a, b));
  g_assert_false (kvmrt_id_set_contains (a, 2));   /* the copy is independent */
  kvmrt_id_set_remove (b, 2);
  g_assert_true (kvmrt_id_set_equal (a, b));

  /* A bitmap that grew and emptied again equals a fresh one, in both directions. */
  kvmrt_id_set_add (grown, 5000);
  kvmrt_id_set_remove (grown, 5000);
  g_assert_true (kvmrt_id_set_equal (grown, empty));
  g_assert_true (kvmrt_id_set_equal (empty, grown));
  kvmrt_id_set_add (grown, 1);
  kvmrt_id_set_add (empty, 1);
  g_assert_true (kvmrt_id_set_equal (grown, empty));
  g_assert_true (kvmrt_id_set_equal (empty, grown));
  kvmrt_id_set_add (empty, 4999);
  g_assert_false (kvmrt_id_set_equal (grown, empty));
  g_assert_false (kvmrt_id_set_equal (empty, grown));

  g_assert_true (g_type_is_a (KVMRT_TYPE_ID_SET, G_TYPE_BOXED));
  boxed = g_boxed_copy (KVMRT_TYPE_ID_SET, a);
  g_assert_true (boxed != a);
  g_assert_true (kvmrt_id_set_equal (boxed, a));
  g_boxed_free (KVMRT_TYPE_ID_SET, boxed);

  kvmrt_id_set_free (NULL);
}

static void
test_algebra (void)
{
  g_autoptr(KvmrtIdSet) small = parse_ok ("0-7,60-67");
  g_autoptr(KvmrtIdSet) large = parse_ok ("4-5,64,200-300,1000");
  g_autoptr(KvmrtIdSet) u = kvmrt_id_set_copy (small);
  g_autoptr(KvmrtIdSet) i = kvmrt_id_set_copy (small);
  g_autoptr(KvmrtIdSet) i2 = kvmrt_id_set_copy (large);
  g_autoptr(KvmrtIdSet) d = kvmrt_id_set_copy (small);
  g_autoptr(KvmrtIdSet) d2 = kvmrt_id_set_copy (large);

  kvmrt_id_set_union (u, large);
  assert_set_is (u, "0-7,60-67,200-300,1000");
  kvmrt_id_set_intersect (i, large);
  assert_set_is (i, "4-5,64");
  kvmrt_id_set_intersect (i2, small);      /* the larger bitmap loses its upper words */
  assert_set_is (i2, "4-5,64");
  g_assert_true (kvmrt_id_set_equal (i, i2));
  kvmrt_id_set_subtract (d, large);
  assert_set_is (d, "0-3,6-7,60-63,65-67");
  kvmrt_id_set_subtract (d2, small);
  assert_set_is (d2, "200-300,1000");

  /* Union with an empty set, or with itself, changes nothing. */
  {
    g_autoptr(KvmrtIdSet) empty = kvmrt_id_set_new ();
    g_autoptr(KvmrtIdSet) same = kvmrt_id_set_copy (large);

    kvmrt_id_set_union (same, empty);
    kvmrt_id_set_union (same, large);
    g_assert_true (kvmrt_id_set_equal (same, large));
    kvmrt_id_set_intersect (same, empty);
    g_assert_true (kvmrt_id_set_is_empty (same));
  }
}

static void
test_relations (void)
{
  g_autoptr(KvmrtIdSet) a = parse_ok ("0-3");
  g_autoptr(KvmrtIdSet) b = parse_ok ("3,500");
  g_autoptr(KvmrtIdSet) c = parse_ok ("4-7,500");
  g_autoptr(KvmrtIdSet) big = parse_ok ("0-7,128-1000");
  g_autoptr(KvmrtIdSet) empty = kvmrt_id_set_new ();
  g_autoptr(KvmrtIdSet) grown_empty = kvmrt_id_set_new ();

  kvmrt_id_set_add (grown_empty, 9000);
  kvmrt_id_set_remove (grown_empty, 9000);

  g_assert_true (kvmrt_id_set_intersects (a, b));
  g_assert_true (kvmrt_id_set_intersects (b, a));
  g_assert_false (kvmrt_id_set_intersects (a, c));
  g_assert_true (kvmrt_id_set_intersects (b, c));      /* only in a higher word */
  g_assert_false (kvmrt_id_set_intersects (a, empty));
  g_assert_false (kvmrt_id_set_intersects (empty, empty));

  g_assert_true (kvmrt_id_set_is_subset (a, big));
  g_assert_true (kvmrt_id_set_is_subset (b, big));
  g_assert_false (kvmrt_id_set_is_subset (big, a));
  g_assert_false (kvmrt_id_set_is_subset (c, a));
  g_assert_true (kvmrt_id_set_is_subset (a, a));
  g_assert_true (kvmrt_id_set_is_subset (empty, a));
  g_assert_true (kvmrt_id_set_is_subset (grown_empty, a));   /* zero words beyond @super */
  g_assert_false (kvmrt_id_set_is_subset (a, empty));
}

static void
test_iteration (void)
{
  g_autoptr(KvmrtIdSet) set = parse_ok ("0,63-64,127-128,255-256,4095,65535");
  static const int expected[] = { 0, 63, 64, 127, 128, 255, 256, 4095, 65535 };
  g_autoptr(GArray) array = NULL;
  guint n = 0;

  for (int id = kvmrt_id_set_first (set); id >= 0; id = kvmrt_id_set_next (set, id))
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (expected));
      g_assert_cmpint (id, ==, expected[n]);
      g_assert_cmpint (kvmrt_id_set_nth (set, n), ==, id);
      n++;
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  g_assert_cmpint (kvmrt_id_set_nth (set, n), ==, -1);
  g_assert_cmpint (kvmrt_id_set_first (set), ==, 0);
  g_assert_cmpint (kvmrt_id_set_last (set), ==, 65535);

  /* next() from ids that are not members, and from before the start. */
  g_assert_cmpint (kvmrt_id_set_next (set, -1), ==, 0);
  g_assert_cmpint (kvmrt_id_set_next (set, 1), ==, 63);
  g_assert_cmpint (kvmrt_id_set_next (set, 129), ==, 255);
  g_assert_cmpint (kvmrt_id_set_next (set, 256), ==, 4095);
  g_assert_cmpint (kvmrt_id_set_next (set, 65535), ==, -1);
  g_assert_cmpint (kvmrt_id_set_next (set, 100000), ==, -1);
  g_assert_cmpint (kvmrt_id_set_next (set, G_MAXINT), ==, -1);

  array = kvmrt_id_set_to_array (set);
  g_assert_cmpuint (array->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < array->len; i++)
    g_assert_cmpint (g_array_index (array, gint, i), ==, expected[i]);

  {
    g_autoptr(KvmrtIdSet) empty = kvmrt_id_set_new ();
    g_autoptr(GArray) none = kvmrt_id_set_to_array (empty);

    g_assert_cmpuint (none->len, ==, 0);
    g_assert_cmpint (kvmrt_id_set_nth (empty, 0), ==, -1);
    g_assert_cmpint (kvmrt_id_set_next (empty, -1), ==, -1);
  }
}

static void
test_nth_dense (void)
{
  g_autoptr(KvmrtIdSet) set = kvmrt_id_set_new_range (10, 300);

  for (guint n = 0; n <= 290; n++)
    g_assert_cmpint (kvmrt_id_set_nth (set, n), ==, 10 + n);
  g_assert_cmpint (kvmrt_id_set_nth (set, 291), ==, -1);
}

static void
test_format_folds_runs (void)
{
  g_autoptr(KvmrtIdSet) set = kvmrt_id_set_new ();

  /* Runs that end exactly at and start exactly after word boundaries. */
  kvmrt_id_set_add_range (set, 0, 63);
  kvmrt_id_set_add_range (set, 65, 127);
  kvmrt_id_set_add (set, 129);
  kvmrt_id_set_add_range (set, 191, 192);
  assert_set_is (set, "0-63,65-127,129,191-192");

  kvmrt_id_set_add (set, 64);
  kvmrt_id_set_add (set, 128);
  assert_set_is (set, "0-129,191-192");

  /* A run that reaches the end of the allocated bitmap. */
  kvmrt_id_set_add_range (set, 200, 255);
  assert_set_is (set, "0-129,191-192,200-255");
}

/* Random operations cross-checked against a plain array of booleans. */
#define UNIVERSE 700

static void
fill_random (KvmrtIdSet *set, gboolean *ref, guint limit)
{
  guint n = g_test_rand_int_range (0, 60);

  kvmrt_id_set_clear (set);
  memset (ref, 0, sizeof (gboolean) * UNIVERSE);
  for (guint i = 0; i < n; i++)
    {
      guint first = g_test_rand_int_range (0, limit);
      guint length = g_test_rand_int_range (0, 80);
      guint last = MIN (first + length, limit - 1);

      kvmrt_id_set_add_range (set, first, last);
      for (guint id = first; id <= last; id++)
        ref[id] = TRUE;
    }
}

static void
assert_matches (const KvmrtIdSet *set, const gboolean *ref)
{
  guint count = 0;
  int id = -1;

  for (guint i = 0; i < UNIVERSE; i++)
    {
      g_assert_cmpint (kvmrt_id_set_contains (set, i), ==, ref[i]);
      if (ref[i])
        {
          id = kvmrt_id_set_next (set, id);
          g_assert_cmpint (id, ==, i);
          g_assert_cmpint (kvmrt_id_set_nth (set, count), ==, i);
          count++;
        }
    }
  g_assert_cmpint (kvmrt_id_set_next (set, id), ==, -1);
  g_assert_cmpuint (kvmrt_id_set_count (set), ==, count);
}

static void
test_random_against_reference (void)
{
  for (guint round = 0; round < 200; round++)
    {
      g_autoptr(KvmrtIdSet) a = kvmrt_id_set_new ();
      g_autoptr(KvmrtIdSet) b = kvmrt_id_set_new ();
      g_autoptr(KvmrtIdSet) r = NULL;
      g_autoptr(KvmrtIdSet) parsed = NULL;
      g_autofree char *text = NULL;
      gboolean ra[UNIVERSE], rb[UNIVERSE], rr[UNIVERSE];
      gboolean any_common = FALSE, subset = TRUE;
      guint op = round % 3;

      /* Mixed sizes, so bitmaps of different lengths meet. */
      fill_random (a, ra, g_test_rand_bit () ? 100 : UNIVERSE);
      fill_random (b, rb, g_test_rand_bit () ? 100 : UNIVERSE);
      assert_matches (a, ra);

      text = kvmrt_id_set_to_string (a);
      parsed = parse_ok (text);
      g_assert_true (kvmrt_id_set_equal (parsed, a));

      for (guint i = 0; i < UNIVERSE; i++)
        {
          any_common |= ra[i] && rb[i];
          subset &= !ra[i] || rb[i];
          rr[i] = op == 0 ? (ra[i] || rb[i]) : op == 1 ? (ra[i] && rb[i]) : (ra[i] && !rb[i]);
        }
      g_assert_cmpint (kvmrt_id_set_intersects (a, b), ==, any_common);
      g_assert_cmpint (kvmrt_id_set_is_subset (a, b), ==, subset);

      r = kvmrt_id_set_copy (a);
      if (op == 0)
        kvmrt_id_set_union (r, b);
      else if (op == 1)
        kvmrt_id_set_intersect (r, b);
      else
        kvmrt_id_set_subtract (r, b);
      assert_matches (r, rr);
    }
}

/* The kernel's hexadecimal CPU masks, read and written back in the layout read. */
static void
test_kernel_masks (void)
{
  g_autoptr(KvmrtIdSet) all = kvmrt_id_set_parse_mask ("ffffffff,ffffffff");
  g_autoptr(KvmrtIdSet) small = kvmrt_id_set_parse_mask ("3");
  g_autoptr(KvmrtIdSet) some = kvmrt_id_set_parse ("0-7,14-39,46-63", NULL);
  g_autofree char *all_text = kvmrt_id_set_to_string (all);
  g_autofree char *small_text = kvmrt_id_set_to_string (small);
  g_autofree char *some_mask = kvmrt_id_set_to_mask (some, "ffffffff,ffffffff");
  g_autofree char *odd_mask = kvmrt_id_set_to_mask (some, "f,ffffffff");
  g_autofree char *none_mask = NULL;

  g_assert_cmpstr (all_text, ==, "0-63");
  g_assert_cmpstr (small_text, ==, "0-1");
  g_assert_cmpstr (some_mask, ==, "ffffc0ff,ffffc0ff");
  /* Bits beyond the layout (a 36-CPU mask) are dropped. */
  g_assert_cmpstr (odd_mask, ==, "f,ffffc0ff");
  none_mask = kvmrt_id_set_to_mask (small, "00000000,00000000");
  g_assert_cmpstr (none_mask, ==, "00000000,00000003");
  g_assert_null (kvmrt_id_set_parse_mask ("0x3"));
  g_assert_null (kvmrt_id_set_parse_mask ("f f"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/id-set/parse/accepts", test_parse_accepts);
  g_test_add_func ("/id-set/parse/members", test_parse_members);
  g_test_add_func ("/id-set/parse/rejects", test_parse_rejects);
  g_test_add_func ("/id-set/parse/no-error-location", test_parse_no_error_location);
  g_test_add_func ("/id-set/new-range", test_new_range);
  g_test_add_func ("/id-set/add-remove", test_add_remove);
  g_test_add_func ("/id-set/add-range", test_add_range);
  g_test_add_func ("/id-set/copy-and-equal", test_copy_and_equal);
  g_test_add_func ("/id-set/algebra", test_algebra);
  g_test_add_func ("/id-set/kernel-masks", test_kernel_masks);
  g_test_add_func ("/id-set/relations", test_relations);
  g_test_add_func ("/id-set/iteration", test_iteration);
  g_test_add_func ("/id-set/nth-dense", test_nth_dense);
  g_test_add_func ("/id-set/format-folds-runs", test_format_folds_runs);
  g_test_add_func ("/id-set/random-against-reference", test_random_against_reference);

  return g_test_run ();
}
