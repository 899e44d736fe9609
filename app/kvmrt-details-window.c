/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-details-window.h"

#include <glib/gi18n.h>

#include "kvmrt-proc.h"

/* How often the window reads the VM again while it is shown. */
#define REFRESH_INTERVAL_S 2
/* The shortest time a CPU usage figure is averaged over. */
#define MIN_SAMPLE_INTERVAL_US (G_USEC_PER_SEC)

/* KvmrtDetailsThread: one row of the threads table, a QEMU thread as GObject properties the
 * column view's expressions read. Private to this window, so it lives in this file. */
#define KVMRT_TYPE_DETAILS_THREAD (kvmrt_details_thread_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtDetailsThread, kvmrt_details_thread, KVMRT, DETAILS_THREAD,
                      GObject)

struct _KvmrtDetailsThread
{
  GObject  parent_instance;

  int      tid;
  char    *name;
  char    *kind;
  int      kind_order;   /* vCPUs first, in order, then the other kinds */
  char    *affinity;
  int      cpu;
  char    *policy;
  int      priority;
};

enum {
  THREAD_PROP_0,
  THREAD_PROP_TID,
  THREAD_PROP_NAME,
  THREAD_PROP_KIND,
  THREAD_PROP_KIND_ORDER,
  THREAD_PROP_AFFINITY,
  THREAD_PROP_CPU,
  THREAD_PROP_POLICY,
  THREAD_PROP_PRIORITY,
  N_THREAD_PROPS
};

static GParamSpec *thread_properties[N_THREAD_PROPS];

G_DEFINE_FINAL_TYPE (KvmrtDetailsThread, kvmrt_details_thread, G_TYPE_OBJECT)

struct _KvmrtDetailsWindow
{
  AdwWindow            parent_instance;

  /* Template widgets */
  AdwWindowTitle      *window_title;
  AdwToastOverlay     *toast_overlay;
  AdwPreferencesGroup *state_group;
  GtkLabel            *state_label;
  GtkLabel            *uptime_label;
  GtkLabel            *pid_label;
  GtkLabel            *rt_label;
  AdwActionRow        *tuning_row;
  GtkLabel            *tuning_label;
  GtkButton           *retune_button;
  AdwExpanderRow      *vcpus_row;
  AdwPreferencesGroup *guest_services_group;
  AdwExpanderRow      *guest_services_row;
  GtkLabel            *emulator_label;
  GtkLabel            *shielded_label;
  GtkLabel            *offline_label;
  GtkLabel            *irq_label;
  AdwActionRow        *usage_row;
  GtkLevelBar         *usage_bar;
  GtkLabel            *usage_label;
  GtkLabel            *memory_label;
  GtkStack            *threads_stack;
  GtkLabel            *threads_label;
  GtkColumnView       *threads_view;
  GtkColumnViewColumn *tid_column;
  GtkSortListModel    *threads_sorted;
  GListStore          *threads_store;

  /* Owned */
  KvmrtManager        *manager;
  KvmrtVm             *vm;            /* NULL once the configuration no longer has it */
  char                *uuid;
  GPtrArray           *vcpu_rows;     /* GtkWidget* added to vcpus_row */
  char                *vcpus_key;     /* what vcpu_rows show, to rebuild only on change */
  GPtrArray           *drift_rows;    /* GtkWidget* added to state_group */
  GPtrArray           *gs_labels;     /* GtkLabel* per Guest Services counter */
  char                *drift_key;
  char                *retune_message;
  GCancellable        *cancellable;   /* libvirt calls and the retune; cancelled on dispose */
  guint                refresh_id;
  gboolean             info_pending;
  gboolean             retuning;
  gboolean             running;
  guint64              last_cpu_time; /* ns, from libvirt */
  gint64               last_sample;   /* monotonic µs of last_cpu_time; 0: none yet */
};

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_VM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KvmrtDetailsWindow, kvmrt_details_window, ADW_TYPE_WINDOW)

static void refresh (KvmrtDetailsWindow *self);

/* KvmrtDetailsThread ------------------------------------------------------------------- */

static void
kvmrt_details_thread_finalize (GObject *object)
{
  KvmrtDetailsThread *self = KVMRT_DETAILS_THREAD (object);

  g_free (self->name);
  g_free (self->kind);
  g_free (self->affinity);
  g_free (self->policy);
  G_OBJECT_CLASS (kvmrt_details_thread_parent_class)->finalize (object);
}

