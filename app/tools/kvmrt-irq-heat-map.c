/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-irq-heat-map.h"

#include <glib/gi18n.h>
#include <math.h>

#include "kvmrt-topology-view.h"

#define NAME_W    240   /* the row names' column */
#define HEADER_H  34    /* node band and CPU numbers */
#define CELL_W    14
#define CELL_H    16

struct _KvmrtIrqHeatMap
{
  GtkWidget            parent_instance;

  KvmrtIrqHeatMapData *data;
  GHashTable          *layouts;       /* text -> PangoLayout: shaped once, drawn each frame */
  GtkAdjustment       *hadjustment;   /* the viewport's, followed to draw only what shows */
  GtkAdjustment       *vadjustment;
};

G_DEFINE_FINAL_TYPE (KvmrtIrqHeatMap, kvmrt_irq_heat_map, GTK_TYPE_WIDGET)

void
kvmrt_irq_heat_map_data_free (KvmrtIrqHeatMapData *data)
{
  if (data == NULL)
    return;
  g_strfreev (data->row_names);
  g_free (data->column_cpus);
  g_free (data->column_nodes);
  g_free (data->column_shielded);
  g_free (data->values);
  g_free (data->marks);
  g_free (data->unit);
  g_free (data);
}

/* Cold (white) to hot (deep orange), on a logarithmic scale: one interrupt a second and a
 * hundred thousand must both show. */
static void
heat_color (double value, double max, GdkRGBA *color)
{
  double t = value <= 0 || max <= 0 ? 0 : log1p (value) / log1p (max);

  t = CLAMP (t, 0, 1);
  color->red = 1.0 - 0.05 * t;
  color->green = 0.97 - 0.62 * t;
  color->blue = 0.90 - 0.85 * t;
  color->alpha = 1;
}

static void
visible_area (KvmrtIrqHeatMap *self, graphene_rect_t *area)
{
  double x = 0, y = 0;
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->hadjustment != NULL)
    {
      x = gtk_adjustment_get_value (self->hadjustment);
      w = MIN (w, gtk_adjustment_get_page_size (self->hadjustment));
    }
  if (self->vadjustment != NULL)
    {
      y = gtk_adjustment_get_value (self->vadjustment);
      h = MIN (h, gtk_adjustment_get_page_size (self->vadjustment));
    }
  graphene_rect_init (area, x, y, w, h);
}

/* The laid-out @text in @layout's font and width, kept while the map shows it: a refresh
 * changes colours far more often than names. */
static PangoLayout *
cached_layout (KvmrtIrqHeatMap *self, PangoLayout *layout, const char *text)
{
  g_autofree char *key = g_strdup_printf ("%d\x1f%s", pango_layout_get_width (layout), text);
  PangoLayout *cached = g_hash_table_lookup (self->layouts, key);

  if (cached == NULL)
    {
      cached = pango_layout_copy (layout);
      pango_layout_set_text (cached, text, -1);
      g_hash_table_insert (self->layouts, g_steal_pointer (&key), cached);
    }
  return cached;
}

