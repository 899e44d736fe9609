/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-usage-sampler.h"

struct _KvmrtUsageSampler
{
  GObject       parent_instance;

  KvmrtLibvirt *libvirt;
  GHashTable   *samples;    /* UUID (lower case) -> Sample* */
  gboolean      sampling;
};

typedef struct {
  char   *uuid;             /* lower case */
  GVirDomain *domain;       /* owned */
  guint64 cpu_time;         /* ns, from libvirt */
  gint64  taken;            /* monotonic µs */
  guint   vcpus;
  double  percent;          /* < 0 unknown */
  gboolean ok;
} Sample;

enum {
  SIGNAL_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KvmrtUsageSampler, kvmrt_usage_sampler, G_TYPE_OBJECT)

static void
sample_free (Sample *sample)
{
  if (sample == NULL)
    return;
  g_free (sample->uuid);
  g_clear_object (&sample->domain);
  g_free (sample);
}

static void
kvmrt_usage_sampler_finalize (GObject *object)
{
  KvmrtUsageSampler *self = KVMRT_USAGE_SAMPLER (object);

  g_clear_object (&self->libvirt);
  g_clear_pointer (&self->samples, g_hash_table_unref);
  G_OBJECT_CLASS (kvmrt_usage_sampler_parent_class)->finalize (object);
}

static void
kvmrt_usage_sampler_class_init (KvmrtUsageSamplerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kvmrt_usage_sampler_finalize;

  signals[SIGNAL_UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
kvmrt_usage_sampler_init (KvmrtUsageSampler *self)
{
  self->samples = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) sample_free);
}

KvmrtUsageSampler *
kvmrt_usage_sampler_new (KvmrtLibvirt *libvirt)
{
  KvmrtUsageSampler *self = g_object_new (KVMRT_TYPE_USAGE_SAMPLER, NULL);

  self->libvirt = g_object_ref (libvirt);
  return self;
}

/* Worker thread: libvirt's info for each domain (a round trip to libvirtd each). */
static void
sample_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GPtrArray *samples = task_data;

  for (guint i = 0; i < samples->len; i++)
    {
      Sample *sample = samples->pdata[i];
      GVirDomainInfo *info = gvir_domain_get_info (sample->domain, NULL);

      sample->taken = g_get_monotonic_time ();
      if (info == NULL)
        continue;
      sample->ok = TRUE;
      sample->cpu_time = info->cpuTime;
      sample->vcpus = MAX (info->nrVirtCpu, 1);
      g_boxed_free (GVIR_TYPE_DOMAIN_INFO, info);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_sampled_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  KvmrtUsageSampler *self = KVMRT_USAGE_SAMPLER (source);
  GPtrArray *samples = g_task_get_task_data (G_TASK (result));
  g_autoptr(GHashTable) now = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                     (GDestroyNotify) sample_free);

  self->sampling = FALSE;
  for (guint i = 0; i < samples->len; i++)
    {
      Sample *sample = samples->pdata[i];
      Sample *last = g_hash_table_lookup (self->samples, sample->uuid);

      if (!sample->ok)
        continue;
      sample->percent = -1;
      if (last != NULL && sample->taken > last->taken && sample->cpu_time >= last->cpu_time)
        sample->percent = CLAMP ((double) (sample->cpu_time - last->cpu_time) / 1000.0
                                   / (double) (sample->taken - last->taken)
                                   / sample->vcpus * 100.0, 0.0, 100.0);
      g_clear_object (&sample->domain);
      samples->pdata[i] = NULL;
      g_hash_table_replace (now, sample->uuid, sample);
    }
  /* VMs no longer running drop out. */
  g_hash_table_unref (self->samples);
  self->samples = g_steal_pointer (&now);
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
}

void
kvmrt_usage_sampler_sample (KvmrtUsageSampler *self, const char * const *uuids)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *samples;

  if (self->sampling)
    return;
  samples = g_ptr_array_new_with_free_func ((GDestroyNotify) sample_free);
  for (guint i = 0; uuids[i] != NULL; i++)
    {
      GVirDomain *domain = kvmrt_libvirt_lookup_uuid (self->libvirt, uuids[i]);
      Sample *sample;

      if (domain == NULL)
        continue;
      sample = g_new0 (Sample, 1);
      sample->uuid = g_strdup (uuids[i]);
      sample->domain = g_object_ref (domain);
      g_ptr_array_add (samples, sample);
    }
  self->sampling = TRUE;
  task = g_task_new (self, NULL, on_sampled_cb, NULL);
  g_task_set_task_data (task, samples, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, sample_thread);
}

double
kvmrt_usage_sampler_get (KvmrtUsageSampler *self, const char *uuid)
{
  Sample *sample = g_hash_table_lookup (self->samples, uuid);

  return sample != NULL ? sample->percent : -1;
}
