/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#define _GNU_SOURCE
#include "kvmrt-tools-feed.h"

#include <glib/gi18n.h>
#include <sched.h>

#include "kvmrt-sysroot.h"
#include "kvmrt-validator.h"

struct _KvmrtToolsFeed
{
  GObject              parent_instance;

  KvmrtManager        *manager;
  KvmrtToolsFeedFlags  flags;
  KvmrtHostSampleFlags sample_flags;
  KvmrtHost           *own_host;      /* loaded by the worker, with FEED_HOST */
  KvmrtHostSample     *sample;
  KvmrtHostSample     *previous;
  KvmrtHostSample     *base;          /* counts since reset start here; may be one of the
                                       * two above */
  gboolean             want_base;
  KvmrtOwnership      *ownership;
  KvmrtDiagnosticIndex *findings;     /* of the manager's plan; NULL when it has none */
  gboolean             findings_stale;/* the configuration or the host changed since */
  GHashTable          *pids;          /* KvmrtVm* -> QEMU PID */
  KvmrtIdSet          *worker_cpus;
  KvmrtIrqSampler     *irq_sampler;   /* with SAMPLE_IRQS: used by one worker at a time */
  GCancellable        *cancellable;
  guint                interval_ms;
  guint                timer_id;
  guint                idle_id;
  gboolean             paused;
  gboolean             reading;
  gboolean             again;         /* asked for while reading */
};

enum {
  PROP_0,
  PROP_INTERVAL,
  PROP_PAUSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_UPDATED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KvmrtToolsFeed, kvmrt_tools_feed, G_TYPE_OBJECT)

typedef struct {
  KvmrtHost           *host;          /* to sample (and whose sysroot to load again) */
  KvmrtToolsFeedFlags  flags;
  KvmrtHostSampleFlags sample_flags;
  KvmrtIrqSampler    **irq_sampler;   /* the feed's, made by the first worker */
  KvmrtHost           *new_host;      /* out */
  KvmrtHostSample     *sample;        /* out */
  KvmrtIdSet          *worker_cpus;   /* out: where the worker ran, NULL if not pinned */
} Read;

static void
read_free (Read *read)
{
  g_clear_object (&read->host);
  g_clear_object (&read->new_host);
  g_clear_pointer (&read->sample, kvmrt_host_sample_free);
  g_clear_pointer (&read->worker_cpus, kvmrt_id_set_free);
  g_free (read);
}

/* Keeps this worker thread off every shielded CPU of the running host: a viewer must not
 * disturb the real-time VMs it shows. Only on the live host (a fixture's CPU numbers are not
 * this machine's). Pool threads are shared: whatever runs on this one later stays on the
 * housekeeping CPUs too, which is where the host's own work belongs anyway. */
