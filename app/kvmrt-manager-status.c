/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The manager's reading of live status, made in a worker thread: libvirt's state of every
 * configured VM, its QEMU process below proc/, its tuning, and the tuning the journal holds
 * for VMs that no longer run. None of it is read in the GUI thread: a slow libvirt or a
 * proc/ file that blocks would freeze the window. */
#include "config.h"

#include "kvmrt-journal.h"
#include "kvmrt-manager-private.h"
#include "kvmrt-proc.h"
#include "kvmrt-tuner.h"

KvmrtManagerPlan *
kvmrt_manager_plan_new (KvmrtConfig *config, KvmrtHost *host)
{
  KvmrtManagerPlan *plan = g_atomic_rc_box_new0 (KvmrtManagerPlan);

  plan->config = g_object_ref (config);
  plan->plan = kvmrt_plan_new (config, host);
  return plan;
}

KvmrtManagerPlan *
kvmrt_manager_plan_ref (KvmrtManagerPlan *plan)
{
  return g_atomic_rc_box_acquire (plan);
}

static void
manager_plan_clear (gpointer data)
{
  KvmrtManagerPlan *plan = data;

  g_clear_pointer (&plan->plan, kvmrt_plan_free);
  g_clear_object (&plan->config);
}

void
kvmrt_manager_plan_unref (KvmrtManagerPlan *plan)
{
  g_atomic_rc_box_release_full (plan, manager_plan_clear);
}

void
kvmrt_vm_status_free (KvmrtVmStatus *status)
{
  /* NULL: taken from a reading by the manager. */
  if (status == NULL)
    return;
  kvmrt_vm_status_clear (status);
  g_free (status);
}

gboolean
kvmrt_vm_status_same (const KvmrtVmStatus *a, const KvmrtVmStatus *b)
{
  guint na = a->drift != NULL ? a->drift->len : 0;
  guint nb = b->drift != NULL ? b->drift->len : 0;

  if (a->state != b->state || a->defined != b->defined || a->running != b->running
      || a->tuned != b->tuned || a->pid != b->pid || na != nb
      || g_strcmp0 (a->tuning_note, b->tuning_note) != 0)
    return FALSE;
  for (guint i = 0; i < na; i++)
    if (g_strcmp0 (a->drift->pdata[i], b->drift->pdata[i]) != 0)
      return FALSE;
  return TRUE;
}

void
kvmrt_status_reading_free (KvmrtStatusReading *reading)
{
  g_free (reading->sysroot);
  g_clear_object (&reading->host);
  g_clear_object (&reading->libvirt);
  g_clear_pointer (&reading->plan, kvmrt_manager_plan_unref);
  g_clear_pointer (&reading->statuses, g_ptr_array_unref);
  g_clear_pointer (&reading->held, g_ptr_array_unref);
  g_free (reading);
}

/* The VM's title when the configuration has it, else the name the journal gave it. */
static char *
held_label (KvmrtConfig *config, const KvmrtTunedVm *tuned)
{
  KvmrtVm *vm = config != NULL ? kvmrt_config_lookup_uuid (config, tuned->uuid) : NULL;

  if (vm != NULL && *kvmrt_vm_get_title (vm) != '\0')
    return g_strdup (kvmrt_vm_get_title (vm));
  return g_strdup (kvmrt_tuned_vm_get_label (tuned));
}

/* Tuning the journal holds for VMs libvirt does not show running (stopped outside kvmrt, or
 * after a crash). */
static GPtrArray *
read_held (KvmrtStatusReading *reading)
{
  g_autoptr(KvmrtJournal) journal = kvmrt_journal_load (reading->sysroot, NULL);
  KvmrtConfig *config = reading->plan != NULL ? reading->plan->config : NULL;
  GPtrArray *held = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; journal != NULL && i < journal->vms->len; i++)
    {
      const KvmrtTunedVm *tuned = journal->vms->pdata[i];
      GVirDomain *domain = kvmrt_libvirt_lookup_uuid (reading->libvirt, tuned->uuid);

      if (domain == NULL || !kvmrt_libvirt_is_active (domain))
        g_ptr_array_add (held, held_label (config, tuned));
    }
  /* What an earlier release could not give back, counted as Release Tuning would try it. */
  reading->held_leftovers = kvmrt_tuner_count_leftovers (reading->sysroot, reading->host);
  return held;
}

void
kvmrt_status_reading_gather (KvmrtStatusReading *reading)
{
  KvmrtPlan *plan = reading->plan != NULL ? reading->plan->plan : NULL;
  g_autoptr(GPtrArray) qemus = NULL;

  reading->statuses = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_vm_status_free);
  if (reading->read_held && reading->libvirt != NULL)
    reading->held = read_held (reading);
  if (plan == NULL)
    return;
  /* One scan of proc/ for every VM's QEMU process. */
  qemus = kvmrt_proc_list_qemus (reading->sysroot);
  for (guint i = 0; i < kvmrt_plan_get_n_vms (plan); i++)
    {
      KvmrtVmStatus *status = g_new0 (KvmrtVmStatus, 1);

      kvmrt_vm_status_gather (status, reading->sysroot, reading->host, reading->libvirt,
                              kvmrt_plan_get_vm (plan, i), qemus, KVMRT_VM_STATUS_DEFAULT,
                              NULL);
      g_ptr_array_add (reading->statuses, status);
    }
}