static void
kvmrt_details_thread_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  KvmrtDetailsThread *self = KVMRT_DETAILS_THREAD (object);

  switch (prop_id)
    {
    case THREAD_PROP_TID:
      g_value_set_int (value, self->tid);
      break;
    case THREAD_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case THREAD_PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case THREAD_PROP_KIND_ORDER:
      g_value_set_int (value, self->kind_order);
      break;
    case THREAD_PROP_AFFINITY:
      g_value_set_string (value, self->affinity);
      break;
    case THREAD_PROP_CPU:
      g_value_set_int (value, self->cpu);
      break;
    case THREAD_PROP_POLICY:
      g_value_set_string (value, self->policy);
      break;
    case THREAD_PROP_PRIORITY:
      g_value_set_int (value, self->priority);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_details_thread_class_init (KvmrtDetailsThreadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = kvmrt_details_thread_finalize;
  object_class->get_property = kvmrt_details_thread_get_property;

  thread_properties[THREAD_PROP_TID] =
    g_param_spec_int ("tid", NULL, NULL, 0, G_MAXINT, 0, flags);
  thread_properties[THREAD_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  thread_properties[THREAD_PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, flags);
  thread_properties[THREAD_PROP_KIND_ORDER] =
    g_param_spec_int ("kind-order", NULL, NULL, 0, G_MAXINT, 0, flags);
  thread_properties[THREAD_PROP_AFFINITY] =
    g_param_spec_string ("affinity", NULL, NULL, NULL, flags);
  thread_properties[THREAD_PROP_CPU] =
    g_param_spec_int ("cpu", NULL, NULL, -1, G_MAXINT, -1, flags);
  thread_properties[THREAD_PROP_POLICY] =
    g_param_spec_string ("policy", NULL, NULL, NULL, flags);
  thread_properties[THREAD_PROP_PRIORITY] =
    g_param_spec_int ("priority", NULL, NULL, G_MININT, G_MAXINT, 0, flags);
  g_object_class_install_properties (object_class, N_THREAD_PROPS, thread_properties);
}

static void
kvmrt_details_thread_init (KvmrtDetailsThread *self)
{
  self->cpu = -1;
}

static void
thread_set_string (KvmrtDetailsThread *self, char **field, char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return;
    }
  g_free (*field);
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), thread_properties[prop]);
}

static void
thread_set_int (KvmrtDetailsThread *self, int *field, int value, guint prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), thread_properties[prop]);
}

static void
kvmrt_details_thread_update (KvmrtDetailsThread *self, const KvmrtThread *thread)
{
  int order = thread->kind == KVMRT_THREAD_VCPU && thread->vcpu >= 0
                ? thread->vcpu
                : 100000 + (int) thread->kind;

  g_object_freeze_notify (G_OBJECT (self));
  thread_set_int (self, &self->tid, thread->tid, THREAD_PROP_TID);
  thread_set_string (self, &self->name, g_strdup (thread->name), THREAD_PROP_NAME);
  thread_set_string (self, &self->kind, kvmrt_thread_describe_kind (thread), THREAD_PROP_KIND);
  thread_set_int (self, &self->kind_order, order, THREAD_PROP_KIND_ORDER);
  thread_set_string (self, &self->affinity,
                     thread->affinity != NULL ? kvmrt_id_set_to_string (thread->affinity)
                                              : g_strdup (_("unknown")),
                     THREAD_PROP_AFFINITY);
  thread_set_int (self, &self->cpu, thread->cpu, THREAD_PROP_CPU);
  thread_set_string (self, &self->policy, g_strdup (kvmrt_sched_policy_to_string (thread->policy)),
                     THREAD_PROP_POLICY);
  thread_set_int (self, &self->priority, thread->priority, THREAD_PROP_PRIORITY);
  g_object_thaw_notify (G_OBJECT (self));
}

static KvmrtDetailsThread *
kvmrt_details_thread_new (const KvmrtThread *thread)
{
  KvmrtDetailsThread *self = g_object_new (KVMRT_TYPE_DETAILS_THREAD, NULL);

  kvmrt_details_thread_update (self, thread);
  return self;
}

/* Helpers ------------------------------------------------------------------------------- */

static const char *
state_text (const KvmrtVmStatus *status)
{
  if (!status->defined)
    return _("Not in libvirt");
  switch (status->state)
    {
    case GVIR_DOMAIN_STATE_RUNNING:
      return _("Running");
    case GVIR_DOMAIN_STATE_BLOCKED:
      return _("Running (blocked)");
    case GVIR_DOMAIN_STATE_PAUSED:
      return _("Paused");
    case GVIR_DOMAIN_STATE_SHUTDOWN:
      return _("Shutting down");
    case GVIR_DOMAIN_STATE_SHUTOFF:
      return _("Shut off");
    case GVIR_DOMAIN_STATE_CRASHED:
      return _("Crashed");
    case GVIR_DOMAIN_STATE_PMSUSPENDED:
      return _("Suspended");
    case GVIR_DOMAIN_STATE_NONE:
    default:
      return _("Unknown");
    }
}

