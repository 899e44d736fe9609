/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host files the tuner may write, and how it opens them. The journal that lists files to
 * restore is read back from disk after a crash: nothing it names is written unless it is one
 * of these files, reached below the sysroot without following a symbolic link. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether @path (sysroot-relative, as the journal stores it) is a file the tuner writes. */
gboolean kvmrt_tune_path_allowed (const char *path);
/* Opens @path below @sysroot with @flags (O_WRONLY...), walking one directory at a time with
 * O_NOFOLLOW: a symbolic link anywhere below the sysroot fails with ELOOP. Returns the
 * descriptor, or -1 with errno (EPERM for a path kvmrt_tune_path_allowed() refuses). */
int      kvmrt_tune_path_open    (const char *sysroot, const char *path, int flags);

G_END_DECLS