static void
append_text (GtkSnapshot *snapshot, PangoLayout *layout, const char *text, double x, double y,
             const GdkRGBA *color)
{
  KvmrtIrqHeatMap *self = g_object_get_data (G_OBJECT (layout), "kvmrt-heat-map");

  layout = cached_layout (self, layout, text);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
snapshot_cells (KvmrtIrqHeatMap *self, GtkSnapshot *snapshot, guint row0, guint row1,
                guint col0, guint col1)
{
  const KvmrtIrqHeatMapData *data = self->data;
  static const GdkRGBA mark = { 0.80, 0.0, 0.0, 1 };

  for (guint r = row0; r < row1; r++)
    for (guint c = col0; c < col1; c++)
      {
        double value = data->values[r * data->n_columns + c];
        double x = NAME_W + c * CELL_W, y = HEADER_H + r * CELL_H;
        GdkRGBA color;

        if (value > 0)
          {
            heat_color (value, data->max_value, &color);
            gtk_snapshot_append_color (snapshot, &color,
                                       &GRAPHENE_RECT_INIT (x, y, CELL_W - 1, CELL_H - 1));
          }
        if (data->marks[r * data->n_columns + c])
          {
            GskRoundedRect outline;
            const float widths[4] = { 2, 2, 2, 2 };
            const GdkRGBA colors[4] = { mark, mark, mark, mark };

            gsk_rounded_rect_init_from_rect (&outline,
                                             &GRAPHENE_RECT_INIT (x, y, CELL_W - 1, CELL_H - 1),
                                             0);
            gtk_snapshot_append_border (snapshot, &outline, widths, colors);
          }
      }
}

static void
snapshot_headers (KvmrtIrqHeatMap *self, GtkSnapshot *snapshot, PangoLayout *layout,
                  const graphene_rect_t *area, guint col0, guint col1)
{
  const KvmrtIrqHeatMapData *data = self->data;
  static const GdkRGBA header = { 0.96, 0.96, 0.96, 1 };
  static const GdkRGBA text = { 0.1, 0.1, 0.1, 1 };
  static const GdkRGBA band[2] = { { 0.88, 0.90, 0.96, 1 }, { 0.93, 0.93, 0.86, 1 } };
  double top = area->origin.y;
  GdkRGBA shielded;

  /* A shielded CPU in the colour the topology gives a real-time VM's CPUs. */
  kvmrt_topology_owner_color (KVMRT_OWNER_RT_VM, &shielded);
  gtk_snapshot_append_color (snapshot, &header,
                             &GRAPHENE_RECT_INIT (area->origin.x, top, area->size.width,
                                                  HEADER_H));
  /* Bands first: a node's name runs over the next columns' bands. */
  for (guint c = col0; c < col1; c++)
    {
      double x = NAME_W + c * CELL_W;

      gtk_snapshot_append_color (snapshot, &band[data->column_nodes[c] % 2 == 0 ? 0 : 1],
                                 &GRAPHENE_RECT_INIT (x, top, CELL_W, 16));
      if (data->column_shielded[c])
        gtk_snapshot_append_color (snapshot, &shielded,
                                   &GRAPHENE_RECT_INIT (x, top + 17, CELL_W - 1, HEADER_H - 17));
    }
  for (guint c = col0; c < col1; c++)
    {
      double x = NAME_W + c * CELL_W;

      if (c == col0 || data->column_nodes[c] != data->column_nodes[c - 1])
        {
          g_autofree char *node = g_strdup_printf (_("node %d"), data->column_nodes[c]);

          append_text (snapshot, layout, node, x + 2, top + 1, &text);
        }
      /* Every fourth CPU number fits. */
      if (data->column_cpus[c] % 4 == 0)
        {
          g_autofree char *cpu = g_strdup_printf ("%u", data->column_cpus[c]);

          append_text (snapshot, layout, cpu, x, top + 18, &text);
        }
    }
}

static void
snapshot_names (KvmrtIrqHeatMap *self, GtkSnapshot *snapshot, PangoLayout *layout,
                const graphene_rect_t *area, guint row0, guint row1)
{
  const KvmrtIrqHeatMapData *data = self->data;
  static const GdkRGBA back = { 0.98, 0.98, 0.98, 1 };
  static const GdkRGBA text = { 0.1, 0.1, 0.1, 1 };
  static const GdkRGBA alert = { 0.75, 0.0, 0.0, 1 };
  double left = area->origin.x;

  gtk_snapshot_append_color (snapshot, &back,
                             &GRAPHENE_RECT_INIT (left, area->origin.y, NAME_W,
                                                  area->size.height));
  for (guint r = row0; r < row1; r++)
    {
      gboolean marked = FALSE;

      for (guint c = 0; c < data->n_columns && !marked; c++)
        marked = data->marks[r * data->n_columns + c];
      append_text (snapshot, layout, data->row_names[r], left + 4, HEADER_H + r * CELL_H,
                   marked ? &alert : &text);
    }
}

static void
kvmrt_irq_heat_map_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  KvmrtIrqHeatMap *self = KVMRT_IRQ_HEAT_MAP (widget);
  const KvmrtIrqHeatMapData *data = self->data;
  graphene_rect_t area;
  PangoLayout *layout;
  PangoFontDescription *font;
  guint row0, row1, col0, col1;

  if (data == NULL)
    return;
  visible_area (self, &area);
  row0 = MIN (data->n_rows, (guint) MAX (0, (area.origin.y - HEADER_H) / CELL_H));
  row1 = MIN (data->n_rows, (guint) ((area.origin.y + area.size.height) / CELL_H) + 1);
  col0 = MIN (data->n_columns, (guint) MAX (0, (area.origin.x + NAME_W - NAME_W) / CELL_W));
  col1 = MIN (data->n_columns, (guint) ((area.origin.x + area.size.width) / CELL_W) + 1);

  layout = gtk_widget_create_pango_layout (widget, NULL);
  g_object_set_data (G_OBJECT (layout), "kvmrt-heat-map", self);
  font = pango_font_description_from_string ("Sans 8");
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_width (layout, (NAME_W - 8) * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);

  snapshot_cells (self, snapshot, row0, row1, col0, col1);
  snapshot_names (self, snapshot, layout, &area, row0, row1);
  pango_layout_set_width (layout, -1);
  snapshot_headers (self, snapshot, layout, &area, col0, col1);
  g_object_unref (layout);
}

static void
kvmrt_irq_heat_map_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  KvmrtIrqHeatMap *self = KVMRT_IRQ_HEAT_MAP (widget);
  guint n = self->data == NULL ? 0
            : orientation == GTK_ORIENTATION_HORIZONTAL ? self->data->n_columns
                                                        : self->data->n_rows;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = NAME_W + n * CELL_W;
  else
    *minimum = *natural = HEADER_H + n * CELL_H;
}

