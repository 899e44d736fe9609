/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpustat: the host's topology, each CPU's state, which real-time VM holds it, and the IRQs
 * and threads allowed on it and running there, in one display (KvmrtCpuSnapshot); -d SECONDS
 * refreshes it. */
#include "rttools-owner.h"

#include <glib/gi18n.h>

static double opt_delay;
static int opt_count;
static gboolean opt_verbose;

static const GOptionEntry entries[] = {
  { "delay", 'd', 0, G_OPTION_ARG_DOUBLE, &opt_delay,
    N_("Refresh every SECONDS (in place on a terminal)"), N_("SECONDS") },
  { "count", 'n', 0, G_OPTION_ARG_INT, &opt_count,
    N_("With -d, stop after COUNT displays"), N_("COUNT") },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
    N_("List each CPU's effective IRQs and the threads bound to it"), NULL },
  { NULL }
};

static void
print_summary (KvmrtCpuSnapshot *snapshot, GString *out)
{
  KvmrtHost *host = snapshot->host;
  const char *name = kvmrt_host_get_hostname (host);
  const char *machine = kvmrt_host_get_machine (host);

  g_string_append_printf (out, _("Host %s (%s): %u package(s), %u NUMA node(s), %u cores, "
                                 "%u CPUs (%u online)\n"),
                          name != NULL ? name : "?", machine != NULL ? machine : "?",
                          kvmrt_id_set_count (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_PACKAGE)),
                          kvmrt_id_set_count (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_NODE)),
                          kvmrt_id_set_count (kvmrt_host_get_ids (host, KVMRT_HOST_LEVEL_CORE)),
                          kvmrt_id_set_count (kvmrt_host_get_cpus (host)),
                          kvmrt_id_set_count (kvmrt_host_get_online_cpus (host)));
  for (guint i = 0; i < snapshot->journal->vms->len; i++)
    {
      const KvmrtTunedVm *vm = snapshot->journal->vms->pdata[i];
      g_autofree char *shielded = rttools_set_text (vm->shielded, "-");
      g_autofree char *offline = rttools_set_text (vm->offline, "-");

      g_string_append_printf (out, _("Real-time VM %s: shielded CPUs %s, offline siblings %s\n"),
                              kvmrt_tuned_vm_get_label (vm), shielded, offline);
    }
}

static void
append_ints (GString *out, const GArray *values)
{
  for (guint i = 0; i < values->len; i++)
    g_string_append_printf (out, " %d", g_array_index (values, int, i));
}

static void
print_cpus (KvmrtCpuSnapshot *snapshot, GString *out)
{
  const KvmrtIdSet *cpus = kvmrt_host_get_cpus (snapshot->host);

  g_string_append (out, _("\nCPU  NODE CORE STATE    REAL-TIME VM           IRQS  EFF  TASKS "
                          "BOUND LAST  RUN\n"));
  for (int c = kvmrt_id_set_first (cpus); c >= 0; c = kvmrt_id_set_next (cpus, c))
    {
      const KvmrtCpuState *s = kvmrt_cpu_snapshot_get (snapshot, c);
      g_autofree char *owner = rttools_owner_text (s);
      g_autofree char *state = g_strdup_printf ("%s%s%s", s->online ? _("online") : _("offline"),
                                                s->isolated ? "+i" : "",
                                                s->nohz_full ? "+n" : "");

      g_string_append_printf (out, "%3d %5d %4d %-8s %-22s %4u %4u %6u %5u %4u %4u\n", c,
                              kvmrt_host_get_cpu_level (snapshot->host, KVMRT_HOST_LEVEL_NODE, c),
                              kvmrt_host_get_cpu_level (snapshot->host, KVMRT_HOST_LEVEL_CORE, c),
                              state, owner, s->irqs->len, s->effective_irqs->len,
                              s->n_tasks_allowed, s->bound_tasks->len, s->last_tasks->len,
                              s->n_tasks_running);
      if (!opt_verbose)
        continue;
      if (s->effective_irqs->len > 0)
        {
          g_string_append (out, _("     IRQs here:"));
          append_ints (out, s->effective_irqs);
          g_string_append_c (out, '\n');
        }
      for (guint t = 0; t < s->bound_tasks->len; t++)
        {
          const KvmrtThread *thread = s->bound_tasks->pdata[t];
          g_autofree char *affinity = rttools_set_text (thread->affinity, "-");

          g_string_append_printf (out, _("     bound: %d %s (CPUs %s)\n"), thread->tid,
                                  thread->name, affinity);
        }
    }
  g_string_append (out, _("(+i isolcpus, +n nohz_full; IRQS allowed, EFF routed there; TASKS "
                          "allowed, BOUND to some CPUs only, LAST ran there, RUN of those "
                          "running now)\n"));
}

static void
write_threads (KvmrtJsonWriter *w, const char *name, GPtrArray *threads)
{
  kvmrt_json_writer_member (w, name);
  kvmrt_json_writer_begin_array (w);
  for (guint t = 0; t < threads->len; t++)
    kvmrt_json_writer_int (w, ((KvmrtThread *) threads->pdata[t])->tid);
  kvmrt_json_writer_end_array (w);
}

