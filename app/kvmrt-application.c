/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtApplication: one process for every kvmrt window. A second `kvmrt` hands its command
 * line to the running one, which presents the window for the same host, libvirt URI and
 * configuration, or opens a new one. */
#include "config.h"

#include "kvmrt-application.h"

#include <glib/gi18n.h>
#include <libvirt-glib/libvirt-glib.h>

#include "kvmrt-demo.h"
#include "kvmrt-window.h"

struct _KvmrtApplication
{
  AdwApplication  parent_instance;
  GSettings      *settings;
  GPtrArray      *demo_dirs;   /* char*: private demo copies, removed at exit */
};

G_DEFINE_FINAL_TYPE (KvmrtApplication, kvmrt_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "config", 'f', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("The configuration file (default /etc/kvmrt.cfg, else the one opened last)"),
    N_("FILE") },
  { "connect", 'c', 0, G_OPTION_ARG_STRING, NULL,
    N_("libvirt URI (default $LIBVIRT_DEFAULT_URI or qemu:///system)"), N_("URI") },
  { "sysroot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Read and tune the host below DIR instead of / (also $KVMRT_SYSROOT)"), N_("DIR") },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the built-in demo host (Supermicro M12SWA-TF, four VMs) on libvirt's test "
       "driver; nothing on this machine changes"), NULL },
  { "import", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Import the libvirt VMs named after the options into the configuration and open it "
       "for editing (the hand-off from VM builders)"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, N_("[VM...]") },
  { NULL }
};

GSettings *
kvmrt_application_get_settings (KvmrtApplication *self)
{
  return self->settings;
}

/* Replaces *@slot with @value, which it takes. */
static void
replace_str (char **slot, char *value)
{
  g_free (*slot);
  *slot = value;
}

static KvmrtWindow *
find_window (KvmrtApplication *self, const char *sysroot, const char *uri, const char *config)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (KVMRT_IS_WINDOW (l->data) && kvmrt_window_matches (l->data, sysroot, uri, config))
      return l->data;
  return NULL;
}

/* The configuration to open when none is named: the system one, else the last one. */
static char *
default_config (KvmrtApplication *self)
{
  g_autofree char *last = self->settings != NULL
                            ? g_settings_get_string (self->settings, "last-config") : NULL;

  if (g_file_test (KVMRT_DEFAULT_CONFIG_PATH, G_FILE_TEST_EXISTS))
    return g_strdup (KVMRT_DEFAULT_CONFIG_PATH);
  if (last != NULL && *last != '\0' && g_file_test (last, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&last);
  return NULL;
}

static int
kvmrt_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  KvmrtApplication *self = KVMRT_APPLICATION (app);
  GVariantDict *dict = g_application_command_line_get_options_dict (cmdline);
  g_autofree char *config = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *sysroot = NULL;
  g_autofree char *demo_dir = NULL;
  g_auto(GStrv) vms = NULL;
  g_autoptr(GError) error = NULL;
  gboolean demo = FALSE, import = FALSE;
  KvmrtWindow *window;

  g_variant_dict_lookup (dict, "config", "^ay", &config);
  g_variant_dict_lookup (dict, "connect", "s", &uri);
  g_variant_dict_lookup (dict, "sysroot", "^ay", &sysroot);
  g_variant_dict_lookup (dict, "demo", "b", &demo);
  g_variant_dict_lookup (dict, "import", "b", &import);
  g_variant_dict_lookup (dict, G_OPTION_REMAINING, "^aay", &vms);

  if (vms != NULL && vms[0] != NULL && !import)
    {
      g_application_command_line_printerr (cmdline,
        _("kvmrt: unexpected argument '%s' (VM names go with --import)\n"), vms[0]);
      return 2;
    }
  /* Relative paths are the caller's, who may be another process in another directory. */
  if (config != NULL && !g_path_is_absolute (config))
    replace_str (&config, g_build_filename (g_application_command_line_get_cwd (cmdline), config,
                                          NULL));
  if (sysroot == NULL && g_application_command_line_getenv (cmdline, "KVMRT_SYSROOT") != NULL)
    sysroot = g_strdup (g_application_command_line_getenv (cmdline, "KVMRT_SYSROOT"));

  if (demo)
    {
      if ((demo_dir = kvmrt_demo_prepare (&error)) == NULL)
        {
          g_application_command_line_printerr (cmdline, "kvmrt: %s\n", error->message);
          return 2;
        }
      replace_str (&sysroot, kvmrt_demo_get_sysroot (demo_dir));
      replace_str (&uri, kvmrt_demo_get_uri (demo_dir));
      replace_str (&config, kvmrt_demo_get_config (demo_dir));
      g_ptr_array_add (self->demo_dirs, g_strdup (demo_dir));
    }
  if (uri == NULL && g_application_command_line_getenv (cmdline, "LIBVIRT_DEFAULT_URI"))
    uri = g_strdup (g_application_command_line_getenv (cmdline, "LIBVIRT_DEFAULT_URI"));
  if (config == NULL)
    config = default_config (self);

  window = find_window (self, sysroot, uri, config);
  if (window == NULL)
    {
      window = kvmrt_window_new (self, sysroot, uri, config, &error);
      if (window == NULL)
        {
          g_application_command_line_printerr (cmdline, "kvmrt: %s\n", error->message);
          return 2;
        }
    }
  gtk_window_present (GTK_WINDOW (window));
  if (import)
    kvmrt_window_import (window, (const char * const *) vms);
  return 0;
}

