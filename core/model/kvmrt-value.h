/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scalar field types of the config file: bool, int|auto, tri-state bool|auto and
 * "sockets,cores,threads"|auto. Every parser ignores surrounding whitespace and names the
 * offending text on error. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  KVMRT_TRISTATE_AUTO = -1,
  KVMRT_TRISTATE_OFF = 0,
  KVMRT_TRISTATE_ON = 1,
} KvmrtTristate;

typedef struct {
  guint sockets;
  guint cores;
  guint threads;
} KvmrtTopology;

/* true|false|on|off|yes|no|1|0, any case. */
gboolean kvmrt_value_parse_bool        (const char *text, gboolean *out, GError **error);
/* {bool}|auto. */
gboolean kvmrt_value_parse_tristate    (const char *text, KvmrtTristate *out, GError **error);
/* A positive integer, or "auto" (stored as 0). @max bounds the value. */
gboolean kvmrt_value_parse_count_or_auto (const char *text, guint max, guint *out,
                                        GError **error);
/* An integer from @min to @max (no "auto"). */
gboolean kvmrt_value_parse_int_range   (const char *text, guint min, guint max, guint *out,
                                        GError **error);
/* "sockets, cores, threads" (three positive integers) or "auto" (all three 0). */
gboolean kvmrt_value_parse_topology    (const char *text, KvmrtTopology *out, GError **error);

const char *kvmrt_value_format_bool    (gboolean value);             /* "true" / "false" */
const char *kvmrt_value_format_tristate (KvmrtTristate value);       /* + "auto" */
char       *kvmrt_value_format_count_or_auto (guint value);          /* "auto" for 0 */
char       *kvmrt_value_format_topology (const KvmrtTopology *topo); /* "1,4,1" or "auto" */

G_END_DECLS
