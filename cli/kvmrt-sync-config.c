/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-sync-config: write the configuration into libvirt's domain definitions (default),
 * read libvirt's edits back into the configuration (-r), or only say what differs (-q). */
#include "kvmrt-cli-libvirt.h"

#include <glib/gi18n.h>

static gboolean reverse;
static gboolean query;

static const GOptionEntry options[] = {
  { "reverse", 'r', 0, G_OPTION_ARG_NONE, &reverse,
    N_("Take what was changed in libvirt (virsh edit, virt-manager) into the configuration"),
    NULL },
  { "query", 'q', 0, G_OPTION_ARG_NONE, &query,
    N_("Change nothing; report which VMs differ from libvirt and how (exit 1 if any does)"),
    NULL },
  { NULL }
};

static void
write_change_json (KvmrtJsonWriter *w, const KvmrtDomainChange *c)
{
  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member_string (w, "field", kvmrt_domain_field_to_string (c->field));
  kvmrt_json_writer_member_string (w, "attribute", kvmrt_vm_attr_get_key (c->attr));
  kvmrt_json_writer_member_string (w, "libvirt", c->current);
  kvmrt_json_writer_member_string (w, "config", c->wanted);
  kvmrt_json_writer_member_bool (w, "needs_restart", c->needs_restart);
  kvmrt_json_writer_end_object (w);
}

static void
write_state_json (KvmrtJsonWriter *w, KvmrtVm *vm, const KvmrtSyncState *state)
{
  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member_string (w, "uuid", kvmrt_vm_get_uuid (vm));
  kvmrt_json_writer_member_string (w, "name", kvmrt_vm_get_name (vm));
  kvmrt_json_writer_member_bool (w, "defined", state != NULL);
  kvmrt_json_writer_member_bool (w, "in_sync", state != NULL && state->changes->len == 0);
  kvmrt_json_writer_member_bool (w, "running", state != NULL && state->running);
  kvmrt_json_writer_member (w, "changes");
  kvmrt_json_writer_begin_array (w);
  for (guint i = 0; state != NULL && i < state->changes->len; i++)
    write_change_json (w, state->changes->pdata[i]);
  kvmrt_json_writer_end_array (w);
  kvmrt_json_writer_end_object (w);
}

/* -q: one line (or JSON object) per VM; TRUE if all are in sync. */
static gboolean
run_query (KvmrtCliSession *session, GPtrArray *vms, gboolean json)
{
  g_autoptr(GString) text = g_string_new (NULL);
  KvmrtJsonWriter w;
  gboolean all_in_sync = TRUE;

  kvmrt_json_writer_init (&w, text);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member (&w, "vms");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < vms->len; i++)
    {
      KvmrtVm *vm = vms->pdata[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(KvmrtSyncState) state =
        kvmrt_sync_compare (session->libvirt, kvmrt_cli_session_plan (session, vm), &error);
      g_autofree char *described = NULL;

      if (state == NULL || state->changes->len > 0)
        all_in_sync = FALSE;
      if (json)
        {
          write_state_json (&w, vm, state);
          if (state == NULL)
            kvmrt_cli_error ("%s", error->message);
          continue;
        }
      if (state == NULL)
        g_print (_("%s: %s\n"), kvmrt_vm_get_label (vm), error->message);
      else if (state->changes->len == 0)
        g_print (_("%s: in sync\n"), kvmrt_vm_get_label (vm));
      else
        {
          described = kvmrt_sync_state_describe (state, "\n    ");
          g_print (_("%s: out of sync (libvirt's value -> the config's):\n    %s\n"),
                   kvmrt_vm_get_label (vm), described);
        }
    }
  kvmrt_json_writer_end_array (&w);
  kvmrt_json_writer_member_bool (&w, "in_sync", all_in_sync);
  kvmrt_json_writer_end_object (&w);
  kvmrt_json_writer_clear (&w);
  if (json)
    fwrite (text->str, 1, text->len, stdout);
  return all_in_sync;
}

