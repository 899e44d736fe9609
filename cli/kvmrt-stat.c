/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-stat: the state of the configured VMs (libvirt state, real-time, vCPUs, host CPUs,
 * uptime, tuning) and, with -t, every thread of each running VM's QEMU process read from
 * the sysroot's /proc. */
#include "kvmrt-cli-libvirt.h"
#include "kvmrt-proc.h"
#include "kvmrt-vm-status.h"

#include <glib/gi18n.h>

static gboolean show_threads;

static const GOptionEntry options[] = {
  { "threads", 't', 0, G_OPTION_ARG_NONE, &show_threads,
    N_("List the threads of each running VM: kind, CPU affinity, last CPU, scheduling"), NULL },
  { NULL }
};

/* Gathers @vm's status, saying on stderr when its threads could not be read. */
static void
gather (KvmrtVmStatus   *status,
        KvmrtCliSession *session,
        KvmrtCli        *cli,
        GPtrArray       *qemus,
        KvmrtVm         *vm)
{
  g_autoptr(GError) error = NULL;

  kvmrt_vm_status_gather (status, cli->sysroot, session->host, session->libvirt,
                          kvmrt_cli_session_plan (session, vm), qemus,
                          show_threads ? KVMRT_VM_STATUS_THREADS : KVMRT_VM_STATUS_DEFAULT,
                          &error);
  if (error != NULL)
    kvmrt_cli_error (_("%s: its threads could not be read: %s"), kvmrt_vm_get_label (vm),
                     error->message);
}

static void
print_threads (GString *out, GPtrArray *threads)
{
  g_string_append_printf (out, "    %-8s %-16s %-9s %-10s %-4s %s\n", _("TID"), _("THREAD"),
                          _("KIND"), _("AFFINITY"), _("CPU"), _("POLICY"));
  for (guint i = 0; i < threads->len; i++)
    {
      const KvmrtThread *t = threads->pdata[i];
      g_autofree char *kind = kvmrt_thread_describe_kind (t);
      g_autofree char *affinity = t->affinity != NULL ? kvmrt_id_set_to_string (t->affinity)
                                                      : g_strdup ("?");

      g_string_append_printf (out, "    %-8d %-16s %-9s %-10s %-4d %s", t->tid, t->name, kind,
                              affinity, t->cpu, kvmrt_sched_policy_to_string (t->policy));
      if (t->priority > 0)
        g_string_append_printf (out, " %d", t->priority);
      g_string_append_c (out, '\n');
    }
}

static void
print_guest_services (GString *out, const KvmrtGsVmStats *gs)
{
  g_string_append_printf (out, "    %s %s; ", _("guest services:"),
                          gs->connected ? _("served") : _("not connected"));
  for (guint i = 0; i < kvmrt_gs_counter_count (); i++)
    g_string_append_printf (out, "%s%s %" G_GUINT64_FORMAT, i > 0 ? ", " : "",
                            kvmrt_gs_counter_names[i], kvmrt_gs_vm_stats_counter (gs, i));
  g_string_append_c (out, '\n');
}

static void
print_table (GArray *statuses)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_string_append_printf (out, "%-24s %-14s %-3s %-5s %-16s %-11s %s\n", _("VM"), _("STATE"),
                          _("RT"), _("VCPUS"), _("HOST CPUS"), _("UPTIME"), _("TUNED"));
  for (guint i = 0; i < statuses->len; i++)
    {
      const KvmrtVmStatus *s = &g_array_index (statuses, KvmrtVmStatus, i);
      g_autofree char *cpus = kvmrt_id_set_to_string (s->plan->usable_cpus);
      g_autofree char *uptime = kvmrt_format_uptime (s->uptime);
      const char *tuned = !s->running ? "-" : s->tuned ? _("yes") : _("no");

      g_string_append_printf (out, "%-24s %-14s %-3s %-5u %-16s %-11s %s\n",
                              kvmrt_vm_get_label (s->vm), kvmrt_vm_status_state_text (s),
                              s->plan->rt ? _("yes") : _("no"), s->plan->nr_vcpus,
                              *cpus != '\0' ? cpus : _("any"), uptime, tuned);
      if (s->tuning_note != NULL && s->plan->rt)
        g_string_append_printf (out, "    %s\n", s->tuning_note);
      for (guint d = 0; s->drift != NULL && d < s->drift->len; d++)
        g_string_append_printf (out, "    %s %s\n", _("not in force:"),
                                (char *) s->drift->pdata[d]);
      if (s->guest_services != NULL)
        print_guest_services (out, s->guest_services);
      if (s->threads != NULL)
        print_threads (out, s->threads);
    }
  fwrite (out->str, 1, out->len, stdout);
}

