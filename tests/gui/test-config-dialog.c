/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtConfigDialog on the demo (the M12SWA-TF host, libvirt's test driver, a copy of the
 * demo configuration): an overlap with a real-time VM shows in the diagnostic box and blocks
 * Apply; devices assigned through the resources view move with their IOMMU group; Apply writes
 * the file and libvirt; a second holder of the file makes Apply fail, naming it. Also the
 * import, remove and reorder paths. Needs a display (a TAP skip without one); saves a PNG of
 * each state under the build directory. */
#include <adwaita.h>
#include <kvmrt.h>
#include <libvirt-glib/libvirt-glib.h>
#include <string.h>

#include "kvmrt-config-dialog-private.h"
#include "kvmrt-import-dialog.h"
#include "kvmrt-manager.h"

#define VISION_RT_UUID "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca"
#define CONTROL_RT_UUID "6660b902-990d-4eb6-91ca-4b1d7a848587"
#define WIN10_UUID "ea319190-1f1e-43d7-824c-071a270cec3c"
#define BUILD_UUID "1f764194-7f55-4ad8-a480-0c36de8aed2d"

typedef struct {
  char              *dir;          /* temporary: host copy and config copy */
  char              *sysroot;
  char              *config_path;
  char              *uri;
  KvmrtManager      *manager;
  KvmrtConfigDialog *dialog;
  guint              n_applied;
  gboolean           last_applied_ok;
} Fixture;

/* Helpers ------------------------------------------------------------------------------- */

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (5000);
}

static const char *
screenshot_dir (void)
{
  const char *dir = g_getenv ("KVMRT_SCREENSHOT_DIR");

  return dir != NULL ? dir : g_getenv ("G_TEST_BUILDDIR");
}

