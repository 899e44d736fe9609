/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-a11y.h"
#include "kvmrt-console-window.h"

#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <vte/vte.h>

#include "kvmrt-graphical-console.h"

typedef enum {
  CONSOLE_WAITING,     /* the VM is not running: connect when it starts */
  CONSOLE_CONNECTED,
  CONSOLE_CLOSED,      /* the console closed while the VM runs (another client took it) */
  CONSOLE_BUSY,        /* another client holds the console: Reconnect takes it over */
  CONSOLE_FAILED,      /* no libvirt, no domain, no console: retried when the VM starts */
} ConsoleState;

struct _KvmrtConsoleWindow
{
  AdwWindow        parent_instance;

  /* Template widgets */
  AdwWindowTitle  *window_title;
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  AdwStatusPage   *status_page;
  GtkButton       *take_over_button;
  VteTerminal     *terminal;

  /* Owned */
  KvmrtManager    *manager;
  KvmrtVm         *vm;
  char            *uuid;
  virStreamPtr     stream;        /* the open console, or NULL */
  GByteArray      *pending;       /* typed but not sent yet */
  ConsoleState     state;
  gboolean         was_running;
  gboolean         ever_connected;
};

G_DEFINE_FINAL_TYPE (KvmrtConsoleWindow, kvmrt_console_window, ADW_TYPE_WINDOW)

static void connect_console (KvmrtConsoleWindow *self);

static void
update_title (KvmrtConsoleWindow *self)
{
  g_autofree char *title = g_strdup_printf (_("Console — %s"), kvmrt_vm_get_display_title (self->vm));
  g_autofree char *label = g_strdup_printf (_("Serial console of %s"), kvmrt_vm_get_display_title (self->vm));

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->terminal),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* The header's subtitle, and what fills the window: the terminal once it has been
 * connected and nothing needs explaining, else a status page. */
static void
show_state (KvmrtConsoleWindow *self,
            ConsoleState        state,
            const char         *subtitle,
            const char         *page_title,
            const char         *page_description)
{
  self->state = state;
  adw_window_title_set_subtitle (self->window_title, subtitle);
  vte_terminal_set_input_enabled (self->terminal, state == CONSOLE_CONNECTED);
  gtk_widget_set_visible (GTK_WIDGET (self->take_over_button),
                          state == CONSOLE_BUSY || state == CONSOLE_CLOSED);
  if (page_title == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "terminal");
      return;
    }
  adw_status_page_set_icon_name (self->status_page,
                                 state == CONSOLE_FAILED ? "dialog-warning-symbolic"
                                                         : "utilities-terminal-symbolic");
  adw_status_page_set_title (self->status_page, page_title);
  adw_status_page_set_description (self->status_page, page_description);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

static void
show_waiting (KvmrtConsoleWindow *self)
{
  const char *name = kvmrt_vm_get_display_title (self->vm);
  g_autofree char *subtitle = NULL;
  g_autofree char *title = g_strdup_printf (_("%s Is Not Running"), name);

  if (self->ever_connected)
    subtitle = g_strdup_printf (_("Disconnected: %s stopped. Waiting for it to start…"), name);
  else
    subtitle = g_strdup_printf (_("Waiting for %s to start…"), name);
  /* After a session, the terminal keeps what the VM wrote last. */
  show_state (self, CONSOLE_WAITING, subtitle, self->ever_connected ? NULL : title,
              _("The serial console connects as soon as the VM starts."));
}

/* Ends our console session: finished after EOF, aborted otherwise. */
static void
close_stream (KvmrtConsoleWindow *self, gboolean eof)
{
  g_byte_array_set_size (self->pending, 0);
  if (self->stream == NULL)
    return;
  virStreamEventRemoveCallback (self->stream);
  if (eof)
    virStreamFinish (self->stream);
  else
    virStreamAbort (self->stream);
  virStreamFree (self->stream);
  self->stream = NULL;
}

static GVirDomain *
lookup_domain (KvmrtConsoleWindow *self)
{
  KvmrtLibvirt *libvirt = kvmrt_manager_get_libvirt (self->manager);

  return libvirt != NULL ? kvmrt_libvirt_lookup_uuid (libvirt, self->uuid) : NULL;
}

/* The console ended (EOF, or an error): either the VM stopped, or someone else took the
 * console over while it runs. */
static void
on_console_ended (KvmrtConsoleWindow *self, gboolean eof)
{
  GVirDomain *domain = lookup_domain (self);

  close_stream (self, eof);
  if (domain == NULL || !kvmrt_libvirt_is_active (domain))
    {
      show_waiting (self);
      return;
    }
  show_state (self, CONSOLE_CLOSED, _("Disconnected: the console was closed"),
              _("Console Closed"),
              _("The VM still runs, but its serial console was closed, most likely because "
                "another program (virsh console, virt-manager) opened it. Taking it over "
                "disconnects that program."));
}

