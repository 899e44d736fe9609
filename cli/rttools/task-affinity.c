/* SPDX-License-Identifier: GPL-2.0-or-later */
/* task-affinity: shows a thread's CPU affinity, or sets it (the running host only), refusing
 * CPUs a running real-time VM holds unless --force (core/virt/kvmrt-host-change.h). */
#include "rttools-owner.h"

#include <glib/gi18n.h>

#include "kvmrt-host-change.h"
#include "kvmrt-proc.h"

/* Thread @tid as tasks shows it, or NULL: from the threads of its process (proc/TID/task
 * lists them for any thread of it). */
static KvmrtThread *
find_thread (const char *sysroot, int tid)
{
  g_autoptr(GPtrArray) threads = kvmrt_proc_list_threads (sysroot, tid, NULL);

  for (guint i = 0; threads != NULL && i < threads->len; i++)
    if (((KvmrtThread *) threads->pdata[i])->tid == tid)
      return g_ptr_array_steal_index (threads, i);
  return NULL;
}

static void
show (const KvmrtThread *t, gboolean json, gboolean changed, GString *out)
{
  g_autofree char *affinity = rttools_set_text (t->affinity, "-");
  KvmrtJsonWriter w;

  if (!json)
    {
      g_string_append_printf (out, _("Thread %d (%s, process %d): affinity %s, last CPU %d\n"),
                              t->tid, t->name, t->pid, affinity, t->cpu);
      return;
    }
  kvmrt_json_writer_init (&w, out);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member_int (&w, "tid", t->tid);
  kvmrt_json_writer_member_int (&w, "pid", t->pid);
  kvmrt_json_writer_member_string (&w, "name", t->name);
  kvmrt_json_writer_member_id_set (&w, "affinity", t->affinity);
  kvmrt_json_writer_member_int (&w, "cpu", t->cpu);
  kvmrt_json_writer_member_bool (&w, "changed", changed);
  rttools_json_finish (&w, out);
}

static int
run (KvmrtCli *cli)
{
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtIdSet) cpus = NULL;
  g_autoptr(KvmrtThread) thread = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  guint64 tid;

  if (!rttools_affinity_args (cli, _("usage: task-affinity PID [CPUS] (see --help)"),
                              _("“%s” is not a process or thread ID (tasks lists them)"), 1,
                              &tid, &cpus))
    return KVMRT_EXIT_USAGE;
  if (cpus != NULL)
    {
      host = kvmrt_cli_load_host (cli, KVMRT_HOST_LOAD_NO_PCI | KVMRT_HOST_LOAD_NO_IRQS);
      if (host == NULL)
        return KVMRT_EXIT_USAGE;
      if (!kvmrt_host_change_task_affinity (host, (int) tid, cpus, rttools_force, &error))
        return rttools_change_failed (error);
    }
  thread = find_thread (cli->sysroot, (int) tid);
  if (thread == NULL)
    {
      kvmrt_cli_error (_("there is no thread %s (tasks lists them)"), cli->args[0]);
      return KVMRT_EXIT_USAGE;
    }
  show (thread, cli->json, cpus != NULL, out);
  rttools_print (out);
  return KVMRT_EXIT_OK;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  int status;

  rttools_parse (&cli, &argc, &argv, rttools_force_entries, N_("PID [CPUS]"),
                 N_("Show the CPU affinity of thread (or process) PID, or set it to the CPU "
                    "list CPUS (as 0-3,8)."));
  status = run (&cli);
  kvmrt_cli_clear (&cli);
  return status;
}
