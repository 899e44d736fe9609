/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration dialog works on a copy of the loaded configuration: every committed
 * field revalidates it at once (diagnostic box, field marks, resources list), and only Apply
 * writes it, through KvmrtManager, which then loads it; the dialog then copies the newly
 * loaded configuration again. */
#include "config.h"

#include "kvmrt-a11y.h"
#include "kvmrt-config-dialog.h"
#include "kvmrt-config-dialog-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kvmrt-import.h"
#include "kvmrt-import-dialog.h"
#include "kvmrt-reorder-dialog.h"

/* One VM of the working copy: its page and its sidebar row. */
typedef struct {
  KvmrtVm     *vm;
  KvmrtVmPage *page;        /* borrowed from the page stack */
  GtkWidget   *row;         /* borrowed from the sidebar */
  GtkWidget   *badge;
  GtkWidget   *marker;
  GtkWidget   *error_icon;  /* the VM has errors the validator found */
  GtkLabel    *title_label;
  GtkLabel    *name_label;
  /* The findings about the VM its page was last given, as text (NULL: none given yet): a page
   * whose findings stay the same is left alone. */
  char        *findings_key;
  guint        n_errors;    /* of those findings */
  char        *row_key;     /* what the sidebar row shows now, to skip rows that stay */
} VmEntry;

struct _KvmrtConfigDialog
{
  AdwWindow            parent_instance;

  /* template widgets */
  AdwWindowTitle      *window_title;
  AdwToastOverlay     *toast_overlay;
  GtkListBox          *sidebar;
  GtkStack            *page_stack;
  GtkPaned            *content_paned;
  GtkPaned            *sidebar_paned;
  GtkPaned            *diagnostic_paned;
  GtkWidget           *sidebar_scroller;
  KvmrtDiagnosticList *diagnostic_list;
  GtkLabel            *pending_label;
  GtkButton           *import_button;
  GtkButton           *apply_button;

  /* borrowed */
  KvmrtResourcesView  *resources_view;  /* the content paned's end child */

  /* owned */
  KvmrtManager        *manager;
  KvmrtHost           *view_host;       /* the host the resources view was made for */
  KvmrtConfig         *working;
  KvmrtPlan           *plan;          /* of the working copy, as the resources view shows */
  GPtrArray           *diagnostics;   /* KvmrtDiagnostic* of the working copy */
  GPtrArray           *entries;       /* VmEntry*, in no particular order */
  char                *base_data;     /* the loaded configuration's text the copy is of */
  char                *base_path;     /* and its file */
  GError              *apply_error;

  guint                applying : 1;
  guint                close_after_apply : 1;
  guint                close_confirmed : 1;
  guint                disposed : 1;
  guint                editing : 1;     /* counted in the manager's editors */
  guint                narrow : 1;      /* the page above the resources, not beside them */
  guint                laid_out : 1;    /* the layout was chosen for a size once */
  guint                layout_id;       /* the narrow layout is changed in an idle */
};

/* Below this width the VM page and the resources list do not fit side by side (each needs
 * about 420 px, the sidebar 200): the list goes under the page. */
#define NARROW_WIDTH 1100
/* The diagnostics' first height: their summary and about three findings. */
#define DIAGNOSTICS_HEIGHT 160

enum {
  SIGNAL_APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KvmrtConfigDialog, kvmrt_config_dialog, ADW_TYPE_WINDOW)

static void start_apply (KvmrtConfigDialog *self, gboolean from_shortcut);

static void
vm_entry_free (VmEntry *entry)
{
  g_clear_object (&entry->vm);
  g_free (entry->findings_key);
  g_free (entry->row_key);
  g_free (entry);
}

static void
toast (KvmrtConfigDialog *self, const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* A message dialog over this one, with an OK button. */
static void
show_message (KvmrtConfigDialog *self, const char *heading, const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static VmEntry *
find_entry (KvmrtConfigDialog *self, const char *uuid)
{
  if (uuid == NULL)
    return NULL;
  for (guint i = 0; i < self->entries->len; i++)
    {
      VmEntry *entry = self->entries->pdata[i];

      if (g_ascii_strcasecmp (kvmrt_vm_get_uuid (entry->vm), uuid) == 0)
        return entry;
    }
  return NULL;
}

static VmEntry *
find_entry_for_row (KvmrtConfigDialog *self, GtkListBoxRow *row)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      VmEntry *entry = self->entries->pdata[i];

      if (entry->row == GTK_WIDGET (row))
        return entry;
    }
  return NULL;
}

static VmEntry *
selected_entry (KvmrtConfigDialog *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->sidebar);

  return row != NULL ? find_entry_for_row (self, row) : NULL;
}

static gboolean
entry_is_modified (KvmrtConfigDialog *self, VmEntry *entry)
{
  KvmrtConfig *loaded = kvmrt_manager_get_config (self->manager);

  /* A VM imported in this dialog is a change until applied. */
  if (loaded == NULL || kvmrt_config_lookup_uuid (loaded, kvmrt_vm_get_uuid (entry->vm)) == NULL)
    return TRUE;
  return kvmrt_vm_page_is_modified (entry->page);
}

static void
refresh_row (KvmrtConfigDialog *self, VmEntry *entry)
{
  guint errors = entry->n_errors;
  const char *name = kvmrt_vm_get_name (entry->vm);
  gboolean modified = entry_is_modified (self, entry);
  gboolean rt = kvmrt_vm_get_rt (entry->vm);
  gboolean disabled = kvmrt_vm_get_disabled (entry->vm);
  g_autoptr(GString) subtitle = g_string_new (name != NULL ? name : _("no name"));
  g_autoptr(GString) accessible = g_string_new (kvmrt_vm_get_display_title (entry->vm));
  g_autofree char *key = NULL;

  if (disabled)
    g_string_append (subtitle, _(" · disabled"));
  if (rt)
    g_string_append (accessible, _(", real-time"));
  if (modified)
    g_string_append (accessible, _(", not applied"));
  if (errors > 0)
    g_string_append_printf (accessible, g_dngettext (GETTEXT_PACKAGE, ", %u error",
                                                     ", %u errors", errors), errors);
  /* An edit revisits every row and most stay as they are: setting the labels, tooltip and
   * accessible label of a thousand rows again took 0.2 s per edit. */
  key = g_strdup_printf ("%s\n%s\n%s\n%d%d%d%u", kvmrt_vm_get_display_title (entry->vm),
                         subtitle->str, accessible->str, rt, modified, disabled, errors);
  if (g_strcmp0 (entry->row_key, key) == 0)
    return;
  g_free (entry->row_key);
  entry->row_key = g_steal_pointer (&key);

  gtk_label_set_label (entry->title_label, kvmrt_vm_get_display_title (entry->vm));
  gtk_label_set_label (entry->name_label, subtitle->str);
  gtk_widget_set_visible (entry->badge, rt);
  /* Keeps its place when hidden, so the titles stay aligned. */
  gtk_widget_set_opacity (entry->marker, modified ? 1.0 : 0.0);
  gtk_widget_set_opacity (GTK_WIDGET (entry->title_label), disabled ? 0.55 : 1.0);

  gtk_widget_set_visible (entry->error_icon, errors > 0);
  if (errors > 0)
    {
      g_autofree char *tip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u error",
                                                           "%u errors", errors), errors);

      gtk_widget_set_tooltip_text (entry->error_icon, tip);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry->row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible->str, -1);
}

