/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the GUI's C tests share (see kvmrt-gui-test.h). */
#include "kvmrt-gui-test.h"

#include <glib/gstdio.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt/libvirt.h>
#include <unistd.h>

#include "kvmrt-config-dialog-private.h"

/* Set-up ------------------------------------------------------------------------------- */

gboolean
kvmrt_gui_test_init (int *argc, char ***argv)
{
  g_test_init (argc, argv, NULL);
  if ((g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
      || !gtk_init_check ())
    {
      /* The TAP way to skip: meson's TAP parser reads the plan, not exit status 77. */
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return FALSE;
    }
  adw_init ();
  /* As the application does: libvirt's events and streams run on GLib's main loop. */
  gvir_event_register ();
  return TRUE;
}

void
kvmrt_gui_test_load_app_style (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                    "/org/kvmrt/Kvmrt/icons");
  gtk_css_provider_load_from_resource (css, "/org/kvmrt/Kvmrt/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* The main loop ------------------------------------------------------------------------ */

static gboolean
on_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
kvmrt_gui_test_wait_for (KvmrtGuiTestCondition condition, gpointer data, guint timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout_cb, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return condition (data);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
kvmrt_gui_test_median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

void
kvmrt_gui_test_spin (guint ms)
{
  kvmrt_gui_test_wait_for (never, NULL, ms);
}

void
kvmrt_gui_test_store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

GAsyncResult *
kvmrt_gui_test_wait_result (GAsyncResult **result, guint timeout_ms)
{
  g_assert_true (kvmrt_gui_test_wait_for (result_set, result, timeout_ms));
  return *result;
}

/* Files -------------------------------------------------------------------------------- */

void
kvmrt_gui_test_run (const char * const *argv)
{
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

char *
kvmrt_gui_test_make_tmp_dir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

void
kvmrt_gui_test_remove_tree (const char *dir)
{
  kvmrt_gui_test_run ((const char *[]) { "rm", "-rf", "--one-file-system", dir, NULL });
}

char *
kvmrt_gui_test_demo_path (const char *name)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *relative = g_build_filename ("..", "data", "demo", name, NULL);

  g_assert_nonnull (srcdir);
  return g_canonicalize_filename (relative, srcdir);
}

char *
kvmrt_gui_test_demo_uri (void)
{
  g_autofree char *node = kvmrt_gui_test_demo_path ("libvirt-node.xml");

  return g_strdup_printf ("test://%s", node);
}

char *
kvmrt_gui_test_host_path (void)
{
  const char *hosts = g_getenv ("KVMRT_TEST_HOSTS_DIR");

  g_assert_nonnull (hosts);
  return g_build_filename (hosts, "m12swa-tf", NULL);
}

char *
kvmrt_gui_test_copy_host (const char *dir)
{
  g_autofree char *host = kvmrt_gui_test_host_path ();
  char *sysroot = g_build_filename (dir, "host", NULL);

  kvmrt_gui_test_run ((const char *[]) { "cp", "-a", host, sysroot, NULL });
  return sysroot;
}

char *
kvmrt_gui_test_copy_file (const char *source, const char *dir, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  char *copy = g_build_filename (dir, name, NULL);
  gsize length = 0;

  g_file_get_contents (source, &text, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (copy, text, length, &error);
  g_assert_no_error (error);
  return copy;
}

/* libvirt and the manager -------------------------------------------------------------- */

gboolean
kvmrt_gui_test_libvirtd_answers (void)
{
  virConnectPtr connection;

  if (geteuid () != 0 || g_find_program_in_path ("qemu-system-x86_64") == NULL)
    return FALSE;
  if ((connection = virConnectOpen ("qemu:///system")) == NULL)
    return FALSE;
  virConnectClose (connection);
  return TRUE;
}

/* as --32 of:
 *   .long 0x1BADB002, 0x10000, -(0x1BADB002 + 0x10000)      multiboot, a.out kludge
 *   .long 0x100000, 0x100000, 0, 0, 0x100020                 load at 1 MiB, entry
 *   start: mov $0x90000,%esp; mov $msg,%esi
 *   print: lodsb; test %al,%al; jz loop; call putc; jmp print
 *   loop:  mov $0x3fd,%dx; 1: in %dx,%al; test $1,%al; jz 1b       wait for a byte
 *          mov $0x3f8,%dx; in %dx,%al; \r -> \r\n, a-z -> A-Z; call putc; jmp loop
 *   putc:  mov %al,%ah; mov $0x3fd,%dx; 1: in %dx,%al; test $0x20,%al; jz 1b
 *          mov %ah,%al; mov $0x3f8,%dx; out %al,%dx; ret
 *   msg:   "kvmrt echo guest: type, it answers in capitals\r\n" */
static const guint8 echo_guest[] = {
  0x02, 0xb0, 0xad, 0x1b, 0x00, 0x00, 0x01, 0x00, 0xfe, 0x4f, 0x51, 0xe4,
  0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x10, 0x00, 0xbc, 0x00, 0x00, 0x09,
  0x00, 0xbe, 0x75, 0x00, 0x10, 0x00, 0xac, 0x84, 0xc0, 0x74, 0x07, 0xe8,
  0x2e, 0x00, 0x00, 0x00, 0xeb, 0xf4, 0x66, 0xba, 0xfd, 0x03, 0xec, 0xa8,
  0x01, 0x74, 0xfb, 0x66, 0xba, 0xf8, 0x03, 0xec, 0x3c, 0x0d, 0x75, 0x09,
  0xe8, 0x15, 0x00, 0x00, 0x00, 0xb0, 0x0a, 0xeb, 0x0a, 0x3c, 0x61, 0x72,
  0x06, 0x3c, 0x7a, 0x77, 0x02, 0x2c, 0x20, 0xe8, 0x02, 0x00, 0x00, 0x00,
  0xeb, 0xd4, 0x88, 0xc4, 0x66, 0xba, 0xfd, 0x03, 0xec, 0xa8, 0x20, 0x74,
  0xfb, 0x88, 0xe0, 0x66, 0xba, 0xf8, 0x03, 0xee, 0xc3, 0x6b, 0x76, 0x6d,
  0x72, 0x74, 0x20, 0x65, 0x63, 0x68, 0x6f, 0x20, 0x67, 0x75, 0x65, 0x73,
  0x74, 0x3a, 0x20, 0x74, 0x79, 0x70, 0x65, 0x2c, 0x20, 0x69, 0x74, 0x20,
  0x61, 0x6e, 0x73, 0x77, 0x65, 0x72, 0x73, 0x20, 0x69, 0x6e, 0x20, 0x63,
  0x61, 0x70, 0x69, 0x74, 0x61, 0x6c, 0x73, 0x0d, 0x0a, 0x00
};

char *
kvmrt_gui_test_write_echo_guest (const char *dir)
{
  g_autoptr(GError) error = NULL;
  char *guest = g_build_filename (dir, "echo-guest.bin", NULL);

  g_assert_true (g_file_set_contents (guest, (const char *) echo_guest, sizeof echo_guest,
                                      &error));
  g_assert_no_error (error);
  /* QEMU runs as another user and reads it from there. */
  g_assert_cmpint (g_chmod (guest, 0644), ==, 0);
  return guest;
}

KvmrtManager *
kvmrt_gui_test_open_manager (const char *sysroot, const char *uri, const char *config)
{
  g_autoptr(GError) error = NULL;
  KvmrtManager *manager = kvmrt_manager_new (sysroot, uri, &error);

  g_assert_no_error (error);
  g_assert_nonnull (kvmrt_manager_get_libvirt (manager));
  g_assert_true (kvmrt_manager_open_config (manager, config, &error));
  g_assert_no_error (error);
  return manager;
}

char *
kvmrt_gui_test_domain_xml (KvmrtManager *manager, const char *uuid)
{
  KvmrtLibvirt *libvirt = kvmrt_manager_get_libvirt (manager);
  g_autoptr(GError) error = NULL;
  GVirDomain *domain;
  char *xml;

  g_assert_nonnull (libvirt);
  domain = kvmrt_libvirt_lookup_uuid (libvirt, uuid);
  g_assert_nonnull (domain);
  xml = kvmrt_libvirt_get_xml (domain, &error);
  g_assert_no_error (error);
  return xml;
}

KvmrtPciAddress
kvmrt_gui_test_pci_address (const char *text)
{
  KvmrtPciAddress parsed = 0;

  g_assert_true (kvmrt_pci_address_parse (text, &parsed, NULL));
  return parsed;
}

gboolean
kvmrt_gui_test_vm_has_device (KvmrtVm *vm, const char *address)
{
  return kvmrt_pci_set_contains (kvmrt_vm_get_pcidevs (vm), kvmrt_gui_test_pci_address (address));
}

/* Widgets ------------------------------------------------------------------------------ */

void
kvmrt_gui_test_screenshot (GtkWidget *widget, const char *name)
{
  const char *dir = g_getenv ("KVMRT_SCREENSHOT_DIR");
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  g_autofree char *path = NULL;
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = 0;
  int height = 0;

  if (dir == NULL)
    dir = g_getenv ("G_TEST_BUILDDIR");
  if (dir == NULL)
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, file, NULL);
  /* Transitions and entry states settle first; a widget not drawn yet snapshots to nothing. */
  kvmrt_gui_test_spin (200);
  for (guint tries = 0; node == NULL && tries < 20; tries++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      kvmrt_gui_test_spin (200);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_to_node (snapshot);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static gboolean
window_shown (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

void
kvmrt_gui_test_present (GtkWindow *window)
{
  gtk_window_present (window);
  g_assert_true (kvmrt_gui_test_wait_for (window_shown, window, 10000));
}

GtkWidget *
kvmrt_gui_test_find (GtkWidget *root, KvmrtGuiTestMatch match, gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = kvmrt_gui_test_find (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_of_type (GtkWidget *widget, gconstpointer data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

GtkWidget *
kvmrt_gui_test_find_type (GtkWidget *root, GType type)
{
  return kvmrt_gui_test_find (root, is_of_type, GSIZE_TO_POINTER (type));
}

static gboolean
is_row_titled (GtkWidget *widget, gconstpointer title)
{
  return ADW_IS_PREFERENCES_ROW (widget)
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

GtkWidget *
kvmrt_gui_test_find_row (GtkWidget *root, const char *title)
{
  return kvmrt_gui_test_find (root, is_row_titled, title);
}

GtkWindow *
kvmrt_gui_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        found = window;
    }
  return found;
}

void
kvmrt_gui_test_close_message_dialogs (void)
{
  GtkWindow *window;

  while ((window = kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL)
    {
      gtk_window_destroy (window);
      kvmrt_gui_test_spin (20);
    }
}

/* The configuration dialog's fixture --------------------------------------------------- */

void
kvmrt_gui_test_dialog_copy_files (KvmrtGuiTestDialogFixture *f,
                                  const char                *tmpl,
                                  const char                *config)
{
  f->dir = kvmrt_gui_test_make_tmp_dir (tmpl);
  f->sysroot = kvmrt_gui_test_copy_host (f->dir);
  f->config_path = kvmrt_gui_test_copy_file (config, f->dir, "kvmrt.cfg");
}

static void
on_applied_cb (KvmrtConfigDialog *dialog, gboolean ok, KvmrtGuiTestDialogFixture *f)
{
  f->n_applied++;
  f->last_applied_ok = ok;
}

void
kvmrt_gui_test_dialog_open (KvmrtGuiTestDialogFixture *f, int width, int height)
{
  f->manager = kvmrt_gui_test_open_manager (f->sysroot, f->uri, f->config_path);
  f->dialog = kvmrt_config_dialog_new (NULL, f->manager);
  g_object_ref_sink (f->dialog);
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (f->dialog), width, height);
  g_signal_connect (f->dialog, "applied", G_CALLBACK (on_applied_cb), f);
  gtk_window_present (GTK_WINDOW (f->dialog));
  kvmrt_gui_test_spin (300);
}

void
kvmrt_gui_test_dialog_tear_down (KvmrtGuiTestDialogFixture *f, gconstpointer data)
{
  kvmrt_gui_test_close_message_dialogs ();
  gtk_window_destroy (GTK_WINDOW (f->dialog));
  g_clear_object (&f->dialog);
  kvmrt_gui_test_spin (50);
  g_clear_object (&f->manager);
  kvmrt_gui_test_remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->sysroot, g_free);
  g_clear_pointer (&f->config_path, g_free);
  g_clear_pointer (&f->uri, g_free);
}

typedef struct {
  KvmrtGuiTestDialogFixture *f;
  guint                      before;
} AppliedCheck;

static gboolean
applied (gpointer data)
{
  AppliedCheck *check = data;

  return check->f->n_applied != check->before;
}

gboolean
kvmrt_gui_test_dialog_apply (KvmrtGuiTestDialogFixture *f)
{
  GtkWidget *apply = kvmrt_config_dialog_get_apply_button (f->dialog);
  AppliedCheck check = { f, f->n_applied };

  g_assert_true (gtk_widget_get_sensitive (apply));
  gtk_widget_activate (apply);
  g_assert_true (kvmrt_gui_test_wait_for (applied, &check, 30000));
  kvmrt_gui_test_spin (50);
  return f->last_applied_ok;
}

KvmrtVm *
kvmrt_gui_test_working_vm (KvmrtGuiTestDialogFixture *f, const char *uuid)
{
  KvmrtVm *vm = kvmrt_config_lookup_uuid (kvmrt_config_dialog_get_working (f->dialog), uuid);

  g_assert_nonnull (vm);
  return vm;
}
