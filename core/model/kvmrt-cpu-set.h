/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CPUSET field type: a union of items, each a CPU or range ("0", "4-7"), or a NUMA node,
 * core, die or package number or range with an "n", "c", "d" or "p" prefix ("n1", "c2-5").
 * A "~" in front of the whole string inverts it ("~n0" is every CPU outside node 0).
 * The expression is kept as parsed; it becomes a set of CPUs only against a host. */
#pragma once

#include <glib-object.h>

#include "kvmrt-id-set.h"

G_BEGIN_DECLS

typedef struct _KvmrtHost KvmrtHost;

typedef enum {
  KVMRT_CPU_ITEM_CPU,
  KVMRT_CPU_ITEM_NODE,      /* "n": NUMA node os index, as in sys/devices/system/node/nodeN */
  KVMRT_CPU_ITEM_CORE,      /* "c": core number across the host, 0.. in topology order */
  KVMRT_CPU_ITEM_DIE,       /* "d": die number across the host, 0.. in topology order */
  KVMRT_CPU_ITEM_PACKAGE,   /* "p": package (socket) physical id */
  KVMRT_N_CPU_ITEM_KINDS
} KvmrtCpuItemKind;

#define KVMRT_TYPE_CPU_SET (kvmrt_cpu_set_get_type ())

typedef struct _KvmrtCpuSet KvmrtCpuSet;

GType        kvmrt_cpu_set_get_type      (void) G_GNUC_CONST;
/* "" (and whitespace only) is the empty set. On error the message quotes the bad item. */
KvmrtCpuSet *kvmrt_cpu_set_parse         (const char *text, GError **error);
KvmrtCpuSet *kvmrt_cpu_set_new_from_ids  (const KvmrtIdSet *cpus);
KvmrtCpuSet *kvmrt_cpu_set_copy          (const KvmrtCpuSet *set);
void         kvmrt_cpu_set_free          (KvmrtCpuSet *set);

gboolean     kvmrt_cpu_set_is_empty      (const KvmrtCpuSet *set);
gboolean     kvmrt_cpu_set_is_inverted   (const KvmrtCpuSet *set);
/* The ids named with one prefix (or plain CPUs), before resolving against a host. */
const KvmrtIdSet *kvmrt_cpu_set_get_items (const KvmrtCpuSet *set, KvmrtCpuItemKind kind);

/* Compact canonical text: "~" if inverted, then plain CPUs, then n, c, d, p items, each kind
 * ascending with consecutive ids folded into ranges: "0-3,8,n1-2". */
char        *kvmrt_cpu_set_to_string     (const KvmrtCpuSet *set);

/* The host CPUs the expression names. Fails with KVMRT_VALUE_ERROR_UNKNOWN_ID naming every item
 * the host lacks ("CPU 99", "NUMA node 7"). An inverted set is taken against every CPU of the
 * host. */
KvmrtIdSet  *kvmrt_cpu_set_resolve       (const KvmrtCpuSet *set,
                                          KvmrtHost         *host,
                                          GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtCpuSet, kvmrt_cpu_set_free)

G_END_DECLS
