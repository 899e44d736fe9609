/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The window's actions: the configuration file (new, open, clone, close), editing, locking
 * and resynchronizing it, Boot All / Shut Down All; and the per-VM operations and windows
 * the cards' own actions ask the window for. */
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
  gboolean connected = kvmrt_manager_get_connected (self->manager);
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

typedef enum {
  VM_BOOT,
  VM_SHUT_DOWN,            /* ask the guest, report when it has not stopped in time */
  VM_FORCE_OFF,
  VM_RETUNE,
} VmOperation;

typedef struct {
  KvmrtWindow    *window;   /* owned */
  GApplication   *app;      /* held while the operation runs, so it ends at a step */
  char           *uuid;
} OperationData;

static void
operation_data_free (OperationData *data)
{
  if (data->app != NULL)
    g_application_release (data->app);
  g_clear_object (&data->app);
  g_object_unref (data->window);
  g_free (data->uuid);
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

/* Shows an operation's outcome on its card (a failure in a toast too). */
static void
operation_done (OperationData *data, gboolean ok, const char *message, GError *error)
{
  KvmrtWindow *self = data->window;
  KvmrtVmCard *card = kvmrt_window_lookup_card (self, data->uuid);
  KvmrtVm *vm = kvmrt_window_lookup_vm (self, data->uuid);

  mark_busy (self, data->uuid, -1);
  if (card != NULL)
    kvmrt_vm_card_set_message (card, ok ? message : error->message, !ok);
  if (!ok && vm != NULL)
    {
      g_autofree char *text = g_strdup_printf ("%s: %s", kvmrt_vm_get_display_title (vm), error->message);

      kvmrt_window_show_toast (self, text);
    }
  operation_data_free (data);
}

static void
on_boot_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean ok = kvmrt_manager_boot_finish (KVMRT_MANAGER (source), result, &message, &error);

  operation_done (user_data, ok, message, error);
}

static void
on_shutdown_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean ok = kvmrt_manager_shutdown_finish (KVMRT_MANAGER (source), result, &message,
                                               &error);

  operation_done (user_data, ok, message, error);
}

static void
on_retune_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean ok = kvmrt_manager_retune_finish (KVMRT_MANAGER (source), result, &message, &error);

  operation_done (user_data, ok, message, error);
}

static void
start_operation (KvmrtWindow *self, KvmrtVm *vm, VmOperation operation)
{
  OperationData *data = g_new0 (OperationData, 1);
  KvmrtVmCard *card = kvmrt_window_lookup_card (self, kvmrt_vm_get_uuid (vm));
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  KvmrtManager *manager = self->manager;
  GCancellable *cancellable = self->cancellable;

  data->window = g_object_ref (self);
  data->uuid = g_strdup (kvmrt_vm_get_uuid (vm));
  if (app != NULL)
    {
      data->app = G_APPLICATION (g_object_ref (app));
      g_application_hold (data->app);
    }
  mark_busy (self, data->uuid, +1);
  if (card != NULL)
    kvmrt_vm_card_set_message (card, NULL, FALSE);

  switch (operation)
    {
    case VM_BOOT:
      kvmrt_manager_boot_async (manager, vm, cancellable, on_boot_done_cb, data);
      break;
    case VM_SHUT_DOWN:
      kvmrt_manager_shutdown_async (manager, vm, FALSE, SHUTDOWN_TIMEOUT_S, cancellable,
                                    on_shutdown_done_cb, data);
      break;
    case VM_FORCE_OFF:
      kvmrt_manager_shutdown_async (manager, vm, TRUE, 0, cancellable, on_shutdown_done_cb,
                                    data);
      break;
    case VM_RETUNE:
      kvmrt_manager_retune_async (manager, vm, cancellable, on_retune_done_cb, data);
      break;
    }
}

static gboolean
vm_is_running (KvmrtWindow *self, KvmrtVm *vm)
{
  const KvmrtVmStatus *status = kvmrt_manager_get_status (self->manager, vm);

  return status != NULL && status->running;
}

/* The card's menu and badge offer the operations on a running VM only while it runs; the
 * state is checked again here, as it may have changed since the card last showed it. */
static void
start_on_running (KvmrtWindow *self, KvmrtVm *vm, VmOperation operation)
{
  if (!vm_is_running (self, vm))
    {
      g_autofree char *text = g_strdup_printf (_("%s is not running"), kvmrt_vm_get_display_title (vm));

      kvmrt_window_show_toast (self, text);
      return;
    }
  start_operation (self, vm, operation);
}

void
kvmrt_window_boot_vm (KvmrtWindow *self, KvmrtVm *vm)
{
  start_operation (self, vm, VM_BOOT);
}

void
kvmrt_window_shut_down_vm (KvmrtWindow *self, KvmrtVm *vm)
{
  start_on_running (self, vm, VM_SHUT_DOWN);
}

void
kvmrt_window_force_off_vm (KvmrtWindow *self, KvmrtVm *vm)
{
  start_on_running (self, vm, VM_FORCE_OFF);
}