/* "16-23", or @none when the set is empty. */
static char *
cpus_text (const KvmrtIdSet *set, const char *none)
{
  if (set == NULL || kvmrt_id_set_is_empty (set))
    return g_strdup (none);
  return kvmrt_id_set_to_string (set);
}

static void
set_label_class (GtkLabel *label, const char *text, const char *css_class)
{
  static const char *const classes[] = { "success", "warning", "error", "dim-label" };

  gtk_label_set_text (label, text);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    if (g_strcmp0 (classes[i], css_class) != 0)
      gtk_widget_remove_css_class (GTK_WIDGET (label), classes[i]);
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), css_class);
}

/* A row of the form "title ... value" for the rows this window makes itself. */
static GtkWidget *
make_value_row (const char *title, const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

/* Guest Services ------------------------------------------------------------------------ */

/* What each of kvmrtd's counters (KVMRT_GS_COUNTERS, in that order) means to a reader. */
static const char *const gs_counter_titles[] = {
  N_("Requests"), N_("Pings"), N_("Messages"), N_("Flushes"), N_("Data Blocks"),
  N_("Invalid Requests"), N_("Malformed Input"), N_("Bytes Skipped"), N_("Bytes Read"),
  N_("Times Throttled"), N_("Replies Dropped"), N_("Trace Failures"), N_("Log Failures"),
};

static void
update_guest_services (KvmrtDetailsWindow *self, const KvmrtVmStatus *status)
{
  const KvmrtGsVmStats *gs = status->guest_services;
  const char *summary;

  gtk_widget_set_visible (GTK_WIDGET (self->guest_services_group),
                          kvmrt_vm_get_guest_services (status->vm));
  if (self->gs_labels->len == 0)
    {
      g_assert (G_N_ELEMENTS (gs_counter_titles) == kvmrt_gs_counter_count ());
      for (guint i = 0; i < kvmrt_gs_counter_count (); i++)
        {
          GtkWidget *row = adw_action_row_new ();
          GtkWidget *label = gtk_label_new ("-");

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(gs_counter_titles[i]));
          gtk_widget_add_css_class (label, "dim-label");
          gtk_widget_add_css_class (label, "numeric");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
          adw_expander_row_add_row (self->guest_services_row, row);
          g_ptr_array_add (self->gs_labels, label);
        }
    }
  if (gs == NULL)
    summary = status->running ? _("Not served: is kvmrtd running?") : _("Not running");
  else
    summary = gs->connected ? _("Served by kvmrtd") : _("Not connected");
  adw_expander_row_set_subtitle (self->guest_services_row, summary);
  for (guint i = 0; i < self->gs_labels->len; i++)
    {
      g_autofree char *value = gs != NULL
        ? g_strdup_printf ("%" G_GUINT64_FORMAT, kvmrt_gs_vm_stats_counter (gs, i))
        : g_strdup ("-");

      gtk_label_set_text (self->gs_labels->pdata[i], value);
    }
}

/* State --------------------------------------------------------------------------------- */

static void
update_drift (KvmrtDetailsWindow *self, GPtrArray *drift)
{
  g_autoptr(GString) key = g_string_new (NULL);

  for (guint i = 0; drift != NULL && i < drift->len; i++)
    g_string_append_printf (key, "%s\n", (const char *) drift->pdata[i]);
  if (g_strcmp0 (key->str, self->drift_key) == 0)
    return;
  g_free (self->drift_key);
  self->drift_key = g_strdup (key->str);

  for (guint i = 0; i < self->drift_rows->len; i++)
    adw_preferences_group_remove (self->state_group, self->drift_rows->pdata[i]);
  g_ptr_array_set_size (self->drift_rows, 0);
  for (guint i = 0; drift != NULL && i < drift->len; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), drift->pdata[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_widget_add_css_class (row, "error");
      adw_preferences_group_add (self->state_group, row);
      g_ptr_array_add (self->drift_rows, row);
    }
}