/* Saves @window as DIR/NAME.png. */
static void
screenshot (GtkWindow *window, const char *name)
{
  const char *dir = screenshot_dir ();
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (dir == NULL)
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  spin (400);
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_strdup_printf ("%s/config-dialog-%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* The newest toplevel of @type other than the dialog itself, or NULL. */
static GtkWindow *
find_window (GType type)
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

static void
close_message_dialogs (void)
{
  GtkWindow *window;

  while ((window = find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL)
    {
      gtk_window_destroy (window);
      spin (20);
    }
}

/* Commits @text into @uuid's field for @attribute the way a user does: focus the field (as
 * selecting a diagnostic does), type, Enter. Falls back to the model when the page's field
 * cannot take focus. */
static void
edit_field (Fixture *f, const char *uuid, const char *attribute, const char *text)
{
  KvmrtVmPage *page = kvmrt_config_dialog_get_page (f->dialog, uuid);
  GtkWidget *focus;

  g_assert_nonnull (page);
  kvmrt_config_dialog_select_vm (f->dialog, uuid);
  spin (50);
  kvmrt_vm_page_focus_attribute (page, attribute);
  spin (50);
  focus = gtk_root_get_focus (GTK_ROOT (f->dialog));
  g_test_message ("%s: focus on %s", attribute, focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "nothing");
  if (focus != NULL && GTK_IS_EDITABLE (focus)
      && gtk_widget_is_ancestor (focus, GTK_WIDGET (page)))
    {
      /* Enter in the field: the row's text emits "activate". */
      gtk_editable_set_text (GTK_EDITABLE (focus), text);
      g_signal_emit_by_name (focus, "activate");
    }
  else
    {
      KvmrtVmAttr attr;

      g_test_message ("%s: no focusable entry; setting the model", attribute);
      g_assert_true (kvmrt_vm_attr_from_key (attribute, &attr));
      kvmrt_vm_set_text (kvmrt_vm_page_get_vm (page), attr, text, NULL);
      kvmrt_vm_page_reload (page);
      g_signal_emit_by_name (page, "changed");
    }
  spin (50);
}

static KvmrtVm *
working_vm (Fixture *f, const char *uuid)
{
  KvmrtVm *vm = kvmrt_config_lookup_uuid (kvmrt_config_dialog_get_working (f->dialog), uuid);

  g_assert_nonnull (vm);
  return vm;
}

static gboolean
has_device (KvmrtVm *vm, const char *address)
{
  KvmrtPciAddress parsed;

  g_assert_true (kvmrt_pci_address_parse (address, &parsed, NULL));
  return kvmrt_pci_set_contains (kvmrt_vm_get_pcidevs (vm), parsed);
}

static void
on_applied_cb (KvmrtConfigDialog *dialog, gboolean ok, Fixture *f)
{
  f->n_applied++;
  f->last_applied_ok = ok;
}

/* Presses Apply and waits for its result. */
static gboolean
apply_and_wait (Fixture *f)
{
  guint before = f->n_applied;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_assert_true (gtk_widget_get_sensitive (kvmrt_config_dialog_get_apply_button (f->dialog)));
  gtk_widget_activate (kvmrt_config_dialog_get_apply_button (f->dialog));
  while (f->n_applied == before)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }
  spin (50);
  return f->last_applied_ok;
}

static gboolean
xml_has (const char *xml, const char *attribute, const char *value)
{
  g_autofree char *single = g_strdup_printf ("%s='%s'", attribute, value);
  g_autofree char *dbl = g_strdup_printf ("%s=\"%s\"", attribute, value);

  return strstr (xml, single) != NULL || strstr (xml, dbl) != NULL;
}

static char *
domain_xml (Fixture *f, const char *uuid)
{
  KvmrtLibvirt *libvirt = kvmrt_manager_get_libvirt (f->manager);
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

/* Fixture -------------------------------------------------------------------------------- */

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const char *hosts = g_getenv ("KVMRT_TEST_HOSTS_DIR");
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *host = NULL;
  g_autofree char *demo_cfg = NULL;
  g_autofree char *node_xml = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  gsize length;

  g_assert_nonnull (hosts);
  g_assert_nonnull (srcdir);
  f->dir = g_dir_make_tmp ("kvmrt-config-dialog-XXXXXX", &error);
  g_assert_no_error (error);

  /* The host is copied, as Boot would tune it (nothing boots here, but the demo may). */
  host = g_build_filename (hosts, "m12swa-tf", NULL);
  f->sysroot = g_build_filename (f->dir, "host", NULL);
  g_spawn_sync (NULL, (char *[]) { "cp", "-a", host, f->sysroot, NULL }, NULL,
                G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  demo_cfg = g_build_filename (srcdir, "..", "data", "demo", "kvmrt.cfg", NULL);
  g_file_get_contents (demo_cfg, &text, &length, &error);
  g_assert_no_error (error);
  f->config_path = g_build_filename (f->dir, "kvmrt.cfg", NULL);
  g_file_set_contents (f->config_path, text, length, &error);
  g_assert_no_error (error);

  node_xml = g_canonicalize_filename ("../data/demo/libvirt-node.xml", srcdir);
  f->uri = g_strdup_printf ("test://%s", node_xml);

  f->manager = kvmrt_manager_new (f->sysroot, f->uri, &error);
  g_assert_no_error (error);
  g_assert_nonnull (kvmrt_manager_get_libvirt (f->manager));
  g_assert_true (kvmrt_manager_open_config (f->manager, f->config_path, &error));
  g_assert_no_error (error);

  f->dialog = kvmrt_config_dialog_new (NULL, f->manager);
  g_object_ref_sink (f->dialog);
  g_signal_connect (f->dialog, "applied", G_CALLBACK (on_applied_cb), f);
  gtk_window_present (GTK_WINDOW (f->dialog));
  spin (300);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr(GFile) dir = g_file_new_for_path (f->dir);

  close_message_dialogs ();
  gtk_window_destroy (GTK_WINDOW (f->dialog));
  g_clear_object (&f->dialog);
  spin (50);
  g_clear_object (&f->manager);
  g_spawn_sync (NULL, (char *[]) { "rm", "-rf", f->dir, NULL }, NULL, G_SPAWN_SEARCH_PATH,
                NULL, NULL, NULL, NULL, NULL, NULL);
  g_free (f->dir);
  g_free (f->sysroot);
  g_free (f->config_path);
  g_free (f->uri);
}

/* Tests ---------------------------------------------------------------------------------- */

static void
test_opens_demo (Fixture *f, gconstpointer data)
{
  KvmrtDiagnosticList *list = kvmrt_config_dialog_get_diagnostic_list (f->dialog);
  g_autofree char *title = g_strdup_printf ("Edit Configuration — %s", f->config_path);

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->dialog)), ==, title);
  g_assert_cmpuint (kvmrt_config_get_n_vms (kvmrt_config_dialog_get_working (f->dialog)), ==, 4);
  /* A copy, not the loaded configuration itself, and bound to no file. */
  g_assert_true (kvmrt_config_dialog_get_working (f->dialog)
                 != kvmrt_manager_get_config (f->manager));
  g_assert_null (kvmrt_config_get_path (kvmrt_config_dialog_get_working (f->dialog)));
  for (const char *const *uuid = (const char *const[]) { VISION_RT_UUID, CONTROL_RT_UUID,
                                                          WIN10_UUID, BUILD_UUID, NULL };
       *uuid != NULL; uuid++)
    g_assert_nonnull (kvmrt_config_dialog_get_page (f->dialog, *uuid));
  /* The demo has warnings only (and out-of-sync, libvirt not written yet). */
  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_errors (list), ==, 0);
  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_warnings (list), >, 0);
  g_assert_false (kvmrt_config_dialog_has_unapplied (f->dialog));
  g_assert_false (gtk_widget_get_sensitive (kvmrt_config_dialog_get_apply_button (f->dialog)));
  screenshot (GTK_WINDOW (f->dialog), "demo");
}

