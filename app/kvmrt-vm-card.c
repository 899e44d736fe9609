/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-vm-card.h"

#include <glib/gi18n.h>

#include "kvmrt-libvirt.h"
#include "kvmrt-row-layout.h"

struct _KvmrtVmCard
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkImage      *vm_icon;
  GtkBox        *text_box;
  GtkLabel      *title_label;
  GtkLabel      *description_label;
  GtkBox        *power_box;
  GtkImage      *power_icon;
  GtkLabel      *state_label;
  GtkMenuButton *menu_button;

  /* Made the first time they are shown (most cards never show them), else NULL */
  GtkButton     *rt_badge;        /* real-time VMs only */
  GtkLabel      *drift_label;
  GtkLabel      *message_label;
  GtkLabel      *details_label;   /* after the window's first frame */
  GtkSpinner    *spinner;
  GSimpleActionGroup *actions;    /* "vm": the menu's actions, made with the menu */

  /* Owned */
  KvmrtVm       *vm;

  /* What the card shows, for the menu's sensitivity and the details line */
  gboolean       defined;
  gboolean       running;
  gboolean       show_details;
  double         uptime;
  double         cpu_usage;       /* percent of the VM's vCPUs, < 0 unknown */
  guint          nr_vcpus;
  char          *host_cpus;
};

G_DEFINE_FINAL_TYPE (KvmrtVmCard, kvmrt_vm_card, GTK_TYPE_WIDGET)

/* The per-VM menu. Each item is the card's own action ("vm.boot"), enabled as the VM's state
 * allows (as virt-manager's toolbar does), which runs the window's action with the VM's UUID
 * as target: the window's actions are one for every VM, so they cannot follow one VM. */
static const struct {
  const char *label;
  const char *name;
} menu_items[][4] = {
  {
    { N_("_Boot"), "boot" },
    { N_("_Shut Down"), "shutdown" },
    { N_("_Force Off"), "force-off" },
  },
  {
    { N_("Open _Console"), "console" },
    { N_("Open _Graphical Console"), "graphical-console" },
    { N_("Runtime _Details"), "details" },
  },
  {
    { N_("_Retune Real-Time"), "retune" },
    { N_("_Edit Configuration…"), "edit" },
  },
};

static GMenuModel *
build_menu (void)
{
  GMenu *menu = g_menu_new ();

  for (guint s = 0; s < G_N_ELEMENTS (menu_items); s++)
    {
      g_autoptr(GMenu) section = g_menu_new ();

      for (guint i = 0; i < G_N_ELEMENTS (menu_items[s]) && menu_items[s][i].label; i++)
        {
          g_autofree char *action = g_strconcat ("vm.", menu_items[s][i].name, NULL);

          g_menu_append (section, _(menu_items[s][i].label), action);
        }
      g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
    }
  return G_MENU_MODEL (menu);
}

static void
on_vm_action_activate_cb (GSimpleAction *action, GVariant *param, gpointer data)
{
  KvmrtVmCard *self = KVMRT_VM_CARD (data);
  g_autofree char *window_action = g_strconcat ("win.vm-", g_action_get_name (G_ACTION (action)),
                                                NULL);

  if (self->vm != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), window_action, "s",
                                kvmrt_vm_get_uuid (self->vm));
}

/* What the VM's state allows: Boot while it is off, Shut Down, Force Off and Retune while it
 * runs. */
static void
update_menu_actions (KvmrtVmCard *self)
{
  gboolean rt = self->vm != NULL && kvmrt_vm_get_rt (self->vm);
  struct {
    const char *name;
    gboolean    enabled;
  } states[] = {
    { "boot", self->defined && !self->running },
    { "shutdown", self->running },
    { "force-off", self->running },
    { "retune", rt && self->running },
  };

  if (self->actions == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (
                                   G_ACTION_MAP (self->actions), states[i].name)),
                                 states[i].enabled);
}

static void
ensure_actions (KvmrtVmCard *self)
{
  if (self->actions != NULL)
    return;
  self->actions = g_simple_action_group_new ();
  for (guint s = 0; s < G_N_ELEMENTS (menu_items); s++)
    for (guint i = 0; i < G_N_ELEMENTS (menu_items[s]) && menu_items[s][i].label; i++)
      {
        g_autoptr(GSimpleAction) action = g_simple_action_new (menu_items[s][i].name, NULL);

        g_signal_connect (action, "activate", G_CALLBACK (on_vm_action_activate_cb), self);
        g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
      }
  gtk_widget_insert_action_group (GTK_WIDGET (self), "vm", G_ACTION_GROUP (self->actions));
  update_menu_actions (self);
}

