/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-a11y.h"
#include "kvmrt-lock-dialog.h"

#include <glib/gi18n.h>
#include <string.h>

typedef enum {
  MODE_EDIT,     /* set, change or remove the lock */
  MODE_UNLOCK,   /* only ask for the password */
} Mode;

struct _KvmrtLockDialog
{
  AdwWindow            parent_instance;

  /* template widgets */
  GtkButton           *cancel_button;
  GtkButton           *primary_button;
  GtkSpinner          *spinner;
  GtkStack            *stack;
  GtkLabel            *current_title;
  GtkLabel            *current_description;
  GtkPasswordEntry    *current_entry;
  GtkLabel            *current_error;
  GtkLabel            *new_title;
  GtkLabel            *new_description;
  GtkPasswordEntry    *new_entry;
  GtkPasswordEntry    *confirm_entry;
  GtkLabel            *new_hint;
  GtkLabel            *new_error;
  GtkButton           *remove_button;

  /* owned */
  KvmrtManager        *manager;       /* MODE_EDIT */
  KvmrtConfig         *config;        /* MODE_UNLOCK */
  GCancellable        *cancellable;

  /* MODE_UNLOCK: called once */
  KvmrtUnlockCallback  callback;
  gpointer             callback_data;

  Mode                 mode;
  gboolean             was_locked;    /* MODE_EDIT: a lock was set when the dialog opened */
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (KvmrtLockDialog, kvmrt_lock_dialog, ADW_TYPE_WINDOW)

/* Which outcome an apply reports. */
typedef enum {
  OUTCOME_LOCKED,
  OUTCOME_CHANGED,
  OUTCOME_REMOVED,
} Outcome;

static KvmrtConfig *
lock_config (KvmrtLockDialog *self)
{
  if (self->mode == MODE_UNLOCK)
    return self->config;
  return kvmrt_manager_get_config (self->manager);
}

static const char *
entry_text (GtkPasswordEntry *entry)
{
  return gtk_editable_get_text (GTK_EDITABLE (entry));
}

static void
show_error (GtkLabel *label, const char *message)
{
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static gboolean
on_new_page (KvmrtLockDialog *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "new") == 0;
}

static void
update_sensitivity (KvmrtLockDialog *self)
{
  gboolean ready;

  if (on_new_page (self))
    {
      const char *password = entry_text (self->new_entry);
      const char *confirm = entry_text (self->confirm_entry);
      gboolean mismatch = confirm[0] != '\0' && strcmp (password, confirm) != 0;

      gtk_widget_set_visible (GTK_WIDGET (self->new_hint), mismatch);
      ready = password[0] != '\0' && strcmp (password, confirm) == 0;
    }
  else
    ready = entry_text (self->current_entry)[0] != '\0';

  gtk_widget_set_sensitive (GTK_WIDGET (self->primary_button), ready && !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remove_button), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stack), !self->busy);
}

static void
set_busy (KvmrtLockDialog *self, gboolean busy)
{
  /* Focus leaves the entries before they turn insensitive (GTK 4.8 warns otherwise). */
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  update_sensitivity (self);
  if (!busy)
    gtk_widget_grab_focus (GTK_WIDGET (self->new_entry));
}

static void
set_primary_label (KvmrtLockDialog *self, const char *label)
{
  gtk_button_set_label (self->primary_button, label);
  kvmrt_a11y_name_buttons (GTK_WIDGET (self->primary_button));
}

static void
show_current_page (KvmrtLockDialog *self)
{
  if (self->mode == MODE_UNLOCK)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Unlock Configuration"));
      gtk_label_set_text (self->current_title, _("Configuration Locked"));
      gtk_label_set_text (self->current_description,
                          _("This configuration is protected by a password. Enter it to see "
                            "and change the VMs."));
      set_primary_label (self, _("_Unlock"));
    }
  else
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Configuration Lock"));
      gtk_label_set_text (self->current_title, _("Enter the Current Password"));
      gtk_label_set_text (self->current_description,
                          _("The configuration is locked. Give its password first to choose "
                            "a new one or to remove the lock."));
      set_primary_label (self, _("_Continue"));
    }
  gtk_stack_set_visible_child_name (self->stack, "current");
  gtk_widget_grab_focus (GTK_WIDGET (self->current_entry));
  update_sensitivity (self);
}

/* The texts of the second page, set before the dialog is shown: a wrapping label whose text
 * changes once the window is mapped makes a non-resizable window grow wide. */
static void
prepare_new_page (KvmrtLockDialog *self)
{
  if (self->was_locked)
    {
      gtk_label_set_text (self->new_title, _("Choose a New Password"));
      gtk_label_set_text (self->new_description,
                          _("The new password replaces the current one for everyone who opens "
                            "this configuration. Removing the lock lets anyone who can open the "
                            "file see and change it again."));
    }
  else
    {
      gtk_label_set_text (self->new_title, _("Choose a Password"));
      gtk_label_set_text (self->new_description,
                          _("kvmrt will ask for it before it shows or edits this configuration, "
                            "in every window and for every user. Only a salted hash of it is "
                            "written into the file. The command-line tools do not ask for it."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->remove_button), self->was_locked);
}

static void
show_new_page (KvmrtLockDialog *self)
{
  if (self->was_locked)
    set_primary_label (self, _("C_hange"));
  else
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Lock Configuration"));
      set_primary_label (self, _("_Lock"));
    }
  gtk_stack_set_visible_child_name (self->stack, "new");
  gtk_widget_grab_focus (GTK_WIDGET (self->new_entry));
  update_sensitivity (self);
}

