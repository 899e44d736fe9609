/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The application's own actions and every keyboard shortcut. */
#include "config.h"

#include <glib/gi18n.h>

#include "kvmrt-application.h"
#include "kvmrt-window.h"

static void
about_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkApplication *app = GTK_APPLICATION (data);
  static const char *developers[] = { "The kvmrt developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("KVM-RT"),
                         "application-icon", KVMRT_APP_ID,
                         "developer-name", _("The kvmrt developers"),
                         "version", KVMRT_VERSION,
                         "website", "https://kvmrt.org",
                         "comments", _("Real-time and ordinary virtual machines side by side "
                                       "on one Linux host, over QEMU/KVM and libvirt."),
                         "license-type", GTK_LICENSE_GPL_2_0,
                         "copyright", "© 2026 The kvmrt developers",
                         "developers", developers,
                         NULL);
}

static void
on_help_shown_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GtkWindow) window = data;
  g_autoptr(GError) error = NULL;

  if (gtk_show_uri_full_finish (window, result, &error) || !KVMRT_IS_WINDOW (window))
    return;
  /* No help viewer (yelp) here: say where the guide is instead of doing nothing. */
  kvmrt_window_show_toast (KVMRT_WINDOW (window),
                           _("The user's guide needs a help viewer: install yelp "
                             "(apt-get install yelp), or read README.md"));
}

static void
help_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (data));

  gtk_show_uri_full (window, "help:kvmrt", GDK_CURRENT_TIME, NULL, on_help_shown_cb,
                     window != NULL ? g_object_ref (window) : NULL);
}

static void
quit_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  /* Each window asks about unapplied changes before it goes. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (data)); l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
}

static const GActionEntry app_actions[] = {
  { "about", about_activated },
  { "help", help_activated },
  { "quit", quit_activated },
};

static const struct {
  const char *action;
  const char *accels[3];
} shortcuts[] = {
  { "app.help", { "F1", NULL } },
  { "app.quit", { "<Control>q", NULL } },
  { "win.new-config", { "<Control>n", NULL } },
  { "win.open-config", { "<Control>o", NULL } },
  { "win.close-config", { "<Control>w", NULL } },
  { "win.edit-config", { "<Control>e", NULL } },
  { "win.lock-config", { "<Control>l", NULL } },
  { "win.resync-config", { "<Control>r", NULL } },
  { "win.boot-all", { "<Control><Shift>b", NULL } },
  { "win.shutdown-all", { "<Control><Shift>s", NULL } },
  { "win.open-all-consoles", { "<Control><Shift>t", NULL } },
  { "win.show-all-details", { "<Control><Shift>d", NULL } },
  { "win.show-shortcuts", { "<Control>question", NULL } },
  /* The Tools menu */
  { "win.show-topology", { "<Control><Shift>h", NULL } },
  { "win.show-cpu-status", { "<Control><Shift>p", NULL } },
  { "win.show-interrupts", { "<Control><Shift>i", NULL } },
};

void
kvmrt_application_install_actions (KvmrtApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), shortcuts[i].action,
                                           shortcuts[i].accels);
}
