/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtVmPage: one VM of the configuration dialog. Text fields keep what the user types until
 * Enter, Tab or the focus leaving the field commits it to the KvmrtVm (as text, so a value
 * that does not parse stays as written for the validator to report); switches, check buttons
 * and the memory locking choice commit at once. The Host CPUs and NUMA node fields say what
 * their text means on this host while it is typed. */
#include "config.h"

#include "kvmrt-vm-page.h"

#include <glib/gi18n.h>
#include <string.h>

struct _KvmrtVmPage
{
  GtkWidget           parent_instance;

  /* Template widgets */
  AdwPreferencesPage *preferences_page;
  GtkImage           *rt_badge;
  GtkLabel           *heading_label;
  GtkLabel           *subheading_label;
  GtkButton          *revert_button;
  AdwEntryRow        *name_row;
  GtkImage           *name_lock_image;
  AdwEntryRow        *title_row;
  AdwEntryRow        *description_row;
  AdwActionRow       *nr_vcpus_row;
  GtkSpinButton      *nr_vcpus_spin;
  GtkCheckButton     *nr_vcpus_auto_check;
  AdwEntryRow        *cpu_topology_row;
  AdwEntryRow        *cpuset_row;
  GtkLabel           *cpuset_feedback_label;
  AdwActionRow       *rt_row;
  GtkSwitch          *rt_switch;
  AdwComboRow        *rt_memory_row;
  AdwEntryRow        *numatune_row;
  GtkCheckButton     *numatune_auto_check;
  GtkLabel           *numatune_feedback_label;
  AdwActionRow       *hide_kvm_row;
  GtkSwitch          *hide_kvm_switch;
  AdwActionRow       *guest_services_row;
  GtkSwitch          *guest_services_switch;
  AdwActionRow       *autostart_row;
  GtkSwitch          *autostart_switch;
  AdwActionRow       *disabled_row;
  GtkSwitch          *disabled_switch;
  AdwPreferencesGroup *pcidevs_group;
  GtkButton          *filter_button;
  GtkListBox         *pcidevs_list;
  GtkFrame           *comments_frame;
  GtkTextView        *comments_view;

  /* Owned */
  KvmrtVm            *vm;
  KvmrtVm            *original;     /* NULL for a VM new in this dialog */
  KvmrtConfig        *config;       /* the working copy the VM is in */
  KvmrtHost          *host;
  GPtrArray          *diagnostics;  /* KvmrtDiagnostic*: this VM's, copied */
  gboolean            marks_stale;  /* @diagnostics came while the page was not shown */

  guint               loading;      /* > 0 while fields are filled from the VM */
  gboolean            running;
};

enum {
  SIGNAL_CHANGED,
  SIGNAL_FILTER_RESOURCES,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KvmrtVmPage, kvmrt_vm_page, GTK_TYPE_WIDGET)

#define ATTR_KEY "kvmrt-vm-attr"
#define BASE_TOOLTIP_KEY "kvmrt-base-tooltip"
#define PCI_ADDRESS_KEY "kvmrt-pci-address"

static void update_derived (KvmrtVmPage *self);
static void apply_marks    (KvmrtVmPage *self);

/* The attribute a field edits, stored as attr + 1 so that 0 means none. */
static void
set_field_attr (gpointer widget, KvmrtVmAttr attr)
{
  g_object_set_data (G_OBJECT (widget), ATTR_KEY, GUINT_TO_POINTER (attr + 1));
}

static gboolean
get_field_attr (gpointer widget, KvmrtVmAttr *out_attr)
{
  guint value = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), ATTR_KEY));

  if (value == 0)
    return FALSE;
  *out_attr = value - 1;
  return TRUE;
}

/* The text an attribute has in effect: its own, else the default kvmrt writes. */
static const char *
effective_text (KvmrtVm *vm, KvmrtVmAttr attr)
{
  const char *text = kvmrt_vm_get_text (vm, attr);

  if (text == NULL)
    text = kvmrt_vm_attr_get_default_text (attr);
  return text != NULL ? text : "";
}

static gboolean
is_auto_text (const char *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));

  return g_ascii_strcasecmp (trimmed, "auto") == 0;
}

/* Whether two VMs mean the same for @attr: the same text, or two spellings of one value
 * ("yes" and "true"). */
static gboolean
attr_equal (KvmrtVm *a, KvmrtVm *b, KvmrtVmAttr attr)
{
  g_autofree char *ta = g_strstrip (g_strdup (effective_text (a, attr)));
  g_autofree char *tb = g_strstrip (g_strdup (effective_text (b, attr)));

  if (g_str_equal (ta, tb))
    return TRUE;

  switch (attr)
    {
    case KVMRT_VM_ATTR_RT:
    case KVMRT_VM_ATTR_HIDE_KVM:
    case KVMRT_VM_ATTR_GUEST_SERVICES:
    case KVMRT_VM_ATTR_AUTOSTART:
    case KVMRT_VM_ATTR_DISABLED:
      {
        gboolean va, vb;

        return kvmrt_value_parse_bool (ta, &va, NULL)
               && kvmrt_value_parse_bool (tb, &vb, NULL)
               && !va == !vb;
      }
    case KVMRT_VM_ATTR_RT_MEMORY:
      {
        KvmrtTristate va, vb;

        return kvmrt_value_parse_tristate (ta, &va, NULL)
               && kvmrt_value_parse_tristate (tb, &vb, NULL)
               && va == vb;
      }
    case KVMRT_VM_ATTR_NR_VCPUS:
      {
        guint va, vb;

        return kvmrt_value_parse_count_or_auto (ta, G_MAXINT, &va, NULL)
               && kvmrt_value_parse_count_or_auto (tb, G_MAXINT, &vb, NULL)
               && va == vb;
      }
    case KVMRT_VM_ATTR_NAME:
    case KVMRT_VM_ATTR_TITLE:
    case KVMRT_VM_ATTR_DESCRIPTION:
    case KVMRT_VM_ATTR_CPU_TOPOLOGY:
    case KVMRT_VM_ATTR_CPUSET:
    case KVMRT_VM_ATTR_NUMATUNE:
    case KVMRT_VM_ATTR_PCIDEVS:
    case KVMRT_VM_ATTR_COMMENTS:
    case KVMRT_VM_N_ATTRS:
    default:
      return FALSE;
    }
}

