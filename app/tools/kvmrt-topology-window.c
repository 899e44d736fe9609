/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-topology-window.h"

#include <glib/gi18n.h>

#include "kvmrt-tools-feed.h"
#include "kvmrt-tools-owners.h"

#define ZOOM_STEP 1.25

struct _KvmrtTopologyWindow
{
  AdwWindow          parent_instance;

  /* Template widgets */
  AdwWindowTitle    *window_title;
  AdwToastOverlay   *toast_overlay;
  GtkScrolledWindow *scroller;
  KvmrtTopologyView *view;
  GtkButton         *zoom_button;
  GtkSearchEntry    *find_entry;
  GtkLabel          *selection_label;
  GtkBox            *owners_box;

  /* Owned */
  KvmrtManager      *manager;
  KvmrtToolsFeed    *feed;
  GtkFileChooserNative *chooser;
  guint              updates;
  gboolean           show_io;
  gboolean           show_caches;
  gboolean           show_offline;
};

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_SHOW_IO,
  PROP_SHOW_CACHES,
  PROP_SHOW_OFFLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KvmrtTopologyWindow, kvmrt_topology_window, ADW_TYPE_WINDOW)

static void set_zoom (KvmrtTopologyWindow *self, double zoom);

static void
show_owners (KvmrtTopologyWindow *self, KvmrtHost *host, KvmrtOwnership *ownership)
{
  g_autoptr(GPtrArray) lines = kvmrt_tools_describe_owners (host, ownership);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->owners_box))) != NULL)
    gtk_box_remove (self->owners_box, child);
  for (guint i = 0; i < lines->len; i++)
    {
      GtkWidget *label = gtk_label_new (lines->pdata[i]);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_box_append (self->owners_box, label);
    }
}

static void
on_feed_updated_cb (KvmrtTopologyWindow *self)
{
  KvmrtHost *host = kvmrt_tools_feed_get_host (self->feed);
  KvmrtOwnership *ownership = kvmrt_tools_feed_get_ownership (self->feed);

  kvmrt_topology_view_set_host (self->view, host, ownership,
                                kvmrt_tools_feed_get_findings (self->feed));
  show_owners (self, host, ownership);
  /* A big host starts fitted to the window (not below half size, where text blurs). */
  if (self->updates++ == 0)
    {
      int width, height, room = gtk_widget_get_width (GTK_WIDGET (self->scroller));

      kvmrt_topology_view_get_natural_size (self->view, &width, &height);
      if (room > 0 && width > room)
        set_zoom (self, MAX (0.5, (double) (room - 2) / width));
    }
}

static void
on_feed_failed_cb (KvmrtTopologyWindow *self, const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
on_view_selection_cb (KvmrtTopologyWindow *self)
{
  g_autofree char *text = kvmrt_topology_view_describe_selection (self->view);

  if (text != NULL)
    gtk_label_set_text (self->selection_label, text);
}

static void
on_find_changed_cb (KvmrtTopologyWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->find_entry));

  if (*text != '\0')
    kvmrt_topology_view_select (self->view, text);
}

static void
set_zoom (KvmrtTopologyWindow *self, double zoom)
{
  g_autofree char *label = NULL;

  kvmrt_topology_view_set_zoom (self->view, zoom);
  label = g_strdup_printf ("%.0f%%", kvmrt_topology_view_get_zoom (self->view) * 100);
  gtk_button_set_label (self->zoom_button, label);
}

static void
zoom_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtTopologyWindow *self = KVMRT_TOPOLOGY_WINDOW (widget);
  double zoom = kvmrt_topology_view_get_zoom (self->view);

  if (g_str_equal (action_name, "topology.zoom-in"))
    set_zoom (self, zoom * ZOOM_STEP);
  else if (g_str_equal (action_name, "topology.zoom-out"))
    set_zoom (self, zoom / ZOOM_STEP);
  else if (g_str_equal (action_name, "topology.zoom-reset"))
    set_zoom (self, 1);
  else
    {
      /* Fit the width: the host scrolls down. */
      int width, height;
      int room_w = gtk_widget_get_width (GTK_WIDGET (self->scroller));

      kvmrt_topology_view_get_natural_size (self->view, &width, &height);
      if (width > 0 && height > 0)
        set_zoom (self, (double) (room_w - 2) / width);
    }
}

static void
on_chooser_response_cb (GtkNativeDialog *chooser, int response, gpointer data)
{
  KvmrtTopologyWindow *self = KVMRT_TOPOLOGY_WINDOW (data);
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  KvmrtTopologyExportFormat format =
    GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "format"));

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  path = file != NULL ? g_file_get_path (file) : NULL;
  if (path != NULL)
    {
      g_autofree char *message = NULL;

      if (kvmrt_topology_view_export (self->view, path, format, &error))
        message = g_strdup_printf (_("Saved %s"), path);
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (message != NULL ? message : error->message));
    }
  g_clear_object (&self->chooser);
}

static void
export_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtTopologyWindow *self = KVMRT_TOPOLOGY_WINDOW (widget);
  gboolean svg = g_str_equal (g_variant_get_string (param, NULL), "svg");
  const char *name = kvmrt_host_get_hostname (kvmrt_manager_get_host (self->manager));
  g_autofree char *file_name = g_strdup_printf ("%s-topology.%s", name != NULL ? name : "host",
                                                svg ? "svg" : "png");

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (svg ? _("Export Topology as SVG")
                                                   : _("Export Topology as PNG"),
                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), file_name);
  g_object_set_data (G_OBJECT (self->chooser), "format",
                     GINT_TO_POINTER (svg ? KVMRT_TOPOLOGY_EXPORT_SVG
                                          : KVMRT_TOPOLOGY_EXPORT_PNG));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
