/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtApplication: one process for every kvmrt window. A second `kvmrt` hands its command
 * line to the running one, which presents the window for the same host, libvirt URI and
 * configuration, or opens a new one. */
#include "config.h"

#include "kvmrt-application.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <libvirt-glib/libvirt-glib.h>
#include <string.h>

#include "kvmrt-demo.h"
#include "kvmrt-window.h"

struct _KvmrtApplication
{
  AdwApplication  parent_instance;
  GSettings      *settings;
  GPtrArray      *demo_dirs;   /* char*: private demo copies, removed at exit */
  guint           sigterm_id;
  guint           sigint_id;
  struct Prefetch *prefetch;   /* the first window's manager, being made */
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
default_config (GSettings *settings)
{
  g_autofree char *last = settings != NULL ? g_settings_get_string (settings, "last-config")
                                           : NULL;

  if (g_file_test (KVMRT_DEFAULT_CONFIG_PATH, G_FILE_TEST_EXISTS))
    return g_strdup (KVMRT_DEFAULT_CONFIG_PATH);
  if (last != NULL && *last != '\0' && g_file_test (last, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&last);
  return NULL;
}

/* What a command line asks for, with relative paths and the environment resolved. */
typedef struct {
  char     *config;
  char     *uri;
  char     *sysroot;
  gboolean  demo;
  gboolean  import;
  char    **vms;
} Target;

static void
target_clear (Target *target)
{
  g_free (target->config);
  g_free (target->uri);
  g_free (target->sysroot);
  g_strfreev (target->vms);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Target, target_clear)

/* @cwd and the variables are the caller's: it may be another process in another directory. */
static void
target_read (Target       *target,
             GVariantDict *dict,
             const char   *cwd,
             const char   *env_sysroot,
             const char   *env_uri)
{
  g_variant_dict_lookup (dict, "config", "^ay", &target->config);
  g_variant_dict_lookup (dict, "connect", "s", &target->uri);
  g_variant_dict_lookup (dict, "sysroot", "^ay", &target->sysroot);
  g_variant_dict_lookup (dict, "demo", "b", &target->demo);
  g_variant_dict_lookup (dict, "import", "b", &target->import);
  g_variant_dict_lookup (dict, G_OPTION_REMAINING, "^aay", &target->vms);

  if (target->config != NULL && !g_path_is_absolute (target->config))
    replace_str (&target->config, g_build_filename (cwd, target->config, NULL));
  if (target->sysroot == NULL && env_sysroot != NULL)
    target->sysroot = g_strdup (env_sysroot);
  if (target->uri == NULL && env_uri != NULL)
    target->uri = g_strdup (env_uri);
}

/* The manager for the host, URI and file asked for, made while GTK starts up (in
 * handle_local_options, on a thread of its own): reading the host and connecting to libvirt
 * then overlap with opening the display. */
struct Prefetch {
  Target        target;
  GThread      *thread;
  KvmrtManager *manager;
  GError       *error;
};
typedef struct Prefetch Prefetch;

static gpointer
prefetch_thread (gpointer data)
{
  Prefetch *prefetch = data;
  const char *config = prefetch->target.config;

  prefetch->manager = kvmrt_manager_new (prefetch->target.sysroot, prefetch->target.uri,
                                         &prefetch->error);
  if (prefetch->manager != NULL && config != NULL && g_file_test (config, G_FILE_TEST_EXISTS))
    kvmrt_manager_open_config_and_gather (prefetch->manager, config, NULL);
  return NULL;
}

static void
prefetch_free (Prefetch *prefetch)
{
  if (prefetch->thread != NULL)
    g_thread_join (prefetch->thread);
  g_clear_object (&prefetch->manager);
  g_clear_error (&prefetch->error);
  target_clear (&prefetch->target);
  g_free (prefetch);
}

/* The prefetched manager when it is for @target (the first window only), else NULL. */
static KvmrtManager *
take_prefetched (KvmrtApplication *self, const Target *target)
{
  Prefetch *prefetch = g_steal_pointer (&self->prefetch);
  KvmrtManager *manager = NULL;

  if (prefetch == NULL)
    return NULL;
  g_thread_join (g_steal_pointer (&prefetch->thread));
  if (g_strcmp0 (prefetch->target.sysroot, target->sysroot) == 0
      && g_strcmp0 (prefetch->target.uri, target->uri) == 0
      && g_strcmp0 (prefetch->target.config, target->config) == 0)
    manager = g_steal_pointer (&prefetch->manager);
  prefetch_free (prefetch);
  return manager;
}

static int
kvmrt_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  KvmrtApplication *self = KVMRT_APPLICATION (app);
  g_auto(Target) target = { 0 };
  g_autofree char *demo_dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtManager) manager = NULL;
  KvmrtWindow *window;

