/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-error.h"
#include "kvmrt-uuid.h"
#include "kvmrt-i18n.h"
#include "kvmrt-host-private.h"
#include "kvmrt-sysroot.h"

/* Linux policy numbers glibc only names with _GNU_SOURCE. */
#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

void
kvmrt_thread_free (KvmrtThread *thread)
{
  if (thread == NULL)
    return;
  g_free (thread->name);
  g_free (thread->vm);
  g_clear_pointer (&thread->affinity, kvmrt_id_set_free);
  g_free (thread);
}

const char *
kvmrt_thread_kind_to_json (KvmrtThreadKind kind)
{
  switch (kind)
    {
    case KVMRT_THREAD_VCPU:     return "vcpu";
    case KVMRT_THREAD_EMULATOR: return "emulator";
    case KVMRT_THREAD_IO:       return "io";
    case KVMRT_THREAD_WORKER:   return "worker";
    case KVMRT_THREAD_SPICE:
    case KVMRT_THREAD_OTHER:
    default:                    return "other";
    }
}

char *
kvmrt_thread_describe_kind (const KvmrtThread *thread)
{
  switch (thread->kind)
    {
    case KVMRT_THREAD_VCPU:
      return thread->vcpu >= 0 ? g_strdup_printf (_("vCPU %d"), thread->vcpu)
                               : g_strdup (_("vCPUs"));
    case KVMRT_THREAD_EMULATOR: return g_strdup (_("emulator"));
    case KVMRT_THREAD_IO:       return g_strdup (_("I/O"));
    case KVMRT_THREAD_WORKER:   return g_strdup (_("worker"));
    case KVMRT_THREAD_SPICE:    return g_strdup ("SPICE");
    case KVMRT_THREAD_OTHER:
    default:                    return g_strdup (_("other"));
    }
}

const char *
kvmrt_sched_policy_to_string (int policy)
{
  switch (policy)
    {
    case SCHED_OTHER:    return "other";
    case SCHED_FIFO:     return "fifo";
    case SCHED_RR:       return "rr";
    case SCHED_BATCH:    return "batch";
    case SCHED_IDLE:     return "idle";
    case SCHED_DEADLINE: return "deadline";
    default:             return "unknown";
    }
}

KvmrtThreadKind
kvmrt_thread_classify (const char *name, int *vcpu)
{
  int index, consumed = 0;

  *vcpu = -1;
  /* QEMU names vCPU threads "CPU n/KVM" (or "CPU n/TCG" under emulation); a single-threaded
   * TCG runs all vCPUs in "ALL CPUs/TCG". */
  if (sscanf (name, "CPU %d/%*[A-Z]%n", &index, &consumed) == 1 && consumed > 0
      && name[consumed] == '\0')
    {
      *vcpu = index;
      return KVMRT_THREAD_VCPU;
    }
  if (g_str_has_prefix (name, "ALL CPUs/"))
    return KVMRT_THREAD_VCPU;
  /* The main thread; comm is cut at 15 characters ("qemu-system-x86"). */
  if (g_str_has_prefix (name, "qemu-kvm") || g_str_has_prefix (name, "qemu-system-"))
    return KVMRT_THREAD_EMULATOR;
  if (g_str_has_prefix (name, "IO "))
    return KVMRT_THREAD_IO;
  if (strcmp (name, "worker") == 0)
    return KVMRT_THREAD_WORKER;
  if (g_str_has_prefix (name, "SPICE"))
    return KVMRT_THREAD_SPICE;
  return KVMRT_THREAD_OTHER;
}

/* The fields of a stat line after "(comm)", which may itself hold spaces and parentheses:
 * field 3 (state) is fields[0]. */
static char **
split_stat (const char *stat)
{
  const char *close = stat != NULL ? strrchr (stat, ')') : NULL;

  if (close == NULL || close[1] != ' ')
    return NULL;
  return g_strsplit (close + 2, " ", -1);
}

/* Field @number (1-based, as proc(5) counts) of a split stat line, or -1. */
static long long
stat_field (char **fields, guint number)
{
  if (fields == NULL || number < 3 || number - 3 >= g_strv_length (fields))
    return -1;
  return g_ascii_strtoll (fields[number - 3], NULL, 10);
}