/* The display test: overlap, group assignment, Apply to file and libvirt, held. */
static void
test_edit_apply_held (Fixture *f, gconstpointer data)
{
  KvmrtDiagnosticList *list = kvmrt_config_dialog_get_diagnostic_list (f->dialog);
  KvmrtResourcesView *view = kvmrt_config_dialog_get_resources_view (f->dialog);
  GtkWidget *apply = kvmrt_config_dialog_get_apply_button (f->dialog);
  g_autoptr(GArray) addresses = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  g_autoptr(KvmrtConfig) on_disk = NULL;
  g_autoptr(KvmrtManager) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  const KvmrtDiagnostic *diagnostic;
  const GError *apply_error;
  KvmrtPciAddress address;
  KvmrtVmPage *shown;
  int index;

  /* (1) The workstation (not real-time) takes CPU 16 of the vision guest. */
  edit_field (f, WIN10_UUID, "cpuset", "0-5,16,32-37");
  g_assert_cmpstr (kvmrt_vm_get_text (working_vm (f, WIN10_UUID), KVMRT_VM_ATTR_CPUSET), ==,
                   "0-5,16,32-37");
  index = kvmrt_diagnostic_list_find (list, "rt-cpuset-overlap", NULL);
  g_assert_cmpint (index, >=, 0);
  diagnostic = kvmrt_diagnostic_list_get_item (list, index);
  g_assert_cmpint (diagnostic->severity, ==, KVMRT_SEVERITY_ERROR);
  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_errors (list), >, 0);
  g_assert_true (g_str_has_prefix (kvmrt_diagnostic_list_get_summary (list), "1 error")
                 || strstr (kvmrt_diagnostic_list_get_summary (list), "errors") != NULL);
  g_assert_false (gtk_widget_get_sensitive (apply));
  g_assert_nonnull (gtk_widget_get_tooltip_text (apply));
  g_assert_true (kvmrt_config_dialog_has_unapplied (f->dialog));
  /* The shortcut refuses too, with a toast, and nothing is written. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "config.apply", NULL);
  spin (100);
  g_assert_cmpuint (f->n_applied, ==, 0);
  /* Selecting the row shows the VM it is about. */
  kvmrt_config_dialog_select_vm (f->dialog, CONTROL_RT_UUID);
  kvmrt_diagnostic_list_select (list, index);
  spin (50);
  shown = kvmrt_config_dialog_get_visible_page (f->dialog);
  g_assert_nonnull (shown);
  g_assert_cmpstr (kvmrt_vm_get_uuid (kvmrt_vm_page_get_vm (shown)), ==, diagnostic->vm_uuid);
  screenshot (GTK_WINDOW (f->dialog), "overlap");

  /* (2) The GPU and its audio function (IOMMU group 47) to the build server. */
  g_assert_true (has_device (working_vm (f, VISION_RT_UUID), "0000:22:00.0"));
  g_assert_true (kvmrt_pci_address_parse ("0000:22:00.0", &address, NULL));
  g_array_append_val (addresses, address);
  g_assert_true (kvmrt_pci_address_parse ("0000:22:00.1", &address, NULL));
  g_array_append_val (addresses, address);
  g_signal_emit_by_name (view, "assign-devices", working_vm (f, BUILD_UUID), addresses);
  spin (50);
  g_assert_true (has_device (working_vm (f, BUILD_UUID), "0000:22:00.0"));
  g_assert_true (has_device (working_vm (f, BUILD_UUID), "0000:22:00.1"));
  g_assert_true (has_device (working_vm (f, BUILD_UUID), "0000:21:10.0"));
  g_assert_false (has_device (working_vm (f, VISION_RT_UUID), "0000:22:00.0"));
  g_assert_false (has_device (working_vm (f, VISION_RT_UUID), "0000:22:00.1"));
  g_assert_true (has_device (working_vm (f, VISION_RT_UUID), "0000:21:00.1"));
  kvmrt_config_dialog_select_vm (f->dialog, BUILD_UUID);
  screenshot (GTK_WINDOW (f->dialog), "assigned");

  /* (3) Fixed: the workstation on four cores of node 0; then Apply. */
  edit_field (f, WIN10_UUID, "cpuset", "0-3,32-35");
  g_assert_cmpint (kvmrt_diagnostic_list_find (list, "rt-cpuset-overlap", NULL), ==, -1);
  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_errors (list), ==, 0);
  g_assert_true (gtk_widget_get_sensitive (apply));
  screenshot (GTK_WINDOW (f->dialog), "fixed");
  g_assert_true (apply_and_wait (f));
  g_assert_null (kvmrt_config_dialog_get_apply_error (f->dialog));

  on_disk = kvmrt_config_load (f->config_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_config_lookup_uuid (on_disk, WIN10_UUID),
                                      KVMRT_VM_ATTR_CPUSET), ==, "0-3,32-35");
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_config_lookup_uuid (on_disk, BUILD_UUID),
                                      KVMRT_VM_ATTR_PCIDEVS), ==,
                   "0000:21:10.0 0000:22:00.0 0000:22:00.1");
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_config_lookup_uuid (on_disk, VISION_RT_UUID),
                                      KVMRT_VM_ATTR_PCIDEVS), ==, "0000:21:00.1");
  /* The rest of the file (comments) is as it was. */
  {
    g_autofree char *text = NULL;

    g_file_get_contents (f->config_path, &text, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (text, "# Node 0, shared with the host"));
  }

  xml = domain_xml (f, WIN10_UUID);
  g_assert_nonnull (strstr (xml, "<vcpupin"));
  g_assert_true (xml_has (xml, "cpuset", "0-3,32-35"));
  g_clear_pointer (&xml, g_free);
  xml = domain_xml (f, BUILD_UUID);
  g_assert_nonnull (strstr (xml, "<hostdev"));
  g_assert_true (xml_has (xml, "bus", "0x22"));
  g_assert_true (xml_has (xml, "function", "0x1"));
  g_clear_pointer (&xml, g_free);
  xml = domain_xml (f, VISION_RT_UUID);
  g_assert_false (xml_has (xml, "bus", "0x22"));
  g_assert_true (xml_has (xml, "bus", "0x21"));
  g_clear_pointer (&xml, g_free);

  /* The working copy is made again from what was loaded: nothing left to apply. */
  g_assert_true (kvmrt_config_dialog_get_working (f->dialog)
                 != kvmrt_manager_get_config (f->manager));
  g_assert_false (kvmrt_config_dialog_has_unapplied (f->dialog));
  g_assert_false (gtk_widget_get_sensitive (apply));
  screenshot (GTK_WINDOW (f->dialog), "applied");

  /* (4) A second kvmrt (here: a second manager in this process) is editing the file: its
   * configuration dialog holds it. */
  second = kvmrt_manager_new (f->sysroot, f->uri, &error);
  g_assert_no_error (error);
  g_assert_true (kvmrt_manager_open_config (second, f->config_path, &error));
  g_assert_no_error (error);
  kvmrt_manager_begin_edit (second);
  edit_field (f, WIN10_UUID, "title", "Engineering Workstation 2");
  g_assert_true (kvmrt_config_dialog_has_unapplied (f->dialog));
  g_assert_false (apply_and_wait (f));
  apply_error = kvmrt_config_dialog_get_apply_error (f->dialog);
  g_assert_error (apply_error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_HELD);
  g_assert_nonnull (strstr (apply_error->message, f->config_path));
  g_test_message ("held: %s", apply_error->message);
  /* Nothing written, the edit kept. */
  g_clear_object (&on_disk);
  on_disk = kvmrt_config_load (f->config_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_vm_get_title (kvmrt_config_lookup_uuid (on_disk, WIN10_UUID)), ==,
                   "Engineering Workstation");
  g_assert_true (kvmrt_config_dialog_has_unapplied (f->dialog));
  g_assert_nonnull (find_window (ADW_TYPE_MESSAGE_DIALOG));
  screenshot (find_window (ADW_TYPE_MESSAGE_DIALOG), "held");
  close_message_dialogs ();

  /* Another program holding it is named, with its PID. */
  kvmrt_manager_end_edit (second);
  kvmrt_manager_close_config (second);
  {
    g_autoptr(GSubprocess) holder = NULL;
    g_autofree char *pid_text = NULL;

    /* flock takes the lock, then becomes sleep (no child keeps the descriptor). */
    holder = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "flock", "--shared",
                               "--no-fork", f->config_path, "sleep", "60", NULL);
    g_assert_no_error (error);
    spin (300);
    g_assert_false (apply_and_wait (f));
    apply_error = kvmrt_config_dialog_get_apply_error (f->dialog);
    g_assert_error (apply_error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_HELD);
    g_test_message ("held by a program: %s", apply_error->message);
    pid_text = g_strdup_printf ("(PID %s)", g_subprocess_get_identifier (holder));
    g_assert_nonnull (strstr (apply_error->message, pid_text));
    g_assert_nonnull (strstr (apply_error->message, "sleep"));
    close_message_dialogs ();
    g_subprocess_force_exit (holder);
    g_subprocess_wait (holder, NULL, NULL);
  }

  /* Released: the same edit applies. */
  if (!apply_and_wait (f))
    g_error ("Apply failed: %s", kvmrt_config_dialog_get_apply_error (f->dialog)->message);
  g_clear_object (&on_disk);
  on_disk = kvmrt_config_load (f->config_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_vm_get_title (kvmrt_config_lookup_uuid (on_disk, WIN10_UUID)), ==,
                   "Engineering Workstation 2");
}

