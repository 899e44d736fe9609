/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The INI reader against Python's configparser (the dialect operators' files are written in),
 * its syntax errors with FILE:LINE, and byte-for-byte round trips. */
#include <kvmrt.h>

#include "kvmrt-ini.h"

#include <glib/gstdio.h>
#include <unistd.h>

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "configs", name, NULL);
}

static char *
escape (const char *value)
{
  g_auto(GStrv) lines = g_strsplit (value, "\n", -1);

  return g_strjoinv ("\\n", lines);
}

/* "SECTION<TAB>key<TAB>value" lines: [DEFAULT] first, then the sections in file order, keys
 * lower-cased, as RawConfigParser stores them. */
static char *
dump_ours (const char *path)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIniDocument) doc = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gsize length;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  doc = kvmrt_ini_parse (data, length, path, &error);
  g_assert_no_error (error);
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < doc->sections->len; i++)
      {
        KvmrtIniSection *section = doc->sections->pdata[i];

        if (g_str_equal (section->name, "DEFAULT") != (pass == 0))
          continue;
        for (guint j = 0; j < section->entries->len; j++)
          {
            KvmrtIniEntry *entry = section->entries->pdata[j];
            g_autofree char *value = NULL;

            if (entry->kind != KVMRT_INI_KEY)
              continue;
            value = escape (entry->value);
            g_string_append_printf (out, "%s\t%s\t%s\n", section->name, entry->key_lower, value);
          }
      }
  return g_strdup (out->str);
}

static const char python_dump[] =
  "import configparser, sys\n"
  "p = configparser.RawConfigParser(strict=True)\n"
  "p.read(sys.argv[1], encoding='utf-8')\n"
  "out = sys.stdout\n"
  "for k, v in p._defaults.items():\n"
  "    out.write('DEFAULT\\t%s\\t%s\\n' % (k, v.replace('\\n', '\\\\n')))\n"
  "for s, items in p._sections.items():\n"
  "    for k, v in items.items():\n"
  "        out.write('%s\\t%s\\t%s\\n' % (s, k, v.replace('\\n', '\\\\n')))\n";

static char *
dump_python (const char *path)
{
  const char *argv[] = { "python3", "-c", python_dump, path, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
test_python_compat (gconstpointer data)
{
  g_autofree char *path = fixture_path (data);
  g_autofree char *ours = dump_ours (path);
  g_autofree char *theirs = dump_python (path);

  g_assert_cmpstr (ours, ==, theirs);
  g_assert_cmpstr (ours, !=, "");
}

typedef struct {
  const char *text;
  guint       line;
  const char *expect;   /* part of the message */
  gboolean    python_rejects;
} BadCase;

static const BadCase bad_cases[] = {
  { "name = a\n", 1, "before any section header", TRUE },
  { "# comment\n\n  name = a\n", 3, "before any section header", TRUE },
  { "[a]\nname a\n", 2, "has no '=' or ':'", TRUE },
  { "[a]\n= value\n", 2, "has no key before '='", TRUE },
  { "[a]\n : value\n", 2, "has no key before ':'", TRUE },
  { "[a]\nname = x\n[b]\n[a]\n", 4, "appears a second time", TRUE },
  { "[a]\nname = x\nNAME = y\n", 3, "'NAME' is set a second time", TRUE },
  { "[a]\nname = x\n\n  \n[]\n", 5, "'[]' has no '=' or ':'", TRUE },
  /* Stricter than configparser on purpose: both sections would be the same VM. */
  { "[ABC]\n[abc]\n", 2, "appears a second time", FALSE },
  { "[a] trailing\n", 1, "text after the section header", FALSE },
  { "[a]\nname = \xff\xfe\n", 2, "not valid UTF-8", FALSE },
};

static gboolean
python_accepts (const char *text)
{
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  int fd = g_file_open_tmp ("kvmrt-ini-XXXXXX.cfg", &path, NULL);
  gboolean ok;

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  {
    const char *argv[] = { "python3", "-c", python_dump, path, NULL };
    int status;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, &out, NULL, &status, NULL);
    ok = g_spawn_check_wait_status (status, NULL);
  }
  g_unlink (path);
  return ok;
}

static void
test_syntax_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(KvmrtIniDocument) doc = kvmrt_ini_parse (c->text, strlen (c->text),
                                                         "/etc/kvmrt.cfg", &error);
      g_autofree char *prefix = g_strdup_printf ("/etc/kvmrt.cfg:%u: ", c->line);

      g_test_message ("case %u: %s", i, error ? error->message : "(accepted)");
      g_assert_null (doc);
      g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_SYNTAX);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      g_assert_nonnull (strstr (error->message, c->expect));
      if (c->python_rejects)
        g_assert_false (python_accepts (c->text));
    }
}

