/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A VM's graphical console, in virt-viewer. */
#pragma once

#include "kvmrt-manager.h"

G_BEGIN_DECLS

/* Starts virt-viewer on the VM's graphical console; FALSE with @error (naming the package
 * to install) when virt-viewer is not there. */
gboolean kvmrt_open_graphical_console (KvmrtManager  *manager,
                                       KvmrtVm       *vm,
                                       GError       **error);

G_END_DECLS