/* Remove from the configuration only, import back by name, reorder, revert. */
static void
test_remove_import_reorder (Fixture *f, gconstpointer data)
{
  KvmrtConfig *working = kvmrt_config_dialog_get_working (f->dialog);
  KvmrtImportDialog *import;
  g_auto(GStrv) checked = NULL;

  /* Removed in the working copy: libvirt still has the domain, so it can be imported. */
  kvmrt_config_remove_vm (working, working_vm (f, BUILD_UUID));
  g_signal_emit_by_name (kvmrt_config_dialog_get_page (f->dialog, WIN10_UUID), "changed");
  g_assert_true (kvmrt_config_dialog_has_unapplied (f->dialog));

  /* The import dialog lists only what the configuration lacks. */
  kvmrt_config_dialog_import (f->dialog, NULL);
  spin (200);
  import = KVMRT_IMPORT_DIALOG (find_window (KVMRT_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (import);
  g_assert_cmpuint (kvmrt_import_dialog_get_n_domains (import), ==, 1);
  checked = kvmrt_import_dialog_get_checked (import);
  g_assert_cmpuint (g_strv_length (checked), ==, 0);
  kvmrt_import_dialog_set_checked (import, BUILD_UUID, TRUE);
  g_clear_pointer (&checked, g_strfreev);
  checked = kvmrt_import_dialog_get_checked (import);
  g_assert_cmpstrv (checked, ((const char *const[]) { BUILD_UUID, NULL }));
  screenshot (GTK_WINDOW (import), "import");
  gtk_window_destroy (GTK_WINDOW (import));
  spin (50);

  /* By name, as the --import hand-off does. */
  kvmrt_config_dialog_import (f->dialog, (const char *const[]) { "ubuntu-build", NULL });
  spin (50);
  g_assert_nonnull (kvmrt_config_lookup_uuid (working, BUILD_UUID));
  g_assert_nonnull (kvmrt_config_dialog_get_page (f->dialog, BUILD_UUID));
  /* Imported from libvirt: takes libvirt's values (no pinning there yet). */
  g_assert_cmpstr (kvmrt_vm_get_name (working_vm (f, BUILD_UUID)), ==, "ubuntu-build");

  /* Reorder: the workstation first. */
  kvmrt_config_move_vm (working, working_vm (f, WIN10_UUID), 0);
  spin (50);
  g_assert_cmpint (kvmrt_config_index_of (working, working_vm (f, WIN10_UUID)), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "config.reorder", NULL);
  spin (200);
  g_assert_nonnull (find_window (g_type_from_name ("KvmrtReorderDialog")));
  screenshot (find_window (g_type_from_name ("KvmrtReorderDialog")), "reorder");
  gtk_window_destroy (find_window (g_type_from_name ("KvmrtReorderDialog")));
  spin (50);

  /* Remove VMs… asks with check boxes. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "config.remove", NULL);
  spin (200);
  g_assert_nonnull (find_window (ADW_TYPE_MESSAGE_DIALOG));
  screenshot (find_window (ADW_TYPE_MESSAGE_DIALOG), "remove");
  close_message_dialogs ();

  /* Closing with unapplied changes asks first. */
  gtk_window_close (GTK_WINDOW (f->dialog));
  spin (200);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->dialog)));
  g_assert_nonnull (find_window (ADW_TYPE_MESSAGE_DIALOG));
  screenshot (find_window (ADW_TYPE_MESSAGE_DIALOG), "close-ask");
  close_message_dialogs ();

  /* Revert All asks, then the copy is the loaded configuration again. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "config.revert-all", NULL);
  spin (100);
  {
    AdwMessageDialog *ask = ADW_MESSAGE_DIALOG (find_window (ADW_TYPE_MESSAGE_DIALOG));

    g_assert_nonnull (ask);
    adw_message_dialog_response (ask, "revert");
    spin (100);
  }
  close_message_dialogs ();
  g_assert_false (kvmrt_config_dialog_has_unapplied (f->dialog));
  working = kvmrt_config_dialog_get_working (f->dialog);
  g_assert_cmpint (kvmrt_config_index_of (working, working_vm (f, VISION_RT_UUID)), ==, 0);
}

/* New Configuration, then every libvirt VM offered (all checked), imported, applied. */
static void
test_new_config_import (Fixture *f, gconstpointer data)
{
  KvmrtDiagnosticList *list = kvmrt_config_dialog_get_diagnostic_list (f->dialog);
  g_autofree char *path = g_build_filename (f->dir, "new.cfg", NULL);
  g_autoptr(KvmrtConfig) on_disk = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) checked = NULL;
  KvmrtImportDialog *import;

  kvmrt_manager_new_config (f->manager, path);
  spin (100);
  g_assert_cmpuint (kvmrt_config_get_n_vms (kvmrt_config_dialog_get_working (f->dialog)), ==, 0);
  g_assert_null (kvmrt_config_dialog_get_visible_page (f->dialog));
  /* Only in memory so far: that is a change to apply. */
  g_assert_true (kvmrt_config_dialog_has_unapplied (f->dialog));
  screenshot (GTK_WINDOW (f->dialog), "new");

  kvmrt_config_dialog_import (f->dialog, NULL);
  spin (200);
  import = KVMRT_IMPORT_DIALOG (find_window (KVMRT_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (import);
  g_assert_cmpuint (kvmrt_import_dialog_get_n_domains (import), ==, 4);
  checked = kvmrt_import_dialog_get_checked (import);
  g_assert_cmpuint (g_strv_length (checked), ==, 4);
  screenshot (GTK_WINDOW (import), "new-import");
  g_signal_emit_by_name (import, "import", checked);
  gtk_window_destroy (GTK_WINDOW (import));
  spin (100);

  g_assert_cmpuint (kvmrt_config_get_n_vms (kvmrt_config_dialog_get_working (f->dialog)), ==, 4);
  g_assert_nonnull (kvmrt_config_dialog_get_page (f->dialog, VISION_RT_UUID));
  g_assert_nonnull (kvmrt_config_dialog_get_visible_page (f->dialog));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  screenshot (GTK_WINDOW (f->dialog), "new-imported");

  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_errors (list), ==, 0);
  g_assert_true (apply_and_wait (f));
  on_disk = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kvmrt_config_get_n_vms (on_disk), ==, 4);
  g_assert_cmpstr (kvmrt_vm_get_name (kvmrt_config_lookup_uuid (on_disk, WIN10_UUID)), ==,
                   "win10-eng");
  g_assert_false (kvmrt_config_dialog_has_unapplied (f->dialog));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;   /* meson reads the TAP plan, not exit status 77 */
    }
  gtk_init ();
  adw_init ();
  gvir_event_register ();
  /* What the application gets from its resource base path. */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/org/kvmrt/Kvmrt/icons");
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/org/kvmrt/Kvmrt/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add ("/config-dialog/opens-demo", Fixture, NULL, fixture_set_up, test_opens_demo,
              fixture_tear_down);
  g_test_add ("/config-dialog/edit-apply-held", Fixture, NULL, fixture_set_up,
              test_edit_apply_held, fixture_tear_down);
  g_test_add ("/config-dialog/remove-import-reorder", Fixture, NULL, fixture_set_up,
              test_remove_import_reorder, fixture_tear_down);
  g_test_add ("/config-dialog/new-config-import", Fixture, NULL, fixture_set_up,
              test_new_config_import, fixture_tear_down);
  return g_test_run ();
}
