/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The window's actions: the configuration file (new, open, clone, close), editing, locking
 * and resynchronizing it, Boot All / Shut Down All, and the per-VM menu. */
#include "config.h"

#include <glib/gi18n.h>

#include "kvmrt-a11y.h"
#include "kvmrt-config-dialog.h"
#include "kvmrt-console.h"
#include "kvmrt-details-window.h"
#include "kvmrt-graphical-console.h"
#include "kvmrt-lock-dialog.h"
#include "kvmrt-window-private.h"

/* How long Shut Down waits for a guest before it is reported (or, with force, powered off);
 * kvmrt-shutdown's default. */
#define SHUTDOWN_TIMEOUT_S 60

static const char *
vm_title (KvmrtVm *vm)
{
  return kvmrt_vm_get_display_title (vm);
}

static void
set_enabled (KvmrtWindow *self, const char *action, gboolean enabled)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), action, enabled);
}

/* The primary menu's lock item says whether the file is locked. Found by its action, so the
 * menu's other sections may change around it. */
static void
show_lock_in_menu (KvmrtWindow *self, gboolean locked)
{
  const char *label = locked ? _("Configuration _Locked: Change Lock…")
                             : _("_Lock Configuration…");
  GMenuModel *menu = self->primary_menu;

  for (int s = 0; s < g_menu_model_get_n_items (menu); s++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, s, G_MENU_LINK_SECTION);

      for (int i = 0; section != NULL && G_IS_MENU (section)
                      && i < g_menu_model_get_n_items (section); i++)
        {
          g_autofree char *action = NULL;
          g_autofree char *current = NULL;
          g_autoptr(GMenuItem) item = NULL;

          if (!g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action)
              || !g_str_equal (action, "win.lock-config"))
            continue;
          if (g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_LABEL, "s", &current)
              && g_str_equal (current, label))
            return;
          item = g_menu_item_new (label, "win.lock-config");
          g_menu_remove (G_MENU (section), i);
          g_menu_insert_item (G_MENU (section), i, item);
          return;
        }
    }
}

void
kvmrt_window_update_actions (KvmrtWindow *self)
{
  KvmrtConfig *config = kvmrt_manager_get_config (self->manager);
  gboolean loaded = config != NULL;
  gboolean connected = kvmrt_manager_get_libvirt (self->manager) != NULL;
  gboolean any_running = FALSE;

  for (guint i = 0; loaded && i < kvmrt_config_get_n_vms (config); i++)
    {
      const KvmrtVmStatus *status = kvmrt_manager_get_status (self->manager,
                                                              kvmrt_config_get_vm (config, i));

      any_running = any_running || (status != NULL && status->running);
    }

  /* The welcome page has its own buttons; editing needs a configuration. */
  gtk_widget_set_visible (GTK_WIDGET (self->edit_button), loaded);
  set_enabled (self, "win.close-config", loaded);
  set_enabled (self, "win.clone-config", loaded && !kvmrt_manager_get_config_unsaved (self->manager));
  set_enabled (self, "win.edit-config", loaded);
  set_enabled (self, "win.lock-config", loaded && !kvmrt_manager_get_config_unsaved (self->manager));
  show_lock_in_menu (self, loaded && kvmrt_config_lock_is_set (config));
  set_enabled (self, "win.resync-config", loaded && connected);
  set_enabled (self, "win.boot-all", loaded && connected);
  set_enabled (self, "win.shutdown-all", loaded && connected && any_running);
  set_enabled (self, "win.open-all-consoles", loaded && connected);
  set_enabled (self, "win.show-all-details", loaded);
  set_enabled (self, "win.close-all-details", loaded);
}

/* Per-VM operations ---------------------------------------------------------------------- */

typedef struct {
  KvmrtWindow *window;   /* owned */
  char        *uuid;
  GTask       *chain;    /* Boot All --clean: the next boot waits for this one */
} OperationData;

static void
operation_data_free (OperationData *data)
{
  g_object_unref (data->window);
  g_free (data->uuid);
  g_clear_object (&data->chain);
  g_free (data);
}

