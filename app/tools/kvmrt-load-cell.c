/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-load-cell.h"

#define WIDTH  64
#define HEIGHT 18

struct _KvmrtLoadCell
{
  GtkWidget parent_instance;

  double    load;
};

enum {
  PROP_0,
  PROP_LOAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KvmrtLoadCell, kvmrt_load_cell, GTK_TYPE_WIDGET)

static void
kvmrt_load_cell_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  KvmrtLoadCell *self = KVMRT_LOAD_CELL (widget);
  GdkRGBA color;
  GdkRGBA bar;
  char text[16];
  PangoLayout *layout;
  int height = gtk_widget_get_height (widget);

  if (self->load < 0)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  bar = color;
  bar.alpha = 0.25;
  gtk_snapshot_append_color (snapshot, &bar,
                             &GRAPHENE_RECT_INIT (0, height - 3, WIDTH * MIN (self->load, 1), 3));
  g_snprintf (text, sizeof text, "%.0f %%", self->load * 100);
  layout = gtk_widget_create_pango_layout (widget, text);
  gtk_snapshot_append_layout (snapshot, layout, &color);
  g_object_unref (layout);
}

static void
kvmrt_load_cell_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? WIDTH : HEIGHT;
}

static void
kvmrt_load_cell_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  if (prop_id == PROP_LOAD)
    kvmrt_load_cell_set_load (KVMRT_LOAD_CELL (object), g_value_get_double (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
kvmrt_load_cell_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  if (prop_id == PROP_LOAD)
    g_value_set_double (value, KVMRT_LOAD_CELL (object)->load);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
kvmrt_load_cell_class_init (KvmrtLoadCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->set_property = kvmrt_load_cell_set_property;
  object_class->get_property = kvmrt_load_cell_get_property;
  widget_class->snapshot = kvmrt_load_cell_snapshot;
  widget_class->measure = kvmrt_load_cell_measure;

  properties[PROP_LOAD] =
    g_param_spec_double ("load", NULL, NULL, -1, 1, -1,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "kvmrtloadcell");
}

static void
kvmrt_load_cell_init (KvmrtLoadCell *self)
{
  self->load = -1;
}

void
kvmrt_load_cell_set_load (KvmrtLoadCell *self, double load)
{
  load = CLAMP (load, -1, 1);
  if (self->load == load)
    return;
  self->load = load;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOAD]);
}

double
kvmrt_load_cell_get_load (KvmrtLoadCell *self)
{
  return self->load;
}
