/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rttools-owner.h"

#include <glib/gi18n.h>

#include "kvmrt-host-change.h"

char *
rttools_owner_text (const KvmrtCpuState *state)
{
  const KvmrtTunedVm *vm = state->owner;

  if (vm == NULL)
    return g_strdup ("-");
  return g_strdup_printf (state->shielded ? _("%s (shielded)") : _("%s (offline sibling)"),
                          kvmrt_tuned_vm_get_label (vm));
}

void
rttools_write_owner (KvmrtJsonWriter *w, const KvmrtCpuState *state)
{
  kvmrt_json_writer_member (w, "owner");
  if (state->owner == NULL)
    {
      kvmrt_json_writer_null (w);
      return;
    }
  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member_string (w, "uuid", state->owner->uuid);
  kvmrt_json_writer_member_string (w, "name", state->owner->name);
  kvmrt_json_writer_member_bool (w, "shielded", state->shielded);
  kvmrt_json_writer_end_object (w);
}

gboolean rttools_force;

const GOptionEntry rttools_force_entries[] = {
  { "force", 0, 0, G_OPTION_ARG_NONE, &rttools_force,
    N_("Change it even onto CPUs a running real-time VM holds"), NULL },
  { NULL }
};

gboolean
rttools_affinity_args (KvmrtCli    *cli,
                       const char  *usage,
                       const char  *not_an_id,
                       guint64      min_id,
                       guint64     *out_id,
                       KvmrtIdSet **out_cpus)
{
  *out_cpus = NULL;
  if (cli->args[0] == NULL || (cli->args[1] != NULL && cli->args[2] != NULL))
    {
      kvmrt_cli_error ("%s", usage);
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (cli->args[0], 10, min_id, G_MAXINT, out_id, NULL))
    {
      g_autofree char *message = NULL;

      /* @not_an_id is a translated literal of the two callers, with one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      message = g_strdup_printf (not_an_id, cli->args[0]);
#pragma GCC diagnostic pop
      kvmrt_cli_error ("%s", message);
      return FALSE;
    }
  return cli->args[1] == NULL || (*out_cpus = rttools_parse_cpus (cli->args[1])) != NULL;
}

KvmrtCpuSnapshot *
rttools_load_snapshot (KvmrtCli *cli, KvmrtHostLoadFlags host_flags, KvmrtCpuSnapshotFlags flags)
{
  g_autoptr(KvmrtHost) host = kvmrt_cli_load_host (cli, host_flags);
  g_autoptr(GError) error = NULL;
  KvmrtCpuSnapshot *snapshot;

  if (host == NULL)
    return NULL;
  snapshot = kvmrt_cpu_snapshot_new (host, flags, &error);
  if (snapshot == NULL)
    kvmrt_cli_error ("%s", error->message);
  return snapshot;
}

int
rttools_change_failed (const GError *error)
{
  kvmrt_cli_error ("%s", error->message);
  return g_error_matches (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID)
         ? KVMRT_EXIT_USAGE : KVMRT_EXIT_FAILED;
}
