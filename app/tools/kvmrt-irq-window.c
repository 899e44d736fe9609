/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-irq-window.h"

#include <glib/gi18n.h>

#include "kvmrt-tools-feed.h"

#define DEFAULT_INTERVAL_MS 1000
#define MAX_ALERTS  8
#define MAX_BUSIEST 5

typedef enum {
  SORT_NUMBER,
  SORT_ACTIVITY,
  SORT_NAME,
} SortOrder;

struct _KvmrtIrqWindow
{
  AdwWindow        parent_instance;

  /* Template widgets */
  AdwWindowTitle  *window_title;
  AdwToastOverlay *toast_overlay;
  GtkLabel        *alert_label;
  GtkLabel        *busiest_label;
  GtkDropDown     *sort_dropdown;
  KvmrtIrqHeatMap *heat_map;

  /* Owned */
  KvmrtManager    *manager;
  KvmrtToolsFeed  *feed;
  guint            updates;
  gboolean         show_counts;
  gboolean         only_active;
};

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_SHOW_COUNTS,
  PROP_ONLY_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KvmrtIrqWindow, kvmrt_irq_window, ADW_TYPE_WINDOW)

/* The map's data ----------------------------------------------------------------------- */

typedef struct {
  guint   row;        /* in the sample */
  double  total;      /* over all CPUs: what "By Activity" sorts on */
  double *values;     /* per column */
  gboolean *marks;
} Row;

typedef struct {
  const KvmrtHostSample *sample;
  SortOrder order;
} SortContext;

static int
compare_rows (gconstpointer a, gconstpointer b, gpointer data)
{
  const Row *ra = a, *rb = b;
  const SortContext *context = data;
  const KvmrtIrq *ia = context->sample->irqs->pdata[ra->row];
  const KvmrtIrq *ib = context->sample->irqs->pdata[rb->row];

  if (context->order == SORT_ACTIVITY && ra->total != rb->total)
    return ra->total < rb->total ? 1 : -1;
  if (context->order == SORT_NAME)
    {
      int by_name = g_strcmp0 (ia->actions != NULL ? ia->actions : ia->name,
                               ib->actions != NULL ? ib->actions : ib->name);

      if (by_name != 0)
        return by_name;
    }
  return (ra->row > rb->row) - (ra->row < rb->row);
}

/* Host CPUs by node, then number: the map's columns. */
static GArray *
order_columns (KvmrtHost *host)
{
  const KvmrtIdSet *nodes = kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE);
  g_autoptr(KvmrtIdSet) left = kvmrt_id_set_copy (kvmrt_host_get_cpus (host));
  GArray *cpus = g_array_new (FALSE, FALSE, sizeof (guint));

  for (int node = kvmrt_id_set_first (nodes); node >= 0; node = kvmrt_id_set_next (nodes, node))
    {
      const KvmrtIdSet *mine = kvmrt_host_get_level_cpus (host, KVMRT_HOST_LEVEL_NODE, node);

      for (int cpu = kvmrt_id_set_first (mine); cpu >= 0; cpu = kvmrt_id_set_next (mine, cpu))
        if (kvmrt_id_set_contains (left, cpu))
          {
            guint value = cpu;

            g_array_append_val (cpus, value);
            kvmrt_id_set_remove (left, cpu);
          }
    }
  for (int cpu = kvmrt_id_set_first (left); cpu >= 0; cpu = kvmrt_id_set_next (left, cpu))
    {
      guint value = cpu;

      g_array_append_val (cpus, value);
    }
  return cpus;
}

static char *
row_name (const KvmrtIrq *irq)
{
  if (irq->number < 0)
    return g_strdup_printf ("%s  %s", irq->name, irq->description != NULL ? irq->description
                                                                          : "");
  return g_strdup_printf ("%s  %s", irq->name, irq->actions != NULL ? irq->actions
                                                                   : irq->chip != NULL
                                                                   ? irq->chip : "");
}