static void
kvmrt_vm_card_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), KVMRT_TYPE_VM_CARD);
  /* The lines, spinner and badge made on demand are children too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (kvmrt_vm_card_parent_class)->dispose (object);
}

static void
kvmrt_vm_card_finalize (GObject *object)
{
  KvmrtVmCard *self = KVMRT_VM_CARD (object);

  g_clear_object (&self->actions);
  g_free (self->host_cpus);
  g_clear_object (&self->vm);
  G_OBJECT_CLASS (kvmrt_vm_card_parent_class)->finalize (object);
}

static void
kvmrt_vm_card_class_init (KvmrtVmCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kvmrt_vm_card_dispose;
  object_class->finalize = kvmrt_vm_card_finalize;

  g_type_ensure (KVMRT_TYPE_ROW_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/kvmrt/Kvmrt/kvmrt-vm-card.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmCard, vm_icon);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmCard, text_box);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmCard, title_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmCard, description_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmCard, power_box);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmCard, power_icon);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmCard, state_label);
  gtk_widget_class_bind_template_child (widget_class, KvmrtVmCard, menu_button);
}

static void
kvmrt_vm_card_init (KvmrtVmCard *self)
{
  self->uptime = -1;
  self->cpu_usage = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* A wrapping line under the description (the drift, an operation's result), made on first
 * use. */
static GtkLabel *
ensure_text_line (KvmrtVmCard *self, GtkLabel **slot, const char *css_class)
{
  if (*slot == NULL)
    {
      *slot = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (*slot, 0);
      gtk_label_set_wrap (*slot, TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (*slot), css_class);
      gtk_box_append (self->text_box, GTK_WIDGET (*slot));
    }
  return *slot;
}

/* Shows @text in the line at @slot, or hides it when @text is NULL or empty. */
static void
set_text_line (KvmrtVmCard *self, GtkLabel **slot, const char *css_class, const char *text)
{
  gboolean shown = text != NULL && *text != '\0';

  if (*slot == NULL && !shown)
    return;
  gtk_label_set_label (ensure_text_line (self, slot, css_class), shown ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (*slot), shown);
}