static void
mark_busy (KvmrtWindow *self, const char *uuid, int delta)
{
  g_autofree char *key = g_ascii_strdown (uuid, -1);
  int count = GPOINTER_TO_INT (g_hash_table_lookup (self->busy, key)) + delta;
  KvmrtVmCard *card = kvmrt_window_lookup_card (self, uuid);

  if (count > 0)
    g_hash_table_replace (self->busy, g_steal_pointer (&key), GINT_TO_POINTER (count));
  else
    g_hash_table_remove (self->busy, key);
  if (card != NULL)
    kvmrt_vm_card_set_busy (card, count > 0);
}

static void
on_operation_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  OperationData *data = user_data;
  KvmrtWindow *self = data->window;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean ok = kvmrt_manager_operation_finish (KVMRT_MANAGER (source), result, &message, &error);
  KvmrtVmCard *card = kvmrt_window_lookup_card (self, data->uuid);
  KvmrtVm *vm = kvmrt_window_lookup_vm (self, data->uuid);

  mark_busy (self, data->uuid, -1);
  if (card != NULL)
    kvmrt_vm_card_set_message (card, ok ? message : error->message, !ok);
  if (!ok && vm != NULL)
    {
      g_autofree char *text = g_strdup_printf ("%s: %s", vm_title (vm), error->message);

      kvmrt_window_show_toast (self, text);
    }
  if (data->chain != NULL)
    {
      if (ok)
        g_task_return_boolean (data->chain, TRUE);
      else
        g_task_return_error (data->chain, g_steal_pointer (&error));
    }
  operation_data_free (data);
}

static void
start_operation (KvmrtWindow *self, KvmrtVm *vm, const char *action, GTask *chain)
{
  OperationData *data = g_new0 (OperationData, 1);
  KvmrtVmCard *card = kvmrt_window_lookup_card (self, kvmrt_vm_get_uuid (vm));

  data->window = g_object_ref (self);
  data->uuid = g_strdup (kvmrt_vm_get_uuid (vm));
  data->chain = chain != NULL ? g_object_ref (chain) : NULL;
  mark_busy (self, data->uuid, +1);
  if (card != NULL)
    kvmrt_vm_card_set_message (card, NULL, FALSE);

  if (g_str_equal (action, "boot"))
    kvmrt_manager_boot_async (self->manager, vm, NULL, on_operation_done_cb, data);
  else if (g_str_equal (action, "shutdown"))
    kvmrt_manager_shutdown_async (self->manager, vm, FALSE, SHUTDOWN_TIMEOUT_S, NULL,
                                  on_operation_done_cb, data);
  else if (g_str_equal (action, "shutdown-force"))
    kvmrt_manager_shutdown_async (self->manager, vm, TRUE, SHUTDOWN_TIMEOUT_S, NULL,
                                  on_operation_done_cb, data);
  else if (g_str_equal (action, "force-off"))
    kvmrt_manager_shutdown_async (self->manager, vm, TRUE, 0, NULL, on_operation_done_cb, data);
  else if (g_str_equal (action, "retune"))
    kvmrt_manager_retune_async (self->manager, vm, NULL, on_operation_done_cb, data);
  else
    g_return_if_reached ();
}

void
kvmrt_window_run_vm_operation (KvmrtWindow *self, KvmrtVm *vm, const char *action)
{
  start_operation (self, vm, action, NULL);
}

static gboolean
vm_is_running (KvmrtWindow *self, KvmrtVm *vm)
{
  const KvmrtVmStatus *status = kvmrt_manager_get_status (self->manager, vm);

  return status != NULL && status->running;
}

/* The VM an action's target names; NULL (after saying why) when it is gone. */
static KvmrtVm *
target_vm (KvmrtWindow *self, GVariant *param)
{
  KvmrtVm *vm = kvmrt_window_lookup_vm (self, g_variant_get_string (param, NULL));

  if (vm == NULL)
    kvmrt_window_show_toast (self, _("That VM is no longer in the configuration"));
  return vm;
}

