/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-diagnostic-list.h"

#include "kvmrt-application.h"

#include <glib/gi18n.h>
#include <string.h>

struct _KvmrtDiagnosticList
{
  GtkWidget   parent_instance;

  /* template widgets */
  GtkImage   *summary_icon;
  GtkLabel   *summary_label;
  GtkListBox *list_box;
  GtkLabel   *placeholder;

  /* owned */
  GPtrArray  *source;      /* the findings as given (a reference), or NULL */
  GPtrArray  *items;       /* KvmrtDiagnostic*, borrowed from source, in display order */
  GPtrArray  *spare_rows;  /* rows taken out, kept to show the next finding added */
  GtkWidget  *expanded;    /* the selected row, which shows its whole message; weak */
  guint       n_errors;
  guint       n_warnings;
  guint       n_infos;
  gboolean    updating;    /* no "diagnostic-activated" while the rows are rebuilt */
};

enum {
  SIGNAL_DIAGNOSTIC_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KvmrtDiagnosticList, kvmrt_diagnostic_list, GTK_TYPE_WIDGET)

/* How far an update looks for a finding that moved when others were added or dropped. */
#define LOOK_AHEAD 8
/* Rows kept for reuse: an edit that adds a finding often follows one that dropped it, and a
 * new row costs more than the rest of the update. */
#define MAX_SPARE_ROWS 16

static const char *
severity_icon_name (KvmrtSeverity severity)
{
  switch (severity)
    {
    case KVMRT_SEVERITY_ERROR:
      return "dialog-error-symbolic";
    case KVMRT_SEVERITY_WARNING:
      return "dialog-warning-symbolic";
    case KVMRT_SEVERITY_INFO:
    default:
      return "dialog-information-symbolic";
    }
}

static const char *
severity_label (KvmrtSeverity severity)
{
  switch (severity)
    {
    case KVMRT_SEVERITY_ERROR:
      return _("Error");
    case KVMRT_SEVERITY_WARNING:
      return _("Warning");
    case KVMRT_SEVERITY_INFO:
    default:
      return _("Note");
    }
}

/* Errors first, then warnings, then notes; the validator's order within each. */
static int
compare_items (gconstpointer a, gconstpointer b)
{
  const KvmrtDiagnostic *da = *(const KvmrtDiagnostic * const *) a;
  const KvmrtDiagnostic *db = *(const KvmrtDiagnostic * const *) b;

  return (int) db->severity - (int) da->severity;
}

char *
kvmrt_diagnostic_list_help_uri (const char *code)
{
  return g_strdup_printf ("help:kvmrt/troubleshooting#%s", code);
}

/* diagnostic.explain (s): the guide's section on a code (help:kvmrt/troubleshooting#CODE), in
 * the help viewer or, without one, in the HTML guide. */
static void
explain_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  kvmrt_application_show_help (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                               "troubleshooting", g_variant_get_string (parameter, NULL));
}

/* The widgets of a row that show its finding. */
typedef struct {
  GtkWidget *icon;
  GtkWidget *label;
  GtkWidget *code;
  GtkWidget *button;
} RowParts;

/* Shows @diagnostic in the row of @parts, which showed @shown (NULL: nothing yet): only what
 * differs is set again. */
