/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtCpuStatusRow: one CPU of the Host CPU Status viewer as properties its column view
 * binds to. Updating a row notifies only what changed, so a refresh redraws only the cells
 * whose text moved. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  KVMRT_CPU_STATUS_CPU,
  KVMRT_CPU_STATUS_PLACE,       /* "node 2, core 16" */
  KVMRT_CPU_STATUS_STATE,       /* "online", "offline", "shielded" */
  KVMRT_CPU_STATUS_OWNER,       /* "Vision Inspection (RT)" or "Host" */
  KVMRT_CPU_STATUS_VCPU,        /* "3" or "" */
  KVMRT_CPU_STATUS_IRQS,        /* IRQs whose affinity includes the CPU */
  KVMRT_CPU_STATUS_TASKS,       /* tasks allowed on it */
  KVMRT_CPU_STATUS_FLAG,        /* what foreign work a real-time CPU has, and why it matters */
  KVMRT_CPU_STATUS_FINDINGS,    /* the configuration's errors and warnings that name the CPU */
  KVMRT_CPU_STATUS_N_TEXTS
} KvmrtCpuStatusText;

#define KVMRT_TYPE_CPU_STATUS_ROW (kvmrt_cpu_status_row_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtCpuStatusRow, kvmrt_cpu_status_row, KVMRT, CPU_STATUS_ROW, GObject)

KvmrtCpuStatusRow *kvmrt_cpu_status_row_new      (guint cpu);
guint              kvmrt_cpu_status_row_get_cpu  (KvmrtCpuStatusRow *self);
const char        *kvmrt_cpu_status_row_get_text (KvmrtCpuStatusRow *self,
                                                  KvmrtCpuStatusText which);
/* Takes @text; notifies only when it differs. */
void               kvmrt_cpu_status_row_take_text (KvmrtCpuStatusRow  *self,
                                                   KvmrtCpuStatusText  which,
                                                   char               *text);
/* Copies @text when it differs. */
void               kvmrt_cpu_status_row_set_text (KvmrtCpuStatusRow  *self,
                                                  KvmrtCpuStatusText  which,
                                                  const char         *text);
/* The load since the previous sample, 0..1, or -1 when unknown ("load-value"). */
void               kvmrt_cpu_status_row_set_load (KvmrtCpuStatusRow *self, double load);
/* Real-time CPUs are tinted, flagged ones marked (the "css-classes" property). */
void               kvmrt_cpu_status_row_set_marks (KvmrtCpuStatusRow *self,
                                                   gboolean           rt,
                                                   gboolean           flagged);
gboolean           kvmrt_cpu_status_row_get_rt      (KvmrtCpuStatusRow *self);
gboolean           kvmrt_cpu_status_row_get_flagged (KvmrtCpuStatusRow *self);
/* The VM owning the CPU (borrowed, for the one-VM filter), or NULL. */
void               kvmrt_cpu_status_row_set_vm   (KvmrtCpuStatusRow *self, gpointer vm);
gpointer           kvmrt_cpu_status_row_get_vm   (KvmrtCpuStatusRow *self);

G_END_DECLS