/* Plans a copy of the VM with @attr's text replaced by @text (unless NULL), as it would be
 * planned in the working copy, and hands the VM's plan to @func. */
typedef void (*PlanFunc) (KvmrtVmPage *self, const KvmrtVmPlan *plan, gpointer data);

static void
with_plan (KvmrtVmPage *self,
           KvmrtVmAttr  attr,
           const char  *text,
           PlanFunc     func,
           gpointer     data)
{
  g_autoptr(KvmrtVm) copy = kvmrt_vm_copy (self->vm);
  g_autoptr(KvmrtPlan) plan = NULL;

  if (self->host == NULL)
    return;
  if (text != NULL)
    kvmrt_vm_set_text (copy, attr, text, NULL);
  plan = kvmrt_plan_new_for_vm (self->config, self->host, copy);
  func (self, kvmrt_plan_get_vm (plan, 0), data);
}

/* Commits a boolean the way the file had it when it had this value ("yes" stays "yes"). */
static void
set_bool_attr (KvmrtVmPage *self, KvmrtVmAttr attr, gboolean value)
{
  const char *old = self->original != NULL ? kvmrt_vm_get_text (self->original, attr) : NULL;
  gboolean old_value;

  if (old != NULL && kvmrt_value_parse_bool (old, &old_value, NULL) && !old_value == !value)
    kvmrt_vm_set_text (self->vm, attr, old, NULL);
  else
    kvmrt_vm_set_text (self->vm, attr, kvmrt_value_format_bool (value), NULL);
}

static void
committed (KvmrtVmPage *self)
{
  update_derived (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* Hides an entry row's apply button once its text is committed (or put back). */
static void
reset_apply_button (AdwEntryRow *row)
{
  adw_entry_row_set_show_apply_button (row, FALSE);
  adw_entry_row_set_show_apply_button (row, TRUE);
}

static void
commit_entry_row (KvmrtVmPage *self, AdwEntryRow *row)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  KvmrtVmAttr attr;

  if (self->loading > 0 || self->vm == NULL || !get_field_attr (row, &attr)
      || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  reset_apply_button (row);

  if (attr == KVMRT_VM_ATTR_NUMATUNE
      && gtk_check_button_get_active (self->numatune_auto_check))
    return;
  if (g_strcmp0 (text, effective_text (self->vm, attr)) == 0)
    return;

  /* Kept as written even when it does not parse: the validator says what is wrong. */
  kvmrt_vm_set_text (self->vm, attr, text, NULL);
  committed (self);
}

static void
commit_comments (KvmrtVmPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->comments_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  if (self->loading > 0 || self->vm == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (g_strcmp0 (text, kvmrt_vm_get_comments (self->vm)) == 0)
    return;
  kvmrt_vm_set_comments (self->vm, text);
  committed (self);
}

/* What the Host CPUs text means on this host, below the field. */
static void
cpuset_plan_cb (KvmrtVmPage *self, const KvmrtVmPlan *plan, gpointer data)
{
  GString *text = data;
  guint n_usable;
  g_autofree char *offline = NULL;

  if (plan == NULL || !plan->rt || kvmrt_id_set_is_empty (plan->cpus))
    return;
  n_usable = kvmrt_id_set_count (plan->usable_cpus);
  g_string_append_c (text, '\n');
  g_string_append_printf (text,
                          ngettext ("Real-time: %u usable CPU, one per core",
                                    "Real-time: %u usable CPUs, one per core", n_usable),
                          n_usable);
  if (!kvmrt_id_set_is_empty (plan->offline_cpus))
    {
      offline = kvmrt_id_set_to_string (plan->offline_cpus);
      g_string_append (text, "; ");
      g_string_append_printf (text, _("siblings %s go offline while it runs"), offline);
    }
}

static void
set_feedback (GtkLabel *label, const char *text, gboolean error)
{
  gtk_label_set_text (label, text);
  if (error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
    }
}

static void
update_cpuset_feedback (KvmrtVmPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->cpuset_row));
  gboolean rt = gtk_switch_get_active (self->rt_switch);
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtCpuSet) set = NULL;
  g_autoptr(KvmrtIdSet) cpus = NULL;
  g_autoptr(KvmrtIdSet) nodes = NULL;
  g_autofree char *cpus_text = NULL;
  g_autofree char *nodes_text = NULL;
  g_autofree char *count_text = NULL;
  g_autofree char *where_text = NULL;
  g_autoptr(GString) feedback = NULL;
  guint n_cpus, n_nodes;

  if (self->vm == NULL)
    return;

  set = kvmrt_cpu_set_parse (text, &error);
  if (set == NULL)
    {
      set_feedback (self->cpuset_feedback_label, error->message, TRUE);
      return;
    }
  if (kvmrt_cpu_set_is_empty (set) && !kvmrt_cpu_set_is_inverted (set))
    {
      if (rt)
        set_feedback (self->cpuset_feedback_label,
                      _("A real-time VM needs host CPUs of its own"), TRUE);
      else
        set_feedback (self->cpuset_feedback_label,
                      _("None given: the VM runs on the CPUs no real-time VM owns"), FALSE);
      return;
    }
  if (self->host == NULL)
    {
      set_feedback (self->cpuset_feedback_label, "", FALSE);
      return;
    }
  cpus = kvmrt_cpu_set_resolve (set, self->host, &error);
  if (cpus == NULL && g_error_matches (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_UNKNOWN_ID))
    {
      /* Translators: %s names what is missing: "NUMA node 9", "CPU 99, core 40" */
      g_autofree char *message = g_strdup_printf (_("This host has no %s"), error->message);

      set_feedback (self->cpuset_feedback_label, message, TRUE);
      return;
    }
  if (cpus == NULL)
    {
      set_feedback (self->cpuset_feedback_label, error->message, TRUE);
      return;
    }
  n_cpus = kvmrt_id_set_count (cpus);
  if (n_cpus == 0)
    {
      set_feedback (self->cpuset_feedback_label, _("This names no CPU of the host"), TRUE);
      return;
    }

  nodes = kvmrt_host_get_nodes_of_cpus (self->host, cpus);
  n_nodes = kvmrt_id_set_count (nodes);
  cpus_text = kvmrt_id_set_to_string (cpus);
  nodes_text = kvmrt_id_set_to_string (nodes);
  count_text = g_strdup_printf (ngettext ("%u CPU", "%u CPUs", n_cpus), n_cpus);
  where_text = g_strdup_printf (ngettext ("node %s", "nodes %s", n_nodes), nodes_text);

  feedback = g_string_new (NULL);
  /* Translators: "CPUs 16-23 (8 CPUs on node 2)" */
  g_string_printf (feedback, ngettext ("CPU %s (%s on %s)", "CPUs %s (%s on %s)", n_cpus),
                   cpus_text, count_text, where_text);
  if (rt)
    with_plan (self, KVMRT_VM_ATTR_CPUSET, text, cpuset_plan_cb, feedback);
  set_feedback (self->cpuset_feedback_label, feedback->str, FALSE);
}