void
kvmrt_window_retune_vm (KvmrtWindow *self, KvmrtVm *vm)
{
  start_on_running (self, vm, VM_RETUNE);
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

void
kvmrt_window_open_console (KvmrtWindow *self, KvmrtVm *vm)
{
  g_autoptr(GError) error = NULL;

  if (!kvmrt_console_open (GTK_WINDOW (self), self->manager, vm, &error))
    kvmrt_window_show_toast (self, error->message);
}

void
kvmrt_window_open_graphical_console (KvmrtWindow *self, KvmrtVm *vm)
{
  g_autoptr(GError) error = NULL;

  if (!kvmrt_open_graphical_console (self->manager, vm, &error))
    kvmrt_window_show_toast (self, error->message);
}

void
kvmrt_window_show_details (KvmrtWindow *self, KvmrtVm *vm)
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
open_all_consoles_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);
  g_autoptr(GPtrArray) vms = enabled_vms (self);

  for (guint i = 0; i < vms->len; i++)
    kvmrt_window_open_console (self, vms->pdata[i]);
}

static void
show_all_details_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);
  g_autoptr(GPtrArray) vms = enabled_vms (self);

  for (guint i = 0; i < vms->len; i++)
    kvmrt_window_show_details (self, vms->pdata[i]);
}

static void
close_all_details_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);
  g_autoptr(GPtrArray) vms = enabled_vms (self);

  for (guint i = 0; i < vms->len; i++)
    {
      GtkWindow *window = find_details_window (self, kvmrt_vm_get_uuid (vms->pdata[i]));

      if (window != NULL)
        gtk_window_destroy (window);
    }
}

/* Boot All / Shut Down All --------------------------------------------------------------- */

/* Boot All and Shut Down All: an operation on a set of VMs, a spinner on each card. */
typedef struct {
  KvmrtWindow  *window;     /* owned */
  GApplication *app;        /* held while the operation runs */
  GPtrArray    *uuids;      /* char*: the set */
  const char   *done;       /* a toast when it is over, or NULL */
} VmSet;

static VmSet *
vm_set_new (KvmrtWindow *self, GPtrArray *vms)
{
  VmSet *set = g_new0 (VmSet, 1);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  set->window = g_object_ref (self);
  set->uuids = g_ptr_array_new_with_free_func (g_free);
  if (app != NULL)
    {
      set->app = G_APPLICATION (g_object_ref (app));
      g_application_hold (set->app);
    }
  for (guint i = 0; i < vms->len; i++)
    {
      const char *uuid = kvmrt_vm_get_uuid (vms->pdata[i]);
      KvmrtVmCard *card = kvmrt_window_lookup_card (self, uuid);

      g_ptr_array_add (set->uuids, g_strdup (uuid));
      mark_busy (self, uuid, +1);
      if (card != NULL)
        kvmrt_vm_card_set_message (card, NULL, FALSE);
    }
  return set;
}

/* Each VM's result on its card (failures in toasts too); what concerns the whole set in a
 * toast. Frees @set. */
static void
vm_set_done (VmSet *set, GPtrArray *reports, const char *message, const GError *error)
{
  KvmrtWindow *self = set->window;

  for (guint i = 0; reports != NULL && i < reports->len; i++)
    {
      const KvmrtVmReport *report = reports->pdata[i];
      KvmrtVmCard *card = kvmrt_window_lookup_card (self, report->uuid);
      KvmrtVm *vm = kvmrt_window_lookup_vm (self, report->uuid);

      if (card != NULL)
        kvmrt_vm_card_set_message (card, report->message, !report->ok);
      if (!report->ok && vm != NULL)
        {
          g_autofree char *text = g_strdup_printf ("%s: %s", kvmrt_vm_get_display_title (vm), report->message);

          kvmrt_window_show_toast (self, text);
        }
    }
  if (error != NULL)
    kvmrt_window_show_toast (self, error->message);
  else if (message != NULL)
    kvmrt_window_show_toast (self, message);
  else if (set->done != NULL)
    kvmrt_window_show_toast (self, set->done);

  for (guint i = 0; i < set->uuids->len; i++)
    mark_busy (self, set->uuids->pdata[i], -1);
  if (set->app != NULL)
    g_application_release (set->app);
  g_clear_object (&set->app);
  g_object_unref (set->window);
  g_ptr_array_unref (set->uuids);
  g_free (set);
}

static void
on_boot_set_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GPtrArray) reports = kvmrt_manager_boot_set_finish (KVMRT_MANAGER (source), result,
                                                                &message, &error);

  vm_set_done (user_data, reports, message, error);
}

static void
on_shutdown_set_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GPtrArray) reports = kvmrt_manager_shutdown_set_finish (KVMRT_MANAGER (source),
                                                                    result, &message, &error);

  vm_set_done (user_data, reports, message, error);
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
        g_string_append_printf (running, "%s%s", running->len > 0 ? ", " : "", kvmrt_vm_get_display_title (vm));
    }
  return running->len > 0 ? g_string_free (g_steal_pointer (&running), FALSE) : NULL;
}

