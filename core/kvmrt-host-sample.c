/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-host-sample.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-host-private.h"
#include "kvmrt-sysroot.h"

#define CPU_DIR "sys/devices/system/cpu"

void
kvmrt_sample_task_free (KvmrtSampleTask *task)
{
  if (task == NULL)
    return;
  g_free (task->name);
  g_clear_pointer (&task->allowed, kvmrt_id_set_free);
  g_free (task);
}

void
kvmrt_host_sample_free (KvmrtHostSample *sample)
{
  if (sample == NULL)
    return;
  g_clear_pointer (&sample->online, kvmrt_id_set_free);
  g_free (sample->times);
  g_clear_pointer (&sample->irqs, g_ptr_array_unref);
  g_clear_pointer (&sample->irq_cpus, g_array_unref);
  g_clear_pointer (&sample->tasks, g_ptr_array_unref);
  g_clear_pointer (&sample->journal, kvmrt_journal_free);
  g_free (sample);
}

/* The live kernel keeps CPU_DIR/online current; a fixture tree is changed one cpuN/online
 * at a time (by the tuner, by a test), so there each CPU's own file is the truth. A CPU
 * without an online file (often CPU 0) cannot go offline. */
static KvmrtIdSet *
read_online (KvmrtHost *host)
{
  const char *sysroot = kvmrt_host_get_sysroot (host);
  const KvmrtIdSet *cpus = kvmrt_host_get_cpus (host);
  KvmrtIdSet *online;
  int dir_fd;

  if (kvmrt_sysroot_is_live (sysroot))
    {
      g_autofree char *text = kvmrt_sysroot_read_optional (sysroot, CPU_DIR "/online");

      online = text != NULL ? kvmrt_id_set_parse (g_strstrip (text), NULL) : NULL;
      if (online != NULL)
        {
          kvmrt_id_set_intersect (online, cpus);
          return online;
        }
    }
  online = kvmrt_id_set_new ();
  dir_fd = kvmrt_sysroot_open_dir (sysroot, CPU_DIR);
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      char path[48];
      g_autofree char *value = NULL;

      g_snprintf (path, sizeof path, "cpu%d/online", cpu);
      value = dir_fd >= 0 ? kvmrt_sysroot_read_at (dir_fd, path) : NULL;
      if (value == NULL || g_strstrip (value)[0] != '0')
        kvmrt_id_set_add (online, cpu);
    }
  if (dir_fd >= 0)
    close (dir_fd);
  return online;
}

/* proc/stat "cpuN user nice system idle iowait irq softirq steal ..." */
static void
read_times (KvmrtHostSample *sample, const char *sysroot)
{
  g_autofree char *text = kvmrt_sysroot_read_optional (sysroot, "proc/stat");

  for (const char *line = text; line != NULL && *line != '\0';)
    {
      const char *next = strchr (line, '\n');
      char *end = NULL;
      guint64 cpu;

      if (strncmp (line, "cpu", 3) == 0 && g_ascii_isdigit (line[3])
          && (cpu = g_ascii_strtoull (line + 3, &end, 10)) < sample->n_cpus)
        {
          guint64 value[8] = { 0 };
          guint64 total = 0;

          for (guint i = 0; i < G_N_ELEMENTS (value); i++)
            {
              value[i] = g_ascii_strtoull (end, &end, 10);
              total += value[i];
            }
          sample->times[cpu].total = total;
          sample->times[cpu].busy = total - value[3] - value[4];
        }
      line = next != NULL ? next + 1 : NULL;
    }
}

static char *
status_field (const char *status, const char *name)
{
  g_autofree char *key = g_strconcat ("\n", name, ":", NULL);
  const char *line = g_str_has_prefix (status, key + 1) ? status : strstr (status, key);
  const char *end;

  if (line == NULL)
    return NULL;
  line += strlen (key) - (line == status ? 1 : 0);
  end = strchr (line, '\n');
  return g_strstrip (g_strndup (line, end != NULL ? (gsize) (end - line) : strlen (line)));
}