static void
vm_operation_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);
  KvmrtVm *vm = target_vm (self, param);

  if (vm == NULL)
    return;
  /* The card's menu and badge offer these only in the states they apply to; a target from
   * elsewhere (a stale menu, a script over D-Bus) is checked here too. */
  if (!g_str_equal (action_name, "win.vm-boot") && !vm_is_running (self, vm))
    {
      g_autofree char *text = g_strdup_printf (_("%s is not running"), vm_title (vm));

      kvmrt_window_show_toast (self, text);
      return;
    }
  if (g_str_equal (action_name, "win.vm-boot"))
    start_operation (self, vm, "boot", NULL);
  else if (g_str_equal (action_name, "win.vm-shutdown"))
    start_operation (self, vm, "shutdown", NULL);
  else if (g_str_equal (action_name, "win.vm-force-off"))
    start_operation (self, vm, "force-off", NULL);
  else if (g_str_equal (action_name, "win.vm-retune"))
    start_operation (self, vm, "retune", NULL);
}

/* Console and runtime details windows ---------------------------------------------------- */

/* The runtime details window of @uuid over this dashboard, or NULL. */
static GtkWindow *
find_details_window (KvmrtWindow *self, const char *uuid)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (KVMRT_IS_DETAILS_WINDOW (l->data)
        && g_ascii_strcasecmp (kvmrt_details_window_get_uuid (l->data), uuid) == 0
        && gtk_window_get_transient_for (l->data) == GTK_WINDOW (self))
      return l->data;
  return NULL;
}

static void
open_console (KvmrtWindow *self, KvmrtVm *vm)
{
  g_autoptr(GError) error = NULL;

  if (!kvmrt_console_open (GTK_WINDOW (self), self->manager, vm, &error))
    kvmrt_window_show_toast (self, error->message);
}

static void
show_details (KvmrtWindow *self, KvmrtVm *vm)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GtkWindow *window = find_details_window (self, kvmrt_vm_get_uuid (vm));

  if (window == NULL)
    {
      window = GTK_WINDOW (kvmrt_details_window_new (app, self->manager, vm));
      gtk_window_set_transient_for (window, GTK_WINDOW (self));
    }
  gtk_window_present (window);
}

static void
vm_window_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);
  KvmrtVm *vm = target_vm (self, param);
  g_autoptr(GError) error = NULL;

  if (vm == NULL)
    return;
  if (g_str_equal (action_name, "win.vm-console"))
    open_console (self, vm);
  else if (g_str_equal (action_name, "win.vm-details"))
    show_details (self, vm);
  else if (g_str_equal (action_name, "win.vm-edit"))
    kvmrt_window_edit_config (self, kvmrt_vm_get_uuid (vm));
  else if (g_str_equal (action_name, "win.vm-graphical-console")
           && !kvmrt_open_graphical_console (self->manager, vm, &error))
    kvmrt_window_show_toast (self, error->message);
}

/* Every enabled VM of the loaded configuration, in order. */
static GPtrArray *
enabled_vms (KvmrtWindow *self)
{
  KvmrtConfig *config = kvmrt_manager_get_config (self->manager);
  GPtrArray *vms = g_ptr_array_new ();

  for (guint i = 0; config != NULL && i < kvmrt_config_get_n_vms (config); i++)
    if (!kvmrt_vm_get_disabled (kvmrt_config_get_vm (config, i)))
      g_ptr_array_add (vms, kvmrt_config_get_vm (config, i));
  return vms;
}

static void
all_windows_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);
  g_autoptr(GPtrArray) vms = enabled_vms (self);

  for (guint i = 0; i < vms->len; i++)
    {
      KvmrtVm *vm = vms->pdata[i];

      if (g_str_equal (action_name, "win.open-all-consoles"))
        open_console (self, vm);
      else if (g_str_equal (action_name, "win.show-all-details"))
        show_details (self, vm);
      else
        {
          GtkWindow *window = find_details_window (self, kvmrt_vm_get_uuid (vm));

          if (window != NULL)
            gtk_window_destroy (window);
        }
    }
}

