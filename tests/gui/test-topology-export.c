/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Host Hardware Topology viewer's drawing and its export, on the demo (a copy of the
 * M12SWA-TF host, libvirt's test driver) and on the 256-CPU bench host: the PNG loads and has
 * the drawing's size, the SVG parses as XML and renders (librsvg through gdk-pixbuf), and in
 * both every CPU's box is filled with its owner's colour, before and after a real-time VM
 * boots; at 256 CPUs every CPU box keeps its natural, legible size; what the configuration's
 * findings name is marked there and in Host CPU Status. Skips without a display. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "kvmrt-gui-test.h"
#include "kvmrt-manager.h"
#include "kvmrt-cpu-status-row.h"
#include "kvmrt-cpu-status-window.h"
#include "kvmrt-topology-window.h"

static struct {
  char           *dir;
  char           *sysroot;
  char           *config;
  char           *uri;
  GtkApplication *app;
  KvmrtManager   *manager;
} demo;

/* @data: the window and the number of updates waited for. */
static gboolean
updated (gpointer data)
{
  gpointer *window_and_count = data;

  return kvmrt_topology_window_get_updates (window_and_count[0])
         >= GPOINTER_TO_UINT (window_and_count[1]);
}

static void
wait_updates (KvmrtTopologyWindow *window, guint n)
{
  gpointer data[2] = { window, GUINT_TO_POINTER (n) };

  g_assert_true (kvmrt_gui_test_wait_for (updated, data, 30000));
}

static KvmrtTopologyWindow *
open_window (KvmrtManager *manager)
{
  KvmrtTopologyWindow *window = kvmrt_topology_window_new (demo.app, manager);

  kvmrt_gui_test_present (GTK_WINDOW (window));
  wait_updates (window, 1);
  return window;
}

static void
pixel_at (GdkPixbuf *pixbuf, int x, int y, GdkRGBA *color)
{
  const guchar *pixels;
  int n = gdk_pixbuf_get_n_channels (pixbuf);

  pixels = gdk_pixbuf_get_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) + x * n;
  color->red = pixels[0] / 255.0;
  color->green = pixels[1] / 255.0;
  color->blue = pixels[2] / 255.0;
  color->alpha = 1;
}

/* The colour at the left of CPU @cpu's box, away from its border and label. */
static void
cpu_pixel (GdkPixbuf *pixbuf, KvmrtTopologyView *view, guint cpu, GdkRGBA *color)
{
  graphene_rect_t area;

  g_assert_true (kvmrt_topology_view_get_cpu_area (view, cpu, &area));
  pixel_at (pixbuf, (int) area.origin.x + 5, (int) (area.origin.y + area.size.height / 2),
            color);
}

/* Whether CPU @cpu's box has the corner flag of an error (red) in its top right. */
static gboolean
cpu_has_error_flag (GdkPixbuf *pixbuf, KvmrtTopologyView *view, guint cpu)
{
  graphene_rect_t area;
  GdkRGBA got;

  g_assert_true (kvmrt_topology_view_get_cpu_area (view, cpu, &area));
  pixel_at (pixbuf, (int) (area.origin.x + area.size.width) - 4, (int) area.origin.y + 3, &got);
  return got.red > 0.7 && got.green < 0.25 && got.blue < 0.25;
}

static void
assert_owner_color (GdkPixbuf *pixbuf, KvmrtTopologyView *view, guint cpu, KvmrtOwnerKind kind)
{
  GdkRGBA want, got;

  kvmrt_topology_owner_color (kind, &want);
  cpu_pixel (pixbuf, view, cpu, &got);
  if (fabs (want.red - got.red) > 0.03 || fabs (want.green - got.green) > 0.03
      || fabs (want.blue - got.blue) > 0.03)
    g_error ("CPU %u is drawn (%.2f, %.2f, %.2f), %s is (%.2f, %.2f, %.2f)", cpu, got.red,
             got.green, got.blue, kvmrt_owner_kind_to_id (kind), want.red, want.green,
             want.blue);
}

static void
assert_svg_is_xml (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  static const GMarkupParser parser = { 0 };
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, NULL, NULL);

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_true (g_str_has_prefix (text, "<?xml"));
  g_assert_nonnull (strstr (text, "<svg"));
  g_assert_true (g_markup_parse_context_parse (context, text, -1, &error)
                 && g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
}