static gboolean
is_running (KvmrtConfigDialog *self, KvmrtVm *vm)
{
  const KvmrtVmStatus *status = kvmrt_manager_get_status (self->manager, vm);
  KvmrtLibvirt *libvirt;
  GVirDomain *domain;

  if (status != NULL)
    return status->running;
  /* Imported in this dialog: the manager does not follow it yet. */
  libvirt = kvmrt_manager_get_libvirt (self->manager);
  if (libvirt == NULL
      || (domain = kvmrt_libvirt_lookup_uuid (libvirt, kvmrt_vm_get_uuid (vm))) == NULL)
    return FALSE;
  return kvmrt_libvirt_is_active (domain);
}

static void
update_actions (KvmrtConfigDialog *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  guint n_vms = self->working != NULL ? kvmrt_config_get_n_vms (self->working) : 0;
  guint n_errors = kvmrt_diagnostic_list_get_n_errors (self->diagnostic_list);
  gboolean unapplied = kvmrt_config_dialog_has_unapplied (self);
  gboolean editable = !self->applying && self->working != NULL;
  gboolean has_libvirt = kvmrt_manager_get_libvirt (self->manager) != NULL;
  g_autofree char *tooltip = NULL;

  gtk_widget_action_set_enabled (widget, "config.import", editable && has_libvirt);
  gtk_widget_action_set_enabled (widget, "config.remove", editable && n_vms > 0);
  gtk_widget_action_set_enabled (widget, "config.reorder", editable && n_vms > 1);
  gtk_widget_action_set_enabled (widget, "config.revert-all", editable && unapplied);
  /* Apply stays an action for its shortcut, which explains a refusal with a toast. */
  gtk_widget_action_set_enabled (widget, "config.apply", editable);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->import_button),
                               has_libvirt ? _("Add libvirt VMs to the configuration (Ctrl+I)")
                                           : _("libvirt cannot be reached, so there is "
                                               "nothing to import"));

  if (self->applying)
    tooltip = g_strdup (_("Applying…"));
  else if (n_errors > 0)
    tooltip = g_strdup_printf (ngettext ("The configuration has %u error: fix it to apply",
                                         "The configuration has %u errors: fix them to apply",
                                         n_errors), n_errors);
  else if (!unapplied)
    tooltip = g_strdup (_("Nothing to apply: the configuration is as last applied"));
  else
    tooltip = g_strdup (_("Write the configuration and update libvirt (Ctrl+S)"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button),
                            editable && n_errors == 0 && unapplied);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->apply_button), tooltip);

  if (self->applying)
    gtk_label_set_label (self->pending_label, _("Applying the configuration…"));
  else if (kvmrt_manager_get_config_unsaved (self->manager))
    gtk_label_set_label (self->pending_label,
                         _("New configuration: nothing is written until you apply it"));
  else if (unapplied)
    gtk_label_set_label (self->pending_label, _("Changes not applied yet"));
  else
    gtk_label_set_label (self->pending_label, "");
}

static void on_resources_view_assign_devices_cb (KvmrtResourcesView *view,
                                                 KvmrtVm            *vm,
                                                 GArray             *addresses,
                                                 KvmrtConfigDialog  *self);

/* The resources view is made for one host: a new one when the manager reloaded the host
 * (tuning takes CPUs offline and back). */
static void
ensure_resources_view (KvmrtConfigDialog *self)
{
  KvmrtHost *host = kvmrt_manager_get_host (self->manager);

  if (self->resources_view != NULL && self->view_host == host)
    return;
  g_set_object (&self->view_host, host);
  self->resources_view = kvmrt_resources_view_new (host);
  if (self->narrow)
    gtk_widget_set_size_request (GTK_WIDGET (self->resources_view), -1, 160);
  else
    gtk_widget_set_size_request (GTK_WIDGET (self->resources_view), 360, -1);
  g_signal_connect_object (self->resources_view, "assign-devices",
                           G_CALLBACK (on_resources_view_assign_devices_cb), self, 0);
  gtk_paned_set_end_child (self->content_paned, GTK_WIDGET (self->resources_view));
}

/* The findings of self->diagnostics per VM: lower-case UUID -> GPtrArray of borrowed
 * KvmrtDiagnostic*, in the validator's order. */
static GHashTable *
group_findings (KvmrtConfigDialog *self)
{
  GHashTable *by_vm = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < self->diagnostics->len; i++)
    {
      KvmrtDiagnostic *d = self->diagnostics->pdata[i];
      g_autofree char *key = NULL;
      GPtrArray *list;

      if (d->vm_uuid == NULL)
        continue;
      key = g_ascii_strdown (d->vm_uuid, -1);
      if ((list = g_hash_table_lookup (by_vm, key)) == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (by_vm, g_steal_pointer (&key), list);
        }
      g_ptr_array_add (list, d);
    }
  return by_vm;
}

/* Gives @entry's page its findings (@findings, may be NULL) unless it has them already: with
 * a thousand VMs, an edit changes the findings of a few. */
static void
update_page_findings (VmEntry *entry, GPtrArray *findings)
{
  g_autoptr(GString) key = g_string_new (NULL);

  entry->n_errors = 0;
  for (guint i = 0; findings != NULL && i < findings->len; i++)
    {
      const KvmrtDiagnostic *d = findings->pdata[i];

      if (d->severity == KVMRT_SEVERITY_ERROR)
        entry->n_errors++;
      g_string_append_printf (key, "%d %s %s %d %s\n", d->severity, d->code,
                              d->attribute ? d->attribute : "", d->line, d->message);
    }
  if (g_strcmp0 (entry->findings_key, key->str) == 0)
    return;
  g_free (entry->findings_key);
  entry->findings_key = g_string_free (g_steal_pointer (&key), FALSE);
  kvmrt_vm_page_set_diagnostics (entry->page, findings);
}