/* Count column of each CPU in @sample, -1 where it has none (offline). */
static int *
column_index (const KvmrtHostSample *sample)
{
  int *index = g_new (int, sample->n_cpus);

  for (guint i = 0; i < sample->n_cpus; i++)
    index[i] = -1;
  for (guint i = 0; i < sample->irq_cpus->len; i++)
    {
      guint cpu = g_array_index (sample->irq_cpus, guint, i);

      if (cpu < sample->n_cpus)
        index[cpu] = i;
    }
  return index;
}

static void
add_alert (GString *alerts, guint *n_alerts, const KvmrtIrq *irq, guint cpu, guint64 delta,
           double seconds, const KvmrtCpuOwner *owner)
{
  if (++*n_alerts > MAX_ALERTS)
    return;
  if (alerts->len > 0)
    g_string_append_c (alerts, '\n');
  g_string_append_printf (alerts,
                          _("IRQ %s (%s) fired %" G_GUINT64_FORMAT " times on shielded CPU %u "
                            "of %s in %.1f s (%.0f/s): not the VM's own device"),
                          irq->name, irq->actions != NULL ? irq->actions : _("no handler"),
                          delta, cpu, owner->vm_name != NULL ? owner->vm_name : _("a VM"),
                          seconds, delta / seconds);
}

guint
kvmrt_irq_window_update (KvmrtIrqWindow *self)
{
  const KvmrtHostSample *sample = kvmrt_tools_feed_get_sample (self->feed);
  const KvmrtHostSample *base = kvmrt_tools_feed_get_base (self->feed);
  KvmrtOwnership *ownership = kvmrt_tools_feed_get_ownership (self->feed);
  g_autoptr(GArray) columns = NULL;
  g_autofree int *index = NULL;
  g_autofree int *sample_column = NULL;
  g_autofree gboolean *shielded = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GString) alerts = g_string_new (NULL);
  g_autoptr(GString) busiest = g_string_new (NULL);
  KvmrtIrqHeatMapData *data;
  SortContext context;
  double seconds, max = 0;
  guint n_alerts = 0;

  if (sample == NULL || ownership == NULL)
    return self->updates;
  columns = order_columns (kvmrt_tools_feed_get_host (self->feed));
  index = column_index (sample);
  /* The sampler's first interval is the moment between opening the file and reading it. */
  seconds = sample->interval >= 0.1 ? sample->interval : 0;
  rows = g_array_new (FALSE, TRUE, sizeof (Row));
  /* Per column, once: its count column in the sample and whether its CPU is shielded. */
  sample_column = g_new (int, columns->len);
  shielded = g_new0 (gboolean, columns->len);
  for (guint c = 0; c < columns->len; c++)
    {
      guint cpu = g_array_index (columns, guint, c);
      const KvmrtCpuOwner *owner = kvmrt_ownership_get_cpu (ownership, cpu);

      sample_column[c] = cpu < sample->n_cpus ? index[cpu] : -1;
      shielded[c] = owner != NULL && owner->shielded;
    }

  for (guint r = 0; r < sample->irqs->len; r++)
    {
      const KvmrtIrq *irq = sample->irqs->pdata[r];
      Row row = { r, 0, g_new0 (double, columns->len), g_new0 (gboolean, columns->len) };

      /* ERR and MIS are one total, not per CPU. */
      if (irq->counts->len < sample->irq_cpus->len)
        {
          g_free (row.values);
          g_free (row.marks);
          continue;
        }
      for (guint c = 0; c < columns->len; c++)
        {
          guint cpu = g_array_index (columns, guint, c);
          int column = sample_column[c];
          guint64 delta = 0;

          if (column < 0)
            continue;
          if (seconds > 0)
            delta = kvmrt_host_sample_delta (sample, r, column);
          if (self->show_counts)
            row.values[c] = base == sample ? 0 : kvmrt_host_sample_since (base, sample, r,
                                                                          column);
          else
            row.values[c] = seconds > 0 ? delta / seconds : 0;
          row.total += row.values[c];
          /* Device interrupts only: the per-CPU ones (timer, IPIs) belong to every CPU. */
          if (delta > 0 && irq->number >= 0 && shielded[c]
              && !kvmrt_ownership_irq_is_owners (ownership, irq, cpu))
            {
              row.marks[c] = TRUE;
              add_alert (alerts, &n_alerts, irq, cpu, delta, seconds,
                         kvmrt_ownership_get_cpu (ownership, cpu));
            }
        }
      if (self->only_active && row.total <= 0)
        {
          g_free (row.values);
          g_free (row.marks);
          continue;
        }
      g_array_append_val (rows, row);
    }

  context.sample = sample;
  context.order = SORT_ACTIVITY;
  g_array_sort_with_data (rows, compare_rows, &context);
  for (guint i = 0; i < MIN (rows->len, MAX_BUSIEST); i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      const KvmrtIrq *irq = sample->irqs->pdata[row->row];

      if (row->total <= 0)
        break;
      g_autofree char *name = row_name (irq);

      g_string_append_printf (busiest, "%s%s: %.0f%s", busiest->len > 0 ? "; " : "",
                              g_strstrip (name), row->total, self->show_counts ? "" : "/s");
    }
  context.order = gtk_drop_down_get_selected (self->sort_dropdown);
  g_array_sort_with_data (rows, compare_rows, &context);

  data = g_new0 (KvmrtIrqHeatMapData, 1);
  data->n_rows = rows->len;
  data->n_columns = columns->len;
  data->row_names = g_new0 (char *, rows->len + 1);
  data->column_cpus = g_memdup2 (columns->data, columns->len * sizeof (guint));
  data->column_nodes = g_new (int, columns->len);
  data->column_shielded = g_new0 (gboolean, columns->len);
  data->values = g_new (double, MAX (1, rows->len * columns->len));
  data->marks = g_new (gboolean, MAX (1, rows->len * columns->len));
  data->unit = g_strdup (self->show_counts ? "" : "/s");
  for (guint c = 0; c < columns->len; c++)
    {
      guint cpu = g_array_index (columns, guint, c);

      data->column_nodes[c] = kvmrt_host_get_cpu_level (kvmrt_tools_feed_get_host (self->feed),
                                                        KVMRT_HOST_LEVEL_NODE, cpu);
      data->column_shielded[c] = shielded[c];
    }
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = &g_array_index (rows, Row, i);

      data->row_names[i] = row_name (sample->irqs->pdata[row->row]);
      memcpy (data->values + i * columns->len, row->values, columns->len * sizeof (double));
      memcpy (data->marks + i * columns->len, row->marks, columns->len * sizeof (gboolean));
      for (guint c = 0; c < columns->len; c++)
        max = MAX (max, row->values[c]);
      g_free (row->values);
      g_free (row->marks);
    }
  data->max_value = max;
  kvmrt_irq_heat_map_set_data (self->heat_map, data);

  if (n_alerts > MAX_ALERTS)
    g_string_append_printf (alerts, _("\nand %u more"), n_alerts - MAX_ALERTS);
  gtk_label_set_text (self->alert_label,
                      alerts->len > 0 ? alerts->str
                      : _("No device interrupt fired on a shielded CPU in the last interval."));
  gtk_label_set_text (self->busiest_label,
                      busiest->len > 0 ? busiest->str : _("No interrupt fired."));
  if (alerts->len > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->alert_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->alert_label), "error");
  return ++self->updates;
}

