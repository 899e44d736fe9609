/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-a11y.h"
#include "kvmrt-import-dialog.h"

#include <glib/gi18n.h>

struct _KvmrtImportDialog
{
  AdwWindow             parent_instance;

  /* template widgets */
  GtkButton            *import_button;
  GtkButton            *toggle_all_button;
  GtkStack             *stack;
  AdwPreferencesGroup  *group;

  /* owned */
  GPtrArray            *checks;    /* GtkCheckButton*, borrowed from their rows */
  GPtrArray            *uuids;     /* char*, parallel to checks */
};

enum {
  SIGNAL_IMPORT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KvmrtImportDialog, kvmrt_import_dialog, ADW_TYPE_WINDOW)

static guint
count_checked (KvmrtImportDialog *self)
{
  guint n = 0;

  for (guint i = 0; i < self->checks->len; i++)
    if (gtk_check_button_get_active (self->checks->pdata[i]))
      n++;
  return n;
}

static void
update_buttons (KvmrtImportDialog *self)
{
  guint n = count_checked (self);
  g_autofree char *label = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button), n > 0);
  if (n > 0)
    label = g_strdup_printf (ngettext ("_Import %u VM", "_Import %u VMs", n), n);
  gtk_button_set_label (self->import_button, label != NULL ? label : _("_Import"));
  gtk_button_set_label (self->toggle_all_button,
                        n == self->checks->len && n > 0 ? _("Select _None")
                                                        : _("Select _All"));
  kvmrt_a11y_name_buttons (GTK_WIDGET (self->import_button));
  kvmrt_a11y_name_buttons (GTK_WIDGET (self->toggle_all_button));
}

static void
on_check_toggled_cb (GtkCheckButton *check, KvmrtImportDialog *self)
{
  update_buttons (self);
}

static void
on_toggle_all_button_clicked_cb (GtkButton *button, KvmrtImportDialog *self)
{
  gboolean all = count_checked (self) == self->checks->len;

  for (guint i = 0; i < self->checks->len; i++)
    gtk_check_button_set_active (self->checks->pdata[i], !all);
}

static void
on_cancel_button_clicked_cb (GtkButton *button, KvmrtImportDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_import_button_clicked_cb (GtkButton *button, KvmrtImportDialog *self)
{
  g_auto(GStrv) uuids = kvmrt_import_dialog_get_checked (self);

  if (uuids[0] == NULL)
    return;
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_IMPORT], 0, uuids);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

static void
add_domain (KvmrtImportDialog *self, GVirDomain *domain, gboolean checked)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  const char *name = gvir_domain_get_name (domain);
  const char *uuid = gvir_domain_get_uuid (domain);
  g_autofree char *subtitle = NULL;

  subtitle = g_strdup_printf ("%s · %s",
                              kvmrt_libvirt_state_to_string (kvmrt_libvirt_get_state (domain)),
                              uuid);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), checked);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  name, -1);
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_check_toggled_cb), self, 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  adw_preferences_group_add (self->group, row);

  g_ptr_array_add (self->checks, check);
  g_ptr_array_add (self->uuids, g_strdup (uuid));
}

static void
kvmrt_import_dialog_finalize (GObject *object)
{
  KvmrtImportDialog *self = KVMRT_IMPORT_DIALOG (object);

  g_clear_pointer (&self->checks, g_ptr_array_unref);
  g_clear_pointer (&self->uuids, g_ptr_array_unref);
  G_OBJECT_CLASS (kvmrt_import_dialog_parent_class)->finalize (object);
}

static void
kvmrt_import_dialog_class_init (KvmrtImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = kvmrt_import_dialog_finalize;

  signals[SIGNAL_IMPORT] =
    g_signal_new ("import", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRV);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtImportDialog, toggle_all_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, KvmrtImportDialog, group);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_import_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_toggle_all_button_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kvmrt_import_dialog_init (KvmrtImportDialog *self)
{
  self->checks = g_ptr_array_new ();
  self->uuids = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  kvmrt_a11y_name_buttons (GTK_WIDGET (self));
}

KvmrtImportDialog *
kvmrt_import_dialog_new (GtkWindow    *parent,
                         KvmrtLibvirt *libvirt,
                         KvmrtConfig  *config,
                         gboolean      check_all)
{
  KvmrtImportDialog *self;
  GPtrArray *domains;

  g_return_val_if_fail (KVMRT_IS_LIBVIRT (libvirt), NULL);
  g_return_val_if_fail (KVMRT_IS_CONFIG (config), NULL);

  self = g_object_new (KVMRT_TYPE_IMPORT_DIALOG, "transient-for", parent, NULL);
  domains = kvmrt_libvirt_list_domains (libvirt);
  for (guint i = 0; i < domains->len; i++)
    {
      GVirDomain *domain = domains->pdata[i];

      if (kvmrt_config_lookup_uuid (config, gvir_domain_get_uuid (domain)) == NULL)
        add_domain (self, domain, check_all);
    }
  gtk_stack_set_visible_child_name (self->stack, self->checks->len > 0 ? "list" : "empty");
  gtk_widget_set_visible (GTK_WIDGET (self->import_button), self->checks->len > 0);
  update_buttons (self);
  return self;
}

guint
kvmrt_import_dialog_get_n_domains (KvmrtImportDialog *self)
{
  g_return_val_if_fail (KVMRT_IS_IMPORT_DIALOG (self), 0);
  return self->checks->len;
}

char **
kvmrt_import_dialog_get_checked (KvmrtImportDialog *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (KVMRT_IS_IMPORT_DIALOG (self), NULL);

  for (guint i = 0; i < self->checks->len; i++)
    if (gtk_check_button_get_active (self->checks->pdata[i]))
      g_strv_builder_add (builder, self->uuids->pdata[i]);
  return g_strv_builder_end (builder);
}

void
kvmrt_import_dialog_set_checked (KvmrtImportDialog *self, const char *uuid, gboolean checked)
{
  g_return_if_fail (KVMRT_IS_IMPORT_DIALOG (self));

  for (guint i = 0; i < self->uuids->len; i++)
    if (g_ascii_strcasecmp (self->uuids->pdata[i], uuid) == 0)
      gtk_check_button_set_active (self->checks->pdata[i], checked);
}