static void
update_state (KvmrtDetailsWindow *self, const KvmrtVmStatus *status)
{
  const KvmrtVmPlan *plan = status->plan;
  gboolean drifted = plan->rt && status->running && !status->tuned;
  g_autofree char *uptime = NULL;
  g_autofree char *pid = NULL;
  const char *note = NULL;

  set_label_class (self->state_label, state_text (status),
                   status->running ? "success" : NULL);

  if (!status->running)
    uptime = g_strdup (_("Not running"));
  else if (status->uptime < 0)
    uptime = g_strdup (_("Unknown"));
  else
    uptime = kvmrt_format_uptime (status->uptime);
  gtk_label_set_text (self->uptime_label, uptime);

  if (!status->running)
    pid = g_strdup (_("Not running"));
  else if (status->pid > 0)
    pid = g_strdup_printf (_("PID %d"), status->pid);
  else
    pid = g_strdup (_("Not on this host"));
  gtk_label_set_text (self->pid_label, pid);

  gtk_label_set_text (self->rt_label, plan->rt ? _("Yes") : _("No"));

  if (!plan->rt)
    {
      set_label_class (self->tuning_label, _("Not needed"), "dim-label");
      note = _("Only real-time VMs have the host tuned for them");
    }
  else if (!status->running)
    {
      set_label_class (self->tuning_label, _("Not in force"), "dim-label");
      note = _("The host is tuned for this VM when it boots");
    }
  else if (status->tuned)
    set_label_class (self->tuning_label, _("In force"), "success");
  else
    {
      set_label_class (self->tuning_label, _("Not in force"), "error");
      note = status->tuning_note;
    }
  if (self->retune_message != NULL)
    note = self->retune_message;
  adw_action_row_set_subtitle (self->tuning_row, note != NULL ? note : "");

  gtk_widget_set_visible (GTK_WIDGET (self->retune_button), drifted || self->retuning);
  gtk_widget_set_sensitive (GTK_WIDGET (self->retune_button), !self->retuning);
  gtk_button_set_label (self->retune_button,
                        self->retuning ? _("Retuning…") : _("Retune Real-Time"));
  update_drift (self, drifted ? status->drift_told : NULL);
}

/* CPUs ---------------------------------------------------------------------------------- */

static void
update_cpus (KvmrtDetailsWindow *self, const KvmrtVmPlan *plan)
{
  g_autoptr(GString) key = g_string_new (NULL);
  g_autoptr(KvmrtIdSet) all = kvmrt_id_set_new ();
  gboolean same = TRUE;
  g_autofree char *emulator = cpus_text (plan->emulator_cpus, _("Not pinned"));
  g_autofree char *shielded = cpus_text (plan->shielded_cpus, _("None"));
  g_autofree char *offline = cpus_text (plan->offline_cpus, _("None"));
  g_autofree char *irq = plan->irq_cpu >= 0 ? g_strdup_printf ("%d", plan->irq_cpu)
                                            : g_strdup (_("None"));

  gtk_label_set_text (self->emulator_label, emulator);
  gtk_label_set_text (self->shielded_label, shielded);
  gtk_label_set_text (self->offline_label, offline);
  gtk_label_set_text (self->irq_label, irq);

  for (guint i = 0; i < plan->vcpu_pins->len; i++)
    {
      g_autofree char *pin = cpus_text (plan->vcpu_pins->pdata[i], "-");

      kvmrt_id_set_union (all, plan->vcpu_pins->pdata[i]);
      g_string_append_printf (key, "%s;", pin);
    }
  if (plan->cpuset_error != NULL)
    g_string_append (key, plan->cpuset_error->message);
  if (g_strcmp0 (key->str, self->vcpus_key) == 0)
    return;
  g_free (self->vcpus_key);
  self->vcpus_key = g_strdup (key->str);

  for (guint i = 0; i < self->vcpu_rows->len; i++)
    adw_expander_row_remove (self->vcpus_row, self->vcpu_rows->pdata[i]);
  g_ptr_array_set_size (self->vcpu_rows, 0);

  /* Every vCPU on the same CPUs (an ordinary VM's whole cpuset): the subtitle says it all. */
  for (guint i = 1; i < plan->vcpu_pins->len; i++)
    if (!kvmrt_id_set_equal (plan->vcpu_pins->pdata[i], plan->vcpu_pins->pdata[0]))
      same = FALSE;
  adw_expander_row_set_expanded (self->vcpus_row, !same || plan->vcpu_pins->len == 1);

  if (plan->cpuset_error != NULL)
    adw_expander_row_set_subtitle (self->vcpus_row, plan->cpuset_error->message);
  else if (same && plan->vcpu_pins->len > 1 && !kvmrt_id_set_is_empty (all))
    {
      g_autofree char *cpus = kvmrt_id_set_to_string (all);
      g_autofree char *subtitle =
        g_strdup_printf (_("%u vCPUs, each on any of host CPUs %s"), plan->vcpu_pins->len,
                         cpus);

      adw_expander_row_set_subtitle (self->vcpus_row, subtitle);
    }
  else if (kvmrt_id_set_is_empty (all))
    {
      g_autofree char *subtitle =
        g_strdup_printf (ngettext ("%u vCPU, not pinned to host CPUs",
                                   "%u vCPUs, not pinned to host CPUs", plan->vcpu_pins->len),
                         plan->vcpu_pins->len);

      adw_expander_row_set_subtitle (self->vcpus_row, subtitle);
    }
  else
    {
      g_autofree char *cpus = kvmrt_id_set_to_string (all);
      g_autofree char *subtitle =
        g_strdup_printf (ngettext ("%u vCPU on host CPUs %s", "%u vCPUs on host CPUs %s",
                                   plan->vcpu_pins->len),
                         plan->vcpu_pins->len, cpus);

      adw_expander_row_set_subtitle (self->vcpus_row, subtitle);
    }

  for (guint i = 0; i < plan->vcpu_pins->len; i++)
    {
      g_autofree char *title = g_strdup_printf (_("vCPU %u"), i);
      g_autofree char *pin = cpus_text (plan->vcpu_pins->pdata[i], _("Any host CPU"));
      guint n = kvmrt_id_set_count (plan->vcpu_pins->pdata[i]);
      g_autofree char *value = g_strdup_printf (ngettext ("Host CPU %s", "Host CPUs %s", n),
                                                pin);
      GtkWidget *row = make_value_row (title, n == 0 ? pin : value);

      adw_expander_row_add_row (self->vcpus_row, row);
      g_ptr_array_add (self->vcpu_rows, row);
    }
}

