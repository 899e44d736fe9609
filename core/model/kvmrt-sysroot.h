/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every file kvmrt reads or writes on the host lives under one root directory ("/" normally,
 * a fixture or snapshot directory in tests and the demo). This is the only place that joins
 * host paths; nothing else in kvmrt spells "/sys" or "/proc" on its own. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The sysroot to use: @option if given, else $KVMRT_SYSROOT, else "/". */
const char *kvmrt_sysroot_choose    (const char *option);
/* @root joined with @relative ("sys/devices/system/cpu"). Newly allocated. */
char       *kvmrt_sysroot_path      (const char *root, const char *relative);
/* Reads a small text file below the root; trailing newline removed. NULL (and @error) if it
 * cannot be read. */
char       *kvmrt_sysroot_read      (const char *root, const char *relative, GError **error);
/* Like kvmrt_sysroot_read() but NULL without an error when the file does not exist. */
char       *kvmrt_sysroot_read_optional (const char *root, const char *relative);
gboolean    kvmrt_sysroot_is_live   (const char *root);   /* TRUE for "/" */

G_END_DECLS
