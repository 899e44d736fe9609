/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The resources list of the configuration dialog on the demo host (M12SWA-TF) with the demo
 * configuration: four NUMA nodes, the real-time VMs' CPUs marked, device owners, the IOMMU
 * group question when one GPU function is assigned alone, search, the View toggles, the VM
 * filter, errors, and updates that keep expansion and selection. Saves a PNG of the widget
 * to the build directory. Skips without a display (a TAP skip plan). */
#include <adwaita.h>
#include <glib/gstdio.h>

#include "kvmrt.h"
#include "kvmrt-gui-test.h"
#include "kvmrt-resource-item.h"
#include "kvmrt-resources-view.h"

static struct {
  KvmrtHost          *host;
  KvmrtConfig        *config;
  KvmrtPlan          *plan;
  GPtrArray          *diagnostics;
  GtkWidget          *window;
  KvmrtResourcesView *view;
} fixture;

/* The view's insides ---------------------------------------------------------------------- */

static GtkSelectionModel *
get_model (void)
{
  GtkWidget *column_view = kvmrt_gui_test_find_type (GTK_WIDGET (fixture.view),
                                                     GTK_TYPE_COLUMN_VIEW);

  g_assert_nonnull (column_view);
  return gtk_column_view_get_model (GTK_COLUMN_VIEW (column_view));
}

static guint
n_rows (void)
{
  return g_list_model_get_n_items (G_LIST_MODEL (get_model ()));
}

/* The item of row @position (new reference). */
static KvmrtResourceItem *
get_row_item (guint position, GtkTreeListRow **out_row)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (get_model ()), position);

  g_assert_nonnull (row);
  if (out_row != NULL)
    *out_row = g_object_ref (row);
  return gtk_tree_list_row_get_item (row);
}

/* The position of the row of @kind and @id, or -1. */
static int
find_row (KvmrtResourceKind kind, guint id)
{
  guint n = n_rows ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KvmrtResourceItem) item = get_row_item (i, NULL);

      if (kvmrt_resource_item_get_kind (item) == kind && kvmrt_resource_item_get_id (item) == id)
        return (int) i;
    }
  return -1;
}

static KvmrtResourceItem *
find_item (KvmrtResourceKind kind, guint id)
{
  int position = find_row (kind, id);

  g_assert_cmpint (position, >=, 0);
  return get_row_item (position, NULL);
}

static guint
count_kind (KvmrtResourceKind kind)
{
  guint n = n_rows ();
  guint count = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KvmrtResourceItem) item = get_row_item (i, NULL);

      if (kvmrt_resource_item_get_kind (item) == kind)
        count++;
    }
  return count;
}

static gboolean
item_has_class (KvmrtResourceItem *item, const char *name)
{
  g_auto(GStrv) classes = NULL;

  g_object_get (item, "css-classes", &classes, NULL);
  return classes != NULL && g_strv_contains ((const char * const *) classes, name);
}

static KvmrtVm *
lookup_vm (const char *name)
{
  KvmrtVm *vm = kvmrt_config_lookup (fixture.config, name);

  g_assert_nonnull (vm);
  return vm;
}

static void
update (void)
{
  g_clear_pointer (&fixture.plan, kvmrt_plan_free);
  g_clear_pointer (&fixture.diagnostics, g_ptr_array_unref);
  fixture.plan = kvmrt_plan_new (fixture.config, fixture.host);
  fixture.diagnostics = kvmrt_validate (fixture.plan, KVMRT_VALIDATE_DEFAULT);
  kvmrt_resources_view_update (fixture.view, fixture.config, fixture.plan, fixture.diagnostics);
}

static void
expand_all (void)
{
  gtk_widget_activate_action (GTK_WIDGET (fixture.view), "resources.expand-all", NULL);
}

/* Tests ----------------------------------------------------------------------------------- */

static void
test_nodes (void)
{
  guint n = n_rows ();
  guint nodes = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = NULL;
      g_autoptr(KvmrtResourceItem) item = get_row_item (i, &row);

      if (gtk_tree_list_row_get_depth (row) == 0)
        {
          g_autofree char *label = g_strdup_printf ("NUMA Node %u", nodes);

          g_assert_cmpint (kvmrt_resource_item_get_kind (item), ==, KVMRT_RESOURCE_NODE);
          g_assert_cmpstr (kvmrt_resource_item_get_label (item), ==, label);
          nodes++;
        }
    }
  g_assert_cmpuint (nodes, ==, 4);
  /* Nodes and their device headings start expanded, cores collapsed. */
  g_assert_cmpint (find_row (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:21:00.1")),
                   >=, 0);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_CPU, 16), ==, -1);
}