static void
numatune_plan_cb (KvmrtVmPage *self, const KvmrtVmPlan *plan, gpointer data)
{
  KvmrtIdSet **out_nodes = data;

  if (plan != NULL && plan->numatune != NULL)
    *out_nodes = kvmrt_id_set_copy (plan->numatune);
}

static void
update_numatune_feedback (KvmrtVmPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIdSet) nodes = NULL;
  g_autofree char *nodes_text = NULL;
  g_autofree char *feedback = NULL;

  if (self->vm == NULL)
    return;

  if (gtk_check_button_get_active (self->numatune_auto_check))
    {
      with_plan (self, KVMRT_VM_ATTR_NUMATUNE, "auto", numatune_plan_cb, &nodes);
      if (nodes == NULL || kvmrt_id_set_is_empty (nodes))
        {
          set_feedback (self->numatune_feedback_label,
                        _("Automatic: memory from any node"), FALSE);
          return;
        }
      nodes_text = kvmrt_id_set_to_string (nodes);
      feedback = g_strdup_printf (ngettext ("Automatic: memory from node %s, where its host "
                                            "CPUs are",
                                            "Automatic: memory from nodes %s, where its host "
                                            "CPUs are",
                                            kvmrt_id_set_count (nodes)),
                                  nodes_text);
      set_feedback (self->numatune_feedback_label, feedback, FALSE);
      return;
    }

  nodes = kvmrt_id_set_parse (gtk_editable_get_text (GTK_EDITABLE (self->numatune_row)),
                              &error);
  if (nodes == NULL)
    {
      set_feedback (self->numatune_feedback_label, error->message, TRUE);
      return;
    }
  if (kvmrt_id_set_is_empty (nodes))
    {
      set_feedback (self->numatune_feedback_label, _("Empty: memory from any node"), FALSE);
      return;
    }
  if (self->host != NULL)
    {
      const KvmrtIdSet *host_nodes = kvmrt_host_get_ids (self->host, KVMRT_HOST_LEVEL_NODE);

      if (!kvmrt_id_set_is_subset (nodes, host_nodes))
        {
          g_autoptr(KvmrtIdSet) missing = kvmrt_id_set_copy (nodes);
          g_autofree char *missing_text = NULL;
          g_autofree char *host_text = kvmrt_id_set_to_string (host_nodes);

          kvmrt_id_set_subtract (missing, host_nodes);
          missing_text = kvmrt_id_set_to_string (missing);
          feedback = g_strdup_printf (ngettext ("The host has no NUMA node %s (its nodes are %s)",
                                                "The host has no NUMA nodes %s (its nodes are %s)",
                                                kvmrt_id_set_count (missing)),
                                      missing_text, host_text);
          set_feedback (self->numatune_feedback_label, feedback, TRUE);
          return;
        }
    }
  nodes_text = kvmrt_id_set_to_string (nodes);
  feedback = g_strdup_printf (ngettext ("Memory from node %s", "Memory from nodes %s",
                                        kvmrt_id_set_count (nodes)),
                              nodes_text);
  set_feedback (self->numatune_feedback_label, feedback, FALSE);
}

static void
nr_vcpus_plan_cb (KvmrtVmPage *self, const KvmrtVmPlan *plan, gpointer data)
{
  guint *out = data;

  if (plan != NULL)
    *out = plan->nr_vcpus;
}

static void
update_nr_vcpus (KvmrtVmPage *self)
{
  gboolean is_auto = gtk_check_button_get_active (self->nr_vcpus_auto_check);
  g_autofree char *subtitle = NULL;
  guint planned = 0;

  gtk_widget_set_sensitive (GTK_WIDGET (self->nr_vcpus_spin), !is_auto);
  if (!is_auto)
    {
      adw_action_row_set_subtitle (self->nr_vcpus_row, "");
      return;
    }
  with_plan (self, KVMRT_VM_ATTR_NR_VCPUS, "auto", nr_vcpus_plan_cb, &planned);
  if (planned > 0)
    {
      self->loading++;
      gtk_spin_button_set_value (self->nr_vcpus_spin, planned);
      self->loading--;
      subtitle = g_strdup_printf (_("Chosen automatically: %u"), planned);
    }
  adw_action_row_set_subtitle (self->nr_vcpus_row,
                               subtitle != NULL ? subtitle : _("Chosen automatically"));
}

