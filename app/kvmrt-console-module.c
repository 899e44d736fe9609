/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The entry of libkvmrt-console.so: see kvmrt-console.h for why the console is a module. */
#include "config.h"

#include <gmodule.h>

#include "kvmrt-console.h"
#include "kvmrt-console-window.h"

G_MODULE_EXPORT void kvmrt_console_module_open (GtkWindow    *parent,
                                                KvmrtManager *manager,
                                                KvmrtVm      *vm);

void
kvmrt_console_module_open (GtkWindow *parent, KvmrtManager *manager, KvmrtVm *vm)
{
  GtkApplication *app = gtk_window_get_application (parent);
  GtkWindow *window = NULL;

  /* One console window per VM and dashboard. */
  for (GList *l = gtk_application_get_windows (app); l != NULL && window == NULL; l = l->next)
    if (KVMRT_IS_CONSOLE_WINDOW (l->data)
        && g_str_equal (kvmrt_console_window_get_uuid (l->data), kvmrt_vm_get_uuid (vm))
        && gtk_window_get_transient_for (l->data) == parent)
      window = l->data;
  if (window == NULL)
    {
      window = GTK_WINDOW (kvmrt_console_window_new (app, manager, vm));
      gtk_window_set_transient_for (window, parent);
    }
  gtk_window_present (window);
}