/* Boot All / Shut Down All --------------------------------------------------------------- */

typedef struct {
  KvmrtWindow *window;     /* owned */
  GPtrArray   *vms;        /* KvmrtVm*, owned */
  guint        next;
} CleanBoot;

static void
clean_boot_free (CleanBoot *boot)
{
  g_object_unref (boot->window);
  g_ptr_array_unref (boot->vms);
  g_free (boot);
}

static void clean_boot_next (CleanBoot *boot);

static void
on_clean_boot_step_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CleanBoot *boot = user_data;
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      clean_boot_next (boot);
      return;
    }
  /* A clean boot stops at the first failure, as kvmrt-boot --clean does. */
  for (guint i = boot->next; i < boot->vms->len; i++)
    {
      KvmrtVm *failed = boot->vms->pdata[boot->next - 1];
      KvmrtVmCard *card = kvmrt_window_lookup_card (boot->window,
                                                    kvmrt_vm_get_uuid (boot->vms->pdata[i]));
      g_autofree char *text = g_strdup_printf (_("Not started: %s failed first, and a clean "
                                                 "boot stops there"), vm_title (failed));

      if (card != NULL)
        kvmrt_vm_card_set_message (card, text, TRUE);
    }
  clean_boot_free (boot);
}

static void
clean_boot_next (CleanBoot *boot)
{
  g_autoptr(GTask) step = NULL;

  if (boot->next >= boot->vms->len)
    {
      kvmrt_window_show_toast (boot->window, _("Clean boot finished"));
      clean_boot_free (boot);
      return;
    }
  step = g_task_new (NULL, NULL, on_clean_boot_step_cb, boot);
  start_operation (boot->window, boot->vms->pdata[boot->next++], "boot", step);
}

/* The VMs Boot All boots: the enabled ones with Auto Start, or every enabled one. */
static GPtrArray *
vms_to_boot (KvmrtWindow *self, gboolean include_all)
{
  g_autoptr(GPtrArray) enabled = enabled_vms (self);
  GPtrArray *vms = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < enabled->len; i++)
    if (include_all || kvmrt_vm_get_autostart (enabled->pdata[i]))
      g_ptr_array_add (vms, g_object_ref (enabled->pdata[i]));
  return vms;
}

/* The titles of the configured VMs that run, "A, B", or NULL. */
static char *
running_titles (KvmrtWindow *self)
{
  KvmrtConfig *config = kvmrt_manager_get_config (self->manager);
  g_autoptr(GString) running = g_string_new (NULL);

  for (guint i = 0; config != NULL && i < kvmrt_config_get_n_vms (config); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (config, i);

      if (vm_is_running (self, vm))
        g_string_append_printf (running, "%s%s", running->len > 0 ? ", " : "", vm_title (vm));
    }
  return running->len > 0 ? g_string_free (g_steal_pointer (&running), FALSE) : NULL;
}

static char *
list_titles (GPtrArray *vms)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < vms->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", vm_title (vms->pdata[i]));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
boot_all (KvmrtWindow *self, gboolean include_all, gboolean clean)
{
  g_autoptr(GPtrArray) vms = vms_to_boot (self, include_all);
  g_autofree char *running = running_titles (self);

  if (vms->len == 0)
    {
      kvmrt_window_show_toast (self, _("No VM has Auto Start set: choose to boot every "
                                       "enabled VM, or turn on Auto Start"));
      return;
    }
  if (clean && running != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("A clean boot needs every VM shut off, but "
                                                 "these are running: %s"), running);

      kvmrt_window_show_toast (self, text);
      return;
    }
  if (clean)
    {
      CleanBoot *boot = g_new0 (CleanBoot, 1);

      boot->window = g_object_ref (self);
      boot->vms = g_steal_pointer (&vms);
      clean_boot_next (boot);
      return;
    }
  /* Each boot runs in its own thread, so QEMU start-ups overlap as in kvmrt-boot. */
  for (guint i = 0; i < vms->len; i++)
    start_operation (self, vms->pdata[i], "boot", NULL);
}