static void
on_feed_updated_cb (KvmrtIrqWindow *self)
{
  kvmrt_irq_window_update (self);
}

static void
on_feed_failed_cb (KvmrtIrqWindow *self, const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
on_sort_changed_cb (KvmrtIrqWindow *self)
{
  if (self->feed != NULL)
    kvmrt_irq_window_update (self);
}

static void
reset_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtIrqWindow *self = KVMRT_IRQ_WINDOW (widget);

  kvmrt_tools_feed_reset (self->feed);
}

/* GObject ------------------------------------------------------------------------------ */

static void
kvmrt_irq_window_constructed (GObject *object)
{
  KvmrtIrqWindow *self = KVMRT_IRQ_WINDOW (object);

  G_OBJECT_CLASS (kvmrt_irq_window_parent_class)->constructed (object);

  adw_window_title_set_subtitle (self->window_title,
                                 kvmrt_manager_get_host_title (self->manager));
  self->feed = kvmrt_tools_feed_new (self->manager, KVMRT_TOOLS_FEED_SAMPLE,
                                     KVMRT_HOST_SAMPLE_IRQS);
  kvmrt_tools_feed_set_interval (self->feed, DEFAULT_INTERVAL_MS);
  kvmrt_tools_feed_add_actions (self->feed, GTK_WIDGET (self));
  g_signal_connect_swapped (self->feed, "updated", G_CALLBACK (on_feed_updated_cb), self);
  g_signal_connect_swapped (self->feed, "failed", G_CALLBACK (on_feed_failed_cb), self);
}