/* Usage --------------------------------------------------------------------------------- */

static void
show_usage_unavailable (KvmrtDetailsWindow *self, const char *text)
{
  gtk_label_set_text (self->usage_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->usage_bar), FALSE);
  adw_action_row_set_subtitle (self->usage_row, "");
  gtk_label_set_text (self->memory_label, text);
}

static void
on_domain_get_info_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      data)
{
  g_autoptr(KvmrtDetailsWindow) self = data;
  g_autoptr(GError) error = NULL;
  GVirDomainInfo *info = gvir_domain_get_info_finish (GVIR_DOMAIN (source), result, &error);
  gint64 now = g_get_monotonic_time ();

  self->info_pending = FALSE;
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      if (info != NULL)
        g_boxed_free (GVIR_TYPE_DOMAIN_INFO, info);
      return;
    }
  if (info == NULL)
    {
      show_usage_unavailable (self, _("Unavailable"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->usage_label), error->message);
      self->last_sample = 0;
      return;
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->usage_label), NULL);

  if (!self->running)
    ;
  else if (self->last_sample > 0 && now > self->last_sample && info->nrVirtCpu > 0
           && info->cpuTime >= self->last_cpu_time)
    {
      double busy = (double) (info->cpuTime - self->last_cpu_time);
      double wall = (double) (now - self->last_sample) * 1000.0;
      double usage = CLAMP (busy / wall / info->nrVirtCpu, 0.0, 1.0);
      g_autofree char *text = g_strdup_printf (_("%.1f %%"), usage * 100.0);
      g_autofree char *subtitle =
        g_strdup_printf (ngettext ("Across %u vCPU, over the last %.1f s",
                                   "Across %u vCPUs, over the last %.1f s", info->nrVirtCpu),
                         info->nrVirtCpu, wall / 1e9);

      gtk_label_set_text (self->usage_label, text);
      gtk_level_bar_set_value (self->usage_bar, usage);
      gtk_widget_set_visible (GTK_WIDGET (self->usage_bar), TRUE);
      adw_action_row_set_subtitle (self->usage_row, subtitle);
    }
  else
    gtk_label_set_text (self->usage_label, _("Measuring…"));

  if (self->running)
    {
      g_autofree char *used = g_format_size_full (info->memory * 1024,
                                                  G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *max = g_format_size_full (info->maxMem * 1024,
                                                 G_FORMAT_SIZE_IEC_UNITS);
      /* Translators: memory the VM has now "of" the most it may have: "4.0 GiB of 8.0 GiB" */
      g_autofree char *memory = info->memory == info->maxMem
                                  ? g_strdup (used)
                                  : g_strdup_printf (_("%s of %s"), used, max);

      gtk_label_set_text (self->memory_label, memory);
      self->last_cpu_time = info->cpuTime;
      self->last_sample = now;
    }
  g_boxed_free (GVIR_TYPE_DOMAIN_INFO, info);
}

