/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every diagnostic code the core defines is explained where the user looks for it: a section
 * of the guide's troubleshooting page with the code as its id (the diagnostic box links to
 * help:kvmrt/troubleshooting#CODE), and an entry in kvmrt(7). The page explains no code the
 * core does not define. */
#include <kvmrt.h>

static char *
read_source (const char *relative)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", relative, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static void
test_troubleshooting_has_every_code (void)
{
  g_autofree char *page = read_source ("help/C/troubleshooting.page");

  for (const char * const *code = kvmrt_diagnostic_list_codes (); *code != NULL; code++)
    {
      g_autofree char *id = g_strdup_printf ("<section id=\"%s\">", *code);

      if (strstr (page, id) == NULL)
        g_error ("help/C/troubleshooting.page has no <section id=\"%s\">", *code);
    }
}

static void
test_troubleshooting_has_no_unknown_code (void)
{
  g_autofree char *page = read_source ("help/C/troubleshooting.page");
  const char * const *codes = kvmrt_diagnostic_list_codes ();

  for (const char *at = strstr (page, "<section id=\""); at != NULL;
       at = strstr (at + 1, "<section id=\""))
    {
      const char *start = at + strlen ("<section id=\"");
      g_autofree char *id = g_strndup (start, strcspn (start, "\""));

      if (!g_strv_contains (codes, id))
        g_error ("help/C/troubleshooting.page explains '%s', which the core does not define",
                 id);
    }
}

static void
test_man_page_lists_every_code (void)
{
  g_autofree char *page = read_source ("data/man/kvmrt.7");

  for (const char * const *code = kvmrt_diagnostic_list_codes (); *code != NULL; code++)
    {
      g_autofree char *escaped = NULL;
      g_autofree char *entry = NULL;
      g_auto(GStrv) parts = g_strsplit (*code, "-", -1);

      /* roff writes a hyphen in a name as \- */
      escaped = g_strjoinv ("\\-", parts);
      entry = g_strdup_printf (".B %s\n", escaped);
      if (strstr (page, entry) == NULL)
        g_error ("data/man/kvmrt.7 has no entry '.B %s'", escaped);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/help/troubleshooting-has-every-code", test_troubleshooting_has_every_code);
  g_test_add_func ("/help/troubleshooting-has-no-unknown-code",
                   test_troubleshooting_has_no_unknown_code);
  g_test_add_func ("/help/man-page-lists-every-code", test_man_page_lists_every_code);
  return g_test_run ();
}