static KvmrtIdSet *
read_affinity (const char *status)
{
  const char *line = status != NULL ? strstr (status, "\nCpus_allowed_list:") : NULL;
  g_autofree char *value = NULL;
  const char *end;

  if (line == NULL)
    return NULL;
  line += strlen ("\nCpus_allowed_list:");
  end = strchr (line, '\n');
  value = g_strstrip (g_strndup (line, end != NULL ? (gsize) (end - line) : strlen (line)));
  return kvmrt_id_set_parse (value, NULL);
}

/* The thread group (process) a thread's status names, else @fallback. */
static int
read_tgid (const char *status, int fallback)
{
  const char *line = status != NULL ? strstr (status, "\nTgid:") : NULL;
  long value;

  if (line == NULL)
    return fallback;
  value = strtol (line + strlen ("\nTgid:"), NULL, 10);
  return value > 0 && value <= G_MAXINT ? (int) value : fallback;
}

/* The name between the parentheses of a stat line (comm may hold ')' itself). */
static char *
stat_name (const char *stat)
{
  const char *open = stat != NULL ? strchr (stat, '(') : NULL;
  const char *close = stat != NULL ? strrchr (stat, ')') : NULL;

  if (open == NULL || close == NULL || close < open)
    return NULL;
  return g_strndup (open + 1, close - open - 1);
}

/* Thread @tid of process @pid from its task directory (@task_fd, proc/PID/task); NULL when
 * the thread is gone (it ended between the directory listing and the read). */
static KvmrtThread *
read_thread (int task_fd, int pid, int tid)
{
  char path[64];
  g_autofree char *stat = NULL;
  g_autofree char *status = NULL;
  g_auto(GStrv) fields = NULL;
  KvmrtThread *thread;
  char *name;

  g_snprintf (path, sizeof path, "%d/stat", tid);
  stat = kvmrt_sysroot_read_at (task_fd, path);
  fields = split_stat (stat);
  name = stat_name (stat);
  if (fields == NULL || name == NULL)
    {
      g_free (name);
      return NULL;
    }
  g_snprintf (path, sizeof path, "%d/status", tid);
  status = kvmrt_sysroot_read_at (task_fd, path);
  thread = g_new0 (KvmrtThread, 1);
  thread->tid = tid;
  thread->pid = read_tgid (status, pid);
  thread->name = name;
  thread->kind = kvmrt_thread_classify (thread->name, &thread->vcpu);
  thread->affinity = read_affinity (status);
  thread->cpu = (int) stat_field (fields, 39);
  thread->state = fields[0][0];
  thread->priority = (int) stat_field (fields, 40);
  thread->policy = (int) stat_field (fields, 41);
  return thread;
}

static int
compare_tids (gconstpointer a, gconstpointer b)
{
  const KvmrtThread *ta = *(KvmrtThread **) a;
  const KvmrtThread *tb = *(KvmrtThread **) b;

  if (ta->pid != tb->pid)
    return (ta->pid > tb->pid) - (ta->pid < tb->pid);
  return (ta->tid > tb->tid) - (ta->tid < tb->tid);
}

/* A decimal directory name ("1234"), or 0. */
static int
parse_id (const char *name)
{
  char *end = NULL;
  long id = strtol (name, &end, 10);

  return *name != '\0' && *end == '\0' && id > 0 && id <= G_MAXINT ? (int) id : 0;
}

/* Adds the threads of process @pid (its directory open as @pid_fd) to @threads; FALSE when
 * its task directory cannot be opened (errno set). */
static gboolean
add_threads (GPtrArray *threads, int pid_fd, int pid)
{
  int task_fd = openat (pid_fd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = task_fd >= 0 ? fdopendir (task_fd) : NULL;
  struct dirent *entry;

  if (dir == NULL)
    {
      int saved = errno;

      if (task_fd >= 0)
        close (task_fd);
      errno = saved;
      return FALSE;
    }
  while ((entry = readdir (dir)) != NULL)
    {
      int tid = parse_id (entry->d_name);
      KvmrtThread *thread = tid > 0 ? read_thread (dirfd (dir), pid, tid) : NULL;

      if (thread != NULL)
        g_ptr_array_add (threads, thread);
    }
  closedir (dir);
  return TRUE;
}

GPtrArray *
kvmrt_proc_list_threads (const char *sysroot, int pid, GError **error)
{
  g_autofree char *relative = g_strdup_printf ("proc/%d", pid);
  int pid_fd = kvmrt_sysroot_open_dir (sysroot, relative);
  GPtrArray *threads = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_thread_free);

  if (pid_fd < 0 || !add_threads (threads, pid_fd, pid))
    {
      int saved = errno;
      g_autofree char *path = kvmrt_sysroot_path (sysroot, relative);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot read the threads of process %d in “%s/task”: %s"), pid, path,
                   g_strerror (saved));
      if (pid_fd >= 0)
        close (pid_fd);
      g_ptr_array_unref (threads);
      return NULL;
    }
  close (pid_fd);
  g_ptr_array_sort (threads, compare_tids);
  return threads;
}

