/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-shutdown-set.h"

#include "kvmrt-i18n.h"

/* How often a VM that was asked to shut down is looked at. */
#define POLL_INTERVAL_US (100 * 1000)

typedef struct {
  GVirDomain    *domain;   /* borrowed */
  gboolean       done;     /* off, or the request failed (result->error) */
  gint64         started;  /* monotonic µs of the request */
  KvmrtVmResult *result;
} Stop;

static void
stop_clear (Stop *stop)
{
  g_clear_pointer (&stop->result, kvmrt_vm_result_free);
}

/* Asks the guest to shut down; with force and no grace period (Force Off) it is not asked. */
static void
request (Stop *stop, guint timeout_s, KvmrtShutdownFlags flags)
{
  stop->started = g_get_monotonic_time ();
  if (timeout_s == 0 && (flags & KVMRT_SHUTDOWN_FORCE))
    return;
  if (kvmrt_libvirt_shutdown (stop->domain, &stop->result->error))
    return;
  /* It may have stopped on its own between our look and the request. */
  if (!kvmrt_libvirt_is_active (stop->domain))
    g_clear_error (&stop->result->error);
  stop->done = TRUE;
}

/* Waits until each of the @n @stops is done, @deadline (monotonic µs) passes or
 * @cancellable is cancelled. */
static void
wait_until_off (Stop *stops, guint n, gint64 deadline, GCancellable *cancellable)
{
  for (;;)
    {
      gboolean pending = FALSE;

      for (guint i = 0; i < n; i++)
        {
          Stop *stop = &stops[i];

          if (!stop->done && !kvmrt_libvirt_is_active (stop->domain))
            {
              stop->done = TRUE;
              stop->result->seconds = (g_get_monotonic_time () - stop->started)
                                      / (double) G_USEC_PER_SEC;
            }
          pending = pending || !stop->done;
        }
      if (!pending || g_get_monotonic_time () >= deadline
          || g_cancellable_is_cancelled (cancellable))
        return;
      g_usleep (POLL_INTERVAL_US);
    }
}

/* Undoes the host tuning the VM needed (nothing for a VM that is not real-time). */
static void
release_tuning (const KvmrtSession *session, KvmrtVmResult *result)
{
  if (kvmrt_tuner_release (session->sysroot, session->host, result->uuid, result->report,
                           &result->error))
    result->tuning = KVMRT_VM_TUNING_RELEASED;
  else
    result->tuning = KVMRT_VM_TUNING_FAILED;
}

/* After the wait: the outcome, powering off a late VM when forced, then the release. */
static void
finish (const KvmrtSession *session, Stop *stop, KvmrtShutdownFlags flags,
        const KvmrtShutdownProgress *progress, gpointer user_data)
{
  KvmrtVmResult *result = stop->result;

  if (result->error != NULL)
    result->outcome = KVMRT_VM_FAILED_STOP;
  else if (!stop->done && (!(flags & KVMRT_SHUTDOWN_FORCE)
                           || g_cancellable_is_cancelled (progress->cancellable)))
    result->outcome = KVMRT_VM_STILL_RUNNING;
  else if (!stop->done && kvmrt_libvirt_is_active (stop->domain))
    result->outcome = kvmrt_libvirt_destroy (stop->domain, &result->error)
                      ? KVMRT_VM_POWERED_OFF : KVMRT_VM_FAILED_STOP;
  else
    result->outcome = KVMRT_VM_SHUT_OFF;
  /* Off before the wait looked (on its own, or between the last look and now). */
  if (result->outcome == KVMRT_VM_SHUT_OFF && result->seconds == 0)
    result->seconds = (g_get_monotonic_time () - stop->started) / (double) G_USEC_PER_SEC;
  if (result->outcome == KVMRT_VM_SHUT_OFF || result->outcome == KVMRT_VM_POWERED_OFF)
    release_tuning (session, result);
  if (progress->stopped != NULL)
    progress->stopped (result, user_data);
}

/* The running VMs to stop, each with a result; those of @named that do not run get theirs
 * now, in @results. */
static GArray *
collect (const KvmrtSession *session, GPtrArray *named, GPtrArray *results,
         const KvmrtShutdownProgress *progress, gpointer user_data)
{
  GArray *stops = g_array_new (FALSE, TRUE, sizeof (Stop));
  guint n = named != NULL ? named->len : kvmrt_config_get_n_vms (session->config);

  g_array_set_clear_func (stops, (GDestroyNotify) stop_clear);
  for (guint i = 0; i < n; i++)
    {
      KvmrtVm *vm = named != NULL ? named->pdata[i] : kvmrt_config_get_vm (session->config, i);
      GVirDomain *domain = kvmrt_libvirt_lookup_uuid (session->libvirt, kvmrt_vm_get_uuid (vm));
      Stop stop = { domain, FALSE, 0, NULL };
      KvmrtVmResult *result;

      if (domain != NULL && kvmrt_libvirt_is_active (domain))
        {
          stop.result = kvmrt_vm_result_new (vm, NULL, NULL, KVMRT_VM_FAILED_STOP);
          g_array_append_val (stops, stop);
          continue;
        }
      if (named == NULL)
        continue;
      result = kvmrt_vm_result_new (vm, NULL, NULL, domain != NULL ? KVMRT_VM_NOT_RUNNING
                                                                   : KVMRT_VM_NOT_DEFINED);
      if (domain == NULL)
        g_set_error (&result->error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NO_DOMAIN,
                     _("libvirt has no domain with UUID %s"), result->uuid);
      if (progress->stopped != NULL)
        progress->stopped (result, user_data);
      g_ptr_array_add (results, result);
    }
  return stops;
}

GPtrArray *
kvmrt_shutdown_set_run (const KvmrtSession          *session,
                        GPtrArray                   *vms,
                        guint                        timeout_s,
                        KvmrtShutdownFlags           flags,
                        const KvmrtShutdownProgress *progress,
                        gpointer                     user_data)
{
  static const KvmrtShutdownProgress silent = { NULL };
  gint64 timeout_us = (gint64) timeout_s * G_USEC_PER_SEC;
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_vm_result_free);
  g_autoptr(GArray) stops = NULL;

  if (progress == NULL)
    progress = &silent;
  stops = collect (session, vms, results, progress, user_data);
  if (flags & KVMRT_SHUTDOWN_ONE_BY_ONE)
    {
      for (guint i = 0; i < stops->len; i++)
        {
          Stop *stop = &g_array_index (stops, Stop, i);

          if (progress->stopping != NULL)
            progress->stopping (stop->result->vm, user_data);
          request (stop, timeout_s, flags);
          wait_until_off (stop, 1, stop->started + timeout_us, progress->cancellable);
          finish (session, stop, flags, progress, user_data);
        }
    }
  else
    {
      gint64 started = g_get_monotonic_time ();

      for (guint i = 0; i < stops->len; i++)
        request (&g_array_index (stops, Stop, i), timeout_s, flags);
      wait_until_off ((Stop *) stops->data, stops->len, started + timeout_us,
                      progress->cancellable);
      for (guint i = 0; i < stops->len; i++)
        finish (session, &g_array_index (stops, Stop, i), flags, progress, user_data);
    }
  for (guint i = 0; i < stops->len; i++)
    g_ptr_array_add (results, g_steal_pointer (&g_array_index (stops, Stop, i).result));
  return results;
}