static char *
list_titles (GPtrArray *vms)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < vms->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", kvmrt_vm_get_display_title (vms->pdata[i]));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
boot_all (KvmrtWindow *self, gboolean include_all, gboolean clean)
{
  g_autoptr(GPtrArray) vms = vms_to_boot (self, include_all);
  VmSet *set;

  if (vms->len == 0)
    {
      kvmrt_window_show_toast (self, _("No VM has Auto Start set: choose to boot every "
                                       "enabled VM, or turn on Auto Start"));
      return;
    }
  /* One boot set: in parallel, or one after the other with clean, as kvmrt-boot does (the
   * core refuses a clean boot while a configured VM runs). */
  set = vm_set_new (self, vms);
  set->done = clean ? _("Clean boot finished") : NULL;
  kvmrt_manager_boot_set_async (self->manager, vms, clean, self->cancellable,
                                on_boot_set_done_cb, set);
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
  g_autoptr(GPtrArray) enabled = NULL;
  g_autoptr(GPtrArray) running = g_ptr_array_new ();

  if (!g_str_equal (response, "shutdown"))
    return;
  enabled = enabled_vms (self);
  for (guint i = 0; i < enabled->len; i++)
    if (vm_is_running (self, enabled->pdata[i]))
      g_ptr_array_add (running, enabled->pdata[i]);
  /* All at once, one shutdown set, as kvmrt-shutdown does. */
  kvmrt_manager_shutdown_set_async (self->manager, running, gtk_check_button_get_active (force),
                                    SHUTDOWN_TIMEOUT_S, self->cancellable,
                                    on_shutdown_set_done_cb, vm_set_new (self, running));
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

/* What a file chooser was opened for. */
typedef enum {
  CHOOSE_NEW,
  CHOOSE_OPEN,
  CHOOSE_CLONE,
} ChooserPurpose;

static void
on_chooser_response_cb (GtkNativeDialog *chooser, int response, KvmrtWindow *self)
{
  ChooserPurpose purpose = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "purpose"));
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = g_file_get_path (file);
    }
  g_object_unref (chooser);
  if (path == NULL)
    return;
  switch (purpose)
    {
    case CHOOSE_NEW:
      create_config (self, path);
      break;
    case CHOOSE_CLONE:
      if (!kvmrt_manager_clone_config (self->manager, path, &error))
        kvmrt_window_show_toast (self, error->message);
      break;
    case CHOOSE_OPEN:
      if (!kvmrt_manager_open_config (self->manager, path, &error))
        kvmrt_window_show_toast (self, error->message);
      break;
    }
}

static void
choose_file (KvmrtWindow    *self,
             ChooserPurpose  purpose,
             const char     *title,
             const char     *accept)
{
  gboolean open = purpose == CHOOSE_OPEN;
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
  g_object_set_data (G_OBJECT (chooser), "purpose", GINT_TO_POINTER (purpose));
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
new_config_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  choose_file (KVMRT_WINDOW (widget), CHOOSE_NEW, _("New Configuration"), _("_Create"));
}

static void
open_config_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  choose_file (KVMRT_WINDOW (widget), CHOOSE_OPEN, _("Open Configuration"), _("_Open"));
}

static void
clone_config_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  choose_file (KVMRT_WINDOW (widget), CHOOSE_CLONE, _("Clone Configuration"), _("_Clone"));
}

static void
create_default_config_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);

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
show_result (KvmrtWindow *self, gboolean ok, const char *message, const GError *error)
{
  kvmrt_window_show_toast (self, ok ? message : error->message);
}

static void
on_released_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(KvmrtWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean ok = kvmrt_manager_release_held_finish (KVMRT_MANAGER (source), result, &message,
                                                   &error);

  show_result (self, ok, message, error);
}

void
kvmrt_window_release_held (KvmrtWindow *self)
{
  kvmrt_manager_release_held_async (self->manager, self->cancellable, on_released_cb,
                                    g_object_ref (self));
}

static void
on_resynced_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(KvmrtWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean ok = kvmrt_manager_resync_finish (KVMRT_MANAGER (source), result, &message, &error);

  show_result (self, ok, message, error);
}

static void
resync_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtWindow *self = KVMRT_WINDOW (widget);

  kvmrt_manager_resync_async (self->manager, self->cancellable, on_resynced_cb,
                              g_object_ref (self));
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
  gtk_widget_class_install_action (widget_class, "win.new-config", NULL, new_config_activated);
  gtk_widget_class_install_action (widget_class, "win.open-config", NULL,
                                   open_config_activated);
  gtk_widget_class_install_action (widget_class, "win.clone-config", NULL,
                                   clone_config_activated);
  gtk_widget_class_install_action (widget_class, "win.create-default-config", NULL,
                                   create_default_config_activated);
  gtk_widget_class_install_action (widget_class, "win.open-all-consoles", NULL,
                                   open_all_consoles_activated);
  gtk_widget_class_install_action (widget_class, "win.show-all-details", NULL,
                                   show_all_details_activated);
  gtk_widget_class_install_action (widget_class, "win.close-all-details", NULL,
                                   close_all_details_activated);
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
