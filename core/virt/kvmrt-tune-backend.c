/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How the tuner reads and changes host values: plain kernel files on a stock kernel, RedHawk's
 * own commands where RedHawk provides them (shield(1) for the shield, cpu(1) to take CPUs down
 * and up, run(1) for scheduling), so that RedHawk's tools keep seeing a state they made. */
#include "kvmrt-tuner-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"
#include "kvmrt-tune-paths.h"

KvmrtTuneBackend
kvmrt_tune_backend_choose (const char *sysroot)
{
  const char *forced = g_getenv ("KVMRT_TUNER_BACKEND");
  g_autofree char *shield = NULL;
  g_autofree char *program = NULL;

  if (forced != NULL && g_str_equal (forced, "redhawk"))
    return KVMRT_TUNE_BACKEND_REDHAWK;
  if (forced != NULL && g_str_equal (forced, "linux"))
    return KVMRT_TUNE_BACKEND_LINUX;
  shield = kvmrt_sysroot_path (sysroot, KVMRT_REDHAWK_SHIELD_FILE);
  program = g_find_program_in_path ("shield");
  return g_file_test (shield, G_FILE_TEST_EXISTS) && program != NULL
         ? KVMRT_TUNE_BACKEND_REDHAWK : KVMRT_TUNE_BACKEND_LINUX;
}

const char *
kvmrt_tune_backend_name (KvmrtTuneBackend backend)
{
  return backend == KVMRT_TUNE_BACKEND_REDHAWK ? "RedHawk" : "Linux";
}

/* RedHawk's shield mask as a CPU list (hexadecimal, like the kernel's masks). */
static char *
mask_to_list (const char *mask)
{
  g_autoptr(KvmrtIdSet) set = kvmrt_id_set_parse_mask (mask);

  return set != NULL ? kvmrt_id_set_to_string (set) : g_strdup (mask);
}

char *
kvmrt_tune_backend_read (KvmrtTuneBackend backend, const char *sysroot, const char *path)
{
  g_autofree char *text = kvmrt_sysroot_read_optional (sysroot, path);

  if (text != NULL && backend == KVMRT_TUNE_BACKEND_REDHAWK
      && g_str_equal (path, KVMRT_REDHAWK_SHIELD_FILE))
    return mask_to_list (text);
  return g_steal_pointer (&text);
}

/* Runs a RedHawk command; 0, or EIO with its message in @detail. */
static int
run_command (const char *const *argv, char **detail)
{
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &wait_status, &error))
    {
      *detail = g_strdup (error->message);
      return ENOENT;
    }
  if (!g_spawn_check_wait_status (wait_status, NULL))
    {
      *detail = g_strdup_printf (_("%s failed: %s"), argv[0],
                                 err != NULL && *err != '\0' ? g_strstrip (err)
                                                             : _("no message"));
      return EIO;
    }
  return 0;
}

/* "sys/devices/system/cpu/cpu48/online" -> 48, else -1 */
static int
online_file_cpu (const char *path)
{
  int cpu = -1, consumed = 0;

  if (sscanf (path, "sys/devices/system/cpu/cpu%d/online%n", &cpu, &consumed) == 1
      && path[consumed] == '\0')
    return cpu;
  return -1;
}

/* Only files of the tuning set, never through a symbolic link (kvmrt-tune-paths.h). */
static int
write_file (const char *sysroot, const char *path, const char *value)
{
  g_autofree char *text = g_strconcat (value, "\n", NULL);
  int fd = kvmrt_tune_path_open (sysroot, path, O_WRONLY | O_TRUNC);
  int result = 0;

  if (fd < 0)
    return errno;
  if (write (fd, text, strlen (text)) != (gssize) strlen (text))
    result = errno != 0 ? errno : EIO;
  if (close (fd) != 0 && result == 0)
    result = errno;
  return result;
}

int
kvmrt_tune_backend_write (KvmrtTuneBackend backend, const char *sysroot, const char *path,
                          const char *value, char **detail)
{
  int cpu = online_file_cpu (path);

  *detail = NULL;
  if (backend == KVMRT_TUNE_BACKEND_REDHAWK && g_str_equal (path, KVMRT_REDHAWK_SHIELD_FILE))
    {
      const char *shield_all[] = { "shield", "-a", value, NULL };
      const char *reset[] = { "shield", "-r", NULL };

      return run_command (*value != '\0' ? shield_all : reset, detail);
    }
  if (backend == KVMRT_TUNE_BACKEND_REDHAWK && cpu >= 0)
    {
      g_autofree char *number = g_strdup_printf ("%d", cpu);
      const char *argv[] = { "cpu", g_str_equal (value, "0") ? "-d" : "-u", number, NULL };

      return run_command (argv, detail);
    }
  return write_file (sysroot, path, value);
}

int
kvmrt_tune_backend_set_fifo (KvmrtTuneBackend backend, int tid, int priority, char **detail)
{
  struct sched_param param = { .sched_priority = priority };

  *detail = NULL;
  if (backend == KVMRT_TUNE_BACKEND_REDHAWK)
    {
      g_autofree char *tid_text = g_strdup_printf ("%d", tid);
      g_autofree char *priority_text = g_strdup_printf ("%d", priority);
      const char *argv[] = { "run", "-s", "fifo", "-P", priority_text, "-p", tid_text, NULL };

      return run_command (argv, detail);
    }
  if (sched_setscheduler (tid, SCHED_FIFO, &param) != 0)
    {
      int saved = errno;

      *detail = g_strdup (g_strerror (saved));
      return saved;
    }
  return 0;
}