static void
write_thread_json (KvmrtJsonWriter *w, const KvmrtThread *t)
{
  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member_int (w, "tid", t->tid);
  kvmrt_json_writer_member_string (w, "name", t->name);
  kvmrt_json_writer_member_string (w, "kind", kvmrt_thread_kind_to_json (t->kind));
  kvmrt_json_writer_member (w, "vcpu");
  if (t->kind == KVMRT_THREAD_VCPU && t->vcpu >= 0)
    kvmrt_json_writer_int (w, t->vcpu);
  else
    kvmrt_json_writer_null (w);
  kvmrt_json_writer_member (w, "affinity");
  if (t->affinity != NULL)
    kvmrt_json_writer_id_set (w, t->affinity);
  else
    kvmrt_json_writer_null (w);
  kvmrt_json_writer_member_int (w, "cpu", t->cpu);
  kvmrt_json_writer_member_string (w, "policy", kvmrt_sched_policy_to_string (t->policy));
  kvmrt_json_writer_member_int (w, "priority", t->priority);
  kvmrt_json_writer_end_object (w);
}

static void
write_vm_json (KvmrtJsonWriter *w, const KvmrtVmStatus *s)
{
  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member_string (w, "uuid", kvmrt_vm_get_uuid (s->vm));
  kvmrt_json_writer_member_string (w, "name", kvmrt_vm_get_name (s->vm));
  kvmrt_json_writer_member (w, "state");
  kvmrt_json_writer_string (w, s->defined ? kvmrt_libvirt_state_to_json (s->state)
                                          : "undefined");
  kvmrt_json_writer_member_bool (w, "rt", s->plan->rt);
  kvmrt_json_writer_member_bool (w, "tuned", s->tuned);
  kvmrt_json_writer_member_string (w, "tuning_note", s->tuning_note);
  kvmrt_json_writer_member (w, "drift");
  kvmrt_json_writer_begin_array (w);
  for (guint d = 0; s->drift != NULL && d < s->drift->len; d++)
    kvmrt_json_writer_string (w, s->drift->pdata[d]);
  kvmrt_json_writer_end_array (w);
  kvmrt_json_writer_member_int (w, "nr_vcpus", s->plan->nr_vcpus);
  kvmrt_json_writer_member_id_set (w, "host_cpus", s->plan->usable_cpus);
  kvmrt_json_writer_member (w, "pid");
  if (s->pid > 0)
    kvmrt_json_writer_int (w, s->pid);
  else
    kvmrt_json_writer_null (w);
  kvmrt_json_writer_member (w, "uptime");
  if (s->uptime >= 0)
    kvmrt_json_writer_int (w, (gint64) s->uptime);
  else
    kvmrt_json_writer_null (w);
  if (show_threads)
    {
      kvmrt_json_writer_member (w, "threads");
      kvmrt_json_writer_begin_array (w);
      for (guint i = 0; s->threads != NULL && i < s->threads->len; i++)
        write_thread_json (w, s->threads->pdata[i]);
      kvmrt_json_writer_end_array (w);
    }
  kvmrt_json_writer_member (w, "guest_services");
  kvmrt_gs_vm_stats_write_json (s->guest_services, w);
  kvmrt_json_writer_end_object (w);
}

static void
print_json (GArray *statuses)
{
  g_autoptr(GString) text = g_string_new (NULL);
  KvmrtJsonWriter w;

  kvmrt_json_writer_init (&w, text);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member (&w, "vms");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < statuses->len; i++)
    write_vm_json (&w, &g_array_index (statuses, KvmrtVmStatus, i));
  kvmrt_json_writer_end_array (&w);
  kvmrt_json_writer_end_object (&w);
  kvmrt_json_writer_clear (&w);
  fwrite (text->str, 1, text->len, stdout);
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  KvmrtCliSession session = { 0 };
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GPtrArray) qemus = NULL;
  g_autoptr(GArray) statuses = g_array_new (FALSE, TRUE, sizeof (KvmrtVmStatus));

  g_array_set_clear_func (statuses, (GDestroyNotify) kvmrt_vm_status_clear);
  kvmrt_cli_parse (&cli, &argc, &argv,
                   KVMRT_CLI_OPTION_CONFIG | KVMRT_CLI_OPTION_CONNECT | KVMRT_CLI_OPTION_SYSROOT
                   | KVMRT_CLI_OPTION_JSON | KVMRT_CLI_OPTION_ALL,
                   options, _("[VM...]"),
                   N_("Show the state of the configured VMs (enabled ones; --all: all; or those "
                      "named): libvirt state, real-time, vCPUs, host CPUs, uptime and "
                      "whether their real-time tuning is in force."));

  if (!kvmrt_cli_session_open (&session, &cli)
      || (vms = kvmrt_cli_select_vms (&cli, session.config)) == NULL)
    {
      return kvmrt_cli_session_finish (&session, &cli, KVMRT_EXIT_USAGE);
    }

  qemus = kvmrt_proc_list_qemus (cli.sysroot);
  g_array_set_size (statuses, vms->len);
  for (guint i = 0; i < vms->len; i++)
    gather (&g_array_index (statuses, KvmrtVmStatus, i), &session, &cli, qemus, vms->pdata[i]);
  if (cli.json)
    print_json (statuses);
  else
    print_table (statuses);

  return kvmrt_cli_session_finish (&session, &cli, KVMRT_EXIT_OK);
}