char *
kvmrt_proc_qemu_name (const char *cmdline, gsize length)
{
  const char *previous = NULL;

  for (const char *arg = cmdline; arg < cmdline + length; arg += strlen (arg) + 1)
    {
      if (previous != NULL && strcmp (previous, "-name") == 0)
        {
          /* QEMU's option syntax: "guest=NAME,key=value", or NAME first; ",," is a comma. */
          const char *value = g_str_has_prefix (arg, "guest=") ? arg + 6 : arg;
          const char *guest = strstr (arg, ",guest=");
          GString *name = g_string_new (NULL);

          if (guest != NULL && value == arg && strchr (arg, '=') < guest)
            value = guest + 7;
          for (const char *p = value; *p != '\0'; p++)
            {
              if (*p == ',' && p[1] == ',')
                p++;
              else if (*p == ',')
                break;
              g_string_append_c (name, *p);
            }
          return g_string_free (name, name->len == 0);
        }
      previous = arg;
    }
  return NULL;
}

/* The VM name of process @pid when it is QEMU. */
static char *
read_vm_name (int pid_fd)
{
  gsize length = 0;
  g_autofree char *cmdline = kvmrt_sysroot_read_fd_at (pid_fd, "cmdline", &length, NULL);

  return cmdline != NULL ? kvmrt_proc_qemu_name (cmdline, length) : NULL;
}