static void
write_ints (KvmrtJsonWriter *w, const char *name, GArray *values)
{
  kvmrt_json_writer_member (w, name);
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; i < values->len; i++)
    kvmrt_json_writer_int (w, g_array_index (values, int, i));
  kvmrt_json_writer_end_array (w);
}

static void
write_json (KvmrtCpuSnapshot *snapshot, GString *out)
{
  const KvmrtIdSet *cpus = kvmrt_host_get_cpus (snapshot->host);
  KvmrtJsonWriter w;

  kvmrt_json_writer_init (&w, out);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member_string (&w, "hostname", kvmrt_host_get_hostname (snapshot->host));
  kvmrt_json_writer_member_string (&w, "machine", kvmrt_host_get_machine (snapshot->host));
  kvmrt_json_writer_member (&w, "vms");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < snapshot->journal->vms->len; i++)
    {
      const KvmrtTunedVm *vm = snapshot->journal->vms->pdata[i];

      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_string (&w, "uuid", vm->uuid);
      kvmrt_json_writer_member_string (&w, "name", vm->name);
      kvmrt_json_writer_member_id_set (&w, "shielded", vm->shielded);
      kvmrt_json_writer_member_id_set (&w, "offline", vm->offline);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  kvmrt_json_writer_member (&w, "cpus");
  kvmrt_json_writer_begin_array (&w);
  for (int c = kvmrt_id_set_first (cpus); c >= 0; c = kvmrt_id_set_next (cpus, c))
    {
      const KvmrtCpuState *s = kvmrt_cpu_snapshot_get (snapshot, c);

      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_int (&w, "cpu", c);
      kvmrt_json_writer_member_int (&w, "package",
                                    kvmrt_host_get_cpu_level (snapshot->host,
                                                              KVMRT_HOST_LEVEL_PACKAGE, c));
      kvmrt_json_writer_member_int (&w, "node",
                                    kvmrt_host_get_cpu_level (snapshot->host,
                                                              KVMRT_HOST_LEVEL_NODE, c));
      kvmrt_json_writer_member_int (&w, "core",
                                    kvmrt_host_get_cpu_level (snapshot->host,
                                                              KVMRT_HOST_LEVEL_CORE, c));
      kvmrt_json_writer_member_bool (&w, "online", s->online);
      kvmrt_json_writer_member_bool (&w, "isolated", s->isolated);
      kvmrt_json_writer_member_bool (&w, "nohz_full", s->nohz_full);
      kvmrt_json_writer_member_string (&w, "governor", s->governor);
      rttools_write_owner (&w, s);
      write_ints (&w, "irqs", s->irqs);
      write_ints (&w, "effective_irqs", s->effective_irqs);
      kvmrt_json_writer_member_int (&w, "tasks_allowed", s->n_tasks_allowed);
      write_threads (&w, "bound_tasks", s->bound_tasks);
      write_threads (&w, "last_tasks", s->last_tasks);
      kvmrt_json_writer_member_int (&w, "tasks_running", s->n_tasks_running);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  rttools_json_finish (&w, out);
}

typedef struct {
  KvmrtCli         *cli;
  KvmrtCpuSnapshot *first;   /* loaded before the loop, to tell a bad sysroot (exit 2) */
} Cpustat;

static gboolean
draw (GString *out, gpointer data)
{
  Cpustat *cpustat = data;
  KvmrtCli *cli = cpustat->cli;
  g_autoptr(KvmrtCpuSnapshot) snapshot = g_steal_pointer (&cpustat->first);

  if (snapshot == NULL)
    snapshot = rttools_load_snapshot (cli, KVMRT_HOST_LOAD_NO_PCI, KVMRT_CPU_SNAPSHOT_TASKS);
  if (snapshot == NULL)
    return FALSE;
  if (cli->json)
    write_json (snapshot, out);
  else
    {
      print_summary (snapshot, out);
      print_cpus (snapshot, out);
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  Cpustat cpustat = { &cli, NULL };
  int status;

  rttools_parse (&cli, &argc, &argv, entries, "",
                 N_("Show the host's topology and, for each CPU, its state, the real-time VM "
                    "holding it, and the IRQs and threads allowed on it and running there."));
  if (cli.args[0] != NULL || opt_delay < 0 || opt_count < 0)
    {
      kvmrt_cli_error (cli.args[0] != NULL ? _("unexpected argument (see --help)")
                                           : _("-d and -n take positive numbers"));
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  cpustat.first = rttools_load_snapshot (&cli, KVMRT_HOST_LOAD_NO_PCI, KVMRT_CPU_SNAPSHOT_TASKS);
  if (cpustat.first == NULL)
    {
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  status = rttools_refresh (opt_delay, opt_count, cli.json, draw, &cpustat);
  kvmrt_cli_clear (&cli);
  return status;
}