/* Everything that follows from several fields: heading, badge, feedback, Revert. */
static void
update_derived (KvmrtVmPage *self)
{
  const char *title, *name, *uuid;
  g_autofree char *subheading = NULL;

  if (self->vm == NULL)
    return;

  name = kvmrt_vm_get_name (self->vm);
  uuid = kvmrt_vm_get_uuid (self->vm);
  /* The UUID stands under the heading already: a VM without title or name is "Unnamed". */
  title = name == NULL && *kvmrt_vm_get_title (self->vm) == '\0'
          ? _("Unnamed VM") : kvmrt_vm_get_display_title (self->vm);
  gtk_label_set_text (self->heading_label, title);
  if (name != NULL)
    /* Translators: VM name and UUID under the VM's title */
    subheading = g_strdup_printf (_("%s · %s"), name, uuid);
  else
    subheading = g_strdup (uuid);
  gtk_label_set_text (self->subheading_label, subheading);

  gtk_widget_set_visible (GTK_WIDGET (self->rt_badge), kvmrt_vm_get_rt (self->vm));

  update_cpuset_feedback (self);
  update_numatune_feedback (self);
  update_nr_vcpus (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->revert_button),
                            self->original != NULL && kvmrt_vm_page_is_modified (self));
}

/* Device rows */

static void
on_pci_remove_button_clicked_cb (KvmrtVmPage *self, GtkButton *button)
{
  const char *text = g_object_get_data (G_OBJECT (button), PCI_ADDRESS_KEY);
  const GArray *pcidevs = kvmrt_vm_get_pcidevs (self->vm);
  g_autoptr(GArray) rest = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  KvmrtPciAddress address;

  if (text == NULL || !kvmrt_pci_address_parse (text, &address, NULL))
    return;
  for (guint i = 0; i < pcidevs->len; i++)
    if (g_array_index (pcidevs, KvmrtPciAddress, i) != address)
      g_array_append_val (rest, g_array_index (pcidevs, KvmrtPciAddress, i));
  kvmrt_vm_set_pcidevs (self->vm, rest);
  kvmrt_vm_page_reload (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static GtkWidget *
create_pci_row (KvmrtVmPage *self, KvmrtPciAddress address)
{
  const KvmrtPciDevice *device = NULL;
  char buf[KVMRT_PCI_ADDRESS_STRLEN];
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *remove_label = NULL;

  kvmrt_pci_address_format (address, buf);
  if (self->host != NULL)
    device = kvmrt_host_lookup_pci_device (self->host, address);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_string_append (subtitle, buf);
  if (device != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), device->device_name);
      g_string_append_printf (subtitle, " · %s", device->vendor_name);
      if (device->numa_node >= 0)
        {
          g_string_append (subtitle, " · ");
          /* Translators: the NUMA node of a PCI device */
          g_string_append_printf (subtitle, _("node %d"), device->numa_node);
        }
      if (device->iommu_group >= 0)
        {
          g_string_append (subtitle, " · ");
          g_string_append_printf (subtitle, _("IOMMU group %d"), device->iommu_group);
        }
    }
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Not a device of this host"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  g_object_set_data_full (G_OBJECT (row), PCI_ADDRESS_KEY, g_strdup (buf), g_free);

  button = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Stop passing this device to the VM"));
  remove_label = g_strdup_printf (_("Remove %s"), buf);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), PCI_ADDRESS_KEY, g_strdup (buf), g_free);
  g_signal_connect_object (button, "clicked",
                           G_CALLBACK (on_pci_remove_button_clicked_cb), self,
                           G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static GtkWidget *
create_note_row (const char *title, const char *subtitle, const char *css_class)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (row, css_class);
  return row;
}

static void
rebuild_pci_rows (KvmrtVmPage *self)
{
  const GError *error = kvmrt_vm_get_value_error (self->vm, KVMRT_VM_ATTR_PCIDEVS);
  const GArray *pcidevs = kvmrt_vm_get_pcidevs (self->vm);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->pcidevs_list))) != NULL)
    gtk_list_box_remove (self->pcidevs_list, child);

  if (error != NULL)
    {
      g_autofree char *subtitle = g_strdup_printf ("%s\n%s",
                                                   effective_text (self->vm,
                                                                   KVMRT_VM_ATTR_PCIDEVS),
                                                   error->message);

      gtk_list_box_append (self->pcidevs_list,
                           create_note_row (_("The device list cannot be read"), subtitle,
                                            "error"));
      return;
    }
  if (pcidevs->len == 0)
    {
      gtk_list_box_append (self->pcidevs_list,
                           create_note_row (_("No devices passed through"),
                                            _("Assign devices from the resources list"),
                                            "dim-label"));
      return;
    }
  for (guint i = 0; i < pcidevs->len; i++)
    gtk_list_box_append (self->pcidevs_list,
                         create_pci_row (self, g_array_index (pcidevs, KvmrtPciAddress, i)));
}

/* Diagnostic marks */

static GtkWidget *
attr_widget (KvmrtVmPage *self, KvmrtVmAttr attr)
{
  switch (attr)
    {
    case KVMRT_VM_ATTR_NAME: return GTK_WIDGET (self->name_row);
    case KVMRT_VM_ATTR_TITLE: return GTK_WIDGET (self->title_row);
    case KVMRT_VM_ATTR_DESCRIPTION: return GTK_WIDGET (self->description_row);
    case KVMRT_VM_ATTR_NR_VCPUS: return GTK_WIDGET (self->nr_vcpus_row);
    case KVMRT_VM_ATTR_CPU_TOPOLOGY: return GTK_WIDGET (self->cpu_topology_row);
    case KVMRT_VM_ATTR_CPUSET: return GTK_WIDGET (self->cpuset_row);
    case KVMRT_VM_ATTR_RT: return GTK_WIDGET (self->rt_row);
    case KVMRT_VM_ATTR_RT_MEMORY: return GTK_WIDGET (self->rt_memory_row);
    case KVMRT_VM_ATTR_NUMATUNE: return GTK_WIDGET (self->numatune_row);
    case KVMRT_VM_ATTR_HIDE_KVM: return GTK_WIDGET (self->hide_kvm_row);
    case KVMRT_VM_ATTR_GUEST_SERVICES: return GTK_WIDGET (self->guest_services_row);
    case KVMRT_VM_ATTR_AUTOSTART: return GTK_WIDGET (self->autostart_row);
    case KVMRT_VM_ATTR_DISABLED: return GTK_WIDGET (self->disabled_row);
    case KVMRT_VM_ATTR_PCIDEVS: return GTK_WIDGET (self->pcidevs_list);
    case KVMRT_VM_ATTR_COMMENTS: return GTK_WIDGET (self->comments_frame);
    case KVMRT_VM_N_ATTRS:
    default:
      return NULL;
    }
}