static GtkWidget *
add_hint (GtkBox *box, const char *text, gboolean indented)
{
  GtkWidget *hint = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  if (indented)
    gtk_widget_set_margin_start (hint, 28);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_widget_add_css_class (hint, "caption");
  gtk_box_append (box, hint);
  return hint;
}

static GtkWidget *
add_check (GtkBox *box, const char *label, const char *subtitle)
{
  GtkWidget *check = gtk_check_button_new_with_mnemonic (label);

  gtk_box_append (box, check);
  if (subtitle != NULL)
    add_hint (box, subtitle, TRUE);
  return check;
}

/* Boot All says which VMs it boots, for the choice made in it. */
static void
update_boot_all_list (AdwMessageDialog *dialog, KvmrtWindow *self)
{
  GtkCheckButton *all = g_object_get_data (G_OBJECT (dialog), "all");
  GtkLabel *list = g_object_get_data (G_OBJECT (dialog), "list");
  g_autoptr(GPtrArray) vms = vms_to_boot (self, gtk_check_button_get_active (all));
  g_autofree char *titles = list_titles (vms);
  g_autofree char *text = vms->len > 0
    ? g_strdup_printf (_("Boots: %s"), titles)
    : g_strdup (_("Boots no VM: none has Auto Start"));

  gtk_label_set_label (list, text);
  adw_message_dialog_set_response_enabled (dialog, "boot", vms->len > 0);
}

static void
on_boot_all_toggled_cb (GtkCheckButton *check, AdwMessageDialog *dialog)
{
  update_boot_all_list (dialog, g_object_get_data (G_OBJECT (dialog), "window"));
}

static void
on_boot_all_response_cb (AdwMessageDialog *dialog, const char *response, KvmrtWindow *self)
{
  GtkCheckButton *all = g_object_get_data (G_OBJECT (dialog), "all");
  GtkCheckButton *clean = g_object_get_data (G_OBJECT (dialog), "clean");

  if (g_str_equal (response, "boot"))
    boot_all (self, gtk_check_button_get_active (all), gtk_check_button_get_active (clean));
}

