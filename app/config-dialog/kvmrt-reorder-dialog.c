/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-a11y.h"
#include "kvmrt-reorder-dialog.h"

#include <glib/gi18n.h>

struct _KvmrtReorderDialog
{
  AdwWindow            parent_instance;

  /* template widgets */
  AdwPreferencesGroup *group;

  /* owned */
  KvmrtConfig         *config;
  GPtrArray           *rows;         /* GtkWidget*, borrowed from the group */
};

G_DEFINE_FINAL_TYPE (KvmrtReorderDialog, kvmrt_reorder_dialog, ADW_TYPE_WINDOW)

static void rebuild (KvmrtReorderDialog *self, KvmrtVm *focus_vm, gboolean focus_up);

static void
move (KvmrtReorderDialog *self, KvmrtVm *vm, int delta)
{
  int index = kvmrt_config_index_of (self->config, vm);
  int target = index + delta;

  if (index < 0 || target < 0 || (guint) target >= kvmrt_config_get_n_vms (self->config))
    return;
  /* The "reordered" handler rebuilds the rows; keep the keyboard focus on the moved VM. */
  g_signal_handlers_block_matched (self->config, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  kvmrt_config_move_vm (self->config, vm, (guint) target);
  g_signal_handlers_unblock_matched (self->config, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                     self);
  rebuild (self, vm, delta < 0);
}

static void
on_up_button_clicked_cb (GtkButton *button, KvmrtReorderDialog *self)
{
  move (self, g_object_get_data (G_OBJECT (button), "kvmrt-vm"), -1);
}

static void
on_down_button_clicked_cb (GtkButton *button, KvmrtReorderDialog *self)
{
  move (self, g_object_get_data (G_OBJECT (button), "kvmrt-vm"), +1);
}

static GdkContentProvider *
on_drag_source_prepare_cb (GtkDragSource *source, double x, double y, KvmrtVm *vm)
{
  return gdk_content_provider_new_typed (KVMRT_TYPE_VM, vm);
}

static void
on_drag_source_begin_cb (GtkDragSource *source, GdkDrag *drag, GtkWidget *row)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (row);

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

static gboolean
on_drop_target_drop_cb (GtkDropTarget      *target,
                        const GValue       *value,
                        double              x,
                        double              y,
                        KvmrtReorderDialog *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  KvmrtVm *onto = g_object_get_data (G_OBJECT (row), "kvmrt-vm");
  KvmrtVm *dragged = g_value_get_object (value);
  int from = kvmrt_config_index_of (self->config, dragged);
  int to = kvmrt_config_index_of (self->config, onto);

  if (from < 0 || to < 0)
    return FALSE;
  move (self, dragged, to - from);
  return TRUE;
}

static GtkWidget *
create_row (KvmrtReorderDialog *self, KvmrtVm *vm, guint index, guint n)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *handle = gtk_image_new_from_icon_name ("list-drag-handle-symbolic");
  GtkWidget *up = gtk_button_new_from_icon_name ("go-up-symbolic");
  GtkWidget *down = gtk_button_new_from_icon_name ("go-down-symbolic");
  GtkDragSource *source = gtk_drag_source_new ();
  GtkDropTarget *target = gtk_drop_target_new (KVMRT_TYPE_VM, GDK_ACTION_MOVE);
  g_autofree char *up_label = g_strdup_printf (_("Move %s Up"), kvmrt_vm_get_display_title (vm));
  g_autofree char *down_label = g_strdup_printf (_("Move %s Down"), kvmrt_vm_get_display_title (vm));
  g_autofree char *position = g_strdup_printf ("%u", index + 1);
  GtkWidget *number = gtk_label_new (position);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), kvmrt_vm_get_display_title (vm));
  if (kvmrt_vm_get_name (vm) != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), kvmrt_vm_get_name (vm));
  g_object_set_data_full (G_OBJECT (row), "kvmrt-vm", g_object_ref (vm), g_object_unref);

  gtk_widget_add_css_class (handle, "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (handle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Drag to move"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), handle);
  gtk_widget_add_css_class (number, "dim-label");
  gtk_widget_add_css_class (number, "numeric");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), number);

  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *button = i == 0 ? up : down;

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "circular");
      g_object_set_data (G_OBJECT (button), "kvmrt-vm", vm);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  gtk_widget_set_tooltip_text (up, _("Move up"));
  gtk_widget_set_tooltip_text (down, _("Move down"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (up), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  up_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (down), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  down_label, -1);
  gtk_widget_set_sensitive (up, index > 0);
  gtk_widget_set_sensitive (down, index + 1 < n);
  g_signal_connect_object (up, "clicked", G_CALLBACK (on_up_button_clicked_cb), self, 0);
  g_signal_connect_object (down, "clicked", G_CALLBACK (on_down_button_clicked_cb), self, 0);
  g_object_set_data (G_OBJECT (row), "kvmrt-up", up);
  g_object_set_data (G_OBJECT (row), "kvmrt-down", down);

  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (on_drag_source_prepare_cb), vm);
  g_signal_connect (source, "drag-begin", G_CALLBACK (on_drag_source_begin_cb), row);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (source));
  g_signal_connect_object (target, "drop", G_CALLBACK (on_drop_target_drop_cb), self, 0);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (target));
  return row;
}

