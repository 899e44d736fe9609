/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtConsoleWindow: a VM's serial console in a terminal (VTE), over a libvirt stream. It
 * may be opened while the VM is shut off: it connects when the VM starts, and says so. */
#pragma once

#include <adwaita.h>

#include "kvmrt-manager.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_CONSOLE_WINDOW (kvmrt_console_window_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtConsoleWindow, kvmrt_console_window, KVMRT, CONSOLE_WINDOW,
                      AdwWindow)

KvmrtConsoleWindow *kvmrt_console_window_new     (GtkApplication *app,
                                                  KvmrtManager   *manager,
                                                  KvmrtVm        *vm);
const char         *kvmrt_console_window_get_uuid (KvmrtConsoleWindow *self);

G_END_DECLS
