/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether root may trust a configuration file: the file drives root's changes to the host and
 * libvirt, so nobody but root may be able to change it (the rule sshd's StrictModes applies
 * to its files). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when @path (and, for a symbolic link, its target) is owned by root, not writable by
 * group or others, and sits in a directory only root can change (or a sticky one). Otherwise
 * FALSE with KVMRT_CONFIG_ERROR_UNSAFE, whose message says what is wrong and gives the chown
 * and chmod commands that fix it. A file that does not exist is not judged here (TRUE). */
gboolean kvmrt_config_check_owner (const char *path, GError **error);

G_END_DECLS