/* The real-time badge, made for the first real-time VM the card shows. */
static GtkButton *
ensure_badge (KvmrtVmCard *self)
{
  if (self->rt_badge == NULL)
    {
      self->rt_badge = GTK_BUTTON (gtk_button_new_from_icon_name ("kvmrt-realtime-symbolic"));
      gtk_widget_set_valign (GTK_WIDGET (self->rt_badge), GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (GTK_WIDGET (self->rt_badge), "flat");
      gtk_widget_add_css_class (GTK_WIDGET (self->rt_badge), "circular");
      gtk_widget_add_css_class (GTK_WIDGET (self->rt_badge), "rt-badge");
      gtk_widget_insert_before (GTK_WIDGET (self->rt_badge), GTK_WIDGET (self),
                                GTK_WIDGET (self->power_box));
    }
  return self->rt_badge;
}

KvmrtVmCard *
kvmrt_vm_card_new (void)
{
  return g_object_new (KVMRT_TYPE_VM_CARD, NULL);
}

/* The menu is built when it is first opened: most cards are never asked. */
static void
on_menu_button_create_popup_cb (GtkMenuButton *button, gpointer data)
{
  KvmrtVmCard *self = KVMRT_VM_CARD (data);
  g_autoptr(GMenuModel) menu = NULL;

  if (self->vm == NULL)
    return;
  ensure_actions (self);
  menu = build_menu ();
  gtk_menu_button_set_menu_model (button, menu);
  gtk_menu_button_set_create_popup_func (button, NULL, NULL, NULL);
}

void
kvmrt_vm_card_set_vm (KvmrtVmCard *self, KvmrtVm *vm)
{
  const char *title = kvmrt_vm_get_display_title (vm);
  g_autofree char *menu_name = g_strdup_printf (_("Actions for %s"), title);

  gboolean rt = kvmrt_vm_get_rt (vm);

  g_set_object (&self->vm, vm);
  self->defined = self->running = FALSE;
  self->uptime = self->cpu_usage = -1;
  kvmrt_vm_card_set_message (self, NULL, FALSE);
  set_text_line (self, &self->drift_label, "vm-card-drift", NULL);
  /* The menu is the same for every VM (its actions are the card's): made once. */
  if (gtk_menu_button_get_menu_model (self->menu_button) == NULL)
    gtk_menu_button_set_create_popup_func (self->menu_button, on_menu_button_create_popup_cb,
                                           self, NULL);
  update_menu_actions (self);
  /* Real-time VMs stand out: the cube with its red side, and a red edge on the card. Only a
   * change is made (most cards keep the template's icon and classes at start-up). */
  if (rt != gtk_widget_has_css_class (GTK_WIDGET (self), "rt"))
    {
      gtk_image_set_from_icon_name (self->vm_icon,
                                    rt ? "kvmrt-vm-rt-symbolic" : "kvmrt-vm-symbolic");
      if (rt)
        gtk_widget_add_css_class (GTK_WIDGET (self), "rt");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self), "rt");
    }
  gtk_label_set_label (self->title_label, title);
  /* One line, the whole text in the tooltip: wrapping would re-shape the text for every
   * width the list tries while it lays out. */
  gtk_label_set_label (self->description_label, kvmrt_vm_get_description (vm));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->description_label),
                               kvmrt_vm_get_description (vm));
  gtk_widget_set_visible (GTK_WIDGET (self->description_label),
                          *kvmrt_vm_get_description (vm) != '\0');
  if (rt)
    {
      GtkActionable *badge = GTK_ACTIONABLE (ensure_badge (self));

      /* The target first: the action takes the VM's UUID, and a name without a target does
       * not match it. */
      gtk_actionable_set_action_target_value (badge,
                                              g_variant_new_string (kvmrt_vm_get_uuid (vm)));
      gtk_actionable_set_action_name (badge, "win.vm-retune");
    }
  if (self->rt_badge != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->rt_badge), rt);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, menu_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_widget_set_name (GTK_WIDGET (self), kvmrt_vm_get_uuid (vm));
}

const char *
kvmrt_vm_card_get_uuid (KvmrtVmCard *self)
{
  return self->vm != NULL ? kvmrt_vm_get_uuid (self->vm) : NULL;
}

static void
set_classes (GtkWidget *widget, const char *const *all, const char *on)
{
  for (guint i = 0; all[i] != NULL; i++)
    if (g_strcmp0 (all[i], on) == 0)
      gtk_widget_add_css_class (widget, all[i]);
    else
      gtk_widget_remove_css_class (widget, all[i]);
}

/* The drift as the window says it: what is and what should be, the first few items. */
static char *
drift_text (const KvmrtVmStatus *status)
{
  GPtrArray *told = status->drift_told;
  g_autoptr(GString) text = g_string_new (NULL);
  guint shown = told != NULL ? MIN (told->len, 3) : 0;

  for (guint i = 0; i < shown; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "\n" : "", (char *) told->pdata[i]);
  if (told != NULL && told->len > shown)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               "\nand %u more (Runtime Details lists them)",
                                               "\nand %u more (Runtime Details lists them)",
                                               told->len - shown),
                            told->len - shown);
  if (text->len == 0 && status->tuning_note != NULL)
    g_string_append (text, status->tuning_note);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_badge (KvmrtVmCard *self, const KvmrtVmStatus *status)
{
  static const char *const classes[] = { "rt-tuned", "rt-drift", NULL };
  GtkWidget *badge = GTK_WIDGET (self->rt_badge);
  g_autofree char *drift = NULL;
  gboolean running = status != NULL && status->running;
  const char *state_class = NULL;
  const char *text;

  if (!running)
    text = _("Real-time VM, not running");
  else if (status->tuned)
    {
      state_class = "rt-tuned";
      text = _("Real-time tuning in force");
    }
  else
    {
      state_class = "rt-drift";
      text = _("Real-time tuning disturbed: click to retune");
      drift = drift_text (status);
    }
  set_classes (badge, classes, state_class);
  /* Retuning is for a running VM only: the core refuses the others, and the badge does not
   * offer it. */
  gtk_widget_set_sensitive (badge, running);
  gtk_widget_set_tooltip_text (badge, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (badge), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
  /* One true sentence: an earlier "started; tuned" no longer is once the tuning drifted. */
  if (drift != NULL && self->message_label != NULL
      && !gtk_widget_has_css_class (GTK_WIDGET (self->message_label), "error"))
    kvmrt_vm_card_set_message (self, NULL, FALSE);
  set_text_line (self, &self->drift_label, "vm-card-drift", drift);
}

/* "CPUs 16-23 · 8 vCPUs · up 01:02:03 · 12 % CPU": what the VM has and does. */
static void
update_details (KvmrtVmCard *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (!self->show_details)
    return;
  if (self->host_cpus != NULL && *self->host_cpus != '\0')
    g_string_append_printf (text, _("CPUs %s"), self->host_cpus);
  if (self->nr_vcpus > 0)
    {
      g_string_append (text, text->len > 0 ? " · " : "");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u vCPU", "%u vCPUs",
                                                 self->nr_vcpus), self->nr_vcpus);
    }
  if (self->running && self->uptime >= 0)
    {
      g_autofree char *uptime = kvmrt_format_uptime (self->uptime);

      g_string_append (text, text->len > 0 ? " · " : "");
      g_string_append_printf (text, _("up %s"), uptime);
    }
  if (self->running && self->cpu_usage >= 0)
    {
      g_string_append (text, text->len > 0 ? " · " : "");
      g_string_append_printf (text, _("%.0f %% CPU"), self->cpu_usage);
    }
  set_text_line (self, &self->details_label, "vm-card-details", text->str);
  if (self->details_label != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->details_label), "vm-card-dim");
}

