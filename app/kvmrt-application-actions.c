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

/* The guide as HTML: the build tree's when run from it, else the installed one; NULL when
 * neither is there. */
static char *
find_html_guide (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  g_autofree char *build_root = dir != NULL ? g_path_get_dirname (dir) : NULL;
  g_autofree char *built = g_build_filename (KVMRT_BUILD_HTML_GUIDE_DIR, "index.html", NULL);
  g_autofree char *installed = g_build_filename (KVMRT_HTML_GUIDE_DIR, "index.html", NULL);

  if (build_root != NULL && g_str_has_prefix (built, build_root)
      && g_file_test (built, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&built);
  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&installed);
  return NULL;
}

/* One request for the guide: where to open it, kept until the last fallback is tried. */
typedef struct {
  GtkWindow *window;    /* owned, may be NULL */
  char      *page;      /* NULL: the guide's first page */
  char      *section;   /* may be NULL */
} HelpRequest;

static void
help_request_free (HelpRequest *request)
{
  g_clear_object (&request->window);
  g_free (request->page);
  g_free (request->section);
  g_free (request);
}

static void
on_html_guide_shown_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  HelpRequest *request = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  if (gtk_show_uri_full_finish (request->window, result, &error)
      || !KVMRT_IS_WINDOW (request->window))
    {
      help_request_free (request);
      return;
    }
  /* No browser either: the exact file to open. */
  path = find_html_guide ();
  text = g_strdup_printf (_("No help viewer or web browser could open the user's guide. "
                            "Open %s in a web browser, or install yelp."), path);
  kvmrt_window_show_toast (KVMRT_WINDOW (request->window), text);
  help_request_free (request);
}

static void
on_help_shown_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  HelpRequest *request = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *page = NULL;
  g_autofree char *uri = NULL;

  if (gtk_show_uri_full_finish (request->window, result, &error)
      || !KVMRT_IS_WINDOW (request->window))
    {
      help_request_free (request);
      return;
    }
  /* No help viewer (yelp): the HTML guide in the web browser, at the same page and section. */
  if ((html = find_html_guide ()) == NULL)
    {
      kvmrt_window_show_toast (KVMRT_WINDOW (request->window),
                               _("The user's guide needs a help viewer: install yelp "
                                 "(apt-get install yelp), or read README.md"));
      help_request_free (request);
      return;
    }
  dir = g_path_get_dirname (html);
  page = request->page != NULL ? g_strdup_printf ("%s/%s.html", dir, request->page)
                                : g_steal_pointer (&html);
  uri = g_filename_to_uri (page, NULL, NULL);
  if (uri != NULL && request->section != NULL)
    {
      char *with_section = g_strdup_printf ("%s#%s", uri, request->section);

      g_free (uri);
      uri = with_section;
    }
  gtk_show_uri_full (request->window, uri, GDK_CURRENT_TIME, NULL, on_html_guide_shown_cb,
                     request);
}

void
kvmrt_application_show_help (GtkWindow *window, const char *page, const char *section)
{
  HelpRequest *request = g_new0 (HelpRequest, 1);
  g_autofree char *uri = NULL;

  request->window = window != NULL ? g_object_ref (window) : NULL;
  request->page = g_strdup (page);
  request->section = g_strdup (section);
  if (page == NULL)
    uri = g_strdup ("help:kvmrt");
  else if (section == NULL)
    uri = g_strdup_printf ("help:kvmrt/%s", page);
  else
    uri = g_strdup_printf ("help:kvmrt/%s#%s", page, section);
  gtk_show_uri_full (window, uri, GDK_CURRENT_TIME, NULL, on_help_shown_cb, request);
}

static void
help_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  kvmrt_application_show_help (gtk_application_get_active_window (GTK_APPLICATION (data)),
                               NULL, NULL);
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
