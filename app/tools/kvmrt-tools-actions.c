/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-tools.h"

#include "kvmrt-cpu-status-window.h"
#include "kvmrt-irq-window.h"
#include "kvmrt-topology-window.h"
#include "kvmrt-window.h"

typedef struct {
  const char *action;
  GType     (*get_type) (void);
  GtkWindow *(*create) (GtkApplication *app, KvmrtManager *manager);
} Viewer;

static GtkWindow *
create_topology (GtkApplication *app, KvmrtManager *manager)
{
  return GTK_WINDOW (kvmrt_topology_window_new (app, manager));
}

static GtkWindow *
create_cpu_status (GtkApplication *app, KvmrtManager *manager)
{
  return GTK_WINDOW (kvmrt_cpu_status_window_new (app, manager));
}

static GtkWindow *
create_interrupts (GtkApplication *app, KvmrtManager *manager)
{
  return GTK_WINDOW (kvmrt_irq_window_new (app, manager));
}

static const Viewer viewers[] = {
  { "win.show-topology", kvmrt_topology_window_get_type, create_topology },
  { "win.show-cpu-status", kvmrt_cpu_status_window_get_type, create_cpu_status },
  { "win.show-interrupts", kvmrt_irq_window_get_type, create_interrupts },
};

/* A viewer of @type already open on @manager's host, or NULL: one of each per host. */
static GtkWindow *
find_viewer (GtkApplication *app, GType type, KvmrtManager *manager)
{
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    {
      KvmrtManager *shown = NULL;

      if (!G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
        continue;
      g_object_get (l->data, "manager", &shown, NULL);
      g_object_unref (shown);
      if (shown == manager)
        return l->data;
    }
  return NULL;
}

static void
viewer_activated (GtkWidget *widget, const char *action_name, GVariant *param)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (widget));
  KvmrtManager *manager = kvmrt_window_get_manager (KVMRT_WINDOW (widget));

  for (guint i = 0; i < G_N_ELEMENTS (viewers); i++)
    if (g_str_equal (action_name, viewers[i].action))
      {
        GtkWindow *window = find_viewer (app, viewers[i].get_type (), manager);

        if (window == NULL)
          window = viewers[i].create (app, manager);
        gtk_window_present (window);
      }
}

void
kvmrt_tools_class_install_actions (GtkWidgetClass *widget_class)
{
  for (guint i = 0; i < G_N_ELEMENTS (viewers); i++)
    gtk_widget_class_install_action (widget_class, viewers[i].action, NULL, viewer_activated);
}
