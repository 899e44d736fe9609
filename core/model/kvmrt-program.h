/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where another of kvmrt's programs is, for a program that runs it: in the build tree when
 * the running program is the build tree's (so a test runs the programs just built), else
 * where it is installed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @name in @build_subdir, a path relative to the running program's own directory ("." for
 * a program built beside it, "../cli" from app/ to the tools), when it is an executable there;
 * else @name in @installed_dir. The path has no "..": pkexec's dialog shows it. */
char *kvmrt_program_find (const char *name,
                          const char *build_subdir,
                          const char *installed_dir);

G_END_DECLS
