/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-tune-paths.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Every file the tuner writes, as patterns of path components: "#" at the end of one stands
 * for a number (a CPU or an IRQ), "*" is one directory name, "**" any number of them (cgroups nest). When the tuner learns
 * to write another file, add it here, or the journal's record of it is refused on restore. */
static const char *const allowed[] = {
  "sys/devices/system/cpu/cpu#/online",
  "proc/irq/#/smp_affinity",
  "proc/irq/#/smp_affinity_list",
  "proc/irq/default_smp_affinity",
  /* cgroup v2 (libvirt's machine.slice and its machines included) and the v1 cpuset tree */
  "sys/fs/cgroup/**/cpuset.cpus",
  "sys/fs/cgroup/**/cpuset.cpus.partition",
  "sys/fs/cgroup/**/cpuset.mems",
  "sys/devices/virtual/workqueue/cpumask",
  "sys/devices/virtual/workqueue/writeback/cpumask",
  "proc/sys/kernel/sched_rt_runtime_us",
  "proc/sys/kernel/timer_migration",
  "proc/sys/kernel/nmi_watchdog",
  "proc/sys/kernel/watchdog_cpumask",
  "proc/sys/vm/stat_interval",
  /* RedHawk's shield, written by shield(1) but journaled like a file */
  "proc/shield/procs",
};

static gboolean
is_number (const char *s)
{
  if (*s == '\0' || strlen (s) > 9)
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

/* A directory name a cgroup may have: not empty, not "." or "..". */
static gboolean
is_name (const char *s)
{
  return *s != '\0' && !g_str_equal (s, ".") && !g_str_equal (s, "..");
}

static gboolean
match_component (const char *pattern, const char *part)
{
  gsize length = strlen (pattern);

  if (g_str_equal (pattern, "*"))
    return is_name (part);
  if (length > 0 && pattern[length - 1] == '#')
    return strncmp (pattern, part, length - 1) == 0 && is_number (part + length - 1);
  return g_str_equal (pattern, part);
}

static gboolean
match (char **pattern, char **parts)
{
  if (*pattern == NULL)
    return *parts == NULL;
  if (g_str_equal (*pattern, "**"))
    {
      /* Zero or more names, then the rest of the pattern. */
      for (char **p = parts; ; p++)
        {
          if (match (pattern + 1, p))
            return TRUE;
          if (*p == NULL || !is_name (*p))
            return FALSE;
        }
    }
  if (*parts == NULL || !match_component (*pattern, *parts))
    return FALSE;
  return match (pattern + 1, parts + 1);
}

gboolean
kvmrt_tune_path_allowed (const char *path)
{
  g_auto(GStrv) parts = NULL;

  /* Relative, no empty, "." or ".." component, nothing a shell or a JSON reader mangled. */
  if (path == NULL || *path == '\0' || *path == '/' || strlen (path) > 4096
      || !g_utf8_validate (path, -1, NULL))
    return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (!is_name (parts[i]))
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_auto(GStrv) pattern = g_strsplit (allowed[i], "/", -1);

      if (match (pattern, parts))
        return TRUE;
    }
  return FALSE;
}

int
kvmrt_tune_path_open (const char *sysroot, const char *path, int flags)
{
  g_auto(GStrv) parts = NULL;
  int dir;

  if (!kvmrt_tune_path_allowed (path))
    {
      errno = EPERM;
      return -1;
    }
  /* The sysroot itself is the administrator's choice and may be a link ("/" never is). */
  dir = open (sysroot != NULL && *sysroot != '\0' ? sysroot : "/",
              O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return -1;
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      gboolean last = parts[i + 1] == NULL;
      int next = openat (dir, parts[i],
                         last ? flags | O_NOFOLLOW | O_CLOEXEC
                              : O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int saved = errno;

      close (dir);
      if (next < 0)
        {
          errno = saved;
          return -1;
        }
      dir = next;
    }
  return dir;
}