static void
kvmrt_irq_window_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KvmrtIrqWindow *self = KVMRT_IRQ_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      return;
    case PROP_SHOW_COUNTS:
      self->show_counts = g_value_get_boolean (value);
      break;
    case PROP_ONLY_ACTIVE:
      self->only_active = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (self->feed != NULL)
    kvmrt_irq_window_update (self);
  g_object_notify_by_pspec (object, pspec);
}

static void
kvmrt_irq_window_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KvmrtIrqWindow *self = KVMRT_IRQ_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_SHOW_COUNTS:
      g_value_set_boolean (value, self->show_counts);
      break;
    case PROP_ONLY_ACTIVE:
      g_value_set_boolean (value, self->only_active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_irq_window_dispose (GObject *object)
{
  KvmrtIrqWindow *self = KVMRT_IRQ_WINDOW (object);

  if (self->feed != NULL)
    g_signal_handlers_disconnect_by_data (self->feed, self);
  /* The feed's actions hold it: without them it stops reading the host. */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "feed", NULL);
  g_clear_object (&self->feed);
  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_IRQ_WINDOW);
  G_OBJECT_CLASS (kvmrt_irq_window_parent_class)->dispose (object);
}

static void
kvmrt_irq_window_finalize (GObject *object)
{
  KvmrtIrqWindow *self = KVMRT_IRQ_WINDOW (object);

  g_clear_object (&self->manager);
  G_OBJECT_CLASS (kvmrt_irq_window_parent_class)->finalize (object);
}

static void
kvmrt_irq_window_class_init (KvmrtIrqWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                            | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = kvmrt_irq_window_constructed;
  object_class->set_property = kvmrt_irq_window_set_property;
  object_class->get_property = kvmrt_irq_window_get_property;
  object_class->dispose = kvmrt_irq_window_dispose;
  object_class->finalize = kvmrt_irq_window_finalize;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, KVMRT_TYPE_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_COUNTS] = g_param_spec_boolean ("show-counts", NULL, NULL, FALSE, flags);
  properties[PROP_ONLY_ACTIVE] = g_param_spec_boolean ("only-active", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KVMRT_TYPE_IRQ_HEAT_MAP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-irq-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtIrqWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KvmrtIrqWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KvmrtIrqWindow, alert_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtIrqWindow, busiest_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtIrqWindow, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, KvmrtIrqWindow, heat_map);
  gtk_widget_class_bind_template_callback (widget_class, on_sort_changed_cb);

  gtk_widget_class_install_property_action (widget_class, "irqs.show-counts", "show-counts");
  gtk_widget_class_install_property_action (widget_class, "irqs.only-active", "only-active");
  gtk_widget_class_install_action (widget_class, "irqs.reset", NULL, reset_activated);
}

static void
kvmrt_irq_window_init (KvmrtIrqWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

KvmrtIrqWindow *
kvmrt_irq_window_new (GtkApplication *app, KvmrtManager *manager)
{
  g_return_val_if_fail (KVMRT_IS_MANAGER (manager), NULL);

  return g_object_new (KVMRT_TYPE_IRQ_WINDOW,
                       "application", app,
                       "manager", manager,
                       NULL);
}

KvmrtManager *
kvmrt_irq_window_get_manager (KvmrtIrqWindow *self)
{
  return self->manager;
}

KvmrtIrqHeatMap *
kvmrt_irq_window_get_heat_map (KvmrtIrqWindow *self)
{
  return self->heat_map;
}

guint
kvmrt_irq_window_get_updates (KvmrtIrqWindow *self)
{
  return self->updates;
}

KvmrtToolsFeed *
kvmrt_irq_window_get_feed (KvmrtIrqWindow *self)
{
  return self->feed;
}