static void
fill_row (GtkWidget              *row,
          RowParts               *parts,
          const KvmrtDiagnostic  *diagnostic,
          const KvmrtDiagnostic  *shown)
{
  const char *who = diagnostic->vm_name != NULL ? diagnostic->vm_name
                    : diagnostic->vm_uuid != NULL ? diagnostic->vm_uuid
                    : _("Configuration");
  g_autofree char *text = g_strdup_printf ("[%s] %s", who, diagnostic->message);
  g_autofree char *accessible = g_strdup_printf ("%s: %s", severity_label (diagnostic->severity),
                                                 text);
  g_autofree char *tooltip = NULL;
  /* "[who]" in bold by an attribute: no markup to escape and parse again on every edit. */
  PangoAttrList *attrs = pango_attr_list_new ();
  PangoAttribute *bold = pango_attr_weight_new (PANGO_WEIGHT_BOLD);

  bold->start_index = 0;
  bold->end_index = strlen (who) + 2;
  pango_attr_list_insert (attrs, bold);
  gtk_label_set_text (GTK_LABEL (parts->label), text);
  gtk_label_set_attributes (GTK_LABEL (parts->label), attrs);
  pango_attr_list_unref (attrs);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  if (shown != NULL && shown->severity == diagnostic->severity
      && g_str_equal (shown->code, diagnostic->code) && shown->line == diagnostic->line)
    return;

  gtk_image_set_from_icon_name (GTK_IMAGE (parts->icon),
                                severity_icon_name (diagnostic->severity));
  gtk_widget_remove_css_class (parts->icon, "error");
  gtk_widget_remove_css_class (parts->icon, "warning");
  gtk_widget_remove_css_class (parts->icon, "dim-label");
  gtk_widget_add_css_class (parts->icon, diagnostic->severity == KVMRT_SEVERITY_ERROR ? "error"
                                         : diagnostic->severity == KVMRT_SEVERITY_WARNING
                                         ? "warning" : "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (parts->icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  severity_label (diagnostic->severity), -1);
  gtk_label_set_label (GTK_LABEL (parts->code), diagnostic->code);
  {
    g_autofree char *explain = g_strdup_printf (_("Explain %s"), diagnostic->code);

    gtk_accessible_update_property (GTK_ACCESSIBLE (parts->button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, explain, -1);
  }
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (parts->button),
                                          g_variant_new_string (diagnostic->code));
  if (diagnostic->line > 0)
    tooltip = g_strdup_printf (_("%s, line %d of the loaded file"), diagnostic->code,
                               diagnostic->line);
  gtk_widget_set_tooltip_text (row, tooltip);
}

/* One row: severity icon, "[VM] message" (wrapped), the code dimmed, a help button that opens
 * the code's explanation in the guide. */
static GtkWidget *
create_row (const KvmrtDiagnostic *diagnostic)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  RowParts *parts = g_new0 (RowParts, 1);

  parts->icon = gtk_image_new ();
  parts->label = gtk_label_new (NULL);
  parts->code = gtk_label_new (NULL);
  parts->button = gtk_button_new_from_icon_name ("help-browser-symbolic");
  g_object_set_data_full (G_OBJECT (row), "kvmrt-row-parts", parts, g_free);

  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);

  gtk_widget_set_valign (parts->icon, GTK_ALIGN_START);

  gtk_widget_set_valign (parts->label, GTK_ALIGN_START);
  gtk_label_set_wrap_mode (GTK_LABEL (parts->label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_ellipsize (GTK_LABEL (parts->label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (parts->label), 0);
  gtk_widget_set_hexpand (parts->label, TRUE);

  gtk_widget_set_valign (parts->code, GTK_ALIGN_START);
  gtk_widget_add_css_class (parts->code, "dim-label");
  gtk_widget_add_css_class (parts->code, "caption");

  gtk_widget_set_valign (parts->button, GTK_ALIGN_START);
  gtk_widget_add_css_class (parts->button, "flat");
  gtk_widget_set_tooltip_text (parts->button, _("What this means and how to fix it"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (parts->button), "diagnostic.explain");

  gtk_box_append (GTK_BOX (box), parts->icon);
  gtk_box_append (GTK_BOX (box), parts->label);
  gtk_box_append (GTK_BOX (box), parts->code);
  gtk_box_append (GTK_BOX (box), parts->button);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  fill_row (row, parts, diagnostic, NULL);
  return row;
}

/* Rows show one line of their message, and the selected row all of it: a wrapped label is
 * laid out again whenever the list is, which with 1,000s of findings took most of a second
 * per edit. Screen readers get the whole message in every row's accessible label. */
static void
expand_row (KvmrtDiagnosticList *self, GtkWidget *row)
{
  if (self->expanded == row)
    return;
  if (self->expanded != NULL)
    {
      RowParts *parts = g_object_get_data (G_OBJECT (self->expanded), "kvmrt-row-parts");

      gtk_label_set_wrap (GTK_LABEL (parts->label), FALSE);
      gtk_label_set_ellipsize (GTK_LABEL (parts->label), PANGO_ELLIPSIZE_END);
      g_object_remove_weak_pointer (G_OBJECT (self->expanded), (gpointer *) &self->expanded);
      self->expanded = NULL;
    }
  if (row != NULL)
    {
      RowParts *parts = g_object_get_data (G_OBJECT (row), "kvmrt-row-parts");

      gtk_label_set_ellipsize (GTK_LABEL (parts->label), PANGO_ELLIPSIZE_NONE);
      gtk_label_set_wrap (GTK_LABEL (parts->label), TRUE);
      self->expanded = row;
      g_object_add_weak_pointer (G_OBJECT (row), (gpointer *) &self->expanded);
    }
}

static void
update_summary (KvmrtDiagnosticList *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->n_errors > 0)
    g_string_append_printf (text, ngettext ("%u error", "%u errors",
                                               self->n_errors), self->n_errors);
  if (self->n_warnings > 0)
    {
      if (text->len > 0)
        g_string_append (text, _(", "));
      g_string_append_printf (text, ngettext ("%u warning", "%u warnings",
                                                 self->n_warnings), self->n_warnings);
    }
  if (text->len == 0 && self->n_infos > 0)
    g_string_append_printf (text, ngettext ("%u note", "%u notes",
                                               self->n_infos), self->n_infos);
  if (text->len == 0)
    g_string_append (text, _("No problems found"));
  gtk_label_set_label (self->summary_label, text->str);

  gtk_widget_remove_css_class (GTK_WIDGET (self->summary_icon), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->summary_icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->summary_icon), "success");
  if (self->n_errors > 0)
    {
      gtk_image_set_from_icon_name (self->summary_icon, "dialog-error-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->summary_icon), "error");
    }
  else if (self->n_warnings > 0)
    {
      gtk_image_set_from_icon_name (self->summary_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->summary_icon), "warning");
    }
  else
    {
      gtk_image_set_from_icon_name (self->summary_icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->summary_icon), "success");
    }
}

