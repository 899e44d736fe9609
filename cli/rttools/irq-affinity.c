/* SPDX-License-Identifier: GPL-2.0-or-later */
/* irq-affinity: shows an IRQ's CPU affinity and effective affinity, or sets its affinity
 * through kvmrt's journal (core/virt/kvmrt-host-change.h): CPUs a running real-time VM holds are
 * refused unless --force. */
#include "rttools-owner.h"

#include <glib/gi18n.h>

#include "kvmrt-host-change.h"

static const KvmrtIrq *
find_irq (KvmrtHost *host, guint number)
{
  GPtrArray *irqs = kvmrt_host_get_irqs (host);

  for (guint i = 0; i < irqs->len; i++)
    if (((KvmrtIrq *) irqs->pdata[i])->number == (int) number)
      return irqs->pdata[i];
  return NULL;
}

static KvmrtIdSet *
read_cpus (const char *sysroot, int number, const char *file)
{
  g_autofree char *relative = g_strdup_printf ("proc/irq/%d/%s", number, file);
  g_autofree char *text = kvmrt_sysroot_read_optional (sysroot, relative);

  return text != NULL ? kvmrt_id_set_parse (g_strstrip (text), NULL) : NULL;
}

static void
reread_affinity (KvmrtIrq *irq, const char *sysroot)
{
  g_clear_pointer (&irq->affinity, kvmrt_id_set_free);
  g_clear_pointer (&irq->effective_affinity, kvmrt_id_set_free);
  irq->affinity = read_cpus (sysroot, irq->number, "smp_affinity_list");
  irq->effective_affinity = read_cpus (sysroot, irq->number, "effective_affinity_list");
}

static void
show (const KvmrtIrq *irq, gboolean json, gboolean changed, GString *out)
{
  g_autofree char *affinity = rttools_set_text (irq->affinity, "-");
  g_autofree char *effective = rttools_set_text (irq->effective_affinity, "-");
  KvmrtJsonWriter w;

  if (!json)
    {
      g_string_append_printf (out, _("IRQ %d (%s): affinity %s, effective %s\n"), irq->number,
                              irq->actions != NULL ? irq->actions : "-", affinity, effective);
      return;
    }
  kvmrt_json_writer_init (&w, out);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member_int (&w, "irq", irq->number);
  kvmrt_json_writer_member_string (&w, "actions", irq->actions);
  kvmrt_json_writer_member_id_set (&w, "affinity", irq->affinity);
  kvmrt_json_writer_member_id_set (&w, "effective_affinity", irq->effective_affinity);
  kvmrt_json_writer_member_bool (&w, "changed", changed);
  rttools_json_finish (&w, out);
}

static int
run (KvmrtCli *cli)
{
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtIdSet) cpus = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  guint64 number;
  const KvmrtIrq *irq;

  if (!rttools_affinity_args (cli, _("usage: irq-affinity IRQ [CPUS] (see --help)"),
                              _("“%s” is not an IRQ number (irqs lists them)"), 0, &number,
                              &cpus))
    return KVMRT_EXIT_USAGE;
  host = kvmrt_cli_load_host (cli, KVMRT_HOST_LOAD_NO_PCI);
  if (host == NULL)
    return KVMRT_EXIT_USAGE;
  irq = find_irq (host, number);
  if (irq == NULL)
    {
      kvmrt_cli_error (_("the host has no IRQ %s (irqs lists them)"), cli->args[0]);
      return KVMRT_EXIT_USAGE;
    }
  if (cpus != NULL)
    {
      if (!kvmrt_host_change_irq_affinity (host, number, cpus, rttools_force, &error))
        return rttools_change_failed (error);
      /* What the kernel made of it (the effective CPU follows): its two files again. */
      reread_affinity ((KvmrtIrq *) irq, cli->sysroot);
    }
  show (irq, cli->json, cpus != NULL, out);
  rttools_print (out);
  return KVMRT_EXIT_OK;
}

int
main (int argc, char **argv)
{
  KvmrtCli cli = { 0 };
  int status;

  rttools_parse (&cli, &argc, &argv, rttools_force_entries, N_("IRQ [CPUS]"),
                 N_("Show the CPU affinity of interrupt IRQ, or set it to the CPU list CPUS "
                    "(as 0-3,8). The change goes through kvmrt's tuning journal."));
  status = run (&cli);
  kvmrt_cli_clear (&cli);
  return status;
}
