/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtConfigDialog on the demo (the M12SWA-TF host, libvirt's test driver, a copy of the
 * demo configuration): an overlap with a real-time VM shows in the diagnostic box and blocks
 * Apply; devices assigned through the resources view move with their IOMMU group; Apply writes
 * the file and libvirt; a second holder of the file makes Apply fail, naming it. Also the
 * import, remove and reorder paths. Needs a display (a TAP skip without one); saves a PNG of
 * each state under the build directory. */
#include <adwaita.h>
#include <kvmrt.h>
#include <string.h>

#include "kvmrt-config-dialog-private.h"
#include "kvmrt-gui-test.h"
#include "kvmrt-import-dialog.h"
#include "kvmrt-manager.h"

#define VISION_RT_UUID "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca"
#define CONTROL_RT_UUID "6660b902-990d-4eb6-91ca-4b1d7a848587"
#define WIN10_UUID "ea319190-1f1e-43d7-824c-071a270cec3c"
#define BUILD_UUID "1f764194-7f55-4ad8-a480-0c36de8aed2d"

typedef KvmrtGuiTestDialogFixture Fixture;

/* Helpers ------------------------------------------------------------------------------- */

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
  kvmrt_gui_test_spin (50);
  kvmrt_vm_page_focus_attribute (page, attribute);
  kvmrt_gui_test_spin (50);
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
  kvmrt_gui_test_spin (50);
}

static gboolean
button_labelled (GtkWidget *widget, gconstpointer label)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget)
         && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
xml_has (const char *xml, const char *attribute, const char *value)
{
  g_autofree char *single = g_strdup_printf ("%s='%s'", attribute, value);
  g_autofree char *dbl = g_strdup_printf ("%s=\"%s\"", attribute, value);

  return strstr (xml, single) != NULL || strstr (xml, dbl) != NULL;
}

/* Whether @widget (a column view) is as wide as it needs within its scrolled window: nothing
 * to scroll to horizontally. */
static gboolean
fits_without_scrolling (GtkWidget *view)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *h = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller));

  g_test_message ("column view: upper %.0f, page %.0f", gtk_adjustment_get_upper (h),
                  gtk_adjustment_get_page_size (h));
  return gtk_adjustment_get_upper (h) <= gtk_adjustment_get_page_size (h) + 0.5;
}

/* The columns that tell devices apart are shown: Address, IOMMU Group and Assigned To. */
static void
assert_device_columns_shown (GtkWidget *view)
{
  GListModel *columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (view));
  const char *wanted[] = { "Address", "IOMMU Group", "Assigned To" };

  for (guint w = 0; w < G_N_ELEMENTS (wanted); w++)
    {
      gboolean shown = FALSE;

      for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
        {
          g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

          if (g_strcmp0 (gtk_column_view_column_get_title (column), wanted[w]) == 0)
            shown = gtk_column_view_column_get_visible (column);
        }
      g_assert_true (shown);
    }
}

static gboolean
window_is_sized (gpointer data)
{
  GtkWidget *widget = data;
  int *size = g_object_get_data (G_OBJECT (widget), "wanted-size");

  int w, h;

  gtk_window_get_default_size (GTK_WINDOW (widget), &w, &h);
  g_test_message ("size %dx%d (default %dx%d), wanted %dx%d", gtk_widget_get_width (widget),
                  gtk_widget_get_height (widget), w, h, size[0], size[1]);
  /* The window's width is less the client-side decorations' margins. */
  return gtk_widget_get_width (widget) <= size[0] && gtk_widget_get_width (widget) >= size[0] - 20
         && gtk_widget_get_height (widget) <= size[1]
         && gtk_widget_get_height (widget) >= size[1] - 20;
}

static void
resize (Fixture *f, int width, int height)
{
  int size[2] = { width, height };

  g_object_set_data (G_OBJECT (f->dialog), "wanted-size", size);
  gtk_window_set_default_size (GTK_WINDOW (f->dialog), width, height);
  g_assert_true (kvmrt_gui_test_wait_for (window_is_sized, f->dialog, 5000));
  kvmrt_gui_test_spin (300);
  g_object_set_data (G_OBJECT (f->dialog), "wanted-size", NULL);
}