/* -r: libvirt's values into the config; saved atomically once, at the end. */
static int
run_reverse (KvmrtCliSession *session, KvmrtCli *cli, GPtrArray *vms)
{
  guint errors_before = kvmrt_cli_count_errors (session->config, session->host);
  gboolean failed = FALSE;
  guint changed = 0;

  for (guint i = 0; i < vms->len; i++)
    {
      KvmrtVm *vm = vms->pdata[i];
      g_autoptr(GError) vm_error = NULL;
      g_autofree char *described = NULL;
      guint attrs = 0;

      if (!kvmrt_sync_from_libvirt (session->libvirt, kvmrt_cli_session_plan (session, vm),
                                    &attrs, &vm_error))
        {
          kvmrt_cli_error ("%s: %s", kvmrt_vm_get_label (vm), vm_error->message);
          failed = TRUE;
          continue;
        }
      if (attrs == 0)
        continue;
      changed++;
      described = kvmrt_cli_describe_attrs (attrs);
      g_print (_("%s: took from libvirt: %s\n"), kvmrt_vm_get_label (vm), described);
    }
  if (changed == 0)
    {
      g_print (_("%s: nothing to take from libvirt\n"), cli->config_path);
      return failed ? KVMRT_EXIT_FAILED : KVMRT_EXIT_OK;
    }
  /* libvirt accepts combinations kvmrt does not (the manual asks for a validation after -r). */
  if (!kvmrt_cli_save_checked (cli, session->config, session->host, errors_before,
                               NULL))
    return KVMRT_EXIT_FAILED;
  g_print (_("%s: saved\n"), cli->config_path);
  return failed ? KVMRT_EXIT_FAILED : KVMRT_EXIT_OK;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  KvmrtCliSession session = { 0 };
  g_autoptr(GPtrArray) vms = NULL;
  int status = KVMRT_EXIT_OK;

  kvmrt_cli_parse (&cli, &argc, &argv,
                   KVMRT_CLI_OPTION_CONFIG | KVMRT_CLI_OPTION_CONNECT | KVMRT_CLI_OPTION_SYSROOT
                   | KVMRT_CLI_OPTION_JSON | KVMRT_CLI_OPTION_ALL,
                   options, _("[VM...]"),
                   N_("Write each VM's configuration (pinning, NUMA memory, memory locking, "
                      "PCI devices, ...) into its libvirt domain, leaving the rest of the "
                      "domain as it is; or, with -r, the other way round.\nWithout VM "
                      "arguments: every enabled VM (--all: disabled ones too)."));
  if (reverse && query)
    {
      kvmrt_cli_error (_("-r and -q exclude each other"));
      return KVMRT_EXIT_USAGE;
    }
  if (cli.json && !query)
    {
      kvmrt_cli_error (_("--json only goes with -q"));
      return KVMRT_EXIT_USAGE;
    }
  /* -r writes the file: keep it locked from its read to the save. */
  cli.for_update = reverse;
  cli.changes_host = !query;
  if (!kvmrt_cli_session_open (&session, &cli)
      || (vms = kvmrt_cli_select_vms (&cli, session.config)) == NULL)
    {
      return kvmrt_cli_session_finish (&session, &cli, KVMRT_EXIT_USAGE);
    }

  if (query)
    status = run_query (&session, vms, cli.json) ? KVMRT_EXIT_OK : KVMRT_EXIT_FAILED;
  else if (reverse)
    status = run_reverse (&session, &cli, vms);
  else if (!kvmrt_cli_session_validate (&session, &cli))
    status = KVMRT_EXIT_FAILED;
  else
    for (guint i = 0; i < vms->len; i++)
      if (!kvmrt_cli_sync_vm (&session, vms->pdata[i], FALSE))
        status = KVMRT_EXIT_FAILED;

  return kvmrt_cli_session_finish (&session, &cli, status);
}