static void
boot_all_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Boot All VMs?"),
                                              _("The VMs with Auto Start boot in parallel. "
                                                "Real-time VMs that already run are retuned."));
  GtkBox *box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  g_autofree char *running = running_titles (self);
  GtkWidget *all = add_check (box, _("Also boot VMs _without Auto Start"), NULL);
  GtkWidget *clean = add_check (box, _("_Clean boot"),
                                _("Tunes the host afresh, as at system start: no VM may be "
                                  "running, the VMs boot one after the other, and the first "
                                  "failure stops the rest."));
  GtkWidget *list;

  /* A clean boot starts from a host with nothing running: offered only then, and why not
   * said. */
  if (running != NULL)
    {
      g_autofree char *why = g_strdup_printf (_("Not available while VMs run: %s. Shut them "
                                                "down first."), running);
      GtkWidget *reason = add_hint (box, why, TRUE);

      gtk_widget_set_sensitive (clean, FALSE);
      gtk_widget_set_tooltip_text (clean, why);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (clean),
                                      GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, reason, NULL, -1);
    }
  list = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (list), TRUE);
  gtk_label_set_xalign (GTK_LABEL (list), 0);
  gtk_widget_set_margin_top (list, 6);
  gtk_box_append (box, list);
  g_object_set_data (G_OBJECT (dialog), "window", self);
  g_object_set_data (G_OBJECT (dialog), "all", all);
  g_object_set_data (G_OBJECT (dialog), "clean", clean);
  g_object_set_data (G_OBJECT (dialog), "list", list);
  kvmrt_a11y_name_buttons (GTK_WIDGET (box));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), GTK_WIDGET (box));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "boot", _("_Boot"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "boot",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "boot");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  update_boot_all_list (ADW_MESSAGE_DIALOG (dialog), self);
  g_signal_connect (all, "toggled", G_CALLBACK (on_boot_all_toggled_cb), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_boot_all_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_shutdown_all_response_cb (AdwMessageDialog *dialog, const char *response, KvmrtWindow *self)
{
  GtkCheckButton *force = g_object_get_data (G_OBJECT (dialog), "force");
  g_autoptr(GPtrArray) vms = NULL;

  if (!g_str_equal (response, "shutdown"))
    return;
  vms = enabled_vms (self);
  for (guint i = 0; i < vms->len; i++)
    {
      const KvmrtVmStatus *status = kvmrt_manager_get_status (self->manager, vms->pdata[i]);

      if (status != NULL && status->running)
        start_operation (self, vms->pdata[i],
                         gtk_check_button_get_active (force) ? "shutdown-force" : "shutdown",
                         NULL);
    }
}

static void
shutdown_all_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);
  g_autofree char *force_label = g_strdup_printf (_("_Power off VMs still running after "
                                                    "%d seconds"), SHUTDOWN_TIMEOUT_S);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Shut Down All VMs?"),
                                              _("Every running VM is asked to shut down, all "
                                                "at once. Real-time VMs give their host "
                                                "settings back once they are off."));
  GtkBox *box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  g_autofree char *running = running_titles (self);
  g_autofree char *list = g_strdup_printf (_("Shuts down: %s"),
                                           running != NULL ? running : _("no VM (none runs)"));
  GtkWidget *list_label = gtk_label_new (list);

  gtk_label_set_wrap (GTK_LABEL (list_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (list_label), 0);
  gtk_box_append (box, list_label);
  g_object_set_data (G_OBJECT (dialog), "force", add_check (box, force_label, NULL));
  kvmrt_a11y_name_buttons (GTK_WIDGET (box));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), GTK_WIDGET (box));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "shutdown", _("_Shut Down"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "shutdown",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_shutdown_all_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The configuration file -------------------------------------------------------------------- */

static void
on_config_dialog_destroy_cb (GtkWidget *dialog, KvmrtWindow *self)
{
  if (self->config_dialog == GTK_WINDOW (dialog))
    self->config_dialog = NULL;
}

static KvmrtConfigDialog *
present_config_dialog (KvmrtWindow *self)
{
  if (self->config_dialog == NULL)
    {
      self->config_dialog = GTK_WINDOW (kvmrt_config_dialog_new (GTK_WINDOW (self),
                                                                 self->manager));
      g_signal_connect_object (self->config_dialog, "destroy",
                               G_CALLBACK (on_config_dialog_destroy_cb), self, 0);
    }
  gtk_window_present (self->config_dialog);
  return KVMRT_CONFIG_DIALOG (self->config_dialog);
}

typedef struct {
  KvmrtWindow *window;   /* owned */
  char        *uuid;
} EditRequest;

static void
open_config_dialog (KvmrtWindow *self, const char *uuid)
{
  KvmrtConfigDialog *dialog = present_config_dialog (self);

  if (uuid != NULL)
    kvmrt_config_dialog_select_vm (dialog, uuid);
}

static void
on_unlocked_cb (gboolean unlocked, gpointer data)
{
  EditRequest *request = data;

  if (unlocked)
    {
      g_free (request->window->unlocked_path);
      request->window->unlocked_path =
        g_strdup (kvmrt_manager_get_config_path (request->window->manager));
      open_config_dialog (request->window, request->uuid);
    }
  g_object_unref (request->window);
  g_free (request->uuid);
  g_free (request);
}

void
kvmrt_window_edit_config (KvmrtWindow *self, const char *uuid)
{
  KvmrtConfig *config = kvmrt_manager_get_config (self->manager);
  EditRequest *request;

  if (config == NULL)
    return;
  /* A locked configuration is shown only after its password is given, once per file. */
  if (self->config_dialog != NULL || !kvmrt_config_lock_is_set (config)
      || g_strcmp0 (self->unlocked_path, kvmrt_manager_get_config_path (self->manager)) == 0)
    {
      open_config_dialog (self, uuid);
      return;
    }
  request = g_new0 (EditRequest, 1);
  request->window = g_object_ref (self);
  request->uuid = g_strdup (uuid);
  kvmrt_unlock_prompt (GTK_WINDOW (self), config, on_unlocked_cb, request);
}

static void
lock_config_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);
  KvmrtConfig *config = kvmrt_manager_get_config (self->manager);
  const char *path = kvmrt_manager_get_config_path (self->manager);
  gboolean unlocked = g_strcmp0 (self->unlocked_path, path) == 0;

  /* Who sets the lock now knows its password: the configuration is not locked against them
   * in this window. */
  if (config != NULL && !kvmrt_config_lock_is_set (config))
    {
      g_free (self->unlocked_path);
      self->unlocked_path = g_strdup (path);
    }
  kvmrt_lock_dialog_present (GTK_WINDOW (self), self->manager, unlocked);
}

