/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-cpu-status-window.h"

#include <glib/gi18n.h>

#include "kvmrt-cpu-status-row.h"
#include "kvmrt-load-cell.h"
#include "kvmrt-cpu-work.h"
#include "kvmrt-cpu-snapshot.h"
#include "kvmrt-tools-feed.h"

#define DEFAULT_INTERVAL_MS 1000
/* IRQs named in a cell; the rest are counted. */
#define MAX_NAMED_IRQS 6

struct _KvmrtCpuStatusWindow
{
  AdwWindow          parent_instance;

  /* Template widgets */
  AdwWindowTitle    *window_title;
  AdwToastOverlay   *toast_overlay;
  GtkLabel          *summary_label;
  GtkColumnView     *column_view;
  GtkFilterListModel *filtered;
  GListStore        *rows;
  GMenu             *vm_section;

  /* Owned */
  KvmrtManager      *manager;
  KvmrtToolsFeed    *feed;
  GtkCustomFilter   *filter;
  char              *only_vm;       /* UUID, or "" for every CPU */
  guint              updates;
  guint              n_vm_items;    /* VM items added to vm_section */
  gboolean           only_shielded;
  gboolean           only_foreign;
};

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_ONLY_SHIELDED,
  PROP_ONLY_FOREIGN,
  PROP_ONLY_VM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KvmrtCpuStatusWindow, kvmrt_cpu_status_window, ADW_TYPE_WINDOW)

/* Cells -------------------------------------------------------------------------------- */

/* "3: 24, 25, 77 …" into @buf: how many IRQs may reach the CPU, the first few by number. */
static const char *
format_irqs (const KvmrtCpuState *state, char *buf, gsize size)
{
  gsize used;

  if (state == NULL || state->irqs->len == 0)
    return "";
  used = g_snprintf (buf, size, "%u:", state->irqs->len);
  for (guint i = 0; i < MIN (state->irqs->len, MAX_NAMED_IRQS) && used < size; i++)
    used += g_snprintf (buf + used, size - used, " %d%s", g_array_index (state->irqs, int, i),
                        i + 1 < state->irqs->len ? "," : "");
  if (state->irqs->len > MAX_NAMED_IRQS && used < size)
    g_snprintf (buf + used, size - used, " …");
  return buf;
}

static const char *
format_state (const KvmrtCpuOwner *owner)
{
  if (owner == NULL || !owner->online)
    return _("offline");
  return owner->shielded ? _("shielded") : _("online");
}

static char *
format_place (KvmrtHost *host, guint cpu)
{
  int node = kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_NODE, cpu);
  int core = kvmrt_host_get_cpu_level (host, KVMRT_HOST_LEVEL_CORE, cpu);

  if (core < 0)
    return g_strdup_printf (_("node %d"), node);
  return g_strdup_printf (_("node %d, core %d"), node, core);
}

static const char *
format_owner (const KvmrtCpuOwner *owner)
{
  if (owner == NULL)
    return _("Offline");
  if (owner->vm != NULL)
    return kvmrt_vm_get_display_title (owner->vm);
  if (owner->vm_name != NULL)
    return owner->vm_name;
  return kvmrt_owner_kind_to_string (owner->kind);
}

static char *
format_flag (GPtrArray *foreign)
{
  g_autofree char **parts = NULL;

  if (foreign->len == 0)
    return g_strdup ("");
  parts = g_new0 (char *, foreign->len + 1);
  for (guint i = 0; i < foreign->len; i++)
    parts[i] = foreign->pdata[i];
  return g_strjoinv ("; ", parts);
}