static void
test_rt_marks (void)
{
  expand_all ();
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_CPU), ==, 64);

  for (guint i = 0; i < kvmrt_plan_get_n_vms (fixture.plan); i++)
    {
      const KvmrtVmPlan *vm_plan = kvmrt_plan_get_vm (fixture.plan, i);

      for (int cpu = kvmrt_id_set_first (vm_plan->owned_cpus); cpu >= 0;
           cpu = kvmrt_id_set_next (vm_plan->owned_cpus, cpu))
        {
          g_autoptr(KvmrtResourceItem) item = find_item (KVMRT_RESOURCE_CPU, cpu);
          gboolean rt = (kvmrt_resource_item_get_flags (item) & KVMRT_RESOURCE_FLAG_RT) != 0;

          g_assert_cmpint (rt, ==, vm_plan->rt);
          g_assert_cmpint (item_has_class (item, "resource-rt"), ==, vm_plan->rt);
          g_assert_nonnull (strstr (kvmrt_resource_item_get_owner (item),
                                    kvmrt_vm_get_name (vm_plan->vm)));
        }
    }

  {
    g_autoptr(KvmrtResourceItem) cpu16 = find_item (KVMRT_RESOURCE_CPU, 16);
    g_autoptr(KvmrtResourceItem) cpu48 = find_item (KVMRT_RESOURCE_CPU, 48);
    g_autoptr(KvmrtResourceItem) cpu14 = find_item (KVMRT_RESOURCE_CPU, 14);
    g_autoptr(KvmrtResourceItem) cpu0 = find_item (KVMRT_RESOURCE_CPU, 0);
    g_autoptr(KvmrtResourceItem) core16 = find_item (KVMRT_RESOURCE_CORE, 16);
    g_autoptr(KvmrtResourceItem) node2 = find_item (KVMRT_RESOURCE_NODE, 2);
    g_autoptr(KvmrtResourceItem) node3 = find_item (KVMRT_RESOURCE_NODE, 3);

    g_assert_cmpstr (kvmrt_resource_item_get_owner (cpu16), ==, "rh84-vision-rt");
    g_assert_true (item_has_class (cpu16, "resource-rt"));
    /* The hyperthread sibling goes offline while the VM runs: still the VM's. */
    g_assert_cmpstr (kvmrt_resource_item_get_owner (cpu48), ==, "rh84-vision-rt");
    g_assert_true (item_has_class (cpu48, "resource-rt"));
    g_assert_nonnull (strstr (kvmrt_resource_item_get_details (cpu48), "offline"));
    /* Cores 14 and 15 are left free on the control VM's node. */
    g_assert_cmpstr (kvmrt_resource_item_get_owner (cpu14), ==, "");
    g_assert_false (item_has_class (cpu14, "resource-rt"));
    g_assert_cmpstr (kvmrt_resource_item_get_owner (cpu0), ==, "win10-eng");
    g_assert_false (item_has_class (cpu0, "resource-rt"));
    g_assert_true (item_has_class (core16, "resource-rt"));
    g_assert_true (item_has_class (node2, "resource-rt"));
    g_assert_false (item_has_class (node3, "resource-rt"));
  }
}

