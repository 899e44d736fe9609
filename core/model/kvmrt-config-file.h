/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private: reading the config file under a shared lock, and replacing it atomically under an
 * exclusive one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads @path while holding LOCK_SH. Anything but a regular file (a FIFO, a device, a
 * directory) is refused without blocking. */
gboolean kvmrt_config_file_read   (const char  *path,
                                   char       **out_data,
                                   gsize       *out_length,
                                   GError     **error);
/* Reads @path for a writer: takes LOCK_EX (waiting a while for another writer to finish) and
 * returns the descriptor still holding it in @out_fd, so that nobody else saves between this
 * read and the writer's save. */
gboolean kvmrt_config_file_read_for_update (const char  *path,
                                            char       **out_data,
                                            gsize       *out_length,
                                            int         *out_fd,
                                            GError     **error);
/* What a save expects to find on disk before it replaces the file. */
typedef struct {
  gboolean  check;      /* FALSE: whatever is there is replaced */
  GBytes   *content;    /* the file's bytes when it was read; NULL: there was no file */
} KvmrtConfigFileExpect;

/* Replaces @path with @data: temp file in the same directory, mode and owner kept, fsync,
 * previous file kept as PATH.bak, rename, fsync of the directory. A symbolic link is written
 * through: its target is replaced the same way and the link stays. @held_fd is a descriptor
 * of this process holding a lock on the file (or -1); it is upgraded rather than conflicting.
 * With @expect->check, the save is refused (KVMRT_CONFIG_ERROR_CHANGED) unless the file,
 * under the exclusive lock, still holds @expect->content. Temporary files an interrupted save
 * left behind are removed. */
gboolean kvmrt_config_file_write  (const char                  *path,
                                   const char                  *data,
                                   gsize                        length,
                                   int                          held_fd,
                                   const KvmrtConfigFileExpect *expect,
                                   GError                     **error);
/* Opens @path and takes LOCK_SH, returning the descriptor (or -1 with @error). */
int      kvmrt_config_file_hold   (const char *path, GError **error);

G_END_DECLS
