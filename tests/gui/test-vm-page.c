/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtVmPage on the demo host with the demo configuration: edits reach the VM only when
 * committed, the Host CPUs feedback, the name of a running VM, Revert and the diagnostic
 * marks. Needs a display (a TAP skip without one); saves PNGs of the page in the build
 * directory. */
#include <adwaita.h>
#include <kvmrt.h>

#include "kvmrt-gui-test.h"
#include "kvmrt-vm-page.h"
#include "../kvmrt-test-hosts.h"

#define WIN10_UUID "ea319190-1f1e-43d7-824c-071a270cec3c"
#define VISION_RT_UUID "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca"

typedef struct {
  KvmrtConfig *original;   /* as loaded */
  KvmrtConfig *working;    /* the dialog's working copy */
  KvmrtHost   *host;
  GtkWindow   *window;
  KvmrtVmPage *page;
  KvmrtVm     *vm;
  guint        n_changed;
  guint        n_filter;
} Fixture;

static void
on_changed_cb (KvmrtVmPage *page, Fixture *f)
{
  f->n_changed++;
}

static void
on_filter_resources_cb (KvmrtVmPage *page, Fixture *f)
{
  f->n_filter++;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const char *uuid = data;
  g_autofree char *path = kvmrt_gui_test_demo_path ("kvmrt.cfg");
  g_autoptr(GError) error = NULL;

  f->host = g_object_ref (test_load_host ("m12swa-tf"));
  f->original = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  f->working = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  f->vm = kvmrt_config_lookup_uuid (f->working, uuid);
  g_assert_nonnull (f->vm);

  f->page = kvmrt_vm_page_new (f->vm, kvmrt_config_lookup_uuid (f->original, uuid), f->working,
                               f->host);
  g_signal_connect (f->page, "changed", G_CALLBACK (on_changed_cb), f);
  g_signal_connect (f->page, "filter-resources", G_CALLBACK (on_filter_resources_cb), f);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 720, 1900);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  kvmrt_gui_test_present (f->window);
  kvmrt_gui_test_spin (100);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (f->window);
  g_clear_object (&f->working);
  g_clear_object (&f->original);
  g_clear_object (&f->host);
}

static gboolean
is_button_labelled (GtkWidget *widget, gconstpointer label)
{
  return GTK_IS_BUTTON (widget)
         && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

/* The first button below @widget labelled @label. */
static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  return kvmrt_gui_test_find (widget, is_button_labelled, label);
}

static GtkLabel *
feedback_label (Fixture *f, const char *title)
{
  GtkWidget *row = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), title);

  g_assert_nonnull (row);
  return GTK_LABEL (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)));
}

/* Scrolls the page to its end, for a picture of the lower groups. */
static void
scroll_to_end (GtkWidget *widget)
{
  GtkScrolledWindow *scrolled =
    GTK_SCROLLED_WINDOW (kvmrt_gui_test_find_type (widget, GTK_TYPE_SCROLLED_WINDOW));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment)
                                        - gtk_adjustment_get_page_size (adjustment));
}

/* Typing changes nothing until the edit is committed; then the VM changes once. */
static void
test_commit_on_activate (Fixture *f, gconstpointer data)
{
  GtkWidget *row = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Host CPUs");
  g_autofree char *cpus = NULL;
  GtkLabel *feedback = feedback_label (f, "Host CPUs resolved");

  g_assert_true (ADW_IS_ENTRY_ROW (row));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "0-5,32-37");
  g_assert_cmpstr (gtk_label_get_text (feedback), ==, "CPUs 0-5,32-37 (12 CPUs on node 0)");
  g_assert_false (kvmrt_vm_page_is_modified (f->page));

  gtk_widget_grab_focus (row);
  gtk_editable_set_text (GTK_EDITABLE (row), "16");
  g_assert_cmpstr (kvmrt_vm_get_text (f->vm, KVMRT_VM_ATTR_CPUSET), ==, "0-5,32-37");
  g_assert_cmpuint (f->n_changed, ==, 0);
  g_assert_cmpstr (gtk_label_get_text (feedback), ==, "CPU 16 (1 CPU on node 2)");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (feedback), "error"));

  /* Enter */
  g_signal_emit_by_name (row, "apply");
  cpus = kvmrt_cpu_set_to_string (kvmrt_vm_get_cpuset (f->vm));
  g_assert_cmpstr (cpus, ==, "16");
  g_assert_cmpuint (f->n_changed, ==, 1);
  g_assert_true (kvmrt_vm_page_is_modified (f->page));

  /* Committing the same text again is no change. */
  g_signal_emit_by_name (row, "entry-activated");
  g_assert_cmpuint (f->n_changed, ==, 1);
}