void
kvmrt_config_dialog_revalidate (KvmrtConfigDialog *self)
{
  KvmrtHost *host = kvmrt_manager_get_host (self->manager);
  g_autoptr(GHashTable) by_vm = NULL;
  KvmrtPlan *old_plan;

  g_return_if_fail (KVMRT_IS_CONFIG_DIALOG (self));

  if (self->working == NULL || self->disposed)
    return;
  /* One plan per change: the validator, the libvirt checks and the resources view all read
   * it. The view may still look at the previous plan until it has the new one. */
  old_plan = self->plan;
  self->plan = kvmrt_plan_new (self->working, host);
  g_clear_pointer (&self->diagnostics, g_ptr_array_unref);
  self->diagnostics = kvmrt_manager_validate (self->manager, self->plan);
  kvmrt_diagnostic_list_set_diagnostics (self->diagnostic_list, self->diagnostics);
  by_vm = group_findings (self);
  for (guint i = 0; i < self->entries->len; i++)
    {
      VmEntry *entry = self->entries->pdata[i];
      g_autofree char *key = g_ascii_strdown (kvmrt_vm_get_uuid (entry->vm), -1);

      update_page_findings (entry, g_hash_table_lookup (by_vm, key));
      refresh_row (self, entry);
    }
  ensure_resources_view (self);
  kvmrt_resources_view_update (self->resources_view, self->working, self->plan,
                               self->diagnostics);
  g_clear_pointer (&old_plan, kvmrt_plan_free);
  update_actions (self);
}

static void
on_page_changed_cb (KvmrtVmPage *page, KvmrtConfigDialog *self)
{
  kvmrt_config_dialog_revalidate (self);
}

static void
on_page_filter_resources_cb (KvmrtVmPage *page, KvmrtConfigDialog *self)
{
  kvmrt_resources_view_set_filter_vm (self->resources_view, kvmrt_vm_page_get_vm (page));
}

static GtkWidget *
create_sidebar_row (VmEntry *entry)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *badge = gtk_image_new_from_icon_name ("kvmrt-realtime-symbolic");
  GtkWidget *marker = gtk_label_new ("•");
  GtkWidget *error_icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  gtk_widget_set_size_request (marker, 10, -1);
  gtk_widget_add_css_class (marker, "accent");
  gtk_widget_add_css_class (marker, "heading");
  gtk_widget_set_tooltip_text (marker, _("Changed, not applied yet"));
  /* The row's accessible label says "not applied" instead. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (marker), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "dim-label");
  gtk_widget_add_css_class (name, "caption");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), name);

  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (badge, "rt-badge");
  gtk_widget_add_css_class (badge, "rt-tuned");
  gtk_widget_set_tooltip_text (badge, _("Real-time VM"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (badge), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Real-time VM"), -1);

  gtk_widget_set_valign (error_icon, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (error_icon, "error");
  gtk_widget_set_visible (error_icon, FALSE);
  /* The row's accessible label counts the errors. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (error_icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE,
                               -1);

  gtk_box_append (GTK_BOX (box), marker);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), error_icon);
  gtk_box_append (GTK_BOX (box), badge);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  entry->row = row;
  entry->badge = badge;
  entry->marker = marker;
  entry->error_icon = error_icon;
  entry->title_label = GTK_LABEL (title);
  entry->name_label = GTK_LABEL (name);
  return row;
}

static VmEntry *
add_entry (KvmrtConfigDialog *self, KvmrtVm *vm)
{
  KvmrtConfig *loaded = kvmrt_manager_get_config (self->manager);
  KvmrtVm *original = loaded != NULL ? kvmrt_config_lookup_uuid (loaded,
                                                                 kvmrt_vm_get_uuid (vm))
                                     : NULL;
  VmEntry *entry = g_new0 (VmEntry, 1);

  entry->vm = g_object_ref (vm);
  entry->page = kvmrt_vm_page_new (vm, original, self->working,
                                   kvmrt_manager_get_host (self->manager));
  kvmrt_a11y_name_buttons (GTK_WIDGET (entry->page));
  g_signal_connect_object (entry->page, "changed", G_CALLBACK (on_page_changed_cb), self, 0);
  g_signal_connect_object (entry->page, "filter-resources",
                           G_CALLBACK (on_page_filter_resources_cb), self, 0);
  kvmrt_vm_page_set_running (entry->page, is_running (self, vm));
  gtk_stack_add_named (self->page_stack, GTK_WIDGET (entry->page), kvmrt_vm_get_uuid (vm));
  gtk_list_box_append (self->sidebar, create_sidebar_row (entry));
  g_ptr_array_add (self->entries, entry);
  refresh_row (self, entry);
  return entry;
}

static void
remove_entry (KvmrtConfigDialog *self, VmEntry *entry)
{
  /* A page losing its focused field commits it as it goes, and says "changed": not to a
   * dialog that is taking the page apart. */
  g_signal_handlers_disconnect_by_data (entry->page, self);
  gtk_list_box_remove (self->sidebar, entry->row);
  gtk_stack_remove (self->page_stack, GTK_WIDGET (entry->page));
  g_ptr_array_remove (self->entries, entry);
}

static void
show_entry (KvmrtConfigDialog *self, VmEntry *entry)
{
  if (entry == NULL)
    {
      if (self->entries->len == 0)
        gtk_stack_set_visible_child_name (self->page_stack, "empty");
      return;
    }
  if (gtk_list_box_get_selected_row (self->sidebar) != GTK_LIST_BOX_ROW (entry->row))
    gtk_list_box_select_row (self->sidebar, GTK_LIST_BOX_ROW (entry->row));
  gtk_stack_set_visible_child (self->page_stack, GTK_WIDGET (entry->page));
}

static void
select_first (KvmrtConfigDialog *self)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->sidebar, 0);

  if (row != NULL)
    show_entry (self, find_entry_for_row (self, row));
  else
    show_entry (self, NULL);
}

static void
clear_entries (KvmrtConfigDialog *self)
{
  while (self->entries->len > 0)
    remove_entry (self, self->entries->pdata[self->entries->len - 1]);
}