/* Which stream events we want: always input, and room for output while some waits. */
static void
update_events (KvmrtConsoleWindow *self)
{
  int events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

  if (self->pending->len > 0)
    events |= VIR_STREAM_EVENT_WRITABLE;
  virStreamEventUpdateCallback (self->stream, events);
}

/* Sends what was typed, as far as the stream takes it now. FALSE when the stream failed. */
static gboolean
flush_pending (KvmrtConsoleWindow *self)
{
  while (self->pending->len > 0)
    {
      int n = virStreamSend (self->stream, (const char *) self->pending->data,
                             self->pending->len);

      if (n == -2)
        break;
      if (n < 0)
        return FALSE;
      g_byte_array_remove_range (self->pending, 0, n);
    }
  update_events (self);
  return TRUE;
}

/* Called from GLib's main loop (libvirt's event loop runs on it). */
static void
on_stream_event_cb (virStreamPtr stream, int events, void *data)
{
  KvmrtConsoleWindow *self = KVMRT_CONSOLE_WINDOW (data);
  char buffer[4096];

  if ((events & VIR_STREAM_EVENT_WRITABLE) && !flush_pending (self))
    {
      on_console_ended (self, FALSE);
      return;
    }
  if (events & (VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR))
    for (;;)
      {
        int n = virStreamRecv (stream, buffer, sizeof buffer);

        if (n > 0)
          vte_terminal_feed (self->terminal, buffer, n);
        else if (n == -2)
          break;
        else
          {
            on_console_ended (self, n == 0);
            return;
          }
      }
}

static void
on_terminal_commit_cb (VteTerminal        *terminal,
                       const char         *text,
                       guint               size,
                       KvmrtConsoleWindow *self)
{
  if (self->stream == NULL)
    return;
  g_byte_array_append (self->pending, (const guint8 *) text, size);
  if (!flush_pending (self))
    on_console_ended (self, FALSE);
}

/* Opens the VM's first console, or explains why not. @force takes it from another client.
 * Over libvirt's own stream API: a GVirStream reports a critical when it is released
 * without having reached EOF. */
static void
open_console (KvmrtConsoleWindow *self, GVirDomain *domain, gboolean force)
{
  KvmrtLibvirt *libvirt = kvmrt_manager_get_libvirt (self->manager);
  virConnectPtr connection = NULL;
  virDomainPtr handle = NULL;
  virStreamPtr stream;
  virErrorPtr error = NULL;
  const char *name = kvmrt_vm_get_display_title (self->vm);

  g_object_get (kvmrt_libvirt_get_connection (libvirt), "handle", &connection, NULL);
  g_object_get (domain, "handle", &handle, NULL);
  stream = virStreamNew (connection, VIR_STREAM_NONBLOCK);
  if (stream == NULL
      || virDomainOpenConsole (handle, NULL, stream, force ? VIR_DOMAIN_CONSOLE_FORCE : 0) < 0
      || virStreamEventAddCallback (stream, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR
                                              | VIR_STREAM_EVENT_HANGUP,
                                    on_stream_event_cb, self, NULL) < 0)
    error = virSaveLastError ();
  virDomainFree (handle);
  virConnectClose (connection);

  if (error != NULL)
    {
      const char *detail = error->message != NULL ? error->message : _("unknown error");
      g_autofree char *description = NULL;

      if (stream != NULL)
        {
          virStreamAbort (stream);
          virStreamFree (stream);
        }
      if (strstr (detail, "Active console session") != NULL)
        {
          description = g_strdup_printf (_("Another program (virsh console, virt-manager or "
                                           "a second kvmrt) has the serial console of %s "
                                           "open. Taking it over disconnects that program."),
                                         name);
          show_state (self, CONSOLE_BUSY, _("Disconnected: the console is in use"),
                      _("Console in Use"), description);
        }
      else
        {
          if (error->code == VIR_ERR_NO_SUPPORT)
            description = g_strdup_printf (_("The libvirt driver of %s (%s) offers no serial "
                                             "consoles."),
                                           name, kvmrt_libvirt_get_uri (libvirt));
          else
            description = g_strdup_printf (_("libvirt could not open the serial console of "
                                             "%s: %s. The VM needs a <serial type='pty'/> "
                                             "device for this window."),
                                           name, detail);
          show_state (self, CONSOLE_FAILED, _("Disconnected: no serial console"),
                      _("No Serial Console"), description);
        }
      virFreeError (error);
      return;
    }
  self->stream = stream;
  self->ever_connected = TRUE;
  show_state (self, CONSOLE_CONNECTED, _("Connected"), NULL, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

/* Connects if the VM runs; otherwise says what the window waits for. */
static void
connect_console (KvmrtConsoleWindow *self)
{
  gboolean force = self->state == CONSOLE_BUSY || self->state == CONSOLE_CLOSED;
  const GError *libvirt_error = kvmrt_manager_get_libvirt_error (self->manager);
  const char *name = kvmrt_vm_get_display_title (self->vm);
  GVirDomain *domain;

  close_stream (self, FALSE);
  if (kvmrt_manager_get_libvirt (self->manager) == NULL)
    {
      show_state (self, CONSOLE_FAILED, _("Disconnected: libvirt cannot be reached"),
                  _("No Connection to libvirt"),
                  libvirt_error != NULL ? libvirt_error->message : NULL);
      return;
    }
  if ((domain = lookup_domain (self)) == NULL)
    {
      g_autofree char *description =
        g_strdup_printf (_("libvirt has no domain with the UUID of %s (%s). Write the "
                           "configuration into libvirt first."), name, self->uuid);

      show_state (self, CONSOLE_FAILED, _("Disconnected: not in libvirt"),
                  _("Not in libvirt"), description);
      return;
    }
  self->was_running = kvmrt_libvirt_is_active (domain);
  if (!self->was_running)
    {
      show_waiting (self);
      return;
    }
  open_console (self, domain, force);
}

static void
on_manager_status_changed_cb (KvmrtManager       *manager,
                              KvmrtVm            *vm,
                              KvmrtConsoleWindow *self)
{
  const KvmrtVmStatus *status;
  gboolean started;

  if (!g_str_equal (kvmrt_vm_get_uuid (vm), self->uuid))
    return;
  /* After Apply the configuration (and its VM objects) are new ones. */
  g_set_object (&self->vm, vm);
  update_title (self);
  if ((status = kvmrt_manager_get_status (manager, vm)) == NULL)
    return;
  started = status->running && !self->was_running;
  self->was_running = status->running;
  if (status->running && (started || self->state == CONSOLE_WAITING))
    connect_console (self);
  else if (!status->running && self->state != CONSOLE_WAITING && status->defined)
    {
      close_stream (self, FALSE);
      show_waiting (self);
    }
}

static void
reconnect_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  connect_console (KVMRT_CONSOLE_WINDOW (widget));
}

static void
graphical_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  KvmrtConsoleWindow *self = KVMRT_CONSOLE_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!kvmrt_open_graphical_console (self->manager, self->vm, &error))
    {
      AdwToast *toast = adw_toast_new (error->message);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
}