static void
test_devices (void)
{
  g_autoptr(KvmrtResourceItem) x550 = NULL;
  g_autoptr(KvmrtResourceItem) host_x550 = NULL;
  g_autoptr(KvmrtResourceItem) vf = NULL;

  expand_all ();
  x550 = find_item (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:21:00.1"));
  host_x550 = find_item (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:21:00.0"));
  vf = find_item (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:21:10.0"));

  g_assert_cmpstr (kvmrt_resource_item_get_owner (x550), ==, "rh84-vision-rt");
  g_assert_cmpstr (kvmrt_resource_item_get_address (x550), ==, "0000:21:00.1");
  g_assert_cmpstr (kvmrt_resource_item_get_iommu_group (x550), ==, "46");
  g_assert_nonnull (strstr (kvmrt_resource_item_get_details (x550), "vfio-pci"));
  g_assert_false (item_has_class (x550, "dim-label"));
  /* The first port stays with the host (ixgbe): gray, no owner. */
  g_assert_cmpstr (kvmrt_resource_item_get_owner (host_x550), ==, "");
  g_assert_true (kvmrt_resource_item_get_flags (host_x550) & KVMRT_RESOURCE_FLAG_HOST_USED);
  g_assert_true (item_has_class (host_x550, "dim-label"));
  g_assert_cmpstr (kvmrt_resource_item_get_owner (vf), ==, "ubuntu-build");
}

typedef struct {
  guint    count;
  KvmrtVm *vm;
  GArray  *addresses;
} AssignCapture;

static void
on_assign_devices_cb (KvmrtResourcesView *view,
                      KvmrtVm            *vm,
                      GArray             *addresses,
                      AssignCapture      *capture)
{
  capture->count++;
  g_clear_object (&capture->vm);
  g_clear_pointer (&capture->addresses, g_array_unref);
  capture->vm = vm ? g_object_ref (vm) : NULL;
  capture->addresses = g_array_copy (addresses);
}

static gboolean
dialog_shown (gpointer data)
{
  return kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static void
select_only (KvmrtPciAddress device)
{
  int position = find_row (KVMRT_RESOURCE_DEVICE, device);

  g_assert_cmpint (position, >=, 0);
  g_assert_true (gtk_selection_model_select_item (get_model (), position, TRUE));
}

static void
assign_gpu_alone (const char *response, AssignCapture *capture)
{
  KvmrtVm *win10 = lookup_vm ("win10-eng");
  AdwMessageDialog *dialog;

  expand_all ();
  select_only (kvmrt_gui_test_pci_address ("0000:22:00.0"));
  gtk_widget_activate_action (GTK_WIDGET (fixture.view), "resources.assign-to", "s",
                              kvmrt_vm_get_uuid (win10));
  g_assert_true (kvmrt_gui_test_wait_for (dialog_shown, NULL, 5000));
  dialog = ADW_MESSAGE_DIALOG (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpuint (capture->count, ==, 0);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "0000:22:00.1"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Audio device"));
  g_assert_true (adw_message_dialog_has_response (dialog, "all"));
  g_assert_true (adw_message_dialog_has_response (dialog, "only"));
  if (g_str_equal (response, "all"))
    kvmrt_gui_test_screenshot (GTK_WIDGET (dialog), "resources-view-group-dialog");
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  kvmrt_gui_test_spin (50);
  g_assert_cmpuint (capture->count, ==, 1);
  g_assert_true (capture->vm == win10);
}

static void
test_assign_group (void)
{
  AssignCapture capture = { 0 };
  gulong id = g_signal_connect (fixture.view, "assign-devices",
                                G_CALLBACK (on_assign_devices_cb), &capture);

  assign_gpu_alone ("all", &capture);
  g_assert_cmpuint (capture.addresses->len, ==, 2);
  g_assert_cmpuint (g_array_index (capture.addresses, KvmrtPciAddress, 0), ==,
                    kvmrt_gui_test_pci_address ("0000:22:00.0"));
  g_assert_cmpuint (g_array_index (capture.addresses, KvmrtPciAddress, 1), ==,
                    kvmrt_gui_test_pci_address ("0000:22:00.1"));

  capture.count = 0;
  assign_gpu_alone ("only", &capture);
  g_assert_cmpuint (capture.addresses->len, ==, 1);
  g_assert_cmpuint (g_array_index (capture.addresses, KvmrtPciAddress, 0), ==,
                    kvmrt_gui_test_pci_address ("0000:22:00.0"));

  /* Both functions selected together (Shift): no question. */
  capture.count = 0;
  select_only (kvmrt_gui_test_pci_address ("0000:22:00.0"));
  g_assert_true (gtk_selection_model_select_item (
                   get_model (),
                   find_row (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:22:00.1")),
                   FALSE));
  gtk_widget_activate_action (GTK_WIDGET (fixture.view), "resources.assign-to", "s",
                              kvmrt_vm_get_uuid (lookup_vm ("win10-eng")));
  kvmrt_gui_test_spin (50);
  g_assert_null (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpuint (capture.count, ==, 1);
  g_assert_cmpuint (capture.addresses->len, ==, 2);

  /* Giving a device back to the host: @vm is NULL. */
  capture.count = 0;
  select_only (kvmrt_gui_test_pci_address ("0000:61:00.0"));
  gtk_widget_activate_action (GTK_WIDGET (fixture.view), "resources.assign-to", "s", "");
  kvmrt_gui_test_spin (50);
  g_assert_cmpuint (capture.count, ==, 1);
  g_assert_null (capture.vm);
  g_assert_cmpuint (capture.addresses->len, ==, 1);

  /* CPUs alone assign nothing. */
  capture.count = 0;
  g_assert_true (gtk_selection_model_select_item (get_model (),
                                                  find_row (KVMRT_RESOURCE_CPU, 3), TRUE));
  gtk_widget_activate_action (GTK_WIDGET (fixture.view), "resources.assign-to", "s", "");
  kvmrt_gui_test_spin (50);
  g_assert_cmpuint (capture.count, ==, 0);

  g_signal_handler_disconnect (fixture.view, id);
  g_clear_object (&capture.vm);
  g_clear_pointer (&capture.addresses, g_array_unref);
}

typedef struct {
  guint before;
} RowsChanged;

static gboolean
rows_changed (gpointer data)
{
  return n_rows () != ((RowsChanged *) data)->before;
}

typedef struct {
  const char *text;
  guint       n_shown;
} SearchDone;

/* The search entry applies its text after a delay (an empty text at once). */
static gboolean
search_applied (gpointer data)
{
  SearchDone *done = data;
  guint n = n_rows ();

  done->n_shown = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KvmrtResourceItem) item = get_row_item (i, NULL);

      if (kvmrt_resource_item_matches (item, done->text))
        done->n_shown++;
    }
  return done->n_shown > 0 && n < 40;
}

static void
test_search (void)
{
  GtkWidget *entry = kvmrt_gui_test_find_type (GTK_WIDGET (fixture.view), GTK_TYPE_SEARCH_ENTRY);
  RowsChanged changed;
  guint devices = 0;
  guint n;

  expand_all ();
  changed.before = n_rows ();
  gtk_editable_set_text (GTK_EDITABLE (entry), "X550");
  g_assert_true (kvmrt_gui_test_wait_for (search_applied, &(SearchDone) { "x550" }, 3000));
  n = n_rows ();
  g_assert_cmpuint (n, <, changed.before);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KvmrtResourceItem) item = get_row_item (i, NULL);

      if (kvmrt_resource_item_get_kind (item) == KVMRT_RESOURCE_DEVICE)
        {
          g_assert_nonnull (strstr (kvmrt_resource_item_get_label (item), "X550"));
          devices++;
        }
      else
        g_assert_cmpint (kvmrt_resource_item_get_kind (item), !=, KVMRT_RESOURCE_CPU);
    }
  /* Two ports and two virtual functions, under node 2 and its device heading. */
  g_assert_cmpuint (devices, ==, 4);
  g_assert_cmpuint (n, ==, 6);
  kvmrt_gui_test_screenshot (GTK_WIDGET (fixture.view), "resources-view-search");

  /* The owner column is searched too. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "rh84-control");
  g_assert_true (kvmrt_gui_test_wait_for (search_applied, &(SearchDone) { "rh84-control" }, 3000));
  g_assert_cmpint (find_row (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:61:00.0")),
                   >=, 0);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_CPU, 8), >=, 0);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_CPU, 16), ==, -1);

  changed.before = n_rows ();
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_assert_true (kvmrt_gui_test_wait_for (rows_changed, &changed, 3000));
  /* Back as it started: nodes and device headings expanded. */
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_NODE), ==, 4);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_CORE, 16), >=, 0);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:21:00.0")),
                   >=, 0);
}

