/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opening a VM's serial console. The console window and VTE live in libkvmrt-console.so,
 * loaded when the first console opens: VTE alone takes about 8 ms to load, which every start
 * of the window would otherwise pay before its first frame. */
#pragma once

#include <adwaita.h>

#include "kvmrt-manager.h"

G_BEGIN_DECLS

/* Presents @vm's console window over @parent, making it when there is none; FALSE with
 * @error when the console module cannot be loaded. */
gboolean kvmrt_console_open (GtkWindow     *parent,
                             KvmrtManager  *manager,
                             KvmrtVm       *vm,
                             GError       **error);

/* What the module exports (kvmrt-console-module.c): the same, once it is loaded. Its other
 * symbols are the application's, from libkvmrt-app.so, which it links to. */
typedef void (*KvmrtConsoleModuleOpenFunc) (GtkWindow    *parent,
                                            KvmrtManager *manager,
                                            KvmrtVm      *vm);
#define KVMRT_CONSOLE_MODULE_NAME "libkvmrt-console.so"
#define KVMRT_CONSOLE_MODULE_OPEN "kvmrt_console_module_open"

G_END_DECLS