kvmrt_topology_window_constructed (GObject *object)
{
  KvmrtTopologyWindow *self = KVMRT_TOPOLOGY_WINDOW (object);

  G_OBJECT_CLASS (kvmrt_topology_window_parent_class)->constructed (object);

  adw_window_title_set_subtitle (self->window_title,
                                 kvmrt_manager_get_host_title (self->manager));
  /* The drawing changes with VM events only: no periodic sampling. */
  self->feed = kvmrt_tools_feed_new (self->manager, KVMRT_TOOLS_FEED_HOST,
                                     KVMRT_HOST_SAMPLE_ONLINE);
  g_signal_connect_swapped (self->feed, "updated", G_CALLBACK (on_feed_updated_cb), self);
  g_signal_connect_swapped (self->feed, "failed", G_CALLBACK (on_feed_failed_cb), self);
  kvmrt_topology_view_set_host (self->view, kvmrt_manager_get_host (self->manager), NULL,
                                NULL);
}

static void
kvmrt_topology_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  KvmrtTopologyWindow *self = KVMRT_TOPOLOGY_WINDOW (object);
  gboolean show = G_VALUE_HOLDS_BOOLEAN (value) ? g_value_get_boolean (value) : FALSE;

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;
    case PROP_SHOW_IO:
      self->show_io = show;
      kvmrt_topology_view_set_show_io (self->view, show);
      break;
    case PROP_SHOW_CACHES:
      self->show_caches = show;
      kvmrt_topology_view_set_show_caches (self->view, show);
      break;
    case PROP_SHOW_OFFLINE:
      self->show_offline = show;
      kvmrt_topology_view_set_show_offline (self->view, show);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (prop_id != PROP_MANAGER)
    g_object_notify_by_pspec (object, pspec);
}

static void
kvmrt_topology_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  KvmrtTopologyWindow *self = KVMRT_TOPOLOGY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_SHOW_IO:
      g_value_set_boolean (value, self->show_io);
      break;
    case PROP_SHOW_CACHES:
      g_value_set_boolean (value, self->show_caches);
      break;
    case PROP_SHOW_OFFLINE:
      g_value_set_boolean (value, self->show_offline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_topology_window_dispose (GObject *object)
{
  KvmrtTopologyWindow *self = KVMRT_TOPOLOGY_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->feed != NULL)
    g_signal_handlers_disconnect_by_data (self->feed, self);
  g_clear_object (&self->feed);
  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_TOPOLOGY_WINDOW);
  G_OBJECT_CLASS (kvmrt_topology_window_parent_class)->dispose (object);
}

static void
kvmrt_topology_window_finalize (GObject *object)
{
  KvmrtTopologyWindow *self = KVMRT_TOPOLOGY_WINDOW (object);

  g_clear_object (&self->manager);
  G_OBJECT_CLASS (kvmrt_topology_window_parent_class)->finalize (object);
}

static void
kvmrt_topology_window_class_init (KvmrtTopologyWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char *const zooms[] = {
    "topology.zoom-in", "topology.zoom-out", "topology.zoom-reset", "topology.zoom-fit",
  };

  object_class->constructed = kvmrt_topology_window_constructed;
  object_class->set_property = kvmrt_topology_window_set_property;
  object_class->get_property = kvmrt_topology_window_get_property;
  object_class->dispose = kvmrt_topology_window_dispose;
  object_class->finalize = kvmrt_topology_window_finalize;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, KVMRT_TYPE_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_IO] =
    g_param_spec_boolean ("show-io", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_CACHES] =
    g_param_spec_boolean ("show-caches", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_OFFLINE] =
    g_param_spec_boolean ("show-offline", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KVMRT_TYPE_TOPOLOGY_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-topology-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtTopologyWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KvmrtTopologyWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KvmrtTopologyWindow, scroller);
  gtk_widget_class_bind_template_child (widget_class, KvmrtTopologyWindow, view);
  gtk_widget_class_bind_template_child (widget_class, KvmrtTopologyWindow, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtTopologyWindow, find_entry);
  gtk_widget_class_bind_template_child (widget_class, KvmrtTopologyWindow, selection_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtTopologyWindow, owners_box);
  gtk_widget_class_bind_template_callback (widget_class, on_view_selection_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_find_changed_cb);

  gtk_widget_class_install_property_action (widget_class, "topology.show-io", "show-io");
  gtk_widget_class_install_property_action (widget_class, "topology.show-caches",
                                            "show-caches");
  gtk_widget_class_install_property_action (widget_class, "topology.show-offline",
                                            "show-offline");
  for (guint i = 0; i < G_N_ELEMENTS (zooms); i++)
    gtk_widget_class_install_action (widget_class, zooms[i], NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "topology.export", "s", export_activated);
}

static void
kvmrt_topology_window_init (KvmrtTopologyWindow *self)
{
  self->show_io = self->show_caches = self->show_offline = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
}

KvmrtTopologyWindow *
kvmrt_topology_window_new (GtkApplication *app, KvmrtManager *manager)
{
  g_return_val_if_fail (KVMRT_IS_MANAGER (manager), NULL);

  return g_object_new (KVMRT_TYPE_TOPOLOGY_WINDOW,
                       "application", app,
                       "manager", manager,
                       NULL);
}

KvmrtManager *
kvmrt_topology_window_get_manager (KvmrtTopologyWindow *self)
{
  return self->manager;
}

KvmrtTopologyView *
kvmrt_topology_window_get_view (KvmrtTopologyWindow *self)
{
  return self->view;
}

guint
kvmrt_topology_window_get_updates (KvmrtTopologyWindow *self)
{
  return self->updates;
}
