/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VM UUIDs in one form. kvmrt keeps a UUID lower-case, as libvirt prints it, from the moment it
 * enters: a section header of the configuration file, the tuning journal, Guest Services'
 * statistics, QEMU's command line, a name or UUID the user typed. Past that point UUIDs are
 * compared with strcmp; only those entry points call the functions below. Text that is not a
 * UUID is left as written, so the message that rejects it quotes what the user wrote. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 36 characters and the terminating NUL. */
#define KVMRT_UUID_STRLEN 37

/* TRUE when @text is a UUID: 8-4-4-4-12 hexadecimal digits, in either case. */
gboolean    kvmrt_uuid_is_valid     (const char *text);
/* Lower-cases @text in place when it is a UUID; returns @text (NULL for NULL). */
char       *kvmrt_uuid_canonicalize (char *text);
/* A copy of @text in canonical form (NULL for NULL). */
char       *kvmrt_uuid_dup          (const char *text);
/* @text in canonical form without allocating: @text itself when it already is (or is not a
 * UUID), else its lower-case copy in @buffer. */
const char *kvmrt_uuid_canonical    (const char *text,
                                     char        buffer[KVMRT_UUID_STRLEN]);

G_END_DECLS