static void
test_nul_byte (void)
{
  static const char text[] = "[a]\nname = x\0y\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIniDocument) doc = kvmrt_ini_parse (text, sizeof text - 1, "f.cfg", &error);

  g_assert_null (doc);
  g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "NUL"));
  /* The error names the line of the NUL byte. */
  g_assert_true (g_str_has_prefix (error->message, "f.cfg:2: "));
}

static char *
write_all (KvmrtIniDocument *doc)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < doc->preamble->len; i++)
    kvmrt_ini_entry_write (doc->preamble->pdata[i], out);
  for (guint i = 0; i < doc->sections->len; i++)
    kvmrt_ini_section_write (doc->sections->pdata[i], out);
  return g_string_free (out, FALSE);
}

/* An empty file has no buffer at all (UBSan: memchr of NULL). */
static void
test_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIniDocument) doc = kvmrt_ini_parse (NULL, 0, "f.cfg", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (doc->sections->len, ==, 0);
  g_assert_cmpuint (doc->preamble->len, ==, 0);
}

/* A run of blank and comment lines is one entry, so a file of them costs its text and not a
 * heap block per line; it still writes back byte for byte and still separates values. */
static void
test_filler_runs (void)
{
  const char *text = "# top\n\n\n; more\n\n[a]\nk = 1\n\n\n# c\n\n  more\nj = 2\n\n\n\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIniDocument) doc = kvmrt_ini_parse (text, strlen (text), "f", &error);
  KvmrtIniSection *section;
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (doc->preamble->len, ==, 1);
  section = doc->sections->pdata[0];
  /* k (with its continuation), j, the trailing blank lines */
  g_assert_cmpuint (section->entries->len, ==, 3);
  g_assert_cmpstr (kvmrt_ini_section_lookup (section, "k")->value, ==, "1\n\n\n\nmore");
  out = write_all (doc);
  g_assert_cmpstr (out, ==, text);
}

/* In an indented file, a key kvmrt writes keeps the indentation of the key it replaces or
 * follows: at column 0, the indented keys after it would read as its continuation lines. */
static void
test_edit_keeps_indentation (void)
{
  const char *text = "  [a]\n    name = x\n    title = t\n    # c\n  [b]\n    name = y\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIniDocument) doc = kvmrt_ini_parse (text, strlen (text), "f", &error);
  g_autoptr(KvmrtIniDocument) again = NULL;
  KvmrtIniSection *a, *b;
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  a = doc->sections->pdata[0];
  b = doc->sections->pdata[1];
  kvmrt_ini_entry_set_value (kvmrt_ini_section_lookup (a, "name"), "one\ntwo");
  kvmrt_ini_section_append (a, kvmrt_ini_entry_new_key ("rt", "true"));
  kvmrt_ini_section_append (b, kvmrt_ini_entry_new_key ("title", "  spaced  \n\n"));
  out = write_all (doc);
  g_assert_cmpstr (out, ==, "  [a]\n    name = one\n    \ttwo\n    title = t\n    rt = true\n"
                            "    # c\n  [b]\n    name = y\n    title = spaced\n");
  again = kvmrt_ini_parse (out, strlen (out), "f", &error);
  g_assert_no_error (error);
  a = again->sections->pdata[0];
  g_assert_cmpstr (kvmrt_ini_section_lookup (a, "name")->value, ==, "one\ntwo");
  g_assert_cmpstr (kvmrt_ini_section_lookup (a, "title")->value, ==, "t");
  g_assert_cmpstr (kvmrt_ini_section_lookup (a, "rt")->value, ==, "true");
}