/* Returns whether the CPU has foreign work. */
static gboolean
update_row (KvmrtCpuStatusWindow *self, KvmrtCpuStatusRow *row, KvmrtHost *host,
            KvmrtOwnership *ownership, GHashTable *pids)
{
  const KvmrtHostSample *sample = kvmrt_tools_feed_get_sample (self->feed);
  guint cpu = kvmrt_cpu_status_row_get_cpu (row);
  const KvmrtCpuState *state = kvmrt_cpu_snapshot_get (sample->snapshot, cpu);
  g_autoptr(GPtrArray) foreign = kvmrt_cpu_foreign_work (sample->snapshot, ownership, pids, cpu);
  const KvmrtCpuOwner *owner = kvmrt_ownership_get_cpu (ownership, cpu);
  double load = kvmrt_host_sample_load (kvmrt_tools_feed_get_previous (self->feed), sample,
                                        cpu);
  KvmrtDiagnosticIndex *findings;

  /* A refresh changes a few texts of a few rows: format into buffers, copy only changes. */
  char vcpu[16] = "", irqs[96], tasks[16] = "";

  if (owner != NULL && owner->vcpu >= 0)
    g_snprintf (vcpu, sizeof vcpu, "%d", owner->vcpu);
  if (owner != NULL && owner->online && state != NULL)
    g_snprintf (tasks, sizeof tasks, "%u", state->n_tasks_allowed);
  kvmrt_cpu_status_row_set_text (row, KVMRT_CPU_STATUS_STATE, format_state (owner));
  kvmrt_cpu_status_row_set_text (row, KVMRT_CPU_STATUS_OWNER, format_owner (owner));
  kvmrt_cpu_status_row_set_text (row, KVMRT_CPU_STATUS_VCPU, vcpu);
  kvmrt_cpu_status_row_set_load (row, load);
  kvmrt_cpu_status_row_set_text (row, KVMRT_CPU_STATUS_IRQS,
                                 format_irqs (state, irqs, sizeof irqs));
  kvmrt_cpu_status_row_set_text (row, KVMRT_CPU_STATUS_TASKS, tasks);
  if (foreign->len > 0)
    kvmrt_cpu_status_row_take_text (row, KVMRT_CPU_STATUS_FLAG, format_flag (foreign));
  else
    kvmrt_cpu_status_row_set_text (row, KVMRT_CPU_STATUS_FLAG, "");
  findings = kvmrt_tools_feed_get_findings (self->feed);
  if (findings != NULL && kvmrt_diagnostic_index_for_cpu (findings, cpu) != NULL)
    kvmrt_cpu_status_row_take_text (row, KVMRT_CPU_STATUS_FINDINGS,
                                    kvmrt_tools_findings_to_text (
                                      kvmrt_diagnostic_index_for_cpu (findings, cpu), "; "));
  else
    kvmrt_cpu_status_row_set_text (row, KVMRT_CPU_STATUS_FINDINGS, "");
  kvmrt_cpu_status_row_set_vm (row, owner != NULL ? owner->vm : NULL);
  kvmrt_cpu_status_row_set_marks (row, owner != NULL && owner->kind == KVMRT_OWNER_RT_VM,
                                  foreign->len > 0);
  return foreign->len > 0;
}

/* One row per CPU of the host, made again only when the host's CPUs change. */
static void
ensure_rows (KvmrtCpuStatusWindow *self, KvmrtHost *host)
{
  const KvmrtIdSet *cpus = kvmrt_host_get_cpus (host);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  g_autoptr(GPtrArray) rows = NULL;

  if (n == kvmrt_id_set_count (cpus))
    return;
  rows = g_ptr_array_new_with_free_func (g_object_unref);
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      KvmrtCpuStatusRow *row = kvmrt_cpu_status_row_new (cpu);

      /* Where a CPU sits does not change while the window is open. */
      kvmrt_cpu_status_row_take_text (row, KVMRT_CPU_STATUS_PLACE, format_place (host, cpu));
      g_ptr_array_add (rows, row);
    }
  g_list_store_splice (self->rows, 0, n, rows->pdata, rows->len);
}

static void
update_summary (KvmrtCpuStatusWindow *self, KvmrtOwnership *ownership,
                const KvmrtIdSet *flagged)
{
  const KvmrtHostSample *sample = kvmrt_tools_feed_get_sample (self->feed);
  g_autofree char *shielded = kvmrt_id_set_to_string (kvmrt_ownership_get_shielded (ownership));
  g_autofree char *flagged_text = NULL;
  g_autofree char *text = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  flagged_text = kvmrt_id_set_to_string (flagged);
  text = g_strdup_printf (_("%u CPUs, %u online. Shielded: %s. Foreign work on real-time "
                            "CPUs: %s.%s"),
                          n, kvmrt_id_set_count (sample->online),
                          *shielded != '\0' ? shielded : _("none"),
                          *flagged_text != '\0' ? flagged_text : _("none"),
                          kvmrt_tools_feed_get_paused (self->feed) ? _(" Paused.") : "");
  gtk_label_set_text (self->summary_label, text);
}

