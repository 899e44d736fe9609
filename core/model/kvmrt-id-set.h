/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A set of small non-negative integers (CPU numbers, NUMA node ids), stored as a bitmap.
 * It is the resolved form of every CPU and node list kvmrt handles. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define KVMRT_TYPE_ID_SET (kvmrt_id_set_get_type ())

/* Ids above this are refused by the parser: no host has that many CPUs, and a typo like
 * "0-99999999" must not allocate gigabytes. */
#define KVMRT_ID_SET_MAX_ID 65535

typedef struct _KvmrtIdSet KvmrtIdSet;

GType       kvmrt_id_set_get_type    (void) G_GNUC_CONST;
KvmrtIdSet *kvmrt_id_set_new         (void);
KvmrtIdSet *kvmrt_id_set_new_range   (guint first, guint last);
KvmrtIdSet *kvmrt_id_set_copy        (const KvmrtIdSet *set);
void        kvmrt_id_set_free        (KvmrtIdSet *set);

/* Parses the ID-set syntax "0,2,4-7,12-15" (whitespace around items allowed, empty string
 * is the empty set). On error names the offending item. */
KvmrtIdSet *kvmrt_id_set_parse       (const char *text, GError **error);
/* Compact form: ascending, consecutive ids folded into ranges ("0-3,8,10-11"); "" if empty. */
char       *kvmrt_id_set_to_string   (const KvmrtIdSet *set);
/* The kernel's hexadecimal CPU masks ("ffffffff,0000ff00": comma-separated groups of 32 bits,
 * highest first). Characters other than hex digits and commas make the parse fail (NULL). */
KvmrtIdSet *kvmrt_id_set_parse_mask  (const char *mask);
/* @set as a mask laid out like @layout (the same groups, the first one as wide), the way the
 * kernel prints it back; bits beyond the layout are dropped. */
char       *kvmrt_id_set_to_mask     (const KvmrtIdSet *set, const char *layout);

void        kvmrt_id_set_add         (KvmrtIdSet *set, guint id);
void        kvmrt_id_set_add_range   (KvmrtIdSet *set, guint first, guint last);
void        kvmrt_id_set_remove      (KvmrtIdSet *set, guint id);
void        kvmrt_id_set_clear       (KvmrtIdSet *set);
gboolean    kvmrt_id_set_contains    (const KvmrtIdSet *set, guint id);
guint       kvmrt_id_set_count       (const KvmrtIdSet *set);
gboolean    kvmrt_id_set_is_empty    (const KvmrtIdSet *set);
gboolean    kvmrt_id_set_equal       (const KvmrtIdSet *a, const KvmrtIdSet *b);
gboolean    kvmrt_id_set_intersects  (const KvmrtIdSet *a, const KvmrtIdSet *b);
gboolean    kvmrt_id_set_is_subset   (const KvmrtIdSet *sub, const KvmrtIdSet *super);

/* In-place set algebra on @set. */
void        kvmrt_id_set_union       (KvmrtIdSet *set, const KvmrtIdSet *other);
void        kvmrt_id_set_intersect   (KvmrtIdSet *set, const KvmrtIdSet *other);
void        kvmrt_id_set_subtract    (KvmrtIdSet *set, const KvmrtIdSet *other);

/* Iteration: for (int id = kvmrt_id_set_first (s); id >= 0; id = kvmrt_id_set_next (s, id))
 * Each returns -1 when there is no such id. */
int         kvmrt_id_set_first       (const KvmrtIdSet *set);
int         kvmrt_id_set_last        (const KvmrtIdSet *set);
int         kvmrt_id_set_next        (const KvmrtIdSet *set, int after);
/* The @n-th smallest id (0-based), or -1. */
int         kvmrt_id_set_nth         (const KvmrtIdSet *set, guint n);

/* The ids in ascending order, as a newly allocated array of gint (GArray). */
GArray     *kvmrt_id_set_to_array    (const KvmrtIdSet *set);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtIdSet, kvmrt_id_set_free)

G_END_DECLS