static void
test_round_trip (gconstpointer data)
{
  g_autofree char *path = fixture_path (data);
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIniDocument) doc = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  doc = kvmrt_ini_parse (text, length, path, &error);
  g_assert_no_error (error);
  again = write_all (doc);
  g_assert_cmpstr (again, ==, text);
}

static void
test_edit_writes_fresh_entry (void)
{
  const char *text = "[a]\nName:  x\ncomments = one\n\ttwo\n# end\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIniDocument) doc = kvmrt_ini_parse (text, strlen (text), "f", &error);
  KvmrtIniSection *section = doc->sections->pdata[0];
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_ini_section_lookup (section, "NAME")->value, ==, "x");
  g_assert_cmpstr (kvmrt_ini_section_lookup (section, "comments")->value, ==, "one\ntwo");
  kvmrt_ini_entry_set_value (kvmrt_ini_section_lookup (section, "comments"), "1\n\n3");
  kvmrt_ini_section_append (section, kvmrt_ini_entry_new_key ("rt", "true"));
  out = write_all (doc);
  /* Untouched lines keep their spelling; the new key goes before the trailing comment. */
  g_assert_cmpstr (out, ==, "[a]\nName:  x\ncomments = 1\n\t\n\t3\nrt = true\n# end\n");
}

/* Random files from the pieces the dialect is made of, read by both parsers: the same
 * sections, keys and values, or both refuse the file. The generator avoids the places where
 * kvmrt is stricter on purpose: section names differing only in case, text after a header, and
 * a second [DEFAULT] (Python merges them; the fixtures cover a single one). */
static const char *line_pieces[] = {
  "[s1]", "[s2]", "[S3 x]", "[s6]", "key = value", "Key: v", "k2=a=b", "k3 : a:b",
  "empty =", "spaced   =   lots   of   space  ", "  indented = 1", "\tcontinued", "    more",
  "", "   ", "# comment", "; other", "    # indented comment", "pct = 100%", "x:=y",
  "a = 1", "b: 2", "c=3", "\t", "[s4]", "[s5]",
  /* These make most files invalid, so they come up less often (see below). */
  "no delimiter", "= nokey", "[]", "dup = 1", "DUP = 2",
};
#define N_RARE_PIECES 5

/* One python3 run reads every file: "=== N ok" and the dump, or "=== N error". */
static const char python_batch[] =
  "import configparser, sys\n"
  "for path in sys.argv[1:]:\n"
  "    p = configparser.RawConfigParser(strict=True)\n"
  "    try:\n"
  "        p.read(path, encoding='utf-8')\n"
  "    except configparser.Error:\n"
  "        print('=== %s error' % path)\n"
  "        continue\n"
  "    print('=== %s ok' % path)\n"
  "    for k, v in p._defaults.items():\n"
  "        print('DEFAULT\\t%s\\t%s' % (k, v.replace('\\n', '\\\\n')))\n"
  "    for s, items in p._sections.items():\n"
  "        for k, v in items.items():\n"
  "            print('%s\\t%s\\t%s' % (s, k, v.replace('\\n', '\\\\n')))\n";

