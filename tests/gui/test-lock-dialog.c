/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock dialog and the unlock prompt on a copy of the demo configuration, driven through
 * their widgets: a lock set through the dialog is a yescrypt hash in [DEFAULT] of the saved
 * file, the prompt opens for the right password only, and removing the lock gives back the
 * file as it was. Needs a display (run under Xvfb); skips without one. With
 * KVMRT_SCREENSHOT_DIR set, each step is saved there as a PNG. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

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
on_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until *@pointer is NULL (@until_null) or not NULL; fails after
 * @timeout_ms. */
static void
wait_until (gpointer *pointer, gboolean until_null, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout_cb, &timed_out);

  while (!timed_out && ((*pointer == NULL) != until_null))
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_false (timed_out);
}

static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
screenshot (GtkWidget *widget, const char *name)
{
  const char *dir = g_getenv ("KVMRT_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL)
    return;
  spin (400);   /* the stack's transition, the entries' state */
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
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

static void
show_and_wait (GtkWindow *window)
{
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (window))
         || gtk_widget_get_width (GTK_WIDGET (window)) == 0)
    g_main_context_iteration (NULL, TRUE);
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
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *result = NULL;

  for (guint i = 0; result == NULL && i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        result = ADW_MESSAGE_DIALOG (window);
    }
  g_assert_nonnull (result);
  g_assert_cmpstr (adw_message_dialog_get_heading (result), ==, heading);
  while (!gtk_widget_get_mapped (GTK_WIDGET (result)))
    g_main_context_iteration (NULL, TRUE);
  screenshot (GTK_WIDGET (result), shot);
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
  show_and_wait (GTK_WINDOW (dialog));
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
  screenshot (GTK_WIDGET (dialog), "lock-dialog-mismatch.png");
  type_into (dialog, "confirm_entry", PASSWORD);
  g_assert_true (gtk_widget_is_sensitive (primary));
  g_assert_false (gtk_widget_get_visible (child (dialog, "new_hint")));
  screenshot (GTK_WIDGET (dialog), "lock-dialog-set.png");

  click (dialog, "primary_button");
  wait_until (&alive, TRUE, 10000);
  close_result ("Configuration Locked", "lock-dialog-result.png");

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
  show_and_wait (GTK_WINDOW (prompt));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (prompt, "stack"))), ==,
                   "current");
  g_assert_false (gtk_widget_is_sensitive (child (prompt, "primary_button")));
  screenshot (GTK_WIDGET (prompt), "unlock-prompt.png");

  /* A wrong password: the prompt stays, says so, and nothing is called back. */
  type_into (prompt, "current_entry", "line 3 stays locked");
  click (prompt, "primary_button");
  g_assert_nonnull (alive);
  g_assert_cmpuint (result.calls, ==, 0);
  g_assert_true (gtk_widget_get_visible (child (prompt, "current_error")));
  screenshot (GTK_WIDGET (prompt), "unlock-prompt-wrong.png");

  /* Typing again clears the complaint; the right password opens. */
  type_into (prompt, "current_entry", PASSWORD);
  g_assert_false (gtk_widget_get_visible (child (prompt, "current_error")));
  click (prompt, "primary_button");
  wait_until (&alive, TRUE, 5000);
  g_assert_cmpuint (result.calls, ==, 1);
  g_assert_true (result.unlocked);

  /* Closed without a password: called back once, with FALSE. */
  result = (UnlockResult) { 0 };
  prompt = kvmrt_lock_dialog_new_unlock (fx.parent, config, on_unlocked_cb, &result);
  alive = prompt;
  g_object_add_weak_pointer (G_OBJECT (prompt), &alive);
  show_and_wait (GTK_WINDOW (prompt));
  gtk_window_close (GTK_WINDOW (prompt));
  wait_until (&alive, TRUE, 5000);
  g_assert_cmpuint (result.calls, ==, 1);
  g_assert_false (result.unlocked);
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
  show_and_wait (GTK_WINDOW (dialog));

  /* A lock is set: the current password comes first. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "current");
  screenshot (GTK_WIDGET (dialog), "lock-dialog-current.png");
  type_into (dialog, "current_entry", "guess");
  click (dialog, "primary_button");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "current");
  g_assert_true (gtk_widget_get_visible (child (dialog, "current_error")));
  type_into (dialog, "current_entry", PASSWORD);
  click (dialog, "primary_button");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "new");
  g_assert_true (gtk_widget_get_visible (child (dialog, "remove_button")));
  screenshot (GTK_WIDGET (dialog), "lock-dialog-change.png");

  click (dialog, "remove_button");
  wait_until (&alive, TRUE, 10000);
  close_result ("Lock Removed", "lock-dialog-removed.png");

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

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *demo = NULL;
  g_autofree char *node = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *host = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;   /* meson reads the TAP plan, not exit status 77 */
    }
  adw_init ();

  demo = g_test_build_filename (G_TEST_DIST, "..", "data", "demo", "kvmrt.cfg", NULL);
  node = g_test_build_filename (G_TEST_DIST, "..", "data", "demo", "libvirt-node.xml", NULL);
  uri = g_strdup_printf ("test://%s", node);
  host = g_build_filename (g_getenv ("KVMRT_TEST_HOSTS_DIR"), "m12swa-tf", NULL);
  fx.dir = g_dir_make_tmp ("kvmrt-lock-dialog-XXXXXX", &error);
  g_assert_no_error (error);
  fx.path = g_build_filename (fx.dir, "kvmrt.cfg", NULL);
  g_assert_true (g_file_get_contents (demo, &fx.original, NULL, NULL));
  g_assert_true (g_file_set_contents (fx.path, fx.original, -1, NULL));

  fx.manager = kvmrt_manager_new (host, uri, &error);
  g_assert_no_error (error);
  g_assert_true (kvmrt_manager_open_config (fx.manager, fx.path, &error));
  g_assert_no_error (error);
  fx.parent = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (fx.parent, 900, 600);
  show_and_wait (fx.parent);

  g_test_add_func ("/lock-dialog/set-lock", test_set_lock);
  g_test_add_func ("/lock-dialog/unlock-prompt", test_unlock_prompt);
  g_test_add_func ("/lock-dialog/change-and-remove", test_change_and_remove);
  status = g_test_run ();

  gtk_window_destroy (fx.parent);
  g_clear_object (&fx.manager);
  remove_tree (fx.dir);
  g_free (fx.dir);
  g_free (fx.path);
  g_free (fx.original);
  return status;
}