static void
update_usage (KvmrtDetailsWindow *self, const KvmrtVmStatus *status)
{
  KvmrtLibvirt *libvirt = kvmrt_manager_get_libvirt (self->manager);
  GVirDomain *domain = libvirt != NULL ? kvmrt_libvirt_lookup_uuid (libvirt, self->uuid) : NULL;

  if (!status->running || domain == NULL)
    {
      self->last_sample = 0;
      show_usage_unavailable (self, status->running ? _("Unavailable") : _("Not running"));
      return;
    }
  if (self->last_sample == 0 && !self->info_pending)
    {
      gtk_label_set_text (self->usage_label, _("Measuring…"));
      gtk_label_set_text (self->memory_label, _("Measuring…"));
    }
  /* libvirt answers in one of its worker threads: a remote daemon may be slow. Refreshes
   * that come close together (status changes) keep the last sample, so the figure stays
   * an average over a second or more. */
  if (self->info_pending
      || (self->last_sample > 0
          && g_get_monotonic_time () - self->last_sample < MIN_SAMPLE_INTERVAL_US))
    return;
  self->info_pending = TRUE;
  gvir_domain_get_info_async (domain, self->cancellable, on_domain_get_info_cb,
                              g_object_ref (self));
}

/* Threads ------------------------------------------------------------------------------- */

static gboolean
same_tids (GListModel *model, GPtrArray *threads)
{
  if (g_list_model_get_n_items (model) != threads->len)
    return FALSE;
  for (guint i = 0; i < threads->len; i++)
    {
      g_autoptr(KvmrtDetailsThread) item = g_list_model_get_item (model, i);

      if (item->tid != ((KvmrtThread *) threads->pdata[i])->tid)
        return FALSE;
    }
  return TRUE;
}

static void
show_no_threads (KvmrtDetailsWindow *self, const char *text)
{
  g_list_store_remove_all (self->threads_store);
  gtk_label_set_text (self->threads_label, text);
  gtk_stack_set_visible_child_name (self->threads_stack, "none");
}

static void
update_threads (KvmrtDetailsWindow  *self,
                const KvmrtVmStatus *status,
                const GError        *error)
{
  GListModel *model = G_LIST_MODEL (self->threads_store);
  GPtrArray *threads = status->threads;

  if (!status->running)
    {
      show_no_threads (self, _("The VM is not running, so it has no QEMU threads."));
      return;
    }
  if (status->pid <= 0)
    {
      show_no_threads (self, _("Threads are shown for VMs whose QEMU runs on this host. This "
                               "VM runs elsewhere, or on a hypervisor without a local QEMU "
                               "process (a remote or test connection)."));
      return;
    }
  if (threads == NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("The threads of QEMU process %d could not be read: %s"),
                         status->pid, error != NULL ? error->message : _("unknown error"));

      show_no_threads (self, text);
      return;
    }

  /* Same threads: update the rows in place, so the table keeps its scroll position. */
  if (same_tids (model, threads))
    for (guint i = 0; i < threads->len; i++)
      {
        g_autoptr(KvmrtDetailsThread) item = g_list_model_get_item (model, i);

        kvmrt_details_thread_update (item, threads->pdata[i]);
      }
  else
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < threads->len; i++)
        g_ptr_array_add (items, kvmrt_details_thread_new (threads->pdata[i]));
      g_list_store_splice (self->threads_store, 0, g_list_model_get_n_items (model),
                           items->pdata, items->len);
    }
  gtk_stack_set_visible_child_name (self->threads_stack, "table");
}

/* Refresh ------------------------------------------------------------------------------- */

static void
update_title (KvmrtDetailsWindow *self)
{
  g_autofree char *title = NULL;

  if (self->vm == NULL)
    return;
  /* Translators: the window title, with the VM's name */
  title = g_strdup_printf (_("Runtime Details — %s"), kvmrt_vm_get_label (self->vm));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, kvmrt_vm_get_display_title (self->vm));
  adw_window_title_set_subtitle (self->window_title, _("Runtime Details"));
}

