/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The user's guide's Figure 5-8 in the configuration dialog, end to end (issue #6): on a copy
 * of the M12SWA-TF demo host and libvirt's test driver (a node of the figure's three VMs),
 * the dialog opens tests/configs/fig5-8-fixed.cfg (no errors), and the figure's mistakes are
 * made the way a user makes them: Host CPUs typed into each VM page's field and committed
 * with Enter, the i210 NIC and the RCIM assigned from the resources list (rows selected in its
 * list, then its "Assign PCI Devices To" action, which the context menu's items activate).
 * The diagnostic box must then hold exactly what kvmrt-validate-config --offline --json
 * prints for tests/configs/fig5-8.cfg (code, severity and VM; the libvirt findings the dialog
 * adds are left out). Then it is fixed the same way (the CPUs in the fields, the RCIM moved
 * to the real-time VM on its node from the resources list), applied, and the file written is
 * checked with the CLI and libvirt's domains with the plan's pins. Needs a display (a TAP
 * skip without one); saves fig5-8-*.png under KVMRT_SCREENSHOT_DIR. */
#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <kvmrt.h>
#include <stdio.h>
#include <string.h>

#include "kvmrt-config-dialog-private.h"
#include "kvmrt-gui-test.h"
#include "kvmrt-manager.h"
#include "kvmrt-resource-item.h"

#define VM1_NR_UUID "33972176-8021-4123-9fc4-ddafa128cd4d"
#define VM2_RT_UUID "f012bee9-f940-431c-8492-c9b7de66fb33"
#define VM3_RT_UUID "1dacd769-7510-4ecd-9291-5337c923340b"
#define I210 "0000:42:00.0"     /* node 0, igb */
#define RCIM "0000:01:00.0"     /* node 3 */

/* Its dir holds the host copy, the config copy and the libvirt node. */
typedef KvmrtGuiTestDialogFixture Fixture;

/* Helpers ------------------------------------------------------------------------------- */

/* Types @text into @uuid's Host CPUs field and presses Enter: the page is shown, the field
 * focused (as selecting a diagnostic does), its text replaced and activated. */
static void
type_cpuset (Fixture *f, const char *uuid, const char *text)
{
  KvmrtVmPage *page = kvmrt_config_dialog_get_page (f->dialog, uuid);
  GtkWidget *focus;

  g_assert_nonnull (page);
  kvmrt_config_dialog_select_vm (f->dialog, uuid);
  kvmrt_gui_test_spin (50);
  g_assert_true (kvmrt_config_dialog_get_visible_page (f->dialog) == page);
  kvmrt_vm_page_focus_attribute (page, "cpuset");
  kvmrt_gui_test_spin (50);
  focus = gtk_root_get_focus (GTK_ROOT (f->dialog));
  g_assert_nonnull (focus);
  g_assert_true (GTK_IS_EDITABLE (focus));
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (page)));
  g_assert_nonnull (gtk_widget_get_ancestor (focus, ADW_TYPE_ENTRY_ROW));
  gtk_editable_set_text (GTK_EDITABLE (focus), text);
  /* Enter in the row's text: AdwEntryRow emits "entry-activated", the page commits. */
  g_signal_emit_by_name (focus, "activate");
  kvmrt_gui_test_spin (50);
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_gui_test_working_vm (f, uuid), KVMRT_VM_ATTR_CPUSET),
                   ==, text);
}

static GtkSelectionModel *
resources_model (Fixture *f)
{
  GtkWidget *view = GTK_WIDGET (kvmrt_config_dialog_get_resources_view (f->dialog));
  GtkWidget *column_view = kvmrt_gui_test_find_type (view, GTK_TYPE_COLUMN_VIEW);

  g_assert_nonnull (column_view);
  return gtk_column_view_get_model (GTK_COLUMN_VIEW (column_view));
}