static void
emit_for_row (KvmrtDiagnosticList *self, GtkListBoxRow *row)
{
  int index;

  if (row == NULL || self->updating)
    return;
  index = gtk_list_box_row_get_index (row);
  if (index < 0 || (guint) index >= self->items->len)
    return;
  g_signal_emit (self, signals[SIGNAL_DIAGNOSTIC_ACTIVATED], 0, self->items->pdata[index]);
}

static void
on_list_box_row_selected_cb (GtkListBox          *list_box,
                             GtkListBoxRow       *row,
                             KvmrtDiagnosticList *self)
{
  expand_row (self, GTK_WIDGET (row));
  emit_for_row (self, row);
}

/* Activating the row already selected (Enter, or a second click) goes to the field again. */
static void
on_list_box_row_activated_cb (GtkListBox          *list_box,
                              GtkListBoxRow       *row,
                              KvmrtDiagnosticList *self)
{
  if (gtk_list_box_get_selected_row (list_box) == row)
    emit_for_row (self, row);
}

static void
kvmrt_diagnostic_list_dispose (GObject *object)
{
  KvmrtDiagnosticList *self = KVMRT_DIAGNOSTIC_LIST (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_DIAGNOSTIC_LIST);
  /* GTK 4.8 unparents only the template children bound by id. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (kvmrt_diagnostic_list_parent_class)->dispose (object);
}

static void
kvmrt_diagnostic_list_finalize (GObject *object)
{
  KvmrtDiagnosticList *self = KVMRT_DIAGNOSTIC_LIST (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->source, g_ptr_array_unref);
  g_clear_weak_pointer (&self->expanded);
  g_clear_pointer (&self->spare_rows, g_ptr_array_unref);
  G_OBJECT_CLASS (kvmrt_diagnostic_list_parent_class)->finalize (object);
}

static void
kvmrt_diagnostic_list_class_init (KvmrtDiagnosticListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kvmrt_diagnostic_list_dispose;
  object_class->finalize = kvmrt_diagnostic_list_finalize;

  signals[SIGNAL_DIAGNOSTIC_ACTIVATED] =
    g_signal_new ("diagnostic-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                  KVMRT_TYPE_DIAGNOSTIC | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-diagnostic-list.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtDiagnosticList, summary_icon);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDiagnosticList, summary_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDiagnosticList, list_box);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDiagnosticList, placeholder);
  gtk_widget_class_bind_template_callback (widget_class, on_list_box_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_list_box_row_activated_cb);
  gtk_widget_class_install_action (widget_class, "diagnostic.explain", "s", explain_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "kvmrtdiagnosticlist");
}

static void
kvmrt_diagnostic_list_init (KvmrtDiagnosticList *self)
{
  self->items = g_ptr_array_new ();
  self->spare_rows = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_set_placeholder (self->list_box, GTK_WIDGET (self->placeholder));
}

KvmrtDiagnosticList *
kvmrt_diagnostic_list_new (void)
{
  return g_object_new (KVMRT_TYPE_DIAGNOSTIC_LIST, NULL);
}

/* Whether two findings show as the same row. */
static gboolean
same_row (const KvmrtDiagnostic *a, const KvmrtDiagnostic *b)
{
  return a->severity == b->severity && a->line == b->line && g_str_equal (a->code, b->code)
         && g_strcmp0 (a->vm_uuid, b->vm_uuid) == 0 && g_strcmp0 (a->vm_name, b->vm_name) == 0
         && g_strcmp0 (a->attribute, b->attribute) == 0 && g_str_equal (a->message, b->message);
}

/* How many of @b from @j on come before the next row of @a[@i] (0: none within reach). */
static guint
find_ahead (GPtrArray *a, guint i, GPtrArray *b, guint j)
{
  for (guint k = 1; k <= LOOK_AHEAD && j + k < b->len; k++)
    if (same_row (a->pdata[i], b->pdata[j + k]))
      return k;
  return 0;
}

/* A row showing @diagnostic: a spare one if there is one. */
static void
insert_row (KvmrtDiagnosticList *self, const KvmrtDiagnostic *diagnostic, guint position)
{
  GtkWidget *row;

  if (self->spare_rows->len == 0)
    {
      gtk_list_box_insert (self->list_box, create_row (diagnostic), (int) position);
      return;
    }
  row = g_ptr_array_steal_index_fast (self->spare_rows, self->spare_rows->len - 1);
  fill_row (row, g_object_get_data (G_OBJECT (row), "kvmrt-row-parts"), diagnostic, NULL);
  gtk_list_box_insert (self->list_box, row, (int) position);
  g_object_unref (row);
}

static void
remove_row (KvmrtDiagnosticList *self, guint position)
{
  GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (self->list_box, (int) position));

  if (row == self->expanded)
    expand_row (self, NULL);
  if (self->spare_rows->len < MAX_SPARE_ROWS)
    g_ptr_array_add (self->spare_rows, g_object_ref (row));
  gtk_list_box_remove (self->list_box, row);
}

