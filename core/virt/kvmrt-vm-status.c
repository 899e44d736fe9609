/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-vm-status.h"

#include "kvmrt-i18n.h"
#include "kvmrt-proc.h"
#include "kvmrt-tuner.h"

void
kvmrt_vm_status_gather (KvmrtVmStatus      *status,
                        const char         *sysroot,
                        KvmrtHost          *host,
                        KvmrtLibvirt       *libvirt,
                        const KvmrtVmPlan  *plan,
                        GPtrArray          *qemus,
                        KvmrtVmStatusFlags  flags,
                        GError            **error)
{
  KvmrtVm *vm = plan->vm;
  GVirDomain *domain = libvirt != NULL ? kvmrt_libvirt_lookup_uuid (libvirt,
                                                                    kvmrt_vm_get_uuid (vm))
                                       : NULL;
  g_autoptr(GError) local_error = NULL;

  status->vm = vm;
  status->plan = plan;
  status->defined = domain != NULL;
  status->state = domain != NULL ? kvmrt_libvirt_get_state (domain) : GVIR_DOMAIN_STATE_NONE;
  status->uptime = -1;
  status->running = status->state == GVIR_DOMAIN_STATE_RUNNING
                    || status->state == GVIR_DOMAIN_STATE_PAUSED
                    || status->state == GVIR_DOMAIN_STATE_BLOCKED;
  if (!status->running)
    return;

  /* Only a local hypervisor's QEMU shows in our /proc (not test:///, not a remote URI). */
  status->pid = qemus != NULL
                ? kvmrt_proc_find_qemu_in (qemus, sysroot, kvmrt_vm_get_uuid (vm),
                                           kvmrt_vm_get_name (vm))
                : kvmrt_proc_find_qemu (sysroot, kvmrt_vm_get_uuid (vm), kvmrt_vm_get_name (vm));
  if (status->pid > 0 && !kvmrt_proc_get_uptime (sysroot, status->pid, &status->uptime, NULL))
    status->uptime = -1;
  status->tuned = kvmrt_tuner_check_told (sysroot, host, plan, status->pid, &status->drift,
                                          &status->drift_told, &local_error);
  if (local_error != NULL)
    status->tuning_note = g_strdup (local_error->message);
  if ((flags & KVMRT_VM_STATUS_THREADS) && status->pid > 0)
    status->threads = kvmrt_proc_list_threads (sysroot, status->pid, error);
  if (kvmrt_vm_get_guest_services (vm))
    {
      g_autoptr(KvmrtGsStats) stats = kvmrt_gs_stats_load (sysroot, NULL);
      const KvmrtGsVmStats *counted = kvmrt_gs_stats_lookup (stats, kvmrt_vm_get_uuid (vm));

      status->guest_services = counted != NULL ? kvmrt_gs_vm_stats_copy (counted) : NULL;
    }
}

void
kvmrt_vm_status_clear (KvmrtVmStatus *status)
{
  g_clear_pointer (&status->tuning_note, g_free);
  g_clear_pointer (&status->drift, g_ptr_array_unref);
  g_clear_pointer (&status->drift_told, g_ptr_array_unref);
  g_clear_pointer (&status->threads, g_ptr_array_unref);
  g_clear_pointer (&status->guest_services, kvmrt_gs_vm_stats_free);
}

const char *
kvmrt_vm_status_state_text (const KvmrtVmStatus *status)
{
  return status->defined ? kvmrt_libvirt_state_to_string (status->state) : _("not in libvirt");
}

char *
kvmrt_format_uptime (double seconds)
{
  guint64 s = (guint64) seconds;

  if (seconds < 0)
    return g_strdup ("-");
  if (s >= 86400)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "d %02u:%02u", s / 86400,
                            (guint) (s % 86400 / 3600), (guint) (s % 3600 / 60));
  return g_strdup_printf ("%02u:%02u:%02u", (guint) (s / 3600), (guint) (s % 3600 / 60),
                          (guint) (s % 60));
}