/* One thread from proc/PID/task/TID/status; NULL when it ended meanwhile. */
static KvmrtSampleTask *
read_task (int task_fd, int pid, const char *tid_name)
{
  char path[64];
  g_autofree char *status = NULL;
  g_autofree char *allowed = NULL;
  g_autofree char *kthread = NULL;
  g_autofree char *vmsize = NULL;
  KvmrtSampleTask *task;

  g_snprintf (path, sizeof path, "%s/status", tid_name);
  status = kvmrt_sysroot_read_at (task_fd, path);
  if (status == NULL)
    return NULL;
  task = g_new0 (KvmrtSampleTask, 1);
  task->pid = pid;
  task->tid = atoi (tid_name);
  task->name = status_field (status, "Name");
  allowed = status_field (status, "Cpus_allowed_list");
  task->allowed = allowed != NULL ? kvmrt_id_set_parse (allowed, NULL) : NULL;
  /* "Kthread:" since Linux 6.0; before, kernel threads are those without a memory map. */
  kthread = status_field (status, "Kthread");
  vmsize = kthread == NULL ? status_field (status, "VmSize") : NULL;
  task->kernel = kthread != NULL ? g_str_equal (kthread, "1") : vmsize == NULL;
  if (task->name == NULL)
    task->name = g_strdup ("?");
  return task;
}

static void
read_process_tasks (GPtrArray *tasks, int proc_fd, int pid)
{
  char path[32];
  int task_fd;
  DIR *dir;
  struct dirent *entry;

  g_snprintf (path, sizeof path, "%d/task", pid);
  task_fd = openat (proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (task_fd < 0)
    return;
  dir = fdopendir (task_fd);
  if (dir == NULL)
    {
      close (task_fd);
      return;
    }
  while ((entry = readdir (dir)) != NULL)
    if (g_ascii_isdigit (entry->d_name[0]))
      {
        KvmrtSampleTask *task = read_task (task_fd, pid, entry->d_name);

        if (task != NULL)
          g_ptr_array_add (tasks, task);
      }
  closedir (dir);
}

static int
compare_tasks (gconstpointer a, gconstpointer b)
{
  const KvmrtSampleTask *ta = *(KvmrtSampleTask **) a;
  const KvmrtSampleTask *tb = *(KvmrtSampleTask **) b;

  if (ta->pid != tb->pid)
    return (ta->pid > tb->pid) - (ta->pid < tb->pid);
  return (ta->tid > tb->tid) - (ta->tid < tb->tid);
}

static GPtrArray *
read_tasks (const char *sysroot)
{
  GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_sample_task_free);
  int proc_fd = kvmrt_sysroot_open_dir (sysroot, "proc");
  DIR *dir = proc_fd >= 0 ? fdopendir (dup (proc_fd)) : NULL;
  struct dirent *entry;

  while (dir != NULL && (entry = readdir (dir)) != NULL)
    if (g_ascii_isdigit (entry->d_name[0]))
      read_process_tasks (tasks, proc_fd, atoi (entry->d_name));
  if (dir != NULL)
    closedir (dir);
  if (proc_fd >= 0)
    close (proc_fd);
  g_ptr_array_sort (tasks, compare_tasks);
  return tasks;
}