  target_read (&target, g_application_command_line_get_options_dict (cmdline),
               g_application_command_line_get_cwd (cmdline),
               g_application_command_line_getenv (cmdline, "KVMRT_SYSROOT"),
               g_application_command_line_getenv (cmdline, "LIBVIRT_DEFAULT_URI"));
  if (target.vms != NULL && target.vms[0] != NULL && !target.import)
    {
      g_application_command_line_printerr (cmdline,
        _("kvmrt: unexpected argument '%s' (VM names go with --import)\n"), target.vms[0]);
      return 2;
    }
  if (target.demo)
    {
      if ((demo_dir = kvmrt_demo_prepare (&error)) == NULL)
        {
          g_application_command_line_printerr (cmdline, "kvmrt: %s\n", error->message);
          return 2;
        }
      replace_str (&target.sysroot, kvmrt_demo_get_sysroot (demo_dir));
      replace_str (&target.uri, kvmrt_demo_get_uri (demo_dir));
      replace_str (&target.config, kvmrt_demo_get_config (demo_dir));
      g_ptr_array_add (self->demo_dirs, g_strdup (demo_dir));
    }
  if (target.config == NULL)
    target.config = default_config (self->settings);

  window = find_window (self, target.sysroot, target.uri, target.config);
  if (window == NULL)
    {
      manager = take_prefetched (self, &target);
      if (manager == NULL
          && (manager = kvmrt_manager_new (target.sysroot, target.uri, &error)) == NULL)
        {
          g_application_command_line_printerr (cmdline, "kvmrt: %s\n", error->message);
          return 2;
        }
      window = kvmrt_window_new (self, manager, target.config);
    }
  gtk_window_present (GTK_WINDOW (window));
  if (target.import)
    kvmrt_window_import (window, (const char * const *) target.vms);
  return 0;
}

/* Starts making the manager for @options on a thread, unless the command line asks for
 * something else first (the demo's private copy is made once the command line is known to
 * be ours). Returns NULL then. */
static Prefetch *
prefetch_start (GVariantDict *options)
{
  g_autofree char *cwd = g_get_current_dir ();
  Prefetch *prefetch = g_new0 (Prefetch, 1);

  target_read (&prefetch->target, options, cwd, g_getenv ("KVMRT_SYSROOT"),
               g_getenv ("LIBVIRT_DEFAULT_URI"));
  if (prefetch->target.demo || g_variant_dict_contains (options, "version"))
    {
      target_clear (&prefetch->target);
      g_free (prefetch);
      return NULL;
    }
  /* No settings yet (they come with startup): the last configuration is not known here. */
  if (prefetch->target.config == NULL)
    prefetch->target.config = default_config (NULL);
  /* libvirt's events must be on GLib's loop before the first connection opens. */
  gvir_event_register ();
  prefetch->thread = g_thread_new ("kvmrt-prefetch", prefetch_thread, prefetch);
  return prefetch;
}

/* Started by kvmrt_application_prefetch_early(), taken by the first handle_local_options. */
static Prefetch *early_prefetch;

/* The values of option_entries as GApplication would put them in its options dictionary,
 * or NULL when @argv does not parse. */
