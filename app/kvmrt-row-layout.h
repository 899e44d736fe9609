/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtRowLayout: lays a widget's children out in a row, as a horizontal GtkBoxLayout does,
 * for rows whose children wrap text (a dashboard card's drift line). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KVMRT_TYPE_ROW_LAYOUT (kvmrt_row_layout_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtRowLayout, kvmrt_row_layout, KVMRT, ROW_LAYOUT, GtkLayoutManager)

GtkLayoutManager *kvmrt_row_layout_new (int spacing);

G_END_DECLS