/* Tab: the focus leaving a field commits it. */
static void
test_commit_on_focus_out (Fixture *f, gconstpointer data)
{
  GtkWidget *title = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Title");
  GtkWidget *description = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Description");

  gtk_widget_grab_focus (title);
  gtk_editable_set_text (GTK_EDITABLE (title), "CAD Workstation");
  g_assert_cmpstr (kvmrt_vm_get_title (f->vm), ==, "Engineering Workstation");
  gtk_widget_grab_focus (description);
  g_assert_cmpstr (kvmrt_vm_get_title (f->vm), ==, "CAD Workstation");
  g_assert_cmpuint (f->n_changed, ==, 1);

  /* The comments commit on leaving too. */
  {
    GtkTextView *view = GTK_TEXT_VIEW (kvmrt_gui_test_find_type (GTK_WIDGET (f->page),
                                                                 GTK_TYPE_TEXT_VIEW));

    gtk_widget_grab_focus (GTK_WIDGET (view));
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), "line one\nline two", -1);
    g_assert_cmpstr (kvmrt_vm_get_comments (f->vm), ==, "");
    gtk_widget_grab_focus (title);
    g_assert_cmpstr (kvmrt_vm_get_comments (f->vm), ==, "line one\nline two");
    g_assert_cmpuint (f->n_changed, ==, 2);
  }

  /* Switches commit at once. */
  {
    GtkWidget *row = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Auto start");
    GtkSwitch *sw = GTK_SWITCH (kvmrt_gui_test_find_type (row, GTK_TYPE_SWITCH));

    g_assert_true (gtk_switch_get_active (sw));
    gtk_switch_set_active (sw, FALSE);
    g_assert_false (kvmrt_vm_get_autostart (f->vm));
    g_assert_cmpuint (f->n_changed, ==, 3);
  }
}

/* The Guest Services switch shows and sets guest_services (off unless the file says so). */
static void
test_guest_services (Fixture *f, gconstpointer data)
{
  GtkWidget *row = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Guest Services");
  GtkSwitch *sw = GTK_SWITCH (kvmrt_gui_test_find_type (row, GTK_TYPE_SWITCH));

  g_assert_false (gtk_switch_get_active (sw));
  g_assert_false (kvmrt_vm_get_guest_services (f->vm));
  gtk_switch_set_active (sw, TRUE);
  g_assert_cmpstr (kvmrt_vm_get_text (f->vm, KVMRT_VM_ATTR_GUEST_SERVICES), ==, "true");
  g_assert_true (kvmrt_vm_page_is_modified (f->page));
  g_assert_cmpuint (f->n_changed, ==, 1);
}

static void
test_feedback_error (Fixture *f, gconstpointer data)
{
  GtkWidget *row = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Host CPUs");
  GtkLabel *feedback = feedback_label (f, "Host CPUs resolved");

  gtk_editable_set_text (GTK_EDITABLE (row), "n9");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (feedback), "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (feedback), "9"));
  g_test_message ("n9: %s", gtk_label_get_text (feedback));

  gtk_editable_set_text (GTK_EDITABLE (row), "4-x");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (feedback), "error"));
  g_test_message ("4-x: %s", gtk_label_get_text (feedback));

  gtk_editable_set_text (GTK_EDITABLE (row), "~n0");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (feedback), "error"));
  g_assert_cmpstr (gtk_label_get_text (feedback), ==,
                   "CPUs 8-31,40-63 (48 CPUs on nodes 1-3)");
  g_assert_cmpuint (f->n_changed, ==, 0);

  /* A value that does not parse is committed as written. */
  gtk_editable_set_text (GTK_EDITABLE (row), "4-x");
  g_signal_emit_by_name (row, "apply");
  g_assert_cmpstr (kvmrt_vm_get_text (f->vm, KVMRT_VM_ATTR_CPUSET), ==, "4-x");
  g_assert_nonnull (kvmrt_vm_get_value_error (f->vm, KVMRT_VM_ATTR_CPUSET));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->page), "vm-page-error");
}

static void
test_running (Fixture *f, gconstpointer data)
{
  GtkWidget *name = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Name");

  g_assert_true (gtk_widget_get_sensitive (name));
  kvmrt_vm_page_set_running (f->page, TRUE);
  g_assert_false (gtk_widget_get_sensitive (name));
  g_assert_nonnull (gtk_widget_get_tooltip_text (name));
  kvmrt_vm_page_set_running (f->page, FALSE);
  g_assert_true (gtk_widget_get_sensitive (name));
  g_assert_null (gtk_widget_get_tooltip_text (name));
}

