/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private: reading the config file under a shared lock, and replacing it atomically under an
 * exclusive one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads @path while holding LOCK_SH. */
gboolean kvmrt_config_file_read   (const char  *path,
                                   char       **out_data,
                                   gsize       *out_length,
                                   GError     **error);
/* Replaces @path with @data: temp file in the same directory, mode and owner kept, fsync,
 * previous file kept as PATH.bak, rename, fsync of the directory. @held_fd is a descriptor of
 * this process holding LOCK_SH on the file (or -1); it is upgraded rather than conflicting. */
gboolean kvmrt_config_file_write  (const char  *path,
                                   const char  *data,
                                   gsize        length,
                                   int          held_fd,
                                   GError     **error);
/* Opens @path and takes LOCK_SH, returning the descriptor (or -1 with @error). */
int      kvmrt_config_file_hold   (const char *path, GError **error);

G_END_DECLS
