/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-config-owner.h"

#include "kvmrt-error.h"
#include "kvmrt-i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

/* What is wrong with one file or directory, or NULL. */
static char *
judge (const char *path, const struct stat *st, gboolean is_dir)
{
  g_autofree char *quoted = g_shell_quote (path);

  if (st->st_uid != 0)
    return g_strdup_printf (_("%s is owned by user %u, not root; fix it with: chown root:root "
                              "%s && chmod go-w %s"),
                            path, (unsigned) st->st_uid, quoted, quoted);
  if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 && !(is_dir && (st->st_mode & S_ISVTX)))
    return g_strdup_printf (_("%s may be written by %s; fix it with: chmod go-w %s"), path,
                            (st->st_mode & S_IWOTH) ? _("every user") : _("its group"),
                            quoted);
  return NULL;
}

static char *
judge_path (const char *path, gboolean follow)
{
  g_autofree char *dir = g_path_get_dirname (path);
  struct stat st;
  char *problem;

  if ((follow ? stat (path, &st) : lstat (path, &st)) != 0)
    return NULL;
  /* A link's own mode means nothing; its directory decides who may re-point it. */
  if (!S_ISLNK (st.st_mode) && (problem = judge (path, &st, FALSE)) != NULL)
    return problem;
  if (stat (dir, &st) == 0)
    return judge (dir, &st, TRUE);
  return NULL;
}

gboolean
kvmrt_config_check_owner (const char *path, GError **error)
{
  g_autofree char *problem = judge_path (path, FALSE);
  g_autofree char *target = NULL;

  if (problem == NULL && (target = realpath (path, NULL)) != NULL
      && g_strcmp0 (target, path) != 0)
    problem = judge_path (target, TRUE);
  if (problem == NULL)
    return TRUE;
  g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_UNSAFE,
               _("the configuration %s cannot be trusted by root: %s"), path, problem);
  return FALSE;
}
