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
  GtkSpinner    *spinner;

  /* Owned */
  KvmrtVm       *vm;
};

G_DEFINE_FINAL_TYPE (KvmrtVmCard, kvmrt_vm_card, GTK_TYPE_WIDGET)

static const struct {
  const char *label;
  const char *action;
} menu_items[][4] = {
  {
    { N_("_Boot"), "win.vm-boot" },
    { N_("_Shut Down"), "win.vm-shutdown" },
    { N_("_Force Off"), "win.vm-force-off" },
  },
  {
    { N_("Open _Console"), "win.vm-console" },
    { N_("Open _Graphical Console"), "win.vm-graphical-console" },
    { N_("Runtime _Details"), "win.vm-details" },
  },
  {
    { N_("_Retune Real-Time"), "win.vm-retune" },
    { N_("_Edit Configuration…"), "win.vm-edit" },
  },
};

/* The per-VM menu: the window's actions, each with this VM's UUID as target. */
static GMenuModel *
build_menu (const char *uuid)
{
  GMenu *menu = g_menu_new ();

  for (guint s = 0; s < G_N_ELEMENTS (menu_items); s++)
    {
      g_autoptr(GMenu) section = g_menu_new ();

      for (guint i = 0; i < G_N_ELEMENTS (menu_items[s]) && menu_items[s][i].label; i++)
        {
          g_autoptr(GMenuItem) item = g_menu_item_new (_(menu_items[s][i].label), NULL);

          g_menu_item_set_action_and_target_value (item, menu_items[s][i].action,
                                                   g_variant_new_string (uuid));
          g_menu_append_item (section, item);
        }
      g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
    }
  return G_MENU_MODEL (menu);
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
  g_clear_object (&KVMRT_VM_CARD (object)->vm);
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

static const char *
vm_label (KvmrtVm *vm)
{
  return kvmrt_vm_get_name (vm) != NULL ? kvmrt_vm_get_name (vm) : kvmrt_vm_get_uuid (vm);
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
  menu = build_menu (kvmrt_vm_get_uuid (self->vm));
  gtk_menu_button_set_menu_model (button, menu);
}

void
kvmrt_vm_card_set_vm (KvmrtVmCard *self, KvmrtVm *vm)
{
  const char *title = *kvmrt_vm_get_title (vm) != '\0' ? kvmrt_vm_get_title (vm) : vm_label (vm);
  g_autofree char *menu_name = g_strdup_printf (_("Actions for %s"), title);

  g_set_object (&self->vm, vm);
  kvmrt_vm_card_set_message (self, NULL, FALSE);
  set_text_line (self, &self->drift_label, "vm-card-drift", NULL);
  gtk_menu_button_set_menu_model (self->menu_button, NULL);
  gtk_menu_button_set_create_popup_func (self->menu_button, on_menu_button_create_popup_cb,
                                         self, NULL);
  gtk_label_set_label (self->title_label, title);
  /* One line, the whole text in the tooltip: wrapping would re-shape the text for every
   * width the list tries while it lays out. */
  gtk_label_set_label (self->description_label, kvmrt_vm_get_description (vm));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->description_label),
                               kvmrt_vm_get_description (vm));
  gtk_widget_set_visible (GTK_WIDGET (self->description_label),
                          *kvmrt_vm_get_description (vm) != '\0');
  if (kvmrt_vm_get_rt (vm))
    {
      GtkActionable *badge = GTK_ACTIONABLE (ensure_badge (self));

      /* The target first: the action takes the VM's UUID, and a name without a target does
       * not match it. */
      gtk_actionable_set_action_target_value (badge,
                                              g_variant_new_string (kvmrt_vm_get_uuid (vm)));
      gtk_actionable_set_action_name (badge, "win.vm-retune");
    }
  if (self->rt_badge != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->rt_badge), kvmrt_vm_get_rt (vm));
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

static void
update_badge (KvmrtVmCard *self, const KvmrtVmStatus *status)
{
  static const char *const classes[] = { "rt-tuned", "rt-drift", NULL };
  GtkWidget *badge = GTK_WIDGET (self->rt_badge);
  g_autoptr(GString) drift = g_string_new (NULL);
  const char *state_class = NULL;
  const char *text;

  for (guint i = 0; status != NULL && status->drift != NULL && i < status->drift->len; i++)
    g_string_append_printf (drift, "%s%s", i > 0 ? "\n" : "", (char *) status->drift->pdata[i]);
  if (status != NULL && status->running && status->tuning_note != NULL && drift->len == 0)
    g_string_append (drift, status->tuning_note);

  if (status == NULL || !status->running)
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
    }
  set_classes (badge, classes, state_class);
  gtk_widget_set_tooltip_text (badge, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (badge), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
  set_text_line (self, &self->drift_label, "vm-card-drift",
                 status != NULL && status->running && !status->tuned ? drift->str : NULL);
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
  gtk_label_set_label (self->state_label, state);
  description = g_strdup_printf (_("Power state: %s"), state);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->power_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
  if (self->vm != NULL && kvmrt_vm_get_rt (self->vm))
    update_badge (self, status);
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
