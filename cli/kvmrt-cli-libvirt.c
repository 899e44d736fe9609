/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-cli-libvirt.h"

#include <glib/gi18n.h>

KvmrtLibvirt *
kvmrt_cli_open_libvirt (KvmrtCli *cli)
{
  g_autoptr(GError) error = NULL;
  KvmrtLibvirt *libvirt = kvmrt_libvirt_open (cli->connect_uri, &error);

  if (libvirt == NULL)
    kvmrt_cli_error ("%s", error->message);
  return libvirt;
}

gboolean
kvmrt_cli_session_open_on (KvmrtCliSession *session, KvmrtCli *cli, KvmrtLibvirt *libvirt)
{
  session->config = kvmrt_cli_load_config (cli);
  if (session->config == NULL)
    return FALSE;
  /* With IRQs: the tuner moves them. */
  session->host = kvmrt_cli_load_host (cli, KVMRT_HOST_LOAD_DEFAULT);
  if (session->host == NULL)
    return FALSE;
  session->libvirt = libvirt != NULL ? g_object_ref (libvirt) : kvmrt_cli_open_libvirt (cli);
  if (session->libvirt == NULL)
    return FALSE;
  session->plan = kvmrt_plan_new (session->config, session->host);
  return TRUE;
}

gboolean
kvmrt_cli_session_open (KvmrtCliSession *session, KvmrtCli *cli)
{
  return kvmrt_cli_session_open_on (session, cli, NULL);
}

void
kvmrt_cli_session_clear (KvmrtCliSession *session)
{
  g_clear_pointer (&session->plan, kvmrt_plan_free);
  g_clear_object (&session->libvirt);
  g_clear_object (&session->host);
  g_clear_object (&session->config);
}

int
kvmrt_cli_session_finish (KvmrtCliSession *session, KvmrtCli *cli, int status)
{
  kvmrt_cli_session_clear (session);
  kvmrt_cli_clear (cli);
  return status;
}

gboolean
kvmrt_cli_session_validate (KvmrtCliSession *session, KvmrtCli *cli)
{
  g_autoptr(GPtrArray) diagnostics = kvmrt_validate (session->plan, 0);

  if (kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR) == 0)
    return TRUE;
  kvmrt_cli_print_diagnostics (diagnostics, cli->config_path, stderr);
  kvmrt_cli_error (_("the configuration has errors; fix them with kvmrt-edit-config first"));
  return FALSE;
}

const KvmrtVmPlan *
kvmrt_cli_session_plan (KvmrtCliSession *session, KvmrtVm *vm)
{
  return kvmrt_plan_lookup (session->plan, vm);
}

void
kvmrt_cli_print_sync (KvmrtVm *vm, const KvmrtSyncState *state, const GError *error,
                      gboolean quiet)
{
  g_autofree char *worded = NULL;

  if (state == NULL)
    kvmrt_cli_error ("%s: %s", kvmrt_vm_get_label (vm), error->message);
  else if ((worded = kvmrt_sync_state_word (state, kvmrt_vm_get_label (vm),
                                            KVMRT_SYNC_WORDING_LINES)) != NULL)
    g_print ("%s\n", worded);
  else if (!quiet)
    g_print (_("%s: already in sync with libvirt\n"), kvmrt_vm_get_label (vm));
}

gboolean
kvmrt_cli_sync_vm (KvmrtCliSession *session, KvmrtVm *vm, gboolean quiet)
{
  g_autoptr(KvmrtSyncState) state = NULL;
  g_autoptr(GError) error = NULL;

  kvmrt_sync_to_libvirt (session->libvirt, kvmrt_cli_session_plan (session, vm), &state,
                         &error);
  kvmrt_cli_print_sync (vm, state, error, quiet);
  return state != NULL;
}

char *
kvmrt_cli_describe_attrs (guint attrs)
{
  GString *text = g_string_new (NULL);

  for (guint attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    if (attrs & (1u << attr))
      g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "",
                              kvmrt_vm_attr_get_key (attr));
  return g_string_free (text, FALSE);
}

guint
kvmrt_cli_count_errors (KvmrtConfig *config, KvmrtHost *host)
{
  g_autoptr(KvmrtPlan) plan = kvmrt_plan_new (config, host);
  g_autoptr(GPtrArray) diagnostics = kvmrt_validate (plan, 0);

  return kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR);
}

gboolean
kvmrt_cli_save_checked (KvmrtCli *cli, KvmrtConfig *config, KvmrtHost *host,
                        guint errors_before, gboolean *out_changed)
{
  g_autoptr(GPtrArray) diagnostics = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) written = NULL;
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  guint errors;

  /* Judged on the text that will be written, read back: whatever the file's layout does to
   * an edit is what gets counted, not the model in memory. */
  text = kvmrt_config_to_data (config, &length);
  written = kvmrt_config_load_from_data (text, length, cli->config_path, &error);
  if (written == NULL)
    {
      kvmrt_cli_error (_("the edited configuration does not read back (%s), so nothing was "
                         "written to %s"), error->message, cli->config_path);
      return FALSE;
    }
  plan = kvmrt_plan_new (written, host);
  diagnostics = kvmrt_validate (plan, 0);
  errors = kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR);

  if (diagnostics->len > 0)
    kvmrt_cli_print_diagnostics (diagnostics, cli->config_path,
                                 errors > errors_before ? stderr : stdout);
  if (errors > errors_before)
    {
      kvmrt_cli_error (_("libvirt's values would add errors to %s, so nothing was written. "
                         "Correct the domains (virsh edit), or write the configuration into "
                         "libvirt with kvmrt-sync-config instead"), cli->config_path);
      return FALSE;
    }
  if (!kvmrt_config_save (config, cli->config_path, &error))
    {
      if (out_changed != NULL
          && g_error_matches (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_CHANGED))
        *out_changed = TRUE;
      else
        kvmrt_cli_error ("%s", error->message);
      return FALSE;
    }
  return TRUE;
}
