/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-graphical-console.h"

#include <glib/gi18n.h>

gboolean
kvmrt_open_graphical_console (KvmrtManager *manager, KvmrtVm *vm, GError **error)
{
  g_autofree char *viewer = g_find_program_in_path ("virt-viewer");
  g_autoptr(GSubprocess) process = NULL;

  g_return_val_if_fail (KVMRT_IS_MANAGER (manager), FALSE);
  g_return_val_if_fail (KVMRT_IS_VM (vm), FALSE);

  if (viewer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The graphical console needs virt-viewer: install the Debian package "
                     "“virt-viewer”"));
      return FALSE;
    }
  /* --wait: a VM that is not running yet shows when it starts. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, error, viewer,
                              "--connect", kvmrt_manager_get_uri (manager),
                              "--wait", kvmrt_vm_get_uuid (vm), NULL);
  return process != NULL;
}
