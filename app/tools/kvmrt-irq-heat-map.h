/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtIrqHeatMap: IRQs (rows, with name and device) by CPUs (columns, grouped by NUMA node)
 * as a heat map: the hotter the cell, the more that IRQ fired there. Columns of shielded CPUs
 * have a tinted header; a cell whose IRQ fired on a shielded CPU without being the VM's own
 * device has a red frame, and its row name turns red. Only the visible cells are drawn (the
 * map sits in a GtkViewport), with the row names and CPU headers kept in view. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the map shows; the window fills it from samples. */
typedef struct {
  guint      n_rows;
  guint      n_columns;
  char     **row_names;     /* n_rows: "24  ixgbe (0000:21:00.0)" */
  guint     *column_cpus;   /* n_columns */
  int       *column_nodes;  /* n_columns */
  gboolean  *column_shielded;
  double    *values;        /* n_rows * n_columns, row-major: the figure shown */
  gboolean  *marks;         /* n_rows * n_columns: fired on a shielded CPU, not the VM's */
  double     max_value;     /* for the colour scale; 0 draws everything cold */
  char      *unit;          /* "/s" for rates, "" for counts */
} KvmrtIrqHeatMapData;

void kvmrt_irq_heat_map_data_free (KvmrtIrqHeatMapData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtIrqHeatMapData, kvmrt_irq_heat_map_data_free)

#define KVMRT_TYPE_IRQ_HEAT_MAP (kvmrt_irq_heat_map_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtIrqHeatMap, kvmrt_irq_heat_map, KVMRT, IRQ_HEAT_MAP, GtkWidget)

GtkWidget *kvmrt_irq_heat_map_new      (void);
/* Takes @data. */
void       kvmrt_irq_heat_map_set_data (KvmrtIrqHeatMap     *self,
                                        KvmrtIrqHeatMapData *data);
const KvmrtIrqHeatMapData *kvmrt_irq_heat_map_get_data (KvmrtIrqHeatMap *self);

G_END_DECLS
