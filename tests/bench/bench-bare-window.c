/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The floor for kvmrt's start-up benchmark: an AdwApplication whose window holds N labels in
 * a boxed list (N from argv[1], default 64). Prints "first-frame" when its first frame has
 * been drawn and quits, as kvmrt does under KVMRT_BENCH_FIRST_FRAME. */
#include <adwaita.h>
#include <stdio.h>

static int n_rows = 64;

static void
on_after_paint_cb (GdkFrameClock *clock, GApplication *app)
{
  g_signal_handlers_disconnect_by_func (clock, on_after_paint_cb, app);
  printf ("first-frame\n");
  fflush (stdout);
  g_application_quit (app);
}

static void
on_map_cb (GtkWidget *window, GApplication *app)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), app);
}

static void
on_activate_cb (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *list = gtk_list_box_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_widget_add_css_class (list, "boxed-list");
  for (int i = 0; i < n_rows; i++)
    {
      g_autofree char *text = g_strdup_printf ("Virtual machine %d", i);

      gtk_list_box_append (GTK_LIST_BOX (list), gtk_label_new (text));
    }
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_box_append (GTK_BOX (box), scrolled);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  g_signal_connect (window, "map", G_CALLBACK (on_map_cb), app);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autoptr(AdwApplication) app = adw_application_new ("org.kvmrt.BenchBareWindow",
                                                       G_APPLICATION_NON_UNIQUE);

  if (argc > 1)
    n_rows = atoi (argv[1]);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), 1, argv);
}