static void
show_unconfigured (KvmrtDetailsWindow *self)
{
  set_label_class (self->state_label, _("Not in the configuration"), "warning");
  gtk_label_set_text (self->uptime_label, "-");
  gtk_label_set_text (self->pid_label, "-");
  gtk_widget_set_visible (GTK_WIDGET (self->retune_button), FALSE);
  update_drift (self, NULL);
  show_usage_unavailable (self, "-");
  show_no_threads (self, _("This VM is no longer in the loaded configuration."));
}

static void
refresh (KvmrtDetailsWindow *self)
{
  KvmrtPlan *plan = kvmrt_manager_get_plan (self->manager);
  const KvmrtVmPlan *vm_plan = NULL;
  KvmrtVmStatus status = { 0 };
  g_autoptr(GError) threads_error = NULL;

  if (plan != NULL && self->vm != NULL)
    vm_plan = kvmrt_plan_lookup (plan, self->vm);
  if (vm_plan == NULL)
    {
      show_unconfigured (self);
      return;
    }

  /* A few files below /proc and one libvirt state query: quick enough for the GUI thread,
   * as the manager's own refresh does. The CPU time comes asynchronously. */
  kvmrt_vm_status_gather (&status, kvmrt_manager_get_sysroot (self->manager),
                          kvmrt_manager_get_host (self->manager),
                          kvmrt_manager_get_libvirt (self->manager), vm_plan, NULL,
                          KVMRT_VM_STATUS_THREADS, &threads_error);
  self->running = status.running;
  update_state (self, &status);
  update_guest_services (self, &status);
  update_cpus (self, vm_plan);
  update_usage (self, &status);
  update_threads (self, &status, threads_error);
  kvmrt_vm_status_clear (&status);
}

static gboolean
on_refresh_timeout_cb (gpointer data)
{
  refresh (KVMRT_DETAILS_WINDOW (data));
  return G_SOURCE_CONTINUE;
}

/* Callbacks ----------------------------------------------------------------------------- */

static void
on_manager_status_changed_cb (KvmrtDetailsWindow *self,
                              KvmrtVm            *vm,
                              KvmrtManager       *manager)
{
  /* A hidden window catches up when it is shown again (map). */
  if (gtk_widget_get_mapped (GTK_WIDGET (self))
      && g_str_equal (kvmrt_vm_get_uuid (vm), self->uuid))
    refresh (self);
}

static void
on_manager_config_changed_cb (KvmrtDetailsWindow *self,
                              KvmrtManager       *manager)
{
  KvmrtConfig *config = kvmrt_manager_get_config (manager);

  /* Apply replaces the configuration and its VM objects: follow the VM by its UUID. */
  g_clear_object (&self->vm);
  if (config != NULL)
    {
      KvmrtVm *vm = kvmrt_config_lookup_uuid (config, self->uuid);

      self->vm = vm != NULL ? g_object_ref (vm) : NULL;
    }
  update_title (self);
  refresh (self);
}

