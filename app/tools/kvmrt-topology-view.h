/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtTopologyView: the host drawn the way lstopo draws it (machine, packages, NUMA nodes
 * with their memory, level-3 caches, cores, CPUs, and each node's PCI devices below its
 * cores), every CPU and device filled with the colour of its owner, with a legend. Drawn with
 * cairo and pango, so the same drawing goes to the screen, a PNG and an SVG file. Hovering
 * shows an item's details as a tooltip; a click selects it ("notify::selection"). The
 * configuration's findings mark what they name. */
#pragma once

#include <gtk/gtk.h>

#include "kvmrt-diagnostic-index.h"
#include "kvmrt-ownership.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_TOPOLOGY_EXPORT_PNG,
  KVMRT_TOPOLOGY_EXPORT_SVG,
} KvmrtTopologyExportFormat;

#define KVMRT_TYPE_TOPOLOGY_VIEW (kvmrt_topology_view_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtTopologyView, kvmrt_topology_view, KVMRT, TOPOLOGY_VIEW, GtkWidget)

GtkWidget  *kvmrt_topology_view_new           (void);
/* What to draw; @ownership and @findings must stay alive until the next call (either may
 * be NULL). Each CPU, device and NUMA node a finding names gets a corner flag (red for an
 * error, amber for a warning), and its details list the findings. */
void        kvmrt_topology_view_set_host      (KvmrtTopologyView    *self,
                                               KvmrtHost            *host,
                                               KvmrtOwnership       *ownership,
                                               KvmrtDiagnosticIndex *findings);
void        kvmrt_topology_view_set_show_io      (KvmrtTopologyView *self, gboolean show);
void        kvmrt_topology_view_set_show_caches  (KvmrtTopologyView *self, gboolean show);
void        kvmrt_topology_view_set_show_offline (KvmrtTopologyView *self, gboolean show);
/* 1.0 is natural size. */
void        kvmrt_topology_view_set_zoom      (KvmrtTopologyView *self, double zoom);
double      kvmrt_topology_view_get_zoom      (KvmrtTopologyView *self);
/* The drawing's size at zoom 1. */
void        kvmrt_topology_view_get_natural_size (KvmrtTopologyView *self,
                                                  int               *width,
                                                  int               *height);
/* Selects CPU @cpu (e.g. "16") or the PCI device at an address ("0000:21:00.1" or "21:00.1");
 * FALSE when the drawing has no such item. */
gboolean    kvmrt_topology_view_select        (KvmrtTopologyView *self, const char *what);
/* Details of the selected item (several lines), or NULL when nothing is selected. */
char       *kvmrt_topology_view_describe_selection (KvmrtTopologyView *self);
/* Where CPU @cpu is drawn, at zoom 1; FALSE when it is not drawn. */
gboolean    kvmrt_topology_view_get_cpu_area  (KvmrtTopologyView *self,
                                               guint              cpu,
                                               graphene_rect_t   *area);
/* The fill colour the drawing uses for @kind. */
void        kvmrt_topology_owner_color        (KvmrtOwnerKind kind,
                                               GdkRGBA       *color);
/* Writes the whole drawing at zoom 1 to @path. */
gboolean    kvmrt_topology_view_export        (KvmrtTopologyView          *self,
                                               const char                 *path,
                                               KvmrtTopologyExportFormat   format,
                                               GError                    **error);

G_END_DECLS