/* @severity < 0 clears the mark. The tooltip is the widget's own one plus the messages. */
static void
mark_widget (GtkWidget *widget, int severity, const char *message)
{
  const char *base = g_object_get_data (G_OBJECT (widget), BASE_TOOLTIP_KEY);
  g_autofree char *tooltip = NULL;

  gtk_widget_remove_css_class (widget, "error");
  gtk_widget_remove_css_class (widget, "warning");
  if (severity == KVMRT_SEVERITY_ERROR)
    gtk_widget_add_css_class (widget, "error");
  else if (severity == KVMRT_SEVERITY_WARNING)
    gtk_widget_add_css_class (widget, "warning");

  if (severity >= 0 && message != NULL && base != NULL && base[0] != '\0')
    tooltip = g_strdup_printf ("%s\n\n%s", message, base);
  else if (severity >= 0 && message != NULL)
    tooltip = g_strdup (message);
  else
    tooltip = g_strdup (base);
  gtk_widget_set_tooltip_text (widget, tooltip != NULL && tooltip[0] != '\0' ? tooltip : NULL);
}

static void
set_base_tooltip (GtkWidget *widget, const char *tooltip)
{
  g_object_set_data_full (G_OBJECT (widget), BASE_TOOLTIP_KEY, g_strdup (tooltip), g_free);
}

static void
mark_pci_rows (KvmrtVmPage *self, int severity, GPtrArray *messages)
{
  gboolean any_named = FALSE;

  /* A finding that names devices marks their rows; one that names none marks every row. */
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->pcidevs_list));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      const char *address = g_object_get_data (G_OBJECT (row), PCI_ADDRESS_KEY);

      for (guint i = 0; address != NULL && messages != NULL && i < messages->len; i++)
        if (strstr (g_ptr_array_index (messages, i), address) != NULL)
          any_named = TRUE;
    }

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->pcidevs_list));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      const char *address = g_object_get_data (G_OBJECT (row), PCI_ADDRESS_KEY);
      g_autoptr(GString) tooltip = g_string_new (NULL);

      for (guint i = 0; severity >= 0 && messages != NULL && i < messages->len; i++)
        {
          const char *message = g_ptr_array_index (messages, i);

          if (any_named && (address == NULL || strstr (message, address) == NULL))
            continue;
          if (tooltip->len > 0)
            g_string_append_c (tooltip, '\n');
          g_string_append (tooltip, message);
        }
      mark_widget (row, tooltip->len > 0 ? severity : -1, tooltip->str);
    }
}

static void
apply_marks (KvmrtVmPage *self)
{
  int severity[KVMRT_VM_N_ATTRS];
  GPtrArray *messages[KVMRT_VM_N_ATTRS] = { NULL, };

  for (guint i = 0; i < KVMRT_VM_N_ATTRS; i++)
    severity[i] = -1;

  for (guint i = 0; self->diagnostics != NULL && i < self->diagnostics->len; i++)
    {
      const KvmrtDiagnostic *diagnostic = g_ptr_array_index (self->diagnostics, i);
      KvmrtVmAttr attr;

      if (diagnostic->attribute == NULL
          || !kvmrt_vm_attr_from_key (diagnostic->attribute, &attr))
        continue;
      if (diagnostic->severity == KVMRT_SEVERITY_INFO)
        continue;
      severity[attr] = MAX (severity[attr], (int) diagnostic->severity);
      if (messages[attr] == NULL)
        messages[attr] = g_ptr_array_new ();
      g_ptr_array_add (messages[attr], diagnostic->message);
    }

  for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    {
      g_autofree char *message = NULL;

      if (attr == KVMRT_VM_ATTR_PCIDEVS)
        {
          mark_pci_rows (self, severity[attr], messages[attr]);
          continue;
        }
      if (messages[attr] != NULL)
        {
          g_ptr_array_add (messages[attr], NULL);
          message = g_strjoinv ("\n", (char **) messages[attr]->pdata);
        }
      /* Attributes the page has no field for (rt_priority) are shown by the CLI only. */
      if (attr_widget (self, attr) != NULL)
        mark_widget (attr_widget (self, attr), severity[attr], message);
    }

  for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    g_clear_pointer (&messages[attr], g_ptr_array_unref);
}

/* Callbacks */

static void
on_entry_row_apply_cb (KvmrtVmPage *self, AdwEntryRow *row)
{
  commit_entry_row (self, row);
}

/* Tab commits the field before the focus moves: the commit hides the row's apply button, so
 * one Tab goes on to the next field rather than to that button. */
static gboolean
on_entry_row_key_pressed_cb (KvmrtVmPage           *self,
                             guint                  keyval,
                             guint                  keycode,
                             GdkModifierType        state,
                             GtkEventControllerKey *controller)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  if (keyval == GDK_KEY_Tab || keyval == GDK_KEY_KP_Tab || keyval == GDK_KEY_ISO_Left_Tab)
    commit_entry_row (self, ADW_ENTRY_ROW (row));
  return GDK_EVENT_PROPAGATE;
}

static void
on_entry_row_focus_leave_cb (KvmrtVmPage *self, GtkEventControllerFocus *controller)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  commit_entry_row (self, ADW_ENTRY_ROW (row));
}

static void
on_cpuset_row_changed_cb (KvmrtVmPage *self, GtkEditable *editable)
{
  if (self->loading == 0)
    update_cpuset_feedback (self);
}

static void
on_numatune_row_changed_cb (KvmrtVmPage *self, GtkEditable *editable)
{
  if (self->loading == 0)
    update_numatune_feedback (self);
}

static void
on_nr_vcpus_spin_value_changed_cb (KvmrtVmPage *self, GtkSpinButton *spin)
{
  g_autofree char *text = NULL;

  if (self->loading > 0 || gtk_check_button_get_active (self->nr_vcpus_auto_check))
    return;
  text = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (spin));
  if (g_strcmp0 (text, effective_text (self->vm, KVMRT_VM_ATTR_NR_VCPUS)) == 0)
    return;
  kvmrt_vm_set_text (self->vm, KVMRT_VM_ATTR_NR_VCPUS, text, NULL);
  committed (self);
}