static int
find_device_row (Fixture *f, KvmrtPciAddress device)
{
  GListModel *model = G_LIST_MODEL (resources_model (f));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr(KvmrtResourceItem) item = gtk_tree_list_row_get_item (row);

      if (kvmrt_resource_item_get_kind (item) == KVMRT_RESOURCE_DEVICE
          && kvmrt_resource_item_get_id (item) == device)
        return (int) i;
    }
  return -1;
}

/* Selects the device's row in the resources list alone and assigns it to @uuid ("" = the
 * host) with the list's action, as a click on the context menu's item does. */
static void
assign_from_list (Fixture *f, const char *device, const char *uuid)
{
  KvmrtResourcesView *view = kvmrt_config_dialog_get_resources_view (f->dialog);
  int position;

  gtk_widget_activate_action (GTK_WIDGET (view), "resources.expand-all", NULL);
  kvmrt_gui_test_spin (50);
  position = find_device_row (f, kvmrt_gui_test_pci_address (device));
  g_assert_cmpint (position, >=, 0);
  g_assert_true (gtk_selection_model_select_item (resources_model (f), position, TRUE));
  gtk_widget_activate_action (GTK_WIDGET (view), "resources.assign-to", "s", uuid);
  kvmrt_gui_test_spin (100);
  /* Both devices are alone in their IOMMU group: no question. */
  g_assert_null (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

/* Adds the widgets below @widget whose CSS name is @name to @found. */
static void
find_css_name (GtkWidget *widget, const char *name, GPtrArray *found)
{
  if (g_strcmp0 (gtk_widget_get_css_name (widget), name) == 0)
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_css_name (child, name, found);
}

/* Closes the toasts the assignments left (their close button), so the screenshot shows the
 * diagnostic box under them. */
static void
dismiss_toasts (Fixture *f)
{
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GPtrArray) toasts = g_ptr_array_new ();

      find_css_name (GTK_WIDGET (f->dialog), "toast", toasts);
      if (toasts->len == 0)
        return;
      for (guint j = 0; j < toasts->len; j++)
        {
          g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

          /* libadwaita 1.2's toast has no dismiss action: its close button is clicked. */
          find_css_name (toasts->pdata[j], "button", buttons);
          for (guint k = 0; k < buttons->len; k++)
            if (GTK_IS_BUTTON (buttons->pdata[k])
                && g_strcmp0 (gtk_button_get_icon_name (buttons->pdata[k]),
                              "window-close-symbolic") == 0)
              gtk_widget_activate (buttons->pdata[k]);
        }
      kvmrt_gui_test_spin (400);
    }
}

/* The CLI ------------------------------------------------------------------------------- */

static char *
cli_path (void)
{
  const char *dir = g_getenv ("KVMRT_CLI_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, "kvmrt-validate-config", NULL);
}

/* Runs kvmrt-validate-config --offline [--json] on @path against the host copy. */
static int
run_cli (Fixture *f, const char *path, gboolean json, char **out)
{
  g_autofree char *cli = cli_path ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *argv[] = { cli, "--offline", "--sysroot", f->sysroot, "-f", path,
                         json ? "--json" : NULL, NULL };

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                     | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  if (stderr_text != NULL && stderr_text[0] != '\0')
    g_test_message ("%s stderr: %s", path, stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  else
    g_test_message ("%s: %s", path, stdout_text);
  return g_subprocess_get_exit_status (process);
}

/* "severity code vm" for one finding: what the two sides must agree on. */
static char *
diagnostic_key (const char *severity, const char *code, const char *uuid)
{
  g_autofree char *vm = uuid != NULL ? g_ascii_strdown (uuid, -1) : g_strdup ("-");

  return g_strdup_printf ("%s %s %s", severity, code, vm);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The sorted keys of what the CLI finds in @path. */
static GPtrArray *
cli_diagnostics (Fixture *f, const char *path, int *status)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  JsonArray *diagnostics;

  *status = run_cli (f, path, TRUE, &json);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  diagnostics = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                              "diagnostics");
  g_assert_nonnull (diagnostics);
  for (guint i = 0; i < json_array_get_length (diagnostics); i++)
    {
      JsonObject *object = json_array_get_object_element (diagnostics, i);
      const char *vm = json_object_has_member (object, "vm")
                       && !json_object_get_null_member (object, "vm")
                         ? json_object_get_string_member (object, "vm") : NULL;

      g_ptr_array_add (keys, diagnostic_key (json_object_get_string_member (object, "severity"),
                                             json_object_get_string_member (object, "code"),
                                             vm));
    }
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}

/* The sorted keys of the diagnostic box, without what only libvirt can tell. */
static GPtrArray *
dialog_diagnostics (Fixture *f)
{
  KvmrtDiagnosticList *list = kvmrt_config_dialog_get_diagnostic_list (f->dialog);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < kvmrt_diagnostic_list_get_n_items (list); i++)
    {
      const KvmrtDiagnostic *diagnostic = kvmrt_diagnostic_list_get_item (list, i);

      if (g_str_equal (diagnostic->code, "out-of-sync")
          || g_str_equal (diagnostic->code, "vm-not-in-libvirt"))
        continue;
      g_ptr_array_add (keys, diagnostic_key (kvmrt_severity_to_string (diagnostic->severity),
                                             diagnostic->code, diagnostic->vm_uuid));
    }
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}

