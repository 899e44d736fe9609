/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where kvmrtd sends a guest's log_msg: the systemd journal (its native datagram protocol,
 * with the VM as fields of its own) or, without a journal, a syslog socket (one RFC 3164
 * datagram). Guest text arrives escaped (kvmrt_gs_escape()), so it is one line. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KvmrtGsLog KvmrtGsLog;

/* @target: "journal:PATH", "syslog:PATH", or NULL for the journal's socket below @sysroot
 * when it exists, else its dev/log. */
KvmrtGsLog *kvmrt_gs_log_new      (const char  *sysroot,
                                   const char  *target,
                                   GError     **error);
void        kvmrt_gs_log_free     (KvmrtGsLog *log);
/* "journal:/run/systemd/journal/socket" */
const char *kvmrt_gs_log_describe (KvmrtGsLog *log);
/* One message from VM @name (@uuid). A full or absent receiver loses it (FALSE, @error). */
gboolean    kvmrt_gs_log_send     (KvmrtGsLog  *log,
                                   const char  *name,
                                   const char  *uuid,
                                   guint        vcpu,
                                   const char  *text,
                                   GError     **error);

/* Guest bytes as one printable line: printable ASCII stays, a backslash is doubled, anything
 * else becomes \xNN. At most @max_bytes bytes of @data are used. */
char       *kvmrt_gs_escape       (const guint8 *data,
                                   gsize         length,
                                   gsize         max_bytes);
/* A VM name as one word for a trace line (whitespace becomes '_'). */
char       *kvmrt_gs_word         (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtGsLog, kvmrt_gs_log_free)

G_END_DECLS