/* The GPU and its audio function (IOMMU group 47) to the build server, as the resources
 * view's menu does it. */
static void
assign_gpu_to_build_server (Fixture *f)
{
  KvmrtResourcesView *view = kvmrt_config_dialog_get_resources_view (f->dialog);
  g_autoptr(GArray) addresses = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  KvmrtPciAddress address;

  g_assert_true (kvmrt_pci_address_parse ("0000:22:00.0", &address, NULL));
  g_array_append_val (addresses, address);
  g_assert_true (kvmrt_pci_address_parse ("0000:22:00.1", &address, NULL));
  g_array_append_val (addresses, address);
  g_signal_emit_by_name (view, "assign-devices", kvmrt_gui_test_working_vm (f, BUILD_UUID),
                         addresses);
  kvmrt_gui_test_spin (300);
}

/* Fixture -------------------------------------------------------------------------------- */

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *demo_cfg = kvmrt_gui_test_demo_path ("kvmrt.cfg");

  /* The host is copied, as Boot would tune it (nothing boots here, but the demo may). */
  kvmrt_gui_test_dialog_copy_files (f, "kvmrt-config-dialog-XXXXXX", demo_cfg);
  f->uri = kvmrt_gui_test_demo_uri ();
  kvmrt_gui_test_dialog_open (f, 0, 0);
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
  /* What the window says to do is the window's own action, not a CLI command. */
  {
    int index = kvmrt_diagnostic_list_find (list, "out-of-sync", NULL);
    const KvmrtDiagnostic *d;

    g_assert_cmpint (index, >=, 0);
    d = kvmrt_diagnostic_list_get_item (list, index);
    g_assert_nonnull (strstr (d->message, "Resynchronize Configuration"));
    g_assert_nonnull (strstr (d->message, "Ctrl+R"));
    g_assert_null (strstr (d->message, "kvmrt-sync-config"));
  }
  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_warnings (list), >, 0);
  g_assert_false (kvmrt_config_dialog_has_unapplied (f->dialog));
  g_assert_false (gtk_widget_get_sensitive (kvmrt_config_dialog_get_apply_button (f->dialog)));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "config-dialog-demo");
}

/* The dialog at its default size, at 960x720 and at 800x600: the resources list shows Address,
 * IOMMU Group and Assigned To without scrolling sideways; narrow, the VM page and the list are
 * one above the other and both keep a usable height; the diagnostics can be given more room. */
static void
test_sizes (Fixture *f, gconstpointer data)
{
  GtkWidget *view = kvmrt_gui_test_find_type (GTK_WIDGET (f->dialog), GTK_TYPE_COLUMN_VIEW);
  GtkWidget *resources = GTK_WIDGET (kvmrt_config_dialog_get_resources_view (f->dialog));
  GtkWidget *list = GTK_WIDGET (kvmrt_config_dialog_get_diagnostic_list (f->dialog));
  GtkWidget *paned = gtk_widget_get_ancestor (list, GTK_TYPE_PANED);
  KvmrtVmPage *page;
  int list_height;
  int minimum;

  g_assert_nonnull (view);
  kvmrt_config_dialog_select_vm (f->dialog, VISION_RT_UUID);
  resize (f, 1280, 860);
  g_assert_false (kvmrt_config_dialog_is_narrow (f->dialog));
  assert_device_columns_shown (view);
  g_assert_true (fits_without_scrolling (view));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "config-dialog-1280x860");

  /* The diagnostics grow when their pane's handle is moved up. */
  list_height = gtk_widget_get_height (list);
  gtk_paned_set_position (GTK_PANED (paned), gtk_paned_get_position (GTK_PANED (paned)) - 120);
  kvmrt_gui_test_spin (300);
  g_assert_cmpint (gtk_widget_get_height (list), >=, list_height + 100);

  for (const int *size = (const int[]) { 960, 720, 800, 600, 0 }; size[0] != 0; size += 2)
    {
      g_autofree char *name = g_strdup_printf ("config-dialog-%dx%d", size[0], size[1]);

      resize (f, size[0], size[1]);
      g_assert_true (kvmrt_config_dialog_is_narrow (f->dialog));
      page = kvmrt_config_dialog_get_visible_page (f->dialog);
      g_test_message ("%s: page %dx%d, resources %dx%d", name,
                      gtk_widget_get_width (GTK_WIDGET (page)),
                      gtk_widget_get_height (GTK_WIDGET (page)),
                      gtk_widget_get_width (resources), gtk_widget_get_height (resources));
      /* Both panes usable: each at least 150 px high and 450 px wide. */
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (page)), >=, 150);
      g_assert_cmpint (gtk_widget_get_height (resources), >=, 150);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (page)), >=, 450);
      g_assert_cmpint (gtk_widget_get_width (resources), >=, 450);
      /* The whole dialog fits in the window: its content needs no more than that. */
      gtk_widget_measure (GTK_WIDGET (f->dialog), GTK_ORIENTATION_HORIZONTAL, -1, &minimum,
                          NULL, NULL, NULL);
      g_assert_cmpint (minimum, <=, size[0]);
      gtk_widget_measure (GTK_WIDGET (f->dialog), GTK_ORIENTATION_VERTICAL, size[0], &minimum,
                          NULL, NULL, NULL);
      g_assert_cmpint (minimum, <=, size[1]);
      assert_device_columns_shown (view);
      g_assert_true (fits_without_scrolling (view));
      kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), name);
    }

}

