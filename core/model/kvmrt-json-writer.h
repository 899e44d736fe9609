/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small streaming JSON writer. The CLI's --json documents can hold thousands of
 * entries; writing them straight into a string is several times faster than building a
 * json-glib tree first, and keeps the tools' start-up light. */
#pragma once

#include <glib.h>

#include "kvmrt-id-set.h"

G_BEGIN_DECLS

typedef struct {
  GString *out;
  GArray  *counts;    /* members or elements written so far, per open container */
} KvmrtJsonWriter;

void kvmrt_json_writer_init         (KvmrtJsonWriter *w, GString *out);
void kvmrt_json_writer_clear        (KvmrtJsonWriter *w);
void kvmrt_json_writer_begin_object (KvmrtJsonWriter *w);
void kvmrt_json_writer_end_object   (KvmrtJsonWriter *w);
void kvmrt_json_writer_begin_array  (KvmrtJsonWriter *w);
void kvmrt_json_writer_end_array    (KvmrtJsonWriter *w);
/* The name of the next member of the current object. */
void kvmrt_json_writer_member       (KvmrtJsonWriter *w, const char *name);
void kvmrt_json_writer_string       (KvmrtJsonWriter *w, const char *value);  /* NULL: null */
void kvmrt_json_writer_int          (KvmrtJsonWriter *w, gint64 value);
void kvmrt_json_writer_bool         (KvmrtJsonWriter *w, gboolean value);
void kvmrt_json_writer_null         (KvmrtJsonWriter *w);
/* [0, 2, 4] on one line; NULL writes null. */
void kvmrt_json_writer_id_set       (KvmrtJsonWriter *w, const KvmrtIdSet *set);

/* A member and its value in one call. */
void kvmrt_json_writer_member_string (KvmrtJsonWriter *w, const char *name, const char *value);
void kvmrt_json_writer_member_int    (KvmrtJsonWriter *w, const char *name, gint64 value);
void kvmrt_json_writer_member_bool   (KvmrtJsonWriter *w, const char *name, gboolean value);
/* @value, or null when it is negative (a count or number the host did not give). */
void kvmrt_json_writer_member_int_or_null (KvmrtJsonWriter *w, const char *name, gint64 value);
void kvmrt_json_writer_member_id_set (KvmrtJsonWriter *w, const char *name,
                                      const KvmrtIdSet *set);

G_END_DECLS
