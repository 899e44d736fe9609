/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A row that asks its children for their widths without a height.
 *
 * GtkBoxLayout asks each child of a horizontal box for its width at the child's minimum
 * height, and again at the row's height when it allocates. A wrapping label answers such a
 * width-for-height question by laying its text out at a dozen widths (a binary search), so a
 * card with a wrapped drift line shaped the same text about a hundred times before its first
 * frame. In a list of cards the row's width is what is given and its height follows, so the
 * widths are all this layout needs: each child gets its natural width while there is room,
 * the children that expand share the rest, and the row is as high as its highest child at
 * those widths. Children are centred or filled by their own valign; GTK asks a child that is
 * not filled for its width at the row's height when it allocates it, so a child that wraps
 * should fill. */
#include "config.h"

#include "kvmrt-row-layout.h"

struct _KvmrtRowLayout
{
  GtkLayoutManager parent_instance;

  int spacing;   /* pixels between children */
};

G_DEFINE_FINAL_TYPE (KvmrtRowLayout, kvmrt_row_layout, GTK_TYPE_LAYOUT_MANAGER)

enum { PROP_0, PROP_SPACING, N_PROPS };
static GParamSpec *properties[N_PROPS];

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    n += gtk_widget_should_layout (c) ? 1 : 0;
  return n;
}

/* Fills @sizes with the laid-out children and their widths without a height. */
static void
measure_widths (GtkWidget *widget, GtkRequestedSize *sizes)
{
  guint i = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      if (!gtk_widget_should_layout (c))
        continue;
      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &sizes[i].minimum_size,
                          &sizes[i].natural_size, NULL, NULL);
      sizes[i].data = c;
      i++;
    }
}

/* Each child's width in a row @width wide, in sizes[i].minimum_size. */
static void
distribute (KvmrtRowLayout *self, int width, GtkRequestedSize *sizes, guint n)
{
  int extra = width - (int) (n - 1) * self->spacing;
  guint n_expand = 0;

  for (guint i = 0; i < n; i++)
    {
      extra -= sizes[i].minimum_size;
      if (gtk_widget_compute_expand (sizes[i].data, GTK_ORIENTATION_HORIZONTAL))
        n_expand++;
    }
  extra = gtk_distribute_natural_allocation (MAX (extra, 0), n, sizes);
  for (guint i = 0, given = 0; i < n && n_expand > 0; i++)
    if (gtk_widget_compute_expand (sizes[i].data, GTK_ORIENTATION_HORIZONTAL))
      {
        /* The first expanding children take the pixels that do not divide evenly. */
        sizes[i].minimum_size += extra / n_expand + (given < (guint) extra % n_expand ? 1 : 0);
        given++;
      }
}

static GtkSizeRequestMode
kvmrt_row_layout_get_request_mode (GtkLayoutManager *manager, GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
kvmrt_row_layout_measure (GtkLayoutManager *manager,
                          GtkWidget        *widget,
                          GtkOrientation    orientation,
                          int               for_size,
                          int              *minimum,
                          int              *natural,
                          int              *minimum_baseline,
                          int              *natural_baseline)
{
  KvmrtRowLayout *self = KVMRT_ROW_LAYOUT (manager);
  guint n = count_children (widget);
  GtkRequestedSize *sizes;

  *minimum = *natural = 0;
  if (n == 0)
    return;
  sizes = g_newa (GtkRequestedSize, n);
  measure_widths (widget, sizes);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      for (guint i = 0; i < n; i++)
        {
          *minimum += sizes[i].minimum_size;
          *natural += sizes[i].natural_size;
        }
      *minimum += (int) (n - 1) * self->spacing;
      *natural += (int) (n - 1) * self->spacing;
      return;
    }
  if (for_size >= 0)
    distribute (self, for_size, sizes, n);
  for (guint i = 0; i < n; i++)
    {
      int child_min = 0, child_nat = 0;

      gtk_widget_measure (sizes[i].data, GTK_ORIENTATION_VERTICAL,
                          for_size >= 0 ? sizes[i].minimum_size : -1, &child_min, &child_nat,
                          NULL, NULL);
      *minimum = MAX (*minimum, child_min);
      *natural = MAX (*natural, child_nat);
    }
}

static void
kvmrt_row_layout_allocate (GtkLayoutManager *manager,
                           GtkWidget        *widget,
                           int               width,
                           int               height,
                           int               baseline)
{
  KvmrtRowLayout *self = KVMRT_ROW_LAYOUT (manager);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  guint n = count_children (widget);
  GtkRequestedSize *sizes;
  int x = 0;

  if (n == 0)
    return;
  sizes = g_newa (GtkRequestedSize, n);
  measure_widths (widget, sizes);
  distribute (self, width, sizes, n);
  for (guint i = 0; i < n; i++)
    {
      int child_width = sizes[i].minimum_size;
      GtkAllocation box = { rtl ? width - x - child_width : x, 0, child_width, height };

      gtk_widget_size_allocate (sizes[i].data, &box, -1);
      x += child_width + self->spacing;
    }
}

static void
kvmrt_row_layout_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  KvmrtRowLayout *self = KVMRT_ROW_LAYOUT (object);

  switch (prop_id)
    {
    case PROP_SPACING:
      g_value_set_int (value, self->spacing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_row_layout_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KvmrtRowLayout *self = KVMRT_ROW_LAYOUT (object);

  switch (prop_id)
    {
    case PROP_SPACING:
      self->spacing = g_value_get_int (value);
      gtk_layout_manager_layout_changed (GTK_LAYOUT_MANAGER (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_row_layout_class_init (KvmrtRowLayoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkLayoutManagerClass *layout_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  object_class->get_property = kvmrt_row_layout_get_property;
  object_class->set_property = kvmrt_row_layout_set_property;
  layout_class->get_request_mode = kvmrt_row_layout_get_request_mode;
  layout_class->measure = kvmrt_row_layout_measure;
  layout_class->allocate = kvmrt_row_layout_allocate;

  properties[PROP_SPACING] =
    g_param_spec_int ("spacing", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kvmrt_row_layout_init (KvmrtRowLayout *self)
{
}

GtkLayoutManager *
kvmrt_row_layout_new (int spacing)
{
  return g_object_new (KVMRT_TYPE_ROW_LAYOUT, "spacing", spacing, NULL);
}
