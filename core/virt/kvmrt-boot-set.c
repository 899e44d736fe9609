/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-boot-set.h"

#include "kvmrt-lifecycle.h"
#include "kvmrt-validator.h"

void
kvmrt_boot_set_report_free (KvmrtBootSetReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->results, g_ptr_array_unref);
  g_clear_pointer (&report->released, g_ptr_array_unref);
  g_clear_pointer (&report->diagnostics, g_ptr_array_unref);
  g_clear_pointer (&report->running, g_ptr_array_unref);
  g_free (report);
}

GPtrArray *
kvmrt_boot_set_select (KvmrtConfig       *config,
                       GPtrArray         *named,
                       KvmrtBootSetFlags  flags,
                       KvmrtVm          **disabled)
{
  g_autoptr(GPtrArray) vms = g_ptr_array_new ();

  if (named != NULL && named->len > 0)
    {
      for (guint i = 0; i < named->len; i++)
        {
          KvmrtVm *vm = named->pdata[i];

          if (kvmrt_vm_get_disabled (vm))
            {
              if (disabled != NULL)
                *disabled = vm;
              return NULL;
            }
          g_ptr_array_add (vms, vm);
        }
      return g_steal_pointer (&vms);
    }
  for (guint i = 0; i < kvmrt_config_get_n_vms (config); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (config, i);

      if (!kvmrt_vm_get_disabled (vm)
          && ((flags & KVMRT_BOOT_SET_ALL) || kvmrt_vm_get_autostart (vm)))
        g_ptr_array_add (vms, vm);
    }
  return g_steal_pointer (&vms);
}

static gboolean
booted_ok (const KvmrtVmResult *result)
{
  return (result->outcome == KVMRT_VM_STARTED || result->outcome == KVMRT_VM_ALREADY_RUNNING)
         && result->tuning != KVMRT_VM_TUNING_FAILED;
}

/* The configured VMs (enabled or not) that libvirt shows running. */
static GPtrArray *
list_running (const KvmrtSession *session)
{
  GPtrArray *running = g_ptr_array_new ();

  for (guint i = 0; i < kvmrt_config_get_n_vms (session->config); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (session->config, i);

      if (kvmrt_libvirt_is_running (session->libvirt, kvmrt_vm_get_uuid (vm)))
        g_ptr_array_add (running, vm);
    }
  return running;
}

/* After a crash the journal may still hold VMs that no longer run: their host settings go
 * back before anything boots (and so do those it holds for no VM; one the host still refuses
 * is a warning of the tuning that follows, which tries it again). */
static GPtrArray *
release_held (const KvmrtSession *session, const KvmrtBootSetProgress *progress,
              gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtReleaseHeld) held = kvmrt_lifecycle_release_held (session->sysroot,
                                                                   session->host,
                                                                   session->libvirt, NULL,
                                                                   &error);

  if (held == NULL)
    {
      if (progress->release_failed != NULL)
        progress->release_failed (error, user_data);
      return g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_vm_result_free);
    }
  for (guint i = 0; progress->released != NULL && i < held->results->len; i++)
    progress->released (held->results->pdata[i], user_data);
  return g_steal_pointer (&held->results);
}

/* Writes every enabled VM into libvirt, so libvirt boots what the configuration says. With
 * @stop_early the first failure ends it; FALSE when one failed. */
static gboolean
sync_enabled (const KvmrtSession *session, gboolean stop_early,
              const KvmrtBootSetProgress *progress, gpointer user_data)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < kvmrt_config_get_n_vms (session->config); i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (session->config, i);
      g_autoptr(KvmrtSyncState) state = NULL;
      g_autoptr(GError) error = NULL;

      if (kvmrt_vm_get_disabled (vm))
        continue;
      if (!kvmrt_sync_to_libvirt (session->libvirt, kvmrt_plan_lookup (session->plan, vm),
                                  &state, &error))
        ok = FALSE;
      if (progress->synced != NULL)
        progress->synced (vm, state, error, user_data);
      if (!ok && stop_early)
        break;
    }
  return ok;
}

typedef struct {
  const KvmrtSession         *session;
  const KvmrtVmPlan          *plan;
  const KvmrtBootSetProgress *progress;
  gpointer                    user_data;
  KvmrtVmResult              *result;
} BootJob;

static gpointer
boot_one (gpointer data)
{
  BootJob *job = data;

  job->result = kvmrt_lifecycle_boot_vm (job->session, job->plan);
  if (job->progress->booted != NULL)
    job->progress->booted (job->result, job->user_data);
  return NULL;
}