KvmrtHostSample *
kvmrt_host_sample_read (KvmrtHost *host, KvmrtHostSampleFlags flags, GError **error)
{
  const char *sysroot = kvmrt_host_get_sysroot (host);
  g_autoptr(KvmrtHostSample) sample = g_new0 (KvmrtHostSample, 1);

  g_return_val_if_fail (KVMRT_IS_HOST (host), NULL);

  sample->time = g_get_monotonic_time ();
  sample->n_cpus = kvmrt_host_get_n_cpus (host);
  sample->journal = kvmrt_journal_load (sysroot, error);
  if (sample->journal == NULL)
    return NULL;
  sample->online = read_online (host);
  sample->times = g_new0 (KvmrtCpuTimes, sample->n_cpus);
  if (flags & KVMRT_HOST_SAMPLE_TIMES)
    read_times (sample, sysroot);
  if (flags & KVMRT_HOST_SAMPLE_IRQS)
    {
      if (!kvmrt_irqs_read (sysroot, (flags & KVMRT_HOST_SAMPLE_AFFINITY) != 0, &sample->irqs,
                            &sample->irq_cpus, error))
        return NULL;
    }
  else
    {
      sample->irqs = g_ptr_array_new ();
      sample->irq_cpus = g_array_new (FALSE, FALSE, sizeof (guint));
    }
  sample->tasks = flags & KVMRT_HOST_SAMPLE_TASKS
                  ? read_tasks (sysroot)
                  : g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_sample_task_free);
  return g_steal_pointer (&sample);
}

double
kvmrt_host_sample_load (const KvmrtHostSample *previous,
                        const KvmrtHostSample *current,
                        guint                  cpu)
{
  guint64 busy, total;

  if (previous == NULL || cpu >= current->n_cpus || cpu >= previous->n_cpus
      || !kvmrt_id_set_contains (current->online, cpu))
    return -1;
  total = current->times[cpu].total - previous->times[cpu].total;
  busy = current->times[cpu].busy - previous->times[cpu].busy;
  if (current->times[cpu].total <= previous->times[cpu].total || busy > total)
    return -1;
  return (double) busy / total;
}

/* The row of @previous named like row @row of @current: the same index while the rows stay
 * as they were (the usual case), else a search. */
static const KvmrtIrq *
matching_row (const KvmrtHostSample *previous, const KvmrtIrq *irq, guint row)
{
  if (row < previous->irqs->len
      && g_str_equal (((KvmrtIrq *) previous->irqs->pdata[row])->name, irq->name))
    return previous->irqs->pdata[row];
  for (guint i = 0; i < previous->irqs->len; i++)
    if (g_str_equal (((KvmrtIrq *) previous->irqs->pdata[i])->name, irq->name))
      return previous->irqs->pdata[i];
  return NULL;
}

static int
column_of_cpu (const KvmrtHostSample *sample, guint column_hint, guint cpu)
{
  if (column_hint < sample->irq_cpus->len
      && g_array_index (sample->irq_cpus, guint, column_hint) == cpu)
    return column_hint;
  for (guint i = 0; i < sample->irq_cpus->len; i++)
    if (g_array_index (sample->irq_cpus, guint, i) == cpu)
      return i;
  return -1;
}

guint64
kvmrt_host_sample_irq_delta (const KvmrtHostSample *previous,
                             const KvmrtHostSample *current,
                             guint                  row,
                             guint                  column)
{
  const KvmrtIrq *irq = current->irqs->pdata[row];
  const KvmrtIrq *before;
  guint64 now, then;
  int old_column;

  if (previous == NULL || column >= irq->counts->len)
    return 0;
  before = matching_row (previous, irq, row);
  if (before == NULL)
    return 0;
  /* A CPU that went offline or came back moves the columns: match them by CPU. */
  old_column = irq->counts->len == 1 ? 0
               : column_of_cpu (previous, column,
                                g_array_index (current->irq_cpus, guint, column));
  if (old_column < 0 || (guint) old_column >= before->counts->len)
    return 0;
  now = g_array_index (irq->counts, guint64, column);
  then = g_array_index (before->counts, guint64, old_column);
  return now >= then ? now - then : 0;
}

KvmrtIdSet *
kvmrt_host_sample_housekeeping (const KvmrtHostSample *sample)
{
  KvmrtIdSet *cpus = kvmrt_id_set_copy (sample->online);

  for (guint i = 0; i < sample->journal->vms->len; i++)
    {
      const KvmrtTunedVm *vm = sample->journal->vms->pdata[i];

      kvmrt_id_set_subtract (cpus, vm->shielded);
    }
  return cpus;
}