static void
on_working_reordered_cb (KvmrtConfig *config, KvmrtConfigDialog *self)
{
  gtk_list_box_invalidate_sort (self->sidebar);
  kvmrt_config_dialog_revalidate (self);
}

static void
set_working (KvmrtConfigDialog *self, KvmrtConfig *working)
{
  if (self->working != NULL)
    g_signal_handlers_disconnect_by_data (self->working, self);
  g_set_object (&self->working, working);
  if (working != NULL)
    g_signal_connect (working, "reordered", G_CALLBACK (on_working_reordered_cb), self);
}

/* Pages for every VM of the working copy, keeping the VM shown when it is still there. */
static void
rebuild_pages (KvmrtConfigDialog *self)
{
  VmEntry *shown = selected_entry (self);
  g_autofree char *shown_uuid = shown != NULL ? g_strdup (kvmrt_vm_get_uuid (shown->vm)) : NULL;
  VmEntry *entry;

  clear_entries (self);
  for (guint i = 0; self->working != NULL && i < kvmrt_config_get_n_vms (self->working); i++)
    add_entry (self, kvmrt_config_get_vm (self->working, i));
  if ((entry = find_entry (self, shown_uuid)) != NULL)
    show_entry (self, entry);
  else
    select_first (self);
  kvmrt_config_dialog_revalidate (self);
}

/* The working copy from the loaded configuration, bound to no file. */
static void
copy_loaded (KvmrtConfigDialog *self)
{
  KvmrtConfig *loaded = kvmrt_manager_get_config (self->manager);
  g_autoptr(KvmrtConfig) working = NULL;

  g_clear_pointer (&self->base_data, g_free);
  g_free (self->base_path);
  self->base_path = g_strdup (kvmrt_manager_get_config_path (self->manager));
  if (loaded != NULL)
    {
      self->base_data = kvmrt_config_to_data (loaded, NULL);
      working = kvmrt_config_copy (loaded);
    }
  set_working (self, working);
  rebuild_pages (self);
}

static void
update_title (KvmrtConfigDialog *self)
{
  const char *path = kvmrt_manager_get_config_path (self->manager);
  g_autofree char *title = NULL;

  if (path != NULL)
    title = g_strdup_printf (_("Edit Configuration — %s"), path);
  gtk_window_set_title (GTK_WINDOW (self), title != NULL ? title : _("Edit Configuration"));
  adw_window_title_set_subtitle (self->window_title, path != NULL ? path : "");
}

/* Sidebar ------------------------------------------------------------------------------- */

static int
sort_sidebar_rows (GtkListBoxRow *a, GtkListBoxRow *b, gpointer data)
{
  KvmrtConfigDialog *self = data;
  VmEntry *ea = find_entry_for_row (self, a);
  VmEntry *eb = find_entry_for_row (self, b);

  if (ea == NULL || eb == NULL || self->working == NULL)
    return 0;
  return kvmrt_config_index_of (self->working, ea->vm)
         - kvmrt_config_index_of (self->working, eb->vm);
}

static void
on_sidebar_row_selected_cb (GtkListBox *sidebar, GtkListBoxRow *row, KvmrtConfigDialog *self)
{
  VmEntry *entry = row != NULL ? find_entry_for_row (self, row) : NULL;

  if (entry != NULL)
    gtk_stack_set_visible_child (self->page_stack, GTK_WIDGET (entry->page));
}

/* Diagnostics and resources -------------------------------------------------------------- */

static void
on_diagnostic_list_diagnostic_activated_cb (KvmrtDiagnosticList   *list,
                                            const KvmrtDiagnostic *diagnostic,
                                            KvmrtConfigDialog     *self)
{
  VmEntry *entry = find_entry (self, diagnostic->vm_uuid);

  if (entry == NULL)
    return;
  show_entry (self, entry);
  if (diagnostic->attribute != NULL)
    kvmrt_vm_page_focus_attribute (entry->page, diagnostic->attribute);
}

/* @vm gets @addresses, every other VM loses them (@vm NULL: they go back to the host). */
/* What an assignment changed, for its toast's Undo: each changed VM's devices before. */
typedef struct {
  KvmrtConfigDialog *dialog;    /* owned */
  GPtrArray         *uuids;     /* char* */
  GPtrArray         *devices;   /* GArray* of KvmrtPciAddress, as before */
} AssignUndo;

static void
assign_undo_free (gpointer data)
{
  AssignUndo *undo = data;

  g_object_unref (undo->dialog);
  g_ptr_array_unref (undo->uuids);
  g_ptr_array_unref (undo->devices);
  g_free (undo);
}

static void
on_assign_undo_clicked_cb (AdwToast *toast, AssignUndo *undo)
{
  KvmrtConfigDialog *self = undo->dialog;

  if (self->working == NULL || self->disposed)
    return;
  for (guint i = 0; i < undo->uuids->len; i++)
    {
      KvmrtVm *vm = kvmrt_config_lookup_uuid (self->working, undo->uuids->pdata[i]);
      VmEntry *entry;

      /* The VM may have left the working copy since. */
      if (vm == NULL)
        continue;
      kvmrt_vm_set_pcidevs (vm, undo->devices->pdata[i]);
      if ((entry = find_entry (self, undo->uuids->pdata[i])) != NULL)
        kvmrt_vm_page_reload (entry->page);
    }
  kvmrt_config_dialog_revalidate (self);
}