void
kvmrt_diagnostic_list_set_diagnostics (KvmrtDiagnosticList *self, GPtrArray *diagnostics)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  GPtrArray *old = self->items;
  GPtrArray *old_source = self->source;
  guint i = 0, j = 0;

  g_return_if_fail (KVMRT_IS_DIAGNOSTIC_LIST (self));

  self->updating = TRUE;
  self->n_errors = self->n_warnings = self->n_infos = 0;
  for (guint k = 0; diagnostics != NULL && k < diagnostics->len; k++)
    {
      const KvmrtDiagnostic *diagnostic = diagnostics->pdata[k];

      g_ptr_array_add (items, (gpointer) diagnostic);
      if (diagnostic->severity == KVMRT_SEVERITY_ERROR)
        self->n_errors++;
      else if (diagnostic->severity == KVMRT_SEVERITY_WARNING)
        self->n_warnings++;
      else
        self->n_infos++;
    }
  /* g_ptr_array_sort is a stable merge sort in GLib: keeps the validator's order. */
  g_ptr_array_sort (items, compare_items);

  /* An edit changes some findings among many, and adds or drops a few: rows that show the
   * same finding stay, findings added or dropped near the same place get a row made or
   * removed, and the other rows show their new finding in place. Row j shows items[j]. */
  while (j < items->len)
    {
      GtkWidget *row;
      guint k;

      if (i < old->len && same_row (old->pdata[i], items->pdata[j]))
        {
          i++, j++;
          continue;
        }
      if (i < old->len && (k = find_ahead (old, i, items, j)) > 0)
        {
          for (guint n = 0; n < k; n++, j++)
            insert_row (self, items->pdata[j], j);
          continue;
        }
      if (i < old->len && (k = find_ahead (items, j, old, i)) > 0)
        {
          for (guint n = 0; n < k; n++, i++)
            remove_row (self, j);
          continue;
        }
      if (i < old->len)
        {
          row = GTK_WIDGET (gtk_list_box_get_row_at_index (self->list_box, j));
          fill_row (row, g_object_get_data (G_OBJECT (row), "kvmrt-row-parts"),
                    items->pdata[j], old->pdata[i]);
          i++, j++;
          continue;
        }
      insert_row (self, items->pdata[j], j);
      j++;
    }
  for (; i < old->len; i++)
    remove_row (self, j);

  self->items = g_steal_pointer (&items);
  self->source = diagnostics != NULL ? g_ptr_array_ref (diagnostics) : NULL;
  update_summary (self);
  self->updating = FALSE;
  /* The rows were compared with the findings shown before; those may go now. */
  g_ptr_array_unref (old);
  g_clear_pointer (&old_source, g_ptr_array_unref);
}

