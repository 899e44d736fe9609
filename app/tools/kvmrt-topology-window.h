/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtTopologyWindow: the Host Hardware Topology viewer of the Tools menu. The host of a
 * window's manager drawn with every CPU and device coloured by its owner, a side pane with
 * the selected item's details and each owner's CPUs and devices, a View menu (I/O, caches,
 * offline CPUs, zoom) and export to PNG and SVG. It reads the host again whenever a VM
 * boots, stops or is retuned. */
#pragma once

#include <adwaita.h>

#include "kvmrt-manager.h"
#include "kvmrt-topology-view.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_TOPOLOGY_WINDOW (kvmrt_topology_window_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtTopologyWindow, kvmrt_topology_window, KVMRT, TOPOLOGY_WINDOW,
                      AdwWindow)

KvmrtTopologyWindow *kvmrt_topology_window_new         (GtkApplication *app,
                                                        KvmrtManager   *manager);
KvmrtManager        *kvmrt_topology_window_get_manager (KvmrtTopologyWindow *self);
KvmrtTopologyView   *kvmrt_topology_window_get_view    (KvmrtTopologyWindow *self);
/* How many times the drawing was given a new host and owners (tests wait on it). */
guint                kvmrt_topology_window_get_updates (KvmrtTopologyWindow *self);

G_END_DECLS
