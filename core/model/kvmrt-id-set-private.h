/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private: the "N" / "N-M" item grammar shared by the ID-set and CPUSET parsers, which word
 * their own error messages. */
#pragma once

#include "kvmrt-id-set.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_ID_RANGE_OK,
  KVMRT_ID_RANGE_SYNTAX,      /* not "N" or "N-M" with decimal N and M */
  KVMRT_ID_RANGE_TOO_LARGE,   /* a number above KVMRT_ID_SET_MAX_ID */
  KVMRT_ID_RANGE_REVERSED,    /* "M-N" with M > N */
} KvmrtIdRangeStatus;

/* Parses the @len bytes at @text, which the caller has stripped of surrounding whitespace.
 * Whitespace around the "-" of a range is allowed. The ids are set for OK and REVERSED. */
KvmrtIdRangeStatus kvmrt_id_range_parse (const char *text,
                                         gsize       len,
                                         guint      *out_first,
                                         guint      *out_last);

/* Appends the compact form of @set ("0-3,8") to @out, each item preceded by @prefix and,
 * when @out is not empty, by a comma. */
void               kvmrt_id_set_append_to (const KvmrtIdSet *set,
                                           const char       *prefix,
                                           GString          *out);

G_END_DECLS
