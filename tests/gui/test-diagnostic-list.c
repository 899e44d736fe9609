/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The diagnostic box's help buttons: every row, whatever its code, has a button named for its
 * code whose action opens that code's section of the guide (help:kvmrt/troubleshooting#CODE;
 * test-help-codes checks the page has the section). Needs a display (run under Xvfb); skips
 * without one. */
#include "config.h"

#include <adwaita.h>

#include "kvmrt-diagnostic-list.h"
#include "kvmrt-gui-test.h"

static void
test_every_row_explains_its_code (void)
{
  g_autoptr(GPtrArray) diagnostics = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kvmrt_diagnostic_free);
  KvmrtDiagnosticList *list = kvmrt_diagnostic_list_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list_box;
  guint n = 0;

  for (const char * const *code = kvmrt_diagnostic_list_codes (); *code != NULL; code++, n++)
    g_ptr_array_add (diagnostics, kvmrt_diagnostic_new (*code, NULL, NULL, "finding %u", n));
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (list));
  kvmrt_diagnostic_list_set_diagnostics (list, diagnostics);
  kvmrt_gui_test_present (GTK_WINDOW (window));
  list_box = kvmrt_gui_test_find_type (GTK_WIDGET (list), GTK_TYPE_LIST_BOX);
  g_assert_nonnull (list_box);
  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_items (list), ==, n);

  for (guint i = 0; i < n; i++)
    {
      const KvmrtDiagnostic *diagnostic = kvmrt_diagnostic_list_get_item (list, i);
      GtkWidget *button;
      GVariant *target;
      g_autofree char *uri = kvmrt_diagnostic_list_help_uri (diagnostic->code);
      g_autofree char *expected = g_strdup_printf ("help:kvmrt/troubleshooting#%s",
                                                   diagnostic->code);
      GtkListBoxRow *row;

      row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), (int) i);
      button = kvmrt_gui_test_find_type (GTK_WIDGET (row), GTK_TYPE_BUTTON);
      g_assert_nonnull (button);
      g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==,
                       "diagnostic.explain");
      target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button));
      g_assert_cmpstr (g_variant_get_string (target, NULL), ==, diagnostic->code);
      g_assert_cmpstr (uri, ==, expected);
      /* The action exists on the list, so the button is sensitive. */
      g_assert_true (gtk_widget_is_sensitive (button));
    }
  kvmrt_gui_test_screenshot (window, "diagnostic-list-help");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/diagnostic-list/every-row-explains-its-code",
                   test_every_row_explains_its_code);
  return g_test_run ();
}