static void
test_revert (Fixture *f, gconstpointer data)
{
  GtkWidget *row = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Host CPUs");
  GtkWidget *revert = find_button (GTK_WIDGET (f->page), "_Revert");
  GtkWidget *rt = kvmrt_gui_test_find_type (kvmrt_gui_test_find_row (GTK_WIDGET (f->page),
                                                                     "Real-time"),
                                            GTK_TYPE_SWITCH);

  g_assert_nonnull (revert);
  g_assert_false (gtk_widget_get_sensitive (revert));

  gtk_editable_set_text (GTK_EDITABLE (row), "16-19");
  g_signal_emit_by_name (row, "apply");
  gtk_switch_set_active (GTK_SWITCH (rt), TRUE);
  g_assert_true (kvmrt_vm_get_rt (f->vm));
  g_assert_true (gtk_widget_get_sensitive (revert));
  g_assert_cmpuint (f->n_changed, ==, 2);

  /* Back and forth is no change: "false" was spelled "false" in the file. */
  gtk_switch_set_active (GTK_SWITCH (rt), FALSE);
  gtk_switch_set_active (GTK_SWITCH (rt), TRUE);

  g_signal_emit_by_name (revert, "clicked");
  g_assert_cmpstr (kvmrt_vm_get_text (f->vm, KVMRT_VM_ATTR_CPUSET), ==, "0-5,32-37");
  g_assert_false (kvmrt_vm_get_rt (f->vm));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "0-5,32-37");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (rt)));
  g_assert_false (kvmrt_vm_page_is_modified (f->page));
  g_assert_false (gtk_widget_get_sensitive (revert));
  g_assert_cmpuint (f->n_changed, ==, 5);
}

/* The validator's rt-cpuset-overlap is about the real-time VM: its Host CPUs row is marked. */
static void
test_diagnostics (Fixture *f, gconstpointer data)
{
  KvmrtVm *win10 = kvmrt_config_lookup_uuid (f->working, WIN10_UUID);
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autoptr(GPtrArray) diagnostics = NULL;
  GtkWidget *cpuset = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Host CPUs");
  GtkWidget *title = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Title");
  gboolean found = FALSE;

  kvmrt_vm_set_text (win10, KVMRT_VM_ATTR_CPUSET, "16", NULL);
  plan = kvmrt_plan_new (f->working, f->host);
  diagnostics = kvmrt_validate (plan, KVMRT_VALIDATE_DEFAULT);
  for (guint i = 0; i < diagnostics->len; i++)
    {
      KvmrtDiagnostic *d = g_ptr_array_index (diagnostics, i);

      if (g_str_equal (d->code, "rt-cpuset-overlap")
          && g_ascii_strcasecmp (d->vm_uuid, VISION_RT_UUID) == 0)
        found = TRUE;
    }
  g_assert_true (found);

  /* A page that is not shown (another VM's, in the dialog) gets its marks when it is. */
  gtk_widget_set_visible (GTK_WIDGET (f->page), FALSE);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (f->page)));
  kvmrt_vm_page_set_diagnostics (f->page, diagnostics);
  g_assert_false (gtk_widget_has_css_class (cpuset, "error"));
  gtk_widget_set_visible (GTK_WIDGET (f->page), TRUE);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->page)));
  g_assert_true (gtk_widget_has_css_class (cpuset, "error"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (cpuset), "win10-eng"));
  /* Shown, it is marked at once. */
  kvmrt_vm_page_set_diagnostics (f->page, diagnostics);
  g_assert_true (gtk_widget_has_css_class (cpuset, "error"));
  g_assert_false (gtk_widget_has_css_class (title, "error"));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->page), "vm-page-rt");
  scroll_to_end (GTK_WIDGET (f->page));
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->page), "vm-page-rt-end");

  /* Marks go when the finding goes; the field's own tooltip stays. */
  {
    g_autoptr(GPtrArray) none = g_ptr_array_new ();

    kvmrt_vm_page_set_diagnostics (f->page, none);
    g_assert_false (gtk_widget_has_css_class (cpuset, "error"));
    g_assert_nonnull (gtk_widget_get_tooltip_text (cpuset));
    g_assert_null (strstr (gtk_widget_get_tooltip_text (cpuset), "win10-eng"));
  }

  /* A warning that names a device marks that device's row only. */
  {
    g_autoptr(GPtrArray) warnings =
      g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_diagnostic_free);
    const KvmrtPciDevice *gpu =
      kvmrt_host_lookup_pci_device (f->host, KVMRT_PCI_ADDRESS (0, 0x22, 0, 0));
    const KvmrtPciDevice *nic =
      kvmrt_host_lookup_pci_device (f->host, KVMRT_PCI_ADDRESS (0, 0x21, 0, 1));
    GtkWidget *gpu_row, *nic_row;

    g_assert_nonnull (gpu);
    g_assert_nonnull (nic);
    gpu_row = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), gpu->device_name);
    nic_row = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), nic->device_name);
    g_assert_nonnull (gpu_row);
    g_assert_nonnull (nic_row);

    g_ptr_array_add (warnings, kvmrt_diagnostic_new ("pci-not-local", f->vm, "pcidevs",
                                                     "PCI device 0000:22:00.0 is far away"));
    kvmrt_vm_page_set_diagnostics (f->page, warnings);
    g_assert_true (gtk_widget_has_css_class (gpu_row, "warning"));
    g_assert_false (gtk_widget_has_css_class (nic_row, "warning"));
    g_assert_cmpstr (gtk_widget_get_tooltip_text (gpu_row), ==,
                     "PCI device 0000:22:00.0 is far away");
  }
}