/* The cell under a point, for the tooltip. */
static gboolean
cell_at (KvmrtIrqHeatMap *self, double x, double y, guint *row, guint *column)
{
  if (self->data == NULL || x < NAME_W || y < HEADER_H)
    return FALSE;
  *row = (guint) ((y - HEADER_H) / CELL_H);
  *column = (guint) ((x - NAME_W) / CELL_W);
  return *row < self->data->n_rows && *column < self->data->n_columns;
}

static gboolean
on_query_tooltip_cb (GtkWidget  *widget,
                     int         x,
                     int         y,
                     gboolean    keyboard,
                     GtkTooltip *tooltip,
                     gpointer    user_data)
{
  KvmrtIrqHeatMap *self = KVMRT_IRQ_HEAT_MAP (widget);
  g_autofree char *text = NULL;
  guint row, column;
  graphene_rect_t area;

  visible_area (self, &area);
  /* The names and headers stay in view: points on them are not cells. */
  if (x - area.origin.x < NAME_W || y - area.origin.y < HEADER_H
      || !cell_at (self, x, y, &row, &column))
    return FALSE;
  text = g_strdup_printf (_("%s\nCPU %u (node %d)%s\n%.0f%s"), self->data->row_names[row],
                          self->data->column_cpus[column], self->data->column_nodes[column],
                          self->data->column_shielded[column] ? _(", shielded") : "",
                          self->data->values[row * self->data->n_columns + column],
                          self->data->unit);
  if (self->data->marks[row * self->data->n_columns + column])
    {
      g_autofree char *marked = g_strconcat (text, "\n", _("Not the VM's own device"), NULL);

      g_free (text);
      text = g_steal_pointer (&marked);
    }
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
on_adjustment_changed_cb (GtkAdjustment *adjustment, KvmrtIrqHeatMap *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
follow_adjustment (KvmrtIrqHeatMap *self, GtkAdjustment **slot, GtkAdjustment *adjustment)
{
  if (*slot == adjustment)
    return;
  if (*slot != NULL)
    g_signal_handlers_disconnect_by_data (*slot, self);
  g_set_object (slot, adjustment);
  if (adjustment != NULL)
    g_signal_connect (adjustment, "value-changed", G_CALLBACK (on_adjustment_changed_cb), self);
}

/* The viewport around the map scrolls it by moving it; the map draws the part in view. */
static void
kvmrt_irq_heat_map_root (GtkWidget *widget)
{
  KvmrtIrqHeatMap *self = KVMRT_IRQ_HEAT_MAP (widget);
  GtkWidget *parent = gtk_widget_get_parent (widget);

  GTK_WIDGET_CLASS (kvmrt_irq_heat_map_parent_class)->root (widget);
  if (GTK_IS_SCROLLABLE (parent))
    {
      follow_adjustment (self, &self->hadjustment,
                         gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (parent)));
      follow_adjustment (self, &self->vadjustment,
                         gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (parent)));
    }
}

static void
kvmrt_irq_heat_map_dispose (GObject *object)
{
  KvmrtIrqHeatMap *self = KVMRT_IRQ_HEAT_MAP (object);

  follow_adjustment (self, &self->hadjustment, NULL);
  follow_adjustment (self, &self->vadjustment, NULL);
  G_OBJECT_CLASS (kvmrt_irq_heat_map_parent_class)->dispose (object);
}

static void
kvmrt_irq_heat_map_finalize (GObject *object)
{
  KvmrtIrqHeatMap *self = KVMRT_IRQ_HEAT_MAP (object);

  kvmrt_irq_heat_map_data_free (self->data);
  g_hash_table_unref (self->layouts);
  G_OBJECT_CLASS (kvmrt_irq_heat_map_parent_class)->finalize (object);
}

static void
kvmrt_irq_heat_map_class_init (KvmrtIrqHeatMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kvmrt_irq_heat_map_dispose;
  object_class->finalize = kvmrt_irq_heat_map_finalize;
  widget_class->snapshot = kvmrt_irq_heat_map_snapshot;
  widget_class->measure = kvmrt_irq_heat_map_measure;
  widget_class->root = kvmrt_irq_heat_map_root;
  gtk_widget_class_set_css_name (widget_class, "kvmrtirqheatmap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
kvmrt_irq_heat_map_init (KvmrtIrqHeatMap *self)
{
  self->layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip_cb), NULL);
}

GtkWidget *
kvmrt_irq_heat_map_new (void)
{
  return g_object_new (KVMRT_TYPE_IRQ_HEAT_MAP, NULL);
}

void
kvmrt_irq_heat_map_set_data (KvmrtIrqHeatMap *self, KvmrtIrqHeatMapData *data)
{
  gboolean resized = self->data == NULL || data == NULL
                     || self->data->n_rows != data->n_rows
                     || self->data->n_columns != data->n_columns;

  kvmrt_irq_heat_map_data_free (self->data);
  self->data = data;
  /* Names come and go with IRQs: start over rather than grow without end. */
  if (g_hash_table_size (self->layouts) > 4096)
    g_hash_table_remove_all (self->layouts);
  if (resized)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const KvmrtIrqHeatMapData *
kvmrt_irq_heat_map_get_data (KvmrtIrqHeatMap *self)
{
  return self->data;
}
