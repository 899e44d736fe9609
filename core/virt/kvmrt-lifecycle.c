/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-lifecycle.h"

#include <errno.h>

#include "kvmrt-domain-xml.h"
#include "kvmrt-i18n.h"
#include "kvmrt-journal.h"
#include "kvmrt-proc.h"

/* The one guard every path to the tuner goes through: tuning the host for a VM that is off
 * takes CPUs away from everything else, and nothing would ever give them back. Returns the
 * running domain, else NULL with @error (and @outcome NOT_DEFINED or NOT_RUNNING). */
static GVirDomain *
require_running (KvmrtLibvirt      *libvirt,
                 const KvmrtVmPlan *plan,
                 KvmrtVmOutcome    *outcome,
                 GError           **error)
{
  GVirDomain *domain = kvmrt_libvirt_lookup_uuid (libvirt, kvmrt_vm_get_uuid (plan->vm));

  if (domain != NULL && kvmrt_libvirt_is_active (domain))
    return domain;
  if (outcome != NULL)
    *outcome = domain == NULL ? KVMRT_VM_NOT_DEFINED : KVMRT_VM_NOT_RUNNING;
  g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NOT_RUNNING,
               _("%s is not running, so the host was not tuned for it; boot it to tune "
                 "the host"), kvmrt_vm_get_label (plan->vm));
  return NULL;
}

/* Tunes the host for @plan's running VM, with its QEMU's threads when they can be found. */
static gboolean
apply_tuning (const char        *sysroot,
              KvmrtHost         *host,
              const KvmrtVmPlan *plan,
              KvmrtTuneReport   *report,
              GError           **error)
{
  int pid = kvmrt_proc_find_qemu (sysroot, kvmrt_vm_get_uuid (plan->vm),
                                  kvmrt_vm_get_name (plan->vm));

  return kvmrt_tuner_apply (sysroot, host, plan, pid, report, error);
}

/* The tuning step of a boot or retune, into @result (whose VM runs). */
static void
tune_into (const KvmrtSession *session, const KvmrtVmPlan *plan, KvmrtVmResult *result)
{
  if (apply_tuning (session->sysroot, session->host, plan, result->report, &result->error))
    result->tuning = plan->rt ? KVMRT_VM_TUNING_APPLIED : KVMRT_VM_TUNING_NONE;
  else
    result->tuning = KVMRT_VM_TUNING_FAILED;
}

gboolean
kvmrt_lifecycle_tune (const char        *sysroot,
                      KvmrtHost         *host,
                      KvmrtLibvirt      *libvirt,
                      const KvmrtVmPlan *plan,
                      KvmrtTuneReport   *report,
                      GError           **error)
{
  return require_running (libvirt, plan, NULL, error) != NULL
         && apply_tuning (sysroot, host, plan, report, error);
}

KvmrtVmResult *
kvmrt_lifecycle_retune_vm (const KvmrtSession *session, const KvmrtVmPlan *plan)
{
  KvmrtVmResult *result = kvmrt_vm_result_new (plan->vm, NULL, NULL, KVMRT_VM_RETUNED);

  if (require_running (session->libvirt, plan, &result->outcome, &result->error) != NULL)
    tune_into (session, plan, result);
  return result;
}

gboolean
kvmrt_lifecycle_prepare_gs_dir (const char *sysroot, GError **error)
{
  if (g_strcmp0 (sysroot, "/") != 0)
    return TRUE;
  if (g_mkdir_with_parents (KVMRT_GS_SOCKET_DIR, 0755) == 0)
    return TRUE;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
               _("cannot create %s for the Guest Services channels: %s"), KVMRT_GS_SOCKET_DIR,
               g_strerror (errno));
  return FALSE;
}