/* --clean: one after the other; after the first failure the rest are not started. */
static void
boot_in_sequence (BootJob *jobs, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      boot_one (&jobs[i]);
      if (booted_ok (jobs[i].result))
        continue;
      for (guint j = i + 1; j < n; j++)
        {
          jobs[j].result = kvmrt_vm_result_new (jobs[j].plan->vm, NULL, NULL,
                                                KVMRT_VM_NOT_STARTED);
          jobs[j].result->blocked_by = g_strdup (jobs[i].result->label);
          if (jobs[j].progress->booted != NULL)
            jobs[j].progress->booted (jobs[j].result, jobs[j].user_data);
        }
      return;
    }
}

/* Started in configuration order; QEMU's start-up then overlaps. */
static void
boot_in_parallel (BootJob *jobs, guint n)
{
  g_autofree GThread **threads = g_new0 (GThread *, n);

  for (guint i = 0; i < n; i++)
    threads[i] = g_thread_new ("kvmrt-boot", boot_one, &jobs[i]);
  for (guint i = 0; i < n; i++)
    g_thread_join (threads[i]);
}

static GPtrArray *
boot (const KvmrtSession *session, GPtrArray *vms, KvmrtBootSetFlags flags,
      const KvmrtBootSetProgress *progress, gpointer user_data)
{
  g_autofree BootJob *jobs = g_new0 (BootJob, vms->len);
  GPtrArray *results = g_ptr_array_new_full (vms->len, (GDestroyNotify) kvmrt_vm_result_free);

  for (guint i = 0; i < vms->len; i++)
    jobs[i] = (BootJob) { session, kvmrt_plan_lookup (session->plan, vms->pdata[i]), progress,
                          user_data, NULL };
  if (flags & KVMRT_BOOT_SET_CLEAN)
    boot_in_sequence (jobs, vms->len);
  else
    boot_in_parallel (jobs, vms->len);
  for (guint i = 0; i < vms->len; i++)
    g_ptr_array_add (results, jobs[i].result);
  return results;
}

KvmrtBootSetReport *
kvmrt_boot_set_run (const KvmrtSession         *session,
                    GPtrArray                  *vms,
                    KvmrtBootSetFlags           flags,
                    const KvmrtBootSetProgress *progress,
                    gpointer                    user_data)
{
  static const KvmrtBootSetProgress silent = { NULL };
  g_autoptr(KvmrtBootSetReport) report = g_new0 (KvmrtBootSetReport, 1);
  gboolean clean = (flags & KVMRT_BOOT_SET_CLEAN) != 0;

  if (progress == NULL)
    progress = &silent;
  report->results = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_vm_result_free);
  report->diagnostics = kvmrt_validate (session->plan, KVMRT_VALIDATE_DEFAULT);
  report->running = clean ? list_running (session) : g_ptr_array_new ();
  if (kvmrt_diagnostics_count (report->diagnostics, KVMRT_SEVERITY_ERROR) > 0)
    report->status = KVMRT_BOOT_SET_INVALID;
  else if (report->running->len > 0)
    report->status = KVMRT_BOOT_SET_BUSY;
  else if (vms->len == 0)
    report->status = KVMRT_BOOT_SET_EMPTY;
  if (report->status != KVMRT_BOOT_SET_BOOTED)
    {
      report->released = g_ptr_array_new ();
      return g_steal_pointer (&report);
    }

  report->released = release_held (session, progress, user_data);
  if (!sync_enabled (session, clean, progress, user_data) && clean)
    report->status = KVMRT_BOOT_SET_SYNC_FAILED;
  else
    {
      g_ptr_array_unref (report->results);
      report->results = boot (session, vms, flags, progress, user_data);
    }
  return g_steal_pointer (&report);
}

GPtrArray *
kvmrt_boot_set_retune (const KvmrtSession         *session,
                       GPtrArray                  *vms,
                       const KvmrtBootSetProgress *progress,
                       gpointer                    user_data)
{
  GPtrArray *results = g_ptr_array_new_full (vms->len, (GDestroyNotify) kvmrt_vm_result_free);

  for (guint i = 0; i < vms->len; i++)
    {
      KvmrtVmResult *result =
        kvmrt_lifecycle_retune_vm (session, kvmrt_plan_lookup (session->plan, vms->pdata[i]));

      if (progress != NULL && progress->booted != NULL)
        progress->booted (result, user_data);
      g_ptr_array_add (results, result);
    }
  return results;
}
