/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtIrqWindow: the Host Interrupt Count viewer of the Tools menu. Every IRQ of the window's
 * host by every CPU as a heat map of rates (or counts since reset), refreshed every second
 * until paused, sortable; an interrupt that fires on a shielded CPU and is not the real-time
 * VM's own device is framed in red and listed above the map. */
#pragma once

#include <adwaita.h>

#include "kvmrt-irq-heat-map.h"
#include "kvmrt-manager.h"
#include "kvmrt-tools-feed.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_IRQ_WINDOW (kvmrt_irq_window_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtIrqWindow, kvmrt_irq_window, KVMRT, IRQ_WINDOW, AdwWindow)

KvmrtIrqWindow  *kvmrt_irq_window_new          (GtkApplication *app,
                                                KvmrtManager   *manager);
KvmrtManager    *kvmrt_irq_window_get_manager  (KvmrtIrqWindow *self);
KvmrtIrqHeatMap *kvmrt_irq_window_get_heat_map (KvmrtIrqWindow *self);
/* Brings the map up to date with the feed's newest samples now (the benchmark times it);
 * returns how many samples were shown so far. */
guint            kvmrt_irq_window_update       (KvmrtIrqWindow *self);
guint            kvmrt_irq_window_get_updates  (KvmrtIrqWindow *self);

/* The feed the window shows (the benchmark drives it). */
KvmrtToolsFeed       *kvmrt_irq_window_get_feed (KvmrtIrqWindow *self);

G_END_DECLS