static void
on_resources_view_assign_devices_cb (KvmrtResourcesView *view,
                                     KvmrtVm            *vm,
                                     GArray             *addresses,
                                     KvmrtConfigDialog  *self)
{
  const char *uuid = vm != NULL ? kvmrt_vm_get_uuid (vm) : NULL;
  g_autofree char *list = NULL;
  g_autofree char *text = NULL;
  AssignUndo *undo;
  AdwToast *toast;

  if (self->working == NULL || addresses == NULL || addresses->len == 0)
    return;
  undo = g_new0 (AssignUndo, 1);
  undo->dialog = g_object_ref (self);
  undo->uuids = g_ptr_array_new_with_free_func (g_free);
  undo->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < kvmrt_config_get_n_vms (self->working); i++)
    {
      KvmrtVm *other = kvmrt_config_get_vm (self->working, i);
      gboolean target = uuid != NULL && g_ascii_strcasecmp (kvmrt_vm_get_uuid (other), uuid) == 0;
      const GArray *pcidevs = kvmrt_vm_get_pcidevs (other);
      g_autoptr(GArray) result = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
      gboolean changed = FALSE;
      VmEntry *entry;

      for (guint j = 0; j < pcidevs->len; j++)
        {
          KvmrtPciAddress address = g_array_index (pcidevs, KvmrtPciAddress, j);

          if (!target && kvmrt_pci_set_contains (addresses, address))
            changed = TRUE;
          else
            g_array_append_val (result, address);
        }
      if (target)
        for (guint j = 0; j < addresses->len; j++)
          {
            KvmrtPciAddress address = g_array_index (addresses, KvmrtPciAddress, j);

            if (!kvmrt_pci_set_contains (result, address))
              {
                g_array_append_val (result, address);
                changed = TRUE;
              }
          }
      if (!changed)
        continue;
      g_ptr_array_add (undo->uuids, g_strdup (kvmrt_vm_get_uuid (other)));
      g_ptr_array_add (undo->devices, g_array_copy ((GArray *) pcidevs));
      kvmrt_vm_set_pcidevs (other, result);
      if ((entry = find_entry (self, kvmrt_vm_get_uuid (other))) != NULL)
        kvmrt_vm_page_reload (entry->page);
    }

  list = kvmrt_pci_set_to_string (addresses);
  if (vm != NULL)
    text = g_strdup_printf (_("%s assigned to %s"), list, kvmrt_vm_get_display_title (vm));
  else
    text = g_strdup_printf (_("%s given back to the host"), list);
  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 6);
  if (undo->uuids->len > 0)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      g_signal_connect (toast, "button-clicked", G_CALLBACK (on_assign_undo_clicked_cb), undo);
    }
  g_object_set_data_full (G_OBJECT (toast), "kvmrt-undo", undo, assign_undo_free);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  kvmrt_config_dialog_revalidate (self);
}

/* Manager -------------------------------------------------------------------------------- */

static void
on_manager_config_changed_cb (KvmrtManager *manager, KvmrtConfigDialog *self)
{
  if (kvmrt_manager_get_config (manager) == NULL)
    {
      /* Closed: nothing left to edit. */
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  update_title (self);
  /* Our own Apply (the working copy is now the loaded one), another file, or nothing of ours
   * to keep. */
  if (self->applying
      || g_strcmp0 (self->base_path, kvmrt_manager_get_config_path (manager)) != 0
      || !kvmrt_config_dialog_has_unapplied (self))
    copy_loaded (self);
  else
    {
      /* The same file reloaded with edits pending: keep the edits, compare with the new. */
      g_free (self->base_data);
      self->base_data = kvmrt_config_to_data (kvmrt_manager_get_config (manager), NULL);
      rebuild_pages (self);
      toast (self, _("The configuration was reloaded; your changes are kept"));
    }
}

static void
on_manager_status_changed_cb (KvmrtManager *manager, KvmrtVm *vm, KvmrtConfigDialog *self)
{
  VmEntry *entry = find_entry (self, kvmrt_vm_get_uuid (vm));

  if (entry != NULL)
    kvmrt_vm_page_set_running (entry->page, is_running (self, entry->vm));
}

/* Apply ---------------------------------------------------------------------------------- */

static const char *
apply_error_heading (const GError *error)
{
  if (g_error_matches (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_HELD))
    return _("Configuration In Use");
  if (g_error_matches (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_CHANGED))
    return _("Configuration Changed on Disk");
  if (g_error_matches (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_INVALID))
    return _("Configuration Has Errors");
  if (g_error_matches (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_NO_LIBVIRT))
    return _("libvirt Unavailable");
  return _("Could Not Apply");
}

static void
on_apply_finished_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(KvmrtConfigDialog) self = data;
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *problems;
  gboolean ok;

  ok = kvmrt_manager_apply_finish (KVMRT_MANAGER (source), result, &message, &error);
  self->applying = FALSE;
  g_clear_error (&self->apply_error);

  if (!ok)
    {
      self->close_after_apply = FALSE;
      self->apply_error = g_error_copy (error);
      update_actions (self);
      show_message (self, apply_error_heading (error), error->message);
      g_signal_emit (self, signals[SIGNAL_APPLIED], 0, FALSE);
      return;
    }

  update_actions (self);
  problems = kvmrt_manager_operation_get_problems (result);
  if (problems != NULL)
    {
      /* Saved, but libvirt refused some VMs: that needs reading, not a toast. The problems
       * first, by name. */
      g_autoptr(GString) text = g_string_new (NULL);

      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "libvirt refused %u VM:",
                                                 "libvirt refused %u VMs:", problems->len),
                              problems->len);
      for (guint i = 0; i < problems->len; i++)
        g_string_append_printf (text, "\n• %s", (char *) problems->pdata[i]);
      if (message != NULL && *message != '\0')
        g_string_append_printf (text, "\n\n%s", message);
      show_message (self, _("Applied With Problems"), text->str);
      self->close_after_apply = FALSE;
    }
  else if (message != NULL && strchr (message, '\n') != NULL)
    {
      /* "Saved PATH" and a line per VM written into libvirt: the toast says how many. */
      g_auto(GStrv) lines = g_strsplit (message, "\n", -1);
      guint n = g_strv_length (lines) - 1;
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; %u VM written into libvirt",
                                      "%s; %u VMs written into libvirt", n), lines[0], n);

      toast (self, text);
    }
  else
    toast (self, message != NULL && message[0] != '\0' ? message : _("Configuration applied"));
  g_signal_emit (self, signals[SIGNAL_APPLIED], 0, TRUE);
  if (self->close_after_apply)
    {
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
}

static void
start_apply (KvmrtConfigDialog *self, gboolean from_shortcut)
{
  guint n_errors = kvmrt_diagnostic_list_get_n_errors (self->diagnostic_list);

  if (self->applying || self->working == NULL)
    return;
  if (n_errors > 0)
    {
      g_autofree char *text =
        g_strdup_printf (ngettext ("Not applied: %u error remains; the list below says "
                                   "what to change",
                                   "Not applied: %u errors remain; the list below says "
                                   "what to change", n_errors), n_errors);

      self->close_after_apply = FALSE;
      toast (self, text);
      return;
    }
  if (!kvmrt_config_dialog_has_unapplied (self))
    {
      if (from_shortcut)
        toast (self, _("Nothing to apply"));
      return;
    }
  self->applying = TRUE;
  update_actions (self);
  kvmrt_manager_apply_async (self->manager, self->working, NULL, on_apply_finished_cb,
                             g_object_ref (self));
}

