/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpus: each CPU's core, node and package, whether it is online, which real-time VM holds it
 * (kvmrt's tuning journal), isolcpus= and nohz_full= membership and frequency governor; with
 * --online or --offline, changes the CPUs' state through kvmrt's journal (see
 * core/virt/kvmrt-host-change.h), refusing CPUs a running real-time VM holds unless --force. */
#include "rttools-owner.h"

#include <glib/gi18n.h>

#include "kvmrt-host-change.h"

static gboolean opt_online;
static gboolean opt_offline;
static gboolean opt_force;

static const GOptionEntry entries[] = {
  { "online", 0, 0, G_OPTION_ARG_NONE, &opt_online, N_("Bring the CPUs online"), NULL },
  { "offline", 0, 0, G_OPTION_ARG_NONE, &opt_offline, N_("Take the CPUs offline"), NULL },
  { "force", 0, 0, G_OPTION_ARG_NONE, &opt_force,
    N_("Change CPUs even when a running real-time VM holds them"), NULL },
  { NULL }
};

static const char *
flag (gboolean value)
{
  return value ? _("yes") : "-";
}

static void
print_table (KvmrtCpuSnapshot *snapshot, const KvmrtIdSet *cpus, GString *out)
{
  g_string_append (out, _("CPU  CORE NODE PKG  STATE    ISOL NOHZ GOVERNOR     REAL-TIME VM\n"));
  for (int c = kvmrt_id_set_first (cpus); c >= 0; c = kvmrt_id_set_next (cpus, c))
    {
      const KvmrtCpuState *state = kvmrt_cpu_snapshot_get (snapshot, c);
      g_autofree char *owner = rttools_owner_text (state);

      g_string_append_printf (out, "%3d %5d %4d %3d  %-8s %-4s %-4s %-12s %s\n", c,
                              kvmrt_host_get_cpu_level (snapshot->host, KVMRT_HOST_LEVEL_CORE, c),
                              kvmrt_host_get_cpu_level (snapshot->host, KVMRT_HOST_LEVEL_NODE, c),
                              kvmrt_host_get_cpu_level (snapshot->host, KVMRT_HOST_LEVEL_PACKAGE,
                                                        c),
                              state->online ? _("online") : _("offline"),
                              flag (state->isolated), flag (state->nohz_full),
                              state->governor != NULL ? state->governor : "-", owner);
    }
}

static void
write_json (KvmrtCpuSnapshot *snapshot, const KvmrtIdSet *cpus, const KvmrtIdSet *changed,
            GString *out)
{
  KvmrtJsonWriter w;

  kvmrt_json_writer_init (&w, out);
  kvmrt_json_writer_begin_object (&w);
  if (changed != NULL)
    kvmrt_json_writer_member_id_set (&w, "changed", changed);
  kvmrt_json_writer_member (&w, "cpus");
  kvmrt_json_writer_begin_array (&w);
  for (int c = kvmrt_id_set_first (cpus); c >= 0; c = kvmrt_id_set_next (cpus, c))
    {
      const KvmrtCpuState *state = kvmrt_cpu_snapshot_get (snapshot, c);

      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_int (&w, "cpu", c);
      kvmrt_json_writer_member_int (&w, "core", kvmrt_host_get_cpu_level (snapshot->host,
                                                                          KVMRT_HOST_LEVEL_CORE,
                                                                          c));
      kvmrt_json_writer_member_int (&w, "node", kvmrt_host_get_cpu_level (snapshot->host,
                                                                          KVMRT_HOST_LEVEL_NODE,
                                                                          c));
      kvmrt_json_writer_member_int (&w, "package",
                                    kvmrt_host_get_cpu_level (snapshot->host,
                                                              KVMRT_HOST_LEVEL_PACKAGE, c));
      kvmrt_json_writer_member_bool (&w, "online", state->online);
      kvmrt_json_writer_member_bool (&w, "isolated", state->isolated);
      kvmrt_json_writer_member_bool (&w, "nohz_full", state->nohz_full);
      kvmrt_json_writer_member_string (&w, "governor", state->governor);
      rttools_write_owner (&w, state);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  rttools_json_finish (&w, out);
}

/* The CPUs the arguments name (every CPU without one), or NULL after saying why not. */
static KvmrtIdSet *
selected_cpus (KvmrtHost *host, char **args)
{
  g_autoptr(KvmrtIdSet) cpus = NULL;
  g_autoptr(KvmrtIdSet) missing = NULL;

  if (args[0] == NULL)
    return kvmrt_id_set_copy (kvmrt_host_get_cpus (host));
  if (args[1] != NULL)
    {
      kvmrt_cli_error (_("give one CPU list (as 0-3,8), not “%s” and “%s”"), args[0], args[1]);
      return NULL;
    }
  cpus = rttools_parse_cpus (args[0]);
  if (cpus == NULL)
    return NULL;
  missing = kvmrt_id_set_copy (cpus);
  kvmrt_id_set_subtract (missing, kvmrt_host_get_cpus (host));
  if (!kvmrt_id_set_is_empty (missing))
    {
      g_autofree char *list = kvmrt_id_set_to_string (missing);
      g_autofree char *all = kvmrt_id_set_to_string (kvmrt_host_get_cpus (host));

      kvmrt_cli_error (_("the host has no CPU %s (its CPUs are %s)"), list, all);
      return NULL;
    }
  return g_steal_pointer (&cpus);
}

/* Changes the CPUs' state; prints what was done and returns the exit code. */
static int
change (KvmrtCli *cli, KvmrtHost *host, const KvmrtIdSet *cpus, KvmrtIdSet *changed)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = kvmrt_host_change_cpus_online (host, cpus, opt_online, opt_force, changed,
                                               &error);

  if (!kvmrt_id_set_is_empty (changed) && !cli->json)
    {
      g_autofree char *list = kvmrt_id_set_to_string (changed);

      g_print (opt_online ? _("CPU %s brought online\n") : _("CPU %s taken offline\n"), list);
    }
  return ok ? KVMRT_EXIT_OK : rttools_change_failed (error);
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(KvmrtCpuSnapshot) snapshot = NULL;
  g_autoptr(KvmrtIdSet) cpus = NULL;
  g_autoptr(KvmrtIdSet) changed = kvmrt_id_set_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  int status = KVMRT_EXIT_OK;

  rttools_parse (&cli, &argc, &argv, entries, N_("[CPUS]"),
                 N_("Show the state of the host's CPUs (all, or the CPU list CPUS such as "
                    "0-3,8), or change it with --online or --offline."));
  if (opt_online && opt_offline)
    {
      kvmrt_cli_error (_("--online and --offline exclude each other"));
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  snapshot = rttools_load_snapshot (&cli, KVMRT_HOST_LOAD_NO_PCI | KVMRT_HOST_LOAD_NO_IRQS,
                                    KVMRT_CPU_SNAPSHOT_DEFAULT);
  cpus = snapshot != NULL ? selected_cpus (snapshot->host, cli.args) : NULL;
  if (cpus == NULL)
    {
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  if (opt_online || opt_offline)
    {
      if (cli.args[0] == NULL)
        {
          kvmrt_cli_error (_("name the CPUs to change (as 0-3,8)"));
          kvmrt_cli_clear (&cli);
          return KVMRT_EXIT_USAGE;
        }
      status = change (&cli, snapshot->host, cpus, changed);
      if (!cli.json)
        {
          kvmrt_cli_clear (&cli);
          return status;
        }
      /* The state after the change. */
      g_clear_pointer (&snapshot, kvmrt_cpu_snapshot_free);
      snapshot = rttools_load_snapshot (&cli, KVMRT_HOST_LOAD_NO_PCI | KVMRT_HOST_LOAD_NO_IRQS,
                                        KVMRT_CPU_SNAPSHOT_DEFAULT);
      if (snapshot == NULL)
        {
          kvmrt_cli_clear (&cli);
          return KVMRT_EXIT_FAILED;
        }
    }
  if (cli.json)
    write_json (snapshot, cpus, opt_online || opt_offline ? changed : NULL, out);
  else
    print_table (snapshot, cpus, out);
  rttools_print (out);
  kvmrt_cli_clear (&cli);
  return status;
}