guint
kvmrt_cpu_status_window_update (KvmrtCpuStatusWindow *self)
{
  const KvmrtHostSample *sample = kvmrt_tools_feed_get_sample (self->feed);
  KvmrtOwnership *ownership = kvmrt_tools_feed_get_ownership (self->feed);
  KvmrtHost *host = kvmrt_tools_feed_get_host (self->feed);
  g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);
  KvmrtPlan *plan = kvmrt_manager_get_plan (self->manager);
  g_autoptr(KvmrtIdSet) flagged = kvmrt_id_set_new ();

  if (sample == NULL || ownership == NULL || sample->snapshot == NULL)
    return self->updates;
  for (guint i = 0; plan != NULL && i < kvmrt_plan_get_n_vms (plan); i++)
    {
      KvmrtVm *vm = kvmrt_plan_get_vm (plan, i)->vm;

      g_hash_table_insert (pids, vm, GINT_TO_POINTER (kvmrt_tools_feed_get_vm_pid (self->feed,
                                                                                    vm)));
    }
  ensure_rows (self, host);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->rows)); i++)
    {
      g_autoptr(KvmrtCpuStatusRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);
      guint cpu = kvmrt_cpu_status_row_get_cpu (row);

      if (cpu < sample->n_cpus && update_row (self, row, host, ownership, pids))
        kvmrt_id_set_add (flagged, cpu);
    }
  update_summary (self, ownership, flagged);
  /* Rows move in and out of the filters as their state changes; without a filter every row
   * stays (filtering again would make the view bind every row afresh). */
  if (self->only_shielded || self->only_foreign || *self->only_vm != '\0')
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  return ++self->updates;
}

static void
on_feed_updated_cb (KvmrtCpuStatusWindow *self)
{
  kvmrt_cpu_status_window_update (self);
}

static void
on_feed_failed_cb (KvmrtCpuStatusWindow *self, const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* Filters and the VM menu -------------------------------------------------------------- */

static gboolean
filter_row (gpointer item, gpointer data)
{
  KvmrtCpuStatusWindow *self = data;
  KvmrtCpuStatusRow *row = item;
  KvmrtVm *vm = kvmrt_cpu_status_row_get_vm (row);

  if (self->only_shielded
      && g_strcmp0 (kvmrt_cpu_status_row_get_text (row, KVMRT_CPU_STATUS_STATE),
                    _("shielded")) != 0)
    return FALSE;
  if (self->only_foreign && !kvmrt_cpu_status_row_get_flagged (row))
    return FALSE;
  if (*self->only_vm != '\0'
      && (vm == NULL || !g_str_equal (kvmrt_vm_get_uuid (vm), self->only_vm)))
    return FALSE;
  return TRUE;
}

/* "Only One VM": an item per VM of the configuration. */
static void
update_vm_menu (KvmrtCpuStatusWindow *self)
{
  KvmrtPlan *plan = kvmrt_manager_get_plan (self->manager);

  for (; self->n_vm_items > 0; self->n_vm_items--)
    g_menu_remove (self->vm_section, 1);
  for (guint i = 0; plan != NULL && i < kvmrt_plan_get_n_vms (plan); i++)
    {
      KvmrtVm *vm = kvmrt_plan_get_vm (plan, i)->vm;
      g_autoptr(GMenuItem) item = g_menu_item_new (kvmrt_vm_get_display_title (vm), NULL);

      g_menu_item_set_action_and_target (item, "cpus.only-vm", "s", kvmrt_vm_get_uuid (vm));
      g_menu_append_item (self->vm_section, item);
      self->n_vm_items++;
    }
}

/* GObject ------------------------------------------------------------------------------ */

static void
kvmrt_cpu_status_window_constructed (GObject *object)
{
  KvmrtCpuStatusWindow *self = KVMRT_CPU_STATUS_WINDOW (object);

  G_OBJECT_CLASS (kvmrt_cpu_status_window_parent_class)->constructed (object);

  adw_window_title_set_subtitle (self->window_title,
                                 kvmrt_manager_get_host_title (self->manager));
  self->feed = kvmrt_tools_feed_new (self->manager, KVMRT_TOOLS_FEED_SAMPLE,
                                     KVMRT_HOST_SAMPLE_TIMES | KVMRT_HOST_SAMPLE_CPUS);
  kvmrt_tools_feed_set_interval (self->feed, DEFAULT_INTERVAL_MS);
  kvmrt_tools_feed_add_actions (self->feed, GTK_WIDGET (self));
  g_signal_connect_swapped (self->feed, "updated", G_CALLBACK (on_feed_updated_cb), self);
  g_signal_connect_swapped (self->feed, "failed", G_CALLBACK (on_feed_failed_cb), self);
  g_signal_connect_swapped (self->manager, "config-changed", G_CALLBACK (update_vm_menu), self);
  update_vm_menu (self);
  ensure_rows (self, kvmrt_manager_get_host (self->manager));
}

static void
kvmrt_cpu_status_window_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  KvmrtCpuStatusWindow *self = KVMRT_CPU_STATUS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      return;
    case PROP_ONLY_SHIELDED:
      self->only_shielded = g_value_get_boolean (value);
      break;
    case PROP_ONLY_FOREIGN:
      self->only_foreign = g_value_get_boolean (value);
      break;
    case PROP_ONLY_VM:
      g_free (self->only_vm);
      self->only_vm = g_strdup (g_value_get_string (value) != NULL ? g_value_get_string (value)
                                                                   : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  g_object_notify_by_pspec (object, pspec);
}

static void
kvmrt_cpu_status_window_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  KvmrtCpuStatusWindow *self = KVMRT_CPU_STATUS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_ONLY_SHIELDED:
      g_value_set_boolean (value, self->only_shielded);
      break;
    case PROP_ONLY_FOREIGN:
      g_value_set_boolean (value, self->only_foreign);
      break;
    case PROP_ONLY_VM:
      g_value_set_string (value, self->only_vm);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_cpu_status_window_dispose (GObject *object)
{
  KvmrtCpuStatusWindow *self = KVMRT_CPU_STATUS_WINDOW (object);

  if (self->feed != NULL)
    g_signal_handlers_disconnect_by_data (self->feed, self);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  /* The feed's actions hold it: without them it stops reading the host. */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "feed", NULL);
  g_clear_object (&self->feed);
  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_CPU_STATUS_WINDOW);
  G_OBJECT_CLASS (kvmrt_cpu_status_window_parent_class)->dispose (object);
}