static void
on_nr_vcpus_auto_check_toggled_cb (KvmrtVmPage *self, GtkCheckButton *check)
{
  g_autofree char *text = NULL;

  if (self->loading > 0)
    return;
  if (gtk_check_button_get_active (check))
    text = g_strdup ("auto");
  else
    text = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->nr_vcpus_spin));
  kvmrt_vm_set_text (self->vm, KVMRT_VM_ATTR_NR_VCPUS, text, NULL);
  committed (self);
}

static void
on_numatune_auto_check_toggled_cb (KvmrtVmPage *self, GtkCheckButton *check)
{
  gboolean is_auto = gtk_check_button_get_active (check);
  g_autoptr(KvmrtIdSet) nodes = NULL;
  g_autofree char *text = NULL;

  gtk_editable_set_editable (GTK_EDITABLE (self->numatune_row), !is_auto);
  if (self->loading > 0)
    return;

  if (is_auto)
    text = g_strdup ("auto");
  else
    {
      /* Start from what auto meant. */
      with_plan (self, KVMRT_VM_ATTR_NUMATUNE, "auto", numatune_plan_cb, &nodes);
      text = nodes != NULL ? kvmrt_id_set_to_string (nodes) : g_strdup ("");
    }
  self->loading++;
  gtk_editable_set_text (GTK_EDITABLE (self->numatune_row), is_auto ? "" : text);
  reset_apply_button (self->numatune_row);
  self->loading--;
  kvmrt_vm_set_text (self->vm, KVMRT_VM_ATTR_NUMATUNE, text, NULL);
  committed (self);
}

static void
on_switch_active_notify_cb (KvmrtVmPage *self, GParamSpec *pspec, GtkSwitch *sw)
{
  KvmrtVmAttr attr;

  if (self->loading > 0 || !get_field_attr (sw, &attr))
    return;
  set_bool_attr (self, attr, gtk_switch_get_active (sw));
  committed (self);
}

static void
on_rt_memory_row_selected_notify_cb (KvmrtVmPage *self, GParamSpec *pspec, AdwComboRow *row)
{
  static const KvmrtTristate values[] = {
    KVMRT_TRISTATE_AUTO, KVMRT_TRISTATE_ON, KVMRT_TRISTATE_OFF,
  };
  guint selected = adw_combo_row_get_selected (row);
  const char *old;
  KvmrtTristate old_value;

  if (self->loading > 0 || selected >= G_N_ELEMENTS (values))
    return;
  old = self->original != NULL
          ? kvmrt_vm_get_text (self->original, KVMRT_VM_ATTR_RT_MEMORY) : NULL;
  if (old != NULL && kvmrt_value_parse_tristate (old, &old_value, NULL)
      && old_value == values[selected])
    kvmrt_vm_set_text (self->vm, KVMRT_VM_ATTR_RT_MEMORY, old, NULL);
  else
    kvmrt_vm_set_rt_memory (self->vm, values[selected]);
  committed (self);
}

static void
on_comments_focus_leave_cb (KvmrtVmPage *self, GtkEventControllerFocus *controller)
{
  commit_comments (self);
}

static gboolean
on_comments_key_pressed_cb (KvmrtVmPage           *self,
                            guint                  keyval,
                            guint                  keycode,
                            GdkModifierType        state,
                            GtkEventControllerKey *controller)
{
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
      && (state & GDK_CONTROL_MASK) != 0)
    {
      commit_comments (self);
      return GDK_EVENT_STOP;
    }
  return GDK_EVENT_PROPAGATE;
}

static void
on_filter_button_clicked_cb (KvmrtVmPage *self, GtkButton *button)
{
  g_signal_emit (self, signals[SIGNAL_FILTER_RESOURCES], 0);
}

static void
on_revert_button_clicked_cb (KvmrtVmPage *self, GtkButton *button)
{
  if (self->original == NULL)
    return;
  for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    kvmrt_vm_set_text (self->vm, attr, kvmrt_vm_get_text (self->original, attr), NULL);
  kvmrt_vm_page_reload (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* Overrides */

/* A page hidden in the dialog's stack marks its fields when it is shown: with a thousand VMs
 * an edit may change the findings of hundreds of pages, and only one is on screen. */
static void
kvmrt_vm_page_map (GtkWidget *widget)
{
  KvmrtVmPage *self = KVMRT_VM_PAGE (widget);

  GTK_WIDGET_CLASS (kvmrt_vm_page_parent_class)->map (widget);
  if (self->marks_stale)
    {
      self->marks_stale = FALSE;
      apply_marks (self);
    }
}

static void
kvmrt_vm_page_dispose (GObject *object)
{
  KvmrtVmPage *self = KVMRT_VM_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_VM_PAGE);
  g_clear_object (&self->vm);
  g_clear_object (&self->original);
  g_clear_object (&self->host);
  g_clear_object (&self->config);
  g_clear_pointer (&self->diagnostics, g_ptr_array_unref);

  G_OBJECT_CLASS (kvmrt_vm_page_parent_class)->dispose (object);
}

static void
kvmrt_vm_page_class_init (KvmrtVmPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kvmrt_vm_page_dispose;
  widget_class->map = kvmrt_vm_page_map;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FILTER_RESOURCES] =
    g_signal_new ("filter-resources", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kvmrt/Kvmrt/kvmrt-vm-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "kvmrtvmpage");

  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, preferences_page);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, rt_badge);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, heading_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, subheading_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, revert_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, name_lock_image);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, title_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, description_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, nr_vcpus_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, nr_vcpus_spin);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, nr_vcpus_auto_check);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, cpu_topology_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, cpuset_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, cpuset_feedback_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, rt_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, rt_switch);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, rt_memory_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, numatune_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, numatune_auto_check);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, numatune_feedback_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, hide_kvm_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, hide_kvm_switch);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, guest_services_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, guest_services_switch);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, autostart_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, disabled_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, disabled_switch);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, pcidevs_group);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, filter_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, pcidevs_list);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, comments_frame);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmPage, comments_view);

  gtk_widget_class_bind_template_callback (widget_class, on_cpuset_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_numatune_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_nr_vcpus_spin_value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_nr_vcpus_auto_check_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_numatune_auto_check_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_switch_active_notify_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_rt_memory_row_selected_notify_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_revert_button_clicked_cb);
}