guint
kvmrt_diagnostic_list_get_n_errors (KvmrtDiagnosticList *self)
{
  g_return_val_if_fail (KVMRT_IS_DIAGNOSTIC_LIST (self), 0);
  return self->n_errors;
}

guint
kvmrt_diagnostic_list_get_n_warnings (KvmrtDiagnosticList *self)
{
  g_return_val_if_fail (KVMRT_IS_DIAGNOSTIC_LIST (self), 0);
  return self->n_warnings;
}

guint
kvmrt_diagnostic_list_get_n_items (KvmrtDiagnosticList *self)
{
  g_return_val_if_fail (KVMRT_IS_DIAGNOSTIC_LIST (self), 0);
  return self->items->len;
}

const KvmrtDiagnostic *
kvmrt_diagnostic_list_get_item (KvmrtDiagnosticList *self, guint index)
{
  g_return_val_if_fail (KVMRT_IS_DIAGNOSTIC_LIST (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);
  return self->items->pdata[index];
}

int
kvmrt_diagnostic_list_find (KvmrtDiagnosticList *self, const char *code, const char *vm_uuid)
{
  g_return_val_if_fail (KVMRT_IS_DIAGNOSTIC_LIST (self), -1);

  for (guint i = 0; i < self->items->len; i++)
    {
      const KvmrtDiagnostic *diagnostic = self->items->pdata[i];

      if (g_strcmp0 (diagnostic->code, code) == 0
          && (vm_uuid == NULL || g_ascii_strcasecmp (vm_uuid, diagnostic->vm_uuid ?: "") == 0))
        return (int) i;
    }
  return -1;
}

void
kvmrt_diagnostic_list_select (KvmrtDiagnosticList *self, guint index)
{
  GtkListBoxRow *row;

  g_return_if_fail (KVMRT_IS_DIAGNOSTIC_LIST (self));

  row = gtk_list_box_get_row_at_index (self->list_box, (int) index);
  if (row == NULL)
    return;
  if (gtk_list_box_get_selected_row (self->list_box) == row)
    emit_for_row (self, row);
  else
    gtk_list_box_select_row (self->list_box, row);
}

const char *
kvmrt_diagnostic_list_get_summary (KvmrtDiagnosticList *self)
{
  g_return_val_if_fail (KVMRT_IS_DIAGNOSTIC_LIST (self), NULL);
  return gtk_label_get_label (self->summary_label);
}