/* The sidebar marks a VM with errors; an assignment's toast offers Undo, which puts the devices
 * back where they were. */
static void
test_sidebar_errors_and_undo (Fixture *f, gconstpointer data)
{
  GtkWidget *undo;

  /* The workstation takes a core of the vision VM: the real-time VM's overlap error. */
  g_assert_false (kvmrt_config_dialog_sidebar_shows_error (f->dialog, VISION_RT_UUID));
  edit_field (f, WIN10_UUID, "cpuset", "0-5,16,32-37");
  g_assert_true (kvmrt_config_dialog_sidebar_shows_error (f->dialog, VISION_RT_UUID));
  g_assert_false (kvmrt_config_dialog_sidebar_shows_error (f->dialog, BUILD_UUID));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "config-dialog-sidebar-errors");
  edit_field (f, WIN10_UUID, "cpuset", "0-5,32-37");
  g_assert_false (kvmrt_config_dialog_sidebar_shows_error (f->dialog, VISION_RT_UUID));

  assign_gpu_to_build_server (f);
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, BUILD_UUID),
                                               "0000:22:00.0"));
  g_assert_false (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VISION_RT_UUID),
                                                "0000:22:00.0"));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "config-dialog-assign-undo");
  undo = kvmrt_gui_test_find (GTK_WIDGET (f->dialog), button_labelled, "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  kvmrt_gui_test_spin (300);
  g_assert_false (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, BUILD_UUID),
                                                "0000:22:00.0"));
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VISION_RT_UUID),
                                               "0000:22:00.0"));
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VISION_RT_UUID),
                                               "0000:22:00.1"));
}

