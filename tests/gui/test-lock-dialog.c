/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock dialog and the unlock prompt on a copy of the demo configuration, driven through
 * their widgets: a lock set through the dialog is a yescrypt hash in [DEFAULT] of the saved
 * file, the prompt opens for the right password only, and removing the lock gives back the
 * file as it was. Needs a display (run under Xvfb); skips without one. With
 * KVMRT_SCREENSHOT_DIR set, each step is saved there as a PNG. */
#include "config.h"

#include <adwaita.h>

#include "kvmrt-gui-test.h"
#include "kvmrt-lock-dialog.h"
#include "kvmrt-manager.h"

#define PASSWORD "Line 3 stays locked"

typedef struct {
  char         *dir;
  char         *path;
  char         *original;
  KvmrtManager *manager;
  GtkWindow    *parent;
} Fixture;

static Fixture fx;

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Runs the main loop until the weak pointer *@alive is NULL; fails after @timeout_ms. */
static void
wait_destroyed (gpointer *alive, guint timeout_ms)
{
  g_assert_true (kvmrt_gui_test_wait_for (is_null, alive, timeout_ms));
}

static GtkWidget *
child (gpointer dialog, const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (dialog), KVMRT_TYPE_LOCK_DIALOG,
                                                   name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static void
type_into (gpointer dialog, const char *name, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, name)), text);
}

static void
click (gpointer dialog, const char *name)
{
  GtkWidget *button = child (dialog, name);

  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static char *
read_config (void)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (fx.path, &text, NULL, NULL));
  return text;
}

/* The message dialog that reports the outcome: checked, shown, closed. */
static void
close_result (const char *heading, const char *shot)
{
  AdwMessageDialog *result =
    ADW_MESSAGE_DIALOG (kvmrt_gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  g_assert_nonnull (result);
  g_assert_cmpstr (adw_message_dialog_get_heading (result), ==, heading);
  g_assert_true (kvmrt_gui_test_wait_for ((KvmrtGuiTestCondition) gtk_widget_get_mapped, result,
                                          10000));
  kvmrt_gui_test_screenshot (GTK_WIDGET (result), shot);
  adw_message_dialog_response (result, "close");
  gtk_window_destroy (GTK_WINDOW (result));
}

static void
test_set_lock (void)
{
  KvmrtLockDialog *dialog = kvmrt_lock_dialog_new (fx.parent, fx.manager);
  gpointer alive = dialog;
  g_autofree char *saved = NULL;
  GtkWidget *primary = child (dialog, "primary_button");

  g_object_add_weak_pointer (G_OBJECT (dialog), &alive);
  kvmrt_gui_test_present (GTK_WINDOW (dialog));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (dialog, "stack"))), ==,
                   "new");
  g_assert_false (gtk_widget_get_visible (child (dialog, "remove_button")));

  /* Lock stays insensitive until both entries hold the same, non-empty password. */
  g_assert_false (gtk_widget_is_sensitive (primary));
  type_into (dialog, "new_entry", PASSWORD);
  g_assert_false (gtk_widget_is_sensitive (primary));
  type_into (dialog, "confirm_entry", "Line 3 stays");
  g_assert_false (gtk_widget_is_sensitive (primary));
  g_assert_true (gtk_widget_get_visible (child (dialog, "new_hint")));
  kvmrt_gui_test_screenshot (GTK_WIDGET (dialog), "lock-dialog-mismatch");
  type_into (dialog, "confirm_entry", PASSWORD);
  g_assert_true (gtk_widget_is_sensitive (primary));
  g_assert_false (gtk_widget_get_visible (child (dialog, "new_hint")));
  kvmrt_gui_test_screenshot (GTK_WIDGET (dialog), "lock-dialog-set");

  click (dialog, "primary_button");
  wait_destroyed (&alive, 10000);
  close_result ("Configuration Locked", "lock-dialog-result");

  saved = read_config ();
  g_assert_null (strstr (saved, PASSWORD));
  g_assert_null (strstr (saved, "stays locked"));
  g_assert_nonnull (strstr (saved, "\n[DEFAULT]\nconfig_lock = $y$"));
  g_assert_true (kvmrt_config_lock_is_set (kvmrt_manager_get_config (fx.manager)));
  g_assert_true (kvmrt_config_lock_check (kvmrt_manager_get_config (fx.manager), PASSWORD));
}

typedef struct {
  guint    calls;
  gboolean unlocked;
} UnlockResult;

static void
on_unlocked_cb (gboolean unlocked, gpointer data)
{
  UnlockResult *result = data;

  result->calls++;
  result->unlocked = unlocked;
}

