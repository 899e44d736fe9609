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

gboolean
kvmrt_lifecycle_tune (const char        *sysroot,
                      KvmrtHost         *host,
                      KvmrtLibvirt      *libvirt,
                      const KvmrtVmPlan *plan,
                      KvmrtTuneReport   *report,
                      GError           **error)
{
  GVirDomain *domain = kvmrt_libvirt_lookup_uuid (libvirt, kvmrt_vm_get_uuid (plan->vm));
  int pid;

  /* The one guard every caller goes through: tuning the host for a VM that is off takes
   * CPUs away from everything else, and nothing would ever give them back. */
  if (domain == NULL || !kvmrt_libvirt_is_active (domain))
    {
      g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NOT_RUNNING,
                   _("%s is not running, so the host was not tuned for it; boot it to tune "
                     "the host"), vm_label (plan->vm));
      return FALSE;
    }
  pid = kvmrt_proc_find_qemu (sysroot, kvmrt_vm_get_uuid (plan->vm),
                              kvmrt_vm_get_name (plan->vm));
  return kvmrt_tuner_apply (sysroot, host, plan, pid, report, error);
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

gboolean
kvmrt_lifecycle_boot (const char        *sysroot,
                      KvmrtHost         *host,
                      KvmrtLibvirt      *libvirt,
                      const KvmrtVmPlan *plan,
                      KvmrtBootOutcome  *outcome,
                      KvmrtTuneReport   *report,
                      GError           **error)
{
  GVirDomain *domain = kvmrt_libvirt_lookup_uuid (libvirt, kvmrt_vm_get_uuid (plan->vm));

  if (domain == NULL)
    {
      g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NO_DOMAIN,
                   _("%s is not defined in libvirt; import it again or check its UUID "
                     "(kvmrt-validate-config explains)"),
                   vm_label (plan->vm));
      return FALSE;
    }
  if (kvmrt_vm_get_guest_services (plan->vm) && !kvmrt_lifecycle_prepare_gs_dir (sysroot, error))
    return FALSE;
  if (kvmrt_libvirt_is_active (domain))
    *outcome = KVMRT_BOOT_ALREADY_RUNNING;
  else if (kvmrt_libvirt_start (domain, error))
    *outcome = KVMRT_BOOT_STARTED;
  else
    return FALSE;
  return kvmrt_lifecycle_tune (sysroot, host, libvirt, plan, report, error);
}

GPtrArray *
kvmrt_lifecycle_release_stale (const char   *sysroot,
                               KvmrtHost    *host,
                               KvmrtLibvirt *libvirt,
                               GPtrArray    *problems)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtJournal) journal = kvmrt_journal_load (sysroot, &error);
  g_autoptr(GPtrArray) stale = g_ptr_array_new ();
  GPtrArray *released = g_ptr_array_new_with_free_func (g_free);

  if (journal == NULL)
    {
      g_ptr_array_add (problems, g_strdup (error->message));
      return released;
    }
  for (guint i = 0; i < journal->vms->len; i++)
    {
      const KvmrtTunedVm *vm = journal->vms->pdata[i];
      GVirDomain *domain = kvmrt_libvirt_lookup_uuid (libvirt, vm->uuid);

      if (domain == NULL || !kvmrt_libvirt_is_active (domain))
        g_ptr_array_add (stale, (gpointer) vm);
    }
  /* Each release rewrites the journal; work from copies of what we read. */
  for (guint i = 0; i < stale->len; i++)
    {
      const KvmrtTunedVm *vm = stale->pdata[i];
      g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();

      if (kvmrt_tuner_release (sysroot, host, vm->uuid, report, &error))
        g_ptr_array_add (released, g_strdup (vm->name != NULL ? vm->name : vm->uuid));
      else
        g_ptr_array_add (problems, g_strdup (error->message));
      g_clear_error (&error);
    }
  return released;
}