static KvmrtIdSet *
pin_to_housekeeping (KvmrtHost *host)
{
  const char *sysroot = kvmrt_host_get_sysroot (host);
  g_autoptr(KvmrtIdSet) cpus = NULL;
  KvmrtJournal *journal;
  cpu_set_t *mask;
  guint n_cpus = kvmrt_host_get_n_cpus (host);
  gsize size;
  int status;

  if (!kvmrt_sysroot_is_live (sysroot))
    return NULL;
  journal = kvmrt_journal_load (sysroot, NULL);
  cpus = kvmrt_id_set_copy (kvmrt_host_get_online_cpus (host));
  for (guint i = 0; journal != NULL && i < journal->vms->len; i++)
    kvmrt_id_set_subtract (cpus, ((KvmrtTunedVm *) journal->vms->pdata[i])->shielded);
  g_clear_pointer (&journal, kvmrt_journal_free);
  if (kvmrt_id_set_is_empty (cpus))
    return NULL;
  mask = CPU_ALLOC (n_cpus);
  size = CPU_ALLOC_SIZE (n_cpus);
  CPU_ZERO_S (size, mask);
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    CPU_SET_S (cpu, size, mask);
  status = sched_setaffinity (0, size, mask);
  CPU_FREE (mask);
  return status == 0 ? g_steal_pointer (&cpus) : NULL;
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Read *read = task_data;
  GError *error = NULL;
  KvmrtHost *host = read->host;

  read->worker_cpus = pin_to_housekeeping (read->host);
  if (read->flags & KVMRT_TOOLS_FEED_HOST)
    {
      read->new_host = kvmrt_host_load (kvmrt_host_get_sysroot (read->host),
                                        KVMRT_HOST_LOAD_CACHES, &error);
      if (read->new_host == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      host = read->new_host;
    }
  if ((read->sample_flags & KVMRT_HOST_SAMPLE_IRQS) && *read->irq_sampler == NULL)
    {
      *read->irq_sampler = kvmrt_irq_sampler_new (kvmrt_host_get_sysroot (host), &error);
      if (*read->irq_sampler == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  read->sample = kvmrt_host_sample_read (host, *read->irq_sampler, read->sample_flags, &error);
  if (read->sample == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

KvmrtHost *
kvmrt_tools_feed_get_host (KvmrtToolsFeed *self)
{
  return self->own_host != NULL ? self->own_host : kvmrt_manager_get_host (self->manager);
}

/* Which VMs run now, from the manager's statuses. */
static GHashTable *
collect_running (KvmrtToolsFeed *self)
{
  KvmrtPlan *plan = kvmrt_manager_get_plan (self->manager);
  GHashTable *running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_hash_table_remove_all (self->pids);
  for (guint i = 0; plan != NULL && i < kvmrt_plan_get_n_vms (plan); i++)
    {
      KvmrtVm *vm = kvmrt_plan_get_vm (plan, i)->vm;
      const KvmrtVmStatus *status = kvmrt_manager_get_status (self->manager, vm);

      if (status == NULL || !status->running)
        continue;
      g_hash_table_add (running, g_strdup (kvmrt_vm_get_uuid (vm)));
      g_hash_table_insert (self->pids, vm, GINT_TO_POINTER (status->pid));
    }
  return running;
}

/* The findings of the configuration as planned on the host, validated again only when one
 * of them changed (validating 1,024 VMs takes about 15 ms). */
static void
update_findings (KvmrtToolsFeed *self)
{
  KvmrtPlan *plan = kvmrt_manager_get_plan (self->manager);
  g_autoptr(GPtrArray) diagnostics = NULL;

  if (self->findings != NULL && !self->findings_stale)
    return;
  self->findings_stale = FALSE;
  g_clear_pointer (&self->findings, kvmrt_diagnostic_index_free);
  if (plan == NULL)
    return;
  diagnostics = kvmrt_validate (plan, KVMRT_VALIDATE_WINDOW);
  self->findings = kvmrt_diagnostic_index_new (diagnostics, KVMRT_SEVERITY_WARNING);
}

static void
update_ownership (KvmrtToolsFeed *self)
{
  g_autoptr(GHashTable) running = collect_running (self);

  g_clear_pointer (&self->ownership, kvmrt_ownership_free);
  self->ownership = kvmrt_ownership_new (kvmrt_tools_feed_get_host (self),
                                         kvmrt_manager_get_plan (self->manager),
                                         self->sample->journal, self->sample->online, running);
  update_findings (self);
}

static void start_read (KvmrtToolsFeed *self);

/* Frees @sample unless it is still one of the three kept. */
static void
release (KvmrtToolsFeed *self, KvmrtHostSample *sample)
{
  if (sample != NULL && sample != self->sample && sample != self->previous
      && sample != self->base)
    kvmrt_host_sample_free (sample);
}

static void
rotate (KvmrtToolsFeed *self, KvmrtHostSample *sample)
{
  KvmrtHostSample *old = self->previous;
  KvmrtHostSample *old_base = self->base;

  self->previous = self->sample;
  self->sample = sample;
  release (self, old);
  /* The host may have been loaded again (other CPU numbers): counts start over then. */
  if (self->want_base || (self->base != NULL && self->base->n_cpus != sample->n_cpus))
    {
      self->base = sample;
      self->want_base = FALSE;
      release (self, old_base);
    }
  if (self->previous != NULL && self->previous->n_cpus != sample->n_cpus)
    {
      old = self->previous;
      self->previous = NULL;
      release (self, old);
    }
}

static void
on_read_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  KvmrtToolsFeed *self = KVMRT_TOOLS_FEED (source);
  Read *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->reading = FALSE;
      g_signal_emit (self, signals[SIGNAL_FAILED], 0, error->message);
      return;
    }
  self->reading = FALSE;
  if (read->new_host != NULL)
    g_set_object (&self->own_host, read->new_host);
  if (read->worker_cpus != NULL)
    {
      g_clear_pointer (&self->worker_cpus, kvmrt_id_set_free);
      self->worker_cpus = g_steal_pointer (&read->worker_cpus);
    }
  rotate (self, g_steal_pointer (&read->sample));
  update_ownership (self);
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
  if (self->again)
    start_read (self);
}

static void
start_read (KvmrtToolsFeed *self)
{
  g_autoptr(GTask) task = NULL;
  Read *read;

  if (self->reading)
    {
      self->again = TRUE;
      return;
    }
  self->again = FALSE;
  self->reading = TRUE;
  read = g_new0 (Read, 1);
  read->host = g_object_ref (kvmrt_tools_feed_get_host (self));
  read->flags = self->flags;
  read->sample_flags = self->sample_flags;
  read->irq_sampler = &self->irq_sampler;
  task = g_task_new (self, self->cancellable, on_read_done_cb, NULL);
  g_task_set_source_tag (task, start_read);
  g_task_set_task_data (task, read, (GDestroyNotify) read_free);
  g_task_run_in_thread (task, read_thread);
}

static gboolean
on_timer_cb (gpointer data)
{
  KvmrtToolsFeed *self = data;

  if (!self->paused && !self->reading)
    start_read (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_idle_cb (gpointer data)
{
  KvmrtToolsFeed *self = data;

  self->idle_id = 0;
  start_read (self);
  return G_SOURCE_REMOVE;
}

/* A VM booted, stopped or was retuned, or the configuration changed: read now (once for a
 * burst of signals), paused or not, since ownership changed. */
static void
on_manager_changed_cb (KvmrtToolsFeed *self)
{
  if (self->idle_id == 0)
    self->idle_id = g_idle_add (on_idle_cb, self);
}

/* The manager has a new configuration or host, so a new plan: its findings are redone with
 * the next sample. */
static void
on_manager_plan_cb (KvmrtToolsFeed *self)
{
  self->findings_stale = TRUE;
  on_manager_changed_cb (self);
}

static void
restart_timer (KvmrtToolsFeed *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->interval_ms > 0)
    self->timer_id = g_timeout_add (self->interval_ms, on_timer_cb, self);
}

static void
kvmrt_tools_feed_dispose (GObject *object)
{
  KvmrtToolsFeed *self = KVMRT_TOOLS_FEED (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  G_OBJECT_CLASS (kvmrt_tools_feed_parent_class)->dispose (object);
}

static void
kvmrt_tools_feed_finalize (GObject *object)
{
  KvmrtToolsFeed *self = KVMRT_TOOLS_FEED (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->own_host);
  g_clear_pointer (&self->irq_sampler, kvmrt_irq_sampler_free);
  {
    KvmrtHostSample *samples[] = { self->sample, self->previous, self->base };

    self->sample = self->previous = self->base = NULL;
    /* The base may be the newest or the previous sample: free each once. */
    for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
      if ((i < 1 || samples[i] != samples[0]) && (i < 2 || samples[i] != samples[1]))
        kvmrt_host_sample_free (samples[i]);
  }
  g_clear_pointer (&self->ownership, kvmrt_ownership_free);
  g_clear_pointer (&self->findings, kvmrt_diagnostic_index_free);
  g_clear_pointer (&self->worker_cpus, kvmrt_id_set_free);
  g_hash_table_unref (self->pids);
  G_OBJECT_CLASS (kvmrt_tools_feed_parent_class)->finalize (object);
}

static void
kvmrt_tools_feed_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KvmrtToolsFeed *self = KVMRT_TOOLS_FEED (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      kvmrt_tools_feed_set_interval (self, g_value_get_uint (value));
      break;
    case PROP_PAUSED:
      kvmrt_tools_feed_set_paused (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_tools_feed_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KvmrtToolsFeed *self = KVMRT_TOOLS_FEED (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval_ms);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_tools_feed_class_init (KvmrtToolsFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kvmrt_tools_feed_dispose;
  object_class->finalize = kvmrt_tools_feed_finalize;
  object_class->set_property = kvmrt_tools_feed_set_property;
  object_class->get_property = kvmrt_tools_feed_get_property;

  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, 60000, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
kvmrt_tools_feed_init (KvmrtToolsFeed *self)
{
  self->cancellable = g_cancellable_new ();
  self->pids = g_hash_table_new (NULL, NULL);
}

KvmrtToolsFeed *
kvmrt_tools_feed_new (KvmrtManager         *manager,
                      KvmrtToolsFeedFlags   flags,
                      KvmrtHostSampleFlags  sample_flags)
{
  KvmrtToolsFeed *self = g_object_new (KVMRT_TYPE_TOOLS_FEED, NULL);

  g_return_val_if_fail (KVMRT_IS_MANAGER (manager), NULL);

  self->manager = g_object_ref (manager);
  self->flags = flags;
  self->sample_flags = sample_flags;
  g_signal_connect_swapped (manager, "status-changed", G_CALLBACK (on_manager_changed_cb), self);
  g_signal_connect_swapped (manager, "config-changed", G_CALLBACK (on_manager_changed_cb), self);
  g_signal_connect_swapped (manager, "notify::config", G_CALLBACK (on_manager_plan_cb), self);
  g_signal_connect_swapped (manager, "notify::host", G_CALLBACK (on_manager_plan_cb), self);
  start_read (self);
  return self;
}

KvmrtManager *
kvmrt_tools_feed_get_manager (KvmrtToolsFeed *self)
{
  return self->manager;
}

const KvmrtHostSample *
kvmrt_tools_feed_get_sample (KvmrtToolsFeed *self)
{
  return self->sample;
}

const KvmrtHostSample *
kvmrt_tools_feed_get_previous (KvmrtToolsFeed *self)
{
  return self->previous;
}

KvmrtOwnership *
kvmrt_tools_feed_get_ownership (KvmrtToolsFeed *self)
{
  return self->ownership;
}

KvmrtDiagnosticIndex *
kvmrt_tools_feed_get_findings (KvmrtToolsFeed *self)
{
  return self->findings;
}

char *
kvmrt_tools_findings_to_text (GPtrArray *findings, const char *separator)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; findings != NULL && i < findings->len; i++)
    {
      const KvmrtDiagnostic *diagnostic = findings->pdata[i];

      if (i > 0)
        g_string_append (text, separator);
      if (diagnostic->severity == KVMRT_SEVERITY_ERROR)
        g_string_append_printf (text, _("Error: %s"), diagnostic->message);
      else
        g_string_append_printf (text, _("Warning: %s"), diagnostic->message);
    }
  return g_string_free (text, FALSE);
}

int
kvmrt_tools_feed_get_vm_pid (KvmrtToolsFeed *self, KvmrtVm *vm)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (self->pids, vm));
}

void
kvmrt_tools_feed_set_interval (KvmrtToolsFeed *self, guint interval_ms)
{
  if (self->interval_ms == interval_ms)
    return;
  self->interval_ms = interval_ms;
  restart_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

guint
kvmrt_tools_feed_get_interval (KvmrtToolsFeed *self)
{
  return self->interval_ms;
}

void
kvmrt_tools_feed_set_paused (KvmrtToolsFeed *self, gboolean paused)
{
  if (self->paused == paused)
    return;
  self->paused = paused;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

void
kvmrt_tools_feed_add_actions (KvmrtToolsFeed *self, GtkWidget *widget)
{
  static const char *const names[] = { "interval", "paused" };
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GPropertyAction) action = g_property_action_new (names[i], self, names[i]);

      g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
    }
  gtk_widget_insert_action_group (widget, "feed", G_ACTION_GROUP (group));
}

gboolean
kvmrt_tools_feed_get_paused (KvmrtToolsFeed *self)
{
  return self->paused;
}

void
kvmrt_tools_feed_refresh (KvmrtToolsFeed *self)
{
  start_read (self);
}

void
kvmrt_tools_feed_reset (KvmrtToolsFeed *self)
{
  self->want_base = TRUE;
  start_read (self);
}

const KvmrtHostSample *
kvmrt_tools_feed_get_base (KvmrtToolsFeed *self)
{
  return self->base;
}

const KvmrtIdSet *
kvmrt_tools_feed_get_worker_cpus (KvmrtToolsFeed *self)
{
  return self->worker_cpus;
}