static void
test_python_random (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kvmrt-ini-random-XXXXXX", &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261125);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_auto(GStrv) results = NULL;
  const guint n_files = 300;
  guint agreed_ok = 0, agreed_error = 0;
  int status;

  g_assert_no_error (error);
  g_ptr_array_add (argv, g_strdup ("python3"));
  g_ptr_array_add (argv, g_strdup ("-c"));
  g_ptr_array_add (argv, g_strdup (python_batch));
  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      char *name = g_strdup_printf ("%s/%03u.cfg", dir, i);
      guint n_lines = g_rand_int_range (rand, 1, 14);

      for (guint l = 0; l < n_lines; l++)
        {
          /* A rare piece one time in twenty. */
          guint n = G_N_ELEMENTS (line_pieces) - (g_rand_int_range (rand, 0, 20) ? N_RARE_PIECES : 0);

          g_string_append (text, line_pieces[g_rand_int_range (rand, 0, n)]);
          g_string_append_c (text, '\n');
        }
      g_assert_true (g_file_set_contents (name, text->str, text->len, NULL));
      g_ptr_array_add (argv, name);
    }
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  /* Split the output at the "=== " lines: one block per file, in order. */
  results = g_regex_split_simple ("^=== ", out, G_REGEX_MULTILINE, 0);
  g_assert_cmpuint (g_strv_length (results), ==, n_files + 1);
  for (guint i = 0; i < n_files; i++)
    {
      const char *name = argv->pdata[3 + i];
      const char *block = results[i + 1] + strlen (name) + 1;
      g_autofree char *data = NULL;
      g_autoptr(KvmrtIniDocument) doc = NULL;
      g_autoptr(GError) parse_error = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (name, &data, &length, NULL));
      doc = kvmrt_ini_parse (data, length, name, &parse_error);
      if (g_str_has_prefix (block, "error"))
        {
          if (doc != NULL)
            g_test_message ("python refused, kvmrt accepted:\n%s", data);
          g_assert_null (doc);
          agreed_error++;
        }
      else
        {
          g_autofree char *ours = NULL;

          if (doc == NULL)
            g_test_message ("kvmrt refused (%s), python accepted:\n%s", parse_error->message,
                            data);
          g_assert_nonnull (doc);
          ours = dump_ours (name);
          g_assert_cmpstr (ours, ==, block + strlen ("ok\n"));
          /* And what was read is written back byte for byte. */
          {
            g_autofree char *again = write_all (doc);

            g_assert_cmpstr (again, ==, data);
          }
          agreed_ok++;
        }
      g_unlink (name);
    }
  g_rmdir (dir);
  g_test_message ("%u files read alike, %u refused by both", agreed_ok, agreed_error);
  /* Both outcomes must actually be exercised. */
  g_assert_cmpuint (agreed_ok, >, 50);
  g_assert_cmpuint (agreed_error, >, 50);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/ini/python-compat/rich", "ini-compat-rich.cfg", test_python_compat);
  g_test_add_data_func ("/ini/python-compat/indent", "ini-compat-indent.cfg", test_python_compat);
  g_test_add_data_func ("/ini/python-compat/crlf", "ini-compat-crlf.cfg", test_python_compat);
  g_test_add_data_func ("/ini/python-compat/fig5-8", "fig5-8.cfg", test_python_compat);
  g_test_add_func ("/ini/python-compat/random", test_python_random);
  g_test_add_func ("/ini/syntax-errors", test_syntax_errors);
  g_test_add_func ("/ini/nul-byte", test_nul_byte);
  g_test_add_func ("/ini/empty", test_empty);
  g_test_add_func ("/ini/filler-runs", test_filler_runs);
  g_test_add_func ("/ini/edit-keeps-indentation", test_edit_keeps_indentation);
  g_test_add_data_func ("/ini/round-trip/rich", "ini-compat-rich.cfg", test_round_trip);
  g_test_add_data_func ("/ini/round-trip/crlf", "ini-compat-crlf.cfg", test_round_trip);
  g_test_add_data_func ("/ini/round-trip/fig5-8", "fig5-8.cfg", test_round_trip);
  g_test_add_func ("/ini/edit-writes-fresh-entry", test_edit_writes_fresh_entry);
  return g_test_run ();
}