/* Runs the callback at most once. */
static void
finish_unlock (KvmrtLockDialog *self, gboolean unlocked)
{
  KvmrtUnlockCallback callback = g_steal_pointer (&self->callback);

  if (callback != NULL)
    callback (unlocked, self->callback_data);
}

/* The outcome, with the first line of Apply's report ("Saved PATH"); what it did in libvirt
 * is behind Details. */
static void
present_result (GtkWindow *parent, Outcome outcome, const char *message)
{
  const char *heading = NULL;
  const char *summary = NULL;
  g_autofree char *first = NULL;
  g_autofree char *body = NULL;
  const char *rest = NULL;
  GtkWidget *dialog;

  switch (outcome)
    {
    case OUTCOME_LOCKED:
      heading = _("Configuration Locked");
      summary = _("From now on kvmrt asks for the password before it shows this configuration.");
      break;
    case OUTCOME_CHANGED:
      heading = _("Password Changed");
      summary = _("The configuration now opens with the new password only.");
      break;
    case OUTCOME_REMOVED:
    default:
      heading = _("Lock Removed");
      summary = _("The configuration opens without a password again.");
      break;
    }
  if (message != NULL && message[0] != '\0')
    {
      const char *newline = strchr (message, '\n');

      first = newline != NULL ? g_strndup (message, newline - message) : g_strdup (message);
      rest = newline != NULL && newline[1] != '\0' ? newline + 1 : NULL;
    }
  body = first != NULL ? g_strdup_printf ("%s\n\n%s", summary, first) : g_strdup (summary);
  dialog = adw_message_dialog_new (parent, heading, body);
  if (rest != NULL)
    {
      GtkWidget *expander = gtk_expander_new_with_mnemonic (_("_Details"));
      GtkWidget *scrolled = gtk_scrolled_window_new ();
      GtkWidget *label = gtk_label_new (rest);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "caption");
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                      GTK_POLICY_AUTOMATIC);
      gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
      gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
      gtk_expander_set_child (GTK_EXPANDER (expander), scrolled);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), expander);
    }
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct {
  KvmrtLockDialog *self;   /* owned */
  Outcome          outcome;
} ApplyData;

static void
on_apply_ready_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ApplyData *data = user_data;
  g_autoptr(KvmrtLockDialog) self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  Outcome outcome = data->outcome;

  g_free (data);
  if (!kvmrt_manager_apply_finish (KVMRT_MANAGER (source), result, &message, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_error (self->new_error, error->message);
      return;
    }

  set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->new_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_entry), "");
  present_result (gtk_window_get_transient_for (GTK_WINDOW (self)), outcome, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Writes a copy of the loaded configuration that differs only in its lock (@password NULL:
 * none) through Apply, which validates and saves it. */
static void
apply_lock (KvmrtLockDialog *self, const char *password, Outcome outcome)
{
  KvmrtConfig *config = kvmrt_manager_get_config (self->manager);
  g_autoptr(KvmrtConfig) copy = NULL;
  g_autoptr(GError) error = NULL;
  ApplyData *data;

  show_error (self->new_error, NULL);
  if (config == NULL)
    {
      show_error (self->new_error, _("No configuration is open."));
      return;
    }
  copy = kvmrt_config_copy (config);
  if (!kvmrt_config_lock_set (copy, password, &error))
    {
      show_error (self->new_error, error->message);
      return;
    }

  set_busy (self, TRUE);
  data = g_new0 (ApplyData, 1);
  data->self = g_object_ref (self);
  data->outcome = outcome;
  kvmrt_manager_apply_async (self->manager, copy, self->cancellable, on_apply_ready_cb, data);
}

static void
on_entry_changed_cb (GtkEditable     *editable,
                     KvmrtLockDialog *self)
{
  if (GTK_PASSWORD_ENTRY (editable) == self->current_entry)
    {
      show_error (self->current_error, NULL);
      gtk_widget_remove_css_class (GTK_WIDGET (self->current_entry), "error");
    }
  else
    show_error (self->new_error, NULL);
  update_sensitivity (self);
}

static void
check_current (KvmrtLockDialog *self)
{
  KvmrtConfig *config = lock_config (self);

  if (config == NULL || !kvmrt_config_lock_check (config, entry_text (self->current_entry)))
    {
      show_error (self->current_error, _("That password is not right. Try again."));
      gtk_widget_add_css_class (GTK_WIDGET (self->current_entry), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->current_entry));
      gtk_editable_select_region (GTK_EDITABLE (self->current_entry), 0, -1);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->current_entry), "");
  if (self->mode == MODE_UNLOCK)
    {
      finish_unlock (self, TRUE);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  show_new_page (self);
}