static void
kvmrt_cpu_status_window_finalize (GObject *object)
{
  KvmrtCpuStatusWindow *self = KVMRT_CPU_STATUS_WINDOW (object);

  g_clear_object (&self->manager);
  g_free (self->only_vm);
  G_OBJECT_CLASS (kvmrt_cpu_status_window_parent_class)->finalize (object);
}

static void
kvmrt_cpu_status_window_class_init (KvmrtCpuStatusWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                            | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = kvmrt_cpu_status_window_constructed;
  object_class->set_property = kvmrt_cpu_status_window_set_property;
  object_class->get_property = kvmrt_cpu_status_window_get_property;
  object_class->dispose = kvmrt_cpu_status_window_dispose;
  object_class->finalize = kvmrt_cpu_status_window_finalize;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, KVMRT_TYPE_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ONLY_SHIELDED] = g_param_spec_boolean ("only-shielded", NULL, NULL, FALSE,
                                                         flags);
  properties[PROP_ONLY_FOREIGN] = g_param_spec_boolean ("only-foreign", NULL, NULL, FALSE,
                                                        flags);
  properties[PROP_ONLY_VM] = g_param_spec_string ("only-vm", NULL, NULL, "", flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KVMRT_TYPE_CPU_STATUS_ROW);
  g_type_ensure (KVMRT_TYPE_LOAD_CELL);
  if (gdk_display_get_default () != NULL)
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (provider, "/org/kvmrt/Kvmrt/kvmrt-tools.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                  GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-cpu-status-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtCpuStatusWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KvmrtCpuStatusWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KvmrtCpuStatusWindow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtCpuStatusWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, KvmrtCpuStatusWindow, filtered);
  gtk_widget_class_bind_template_child (widget_class, KvmrtCpuStatusWindow, rows);
  gtk_widget_class_bind_template_child (widget_class, KvmrtCpuStatusWindow, vm_section);

  gtk_widget_class_install_property_action (widget_class, "cpus.only-shielded",
                                            "only-shielded");
  gtk_widget_class_install_property_action (widget_class, "cpus.only-foreign", "only-foreign");
  gtk_widget_class_install_property_action (widget_class, "cpus.only-vm", "only-vm");
}

static void
kvmrt_cpu_status_window_init (KvmrtCpuStatusWindow *self)
{
  self->only_vm = g_strdup ("");
  gtk_widget_init_template (GTK_WIDGET (self));
  self->filter = gtk_custom_filter_new (filter_row, self, NULL);
  gtk_filter_list_model_set_filter (self->filtered, GTK_FILTER (self->filter));
  g_object_unref (self->filter);
}

KvmrtCpuStatusWindow *
kvmrt_cpu_status_window_new (GtkApplication *app, KvmrtManager *manager)
{
  g_return_val_if_fail (KVMRT_IS_MANAGER (manager), NULL);

  return g_object_new (KVMRT_TYPE_CPU_STATUS_WINDOW,
                       "application", app,
                       "manager", manager,
                       NULL);
}

KvmrtManager *
kvmrt_cpu_status_window_get_manager (KvmrtCpuStatusWindow *self)
{
  return self->manager;
}

GListModel *
kvmrt_cpu_status_window_get_rows (KvmrtCpuStatusWindow *self)
{
  return G_LIST_MODEL (self->rows);
}

guint
kvmrt_cpu_status_window_get_updates (KvmrtCpuStatusWindow *self)
{
  return self->updates;
}

KvmrtToolsFeed *
kvmrt_cpu_status_window_get_feed (KvmrtCpuStatusWindow *self)
{
  return self->feed;
}