KvmrtVmResult *
kvmrt_lifecycle_boot_vm (const KvmrtSession *session, const KvmrtVmPlan *plan)
{
  KvmrtVmResult *result = kvmrt_vm_result_new (plan->vm, NULL, NULL, KVMRT_VM_FAILED_START);
  GVirDomain *domain = kvmrt_libvirt_lookup_uuid (session->libvirt,
                                                  kvmrt_vm_get_uuid (plan->vm));
  KvmrtVmOutcome off;

  if (domain == NULL)
    {
      g_set_error (&result->error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NO_DOMAIN,
                   _("%s is not defined in libvirt; import it again or check its UUID "
                     "(kvmrt-validate-config explains)"),
                   kvmrt_vm_get_label (plan->vm));
      return result;
    }
  if (kvmrt_vm_get_guest_services (plan->vm)
      && !kvmrt_lifecycle_prepare_gs_dir (session->sysroot, &result->error))
    return result;
  if (kvmrt_libvirt_is_active (domain))
    result->outcome = KVMRT_VM_ALREADY_RUNNING;
  else if (!kvmrt_libvirt_start (domain, &result->error))
    return result;
  else
    result->outcome = KVMRT_VM_STARTED;
  /* It may have stopped again at once (a guest that powers off, a crash): not tuned then. */
  if (require_running (session->libvirt, plan, &off, &result->error) == NULL)
    result->outcome = KVMRT_VM_FAILED_START;
  else
    tune_into (session, plan, result);
  return result;
}

/* Whether the journal's @vm holds tuning nobody needs: it does not run, or (with @config) it
 * left the configuration. */
static gboolean
is_stale (KvmrtLibvirt *libvirt, KvmrtConfig *config, const KvmrtTunedVm *vm)
{
  if (!kvmrt_libvirt_is_running (libvirt, vm->uuid))
    return TRUE;
  return config != NULL && kvmrt_config_lookup_uuid (config, vm->uuid) == NULL;
}

void
kvmrt_release_held_free (KvmrtReleaseHeld *held)
{
  if (held == NULL)
    return;
  g_clear_pointer (&held->results, g_ptr_array_unref);
  kvmrt_tune_report_free (held->leftovers_report);
  g_clear_error (&held->leftovers_error);
  g_free (held);
}

gboolean
kvmrt_release_held_ok (const KvmrtReleaseHeld *held)
{
  if (held->leftovers == KVMRT_VM_TUNING_FAILED)
    return FALSE;
  for (guint i = 0; i < held->results->len; i++)
    if (((KvmrtVmResult *) held->results->pdata[i])->tuning != KVMRT_VM_TUNING_RELEASED)
      return FALSE;
  return TRUE;
}

/* What the journal holds for no VM, given back before any VM's release (so a VM whose own
 * release the host refuses is reported once, as that VM's). */
static void
give_back_leftovers (const char *sysroot, KvmrtHost *host, KvmrtReleaseHeld *held)
{
  guint n_held = 0;

  if (!kvmrt_tuner_give_back (sysroot, host, &n_held, held->leftovers_report,
                              &held->leftovers_error))
    held->leftovers = KVMRT_VM_TUNING_FAILED;
  else if (n_held > 0)
    held->leftovers = KVMRT_VM_TUNING_RELEASED;
}

KvmrtReleaseHeld *
kvmrt_lifecycle_release_held (const char   *sysroot,
                              KvmrtHost    *host,
                              KvmrtLibvirt *libvirt,
                              KvmrtConfig  *config,
                              GError      **error)
{
  g_autoptr(KvmrtJournal) journal = kvmrt_journal_load (sysroot, error);
  g_autoptr(GPtrArray) stale = g_ptr_array_new ();
  KvmrtReleaseHeld *held;

  if (journal == NULL)
    return NULL;
  held = g_new0 (KvmrtReleaseHeld, 1);
  held->results = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_vm_result_free);
  held->leftovers = KVMRT_VM_TUNING_NONE;
  held->leftovers_report = kvmrt_tune_report_new ();
  give_back_leftovers (sysroot, host, held);
  for (guint i = 0; i < journal->vms->len; i++)
    if (is_stale (libvirt, config, journal->vms->pdata[i]))
      g_ptr_array_add (stale, journal->vms->pdata[i]);
  /* Each release rewrites the journal file; this works from what was read before. */
  for (guint i = 0; i < stale->len; i++)
    {
      const KvmrtTunedVm *vm = stale->pdata[i];
      KvmrtVm *configured = config != NULL ? kvmrt_config_lookup_uuid (config, vm->uuid) : NULL;
      KvmrtVmResult *result = kvmrt_vm_result_new (configured, vm->uuid,
                                                   kvmrt_tuned_vm_get_label (vm),
                                                   KVMRT_VM_STALE);

      if (kvmrt_tuner_release (sysroot, host, vm->uuid, result->report, &result->error))
        result->tuning = KVMRT_VM_TUNING_RELEASED;
      else
        result->tuning = KVMRT_VM_TUNING_FAILED;
      g_ptr_array_add (held->results, result);
    }
  return held;
}
