/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-cpu-status-row.h"

struct _KvmrtCpuStatusRow
{
  GObject   parent_instance;

  guint     cpu;
  char     *texts[KVMRT_CPU_STATUS_N_TEXTS];
  double    load;       /* 0..1, or -1 when unknown */
  gboolean  rt;
  gboolean  flagged;
  gpointer  vm;
};

/* One string property per text, then the marks. */
enum {
  PROP_0,
  PROP_FIRST_TEXT,
  PROP_CSS_CLASSES = PROP_FIRST_TEXT + KVMRT_CPU_STATUS_N_TEXTS,
  PROP_LOAD_VALUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const text_names[KVMRT_CPU_STATUS_N_TEXTS] = {
  "cpu", "place", "state", "owner", "vcpu", "irqs", "tasks", "flag", "findings",
};

G_DEFINE_FINAL_TYPE (KvmrtCpuStatusRow, kvmrt_cpu_status_row, G_TYPE_OBJECT)

static char **
css_classes (KvmrtCpuStatusRow *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **classes;

  g_strv_builder_add (builder, "cpu-status-cell");
  if (self->rt)
    g_strv_builder_add (builder, "cpu-status-rt");
  if (self->flagged)
    g_strv_builder_add (builder, "cpu-status-flagged");
  classes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return classes;
}

static void
kvmrt_cpu_status_row_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  KvmrtCpuStatusRow *self = KVMRT_CPU_STATUS_ROW (object);

  if (prop_id == PROP_CSS_CLASSES)
    g_value_take_boxed (value, css_classes (self));
  else if (prop_id == PROP_LOAD_VALUE)
    g_value_set_double (value, self->load);
  else if (prop_id >= PROP_FIRST_TEXT && prop_id < PROP_CSS_CLASSES)
    g_value_set_string (value, self->texts[prop_id - PROP_FIRST_TEXT]);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
kvmrt_cpu_status_row_finalize (GObject *object)
{
  KvmrtCpuStatusRow *self = KVMRT_CPU_STATUS_ROW (object);

  for (guint i = 0; i < KVMRT_CPU_STATUS_N_TEXTS; i++)
    g_free (self->texts[i]);
  G_OBJECT_CLASS (kvmrt_cpu_status_row_parent_class)->finalize (object);
}

static void
kvmrt_cpu_status_row_class_init (KvmrtCpuStatusRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = kvmrt_cpu_status_row_get_property;
  object_class->finalize = kvmrt_cpu_status_row_finalize;

  for (guint i = 0; i < KVMRT_CPU_STATUS_N_TEXTS; i++)
    properties[PROP_FIRST_TEXT + i] =
      g_param_spec_string (text_names[i], NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS
                           | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CSS_CLASSES] =
    g_param_spec_boxed ("css-classes", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOAD_VALUE] =
    g_param_spec_double ("load-value", NULL, NULL, -1, 1, -1,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kvmrt_cpu_status_row_init (KvmrtCpuStatusRow *self)
{
  self->load = -1;
}

KvmrtCpuStatusRow *
kvmrt_cpu_status_row_new (guint cpu)
{
  KvmrtCpuStatusRow *self = g_object_new (KVMRT_TYPE_CPU_STATUS_ROW, NULL);

  self->cpu = cpu;
  self->texts[KVMRT_CPU_STATUS_CPU] = g_strdup_printf ("%u", cpu);
  return self;
}

guint
kvmrt_cpu_status_row_get_cpu (KvmrtCpuStatusRow *self)
{
  return self->cpu;
}

const char *
kvmrt_cpu_status_row_get_text (KvmrtCpuStatusRow *self, KvmrtCpuStatusText which)
{
  return self->texts[which];
}

void
kvmrt_cpu_status_row_take_text (KvmrtCpuStatusRow  *self,
                                KvmrtCpuStatusText  which,
                                char               *text)
{
  if (g_strcmp0 (self->texts[which], text) == 0)
    {
      g_free (text);
      return;
    }
  g_free (self->texts[which]);
  self->texts[which] = text;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_TEXT + which]);
}

void
kvmrt_cpu_status_row_set_text (KvmrtCpuStatusRow  *self,
                               KvmrtCpuStatusText  which,
                               const char         *text)
{
  if (g_strcmp0 (self->texts[which], text) == 0)
    return;
  kvmrt_cpu_status_row_take_text (self, which, g_strdup (text));
}

void
kvmrt_cpu_status_row_set_load (KvmrtCpuStatusRow *self, double load)
{
  if (self->load == load)
    return;
  self->load = load;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOAD_VALUE]);
}

void
kvmrt_cpu_status_row_set_marks (KvmrtCpuStatusRow *self, gboolean rt, gboolean flagged)
{
  if (self->rt == rt && self->flagged == flagged)
    return;
  self->rt = rt;
  self->flagged = flagged;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CSS_CLASSES]);
}

gboolean
kvmrt_cpu_status_row_get_rt (KvmrtCpuStatusRow *self)
{
  return self->rt;
}

gboolean
kvmrt_cpu_status_row_get_flagged (KvmrtCpuStatusRow *self)
{
  return self->flagged;
}

void
kvmrt_cpu_status_row_set_vm (KvmrtCpuStatusRow *self, gpointer vm)
{
  self->vm = vm;
}

gpointer
kvmrt_cpu_status_row_get_vm (KvmrtCpuStatusRow *self)
{
  return self->vm;
}