static gboolean
has_tooltip (GtkWidget *widget, gconstpointer tooltip)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

/* The first widget below @widget whose tooltip is @tooltip. */
static GtkWidget *
find_by_tooltip (GtkWidget *widget, const char *tooltip)
{
  return kvmrt_gui_test_find (widget, has_tooltip, tooltip);
}

static void
test_pci_rows (Fixture *f, gconstpointer data)
{
  const KvmrtPciDevice *nic =
    kvmrt_host_lookup_pci_device (f->host, KVMRT_PCI_ADDRESS (0, 0x21, 0, 1));
  g_autofree char *pcidevs = NULL;
  GtkWidget *row, *remove;

  /* The rows are titled with the host's device names. */
  g_assert_nonnull (nic);
  row = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), nic->device_name);
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "0000:21:00.1"));

  remove = find_by_tooltip (row, "Stop passing this device to the VM");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  pcidevs = kvmrt_pci_set_to_string (kvmrt_vm_get_pcidevs (f->vm));
  g_assert_cmpstr (pcidevs, ==, "0000:22:00.0 0000:22:00.1");
  g_assert_cmpuint (f->n_changed, ==, 1);
  g_assert_null (kvmrt_gui_test_find_row (GTK_WIDGET (f->page), nic->device_name));
  g_assert_true (kvmrt_vm_page_is_modified (f->page));
}

static void
test_filter_and_focus (Fixture *f, gconstpointer data)
{
  GtkWidget *cpuset = kvmrt_gui_test_find_row (GTK_WIDGET (f->page), "Host CPUs");
  GtkWidget *filter = find_by_tooltip (GTK_WIDGET (f->page), "Show only this VM's resources");
  GtkRoot *root = GTK_ROOT (f->window);

  g_assert_nonnull (filter);
  g_signal_emit_by_name (filter, "clicked");
  g_assert_cmpuint (f->n_filter, ==, 1);
  g_assert_cmpuint (f->n_changed, ==, 0);

  kvmrt_vm_page_focus_attribute (f->page, "cpuset");
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (root), cpuset));
  kvmrt_vm_page_focus_attribute (f->page, "comments");
  g_assert_true (GTK_IS_TEXT_VIEW (gtk_root_get_focus (root)));
  g_assert_cmpuint (f->n_changed, ==, 0);
}

int
main (int argc, char **argv)
{
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;
  kvmrt_gui_test_load_app_style ();

  g_test_add ("/vm-page/commit-on-activate", Fixture, WIN10_UUID,
              fixture_set_up, test_commit_on_activate, fixture_tear_down);
  g_test_add ("/vm-page/commit-on-focus-out", Fixture, WIN10_UUID,
              fixture_set_up, test_commit_on_focus_out, fixture_tear_down);
  g_test_add ("/vm-page/feedback-error", Fixture, WIN10_UUID,
              fixture_set_up, test_feedback_error, fixture_tear_down);
  g_test_add ("/vm-page/guest-services", Fixture, WIN10_UUID,
              fixture_set_up, test_guest_services, fixture_tear_down);
  g_test_add ("/vm-page/running", Fixture, WIN10_UUID,
              fixture_set_up, test_running, fixture_tear_down);
  g_test_add ("/vm-page/revert", Fixture, WIN10_UUID,
              fixture_set_up, test_revert, fixture_tear_down);
  g_test_add ("/vm-page/diagnostics", Fixture, VISION_RT_UUID,
              fixture_set_up, test_diagnostics, fixture_tear_down);
  g_test_add ("/vm-page/pci-rows", Fixture, VISION_RT_UUID,
              fixture_set_up, test_pci_rows, fixture_tear_down);
  g_test_add ("/vm-page/filter-and-focus", Fixture, VISION_RT_UUID,
              fixture_set_up, test_filter_and_focus, fixture_tear_down);
  return g_test_run ();
}