static void
kvmrt_console_window_dispose (GObject *object)
{
  KvmrtConsoleWindow *self = KVMRT_CONSOLE_WINDOW (object);

  close_stream (self, FALSE);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_CONSOLE_WINDOW);
  G_OBJECT_CLASS (kvmrt_console_window_parent_class)->dispose (object);
}

static void
kvmrt_console_window_finalize (GObject *object)
{
  KvmrtConsoleWindow *self = KVMRT_CONSOLE_WINDOW (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->vm);
  g_clear_pointer (&self->pending, g_byte_array_unref);
  g_free (self->uuid);
  G_OBJECT_CLASS (kvmrt_console_window_parent_class)->finalize (object);
}

static void
kvmrt_console_window_class_init (KvmrtConsoleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kvmrt_console_window_dispose;
  object_class->finalize = kvmrt_console_window_finalize;

  g_type_ensure (VTE_TYPE_TERMINAL);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-console-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtConsoleWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConsoleWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConsoleWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConsoleWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConsoleWindow, take_over_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtConsoleWindow, terminal);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_commit_cb);

  gtk_widget_class_install_action (widget_class, "console.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "console.graphical", NULL, graphical_action);
}

static void
kvmrt_console_window_init (KvmrtConsoleWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  kvmrt_a11y_name_buttons (GTK_WIDGET (self));
  self->pending = g_byte_array_new ();
}

KvmrtConsoleWindow *
kvmrt_console_window_new (GtkApplication *app, KvmrtManager *manager, KvmrtVm *vm)
{
  KvmrtConsoleWindow *self;

  g_return_val_if_fail (KVMRT_IS_MANAGER (manager), NULL);
  g_return_val_if_fail (KVMRT_IS_VM (vm), NULL);

  self = g_object_new (KVMRT_TYPE_CONSOLE_WINDOW, "application", app, NULL);
  self->manager = g_object_ref (manager);
  self->vm = g_object_ref (vm);
  self->uuid = g_strdup (kvmrt_vm_get_uuid (vm));
  update_title (self);
  g_signal_connect (manager, "status-changed", G_CALLBACK (on_manager_status_changed_cb), self);
  connect_console (self);
  return self;
}

const char *
kvmrt_console_window_get_uuid (KvmrtConsoleWindow *self)
{
  g_return_val_if_fail (KVMRT_IS_CONSOLE_WINDOW (self), NULL);

  return self->uuid;
}