static void
on_apply_button_clicked_cb (GtkButton *button, KvmrtConfigDialog *self)
{
  start_apply (self, FALSE);
}

static void
apply_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  start_apply (KVMRT_CONFIG_DIALOG (widget), TRUE);
}

/* Import --------------------------------------------------------------------------------- */

static void
import_names (KvmrtConfigDialog *self, const char * const *names)
{
  KvmrtLibvirt *libvirt = kvmrt_manager_get_libvirt (self->manager);
  KvmrtHost *host = kvmrt_manager_get_host (self->manager);
  g_autoptr(GString) failures = g_string_new (NULL);
  VmEntry *first = NULL;
  guint n_added = 0;

  if (libvirt == NULL)
    {
      const GError *why = kvmrt_manager_get_libvirt_error (self->manager);

      show_message (self, _("libvirt Unavailable"),
                    why != NULL ? why->message : _("There is no libvirt connection."));
      return;
    }
  if (self->working == NULL)
    return;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      GVirDomain *domain = kvmrt_libvirt_find (libvirt, names[i], &error);
      KvmrtImportOutcome outcome;
      KvmrtVm *vm;

      if (domain == NULL)
        {
          g_string_append_printf (failures, "%s%s", failures->len ? "\n" : "", error->message);
          continue;
        }
      outcome = kvmrt_import_domain (self->working, host, libvirt, domain, FALSE, NULL, &error);
      if (outcome == KVMRT_IMPORT_FAILED)
        {
          g_string_append_printf (failures, "%s%s: %s", failures->len ? "\n" : "",
                                  gvir_domain_get_name (domain),
                                  error != NULL ? error->message : _("failed"));
          continue;
        }
      if (outcome != KVMRT_IMPORT_ADDED)
        continue;   /* already configured: nothing to do */
      vm = kvmrt_config_lookup_uuid (self->working, gvir_domain_get_uuid (domain));
      if (vm != NULL && find_entry (self, kvmrt_vm_get_uuid (vm)) == NULL)
        {
          VmEntry *entry = add_entry (self, vm);

          if (first == NULL)
            first = entry;
          n_added++;
        }
    }

  if (first != NULL)
    show_entry (self, first);
  kvmrt_config_dialog_revalidate (self);
  if (n_added > 0)
    {
      g_autofree char *text =
        g_strdup_printf (ngettext ("%u VM imported; apply to keep it",
                                   "%u VMs imported; apply to keep them", n_added), n_added);

      toast (self, text);
    }
  if (failures->len > 0)
    show_message (self, _("Some VMs Were Not Imported"), failures->str);
}

static void
on_import_dialog_import_cb (KvmrtImportDialog  *dialog,
                            const char * const *uuids,
                            KvmrtConfigDialog  *self)
{
  import_names (self, uuids);
}

static void
open_import_dialog (KvmrtConfigDialog *self)
{
  KvmrtLibvirt *libvirt = kvmrt_manager_get_libvirt (self->manager);
  KvmrtImportDialog *dialog;
  gboolean fresh;

  if (libvirt == NULL || self->working == NULL)
    {
      import_names (self, (const char * const[]) { NULL });
      return;
    }
  /* Right after New Configuration, the usual answer is "all of them". */
  fresh = kvmrt_manager_get_config_unsaved (self->manager)
          && kvmrt_config_get_n_vms (self->working) == 0;
  dialog = kvmrt_import_dialog_new (GTK_WINDOW (self), libvirt, self->working, fresh);
  g_signal_connect_object (dialog, "import", G_CALLBACK (on_import_dialog_import_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
import_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  open_import_dialog (KVMRT_CONFIG_DIALOG (widget));
}

/* Remove --------------------------------------------------------------------------------- */

static void
update_remove_response (AdwMessageDialog *dialog)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "kvmrt-checks");
  gboolean any = FALSE;

  for (guint i = 0; i < checks->len; i++)
    any |= gtk_check_button_get_active (checks->pdata[i]);
  adw_message_dialog_set_response_enabled (dialog, "remove", any);
}

static void
on_remove_check_toggled_cb (GtkCheckButton *check, AdwMessageDialog *dialog)
{
  update_remove_response (dialog);
}

static void
on_remove_dialog_response_cb (AdwMessageDialog  *dialog,
                              const char        *response,
                              KvmrtConfigDialog *self)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "kvmrt-checks");
  g_autofree char *text = NULL;
  guint n_removed = 0;

  if (!g_str_equal (response, "remove") || self->working == NULL)
    return;
  for (guint i = 0; i < checks->len; i++)
    {
      KvmrtVm *vm = g_object_get_data (checks->pdata[i], "kvmrt-vm");
      VmEntry *entry;

      if (!gtk_check_button_get_active (checks->pdata[i])
          || kvmrt_config_index_of (self->working, vm) < 0)
        continue;
      if ((entry = find_entry (self, kvmrt_vm_get_uuid (vm))) != NULL)
        remove_entry (self, entry);
      kvmrt_config_remove_vm (self->working, vm);
      n_removed++;
    }
  if (selected_entry (self) == NULL)
    select_first (self);
  kvmrt_config_dialog_revalidate (self);
  text = g_strdup_printf (ngettext ("%u VM removed from the configuration; apply to keep it "
                                    "that way",
                                    "%u VMs removed from the configuration; apply to keep it "
                                    "that way", n_removed), n_removed);
  toast (self, text);
}

static void
remove_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  KvmrtConfigDialog *self = KVMRT_CONFIG_DIALOG (widget);
  VmEntry *shown = selected_entry (self);
  GPtrArray *checks = g_ptr_array_new ();
  GtkWidget *dialog;
  GtkWidget *list;
  GtkWidget *scroller;

  if (self->working == NULL || kvmrt_config_get_n_vms (self->working) == 0)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Remove VMs From the Configuration?"),
                                   _("The checked VMs leave this configuration when you "
                                     "apply it. Their libvirt domains, disks and settings "
                                     "stay as they are: import them again at any time."));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("VMs to remove"), -1);
  for (guint i = 0; i < kvmrt_config_get_n_vms (self->working); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (self->working, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), kvmrt_vm_get_display_title (vm));
      if (kvmrt_vm_get_name (vm) != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), kvmrt_vm_get_name (vm));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   shown != NULL && shown->vm == vm);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      kvmrt_vm_get_display_title (vm), -1);
      g_object_set_data_full (G_OBJECT (check), "kvmrt-vm", g_object_ref (vm), g_object_unref);
      g_signal_connect (check, "toggled", G_CALLBACK (on_remove_check_toggled_cb), dialog);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
      g_ptr_array_add (checks, check);
    }
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 360);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
  g_object_set_data_full (G_OBJECT (dialog), "kvmrt-checks", checks,
                          (GDestroyNotify) g_ptr_array_unref);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  update_remove_response (ADW_MESSAGE_DIALOG (dialog));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_dialog_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Reorder, Revert All --------------------------------------------------------------------- */

