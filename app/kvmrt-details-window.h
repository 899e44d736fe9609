/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtDetailsWindow: one VM's runtime details, updated while open: state, uptime, vCPU to
 * host CPU assignment, CPU usage, memory, the QEMU threads with their affinity and
 * scheduling policy, and whether its real-time tuning is in force (with what drifted). */
#pragma once

#include <adwaita.h>

#include "kvmrt-manager.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_DETAILS_WINDOW (kvmrt_details_window_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtDetailsWindow, kvmrt_details_window, KVMRT, DETAILS_WINDOW,
                      AdwWindow)

KvmrtDetailsWindow *kvmrt_details_window_new      (GtkApplication *app,
                                                   KvmrtManager   *manager,
                                                   KvmrtVm        *vm);
const char         *kvmrt_details_window_get_uuid (KvmrtDetailsWindow *self);

G_END_DECLS