static void
on_retune_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(KvmrtDetailsWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_auto(GStrv) lines = NULL;
  AdwToast *toast;

  kvmrt_manager_operation_finish (KVMRT_MANAGER (source), result, &message, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->retuning = FALSE;

  g_free (self->retune_message);
  if (error != NULL)
    self->retune_message = message != NULL && *message != '\0'
                             ? g_strdup_printf ("%s\n%s", error->message, message)
                             : g_strdup (error->message);
  else
    self->retune_message = g_strdup (message != NULL ? message : _("Retuned"));
  lines = g_strsplit (self->retune_message, "\n", 2);
  toast = adw_toast_new (lines[0]);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  refresh (self);
}

static void
on_retune_button_clicked_cb (KvmrtDetailsWindow *self,
                             GtkButton          *button)
{
  if (self->vm == NULL || self->retuning)
    return;
  self->retuning = TRUE;
  g_clear_pointer (&self->retune_message, g_free);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  gtk_button_set_label (button, _("Retuning…"));
  kvmrt_manager_retune_async (self->manager, self->vm, self->cancellable, on_retune_done_cb,
                              g_object_ref (self));
}

/* Overrides ----------------------------------------------------------------------------- */

static void
kvmrt_details_window_map (GtkWidget *widget)
{
  KvmrtDetailsWindow *self = KVMRT_DETAILS_WINDOW (widget);

  GTK_WIDGET_CLASS (kvmrt_details_window_parent_class)->map (widget);
  refresh (self);
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add_seconds (REFRESH_INTERVAL_S, on_refresh_timeout_cb, self);
}

static void
kvmrt_details_window_unmap (GtkWidget *widget)
{
  KvmrtDetailsWindow *self = KVMRT_DETAILS_WINDOW (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  /* The next usage figure starts from a fresh sample. */
  self->last_sample = 0;
  GTK_WIDGET_CLASS (kvmrt_details_window_parent_class)->unmap (widget);
}

static void
kvmrt_details_window_constructed (GObject *object)
{
  KvmrtDetailsWindow *self = KVMRT_DETAILS_WINDOW (object);

  G_OBJECT_CLASS (kvmrt_details_window_parent_class)->constructed (object);

  g_return_if_fail (self->manager != NULL && self->vm != NULL);
  self->uuid = g_strdup (kvmrt_vm_get_uuid (self->vm));
  g_signal_connect_object (self->manager, "status-changed",
                           G_CALLBACK (on_manager_status_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->manager, "config-changed",
                           G_CALLBACK (on_manager_config_changed_cb), self, G_CONNECT_SWAPPED);
  update_title (self);
  /* Filled before it is shown, so the vCPU list opens as it should, without an animation. */
  refresh (self);
}

static void
kvmrt_details_window_dispose (GObject *object)
{
  KvmrtDetailsWindow *self = KVMRT_DETAILS_WINDOW (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_DETAILS_WINDOW);
  G_OBJECT_CLASS (kvmrt_details_window_parent_class)->dispose (object);
}

static void
kvmrt_details_window_finalize (GObject *object)
{
  KvmrtDetailsWindow *self = KVMRT_DETAILS_WINDOW (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->vm);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->vcpu_rows, g_ptr_array_unref);
  g_clear_pointer (&self->drift_rows, g_ptr_array_unref);
  g_clear_pointer (&self->gs_labels, g_ptr_array_unref);
  g_free (self->vcpus_key);
  g_free (self->drift_key);
  g_free (self->retune_message);
  g_free (self->uuid);
  G_OBJECT_CLASS (kvmrt_details_window_parent_class)->finalize (object);
}

static void
kvmrt_details_window_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  KvmrtDetailsWindow *self = KVMRT_DETAILS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_VM:
      g_value_set_object (value, self->vm);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_details_window_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  KvmrtDetailsWindow *self = KVMRT_DETAILS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;
    case PROP_VM:
      self->vm = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_details_window_class_init (KvmrtDetailsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = kvmrt_details_window_constructed;
  object_class->dispose = kvmrt_details_window_dispose;
  object_class->finalize = kvmrt_details_window_finalize;
  object_class->get_property = kvmrt_details_window_get_property;
  object_class->set_property = kvmrt_details_window_set_property;
  widget_class->map = kvmrt_details_window_map;
  widget_class->unmap = kvmrt_details_window_unmap;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, KVMRT_TYPE_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VM] =
    g_param_spec_object ("vm", NULL, NULL, KVMRT_TYPE_VM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KVMRT_TYPE_DETAILS_THREAD);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-details-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, state_group);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, state_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, uptime_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, pid_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, rt_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, tuning_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, tuning_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, retune_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, vcpus_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, guest_services_group);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, guest_services_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, emulator_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, shielded_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, offline_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, irq_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, usage_row);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, usage_bar);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, usage_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, memory_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, threads_stack);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, threads_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, threads_view);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, tid_column);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, threads_sorted);
  gtk_widget_class_bind_template_child (widget_class, KvmrtDetailsWindow, threads_store);
  gtk_widget_class_bind_template_callback (widget_class, on_retune_button_clicked_cb);
}

static void
kvmrt_details_window_init (KvmrtDetailsWindow *self)
{
  self->vcpu_rows = g_ptr_array_new ();
  self->drift_rows = g_ptr_array_new ();
  self->gs_labels = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_sort_list_model_set_sorter (self->threads_sorted,
                                  gtk_column_view_get_sorter (self->threads_view));
  gtk_column_view_sort_by_column (self->threads_view, self->tid_column, GTK_SORT_ASCENDING);
}

/* Public API ---------------------------------------------------------------------------- */

KvmrtDetailsWindow *
kvmrt_details_window_new (GtkApplication *app,
                          KvmrtManager   *manager,
                          KvmrtVm        *vm)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (KVMRT_IS_MANAGER (manager), NULL);
  g_return_val_if_fail (KVMRT_IS_VM (vm), NULL);

  return g_object_new (KVMRT_TYPE_DETAILS_WINDOW,
                       "application", app,
                       "manager", manager,
                       "vm", vm,
                       NULL);
}

const char *
kvmrt_details_window_get_uuid (KvmrtDetailsWindow *self)
{
  g_return_val_if_fail (KVMRT_IS_DETAILS_WINDOW (self), NULL);

  return self->uuid;
}