static char *
join_keys (GPtrArray *keys)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (text, "\n  %s", (const char *) keys->pdata[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* libvirt --------------------------------------------------------------------------------- */

/* The domain's <vcpupin>s are the plan's vCPU pins of @vm in @config, one for one. */
static void
assert_pins (Fixture *f, KvmrtConfig *config, const char *uuid)
{
  KvmrtVm *vm = kvmrt_config_lookup_uuid (config, uuid);
  g_autoptr(KvmrtPlan) plan = kvmrt_plan_new (config, kvmrt_manager_get_host (f->manager));
  const KvmrtVmPlan *vm_plan = kvmrt_plan_lookup (plan, vm);
  g_autofree char *xml = kvmrt_gui_test_domain_xml (f->manager, uuid);
  g_autoptr(GRegex) regex = g_regex_new ("<vcpupin\\s+vcpu=['\"](\\d+)['\"]\\s+"
                                         "cpuset=['\"]([^'\"]+)['\"]", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  guint n_pinned = 0, n_found = 0;

  g_assert_nonnull (vm_plan);
  for (guint i = 0; i < vm_plan->vcpu_pins->len; i++)
    if (!kvmrt_id_set_is_empty (vm_plan->vcpu_pins->pdata[i]))
      n_pinned++;
  g_assert_cmpuint (n_pinned, >, 0);
  for (g_regex_match (regex, xml, 0, &match); g_match_info_matches (match);
       g_match_info_next (match, NULL))
    {
      g_autofree char *vcpu = g_match_info_fetch (match, 1);
      g_autofree char *cpuset = g_match_info_fetch (match, 2);
      g_autoptr(KvmrtIdSet) pinned = kvmrt_id_set_parse (cpuset, NULL);
      guint64 index = g_ascii_strtoull (vcpu, NULL, 10);
      g_autofree char *expected = NULL;

      g_assert_nonnull (pinned);
      g_assert_cmpuint (index, <, vm_plan->vcpu_pins->len);
      expected = kvmrt_id_set_to_string (vm_plan->vcpu_pins->pdata[index]);
      g_test_message ("%s: vCPU %s on %s (plan: %s)", kvmrt_vm_get_name (vm), vcpu, cpuset,
                      expected);
      g_assert_true (kvmrt_id_set_equal (pinned, vm_plan->vcpu_pins->pdata[index]));
      n_found++;
    }
  g_assert_cmpuint (n_found, ==, n_pinned);
}

/* The domain has a <hostdev> whose source is @device. */
static gboolean
xml_has_hostdev (const char *xml, const char *device)
{
  guint domain, bus, slot, function;
  g_autofree char *pattern = NULL;
  g_autoptr(GRegex) regex = NULL;

  g_assert_cmpint (sscanf (device, "%x:%x:%x.%x", &domain, &bus, &slot, &function), ==, 4);
  pattern = g_strdup_printf ("<hostdev[^>]*>\\s*<source>\\s*<address\\s+domain=['\"]0x0*%x['\"]"
                             "\\s+bus=['\"]0x0*%x['\"]\\s+slot=['\"]0x0*%x['\"]"
                             "\\s+function=['\"]0x0*%x['\"]", domain, bus, slot, function);
  regex = g_regex_new (pattern, G_REGEX_CASELESS, 0, NULL);
  g_assert_nonnull (regex);
  return g_regex_match (regex, xml, 0, NULL);
}

/* Fixture -------------------------------------------------------------------------------- */

/* A test driver node with the configuration's VMs, shut off, as libvirt would know them. */
static void
write_node (const char *config_path, const char *node_path)
{
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(GString) xml = g_string_new ("<node>\n");
  g_autoptr(GError) error = NULL;

  config = kvmrt_config_load (config_path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < kvmrt_config_get_n_vms (config); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (config, i);

      g_string_append_printf (xml,
                              "  <domain type='test'>\n"
                              "    <name>%s</name>\n"
                              "    <uuid>%s</uuid>\n"
                              "    <memory>1048576</memory>\n"
                              "    <vcpu>2</vcpu>\n"
                              "    <os><type>hvm</type></os>\n"
                              "  </domain>\n",
                              kvmrt_vm_get_name (vm), kvmrt_vm_get_uuid (vm));
    }
  g_string_append (xml, "</node>\n");
  g_file_set_contents (node_path, xml->str, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *start_cfg = NULL;
  g_autofree char *node_xml = NULL;

  g_assert_nonnull (srcdir);
  start_cfg = g_build_filename (srcdir, "configs", "fig5-8-fixed.cfg", NULL);
  /* The host the figure is written for, copied. */
  kvmrt_gui_test_dialog_copy_files (f, "kvmrt-fig5-8-XXXXXX", start_cfg);
  node_xml = g_build_filename (f->dir, "node.xml", NULL);
  write_node (f->config_path, node_xml);
  f->uri = g_strdup_printf ("test://%s", node_xml);
  kvmrt_gui_test_dialog_open (f, 1500, 940);
}

/* The test ------------------------------------------------------------------------------- */

static void
test_build_fix_apply (Fixture *f, gconstpointer data)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  KvmrtDiagnosticList *list = kvmrt_config_dialog_get_diagnostic_list (f->dialog);
  GtkWidget *apply = kvmrt_config_dialog_get_apply_button (f->dialog);
  g_autofree char *fig5_8 = g_build_filename (srcdir, "configs", "fig5-8.cfg", NULL);
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  g_autoptr(KvmrtConfig) figure = NULL;
  g_autoptr(KvmrtConfig) on_disk = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_text = NULL;
  g_autofree char *shown_text = NULL;
  g_autofree char *xml = NULL;
  int status;
  int index;

  /* (0) The starting point has no errors, for the CLI and for the dialog. */
  g_assert_cmpint (run_cli (f, f->config_path, FALSE, NULL), ==, 0);
  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_errors (list), ==, 0);
  g_assert_cmpuint (kvmrt_config_get_n_vms (kvmrt_config_dialog_get_working (f->dialog)), ==, 3);
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VM2_RT_UUID), RCIM));

  /* (1) Figure 5-8, as the user makes it: the Host CPUs fields... */
  type_cpuset (f, VM1_NR_UUID, "0-4");
  type_cpuset (f, VM2_RT_UUID, "4-7");
  type_cpuset (f, VM3_RT_UUID, "7-10");
  /* ...and the devices from the resources list. */
  assign_from_list (f, I210, VM1_NR_UUID);
  assign_from_list (f, RCIM, VM3_RT_UUID);
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VM1_NR_UUID), I210));
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VM3_RT_UUID), RCIM));
  g_assert_false (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VM2_RT_UUID), RCIM));
  g_assert_cmpuint (kvmrt_vm_get_pcidevs (kvmrt_gui_test_working_vm (f, VM2_RT_UUID))->len, ==, 0);
  /* Field for field, the working copy is now the figure's file. */
  figure = kvmrt_config_load (fig5_8, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kvmrt_config_get_n_vms (figure), ==, 3);
  for (guint i = 0; i < kvmrt_config_get_n_vms (figure); i++)
    {
      KvmrtVm *want = kvmrt_config_get_vm (figure, i);
      KvmrtVm *have = kvmrt_gui_test_working_vm (f, kvmrt_vm_get_uuid (want));

      for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
        g_assert_cmpstr (kvmrt_vm_get_text (have, attr), ==, kvmrt_vm_get_text (want, attr));
    }

  /* (2) The box shows what the CLI prints for the figure's file. */
  expected = cli_diagnostics (f, fig5_8, &status);
  g_assert_cmpint (status, !=, 0);
  shown = dialog_diagnostics (f);
  expected_text = join_keys (expected);
  shown_text = join_keys (shown);
  g_test_message ("kvmrt-validate-config on fig5-8.cfg:%s", expected_text);
  g_test_message ("the dialog's diagnostic box:%s", shown_text);
  g_assert_cmpstr (shown_text, ==, expected_text);
  /* Those the brief names are among them. */
  g_assert_nonnull (strstr (expected_text, "error rt-cpuset-overlap " VM2_RT_UUID));
  g_assert_nonnull (strstr (expected_text, "error rt-cpuset-overlap " VM3_RT_UUID));
  g_assert_nonnull (strstr (expected_text, "rt-shares-numa-node"));
  g_assert_nonnull (strstr (expected_text, "rt-spans-numa-nodes " VM3_RT_UUID));
  g_assert_nonnull (strstr (expected_text, "pci-not-local " VM3_RT_UUID));
  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_errors (list), ==, 2);
  g_assert_false (gtk_widget_get_sensitive (apply));
  /* Selecting the RCIM's finding shows VM3-RT's page. */
  index = kvmrt_diagnostic_list_find (list, "pci-not-local", VM3_RT_UUID);
  g_assert_cmpint (index, >=, 0);
  kvmrt_config_dialog_select_vm (f->dialog, VM1_NR_UUID);
  kvmrt_diagnostic_list_select (list, index);
  kvmrt_gui_test_spin (50);
  g_assert_cmpstr (kvmrt_vm_get_uuid (kvmrt_vm_page_get_vm (
                     kvmrt_config_dialog_get_visible_page (f->dialog))), ==, VM3_RT_UUID);
  dismiss_toasts (f);
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "fig5-8-misconfigured");

  /* (3) Fixed: VM2-RT takes all of node 3 and the RCIM there, VM3-RT all of node 1, VM1-NR
   * gives CPU 4 back; the i210 stays with VM1-NR (no real-time VM is on node 0 now). */
  type_cpuset (f, VM1_NR_UUID, "0-3");
  type_cpuset (f, VM3_RT_UUID, "8-15");
  type_cpuset (f, VM2_RT_UUID, "24-31");
  assign_from_list (f, RCIM, VM2_RT_UUID);
  g_assert_true (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VM2_RT_UUID), RCIM));
  g_assert_false (kvmrt_gui_test_vm_has_device (kvmrt_gui_test_working_vm (f, VM3_RT_UUID), RCIM));
  g_clear_pointer (&shown_text, g_free);
  g_clear_pointer (&shown, g_ptr_array_unref);
  shown = dialog_diagnostics (f);
  shown_text = join_keys (shown);
  g_test_message ("fixed, the dialog's diagnostic box:%s", shown_text);
  g_assert_cmpuint (kvmrt_diagnostic_list_get_n_errors (list), ==, 0);
  for (const char *const *code = (const char *const[]) { "rt-cpuset-overlap",
                                                          "rt-shares-numa-node",
                                                          "rt-spans-numa-nodes",
                                                          "pci-not-local", NULL };
       *code != NULL; code++)
    g_assert_cmpint (kvmrt_diagnostic_list_find (list, *code, NULL), ==, -1);
  g_assert_true (gtk_widget_get_sensitive (apply));
  kvmrt_config_dialog_select_vm (f->dialog, VM2_RT_UUID);
  dismiss_toasts (f);
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "fig5-8-fixed");

  /* (4) Apply: the file validates with the CLI, libvirt has the new pins and devices. */
  if (!kvmrt_gui_test_dialog_apply (f))
    g_error ("Apply failed: %s", kvmrt_config_dialog_get_apply_error (f->dialog)->message);
  g_assert_null (kvmrt_config_dialog_get_apply_error (f->dialog));
  g_assert_false (kvmrt_config_dialog_has_unapplied (f->dialog));

  g_clear_pointer (&expected, g_ptr_array_unref);
  expected = cli_diagnostics (f, f->config_path, &status);
  g_assert_cmpint (status, ==, 0);
  /* What the dialog shows for the file it wrote is what the CLI says of it. */
  g_clear_pointer (&expected_text, g_free);
  expected_text = join_keys (expected);
  g_assert_cmpstr (shown_text, ==, expected_text);

  on_disk = kvmrt_config_load (f->config_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_config_lookup_uuid (on_disk, VM1_NR_UUID),
                                      KVMRT_VM_ATTR_CPUSET), ==, "0-3");
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_config_lookup_uuid (on_disk, VM2_RT_UUID),
                                      KVMRT_VM_ATTR_CPUSET), ==, "24-31");
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_config_lookup_uuid (on_disk, VM3_RT_UUID),
                                      KVMRT_VM_ATTR_CPUSET), ==, "8-15");
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_config_lookup_uuid (on_disk, VM1_NR_UUID),
                                      KVMRT_VM_ATTR_PCIDEVS), ==, I210);
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_config_lookup_uuid (on_disk, VM2_RT_UUID),
                                      KVMRT_VM_ATTR_PCIDEVS), ==, RCIM);
  g_assert_cmpstr (kvmrt_vm_get_text (kvmrt_config_lookup_uuid (on_disk, VM3_RT_UUID),
                                      KVMRT_VM_ATTR_PCIDEVS), ==, "");

  for (const char *const *uuid = (const char *const[]) { VM1_NR_UUID, VM2_RT_UUID,
                                                          VM3_RT_UUID, NULL };
       *uuid != NULL; uuid++)
    assert_pins (f, on_disk, *uuid);
  xml = kvmrt_gui_test_domain_xml (f->manager, VM1_NR_UUID);
  g_assert_true (xml_has_hostdev (xml, I210));
  g_assert_false (xml_has_hostdev (xml, RCIM));
  g_clear_pointer (&xml, g_free);
  xml = kvmrt_gui_test_domain_xml (f->manager, VM2_RT_UUID);
  g_assert_true (xml_has_hostdev (xml, RCIM));
  g_clear_pointer (&xml, g_free);
  xml = kvmrt_gui_test_domain_xml (f->manager, VM3_RT_UUID);
  g_assert_false (xml_has_hostdev (xml, RCIM));
  g_assert_false (xml_has_hostdev (xml, I210));
  dismiss_toasts (f);
  kvmrt_gui_test_screenshot (GTK_WIDGET (f->dialog), "fig5-8-applied");
}

int
main (int argc, char *argv[])
{
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;
  kvmrt_gui_test_load_app_style ();

  g_test_add ("/fig5-8/build-fix-apply", Fixture, NULL, fixture_set_up, test_build_fix_apply,
              kvmrt_gui_test_dialog_tear_down);
  return g_test_run ();
}