static void
kvmrt_vm_page_init (KvmrtVmPage *self)
{
  struct { AdwEntryRow *row; KvmrtVmAttr attr; } entries[] = {
    { NULL, KVMRT_VM_ATTR_NAME },
    { NULL, KVMRT_VM_ATTR_TITLE },
    { NULL, KVMRT_VM_ATTR_DESCRIPTION },
    { NULL, KVMRT_VM_ATTR_CPU_TOPOLOGY },
    { NULL, KVMRT_VM_ATTR_CPUSET },
    { NULL, KVMRT_VM_ATTR_NUMATUNE },
  };
  struct { GtkSwitch *sw; KvmrtVmAttr attr; } switches[] = {
    { NULL, KVMRT_VM_ATTR_RT },
    { NULL, KVMRT_VM_ATTR_HIDE_KVM },
    { NULL, KVMRT_VM_ATTR_GUEST_SERVICES },
    { NULL, KVMRT_VM_ATTR_AUTOSTART },
    { NULL, KVMRT_VM_ATTR_DISABLED },
  };
  GtkEventController *controller;
  GtkIconTheme *icon_theme;

  gtk_widget_init_template (GTK_WIDGET (self));

  entries[0].row = self->name_row;
  entries[1].row = self->title_row;
  entries[2].row = self->description_row;
  entries[3].row = self->cpu_topology_row;
  entries[4].row = self->cpuset_row;
  entries[5].row = self->numatune_row;
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      set_field_attr (entries[i].row, entries[i].attr);
      g_signal_connect_object (entries[i].row, "apply",
                               G_CALLBACK (on_entry_row_apply_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (entries[i].row, "entry-activated",
                               G_CALLBACK (on_entry_row_apply_cb), self, G_CONNECT_SWAPPED);
      controller = gtk_event_controller_focus_new ();
      g_signal_connect_object (controller, "leave",
                               G_CALLBACK (on_entry_row_focus_leave_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_widget_add_controller (GTK_WIDGET (entries[i].row), controller);
      controller = gtk_event_controller_key_new ();
      gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
      g_signal_connect_object (controller, "key-pressed",
                               G_CALLBACK (on_entry_row_key_pressed_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_widget_add_controller (GTK_WIDGET (entries[i].row), controller);
    }

  switches[0].sw = self->rt_switch;
  switches[1].sw = self->hide_kvm_switch;
  switches[2].sw = self->guest_services_switch;
  switches[3].sw = self->autostart_switch;
  switches[4].sw = self->disabled_switch;
  for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
    set_field_attr (switches[i].sw, switches[i].attr);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_object (controller, "leave",
                           G_CALLBACK (on_comments_focus_leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->comments_view), controller);
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed",
                           G_CALLBACK (on_comments_key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->comments_view), controller);

  /* The marks add the findings to the tooltips the fields have of their own. */
  for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    {
      GtkWidget *widget = attr_widget (self, attr);

      if (widget != NULL)
        set_base_tooltip (widget, gtk_widget_get_tooltip_text (widget));
    }

  /* kvmrt's own real-time badge when the icon theme has it. */
  icon_theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  if (gtk_icon_theme_has_icon (icon_theme, "kvmrt-realtime-symbolic"))
    gtk_image_set_from_icon_name (self->rt_badge, "kvmrt-realtime-symbolic");
}

/* Public API */

KvmrtVmPage *
kvmrt_vm_page_new (KvmrtVm     *vm,
                   KvmrtVm     *original,
                   KvmrtConfig *config,
                   KvmrtHost   *host)
{
  KvmrtVmPage *self;

  g_return_val_if_fail (KVMRT_IS_VM (vm), NULL);
  g_return_val_if_fail (original == NULL || KVMRT_IS_VM (original), NULL);
  g_return_val_if_fail (KVMRT_IS_CONFIG (config), NULL);
  g_return_val_if_fail (host == NULL || KVMRT_IS_HOST (host), NULL);

  self = g_object_new (KVMRT_TYPE_VM_PAGE, NULL);
  self->vm = g_object_ref (vm);
  self->original = original != NULL ? g_object_ref (original) : NULL;
  self->config = g_object_ref (config);
  self->host = host != NULL ? g_object_ref (host) : NULL;
  kvmrt_vm_page_reload (self);
  return self;
}

KvmrtVm *
kvmrt_vm_page_get_vm (KvmrtVmPage *self)
{
  g_return_val_if_fail (KVMRT_IS_VM_PAGE (self), NULL);

  return self->vm;
}

void
kvmrt_vm_page_set_running (KvmrtVmPage *self, gboolean running)
{
  const char *tooltip;

  g_return_if_fail (KVMRT_IS_VM_PAGE (self));

  self->running = !!running;
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !self->running);
  gtk_widget_set_visible (GTK_WIDGET (self->name_lock_image), self->running);
  tooltip = self->running ? _("The name can change only while the VM is shut off") : NULL;
  set_base_tooltip (GTK_WIDGET (self->name_row), tooltip);
  apply_marks (self);
}

void
kvmrt_vm_page_set_diagnostics (KvmrtVmPage *self, GPtrArray *diagnostics)
{
  const char *uuid;

  g_return_if_fail (KVMRT_IS_VM_PAGE (self));

  g_clear_pointer (&self->diagnostics, g_ptr_array_unref);
  self->diagnostics = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_diagnostic_free);
  uuid = kvmrt_vm_get_uuid (self->vm);
  for (guint i = 0; diagnostics != NULL && i < diagnostics->len; i++)
    {
      const KvmrtDiagnostic *diagnostic = g_ptr_array_index (diagnostics, i);

      if (g_strcmp0 (diagnostic->vm_uuid, uuid) == 0)
        g_ptr_array_add (self->diagnostics, kvmrt_diagnostic_copy (diagnostic));
    }
  self->marks_stale = !gtk_widget_get_mapped (GTK_WIDGET (self));
  if (!self->marks_stale)
    apply_marks (self);
}

void
kvmrt_vm_page_focus_attribute (KvmrtVmPage *self, const char *attribute)
{
  KvmrtVmAttr attr;
  GtkWidget *target = NULL;

  g_return_if_fail (KVMRT_IS_VM_PAGE (self));

  if (attribute == NULL || !kvmrt_vm_attr_from_key (attribute, &attr))
    return;

  switch (attr)
    {
    case KVMRT_VM_ATTR_NR_VCPUS:
      target = gtk_widget_get_sensitive (GTK_WIDGET (self->nr_vcpus_spin))
                 ? GTK_WIDGET (self->nr_vcpus_spin) : GTK_WIDGET (self->nr_vcpus_auto_check);
      break;
    case KVMRT_VM_ATTR_NUMATUNE:
      target = gtk_check_button_get_active (self->numatune_auto_check)
                 ? GTK_WIDGET (self->numatune_auto_check) : GTK_WIDGET (self->numatune_row);
      break;
    case KVMRT_VM_ATTR_RT: target = GTK_WIDGET (self->rt_switch); break;
    case KVMRT_VM_ATTR_HIDE_KVM: target = GTK_WIDGET (self->hide_kvm_switch); break;
    case KVMRT_VM_ATTR_GUEST_SERVICES:
      target = GTK_WIDGET (self->guest_services_switch);
      break;
    case KVMRT_VM_ATTR_AUTOSTART: target = GTK_WIDGET (self->autostart_switch); break;
    case KVMRT_VM_ATTR_DISABLED: target = GTK_WIDGET (self->disabled_switch); break;
    case KVMRT_VM_ATTR_COMMENTS: target = GTK_WIDGET (self->comments_view); break;
    case KVMRT_VM_ATTR_PCIDEVS:
      {
        GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->pcidevs_list));

        target = row != NULL && gtk_widget_get_focusable (row)
                   ? row : GTK_WIDGET (self->filter_button);
      }
      break;
    case KVMRT_VM_ATTR_NAME:
    case KVMRT_VM_ATTR_TITLE:
    case KVMRT_VM_ATTR_DESCRIPTION:
    case KVMRT_VM_ATTR_CPU_TOPOLOGY:
    case KVMRT_VM_ATTR_CPUSET:
    case KVMRT_VM_ATTR_RT_MEMORY:
    case KVMRT_VM_N_ATTRS:
    default:
      target = attr_widget (self, attr);
      break;
    }
  if (target != NULL)
    gtk_widget_grab_focus (target);
}