/* Exports both formats and checks each CPU's colour in both: @kinds by CPU, -1 to skip. */
static void
export_and_check (KvmrtTopologyWindow *window, const char *name, const int *kinds, guint n)
{
  KvmrtTopologyView *view = kvmrt_topology_window_get_view (window);
  g_autofree char *png = g_strdup_printf ("%s/%s.png", demo.dir, name);
  g_autofree char *svg = g_strdup_printf ("%s/%s.svg", demo.dir, name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) png_pixbuf = NULL;
  g_autoptr(GdkPixbuf) svg_pixbuf = NULL;
  int width, height;

  g_assert_true (kvmrt_topology_view_export (view, png, KVMRT_TOPOLOGY_EXPORT_PNG, &error));
  g_assert_true (kvmrt_topology_view_export (view, svg, KVMRT_TOPOLOGY_EXPORT_SVG, &error));
  g_assert_no_error (error);
  kvmrt_topology_view_get_natural_size (view, &width, &height);

  png_pixbuf = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (png_pixbuf), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (png_pixbuf), ==, height);
  assert_svg_is_xml (svg);
  svg_pixbuf = gdk_pixbuf_new_from_file_at_size (svg, width, height, &error);
  g_assert_no_error (error);
  for (guint cpu = 0; cpu < n; cpu++)
    if (kinds[cpu] >= 0)
      {
        assert_owner_color (png_pixbuf, view, cpu, kinds[cpu]);
        assert_owner_color (svg_pixbuf, view, cpu, kinds[cpu]);
      }
  g_test_message ("%s: %d x %d, %s and %s checked", name, width, height, png, svg);
}

static void
boot (const char *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  KvmrtVm *vm = kvmrt_config_lookup (kvmrt_manager_get_config (demo.manager), name);

  g_assert_nonnull (vm);
  kvmrt_manager_boot_async (demo.manager, vm, NULL, kvmrt_gui_test_store_result_cb, &result);
  g_assert_true (kvmrt_manager_boot_finish (demo.manager,
                                            kvmrt_gui_test_wait_result (&result, 30000),
                                            &message, &error));
  g_assert_no_error (error);
}