void
kvmrt_window_import (KvmrtWindow *self, const char * const *names)
{
  if (kvmrt_manager_get_config (self->manager) == NULL)
    kvmrt_manager_new_config (self->manager, self->requested_config != NULL
                                               ? self->requested_config
                                               : KVMRT_DEFAULT_CONFIG_PATH);
  kvmrt_config_dialog_import (present_config_dialog (self), names);
}

/* A new configuration exists in memory until Apply writes it; the editor opens on the
 * libvirt VMs to import, all offered. */
static void
create_config (KvmrtWindow *self, const char *path)
{
  kvmrt_manager_new_config (self->manager, path);
  kvmrt_config_dialog_import (present_config_dialog (self), NULL);
}

static void
on_save_chooser_response_cb (GtkNativeDialog *chooser, int response, KvmrtWindow *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  const char *purpose = g_object_get_data (G_OBJECT (chooser), "purpose");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = g_file_get_path (file);
    }
  if (path != NULL && g_str_equal (purpose, "new"))
    create_config (self, path);
  else if (path != NULL && g_str_equal (purpose, "clone")
           && !kvmrt_manager_clone_config (self->manager, path, &error))
    kvmrt_window_show_toast (self, error->message);
  else if (path != NULL && g_str_equal (purpose, "open")
           && !kvmrt_manager_open_config (self->manager, path, &error))
    kvmrt_window_show_toast (self, error->message);
  g_object_unref (chooser);
}

static void
choose_file (KvmrtWindow *self, const char *purpose, const char *title, const char *accept)
{
  gboolean open = g_str_equal (purpose, "open");
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                 open ? GTK_FILE_CHOOSER_ACTION_OPEN : GTK_FILE_CHOOSER_ACTION_SAVE,
                                 accept, _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("KVM-RT configurations"));
  gtk_file_filter_add_pattern (filter, "*.cfg");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  if (!open)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "kvmrt.cfg");
  g_object_set_data_full (G_OBJECT (chooser), "purpose", g_strdup (purpose), g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
file_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);

  if (g_str_equal (action_name, "win.new-config"))
    choose_file (self, "new", _("New Configuration"), _("_Create"));
  else if (g_str_equal (action_name, "win.open-config"))
    choose_file (self, "open", _("Open Configuration"), _("_Open"));
  else if (g_str_equal (action_name, "win.clone-config"))
    choose_file (self, "clone", _("Clone Configuration"), _("_Clone"));
  else if (g_str_equal (action_name, "win.create-default-config"))
    create_config (self, self->requested_config != NULL ? self->requested_config
                                                        : KVMRT_DEFAULT_CONFIG_PATH);
}

static void
on_close_config_response_cb (AdwMessageDialog *dialog, const char *response, KvmrtWindow *self)
{
  if (!g_str_equal (response, "close"))
    return;
  if (self->config_dialog != NULL)
    gtk_window_destroy (self->config_dialog);
  kvmrt_manager_close_config (self->manager);
}

