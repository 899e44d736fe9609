/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scalar field types: bool, bool|auto, int|auto, "sockets,cores,threads"|auto, their
 * canonical text, and the error for every malformed value. */
#include <kvmrt.h>

typedef struct {
  const char *text;
  int         code;
  const char *message;
} Reject;

#define BOOL_HINT "; write true or false (or on/off, yes/no, 1/0)"

static void
test_bool_accepts (void)
{
  static const struct {
    const char *text;
    gboolean    value;
  } cases[] = {
    { "true", TRUE }, { "false", FALSE }, { "on", TRUE }, { "off", FALSE },
    { "yes", TRUE }, { "no", FALSE }, { "1", TRUE }, { "0", FALSE },
    { "TRUE", TRUE }, { "True", TRUE }, { "FaLsE", FALSE }, { "ON", TRUE }, { "oFF", FALSE },
    { "Yes", TRUE }, { "NO", FALSE }, { " true ", TRUE }, { "\tno\n", FALSE }, { " 1", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean value = !cases[i].value;
      gboolean again = !cases[i].value;
      const char *canonical;

      g_test_message ("parsing '%s'", cases[i].text);
      g_assert_true (kvmrt_value_parse_bool (cases[i].text, &value, &error));
      g_assert_no_error (error);
      g_assert_cmpint (value, ==, cases[i].value);

      canonical = kvmrt_value_format_bool (value);
      g_assert_cmpstr (canonical, ==, cases[i].value ? "true" : "false");
      g_assert_true (kvmrt_value_parse_bool (canonical, &again, NULL));
      g_assert_cmpint (again, ==, value);
    }
}

static void
test_bool_rejects (void)
{
  static const Reject cases[] = {
    { "", KVMRT_VALUE_ERROR_INVALID, "'' is not a yes-or-no value" BOOL_HINT },
    { "   ", KVMRT_VALUE_ERROR_INVALID, "'' is not a yes-or-no value" BOOL_HINT },
    { "maybe", KVMRT_VALUE_ERROR_INVALID, "'maybe' is not a yes-or-no value" BOOL_HINT },
    { " Maybe ", KVMRT_VALUE_ERROR_INVALID, "'Maybe' is not a yes-or-no value" BOOL_HINT },
    { "2", KVMRT_VALUE_ERROR_INVALID, "'2' is not a yes-or-no value" BOOL_HINT },
    { "t", KVMRT_VALUE_ERROR_INVALID, "'t' is not a yes-or-no value" BOOL_HINT },
    { "y", KVMRT_VALUE_ERROR_INVALID, "'y' is not a yes-or-no value" BOOL_HINT },
    { "truex", KVMRT_VALUE_ERROR_INVALID, "'truex' is not a yes-or-no value" BOOL_HINT },
    { "true false", KVMRT_VALUE_ERROR_INVALID,
      "'true false' is not a yes-or-no value" BOOL_HINT },
    { "01", KVMRT_VALUE_ERROR_INVALID, "'01' is not a yes-or-no value" BOOL_HINT },
    { "auto", KVMRT_VALUE_ERROR_INVALID, "'auto' is not a yes-or-no value" BOOL_HINT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean value = 42;

      g_test_message ("parsing '%s'", cases[i].text);
      g_assert_false (kvmrt_value_parse_bool (cases[i].text, &value, &error));
      g_assert_error (error, KVMRT_VALUE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_cmpint (value, ==, 42);   /* untouched on error */
    }
  g_assert_false (kvmrt_value_parse_bool ("maybe", NULL, NULL));
}

static void
test_tristate_accepts (void)
{
  static const struct {
    const char    *text;
    KvmrtTristate  value;
    const char    *canonical;
  } cases[] = {
    { "auto", KVMRT_TRISTATE_AUTO, "auto" },
    { "AUTO", KVMRT_TRISTATE_AUTO, "auto" },
    { " Auto\t", KVMRT_TRISTATE_AUTO, "auto" },
    { "true", KVMRT_TRISTATE_ON, "true" },
    { "On", KVMRT_TRISTATE_ON, "true" },
    { "yes", KVMRT_TRISTATE_ON, "true" },
    { "1", KVMRT_TRISTATE_ON, "true" },
    { "False", KVMRT_TRISTATE_OFF, "false" },
    { "off", KVMRT_TRISTATE_OFF, "false" },
    { " NO ", KVMRT_TRISTATE_OFF, "false" },
    { "0", KVMRT_TRISTATE_OFF, "false" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      KvmrtTristate value = 42, again = 42;
      const char *canonical;

      g_test_message ("parsing '%s'", cases[i].text);
      g_assert_true (kvmrt_value_parse_tristate (cases[i].text, &value, &error));
      g_assert_no_error (error);
      g_assert_cmpint (value, ==, cases[i].value);

      canonical = kvmrt_value_format_tristate (value);
      g_assert_cmpstr (canonical, ==, cases[i].canonical);
      g_assert_true (kvmrt_value_parse_tristate (canonical, &again, NULL));
      g_assert_cmpint (again, ==, value);
    }
}

#define TRISTATE_HINT \
  " is not true, false or auto; write one of those (or on/off, yes/no, 1/0)"

static void
test_tristate_rejects (void)
{
  static const Reject cases[] = {
    { "", KVMRT_VALUE_ERROR_INVALID, "''" TRISTATE_HINT },
    { "maybe", KVMRT_VALUE_ERROR_INVALID, "'maybe'" TRISTATE_HINT },
    { "automatic", KVMRT_VALUE_ERROR_INVALID, "'automatic'" TRISTATE_HINT },
    { " au to ", KVMRT_VALUE_ERROR_INVALID, "'au to'" TRISTATE_HINT },
    { "-1", KVMRT_VALUE_ERROR_INVALID, "'-1'" TRISTATE_HINT },
    { "2", KVMRT_VALUE_ERROR_INVALID, "'2'" TRISTATE_HINT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      KvmrtTristate value = 42;

      g_test_message ("parsing '%s'", cases[i].text);
      g_assert_false (kvmrt_value_parse_tristate (cases[i].text, &value, &error));
      g_assert_error (error, KVMRT_VALUE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_cmpint (value, ==, 42);
    }
}

static void
test_count_accepts (void)
{
  static const struct {
    const char *text;
    guint       max;
    guint       value;
    const char *canonical;
  } cases[] = {
    { "1", 64, 1, "1" },
    { "auto", 64, 0, "auto" },
    { "AUTO", 64, 0, "auto" },
    { " Auto ", 64, 0, "auto" },
    { " 12 ", 64, 12, "12" },
    { "\t7\n", 64, 7, "7" },
    { "007", 64, 7, "7" },
    { "64", 64, 64, "64" },
    { "1", 1, 1, "1" },
    { "4294967295", G_MAXUINT, G_MAXUINT, "4294967295" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *canonical = NULL;
      guint value = 42, again = 42;

      g_test_message ("parsing '%s' (max %u)", cases[i].text, cases[i].max);
      g_assert_true (kvmrt_value_parse_count_or_auto (cases[i].text, cases[i].max, &value,
                                                      &error));
      g_assert_no_error (error);
      g_assert_cmpuint (value, ==, cases[i].value);

      canonical = kvmrt_value_format_count_or_auto (value);
      g_assert_cmpstr (canonical, ==, cases[i].canonical);
      g_assert_true (kvmrt_value_parse_count_or_auto (canonical, cases[i].max, &again, NULL));
      g_assert_cmpuint (again, ==, value);
    }
}

static void
test_count_rejects (void)
{
  static const struct {
    const char *text;
    guint       max;
    int         code;
    const char *message;
  } cases[] = {
    { "0", 64, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'0' is out of range; write a number from 1 to 64, or auto" },
    { "-1", 64, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'-1' is out of range; write a number from 1 to 64, or auto" },
    { "65", 64, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'65' is out of range; write a number from 1 to 64, or auto" },
    { " 2 ", 1, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'2' is out of range; write a number from 1 to 1, or auto" },
    { "4294967296", G_MAXUINT, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'4294967296' is out of range; write a number from 1 to 4294967295, or auto" },
    { "99999999999999999999999", 64, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'99999999999999999999999' is out of range; write a number from 1 to 64, or auto" },
    { "1.5", 64, KVMRT_VALUE_ERROR_INVALID,
      "'1.5' is not a whole number; write a number from 1 to 64, or auto" },
    { "0x10", 64, KVMRT_VALUE_ERROR_INVALID,
      "'0x10' is not a whole number; write a number from 1 to 64, or auto" },
    { "12abc", 64, KVMRT_VALUE_ERROR_INVALID,
      "'12abc' is not a whole number; write a number from 1 to 64, or auto" },
    { "", 64, KVMRT_VALUE_ERROR_INVALID,
      "'' is not a whole number; write a number from 1 to 64, or auto" },
    { "  ", 64, KVMRT_VALUE_ERROR_INVALID,
      "'' is not a whole number; write a number from 1 to 64, or auto" },
    { "+3", 64, KVMRT_VALUE_ERROR_INVALID,
      "'+3' is not a whole number; write a number from 1 to 64, or auto" },
    { "-", 64, KVMRT_VALUE_ERROR_INVALID,
      "'-' is not a whole number; write a number from 1 to 64, or auto" },
    { "1 2", 64, KVMRT_VALUE_ERROR_INVALID,
      "'1 2' is not a whole number; write a number from 1 to 64, or auto" },
    { "automatic", 64, KVMRT_VALUE_ERROR_INVALID,
      "'automatic' is not a whole number; write a number from 1 to 64, or auto" },
    { "1e3", 64, KVMRT_VALUE_ERROR_INVALID,
      "'1e3' is not a whole number; write a number from 1 to 64, or auto" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint value = 42;

      g_test_message ("parsing '%s' (max %u)", cases[i].text, cases[i].max);
      g_assert_false (kvmrt_value_parse_count_or_auto (cases[i].text, cases[i].max, &value,
                                                       &error));
      g_assert_error (error, KVMRT_VALUE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_cmpuint (value, ==, 42);
    }
}

static void
test_topology_accepts (void)
{
  static const struct {
    const char *text;
    guint       sockets, cores, threads;
    const char *canonical;
  } cases[] = {
    { "auto", 0, 0, 0, "auto" },
    { " AUTO ", 0, 0, 0, "auto" },
    { "1,4,1", 1, 4, 1, "1,4,1" },
    { "1, 4, 1", 1, 4, 1, "1,4,1" },
    { " 2 ,\t2 , 1 ", 2, 2, 1, "2,2,1" },
    { "02,03,01", 2, 3, 1, "2,3,1" },
    { "1,65536,1", 1, 65536, 1, "1,65536,1" },
    { "4,16,2", 4, 16, 2, "4,16,2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *canonical = NULL;
      KvmrtTopology topo = { 42, 42, 42 }, again = { 42, 42, 42 };

      g_test_message ("parsing '%s'", cases[i].text);
      g_assert_true (kvmrt_value_parse_topology (cases[i].text, &topo, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (topo.sockets, ==, cases[i].sockets);
      g_assert_cmpuint (topo.cores, ==, cases[i].cores);
      g_assert_cmpuint (topo.threads, ==, cases[i].threads);

      canonical = kvmrt_value_format_topology (&topo);
      g_assert_cmpstr (canonical, ==, cases[i].canonical);
      g_assert_true (kvmrt_value_parse_topology (canonical, &again, NULL));
      g_assert_cmpmem (&again, sizeof again, &topo, sizeof topo);
    }
}

#define TOPOLOGY_HINT \
  "; write three numbers sockets,cores,threads (as in 1,4,1), or auto"
#define POSITIVE_HINT \
  "; sockets, cores and threads must each be a number from 1 to 65536"

static void
test_topology_rejects (void)
{
  static const Reject cases[] = {
    /* Not three comma-separated fields. */
    { "", KVMRT_VALUE_ERROR_INVALID, "'' is not a CPU topology" TOPOLOGY_HINT },
    { "4", KVMRT_VALUE_ERROR_INVALID, "'4' is not a CPU topology" TOPOLOGY_HINT },
    { "1,2", KVMRT_VALUE_ERROR_INVALID, "'1,2' is not a CPU topology" TOPOLOGY_HINT },
    { " 1,2,3,4 ", KVMRT_VALUE_ERROR_INVALID, "'1,2,3,4' is not a CPU topology" TOPOLOGY_HINT },
    { "1 2 3", KVMRT_VALUE_ERROR_INVALID, "'1 2 3' is not a CPU topology" TOPOLOGY_HINT },
    { "automatic", KVMRT_VALUE_ERROR_INVALID,
      "'automatic' is not a CPU topology" TOPOLOGY_HINT },
    /* A field that is not a whole number: the message quotes the field and the value. */
    { "1,x,1", KVMRT_VALUE_ERROR_INVALID, "'x' in '1,x,1' is not a whole number" TOPOLOGY_HINT },
    { "1,,1", KVMRT_VALUE_ERROR_INVALID, "'' in '1,,1' is not a whole number" TOPOLOGY_HINT },
    { ",,", KVMRT_VALUE_ERROR_INVALID, "'' in ',,' is not a whole number" TOPOLOGY_HINT },
    { "1.5,1,1", KVMRT_VALUE_ERROR_INVALID,
      "'1.5' in '1.5,1,1' is not a whole number" TOPOLOGY_HINT },
    { "1,2,0x2", KVMRT_VALUE_ERROR_INVALID,
      "'0x2' in '1,2,0x2' is not a whole number" TOPOLOGY_HINT },
    { "1,+2,1", KVMRT_VALUE_ERROR_INVALID,
      "'+2' in '1,+2,1' is not a whole number" TOPOLOGY_HINT },
    /* Zero, negative or too large: the message names the field. */
    { "0,1,1", KVMRT_VALUE_ERROR_OUT_OF_RANGE, "'0,1,1' sets sockets to 0" POSITIVE_HINT },
    { "1,0,1", KVMRT_VALUE_ERROR_OUT_OF_RANGE, "'1,0,1' sets cores to 0" POSITIVE_HINT },
    { "1, 1, 0", KVMRT_VALUE_ERROR_OUT_OF_RANGE, "'1, 1, 0' sets threads to 0" POSITIVE_HINT },
    { "1,-1,1", KVMRT_VALUE_ERROR_OUT_OF_RANGE, "'1,-1,1' sets cores to -1" POSITIVE_HINT },
    { "65537,1,1", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'65537,1,1' sets sockets to 65537" POSITIVE_HINT },
    /* Each field fits, the product does not. */
    { "256,256,2", KVMRT_VALUE_ERROR_OUT_OF_RANGE,
      "'256,256,2' makes more than 65536 vCPUs; write a smaller topology, or auto" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      KvmrtTopology topo = { 42, 42, 42 };

      g_test_message ("parsing '%s'", cases[i].text);
      g_assert_false (kvmrt_value_parse_topology (cases[i].text, &topo, &error));
      g_assert_error (error, KVMRT_VALUE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_cmpuint (topo.sockets, ==, 42);
      g_assert_cmpuint (topo.cores, ==, 42);
      g_assert_cmpuint (topo.threads, ==, 42);
    }
}

static void
test_formatters (void)
{
  KvmrtTopology auto_topo = { 0, 0, 0 };
  KvmrtTopology topo = { 2, 8, 2 };
  g_autofree char *auto_text = kvmrt_value_format_topology (&auto_topo);
  g_autofree char *topo_text = kvmrt_value_format_topology (&topo);
  g_autofree char *count_auto = kvmrt_value_format_count_or_auto (0);
  g_autofree char *count = kvmrt_value_format_count_or_auto (12);

  g_assert_cmpstr (kvmrt_value_format_bool (TRUE), ==, "true");
  g_assert_cmpstr (kvmrt_value_format_bool (FALSE), ==, "false");
  g_assert_cmpstr (kvmrt_value_format_tristate (KVMRT_TRISTATE_AUTO), ==, "auto");
  g_assert_cmpstr (kvmrt_value_format_tristate (KVMRT_TRISTATE_ON), ==, "true");
  g_assert_cmpstr (kvmrt_value_format_tristate (KVMRT_TRISTATE_OFF), ==, "false");
  g_assert_cmpstr (auto_text, ==, "auto");
  g_assert_cmpstr (topo_text, ==, "2,8,2");
  g_assert_cmpstr (count_auto, ==, "auto");
  g_assert_cmpstr (count, ==, "12");
}

/* A UUID's one form: only text of the 8-4-4-4-12 shape is a UUID, and only a UUID is
 * lower-cased; what is already canonical comes back as it is, without a copy. */
static void
test_uuid (void)
{
  static const char *valid[] = { "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca",
                                 "85055E0B-9CC9-4FC5-8B3C-6EB6E3DAAECA",
                                 "00000000-0000-0000-0000-000000000000" };
  static const char *invalid[] = { "", "85055e0b", "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca0",
                                   "85055e0b-9cc9-4fc5-8b3c_6eb6e3daaeca",
                                   "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaecg",
                                   "85055e0b9-cc9-4fc5-8b3c-6eb6e3daaeca", "Not-A-Uuid" };
  const char *lower = "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca";
  char buffer[KVMRT_UUID_STRLEN];
  g_autofree char *copy = kvmrt_uuid_dup ("85055E0B-9cc9-4FC5-8b3c-6EB6E3DAAECA");
  g_autofree char *other = kvmrt_uuid_dup ("Not-A-Uuid");

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (kvmrt_uuid_is_valid (valid[i]));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    g_assert_false (kvmrt_uuid_is_valid (invalid[i]));
  g_assert_false (kvmrt_uuid_is_valid (NULL));
  g_assert_cmpstr (copy, ==, lower);
  g_assert_cmpstr (other, ==, "Not-A-Uuid");
  g_assert_null (kvmrt_uuid_dup (NULL));
  g_assert_true (kvmrt_uuid_canonical (lower, buffer) == lower);
  g_assert_true (kvmrt_uuid_canonical ("Not-A-Uuid", buffer) != buffer);
  g_assert_cmpstr (kvmrt_uuid_canonical (valid[1], buffer), ==, lower);
  g_assert_true (kvmrt_uuid_canonical (valid[1], buffer) == buffer);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/value/bool/accepts", test_bool_accepts);
  g_test_add_func ("/value/bool/rejects", test_bool_rejects);
  g_test_add_func ("/value/tristate/accepts", test_tristate_accepts);
  g_test_add_func ("/value/tristate/rejects", test_tristate_rejects);
  g_test_add_func ("/value/count-or-auto/accepts", test_count_accepts);
  g_test_add_func ("/value/count-or-auto/rejects", test_count_rejects);
  g_test_add_func ("/value/topology/accepts", test_topology_accepts);
  g_test_add_func ("/value/topology/rejects", test_topology_rejects);
  g_test_add_func ("/value/formatters", test_formatters);
  g_test_add_func ("/value/uuid", test_uuid);

  return g_test_run ();
}
