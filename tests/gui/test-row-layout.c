/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtRowLayout, the dashboard card's layout: a row of a fixed child, an expanding wrapped
 * label and another fixed child gets the widths a horizontal box would give them, mirrored
 * right to left, hidden children left out; the row is as high as the label at its width;
 * and the row's width does not depend on a height (it never asks the label for one). Needs
 * a display (run under Xvfb); skips without one. */
#include "config.h"

#include <adwaita.h>

#include "kvmrt-gui-test.h"
#include "kvmrt-row-layout.h"

#define SPACING 12
#define ICON 40
#define SIDE 72
#define TEXT "The host is not tuned for this virtual machine: boot it with kvmrt-boot, " \
             "which tunes the host again for the real-time virtual machines that run."

typedef struct {
  GtkWidget *row;
  GtkWidget *icon;
  GtkWidget *label;
  GtkWidget *side;
  GtkWidget *window;
} Row;

static void
row_init (Row *r)
{
  r->row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_layout_manager (r->row, kvmrt_row_layout_new (SPACING));
  r->icon = gtk_image_new ();
  gtk_widget_set_size_request (r->icon, ICON, 20);
  r->label = gtk_label_new (TEXT);
  gtk_label_set_wrap (GTK_LABEL (r->label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (r->label), 0);
  gtk_widget_set_hexpand (r->label, TRUE);
  r->side = gtk_image_new ();
  gtk_widget_set_size_request (r->side, SIDE, 30);
  gtk_widget_set_valign (r->side, GTK_ALIGN_CENTER);
  gtk_widget_set_parent (r->icon, r->row);
  gtk_widget_set_parent (r->label, r->row);
  gtk_widget_set_parent (r->side, r->row);
  /* In a window, so that the label has its style and fonts. */
  r->window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (r->window), r->row);
}

static void
row_clear (Row *r)
{
  gtk_window_destroy (GTK_WINDOW (r->window));
}

static int
label_height_at (Row *r, int width)
{
  int height = 0;

  gtk_widget_measure (r->label, GTK_ORIENTATION_VERTICAL, width, &height, NULL, NULL, NULL);
  return height;
}

static void
allocate (Row *r, int width, int height)
{
  gtk_widget_size_allocate (r->row, &(GtkAllocation) { 0, 0, width, height }, -1);
}

static void
assert_box (GtkWidget *child, int x, int width)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (child, gtk_widget_get_parent (child), &bounds));
  g_assert_cmpint ((int) bounds.origin.x, ==, x);
  g_assert_cmpint ((int) bounds.size.width, ==, width);
}

static void
test_widths (void)
{
  Row r;
  int text_width = 600 - ICON - SIDE - 2 * SPACING;

  row_init (&r);
  allocate (&r, 600, 200);
  assert_box (r.icon, 0, ICON);
  assert_box (r.label, ICON + SPACING, text_width);
  assert_box (r.side, 600 - SIDE, SIDE);

  /* Right to left: the same widths, from the right edge. */
  gtk_widget_set_direction (r.row, GTK_TEXT_DIR_RTL);
  allocate (&r, 600, 200);
  assert_box (r.icon, 600 - ICON, ICON);
  assert_box (r.label, SIDE + SPACING, text_width);
  assert_box (r.side, 0, SIDE);

  /* A hidden child takes no room and no spacing. */
  gtk_widget_set_direction (r.row, GTK_TEXT_DIR_LTR);
  gtk_widget_set_visible (r.icon, FALSE);
  allocate (&r, 600, 200);
  assert_box (r.label, 0, 600 - SIDE - SPACING);
  row_clear (&r);
}

static void
test_height_for_width (void)
{
  Row r;
  int wide = 0, narrow = 0, width_any = 0, width_for_height = 0;

  row_init (&r);
  g_assert_cmpint (gtk_widget_get_request_mode (r.row), ==, GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH);
  gtk_widget_measure (r.row, GTK_ORIENTATION_VERTICAL, 900, &wide, NULL, NULL, NULL);
  gtk_widget_measure (r.row, GTK_ORIENTATION_VERTICAL, 300, &narrow, NULL, NULL, NULL);
  /* The label wraps into more lines in a narrower row, and the row follows it. */
  g_assert_cmpint (wide, ==, label_height_at (&r, 900 - ICON - SIDE - 2 * SPACING));
  g_assert_cmpint (narrow, ==, label_height_at (&r, 300 - ICON - SIDE - 2 * SPACING));
  g_assert_cmpint (narrow, >, wide);

  /* The width is the children's widths without a height, whatever height is offered. */
  gtk_widget_measure (r.row, GTK_ORIENTATION_HORIZONTAL, -1, &width_any, NULL, NULL, NULL);
  gtk_widget_measure (r.row, GTK_ORIENTATION_HORIZONTAL, 40, &width_for_height, NULL, NULL,
                      NULL);
  g_assert_cmpint (width_for_height, ==, width_any);
  g_assert_cmpint (width_any, >=, ICON + SIDE + 2 * SPACING);
  row_clear (&r);
}

int
main (int argc, char **argv)
{
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/row-layout/widths", test_widths);
  g_test_add_func ("/row-layout/height-for-width", test_height_for_width);
  return g_test_run ();
}