static void
test_unlock_prompt (void)
{
  KvmrtConfig *config = kvmrt_manager_get_config (fx.manager);
  UnlockResult result = { 0 };
  KvmrtLockDialog *prompt = kvmrt_lock_dialog_new_unlock (fx.parent, config, on_unlocked_cb,
                                                          &result);
  gpointer alive = prompt;

  g_object_add_weak_pointer (G_OBJECT (prompt), &alive);
  kvmrt_gui_test_present (GTK_WINDOW (prompt));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (prompt, "stack"))), ==,
                   "current");
  g_assert_false (gtk_widget_is_sensitive (child (prompt, "primary_button")));
  kvmrt_gui_test_screenshot (GTK_WIDGET (prompt), "unlock-prompt");

  /* A wrong password: the prompt stays, says so, and nothing is called back. */
  type_into (prompt, "current_entry", "line 3 stays locked");
  click (prompt, "primary_button");
  g_assert_nonnull (alive);
  g_assert_cmpuint (result.calls, ==, 0);
  g_assert_true (gtk_widget_get_visible (child (prompt, "current_error")));
  kvmrt_gui_test_screenshot (GTK_WIDGET (prompt), "unlock-prompt-wrong");

  /* Typing again clears the complaint; the right password opens. */
  type_into (prompt, "current_entry", PASSWORD);
  g_assert_false (gtk_widget_get_visible (child (prompt, "current_error")));
  click (prompt, "primary_button");
  wait_destroyed (&alive, 5000);
  g_assert_cmpuint (result.calls, ==, 1);
  g_assert_true (result.unlocked);

  /* Closed without a password: called back once, with FALSE. */
  result = (UnlockResult) { 0 };
  prompt = kvmrt_lock_dialog_new_unlock (fx.parent, config, on_unlocked_cb, &result);
  alive = prompt;
  g_object_add_weak_pointer (G_OBJECT (prompt), &alive);
  kvmrt_gui_test_present (GTK_WINDOW (prompt));
  gtk_window_close (GTK_WINDOW (prompt));
  wait_destroyed (&alive, 5000);
  g_assert_cmpuint (result.calls, ==, 1);
  g_assert_false (result.unlocked);
}

/* The password was just given in the window (to edit): the lock dialog does not ask again,
 * it opens on the new password. */
static void
test_no_second_ask_after_unlock (void)
{
  KvmrtLockDialog *dialog;
  gpointer alive;

  g_assert_true (kvmrt_config_lock_is_set (kvmrt_manager_get_config (fx.manager)));
  kvmrt_lock_dialog_present (fx.parent, fx.manager, TRUE);
  dialog = KVMRT_LOCK_DIALOG (kvmrt_gui_test_find_toplevel (KVMRT_TYPE_LOCK_DIALOG));
  g_assert_nonnull (dialog);
  alive = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &alive);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (dialog, "stack"))), ==,
                   "new");
  g_assert_true (gtk_widget_get_visible (child (dialog, "remove_button")));
  kvmrt_gui_test_screenshot (GTK_WIDGET (dialog), "lock-dialog-after-unlock");
  gtk_window_close (GTK_WINDOW (dialog));
  wait_destroyed (&alive, 5000);
}

static void
test_change_and_remove (void)
{
  KvmrtLockDialog *dialog = kvmrt_lock_dialog_new (fx.parent, fx.manager);
  gpointer alive = dialog;
  g_autofree char *saved = NULL;
  UnlockResult result = { 0 };
  GtkStack *stack = GTK_STACK (child (dialog, "stack"));

  g_object_add_weak_pointer (G_OBJECT (dialog), &alive);
  kvmrt_gui_test_present (GTK_WINDOW (dialog));

  /* A lock is set: the current password comes first. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "current");
  kvmrt_gui_test_screenshot (GTK_WIDGET (dialog), "lock-dialog-current");
  type_into (dialog, "current_entry", "guess");
  click (dialog, "primary_button");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "current");
  g_assert_true (gtk_widget_get_visible (child (dialog, "current_error")));
  type_into (dialog, "current_entry", PASSWORD);
  click (dialog, "primary_button");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "new");
  g_assert_true (gtk_widget_get_visible (child (dialog, "remove_button")));
  kvmrt_gui_test_screenshot (GTK_WIDGET (dialog), "lock-dialog-change");

  click (dialog, "remove_button");
  wait_destroyed (&alive, 10000);
  close_result ("Lock Removed", "lock-dialog-removed");

  /* Nothing of the lock is left: the file is the demo's again, byte for byte. */
  saved = read_config ();
  g_assert_cmpstr (saved, ==, fx.original);
  g_assert_false (kvmrt_config_lock_is_set (kvmrt_manager_get_config (fx.manager)));

  /* With no lock, the prompt opens at once. */
  kvmrt_unlock_prompt (fx.parent, kvmrt_manager_get_config (fx.manager), on_unlocked_cb,
                       &result);
  g_assert_cmpuint (result.calls, ==, 1);
  g_assert_true (result.unlocked);
}

int
main (int argc, char **argv)
{
  g_autofree char *demo = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *host = NULL;
  int status;

  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;

  demo = kvmrt_gui_test_demo_path ("kvmrt.cfg");
  uri = kvmrt_gui_test_demo_uri ();
  host = kvmrt_gui_test_host_path ();
  fx.dir = kvmrt_gui_test_make_tmp_dir ("kvmrt-lock-dialog-XXXXXX");
  fx.path = kvmrt_gui_test_copy_file (demo, fx.dir, "kvmrt.cfg");
  g_assert_true (g_file_get_contents (fx.path, &fx.original, NULL, NULL));

  fx.manager = kvmrt_gui_test_open_manager (host, uri, fx.path);
  fx.parent = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (fx.parent, 900, 600);
  kvmrt_gui_test_present (fx.parent);

  g_test_add_func ("/lock-dialog/set-lock", test_set_lock);
  g_test_add_func ("/lock-dialog/unlock-prompt", test_unlock_prompt);
  g_test_add_func ("/lock-dialog/no-second-ask-after-unlock", test_no_second_ask_after_unlock);
  g_test_add_func ("/lock-dialog/change-and-remove", test_change_and_remove);
  status = g_test_run ();

  gtk_window_destroy (fx.parent);
  g_clear_object (&fx.manager);
  kvmrt_gui_test_remove_tree (fx.dir);
  g_free (fx.dir);
  g_free (fx.path);
  g_free (fx.original);
  return status;
}