GPtrArray *
kvmrt_proc_list_all_threads (const char *sysroot, GError **error)
{
  int proc_fd = kvmrt_sysroot_open_dir (sysroot, "proc");
  DIR *dir = proc_fd >= 0 ? fdopendir (proc_fd) : NULL;
  GPtrArray *threads;
  struct dirent *entry;

  if (dir == NULL)
    {
      int saved = errno;
      g_autofree char *path = kvmrt_sysroot_path (sysroot, "proc");

      if (proc_fd >= 0)
        close (proc_fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot list the processes in “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }
  threads = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_thread_free);
  while ((entry = readdir (dir)) != NULL)
    {
      int pid = parse_id (entry->d_name);
      int pid_fd;
      guint first = threads->len;

      if (pid == 0)
        continue;
      pid_fd = openat (dirfd (dir), entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (pid_fd < 0)
        continue;
      if (add_threads (threads, pid_fd, pid) && threads->len > first)
        {
          g_autofree char *vm = NULL;

          for (guint i = first; i < threads->len && vm == NULL; i++)
            {
              KvmrtThread *t = threads->pdata[i];

              if (t->tid == pid && t->kind == KVMRT_THREAD_EMULATOR)
                vm = read_vm_name (pid_fd);
            }
          for (guint i = first; vm != NULL && i < threads->len; i++)
            ((KvmrtThread *) threads->pdata[i])->vm = g_strdup (vm);
        }
      close (pid_fd);
    }
  closedir (dir);
  g_ptr_array_sort (threads, compare_tids);
  return threads;
}

/* The PIDs in the sysroot's proc/, in directory order. */
static GArray *
list_pids (const char *sysroot)
{
  g_autofree char *proc = kvmrt_sysroot_path (sysroot, "proc");
  g_autoptr(GDir) dir = g_dir_open (proc, 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      char *end = NULL;
      long pid = strtol (entry, &end, 10);

      if (*end == '\0' && pid > 0 && pid <= G_MAXINT)
        {
          int value = (int) pid;

          g_array_append_val (pids, value);
        }
    }
  return pids;
}

/* The arguments of process @pid (NULL-terminated), or NULL when it is gone or a kernel
 * thread (empty cmdline). */
static GStrv
read_cmdline (const char *sysroot, int pid)
{
  g_autofree char *relative = g_strdup_printf ("proc/%d/cmdline", pid);
  g_autofree char *path = kvmrt_sysroot_path (sysroot, relative);
  g_autofree char *cmdline = NULL;
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  gsize length = 0;

  if (!g_file_get_contents (path, &cmdline, &length, NULL) || length == 0)
    return NULL;
  for (const char *arg = cmdline; arg < cmdline + length; arg += strlen (arg) + 1)
    g_strv_builder_add (args, arg);
  return g_strv_builder_end (args);
}

/* The argument after "-uuid" in @args (lower-cased in place), or NULL. */
static const char *
uuid_argument (char **args)
{
  for (guint i = 1; args != NULL && args[i] != NULL; i++)
    if (strcmp (args[i - 1], "-uuid") == 0)
      return kvmrt_uuid_canonicalize (args[i]);
  return NULL;
}

/* Whether process @pid's command line holds "-uuid" followed by @uuid. */
static gboolean
runs_domain (const char *sysroot, int pid, const char *uuid)
{
  g_auto(GStrv) args = read_cmdline (sysroot, pid);
  const char *found = uuid_argument (args);

  return found != NULL && g_str_equal (found, uuid);
}

static int
pid_from_file (const char *sysroot, const char *name)
{
  g_autofree char *relative = NULL;
  g_autofree char *text = NULL;

  if (name == NULL || strchr (name, '/') != NULL)
    return 0;
  relative = g_strdup_printf ("run/libvirt/qemu/%s.pid", name);
  text = kvmrt_sysroot_read_optional (sysroot, relative);
  return text != NULL ? atoi (text) : 0;
}

int
kvmrt_proc_find_qemu (const char *sysroot, const char *uuid, const char *name)
{
  g_autoptr(GArray) pids = NULL;
  int pid = pid_from_file (sysroot, name);

  /* The pid file may be stale (a crashed QEMU, a reused PID): trust it only if it matches. */
  if (pid > 0 && runs_domain (sysroot, pid, uuid))
    return pid;
  pids = list_pids (sysroot);
  for (guint i = 0; i < pids->len; i++)
    if (runs_domain (sysroot, g_array_index (pids, int, i), uuid))
      return g_array_index (pids, int, i);
  return 0;
}

int
kvmrt_proc_find_qemu_in (GPtrArray  *qemus,
                         const char *sysroot,
                         const char *uuid,
                         const char *name)
{
  int pid = pid_from_file (sysroot, name);

  if (pid > 0 && runs_domain (sysroot, pid, uuid))
    return pid;
  for (guint i = 0; i < qemus->len; i++)
    {
      const KvmrtQemuProcess *qemu = qemus->pdata[i];

      if (g_strcmp0 (qemu->uuid, uuid) == 0)
        return qemu->pid;
    }
  return 0;
}

void
kvmrt_qemu_process_free (KvmrtQemuProcess *qemu)
{
  g_free (qemu->uuid);
  g_free (qemu);
}

static gboolean
is_qemu_program (const char *argv0)
{
  g_autofree char *base = g_path_get_basename (argv0);

  return g_str_has_prefix (base, "qemu-system-") || g_str_equal (base, "qemu-kvm");
}

static int
compare_qemu_pids (gconstpointer a, gconstpointer b)
{
  const KvmrtQemuProcess *x = *(KvmrtQemuProcess **) a, *y = *(KvmrtQemuProcess **) b;

  return (x->pid > y->pid) - (x->pid < y->pid);
}

GPtrArray *
kvmrt_proc_list_qemus (const char *sysroot)
{
  g_autoptr(GArray) pids = list_pids (sysroot);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_qemu_process_free);

  for (guint i = 0; i < pids->len; i++)
    {
      int pid = g_array_index (pids, int, i);
      g_auto(GStrv) args = read_cmdline (sysroot, pid);
      KvmrtQemuProcess *qemu;

      if (args == NULL || !is_qemu_program (args[0]))
        continue;
      qemu = g_new0 (KvmrtQemuProcess, 1);
      qemu->pid = pid;
      qemu->uuid = g_strdup (uuid_argument (args));
      g_ptr_array_add (found, qemu);
    }
  g_ptr_array_sort (found, compare_qemu_pids);
  return found;
}