static void
rebuild (KvmrtReorderDialog *self, KvmrtVm *focus_vm, gboolean focus_up)
{
  guint n = kvmrt_config_get_n_vms (self->config);

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->group, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; i < n; i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (self->config, i);
      GtkWidget *row = create_row (self, vm, i, n);

      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
      if (vm == focus_vm)
        {
          GtkWidget *button = g_object_get_data (G_OBJECT (row),
                                                 focus_up ? "kvmrt-up" : "kvmrt-down");

          if (!gtk_widget_get_sensitive (button))
            button = g_object_get_data (G_OBJECT (row), focus_up ? "kvmrt-down" : "kvmrt-up");
          gtk_widget_grab_focus (button);
        }
    }
}

static void
on_config_reordered_cb (KvmrtConfig *config, KvmrtReorderDialog *self)
{
  rebuild (self, NULL, FALSE);
}

static void
kvmrt_reorder_dialog_dispose (GObject *object)
{
  KvmrtReorderDialog *self = KVMRT_REORDER_DIALOG (object);

  if (self->config != NULL)
    g_signal_handlers_disconnect_by_data (self->config, self);
  g_clear_object (&self->config);
  G_OBJECT_CLASS (kvmrt_reorder_dialog_parent_class)->dispose (object);
}

static void
kvmrt_reorder_dialog_finalize (GObject *object)
{
  KvmrtReorderDialog *self = KVMRT_REORDER_DIALOG (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  G_OBJECT_CLASS (kvmrt_reorder_dialog_parent_class)->finalize (object);
}

static void
kvmrt_reorder_dialog_class_init (KvmrtReorderDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kvmrt_reorder_dialog_dispose;
  object_class->finalize = kvmrt_reorder_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-reorder-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtReorderDialog, group);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kvmrt_reorder_dialog_init (KvmrtReorderDialog *self)
{
  self->rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  kvmrt_a11y_name_buttons (GTK_WIDGET (self));
}

KvmrtReorderDialog *
kvmrt_reorder_dialog_new (GtkWindow *parent, KvmrtConfig *config)
{
  KvmrtReorderDialog *self;

  g_return_val_if_fail (KVMRT_IS_CONFIG (config), NULL);

  self = g_object_new (KVMRT_TYPE_REORDER_DIALOG, "transient-for", parent, NULL);
  self->config = g_object_ref (config);
  g_signal_connect (config, "reordered", G_CALLBACK (on_config_reordered_cb), self);
  rebuild (self, NULL, FALSE);
  return self;
}