static void
close_config_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);
  gboolean unapplied = kvmrt_manager_get_config_unsaved (self->manager)
                       || (self->config_dialog != NULL
                           && kvmrt_config_dialog_has_unapplied (KVMRT_CONFIG_DIALOG (
                                                                   self->config_dialog)));
  GtkWidget *dialog;

  if (!unapplied)
    {
      if (self->config_dialog != NULL)
        gtk_window_destroy (self->config_dialog);
      kvmrt_manager_close_config (self->manager);
      return;
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Close Without Applying?"),
                                   _("The configuration has changes that were not applied. "
                                     "They are lost when it is closed."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "close", _("_Discard and Close"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "close",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_close_config_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_config_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  kvmrt_window_edit_config (KVMRT_WINDOW (widget), NULL);
}

/* Resynchronize and Release Tuning: their result in a toast. */
static void
on_toast_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(KvmrtWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (kvmrt_manager_operation_finish (KVMRT_MANAGER (source), result, &message, &error))
    kvmrt_window_show_toast (self, message);
  else
    kvmrt_window_show_toast (self, error->message);
}

void
kvmrt_window_release_held (KvmrtWindow *self)
{
  kvmrt_manager_release_held_async (self->manager, NULL, on_toast_result_cb,
                                    g_object_ref (self));
}

static void
resync_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);

  kvmrt_manager_resync_async (self->manager, NULL, on_toast_result_cb, g_object_ref (self));
}

/* The keyboard shortcuts window, built the first time it is asked for (GTK would build it
 * with every window, which costs the start-up a few milliseconds). */
static void
show_help_overlay_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (widget);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (window);

  if (overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder =
        gtk_builder_new_from_resource ("/org/kvmrt/Kvmrt/kvmrt-shortcuts-window.ui");

      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      gtk_application_window_set_help_overlay (window, overlay);
    }
  gtk_window_present (GTK_WINDOW (overlay));
}

void
kvmrt_window_class_install_actions (GtkWidgetClass *widget_class)
{
  static const char *const vm_operations[] = {
    "win.vm-boot", "win.vm-shutdown", "win.vm-force-off", "win.vm-retune",
  };
  static const char *const vm_windows[] = {
    "win.vm-console", "win.vm-graphical-console", "win.vm-details", "win.vm-edit",
  };
  static const char *const files[] = {
    "win.new-config", "win.open-config", "win.clone-config", "win.create-default-config",
  };
  static const char *const all_windows[] = {
    "win.open-all-consoles", "win.show-all-details", "win.close-all-details",
  };

  for (guint i = 0; i < G_N_ELEMENTS (vm_operations); i++)
    gtk_widget_class_install_action (widget_class, vm_operations[i], "s",
                                     vm_operation_activated);
  for (guint i = 0; i < G_N_ELEMENTS (vm_windows); i++)
    gtk_widget_class_install_action (widget_class, vm_windows[i], "s", vm_window_activated);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    gtk_widget_class_install_action (widget_class, files[i], NULL, file_activated);
  for (guint i = 0; i < G_N_ELEMENTS (all_windows); i++)
    gtk_widget_class_install_action (widget_class, all_windows[i], NULL, all_windows_activated);
  gtk_widget_class_install_action (widget_class, "win.close-config", NULL,
                                   close_config_activated);
  gtk_widget_class_install_action (widget_class, "win.edit-config", NULL, edit_config_activated);
  gtk_widget_class_install_action (widget_class, "win.resync-config", NULL, resync_activated);
  gtk_widget_class_install_action (widget_class, "win.lock-config", NULL, lock_config_activated);
  gtk_widget_class_install_action (widget_class, "win.show-shortcuts", NULL,
                                   show_help_overlay_activated);
  gtk_widget_class_install_action (widget_class, "win.boot-all", NULL, boot_all_activated);
  gtk_widget_class_install_action (widget_class, "win.shutdown-all", NULL,
                                   shutdown_all_activated);
}