static void
reorder_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  KvmrtConfigDialog *self = KVMRT_CONFIG_DIALOG (widget);
  KvmrtReorderDialog *dialog;

  if (self->working == NULL)
    return;
  dialog = kvmrt_reorder_dialog_new (GTK_WINDOW (self), self->working);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_revert_dialog_response_cb (AdwMessageDialog  *dialog,
                              const char        *response,
                              KvmrtConfigDialog *self)
{
  if (g_str_equal (response, "revert"))
    {
      copy_loaded (self);
      toast (self, _("Every change reverted"));
    }
}

static void
revert_all_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  KvmrtConfigDialog *self = KVMRT_CONFIG_DIALOG (widget);
  GtkWidget *dialog;

  if (!kvmrt_config_dialog_has_unapplied (self))
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Revert All Changes?"),
                                   _("Every VM goes back to the configuration as it was last "
                                     "applied, and VMs imported since then are dropped."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "revert", _("_Revert All"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "revert",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_revert_dialog_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Closing -------------------------------------------------------------------------------- */

static gboolean close_when_idle_cb (gpointer data);

static void
on_close_dialog_response_cb (AdwMessageDialog  *dialog,
                             const char        *response,
                             KvmrtConfigDialog *self)
{
  if (g_str_equal (response, "discard"))
    {
      /* Once the question is gone: closed under it, this window would be gone before the
       * question lets go of it (GTK then warns about a dead transient parent). */
      self->close_confirmed = TRUE;
      g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_when_idle_cb, g_object_ref (self),
                       g_object_unref);
    }
  else if (g_str_equal (response, "apply"))
    {
      self->close_after_apply = TRUE;
      start_apply (self, FALSE);
    }
}

static gboolean
close_when_idle_cb (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static gboolean
kvmrt_config_dialog_close_request (GtkWindow *window)
{
  KvmrtConfigDialog *self = KVMRT_CONFIG_DIALOG (window);
  guint n_errors = kvmrt_diagnostic_list_get_n_errors (self->diagnostic_list);
  GtkWidget *dialog;

  if (self->close_confirmed || !kvmrt_config_dialog_has_unapplied (self))
    return GTK_WINDOW_CLASS (kvmrt_config_dialog_parent_class)->close_request (window);
  if (self->applying)
    {
      /* Close once the Apply in flight has finished. */
      self->close_after_apply = TRUE;
      return TRUE;
    }

  dialog = adw_message_dialog_new (window, _("Apply the Changes?"),
                                   n_errors > 0
                                   ? _("The configuration has changes that are not applied. "
                                       "It still has errors, so it cannot be applied as it is: "
                                       "closing now discards the changes.")
                                   : _("The configuration has changes that are not applied. "
                                       "Closing without applying discards them."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "discard", _("_Discard"),
                                    "cancel", _("_Cancel"),
                                    "apply", _("_Apply"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "apply",
                                           n_errors == 0);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog),
                                           n_errors == 0 ? "apply" : "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_close_dialog_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

gboolean
kvmrt_config_dialog_sidebar_shows_error (KvmrtConfigDialog *self, const char *uuid)
{
  VmEntry *entry = find_entry (self, uuid);

  return entry != NULL && gtk_widget_get_visible (entry->error_icon);
}

gboolean
kvmrt_config_dialog_is_narrow (KvmrtConfigDialog *self)
{
  return gtk_orientable_get_orientation (GTK_ORIENTABLE (self->content_paned))
         == GTK_ORIENTATION_VERTICAL;
}

/* Layout ------------------------------------------------------------------------------- */

/* Narrow (800 or 960 px wide): the resources list under the VM page, and a narrower sidebar;
 * wide: side by side. */
static gboolean
apply_layout (gpointer data)
{
  KvmrtConfigDialog *self = KVMRT_CONFIG_DIALOG (data);
  GtkWidget *start = gtk_paned_get_start_child (self->content_paned);

  self->layout_id = 0;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->content_paned),
                                  self->narrow ? GTK_ORIENTATION_VERTICAL
                                               : GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_set_size_request (self->sidebar_scroller, self->narrow ? 150 : 200, -1);
  gtk_widget_set_size_request (start, self->narrow ? -1 : 420, self->narrow ? 160 : -1);
  if (self->resources_view != NULL)
    gtk_widget_set_size_request (GTK_WIDGET (self->resources_view), self->narrow ? -1 : 360,
                                 self->narrow ? 160 : -1);
  /* Narrow, GTK shares the height by the two panes' natural heights (the page gets more, the
   * list at least its minimum); wide, the page keeps its usual width. */
  if (self->narrow)
    g_object_set (self->content_paned, "position-set", FALSE, NULL);
  else
    gtk_paned_set_position (self->content_paned, 520);
  gtk_paned_set_position (self->sidebar_paned, self->narrow ? 170 : 250);
  /* The diagnostics start with room for a few findings; their handle gives them more. */
  gtk_paned_set_position (self->diagnostic_paned,
                          MAX (gtk_widget_get_height (GTK_WIDGET (self->diagnostic_paned))
                               - DIAGNOSTICS_HEIGHT, 0));
  return G_SOURCE_REMOVE;
}

static void
kvmrt_config_dialog_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  KvmrtConfigDialog *self = KVMRT_CONFIG_DIALOG (widget);
  gboolean narrow = width < NARROW_WIDTH;

  GTK_WIDGET_CLASS (kvmrt_config_dialog_parent_class)->size_allocate (widget, width, height,
                                                                      baseline);
  /* Not while GTK allocates: the new sizes take effect at the next layout. */
  if ((narrow != self->narrow || !self->laid_out) && !self->disposed)
    {
      self->laid_out = TRUE;
      self->narrow = narrow;
      /* Before the next frame (GTK's frame clock runs below this priority). */
      if (self->layout_id == 0)
        self->layout_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_layout, self, NULL);
    }
}

/* GObject -------------------------------------------------------------------------------- */

static void
kvmrt_config_dialog_dispose (GObject *object)
{
  KvmrtConfigDialog *self = KVMRT_CONFIG_DIALOG (object);

  /* Pages commit a field being edited when they go away: nothing to revalidate then. */
  self->disposed = TRUE;
  g_clear_handle_id (&self->layout_id, g_source_remove);
  for (guint i = 0; self->entries != NULL && i < self->entries->len; i++)
    g_signal_handlers_disconnect_by_data (((VmEntry *) self->entries->pdata[i])->page, self);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  if (self->editing)
    kvmrt_manager_end_edit (self->manager);
  self->editing = FALSE;
  set_working (self, NULL);
  if (self->entries != NULL)
    g_ptr_array_set_size (self->entries, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_CONFIG_DIALOG);
  g_clear_pointer (&self->plan, kvmrt_plan_free);
  G_OBJECT_CLASS (kvmrt_config_dialog_parent_class)->dispose (object);
}

static void
kvmrt_config_dialog_finalize (GObject *object)
{
  KvmrtConfigDialog *self = KVMRT_CONFIG_DIALOG (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->view_host);
  g_clear_pointer (&self->diagnostics, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_error (&self->apply_error);
  g_free (self->base_data);
  g_free (self->base_path);
  G_OBJECT_CLASS (kvmrt_config_dialog_parent_class)->finalize (object);
}

static void
kvmrt_config_dialog_class_init (KvmrtConfigDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kvmrt_config_dialog_dispose;
  object_class->finalize = kvmrt_config_dialog_finalize;
  window_class->close_request = kvmrt_config_dialog_close_request;
  widget_class->size_allocate = kvmrt_config_dialog_size_allocate;

  signals[SIGNAL_APPLIED] =
    g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (KVMRT_TYPE_DIAGNOSTIC_LIST);
  g_type_ensure (KVMRT_TYPE_RESOURCES_VIEW);
  g_type_ensure (KVMRT_TYPE_VM_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-config-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, sidebar);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, page_stack);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, content_paned);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, sidebar_scroller);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, sidebar_paned);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, diagnostic_paned);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, diagnostic_list);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, pending_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConfigDialog, apply_button);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class,
                                           on_diagnostic_list_diagnostic_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_apply_button_clicked_cb);

  gtk_widget_class_install_action (widget_class, "config.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "config.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "config.remove", NULL, remove_action);
  gtk_widget_class_install_action (widget_class, "config.reorder", NULL, reorder_action);
  gtk_widget_class_install_action (widget_class, "config.revert-all", NULL, revert_all_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "config.apply", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "config.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
kvmrt_config_dialog_init (KvmrtConfigDialog *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) vm_entry_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  kvmrt_a11y_name_buttons (GTK_WIDGET (self));
  gtk_list_box_set_sort_func (self->sidebar, sort_sidebar_rows, self, NULL);
}

