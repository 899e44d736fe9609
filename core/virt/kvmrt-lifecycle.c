/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-lifecycle.h"

#include <errno.h>

#include "kvmrt-domain-xml.h"
#include "kvmrt-i18n.h"
#include "kvmrt-journal.h"
#include "kvmrt-proc.h"

static const char *
vm_label (KvmrtVm *vm)
{
  return kvmrt_vm_get_label (vm);
}

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
                 "the host"), vm_label (plan->vm));
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
                   vm_label (plan->vm));
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

GPtrArray *
kvmrt_lifecycle_release_held (const char   *sysroot,
                              KvmrtHost    *host,
                              KvmrtLibvirt *libvirt,
                              KvmrtConfig  *config,
                              GError      **error)
{
  g_autoptr(KvmrtJournal) journal = kvmrt_journal_load (sysroot, error);
  g_autoptr(GPtrArray) stale = g_ptr_array_new ();
  GPtrArray *results;

  if (journal == NULL)
    return NULL;
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_vm_result_free);
  for (guint i = 0; i < journal->vms->len; i++)
    if (is_stale (libvirt, config, journal->vms->pdata[i]))
      g_ptr_array_add (stale, journal->vms->pdata[i]);
  /* Each release rewrites the journal file; this works from what was read before. */
  for (guint i = 0; i < stale->len; i++)
    {
      const KvmrtTunedVm *vm = stale->pdata[i];
      KvmrtVm *configured = config != NULL ? kvmrt_config_lookup_uuid (config, vm->uuid) : NULL;
      KvmrtVmResult *result = kvmrt_vm_result_new (configured, vm->uuid,
                                                   vm->name != NULL ? vm->name : vm->uuid,
                                                   KVMRT_VM_STALE);

      if (kvmrt_tuner_release (sysroot, host, vm->uuid, result->report, &result->error))
        result->tuning = KVMRT_VM_TUNING_RELEASED;
      else
        result->tuning = KVMRT_VM_TUNING_FAILED;
      g_ptr_array_add (results, result);
    }
  return results;
}