static int
kvmrt_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("kvmrt %s\n", KVMRT_VERSION);
      return 0;
    }
  return -1;
}

static void
kvmrt_application_startup (GApplication *app)
{
  KvmrtApplication *self = KVMRT_APPLICATION (app);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source != NULL
                                        ? g_settings_schema_source_lookup (source, KVMRT_APP_ID,
                                                                           TRUE)
                                        : NULL;
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (kvmrt_application_parent_class)->startup (app);

  /* libvirt's events (a VM started with virsh) arrive through GLib's main loop. */
  gvir_event_register ();
  if (schema != NULL)
    self->settings = g_settings_new (KVMRT_APP_ID);

  gtk_css_provider_load_from_resource (css, "/org/kvmrt/Kvmrt/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  kvmrt_application_install_actions (self);
}

static void
kvmrt_application_shutdown (GApplication *app)
{
  KvmrtApplication *self = KVMRT_APPLICATION (app);

  G_APPLICATION_CLASS (kvmrt_application_parent_class)->shutdown (app);
  for (guint i = 0; i < self->demo_dirs->len; i++)
    kvmrt_demo_remove (self->demo_dirs->pdata[i]);
}

static void
kvmrt_application_finalize (GObject *object)
{
  KvmrtApplication *self = KVMRT_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->demo_dirs, g_ptr_array_unref);
  G_OBJECT_CLASS (kvmrt_application_parent_class)->finalize (object);
}

static void
kvmrt_application_class_init (KvmrtApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = kvmrt_application_finalize;
  app_class->startup = kvmrt_application_startup;
  app_class->shutdown = kvmrt_application_shutdown;
  app_class->command_line = kvmrt_application_command_line;
  app_class->handle_local_options = kvmrt_application_handle_local_options;
}

static void
kvmrt_application_init (KvmrtApplication *self)
{
  self->demo_dirs = g_ptr_array_new_with_free_func (g_free);
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
    _("Manage the real-time and ordinary VMs of this host: their configuration, boot and "
      "shutdown, consoles and real-time tuning."));
}

KvmrtApplication *
kvmrt_application_new (void)
{
  return g_object_new (KVMRT_TYPE_APPLICATION,
                       "application-id", KVMRT_APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/org/kvmrt/Kvmrt",
                       NULL);
}
