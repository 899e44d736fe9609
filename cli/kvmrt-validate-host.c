/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-validate-host: is this host fit to run real-time VMs? Each check passes, warns or
 * fails, and says how to fix what it found. Exit 1 when a check fails. */
#include "kvmrt-cli-libvirt.h"
#include "kvmrt-host-check.h"

#include <glib/gi18n.h>

/* The configuration, to judge its real-time CPUs; none when the default file is missing. */
static KvmrtConfig *
load_config_if_any (KvmrtCli *cli, gboolean *failed)
{
  g_autoptr(GError) error = NULL;
  KvmrtConfig *config = kvmrt_config_load (cli->config_path, &error);

  *failed = FALSE;
  if (config != NULL
      || (g_error_matches (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_NOT_FOUND)
          && g_str_equal (cli->config_path, KVMRT_DEFAULT_CONFIG_PATH)))
    return config;
  kvmrt_cli_error ("%s", error->message);
  *failed = TRUE;
  return NULL;
}

/* Root boots and tunes from the configuration: only root may be able to change it. */
static KvmrtHostCheck *
check_config_owner (KvmrtCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!kvmrt_config_check_owner (cli->config_path, &error))
    return kvmrt_host_check_new ("config-owner", KVMRT_CHECK_FAILURE, error->message,
                                 _("Run the commands above; root's tools refuse the file "
                                   "until then."));
  message = g_strdup_printf (_("%s is owned by root and only root may change it."),
                             cli->config_path);
  return kvmrt_host_check_new ("config-owner", KVMRT_CHECK_PASS, message, NULL);
}

static KvmrtHostCheck *
check_libvirt (KvmrtCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtLibvirt) libvirt = kvmrt_libvirt_open (cli->connect_uri, &error);
  g_autofree char *message = NULL;

  if (libvirt == NULL)
    return kvmrt_host_check_new ("libvirt", KVMRT_CHECK_FAILURE, error->message,
                                 _("kvmrt needs libvirt's QEMU driver: install "
                                   "libvirt-daemon-system and start it."));
  message = g_strdup_printf (_("libvirt answers at %s (%u domains)."),
                             kvmrt_libvirt_get_uri (libvirt),
                             kvmrt_libvirt_list_domains (libvirt)->len);
  return kvmrt_host_check_new ("libvirt", KVMRT_CHECK_PASS, message, NULL);
}

static void
print_text (GPtrArray *checks)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint failures = 0, warnings = 0;

  for (guint i = 0; i < checks->len; i++)
    {
      const KvmrtHostCheck *c = checks->pdata[i];

      failures += c->status == KVMRT_CHECK_FAILURE;
      warnings += c->status == KVMRT_CHECK_WARNING;
      g_string_append_printf (out, "%-8s %-15s %s\n", kvmrt_check_status_to_string (c->status),
                              c->id, c->message);
      if (c->fix != NULL)
        g_string_append_printf (out, "%-24s %s %s\n", "", _("Fix:"), c->fix);
    }
  g_string_append_printf (out, _("%u failure(s), %u warning(s).\n"), failures, warnings);
  fwrite (out->str, 1, out->len, stdout);
}

static void
print_json (GPtrArray *checks)
{
  g_autoptr(GString) text = g_string_new (NULL);
  KvmrtJsonWriter w;
  guint failures = 0, warnings = 0;

  kvmrt_json_writer_init (&w, text);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member (&w, "checks");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < checks->len; i++)
    {
      const KvmrtHostCheck *c = checks->pdata[i];

      failures += c->status == KVMRT_CHECK_FAILURE;
      warnings += c->status == KVMRT_CHECK_WARNING;
      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_string (&w, "id", c->id);
      kvmrt_json_writer_member_string (&w, "status", kvmrt_check_status_to_string (c->status));
      kvmrt_json_writer_member_string (&w, "message", c->message);
      kvmrt_json_writer_member_string (&w, "fix", c->fix);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  kvmrt_json_writer_member_int (&w, "failures", failures);
  kvmrt_json_writer_member_int (&w, "warnings", warnings);
  kvmrt_json_writer_end_object (&w);
  kvmrt_json_writer_clear (&w);
  fwrite (text->str, 1, text->len, stdout);
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  gboolean failed;
  int status = KVMRT_EXIT_OK;

  kvmrt_cli_parse (&cli, &argc, &argv,
                   KVMRT_CLI_OPTION_CONFIG | KVMRT_CLI_OPTION_CONNECT | KVMRT_CLI_OPTION_SYSROOT
                   | KVMRT_CLI_OPTION_OFFLINE | KVMRT_CLI_OPTION_JSON,
                   NULL, "",
                   N_("Check that this host can run real-time VMs: virtualization, KVM, IOMMU, "
                      "vfio, kernel parameters for the configuration's real-time CPUs, "
                      "irqbalance, real-time scheduling and memory locking for libvirt, SMT, "
                      "CPU frequency and NUMA balancing.\nExit status: 0 no failures, 1 a "
                      "check failed, 2 the host could not be read."));
  if (cli.args[0] != NULL)
    {
      kvmrt_cli_error (_("unexpected argument '%s' (see --help)"), cli.args[0]);
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  config = load_config_if_any (&cli, &failed);
  host = failed ? NULL : kvmrt_cli_load_host (&cli, KVMRT_HOST_LOAD_NO_IRQS);
  if (host == NULL)
    {
      kvmrt_cli_clear (&cli);
      return KVMRT_EXIT_USAGE;
    }
  if (config != NULL)
    plan = kvmrt_plan_new (config, host);

  checks = kvmrt_host_check_run (cli.sysroot, host, plan);
  if (config != NULL)
    g_ptr_array_add (checks, check_config_owner (&cli));
  if (!cli.offline)
    g_ptr_array_add (checks, check_libvirt (&cli));
  for (guint i = 0; i < checks->len; i++)
    if (((KvmrtHostCheck *) checks->pdata[i])->status == KVMRT_CHECK_FAILURE)
      status = KVMRT_EXIT_FAILED;
  if (cli.json)
    print_json (checks);
  else
    print_text (checks);
  kvmrt_cli_clear (&cli);
  return status;
}