static void
test_view_menu (void)
{
  GtkWidget *view = GTK_WIDGET (fixture.view);
  guint devices;

  expand_all ();
  devices = count_kind (KVMRT_RESOURCE_DEVICE);
  /* The IOMMUs of the root complex are hidden until bridges are shown. */
  g_assert_cmpint (find_row (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:40:00.2")),
                   ==, -1);
  gtk_widget_activate_action (view, "resources.show-bridges", NULL);
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_DEVICE), >, devices);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:40:00.2")),
                   >=, 0);
  gtk_widget_activate_action (view, "resources.show-bridges", NULL);
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_DEVICE), ==, devices);

  gtk_widget_activate_action (view, "resources.show-cpus", NULL);
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_CPU), ==, 0);
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_CORE), ==, 0);
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_NODE), ==, 4);
  gtk_widget_activate_action (view, "resources.show-devices", NULL);
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_DEVICE), ==, 0);
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_NODE), ==, 4);
  gtk_widget_activate_action (view, "resources.show-cpus", NULL);
  gtk_widget_activate_action (view, "resources.show-devices", NULL);
  expand_all ();
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_CPU), ==, 64);
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_DEVICE), ==, devices);
}

static void
test_filter_vm (void)
{
  KvmrtVm *control = lookup_vm ("rh84-control-rt");
  guint n;

  kvmrt_resources_view_set_filter_vm (fixture.view, control);
  n = n_rows ();
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_NODE), ==, 1);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KvmrtResourceItem) item = get_row_item (i, NULL);
      KvmrtResourceKind kind = kvmrt_resource_item_get_kind (item);

      if (kind == KVMRT_RESOURCE_CPU || kind == KVMRT_RESOURCE_DEVICE)
        g_assert_true (kvmrt_resource_item_is_owned_by (item, kvmrt_vm_get_uuid (control)));
    }
  g_assert_cmpint (find_row (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:61:00.0")),
                   >=, 0);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_CPU, 8), >=, 0);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_CPU, 14), ==, -1);
  kvmrt_gui_test_screenshot (GTK_WIDGET (fixture.view), "resources-view-filter-vm");

  /* Expand All shows everything again. */
  expand_all ();
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_NODE), ==, 4);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_CPU, 14), >=, 0);
  kvmrt_resources_view_set_filter_vm (fixture.view, control);
  kvmrt_resources_view_set_filter_vm (fixture.view, NULL);
  g_assert_cmpuint (count_kind (KVMRT_RESOURCE_NODE), ==, 4);
}