/* The issue's display test: overlap, group assignment, Apply to file and libvirt, held. */
static void
test_edit_apply_held (Fixture *f, gconstpointer data)
{
  KvmrtDiagnosticList *list = kvmrt_config_dialog_get_diagnostic_list (f->dialog);
  GtkWidget *apply = kvmrt_config_dialog_get_apply_button (f->dialog);
  g_autoptr(KvmrtConfig) on_disk = NULL;
  g_autoptr(KvmrtManager) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  const KvmrtDiagnostic *diagnostic;
  const GError *apply_error;
  KvmrtVmPage *shown;
  int index;

  /* (1) The workstation (not real-time) takes CPU 16 of the vision guest. */
  edit_field (f, WIN10_UUID, "cpuset", "0-5,16,32-37");
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_gui_test_working_vm (f, WIN10_UUID),
                                      KVMRT_VM_ATTR_CPUSET), ==, "0-5,16,32-37");
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
  kvmrt_gui_test_spin (100);
  g_assert_cmpuint (f->n_applied, ==, 0);
  /* Selecting the row shows the VM it is about. */
  kvmrt_config_dialog_select_vm (f->dialog, CONTROL_RT_UUID);
  kvmrt_diagnostic_list_select (list, index);
  kvmrt_gui_test_spin (50);
  shown = kvmrt_config_dialog_get_visible_page (f->dialog);
  g_assert_nonnull (shown);
  g_assert_cmpstr (kvmrt_vm_get_uuid (kvmrt_vm_page_get_vm (shown)), ==, diagnostic->vm_uuid);
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "config-dialog-overlap");

  /* (2) The GPU and its audio function (IOMMU group 47) to the build server. */
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VISION_RT_UUID),
                                               "0000:22:00.0"));
  assign_gpu_to_build_server (f);
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, BUILD_UUID),
                                               "0000:22:00.0"));
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, BUILD_UUID),
                                               "0000:22:00.1"));
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, BUILD_UUID),
                                               "0000:21:10.0"));
  g_assert_false (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VISION_RT_UUID),
                                                "0000:22:00.0"));
  g_assert_false (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VISION_RT_UUID),
                                                "0000:22:00.1"));
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VISION_RT_UUID),
                                               "0000:21:00.1"));
  kvmrt_config_dialog_select_vm (f->dialog, BUILD_UUID);
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "config-dialog-assigned");

  /* (3) Fixed: the workstation on four cores of node 0; then Apply. */
  edit_field (f, WIN10_UUID, "cpuset", "0-3,32-35");
  g_assert_cmpint (kvmrt_diagnostic_list_find (list, "rt-cpuset-overlap", NULL), ==, -1);
  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_errors (list), ==, 0);
  g_assert_true (gtk_widget_get_sensitive (apply));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "config-dialog-fixed");
  g_assert_true (kvmrt_gui_test_dialog_apply (f));
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

  xml = kvmrt_gui_test_domain_xml (f->manager, WIN10_UUID);
  g_assert_nonnull (strstr (xml, "<vcpupin"));
  g_assert_true (xml_has (xml, "cpuset", "0-3,32-35"));
  g_clear_pointer (&xml, g_free);
  xml = kvmrt_gui_test_domain_xml (f->manager, BUILD_UUID);
  g_assert_nonnull (strstr (xml, "<hostdev"));
  g_assert_true (xml_has (xml, "bus", "0x22"));
  g_assert_true (xml_has (xml, "function", "0x1"));
  g_clear_pointer (&xml, g_free);
  xml = kvmrt_gui_test_domain_xml (f->manager, VISION_RT_UUID);
  g_assert_false (xml_has (xml, "bus", "0x22"));
  g_assert_true (xml_has (xml, "bus", "0x21"));
  g_clear_pointer (&xml, g_free);

  /* The working copy is made again from what was loaded: nothing left to apply. */
  g_assert_true (kvmrt_config_dialog_get_working (f->dialog)
                 != kvmrt_manager_get_config (f->manager));
  g_assert_false (kvmrt_config_dialog_has_unapplied (f->dialog));
  g_assert_false (gtk_widget_get_sensitive (apply));
  /* Four VMs written into libvirt, none refused: a toast, not "Applied With Problems". */
  g_assert_null (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "config-dialog-applied");

  /* (4) A second kvmrt (here: a second manager in this process) is editing the file: its
   * configuration dialog holds it. */
  second = kvmrt_manager_new (f->sysroot, f->uri, &error);
  g_assert_no_error (error);
  g_assert_true (kvmrt_manager_open_config (second, f->config_path, &error));
  g_assert_no_error (error);
  kvmrt_manager_begin_edit (second);
  edit_field (f, WIN10_UUID, "title", "Engineering Workstation 2");
  g_assert_true (kvmrt_config_dialog_has_unapplied (f->dialog));
  g_assert_false (kvmrt_gui_test_dialog_apply (f));
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
  g_assert_nonnull (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  kvmrt_gui_test_screenshot (GTK_WIDGET (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)),
                             "config-dialog-held");
  kvmrt_gui_test_close_message_dialogs ();

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
    kvmrt_gui_test_spin (300);
    g_assert_false (kvmrt_gui_test_dialog_apply (f));
    apply_error = kvmrt_config_dialog_get_apply_error (f->dialog);
    g_assert_error (apply_error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_HELD);
    g_test_message ("held by a program: %s", apply_error->message);
    pid_text = g_strdup_printf ("(PID %s)", g_subprocess_get_identifier (holder));
    g_assert_nonnull (strstr (apply_error->message, pid_text));
    g_assert_nonnull (strstr (apply_error->message, "sleep"));
    kvmrt_gui_test_close_message_dialogs ();
    g_subprocess_force_exit (holder);
    g_subprocess_wait (holder, NULL, NULL);
  }

  /* Released: the same edit applies. */
  if (!kvmrt_gui_test_dialog_apply (f))
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
  kvmrt_config_remove_vm (working, kvmrt_gui_test_working_vm (f, BUILD_UUID));
  g_signal_emit_by_name (kvmrt_config_dialog_get_page (f->dialog, WIN10_UUID), "changed");
  g_assert_true (kvmrt_config_dialog_has_unapplied (f->dialog));

  /* The import dialog lists only what the configuration lacks. */
  kvmrt_config_dialog_import (f->dialog, NULL);
  kvmrt_gui_test_spin (200);
  import = KVMRT_IMPORT_DIALOG (kvmrt_gui_test_find_toplevel (KVMRT_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (import);
  g_assert_cmpuint (kvmrt_import_dialog_get_n_domains (import), ==, 1);
  checked = kvmrt_import_dialog_get_checked (import);
  g_assert_cmpuint (g_strv_length (checked), ==, 0);
  kvmrt_import_dialog_set_checked (import, BUILD_UUID, TRUE);
  g_clear_pointer (&checked, g_strfreev);
  checked = kvmrt_import_dialog_get_checked (import);
  g_assert_cmpstrv (checked, ((const char *const[]) { BUILD_UUID, NULL }));
  kvmrt_gui_test_screenshot (GTK_WIDGET (import), "config-dialog-import");
  gtk_window_destroy (GTK_WINDOW (import));
  kvmrt_gui_test_spin (50);

  /* By name, as the --import hand-off does. */
  kvmrt_config_dialog_import (f->dialog, (const char *const[]) { "ubuntu-build", NULL });
  kvmrt_gui_test_spin (50);
  g_assert_nonnull (kvmrt_config_lookup_uuid (working, BUILD_UUID));
  g_assert_nonnull (kvmrt_config_dialog_get_page (f->dialog, BUILD_UUID));
  /* Imported from libvirt: takes libvirt's values (no pinning there yet). */
  g_assert_cmpstr (kvmrt_vm_get_name (kvmrt_gui_test_working_vm (f, BUILD_UUID)), ==,
                   "ubuntu-build");

  /* Reorder: the workstation first. */
  kvmrt_config_move_vm (working, kvmrt_gui_test_working_vm (f, WIN10_UUID), 0);
  kvmrt_gui_test_spin (50);
  g_assert_cmpint (kvmrt_config_index_of (working, kvmrt_gui_test_working_vm (f, WIN10_UUID)),
                   ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "config.reorder", NULL);
  kvmrt_gui_test_spin (200);
  g_assert_nonnull (kvmrt_gui_test_find_toplevel (g_type_from_name ("KvmrtReorderDialog")));
  kvmrt_gui_test_screenshot (GTK_WIDGET (kvmrt_gui_test_find_toplevel (
                               g_type_from_name ("KvmrtReorderDialog"))),
                             "config-dialog-reorder");
  gtk_window_destroy (kvmrt_gui_test_find_toplevel (g_type_from_name ("KvmrtReorderDialog")));
  kvmrt_gui_test_spin (50);

  /* Remove VMs… asks with check boxes. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "config.remove", NULL);
  kvmrt_gui_test_spin (200);
  g_assert_nonnull (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  kvmrt_gui_test_screenshot (GTK_WIDGET (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)),
                             "config-dialog-remove");
  kvmrt_gui_test_close_message_dialogs ();

  /* Closing with unapplied changes asks first. */
  gtk_window_close (GTK_WINDOW (f->dialog));
  kvmrt_gui_test_spin (200);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->dialog)));
  g_assert_nonnull (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  kvmrt_gui_test_screenshot (GTK_WIDGET (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)),
                             "config-dialog-close-ask");
  kvmrt_gui_test_close_message_dialogs ();

  /* Revert All asks, then the copy is the loaded configuration again. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "config.revert-all", NULL);
  kvmrt_gui_test_spin (100);
  {
    AdwMessageDialog *ask =
      ADW_MESSAGE_DIALOG (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

    g_assert_nonnull (ask);
    adw_message_dialog_response (ask, "revert");
    kvmrt_gui_test_spin (100);
  }
  kvmrt_gui_test_close_message_dialogs ();
  g_assert_false (kvmrt_config_dialog_has_unapplied (f->dialog));
  working = kvmrt_config_dialog_get_working (f->dialog);
  g_assert_cmpint (kvmrt_config_index_of (working, kvmrt_gui_test_working_vm (f, VISION_RT_UUID)),
                   ==, 0);
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
  kvmrt_gui_test_spin (100);
  g_assert_cmpuint (kvmrt_config_get_n_vms (kvmrt_config_dialog_get_working (f->dialog)), ==, 0);
  g_assert_null (kvmrt_config_dialog_get_visible_page (f->dialog));
  /* Only in memory so far: that is a change to apply. */
  g_assert_true (kvmrt_config_dialog_has_unapplied (f->dialog));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "config-dialog-new");

  kvmrt_config_dialog_import (f->dialog, NULL);
  kvmrt_gui_test_spin (200);
  import = KVMRT_IMPORT_DIALOG (kvmrt_gui_test_find_toplevel (KVMRT_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (import);
  g_assert_cmpuint (kvmrt_import_dialog_get_n_domains (import), ==, 4);
  checked = kvmrt_import_dialog_get_checked (import);
  g_assert_cmpuint (g_strv_length (checked), ==, 4);
  kvmrt_gui_test_screenshot (GTK_WIDGET (import), "config-dialog-new-import");
  g_signal_emit_by_name (import, "import", checked);
  gtk_window_destroy (GTK_WINDOW (import));
  kvmrt_gui_test_spin (100);

  g_assert_cmpuint (kvmrt_config_get_n_vms (kvmrt_config_dialog_get_working (f->dialog)), ==, 4);
  g_assert_nonnull (kvmrt_config_dialog_get_page (f->dialog, VISION_RT_UUID));
  g_assert_nonnull (kvmrt_config_dialog_get_visible_page (f->dialog));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "config-dialog-new-imported");

  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_errors (list), ==, 0);
  g_assert_true (kvmrt_gui_test_dialog_apply (f));
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
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;
  /* What the application gets from its resource base path. */
  kvmrt_gui_test_load_app_style ();

  g_test_add ("/config-dialog/opens-demo", Fixture, NULL, fixture_set_up, test_opens_demo,
              kvmrt_gui_test_dialog_tear_down);
  g_test_add ("/config-dialog/sizes", Fixture, NULL, fixture_set_up, test_sizes,
              kvmrt_gui_test_dialog_tear_down);
  g_test_add ("/config-dialog/sidebar-errors-and-undo", Fixture, NULL, fixture_set_up,
              test_sidebar_errors_and_undo, kvmrt_gui_test_dialog_tear_down);
  g_test_add ("/config-dialog/edit-apply-held", Fixture, NULL, fixture_set_up,
              test_edit_apply_held, kvmrt_gui_test_dialog_tear_down);
  g_test_add ("/config-dialog/remove-import-reorder", Fixture, NULL, fixture_set_up,
              test_remove_import_reorder, kvmrt_gui_test_dialog_tear_down);
  g_test_add ("/config-dialog/new-config-import", Fixture, NULL, fixture_set_up,
              test_new_config_import, kvmrt_gui_test_dialog_tear_down);
  return g_test_run ();
}
