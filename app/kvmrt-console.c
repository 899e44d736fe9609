/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-console.h"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "kvmrt-module.h"

/* The module's entry, loaded on first use and kept: its types stay registered. */
static KvmrtConsoleModuleOpenFunc
load_console_module (GError **error)
{
  static KvmrtConsoleModuleOpenFunc open_func;
  g_autofree char *path = NULL;
  GModule *module;

  if (open_func != NULL)
    return open_func;
  path = kvmrt_module_path (KVMRT_CONSOLE_MODULE_NAME);
  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL
      || !g_module_symbol (module, KVMRT_CONSOLE_MODULE_OPEN, (gpointer *) &open_func))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The console cannot be loaded (%s): reinstall kvmrt"), g_module_error ());
      open_func = NULL;
      if (module != NULL)
        g_module_close (module);
      return NULL;
    }
  g_module_make_resident (module);
  return open_func;
}

gboolean
kvmrt_console_open (GtkWindow     *parent,
                    KvmrtManager  *manager,
                    KvmrtVm       *vm,
                    GError       **error)
{
  KvmrtConsoleModuleOpenFunc open_func = load_console_module (error);

  if (open_func == NULL)
    return FALSE;
  open_func (parent, manager, vm);
  return TRUE;
}