/* Public API ----------------------------------------------------------------------------- */

KvmrtConfigDialog *
kvmrt_config_dialog_new (GtkWindow *parent, KvmrtManager *manager)
{
  KvmrtConfigDialog *self;

  g_return_val_if_fail (KVMRT_IS_MANAGER (manager), NULL);

  self = g_object_new (KVMRT_TYPE_CONFIG_DIALOG, "transient-for", parent, NULL);
  self->manager = g_object_ref (manager);
  /* The file is held while the dialog is open: a second window cannot Apply meanwhile. */
  kvmrt_manager_begin_edit (manager);
  self->editing = TRUE;
  g_signal_connect (manager, "config-changed", G_CALLBACK (on_manager_config_changed_cb), self);
  g_signal_connect (manager, "status-changed", G_CALLBACK (on_manager_status_changed_cb), self);
  update_title (self);
  ensure_resources_view (self);
  copy_loaded (self);
  return self;
}

void
kvmrt_config_dialog_select_vm (KvmrtConfigDialog *self, const char *uuid)
{
  VmEntry *entry;

  g_return_if_fail (KVMRT_IS_CONFIG_DIALOG (self));

  if ((entry = find_entry (self, uuid)) != NULL)
    show_entry (self, entry);
}

void
kvmrt_config_dialog_import (KvmrtConfigDialog *self, const char * const *names)
{
  g_return_if_fail (KVMRT_IS_CONFIG_DIALOG (self));

  if (names == NULL || names[0] == NULL)
    open_import_dialog (self);
  else
    import_names (self, names);
}

gboolean
kvmrt_config_dialog_has_unapplied (KvmrtConfigDialog *self)
{
  g_autofree char *data = NULL;

  g_return_val_if_fail (KVMRT_IS_CONFIG_DIALOG (self), FALSE);

  if (self->working == NULL || kvmrt_manager_get_config (self->manager) == NULL)
    return FALSE;
  /* A new configuration exists only in memory until applied. */
  if (kvmrt_manager_get_config_unsaved (self->manager))
    return TRUE;
  data = kvmrt_config_to_data (self->working, NULL);
  return g_strcmp0 (data, self->base_data) != 0;
}

/* Private API (tests) -------------------------------------------------------------------- */

KvmrtConfig *
kvmrt_config_dialog_get_working (KvmrtConfigDialog *self)
{
  return self->working;
}

KvmrtVmPage *
kvmrt_config_dialog_get_page (KvmrtConfigDialog *self, const char *uuid)
{
  VmEntry *entry = find_entry (self, uuid);

  return entry != NULL ? entry->page : NULL;
}

KvmrtVmPage *
kvmrt_config_dialog_get_visible_page (KvmrtConfigDialog *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->page_stack);

  return KVMRT_IS_VM_PAGE (child) ? KVMRT_VM_PAGE (child) : NULL;
}

KvmrtDiagnosticList *
kvmrt_config_dialog_get_diagnostic_list (KvmrtConfigDialog *self)
{
  return self->diagnostic_list;
}

KvmrtResourcesView *
kvmrt_config_dialog_get_resources_view (KvmrtConfigDialog *self)
{
  return self->resources_view;
}

GtkWidget *
kvmrt_config_dialog_get_apply_button (KvmrtConfigDialog *self)
{
  return GTK_WIDGET (self->apply_button);
}

const GError *
kvmrt_config_dialog_get_apply_error (KvmrtConfigDialog *self)
{
  return self->apply_error;
}
