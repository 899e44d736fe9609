/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtCpuStatusWindow: the Host CPU Status viewer of the Tools menu. A row per CPU of the
 * window's host: online, offline or shielded, the owning VM and vCPU, load, the IRQs and the
 * number of threads allowed on it, real-time CPUs tinted as in the resources list, and any
 * foreign work on a real-time CPU flagged with what it is and why it matters. Refreshes every
 * second (or as chosen) until paused; the View menu filters the rows. */
#pragma once

#include <adwaita.h>

#include "kvmrt-manager.h"
#include "kvmrt-tools-feed.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_CPU_STATUS_WINDOW (kvmrt_cpu_status_window_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtCpuStatusWindow, kvmrt_cpu_status_window, KVMRT, CPU_STATUS_WINDOW,
                      AdwWindow)

KvmrtCpuStatusWindow *kvmrt_cpu_status_window_new         (GtkApplication *app,
                                                           KvmrtManager   *manager);
KvmrtManager         *kvmrt_cpu_status_window_get_manager (KvmrtCpuStatusWindow *self);
/* The rows (KvmrtCpuStatusRow), all of them, in CPU order. */
GListModel           *kvmrt_cpu_status_window_get_rows    (KvmrtCpuStatusWindow *self);
/* Brings the rows up to date with the feed's newest sample now (the benchmark times it);
 * returns how many samples were shown so far. */
guint                 kvmrt_cpu_status_window_update      (KvmrtCpuStatusWindow *self);
guint                 kvmrt_cpu_status_window_get_updates (KvmrtCpuStatusWindow *self);

/* The feed the window shows (the benchmark drives it). */
KvmrtToolsFeed       *kvmrt_cpu_status_window_get_feed (KvmrtCpuStatusWindow *self);

G_END_DECLS