static void
test_update_and_errors (void)
{
  KvmrtVm *win10 = lookup_vm ("win10-eng");
  g_autoptr(GtkTreeListRow) core_row = NULL;
  g_autoptr(KvmrtResourceItem) core = NULL;
  g_autoptr(KvmrtResourceItem) gpu = NULL;
  g_autoptr(KvmrtResourceItem) cpu16 = NULL;
  g_autoptr(KvmrtResourceItem) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_pcidevs = g_strdup (kvmrt_vm_get_text (win10, KVMRT_VM_ATTR_PCIDEVS));
  g_autofree char *old_cpuset = g_strdup (kvmrt_vm_get_text (win10, KVMRT_VM_ATTR_CPUSET));
  int position;

  expand_all ();
  /* Collapse core 3, select CPU 40's row. */
  position = find_row (KVMRT_RESOURCE_CORE, 3);
  core = get_row_item (position, &core_row);
  gtk_tree_list_row_set_expanded (core_row, FALSE);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_CPU, 3), ==, -1);
  position = find_row (KVMRT_RESOURCE_CPU, 40);
  g_assert_true (gtk_selection_model_select_item (get_model (), position, TRUE));

  /* The workstation takes the GPU alone and a real-time CPU: errors on both. */
  g_assert_true (kvmrt_vm_set_text (win10, KVMRT_VM_ATTR_PCIDEVS, "0000:22:00.0 0000:99:00.0",
                                    &error));
  g_assert_no_error (error);
  g_assert_true (kvmrt_vm_set_text (win10, KVMRT_VM_ATTR_CPUSET, "0-5,16,32-37", &error));
  g_assert_no_error (error);
  update ();

  g_assert_false (gtk_tree_list_row_get_expanded (core_row));
  g_assert_cmpint (find_row (KVMRT_RESOURCE_CPU, 3), ==, -1);
  position = find_row (KVMRT_RESOURCE_CPU, 40);
  g_assert_true (gtk_selection_model_is_selected (get_model (), position));

  gpu = find_item (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:22:00.0"));
  g_assert_cmpstr (kvmrt_resource_item_get_owner (gpu), ==, "rh84-vision-rt, win10-eng");
  g_assert_true (kvmrt_resource_item_get_flags (gpu) & KVMRT_RESOURCE_FLAG_ERROR);
  g_assert_nonnull (kvmrt_resource_item_get_error_message (gpu));
  cpu16 = find_item (KVMRT_RESOURCE_CPU, 16);
  g_assert_true (kvmrt_resource_item_get_flags (cpu16) & KVMRT_RESOURCE_FLAG_ERROR);
  g_assert_nonnull (strstr (kvmrt_resource_item_get_owner (cpu16), "win10-eng"));
  missing = find_item (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:99:00.0"));
  g_assert_true (kvmrt_resource_item_get_flags (missing) & KVMRT_RESOURCE_FLAG_ERROR);
  g_assert_cmpstr (kvmrt_resource_item_get_owner (missing), ==, "win10-eng");
  kvmrt_resources_view_set_filter_vm (fixture.view, win10);
  {
    g_autoptr(GtkTreeListRow) node_row = NULL;
    g_autoptr(KvmrtResourceItem) node = get_row_item (find_row (KVMRT_RESOURCE_NODE, 0),
                                                      &node_row);

    gtk_tree_list_row_set_expanded (node_row, FALSE);
  }
  kvmrt_gui_test_screenshot (GTK_WIDGET (fixture.view), "resources-view-errors");
  /* The filter expands what it shows; collapse core 3 again. */
  kvmrt_resources_view_set_filter_vm (fixture.view, NULL);
  g_clear_object (&core_row);
  g_clear_object (&core);
  core = get_row_item (find_row (KVMRT_RESOURCE_CORE, 3), &core_row);
  gtk_tree_list_row_set_expanded (core_row, FALSE);

  /* And back: no errors, no row for the missing device. */
  g_assert_true (kvmrt_vm_set_text (win10, KVMRT_VM_ATTR_PCIDEVS, old_pcidevs, NULL));
  g_assert_true (kvmrt_vm_set_text (win10, KVMRT_VM_ATTR_CPUSET, old_cpuset, NULL));
  update ();
  g_assert_false (kvmrt_resource_item_get_flags (gpu) & KVMRT_RESOURCE_FLAG_ERROR);
  g_assert_false (kvmrt_resource_item_get_flags (cpu16) & KVMRT_RESOURCE_FLAG_ERROR);
  g_assert_cmpint (find_row (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:99:00.0")),
                   ==, -1);
  g_assert_false (gtk_tree_list_row_get_expanded (core_row));
}

/* The view marks what a finding's subject names and knows no codes: a finding whose code
 * says nothing of CPUs, nodes or devices marks the ones its subject lists, and only errors
 * about a VM of the configuration mark anything. */
static void
test_marks_from_subject (void)
{
  KvmrtVm *win10 = lookup_vm ("win10-eng");
  g_autoptr(GPtrArray) diagnostics = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                     kvmrt_diagnostic_free);
  g_autoptr(KvmrtIdSet) cpus = kvmrt_id_set_new ();
  g_autoptr(KvmrtIdSet) nodes = kvmrt_id_set_new ();
  g_autoptr(KvmrtResourceItem) cpu5 = NULL;
  g_autoptr(KvmrtResourceItem) cpu6 = NULL;
  g_autoptr(KvmrtResourceItem) node1 = NULL;
  g_autoptr(KvmrtResourceItem) gpu = NULL;
  KvmrtDiagnostic *d;

  expand_all ();
  kvmrt_id_set_add (cpus, 5);
  kvmrt_id_set_add (nodes, 1);
  d = kvmrt_diagnostic_new ("rt-memory-disabled", win10, "rt_memory", "subject test");
  kvmrt_diagnostic_add_cpus (d, cpus);
  kvmrt_diagnostic_add_device (d, kvmrt_gui_test_pci_address ("0000:22:00.0"));
  g_ptr_array_add (diagnostics, d);
  d = kvmrt_diagnostic_new ("name-missing", win10, "name", "node subject");
  kvmrt_diagnostic_add_nodes (d, nodes);
  g_ptr_array_add (diagnostics, d);
  /* A warning and a finding about no VM mark nothing. */
  d = kvmrt_diagnostic_new ("rt-spans-numa-nodes", win10, "cpuset", "a warning");
  kvmrt_id_set_add (cpus, 6);
  kvmrt_diagnostic_add_cpus (d, cpus);
  g_ptr_array_add (diagnostics, d);
  d = kvmrt_diagnostic_new ("rt-consumes-all-cpus", NULL, "cpuset", "no VM");
  kvmrt_diagnostic_add_cpus (d, cpus);
  g_ptr_array_add (diagnostics, d);
  kvmrt_resources_view_update (fixture.view, fixture.config, fixture.plan, diagnostics);

  cpu5 = find_item (KVMRT_RESOURCE_CPU, 5);
  g_assert_true (kvmrt_resource_item_get_flags (cpu5) & KVMRT_RESOURCE_FLAG_ERROR);
  g_assert_cmpstr (kvmrt_resource_item_get_error_message (cpu5), ==, "subject test");
  cpu6 = find_item (KVMRT_RESOURCE_CPU, 6);
  g_assert_false (kvmrt_resource_item_get_flags (cpu6) & KVMRT_RESOURCE_FLAG_ERROR);
  node1 = find_item (KVMRT_RESOURCE_NODE, 1);
  g_assert_true (kvmrt_resource_item_get_flags (node1) & KVMRT_RESOURCE_FLAG_ERROR);
  g_assert_nonnull (strstr (kvmrt_resource_item_get_error_message (node1), "node subject"));
  gpu = find_item (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:22:00.0"));
  g_assert_true (kvmrt_resource_item_get_flags (gpu) & KVMRT_RESOURCE_FLAG_ERROR);

  update ();
  g_assert_false (kvmrt_resource_item_get_flags (cpu5) & KVMRT_RESOURCE_FLAG_ERROR);
  g_assert_false (kvmrt_resource_item_get_flags (gpu) & KVMRT_RESOURCE_FLAG_ERROR);
}

/* The host's boot drive beside a free device: only the drive is marked. */
static void
test_host_device_error (void)
{
  KvmrtVm *control = lookup_vm ("rh84-control-rt");
  g_autofree char *old_pcidevs = g_strdup (kvmrt_vm_get_text (control, KVMRT_VM_ATTR_PCIDEVS));
  g_autoptr(KvmrtResourceItem) boot = NULL;
  g_autoptr(KvmrtResourceItem) nvme = NULL;
  g_autoptr(GError) error = NULL;

  expand_all ();
  g_assert_true (kvmrt_vm_set_text (control, KVMRT_VM_ATTR_PCIDEVS,
                                    "0000:61:00.0 0000:41:00.0", &error));
  g_assert_no_error (error);
  update ();
  boot = find_item (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:41:00.0"));
  nvme = find_item (KVMRT_RESOURCE_DEVICE, kvmrt_gui_test_pci_address ("0000:61:00.0"));
  g_assert_true (kvmrt_resource_item_get_flags (boot) & KVMRT_RESOURCE_FLAG_ERROR);
  g_assert_nonnull (strstr (kvmrt_resource_item_get_error_message (boot), "/boot/efi"));
  /* Its row says so before anyone assigns it. */
  g_assert_nonnull (strstr (kvmrt_resource_item_get_details (boot), "the host runs / (nvme1n1p2)"));
  g_assert_false (kvmrt_resource_item_get_flags (nvme) & KVMRT_RESOURCE_FLAG_ERROR);

  g_assert_true (kvmrt_vm_set_text (control, KVMRT_VM_ATTR_PCIDEVS, old_pcidevs, NULL));
  update ();
  g_assert_false (kvmrt_resource_item_get_flags (boot) & KVMRT_RESOURCE_FLAG_ERROR);
}

static GtkPopover *
find_popover (void)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (fixture.view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER_MENU (child))
      return GTK_POPOVER (child);
  return NULL;
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (find_popover ()));
}

static void
test_context_menu (void)
{
  GtkPopover *popover = find_popover ();
  GMenuModel *menu;
  char *label = NULL;

  g_assert_nonnull (popover);
  expand_all ();
  select_only (kvmrt_gui_test_pci_address ("0000:22:00.0"));
  gtk_widget_grab_focus (GTK_WIDGET (fixture.view));
  gtk_widget_activate_action (GTK_WIDGET (fixture.view), "resources.context-menu", NULL);
  g_assert_true (kvmrt_gui_test_wait_for (popover_shown, NULL, 3000));
  menu = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (popover));
  /* One section of VMs, one for the host. */
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 2);
  g_assert_cmpint (g_menu_model_get_n_items (g_menu_model_get_item_link (menu, 0,
                                                                         G_MENU_LINK_SECTION)),
                   ==, kvmrt_config_get_n_vms (fixture.config));
  g_assert_true (g_menu_model_get_item_attribute (menu, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  g_assert_cmpstr (label, ==, "Assign PCI Devices To");
  g_clear_pointer (&label, g_free);
  gtk_popover_popdown (popover);

  /* Nothing but CPUs selected: the VMs are listed but cannot be chosen. */
  g_assert_true (gtk_selection_model_select_item (get_model (),
                                                  find_row (KVMRT_RESOURCE_CPU, 3), TRUE));
  gtk_widget_activate_action (GTK_WIDGET (fixture.view), "resources.context-menu", NULL);
  menu = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (popover));
  g_assert_true (g_menu_model_get_item_attribute (menu, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  g_assert_cmpstr (label, ==, "Select PCI Devices to Assign Them");
  g_clear_pointer (&label, g_free);
  gtk_popover_popdown (popover);
}

static void
test_screenshot (void)
{
  guint n;

  /* As the dialog opens it: nodes and device headings expanded, cores collapsed. */
  expand_all ();
  n = n_rows ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = NULL;
      g_autoptr(KvmrtResourceItem) item = get_row_item (i, &row);

      if (kvmrt_resource_item_get_kind (item) == KVMRT_RESOURCE_CORE)
        {
          gtk_tree_list_row_set_expanded (row, FALSE);
          n = n_rows ();
        }
    }
  /* Node 1's cores collapsed, one of the real-time control VM's open. */
  {
    g_autoptr(GtkTreeListRow) row = NULL;
    g_autoptr(KvmrtResourceItem) item = get_row_item (find_row (KVMRT_RESOURCE_CORE, 13), &row);

    gtk_tree_list_row_set_expanded (row, TRUE);
  }
  gtk_selection_model_select_item (get_model (),
                                   find_row (KVMRT_RESOURCE_CPU, 13), TRUE);
  kvmrt_gui_test_screenshot (GTK_WIDGET (fixture.view), "resources-view-demo");
}

int
main (int argc, char *argv[])
{
  g_autofree char *sysroot = NULL;
  g_autofree char *config = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;

  sysroot = kvmrt_gui_test_host_path ();
  config = kvmrt_gui_test_demo_path ("kvmrt.cfg");
  fixture.host = kvmrt_host_load (sysroot, KVMRT_HOST_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  fixture.config = kvmrt_config_load (config, &error);
  g_assert_no_error (error);

  fixture.window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (fixture.window), "Resources");
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 1100, 760);
  fixture.view = kvmrt_resources_view_new (fixture.host);
  gtk_window_set_child (GTK_WINDOW (fixture.window), GTK_WIDGET (fixture.view));
  update ();
  gtk_window_present (GTK_WINDOW (fixture.window));
  kvmrt_gui_test_spin (200);

  g_test_add_func ("/resources-view/nodes", test_nodes);
  g_test_add_func ("/resources-view/rt-marks", test_rt_marks);
  g_test_add_func ("/resources-view/devices", test_devices);
  g_test_add_func ("/resources-view/assign-group", test_assign_group);
  g_test_add_func ("/resources-view/search", test_search);
  g_test_add_func ("/resources-view/view-menu", test_view_menu);
  g_test_add_func ("/resources-view/filter-vm", test_filter_vm);
  g_test_add_func ("/resources-view/update-and-errors", test_update_and_errors);
  g_test_add_func ("/resources-view/host-device-error", test_host_device_error);
  g_test_add_func ("/resources-view/marks-from-subject", test_marks_from_subject);
  g_test_add_func ("/resources-view/context-menu", test_context_menu);
  g_test_add_func ("/resources-view/screenshot", test_screenshot);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (fixture.window));
  g_clear_pointer (&fixture.plan, kvmrt_plan_free);
  g_clear_pointer (&fixture.diagnostics, g_ptr_array_unref);
  g_clear_object (&fixture.config);
  g_clear_object (&fixture.host);
  return status;
}
