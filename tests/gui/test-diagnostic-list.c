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

/* Every label of @row's widgets, depth first, joined by "|". */
static void
append_labels (GtkWidget *widget, GString *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s|", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    append_labels (child, out);
}

/* However the findings change from one update to the next (added, dropped, reworded, moved,
 * another severity), the rows then show exactly the findings, in order, with their code as
 * the help button's target: the update reuses rows, so each is checked against a row made
 * afresh. */
static void
test_updates_keep_rows_right (void)
{
  static const char *const codes[] = { "rt-cpuset-overlap", "pci-not-local", "name-missing",
                                       "rt-spans-numa-nodes", "pci-assigned-twice" };
  KvmrtDiagnosticList *list = kvmrt_diagnostic_list_new ();
  KvmrtDiagnosticList *fresh = NULL;
  GtkWidget *window = gtk_window_new ();
  GRand *rand = g_rand_new_with_seed (17);
  GtkWidget *list_box;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (list));
  kvmrt_gui_test_present (GTK_WINDOW (window));
  list_box = kvmrt_gui_test_find_type (GTK_WIDGET (list), GTK_TYPE_LIST_BOX);
  for (guint round = 0; round < 60; round++)
    {
      g_autoptr(GPtrArray) diagnostics = g_ptr_array_new_with_free_func (
        (GDestroyNotify) kvmrt_diagnostic_free);
      guint n = g_rand_int_range (rand, 0, 40);
      GtkWidget *fresh_box;

      /* Findings drawn from a small pool, so that rounds share many of them. */
      for (guint i = 0; i < n; i++)
        {
          guint pick = g_rand_int_range (rand, 0, 60);

          g_ptr_array_add (diagnostics,
                           kvmrt_diagnostic_new (codes[pick % G_N_ELEMENTS (codes)], NULL, NULL,
                                                 "finding %u%s", pick,
                                                 g_rand_int_range (rand, 0, 8) == 0
                                                   ? " reworded" : ""));
        }
      kvmrt_diagnostic_list_set_diagnostics (list, diagnostics);
      fresh = kvmrt_diagnostic_list_new ();
      g_object_ref_sink (fresh);
      kvmrt_diagnostic_list_set_diagnostics (fresh, diagnostics);
      fresh_box = kvmrt_gui_test_find_type (GTK_WIDGET (fresh), GTK_TYPE_LIST_BOX);
      g_assert_cmpuint (kvmrt_diagnostic_list_get_n_items (list), ==, n);
      for (guint i = 0; i < n; i++)
        {
          GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box),
                                                                      (int) i));
          GtkWidget *fresh_row = GTK_WIDGET (gtk_list_box_get_row_at_index (
            GTK_LIST_BOX (fresh_box), (int) i));
          g_autoptr(GString) shown = g_string_new (NULL);
          g_autoptr(GString) expected = g_string_new (NULL);
          GtkWidget *button;

          g_assert_nonnull (row);
          append_labels (row, shown);
          append_labels (fresh_row, expected);
          g_assert_cmpstr (shown->str, ==, expected->str);
          g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==,
                           gtk_widget_get_tooltip_text (fresh_row));
          button = kvmrt_gui_test_find_type (row, GTK_TYPE_BUTTON);
          g_assert_cmpstr (g_variant_get_string (gtk_actionable_get_action_target_value (
                             GTK_ACTIONABLE (button)), NULL), ==,
                           kvmrt_diagnostic_list_get_item (list, i)->code);
        }
      g_assert_null (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), (int) n));
      g_assert_cmpstr (kvmrt_diagnostic_list_get_summary (list), ==,
                       kvmrt_diagnostic_list_get_summary (fresh));
      g_clear_object (&fresh);
    }
  g_rand_free (rand);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Rows show one line of their message and the selected row all of it (a list of 1,000s of
 * wrapped rows took most of a second to lay out after each edit). */
static void
test_selected_row_shows_whole_message (void)
{
  g_autoptr(GPtrArray) diagnostics = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kvmrt_diagnostic_free);
  g_autoptr(GString) long_text = g_string_new (NULL);
  KvmrtDiagnosticList *list = kvmrt_diagnostic_list_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list_box;
  int one_line, heights[3];

  for (guint i = 0; i < 40; i++)
    g_string_append (long_text, "a long message that cannot fit on one line ");
  g_ptr_array_add (diagnostics, kvmrt_diagnostic_new ("name-missing", NULL, NULL, "short"));
  for (guint i = 0; i < 2; i++)
    g_ptr_array_add (diagnostics, kvmrt_diagnostic_new ("name-missing", NULL, NULL, "%u %s", i,
                                                        long_text->str));
  gtk_window_set_default_size (GTK_WINDOW (window), 500, 600);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (list));
  kvmrt_diagnostic_list_set_diagnostics (list, diagnostics);
  kvmrt_gui_test_present (GTK_WINDOW (window));
  list_box = kvmrt_gui_test_find_type (GTK_WIDGET (list), GTK_TYPE_LIST_BOX);

  for (int step = 0; step < 3; step++)
    {
      /* Nothing selected, then the second row, then the third. */
      if (step > 0)
        kvmrt_diagnostic_list_select (list, (guint) step);
      kvmrt_gui_test_spin (200);
      for (int i = 0; i < 3; i++)
        heights[i] = gtk_widget_get_height (GTK_WIDGET (
          gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), i)));
      one_line = heights[0];
      if (step == 1)
        kvmrt_gui_test_screenshot (window, "diagnostic-list-expanded");
      g_assert_cmpint (one_line, >, 0);
      for (int i = 1; i < 3; i++)
        {
          if (i == step)
            g_assert_cmpint (heights[i], >, 2 * one_line);
          else
            g_assert_cmpint (heights[i], ==, one_line);
        }
    }
  /* The selected row's finding gone: no row stays expanded. */
  g_ptr_array_remove_index (diagnostics, 2);
  kvmrt_diagnostic_list_set_diagnostics (list, diagnostics);
  kvmrt_gui_test_spin (200);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (
    gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), 1))), ==, one_line);
  kvmrt_gui_test_screenshot (window, "diagnostic-list-selected");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/diagnostic-list/every-row-explains-its-code",
                   test_every_row_explains_its_code);
  g_test_add_func ("/diagnostic-list/updates-keep-rows-right", test_updates_keep_rows_right);
  g_test_add_func ("/diagnostic-list/selected-row-shows-whole-message",
                   test_selected_row_shows_whole_message);
  return g_test_run ();
}
