/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-import: add libvirt's domains to the configuration (creating the file if needed);
 * with -u, refresh the VMs already there from libvirt. */
#include "kvmrt-cli-libvirt.h"
#include "kvmrt-import.h"

#include <glib/gi18n.h>

static gboolean update;

static const GOptionEntry options[] = {
  { "update", 'u', 0, G_OPTION_ARG_NONE, &update,
    N_("Also refresh VMs already in the configuration from their libvirt domains"), NULL },
  { NULL }
};

/* The config, or a new empty one when the file does not exist yet. */
static KvmrtConfig *
load_or_create (KvmrtCli *cli, gboolean *created)
{
  g_autoptr(GError) error = NULL;
  KvmrtConfig *config;

  *created = FALSE;
  if (!kvmrt_cli_check_config_owner (cli))
    return NULL;
  /* Locked from this read to the save: another writer waits for us, or we for it. */
  config = kvmrt_config_load_for_update (cli->config_path, &error);
  if (config != NULL)
    return config;
  if (g_error_matches (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_NOT_FOUND))
    {
      *created = TRUE;
      config = kvmrt_config_new ();
      /* Created only if nobody else created it meanwhile. */
      kvmrt_config_expect_on_disk (config, NULL);
      return config;
    }
  kvmrt_cli_error ("%s", error->message);
  return NULL;
}

/* The domains named on the command line, or all of them. NULL after printing an error. */
static GPtrArray *
select_domains (KvmrtCli *cli, KvmrtLibvirt *libvirt)
{
  g_autoptr(GPtrArray) domains = g_ptr_array_new ();

  if (cli->args[0] == NULL)
    {
      GPtrArray *all = kvmrt_libvirt_list_domains (libvirt);

      for (guint i = 0; i < all->len; i++)
        g_ptr_array_add (domains, all->pdata[i]);
      return g_steal_pointer (&domains);
    }
  for (char **arg = cli->args; *arg != NULL; arg++)
    {
      g_autoptr(GError) error = NULL;
      GVirDomain *domain = kvmrt_libvirt_find (libvirt, *arg, &error);

      if (domain == NULL)
        {
          kvmrt_cli_error ("%s", error->message);
          return NULL;
        }
      if (!g_ptr_array_find (domains, domain, NULL))
        g_ptr_array_add (domains, domain);
    }
  return g_steal_pointer (&domains);
}

/* Imports each domain and prints one line for it; returns how many changed the config. */
static guint
import_all (KvmrtConfig *config, KvmrtHost *host, KvmrtLibvirt *libvirt, GPtrArray *domains,
            gboolean *failed)
{
  guint changed = 0;

  for (guint i = 0; i < domains->len; i++)
    {
      GVirDomain *domain = domains->pdata[i];
      const char *name = gvir_domain_get_name (domain);
      g_autoptr(GError) error = NULL;
      g_autofree char *described = NULL;
      guint attrs = 0;

      switch (kvmrt_import_domain (config, host, libvirt, domain, update, &attrs, &error))
        {
        case KVMRT_IMPORT_ADDED:
          g_print (_("%s: added [%s]\n"), name, gvir_domain_get_uuid (domain));
          changed++;
          break;
        case KVMRT_IMPORT_UPDATED:
          described = kvmrt_cli_describe_attrs (attrs);
          g_print (_("%s: refreshed from libvirt: %s\n"), name, described);
          changed++;
          break;
        case KVMRT_IMPORT_UNCHANGED:
          g_print (_("%s: already configured and in step with libvirt\n"), name);
          break;
        case KVMRT_IMPORT_SKIPPED:
          g_print (_("%s: already configured, skipped (-u refreshes it from libvirt)\n"), name);
          break;
        case KVMRT_IMPORT_FAILED:
        default:
          kvmrt_cli_error ("%s: %s", name, error->message);
          *failed = TRUE;
          break;
        }
    }
  return changed;
}

/* One read, import and save. *retry is set when another program created the file between
 * our finding none and our save: the caller runs us again on the file it wrote. */
static int
import_once (KvmrtCli *cli, gboolean *retry)
{
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtLibvirt) libvirt = NULL;
  g_autoptr(GPtrArray) domains = NULL;
  gboolean created = FALSE, failed = FALSE, changed_on_disk = FALSE;
  guint changed, errors_before;
  int status = KVMRT_EXIT_OK;

  if ((config = load_or_create (cli, &created)) == NULL
      || (host = kvmrt_cli_load_host (cli, KVMRT_HOST_LOAD_NO_IRQS)) == NULL
      || (libvirt = kvmrt_cli_open_libvirt (cli)) == NULL
      || (domains = select_domains (cli, libvirt)) == NULL)
    return KVMRT_EXIT_USAGE;
  if (domains->len == 0)
    g_print (_("libvirt at %s has no domains to import\n"), kvmrt_libvirt_get_uri (libvirt));

  errors_before = kvmrt_cli_count_errors (config, host);
  changed = import_all (config, host, libvirt, domains, &failed);
  if (changed > 0 || (created && domains->len > 0))
    {
      if (!kvmrt_cli_save_checked (cli, config, host, errors_before,
                                   created ? &changed_on_disk : NULL))
        {
          *retry = changed_on_disk;
          status = KVMRT_EXIT_FAILED;
        }
      else
        g_print (created ? _("%s: created; review the new VMs with kvmrt-edit-config\n")
                         : _("%s: saved; review the changes with kvmrt-edit-config\n"),
                 cli->config_path);
    }
  if (failed)
    status = KVMRT_EXIT_FAILED;
  return status;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  gboolean retry = TRUE;
  int status = KVMRT_EXIT_FAILED;

  kvmrt_cli_parse (&cli, &argc, &argv,
                   KVMRT_CLI_OPTION_CONFIG | KVMRT_CLI_OPTION_CONNECT | KVMRT_CLI_OPTION_SYSROOT,
                   options, _("[VM...]"),
                   N_("Add libvirt's VMs (all, or those named) to the KVM-RT configuration, "
                      "creating the file if it does not exist. A new VM takes its name, title, "
                      "description, vCPUs and topology from libvirt, and any pinning, NUMA "
                      "memory, memory locking and PCI devices its domain already has."));
  cli.for_update = TRUE;
  /* Once the file exists, the lock keeps writers in turn: one retry is enough. */
  for (int attempt = 0; retry && attempt < 2; attempt++)
    {
      retry = FALSE;
      status = import_once (&cli, &retry);
    }
  if (retry)
    kvmrt_cli_error (_("%s was created by another program meanwhile and keeps changing; "
                       "nothing was written, run kvmrt-import again"), cli.config_path);
  kvmrt_cli_clear (&cli);
  return status;
}