static void
test_demo_export (void)
{
  KvmrtTopologyWindow *window = open_window (demo.manager);
  int kinds[64];
  guint updates;

  for (guint cpu = 0; cpu < G_N_ELEMENTS (kinds); cpu++)
    kinds[cpu] = KVMRT_OWNER_HOST;
  export_and_check (window, "topology-demo", kinds, G_N_ELEMENTS (kinds));
  kvmrt_gui_test_screenshot (GTK_WIDGET (window), "tools-topology-demo");

  /* The real-time VM shields 16-23 and takes their siblings 48-55 offline. */
  boot ("rh84-vision-rt");
  /* The manager tells its windows once the boot and its tuning are done. */
  updates = kvmrt_topology_window_get_updates (window);
  wait_updates (window, updates + 1);
  for (guint cpu = 16; cpu <= 23; cpu++)
    kinds[cpu] = KVMRT_OWNER_RT_VM;
  for (guint cpu = 48; cpu <= 55; cpu++)
    kinds[cpu] = KVMRT_OWNER_OFFLINE;
  export_and_check (window, "topology-demo-booted", kinds, G_N_ELEMENTS (kinds));
  kvmrt_gui_test_screenshot (GTK_WIDGET (window), "tools-topology-demo-booted");
  /* Zoom changes the drawing's size, not its natural size. */
  gtk_widget_activate_action (GTK_WIDGET (window), "topology.zoom-out", NULL);
  g_assert_cmpfloat (kvmrt_topology_view_get_zoom (kvmrt_topology_window_get_view (window)),
                     <, 1.0);
  gtk_widget_activate_action (GTK_WIDGET (window), "topology.zoom-reset", NULL);
  g_assert_cmpfloat (kvmrt_topology_view_get_zoom (kvmrt_topology_window_get_view (window)),
                     ==, 1.0);

  /* The View menu's choices leave parts out of the drawing. */
  {
    KvmrtTopologyView *view = kvmrt_topology_window_get_view (window);
    graphene_rect_t area;
    int width, height, less_width, less_height;

    kvmrt_topology_view_get_natural_size (view, &width, &height);
    gtk_widget_activate_action (GTK_WIDGET (window), "topology.show-io", NULL);
    kvmrt_topology_view_get_natural_size (view, &less_width, &less_height);
    g_assert_cmpint (less_height, <, height);
    g_assert_false (kvmrt_topology_view_select (view, "21:00.1"));
    gtk_widget_activate_action (GTK_WIDGET (window), "topology.show-offline", NULL);
    g_assert_false (kvmrt_topology_view_get_cpu_area (view, 48, &area));
    g_assert_true (kvmrt_topology_view_get_cpu_area (view, 16, &area));
    gtk_widget_activate_action (GTK_WIDGET (window), "topology.show-caches", NULL);
    kvmrt_topology_view_get_natural_size (view, &width, &less_height);
    kvmrt_gui_test_screenshot (GTK_WIDGET (window), "tools-topology-demo-cpus-only");
    gtk_widget_activate_action (GTK_WIDGET (window), "topology.show-io", NULL);
    gtk_widget_activate_action (GTK_WIDGET (window), "topology.show-offline", NULL);
    gtk_widget_activate_action (GTK_WIDGET (window), "topology.show-caches", NULL);
    g_assert_true (kvmrt_topology_view_get_cpu_area (view, 48, &area));
  }

  /* Selecting a device by address shows its owner, IOMMU group and driver. */
  g_assert_true (kvmrt_topology_view_select (kvmrt_topology_window_get_view (window),
                                             "21:00.1"));
  {
    g_autofree char *text =
      kvmrt_topology_view_describe_selection (kvmrt_topology_window_get_view (window));

    g_assert_nonnull (strstr (text, "Owner: Real-time VM (Vision Inspection (RT))"));
    g_assert_nonnull (strstr (text, "IOMMU group: 46"));
    g_assert_nonnull (strstr (text, "Driver:"));
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The selected item's details, after selecting @what. */
static char *
describe (KvmrtTopologyView *view, const char *what)
{
  g_assert_true (kvmrt_topology_view_select (view, what));
  return kvmrt_topology_view_describe_selection (view);
}

static GdkPixbuf *
export_png (KvmrtTopologyView *view, const char *name)
{
  g_autofree char *png = g_strdup_printf ("%s/%s.png", demo.dir, name);
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf;

  g_assert_true (kvmrt_topology_view_export (view, png, KVMRT_TOPOLOGY_EXPORT_PNG, &error));
  pixbuf = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  return pixbuf;
}

/* The Topology and CPU Status viewers mark what the configuration's findings name, from
 * each finding's subject: win10-eng given CPU 16 of the real-time VM flags CPU 16 (an error)
 * and, as on the plain demo, the devices the warnings name; CPU 0 and 17 stay unmarked. Once
 * the configuration is fixed, the marks go with the next update. */
static void
test_findings_marked (void)
{
  g_autofree char *source = kvmrt_gui_test_demo_path ("kvmrt.cfg");
  g_autofree char *text = NULL;
  g_autofree char *bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtManager) manager = NULL;
  g_autoptr(GRegex) cpuset = g_regex_new ("^cpuset = 0-5,32-37$", G_REGEX_MULTILINE, 0, NULL);
  g_autofree char *bad_text = NULL;
  KvmrtTopologyWindow *window;
  KvmrtCpuStatusWindow *status;
  KvmrtTopologyView *view;
  g_autoptr(GdkPixbuf) before = NULL;
  g_autoptr(GdkPixbuf) after = NULL;
  guint updates;

  g_assert_true (g_file_get_contents (source, &text, NULL, &error));
  bad_text = g_regex_replace_literal (cpuset, text, -1, 0, "cpuset = 0-5,16,32-37", 0, &error);
  g_assert_cmpstr (bad_text, !=, text);
  bad = g_build_filename (demo.dir, "overlap.cfg", NULL);
  g_assert_true (g_file_set_contents (bad, bad_text, -1, &error));
  manager = kvmrt_gui_test_open_manager (demo.sysroot, demo.uri, bad);

  window = open_window (manager);
  view = kvmrt_topology_window_get_view (window);
  {
    g_autofree char *cpu16 = describe (view, "16");
    g_autofree char *cpu17 = describe (view, "17");
    g_autofree char *device = describe (view, "21:10.0");

    g_assert_nonnull (strstr (cpu16, "Error: Host CPUs 16 of this real-time VM"));
    g_assert_null (strstr (cpu17, "Error:"));
    g_assert_null (strstr (cpu17, "Warning:"));
    g_assert_nonnull (strstr (device, "Warning: Devices passed to other VMs"));
  }
  kvmrt_gui_test_screenshot (GTK_WIDGET (window), "tools-topology-findings");
  before = export_png (view, "topology-findings");
  g_assert_true (cpu_has_error_flag (before, view, 16));
  g_assert_false (cpu_has_error_flag (before, view, 0));
  g_assert_false (cpu_has_error_flag (before, view, 17));

  status = kvmrt_cpu_status_window_new (demo.app, manager);
  kvmrt_gui_test_present (GTK_WINDOW (status));
  g_assert_true (kvmrt_gui_test_wait_for ((KvmrtGuiTestCondition)
                                          kvmrt_cpu_status_window_get_updates, status, 30000));
  {
    GListModel *rows = kvmrt_cpu_status_window_get_rows (status);
    g_autoptr(KvmrtCpuStatusRow) row16 = g_list_model_get_item (rows, 16);
    g_autoptr(KvmrtCpuStatusRow) row0 = g_list_model_get_item (rows, 0);

    g_assert_cmpuint (kvmrt_cpu_status_row_get_cpu (row16), ==, 16);
    g_assert_nonnull (strstr (kvmrt_cpu_status_row_get_text (row16, KVMRT_CPU_STATUS_FINDINGS),
                              "Error: Host CPUs 16"));
    g_assert_cmpstr (kvmrt_cpu_status_row_get_text (row0, KVMRT_CPU_STATUS_FINDINGS), ==, "");
  }
  gtk_window_destroy (GTK_WINDOW (status));

  /* Fixed: the plan changes, the marks follow. */
  updates = kvmrt_topology_window_get_updates (window);
  g_assert_true (kvmrt_manager_open_config (manager, demo.config, &error));
  g_assert_no_error (error);
  wait_updates (window, updates + 1);
  {
    g_autofree char *cpu16 = describe (view, "16");

    g_assert_null (strstr (cpu16, "Error:"));
  }
  after = export_png (view, "topology-fixed");
  g_assert_false (cpu_has_error_flag (after, view, 16));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_bench_256 (void)
{
  g_autofree char *hosts = g_strdup (g_getenv ("KVMRT_TEST_HOSTS_DIR"));
  g_autofree char *sysroot = g_build_filename (hosts, "bench-256", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtManager) manager = kvmrt_manager_new (sysroot, "test:///default", &error);
  KvmrtTopologyWindow *window;
  KvmrtTopologyView *view;
  int kinds[256];

  g_assert_no_error (error);
  window = open_window (manager);
  view = kvmrt_topology_window_get_view (window);
  for (guint cpu = 0; cpu < G_N_ELEMENTS (kinds); cpu++)
    {
      graphene_rect_t area;

      /* Legible: every CPU box at its natural size, "PU 255" fits. */
      g_assert_true (kvmrt_topology_view_get_cpu_area (view, cpu, &area));
      g_assert_cmpfloat (area.size.width, >=, 44);
      g_assert_cmpfloat (area.size.height, >=, 18);
      kinds[cpu] = KVMRT_OWNER_HOST;
    }
  export_and_check (window, "topology-bench-256", kinds, G_N_ELEMENTS (kinds));
  kvmrt_gui_test_screenshot (GTK_WIDGET (window), "tools-topology-bench-256");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_source = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;

  demo.app = GTK_APPLICATION (adw_application_new ("org.kvmrt.Kvmrt.TestTopology",
                                                   G_APPLICATION_NON_UNIQUE));
  g_application_set_resource_base_path (G_APPLICATION (demo.app), "/org/kvmrt/Kvmrt");
  g_assert_true (g_application_register (G_APPLICATION (demo.app), NULL, &error));
  g_application_hold (G_APPLICATION (demo.app));
  config_source = kvmrt_gui_test_demo_path ("kvmrt.cfg");
  demo.dir = kvmrt_gui_test_make_tmp_dir ("kvmrt-test-topology-XXXXXX");
  demo.sysroot = kvmrt_gui_test_copy_host (demo.dir);
  demo.config = kvmrt_gui_test_copy_file (config_source, demo.dir, "kvmrt.cfg");
  demo.uri = kvmrt_gui_test_demo_uri ();
  demo.manager = kvmrt_gui_test_open_manager (demo.sysroot, demo.uri, demo.config);

  g_test_add_func ("/topology/demo-export", test_demo_export);
  g_test_add_func ("/topology/bench-256", test_bench_256);
  g_test_add_func ("/topology/findings-marked", test_findings_marked);
  status = g_test_run ();

  g_clear_object (&demo.manager);
  g_application_release (G_APPLICATION (demo.app));
  g_clear_object (&demo.app);
  kvmrt_gui_test_remove_tree (demo.dir);
  return status;
}