void
kvmrt_vm_page_reload (KvmrtVmPage *self)
{
  struct { AdwEntryRow *row; KvmrtVmAttr attr; } entries[] = {
    { self->name_row, KVMRT_VM_ATTR_NAME },
    { self->title_row, KVMRT_VM_ATTR_TITLE },
    { self->description_row, KVMRT_VM_ATTR_DESCRIPTION },
    { self->cpu_topology_row, KVMRT_VM_ATTR_CPU_TOPOLOGY },
    { self->cpuset_row, KVMRT_VM_ATTR_CPUSET },
  };
  const char *numatune;
  gboolean numatune_auto, nr_vcpus_auto;
  KvmrtTristate rt_memory;

  g_return_if_fail (KVMRT_IS_VM_PAGE (self));

  self->loading++;

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      gtk_editable_set_text (GTK_EDITABLE (entries[i].row),
                             effective_text (self->vm, entries[i].attr));
      reset_apply_button (entries[i].row);
    }

  nr_vcpus_auto = kvmrt_vm_get_value_error (self->vm, KVMRT_VM_ATTR_NR_VCPUS) == NULL
                  && kvmrt_vm_get_nr_vcpus (self->vm) == 0;
  gtk_check_button_set_active (self->nr_vcpus_auto_check, nr_vcpus_auto);
  if (!nr_vcpus_auto)
    gtk_spin_button_set_value (self->nr_vcpus_spin, kvmrt_vm_get_nr_vcpus (self->vm));

  numatune = effective_text (self->vm, KVMRT_VM_ATTR_NUMATUNE);
  numatune_auto = is_auto_text (numatune);
  gtk_check_button_set_active (self->numatune_auto_check, numatune_auto);
  gtk_editable_set_editable (GTK_EDITABLE (self->numatune_row), !numatune_auto);
  gtk_editable_set_text (GTK_EDITABLE (self->numatune_row), numatune_auto ? "" : numatune);
  reset_apply_button (self->numatune_row);

  gtk_switch_set_active (self->rt_switch, kvmrt_vm_get_rt (self->vm));
  gtk_switch_set_active (self->hide_kvm_switch, kvmrt_vm_get_hide_kvm (self->vm));
  gtk_switch_set_active (self->guest_services_switch, kvmrt_vm_get_guest_services (self->vm));
  gtk_switch_set_active (self->autostart_switch, kvmrt_vm_get_autostart (self->vm));
  gtk_switch_set_active (self->disabled_switch, kvmrt_vm_get_disabled (self->vm));

  rt_memory = kvmrt_vm_get_rt_memory (self->vm);
  adw_combo_row_set_selected (self->rt_memory_row,
                              rt_memory == KVMRT_TRISTATE_ON ? 1
                              : rt_memory == KVMRT_TRISTATE_OFF ? 2 : 0);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->comments_view),
                            kvmrt_vm_get_comments (self->vm), -1);

  rebuild_pci_rows (self);
  update_derived (self);
  apply_marks (self);

  self->loading--;
}

gboolean
kvmrt_vm_page_is_modified (KvmrtVmPage *self)
{
  g_return_val_if_fail (KVMRT_IS_VM_PAGE (self), FALSE);

  if (self->original == NULL)
    return TRUE;
  for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    if (!attr_equal (self->vm, self->original, attr))
      return TRUE;
  return FALSE;
}