static void
on_primary_button_clicked_cb (GtkButton       *button,
                              KvmrtLockDialog *self)
{
  if (self->busy)
    return;
  if (!on_new_page (self))
    {
      check_current (self);
      return;
    }
  /* The button is insensitive otherwise, but Enter in an entry also lands here. */
  if (entry_text (self->new_entry)[0] == '\0'
      || strcmp (entry_text (self->new_entry), entry_text (self->confirm_entry)) != 0)
    return;
  apply_lock (self, entry_text (self->new_entry),
              self->was_locked ? OUTCOME_CHANGED : OUTCOME_LOCKED);
}

static void
on_remove_button_clicked_cb (GtkButton       *button,
                             KvmrtLockDialog *self)
{
  if (!self->busy)
    apply_lock (self, NULL, OUTCOME_REMOVED);
}

static gboolean
kvmrt_lock_dialog_close_request (GtkWindow *window)
{
  KvmrtLockDialog *self = KVMRT_LOCK_DIALOG (window);

  /* The file is being written: wait for it, so the outcome is not lost. */
  if (self->busy)
    return TRUE;
  finish_unlock (self, FALSE);
  return GTK_WINDOW_CLASS (kvmrt_lock_dialog_parent_class)->close_request (window);
}

static void
kvmrt_lock_dialog_dispose (GObject *object)
{
  KvmrtLockDialog *self = KVMRT_LOCK_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  finish_unlock (self, FALSE);
  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_LOCK_DIALOG);

  G_OBJECT_CLASS (kvmrt_lock_dialog_parent_class)->dispose (object);
}

static void
kvmrt_lock_dialog_finalize (GObject *object)
{
  KvmrtLockDialog *self = KVMRT_LOCK_DIALOG (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->config);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (kvmrt_lock_dialog_parent_class)->finalize (object);
}

static void
kvmrt_lock_dialog_class_init (KvmrtLockDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kvmrt_lock_dialog_dispose;
  object_class->finalize = kvmrt_lock_dialog_finalize;
  window_class->close_request = kvmrt_lock_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-lock-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, primary_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, current_title);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, current_description);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, current_entry);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, current_error);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, new_title);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, new_description);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, new_entry);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, confirm_entry);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, new_hint);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, new_error);
  gtk_widget_class_bind_template_child (widget_class, KvmrtLockDialog, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, on_primary_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kvmrt_lock_dialog_init (KvmrtLockDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  kvmrt_a11y_name_buttons (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

KvmrtLockDialog *
kvmrt_lock_dialog_new (GtkWindow    *parent,
                       KvmrtManager *manager)
{
  KvmrtLockDialog *self;
  KvmrtConfig *config;

  g_return_val_if_fail (KVMRT_IS_MANAGER (manager), NULL);

  self = g_object_new (KVMRT_TYPE_LOCK_DIALOG, "transient-for", parent, NULL);
  self->mode = MODE_EDIT;
  self->manager = g_object_ref (manager);
  config = kvmrt_manager_get_config (manager);
  self->was_locked = config != NULL && kvmrt_config_lock_is_set (config);
  prepare_new_page (self);
  if (self->was_locked)
    show_current_page (self);
  else
    show_new_page (self);
  return self;
}

void
kvmrt_lock_dialog_present (GtkWindow    *parent,
                           KvmrtManager *manager,
                           gboolean      unlocked)
{
  KvmrtLockDialog *self = kvmrt_lock_dialog_new (parent, manager);

  /* Its password was just given (to edit the configuration): not asked for again. */
  if (unlocked && self->was_locked)
    show_new_page (self);
  gtk_window_present (GTK_WINDOW (self));
}

KvmrtLockDialog *
kvmrt_lock_dialog_new_unlock (GtkWindow           *parent,
                              KvmrtConfig         *config,
                              KvmrtUnlockCallback  callback,
                              gpointer             data)
{
  KvmrtLockDialog *self;

  g_return_val_if_fail (KVMRT_IS_CONFIG (config), NULL);

  self = g_object_new (KVMRT_TYPE_LOCK_DIALOG, "transient-for", parent, NULL);
  self->mode = MODE_UNLOCK;
  self->config = g_object_ref (config);
  self->callback = callback;
  self->callback_data = data;
  show_current_page (self);
  return self;
}

void
kvmrt_unlock_prompt (GtkWindow           *parent,
                     KvmrtConfig         *config,
                     KvmrtUnlockCallback  callback,
                     gpointer             data)
{
  g_return_if_fail (KVMRT_IS_CONFIG (config));

  if (!kvmrt_config_lock_is_set (config))
    {
      if (callback != NULL)
        callback (TRUE, data);
      return;
    }
  gtk_window_present (GTK_WINDOW (kvmrt_lock_dialog_new_unlock (parent, config, callback,
                                                                data)));
}
