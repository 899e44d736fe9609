/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tasks: every thread of the host (or of one process, or those whose name matches a
 * pattern) with its scheduling policy and priority, CPU affinity and the CPU it last ran on;
 * for QEMU's threads, the VM and the vCPU they run. */
#include "rttools-cli.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kvmrt-proc.h"

static int opt_pid;

static const GOptionEntry entries[] = {
  { "pid", 'p', 0, G_OPTION_ARG_INT, &opt_pid, N_("Only the threads of process PID"),
    N_("PID") },
  { NULL }
};

static gboolean
selected (const KvmrtThread *t, GPatternSpec *pattern)
{
  if (opt_pid > 0 && t->pid != opt_pid)
    return FALSE;
  return pattern == NULL || g_pattern_spec_match_string (pattern, t->name)
         || (t->vm != NULL && g_pattern_spec_match_string (pattern, t->vm));
}

static void
print_table (GPtrArray *threads, GPatternSpec *pattern, GString *out)
{
  g_string_append (out, _("PID     TID     S POLICY PRI AFFINITY     CPU  VM/THREAD                  "
                          "NAME\n"));
  for (guint i = 0; i < threads->len; i++)
    {
      const KvmrtThread *t = threads->pdata[i];
      g_autofree char *affinity = rttools_set_text (t->affinity, "-");
      g_autofree char *kind = NULL;
      g_autofree char *vm = NULL;

      if (!selected (t, pattern))
        continue;
      if (t->vm != NULL)
        {
          kind = kvmrt_thread_describe_kind (t);
          vm = g_strdup_printf ("%s/%s", t->vm, kind);
        }
      g_string_append_printf (out, "%-7d %-7d %c %-6s %3d %-12s %3d  %-26s %s\n", t->pid, t->tid,
                              t->state != '\0' ? t->state : '?',
                              kvmrt_sched_policy_to_string (t->policy), t->priority, affinity,
                              t->cpu, vm != NULL ? vm : "-", t->name);
    }
}

static void
write_json (GPtrArray *threads, GPatternSpec *pattern, GString *out)
{
  KvmrtJsonWriter w;

  kvmrt_json_writer_init (&w, out);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member (&w, "tasks");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < threads->len; i++)
    {
      const KvmrtThread *t = threads->pdata[i];

      if (!selected (t, pattern))
        continue;
      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_int (&w, "pid", t->pid);
      kvmrt_json_writer_member_int (&w, "tid", t->tid);
      kvmrt_json_writer_member_string (&w, "name", t->name);
      {
        char state[2] = { t->state, '\0' };

        kvmrt_json_writer_member_string (&w, "state", state);
      }
      kvmrt_json_writer_member_string (&w, "policy", kvmrt_sched_policy_to_string (t->policy));
      kvmrt_json_writer_member_int (&w, "priority", t->priority);
      kvmrt_json_writer_member_id_set (&w, "affinity", t->affinity);
      kvmrt_json_writer_member_int (&w, "cpu", t->cpu);
      kvmrt_json_writer_member_string (&w, "vm", t->vm);
      kvmrt_json_writer_member_string (&w, "kind",
                                       t->vm != NULL ? kvmrt_thread_kind_to_json (t->kind) : NULL);
      kvmrt_json_writer_member_int_or_null (&w, "vcpu", t->vm != NULL ? t->vcpu : -1);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  rttools_json_finish (&w, out);
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GPatternSpec *pattern = NULL;

  rttools_parse (&cli, &argc, &argv, entries, N_("[PATTERN]"),
                 N_("Show the host's threads: scheduling policy and priority, CPU affinity, "
                    "the CPU each last ran on, and for QEMU threads their VM and vCPU. PATTERN "
                    "selects threads by name or VM: a glob with * and ?, or a word found "
                    "anywhere in them."));
  if (cli.args[0] != NULL && cli.args[1] != NULL)
    {
      kvmrt_cli_error (_("give one pattern, not “%s” and “%s”"), cli.args[0], cli.args[1]);
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  threads = kvmrt_proc_list_all_threads (cli.sysroot, &error);
  if (threads == NULL)
    {
      kvmrt_cli_error ("%s", error->message);
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  if (cli.args[0] != NULL)
    {
      /* A plain word is looked for anywhere in the name. */
      g_autofree char *glob = strpbrk (cli.args[0], "*?") != NULL
                              ? g_strdup (cli.args[0]) : g_strdup_printf ("*%s*", cli.args[0]);

      pattern = g_pattern_spec_new (glob);
    }
  if (cli.json)
    write_json (threads, pattern, out);
  else
    print_table (threads, pattern, out);
  rttools_print (out);
  g_clear_pointer (&pattern, g_pattern_spec_free);
  kvmrt_cli_clear (&cli);
  return KVMRT_EXIT_OK;
}