/* Whether every "/"-separated part of @path is a plain name. */
static gboolean
is_plain_path (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

char *
kvmrt_proc_get_cgroup (const char *sysroot, int pid, const char *controller)
{
  g_autofree char *relative = g_strdup_printf ("proc/%d/cgroup", pid);
  g_autofree char *text = kvmrt_sysroot_read_optional (sysroot, relative);
  g_auto(GStrv) lines = text != NULL ? g_strsplit (text, "\n", -1) : NULL;

  /* "ID:CONTROLLERS:PATH"; v2 is "0::PATH". */
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ":", 3);
      g_auto(GStrv) controllers = NULL;
      gboolean match;
      const char *path;

      if (g_strv_length (fields) != 3 || fields[2][0] != '/')
        continue;
      controllers = g_strsplit (fields[1], ",", -1);
      match = controller == NULL ? g_str_equal (fields[0], "0") && *fields[1] == '\0'
                                 : g_strv_contains ((const char * const *) controllers,
                                                    controller);
      if (!match)
        continue;
      path = fields[2] + 1;
      return *path == '\0' || is_plain_path (path) ? g_strdup (path) : NULL;
    }
  return NULL;
}

/* Task flags (include/linux/sched.h). */
#define PF_KTHREAD        0x00200000u
#define PF_NO_SETAFFINITY 0x04000000u

void
kvmrt_kernel_thread_free (KvmrtKernelThread *thread)
{
  g_free (thread->comm);
  g_clear_pointer (&thread->affinity, kvmrt_id_set_free);
  g_free (thread);
}

guint64
kvmrt_proc_get_start_time (const char *sysroot, int pid)
{
  g_autofree char *relative = g_strdup_printf ("proc/%d/stat", pid);
  g_autofree char *stat = kvmrt_sysroot_read_optional (sysroot, relative);
  g_auto(GStrv) fields = split_stat (stat);
  long long start = stat_field (fields, 22);

  return start > 0 ? (guint64) start : 0;
}

GPtrArray *
kvmrt_proc_list_movable_kthreads (const char *sysroot)
{
  g_autoptr(GArray) pids = list_pids (sysroot);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_kernel_thread_free);

  for (guint i = 0; i < pids->len; i++)
    {
      int pid = g_array_index (pids, int, i);
      g_autofree char *stat_path = NULL;
      g_autofree char *status_path = NULL;
      g_autofree char *stat = NULL;
      g_autofree char *status = NULL;
      g_auto(GStrv) fields = NULL;
      const char *open_paren, *close_paren;
      long long flags;
      KvmrtKernelThread *thread;

      stat_path = g_strdup_printf ("proc/%d/stat", pid);
      stat = kvmrt_sysroot_read_optional (sysroot, stat_path);
      fields = split_stat (stat);
      flags = stat_field (fields, 9);
      if (flags < 0 || !(flags & PF_KTHREAD) || (flags & PF_NO_SETAFFINITY))
        continue;
      status_path = g_strdup_printf ("proc/%d/status", pid);
      status = kvmrt_sysroot_read_optional (sysroot, status_path);
      open_paren = strchr (stat, '(');
      close_paren = strrchr (stat, ')');
      if (open_paren == NULL || open_paren > close_paren)
        continue;
      thread = g_new0 (KvmrtKernelThread, 1);
      thread->pid = pid;
      thread->comm = g_strndup (open_paren + 1, close_paren - open_paren - 1);
      thread->start = (guint64) MAX (stat_field (fields, 22), 0);
      thread->affinity = read_affinity (status);
      if (thread->affinity == NULL)
        {
          kvmrt_kernel_thread_free (thread);
          continue;
        }
      g_ptr_array_add (found, thread);
    }
  return found;
}

gboolean
kvmrt_proc_get_uptime (const char *sysroot, int pid, double *seconds, GError **error)
{
  g_autofree char *relative = g_strdup_printf ("proc/%d/stat", pid);
  g_autofree char *stat = kvmrt_sysroot_read (sysroot, relative, error);
  g_autofree char *uptime = NULL;
  g_auto(GStrv) fields = NULL;
  long long start_ticks;
  long ticks_per_second = sysconf (_SC_CLK_TCK);

  if (stat == NULL)
    return FALSE;
  uptime = kvmrt_sysroot_read (sysroot, "proc/uptime", error);
  if (uptime == NULL)
    return FALSE;
  fields = split_stat (stat);
  start_ticks = stat_field (fields, 22);
  if (start_ticks < 0 || ticks_per_second <= 0)
    {
      g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_SYSROOT,
                   _("%s: no start time in proc/%d/stat"), sysroot, pid);
      return FALSE;
    }
  *seconds = MAX (0.0, g_ascii_strtod (uptime, NULL) - (double) start_ticks / ticks_per_second);
  return TRUE;
}
