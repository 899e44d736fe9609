/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtLoadCell: a CPU's load in the CPU Status viewer, a thin bar and "42 %", drawn at a fixed
 * size. A new value only redraws the cell: a label would lay its row out again every second
 * for every visible CPU. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KVMRT_TYPE_LOAD_CELL (kvmrt_load_cell_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtLoadCell, kvmrt_load_cell, KVMRT, LOAD_CELL, GtkWidget)

/* 0..1, or below 0 when unknown (nothing is drawn). */
void   kvmrt_load_cell_set_load (KvmrtLoadCell *self, double load);
double kvmrt_load_cell_get_load (KvmrtLoadCell *self);

G_END_DECLS