void
kvmrt_vm_card_show_details (KvmrtVmCard *self)
{
  self->show_details = TRUE;
  update_details (self);
}

void
kvmrt_vm_card_set_cpu_usage (KvmrtVmCard *self, double percent)
{
  self->cpu_usage = percent;
  update_details (self);
}

void
kvmrt_vm_card_update (KvmrtVmCard *self, const KvmrtVmStatus *status)
{
  static const char *const classes[] = { "running", "paused", NULL };
  const char *state = status != NULL ? kvmrt_vm_status_state_text (status) : _("unknown");
  const char *state_class = NULL;
  g_autofree char *description = NULL;

  if (status != NULL && status->state == GVIR_DOMAIN_STATE_PAUSED)
    state_class = "paused";
  else if (status != NULL && status->running)
    state_class = "running";
  set_classes (GTK_WIDGET (self->power_icon), classes, state_class);
  self->defined = status != NULL && status->defined;
  self->running = status != NULL && status->running;
  self->uptime = status != NULL ? status->uptime : -1;
  if (!self->running)
    self->cpu_usage = -1;
  self->nr_vcpus = status != NULL && status->plan != NULL ? status->plan->nr_vcpus : 0;
  g_clear_pointer (&self->host_cpus, g_free);
  if (status != NULL && status->plan != NULL && status->plan->cpus != NULL)
    self->host_cpus = kvmrt_id_set_to_string (status->plan->cpus);
  update_menu_actions (self);
  update_details (self);
  gtk_label_set_label (self->state_label, state);
  description = g_strdup_printf (_("Power state: %s"), state);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->power_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
  if (self->vm != NULL && kvmrt_vm_get_rt (self->vm))
    update_badge (self, status);
}

void
kvmrt_vm_card_popup_menu (KvmrtVmCard *self)
{
  gtk_menu_button_popup (self->menu_button);
}

void
kvmrt_vm_card_set_busy (KvmrtVmCard *self, gboolean busy)
{
  if (self->spinner == NULL && !busy)
    return;
  if (self->spinner == NULL)
    {
      self->spinner = GTK_SPINNER (gtk_spinner_new ());
      gtk_widget_set_valign (GTK_WIDGET (self->spinner), GTK_ALIGN_CENTER);
      gtk_widget_insert_after (GTK_WIDGET (self->spinner), GTK_WIDGET (self),
                               GTK_WIDGET (self->text_box));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
}

void
kvmrt_vm_card_set_message (KvmrtVmCard *self, const char *message, gboolean is_error)
{
  set_text_line (self, &self->message_label, "caption", message);
  if (self->message_label == NULL)
    return;
  /* An operation's result may be copied (an error to look up, say). */
  gtk_label_set_selectable (self->message_label, TRUE);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
}