static GVariantDict *
parse_options (char **argv)
{
  enum { N = G_N_ELEMENTS (option_entries) - 1 };
  union { gboolean flag; char *str; char **strv; } values[N] = { 0 };
  GOptionEntry entries[N + 1];
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_auto(GStrv) args = g_strdupv (argv);
  gboolean parsed;
  GVariantDict *dict = g_variant_dict_new (NULL);

  memcpy (entries, option_entries, sizeof entries);
  for (int i = 0; i < N; i++)
    entries[i].arg_data = &values[i];
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_add_main_entries (context, entries, NULL);
  parsed = g_option_context_parse_strv (context, &args, NULL);
  for (int i = 0; i < N; i++)
    {
      const char *name = entries[i].long_name;

      switch (entries[i].arg)
        {
        case G_OPTION_ARG_NONE:
          if (parsed && values[i].flag)
            g_variant_dict_insert (dict, name, "b", TRUE);
          break;
        case G_OPTION_ARG_STRING:
        case G_OPTION_ARG_FILENAME:
          if (parsed && values[i].str != NULL)
            g_variant_dict_insert (dict, name,
                                   entries[i].arg == G_OPTION_ARG_STRING ? "s" : "^ay",
                                   values[i].str);
          g_free (values[i].str);
          break;
        case G_OPTION_ARG_FILENAME_ARRAY:
          if (parsed && values[i].strv != NULL)
            g_variant_dict_insert (dict, name, "^aay", values[i].strv);
          g_strfreev (values[i].strv);
          break;
        default:
          /* An option of another type is left out: a prefetch made without it is dropped
           * by take_prefetched() if it mattered. */
          break;
        }
    }
  if (!parsed)
    g_clear_pointer (&dict, g_variant_dict_unref);
  return dict;
}

void
kvmrt_application_prefetch_early (char **argv)
{
  g_autoptr(GVariantDict) options = parse_options (argv);

  g_return_if_fail (early_prefetch == NULL);
  if (options != NULL)
    early_prefetch = prefetch_start (options);
}

static int
kvmrt_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  KvmrtApplication *self = KVMRT_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("kvmrt %s\n", KVMRT_VERSION);
      return 0;
    }
  /* A prefetch that does not match the command line is dropped by take_prefetched(). */
  self->prefetch = early_prefetch != NULL ? g_steal_pointer (&early_prefetch)
                                          : prefetch_start (options);
  return -1;
}

static gboolean
on_quit_signal_cb (gpointer data)
{
  g_application_quit (G_APPLICATION (data));
  return G_SOURCE_CONTINUE;
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

  /* AdwApplication loads style.css from the resource base path itself. */
  G_APPLICATION_CLASS (kvmrt_application_parent_class)->startup (app);

  /* libvirt's events (a VM started with virsh) arrive through GLib's main loop. */
  gvir_event_register ();
  if (schema != NULL)
    self->settings = g_settings_new (KVMRT_APP_ID);

  kvmrt_application_install_actions (self);
  /* SIGTERM and SIGINT end the main loop like Quit, so shutdown still removes the demo's
   * private copies in /tmp. */
  self->sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal_cb, self);
  self->sigint_id = g_unix_signal_add (SIGINT, on_quit_signal_cb, self);
}

static void
kvmrt_application_shutdown (GApplication *app)
{
  KvmrtApplication *self = KVMRT_APPLICATION (app);

  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  G_APPLICATION_CLASS (kvmrt_application_parent_class)->shutdown (app);
  for (guint i = 0; i < self->demo_dirs->len; i++)
    kvmrt_demo_remove (self->demo_dirs->pdata[i]);
}

static void
kvmrt_application_finalize (GObject *object)
{
  KvmrtApplication *self = KVMRT_APPLICATION (object);

  /* A command line handed to another instance never took the prefetched manager. */
  if (self->prefetch != NULL)
    prefetch_free (g_steal_pointer (&self->prefetch));

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
