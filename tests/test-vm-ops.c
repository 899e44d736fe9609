/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The whole-VM operations of the core (kvmrt-boot-set.h, kvmrt-shutdown-set.h): every VM of a
 * set gets its own result, told apart by its outcome, and one VM's failure neither hides nor
 * stops the others' (except under --clean, which says which VM stopped it). On a copy of the
 * demo host, with libvirt's test driver on the demo's VMs. */
#include <kvmrt.h>
#include <libvirt/libvirt.h>
#include <string.h>
#include <glib/gstdio.h>

#include "kvmrt-boot-set.h"
#include "kvmrt-lifecycle.h"
#include "kvmrt-shutdown-set.h"
#include "kvmrt-test-demo.h"

#define VISION_UUID  "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca"
#define CONTROL_UUID "6660b902-990d-4eb6-91ca-4b1d7a848587"
#define WIN10_UUID   "ea319190-1f1e-43d7-824c-071a270cec3c"
#define UBUNTU_UUID  "1f764194-7f55-4ad8-a480-0c36de8aed2d"

typedef TestDemo Fixture;

/* What the progress callbacks saw. */
typedef struct {
  GMutex     lock;
  GPtrArray *booted;    /* labels, in the order they were reported */
  GPtrArray *synced;    /* "label: ok" or "label: failed" */
  guint      released;
  guint      release_failed;
} Seen;

/* The session the operations take, on the fixture. */
static KvmrtSession
session_of (Fixture *f)
{
  return (KvmrtSession) { f->sysroot, f->host, f->libvirt, f->config, f->plan };
}

static void
seen_init (Seen *seen)
{
  g_mutex_init (&seen->lock);
  seen->booted = g_ptr_array_new_with_free_func (g_free);
  seen->synced = g_ptr_array_new_with_free_func (g_free);
  seen->released = seen->release_failed = 0;
}

static void
seen_clear (Seen *seen)
{
  g_ptr_array_unref (seen->booted);
  g_ptr_array_unref (seen->synced);
  g_mutex_clear (&seen->lock);
}

static void
on_released (const KvmrtVmResult *result, gpointer user_data)
{
  ((Seen *) user_data)->released++;
}

static void
on_release_failed (const GError *error, gpointer user_data)
{
  ((Seen *) user_data)->release_failed++;
}

static void
on_synced (KvmrtVm *vm, const KvmrtSyncState *state, const GError *error, gpointer user_data)
{
  Seen *seen = user_data;

  g_assert_true ((state == NULL) != (error == NULL));
  g_ptr_array_add (seen->synced, g_strdup_printf ("%s: %s", kvmrt_vm_get_name (vm),
                                                  state != NULL ? "ok" : "failed"));
}

/* From the boot's worker threads. */
static void
on_booted (const KvmrtVmResult *result, gpointer user_data)
{
  Seen *seen = user_data;

  g_mutex_lock (&seen->lock);
  g_ptr_array_add (seen->booted, g_strdup (result->label));
  g_mutex_unlock (&seen->lock);
}

static const KvmrtBootSetProgress progress = { on_released, on_release_failed, on_synced,
                                               on_booted };

static GVirDomain *
domain (Fixture *f, const char *uuid)
{
  return kvmrt_libvirt_lookup_uuid (f->libvirt, uuid);
}

/* Takes @uuid's domain out of this connection's test driver. */
static void
undefine (Fixture *f, const char *uuid)
{
  GVirConnection *connection = kvmrt_libvirt_get_connection (f->libvirt);
  virConnectPtr conn = NULL;
  virDomainPtr handle;
  g_autoptr(GError) error = NULL;

  g_object_get (connection, "handle", &conn, NULL);
  handle = virDomainLookupByUUIDString (conn, uuid);
  g_assert_nonnull (handle);
  g_assert_cmpint (virDomainUndefine (handle), ==, 0);
  virDomainFree (handle);
  virConnectClose (conn);
  g_assert_true (gvir_connection_fetch_domains (connection, NULL, &error));
  g_assert_no_error (error);
  kvmrt_libvirt_update_domains (f->libvirt);
  g_assert_null (domain (f, uuid));
}

static const KvmrtVmResult *
result_for (GPtrArray *results, const char *uuid)
{
  for (guint i = 0; i < results->len; i++)
    if (g_str_equal (((KvmrtVmResult *) results->pdata[i])->uuid, uuid))
      return results->pdata[i];
  g_assert_not_reached ();
}

/* In parallel, a VM libvirt lost fails on its own: the others start and are tuned, each
 * result says so, and a shutdown of the set then reports each VM again, giving the host
 * back. */
static void
test_one_failure_does_not_hide_the_others (Fixture *f, gconstpointer data)
{
  KvmrtSession session = session_of (f);
  g_autoptr(GPtrArray) vms = kvmrt_boot_set_select (f->config, NULL, KVMRT_BOOT_SET_ALL, NULL);
  g_autoptr(KvmrtBootSetReport) report = NULL;
  g_autoptr(GPtrArray) named = g_ptr_array_new ();
  g_autoptr(GPtrArray) stopped = NULL;
  const KvmrtVmResult *r;
  Seen seen;

  seen_init (&seen);
  undefine (f, WIN10_UUID);
  g_assert_cmpuint (vms->len, ==, 4);
  report = kvmrt_boot_set_run (&session, vms, KVMRT_BOOT_SET_DEFAULT, &progress, &seen);

  g_assert_cmpint (report->status, ==, KVMRT_BOOT_SET_BOOTED);
  g_assert_cmpuint (report->results->len, ==, 4);
  for (guint i = 0; i < vms->len; i++)
    g_assert_true (((KvmrtVmResult *) report->results->pdata[i])->vm == vms->pdata[i]);
  /* Every enabled VM was synced; only the lost one failed. */
  g_assert_cmpuint (seen.synced->len, ==, 4);
  g_assert_cmpstr (seen.synced->pdata[2], ==, "win10-eng: failed");
  g_assert_cmpuint (seen.booted->len, ==, 4);
  g_assert_cmpuint (seen.released + seen.release_failed, ==, 0);

  r = result_for (report->results, WIN10_UUID);
  g_assert_cmpint (r->outcome, ==, KVMRT_VM_FAILED_START);
  g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_NONE);
  g_assert_nonnull (strstr (r->error->message, "win10-eng is not defined in libvirt"));
  for (guint i = 0; i < 2; i++)
    {
      r = result_for (report->results, i == 0 ? VISION_UUID : CONTROL_UUID);
      g_assert_cmpint (r->outcome, ==, KVMRT_VM_STARTED);
      g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_APPLIED);
      g_assert_null (r->error);
      g_assert_cmpuint (r->report->changes->len, >, 0);
      g_assert_true (kvmrt_libvirt_is_active (domain (f, r->uuid)));
    }
  r = result_for (report->results, UBUNTU_UUID);
  g_assert_cmpint (r->outcome, ==, KVMRT_VM_STARTED);
  g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_NONE);
  g_assert_false (test_demo_cpu48_online (f));
  g_assert_true (test_demo_journal_exists (f));

  /* Shut down three by name: the lost one and the outcomes of the others. */
  g_ptr_array_add (named, kvmrt_config_lookup_uuid (f->config, VISION_UUID));
  g_ptr_array_add (named, kvmrt_config_lookup_uuid (f->config, WIN10_UUID));
  g_ptr_array_add (named, kvmrt_config_lookup_uuid (f->config, CONTROL_UUID));
  stopped = kvmrt_shutdown_set_run (&session, named, 5, KVMRT_SHUTDOWN_DEFAULT, NULL, NULL);
  g_assert_cmpuint (stopped->len, ==, 3);
  /* Those not running come first, reported before any request. */
  r = stopped->pdata[0];
  g_assert_cmpstr (r->uuid, ==, WIN10_UUID);
  g_assert_cmpint (r->outcome, ==, KVMRT_VM_NOT_DEFINED);
  g_assert_nonnull (r->error);
  for (guint i = 1; i < 3; i++)
    {
      r = stopped->pdata[i];
      g_assert_cmpstr (r->uuid, ==, i == 1 ? VISION_UUID : CONTROL_UUID);
      g_assert_cmpint (r->outcome, ==, KVMRT_VM_SHUT_OFF);
      g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_RELEASED);
      g_assert_cmpuint (r->report->changes->len, >, 0);
      g_assert_false (kvmrt_libvirt_is_active (domain (f, r->uuid)));
    }
  g_assert_true (test_demo_cpu48_online (f));
  g_assert_false (test_demo_journal_exists (f));
  /* ubuntu-build was not named: it runs on. */
  g_assert_true (kvmrt_libvirt_is_active (domain (f, UBUNTU_UUID)));
  seen_clear (&seen);
}

/* --clean: refused while a configured VM runs (nothing done); then, with a journal that
 * cannot be written, the first real-time VM fails to be tuned and the rest are not started,
 * each saying which VM stopped them. */
static void
test_clean_refuses_then_stops_at_first_failure (Fixture *f, gconstpointer data)
{
  KvmrtSession session = session_of (f);
  g_autoptr(GPtrArray) vms = kvmrt_boot_set_select (f->config, NULL, KVMRT_BOOT_SET_CLEAN,
                                                    NULL);
  g_autoptr(KvmrtBootSetReport) busy = NULL;
  g_autoptr(KvmrtBootSetReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = g_build_filename (f->sysroot, KVMRT_JOURNAL_PATH, NULL);
  const KvmrtVmResult *r;
  Seen seen;

  seen_init (&seen);
  /* The autostart ones, in configuration order. */
  g_assert_cmpuint (vms->len, ==, 3);
  g_assert_cmpstr (kvmrt_vm_get_uuid (vms->pdata[0]), ==, VISION_UUID);

  g_assert_true (kvmrt_libvirt_start (domain (f, UBUNTU_UUID), &error));
  busy = kvmrt_boot_set_run (&session, vms, KVMRT_BOOT_SET_CLEAN, &progress, &seen);
  g_assert_cmpint (busy->status, ==, KVMRT_BOOT_SET_BUSY);
  g_assert_cmpuint (busy->running->len, ==, 1);
  g_assert_cmpstr (kvmrt_vm_get_uuid (busy->running->pdata[0]), ==, UBUNTU_UUID);
  g_assert_cmpuint (busy->results->len, ==, 0);
  g_assert_cmpuint (seen.synced->len + seen.booted->len, ==, 0);
  g_assert_false (kvmrt_libvirt_is_active (domain (f, VISION_UUID)));
  g_assert_true (kvmrt_libvirt_destroy (domain (f, UBUNTU_UUID), &error));

  /* A directory where the journal file goes: the tuner cannot keep it. */
  g_assert_cmpint (g_mkdir_with_parents (journal, 0755), ==, 0);
  report = kvmrt_boot_set_run (&session, vms, KVMRT_BOOT_SET_CLEAN, &progress, &seen);
  g_assert_cmpint (report->status, ==, KVMRT_BOOT_SET_BOOTED);
  g_assert_cmpuint (seen.release_failed, ==, 1);
  g_assert_cmpuint (report->results->len, ==, 3);
  r = report->results->pdata[0];
  g_assert_cmpint (r->outcome, ==, KVMRT_VM_STARTED);
  g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_FAILED);
  g_assert_nonnull (r->error);
  for (guint i = 1; i < 3; i++)
    {
      r = report->results->pdata[i];
      g_assert_cmpint (r->outcome, ==, KVMRT_VM_NOT_STARTED);
      g_assert_cmpstr (r->blocked_by, ==, "rh84-vision-rt");
      g_assert_false (kvmrt_libvirt_is_active (domain (f, r->uuid)));
    }
  /* Reported in order, the ones not started too. */
  g_assert_cmpuint (seen.booted->len, ==, 3);
  g_assert_cmpstr (seen.booted->pdata[2], ==, "win10-eng");
  g_assert_true (test_demo_cpu48_online (f));
  seen_clear (&seen);
}

/* Retune starts nothing and leaves the host alone for a VM that is off; the tuning of a
 * running VM that left the configuration is released as held; a cancelled shutdown powers
 * nothing off; Force Off (timeout 0 with force) powers off without asking. */
static void
test_retune_force_off_and_release_held (Fixture *f, gconstpointer data)
{
  KvmrtSession session = session_of (f);
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GPtrArray) off = NULL;
  g_autoptr(GPtrArray) on = NULL;
  g_autoptr(GPtrArray) stopped = NULL;
  g_autoptr(KvmrtReleaseHeld) held = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(KvmrtConfig) without = kvmrt_config_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GPtrArray) not_stopped = NULL;
  KvmrtShutdownProgress cancelling = { NULL, NULL, cancelled };
  g_autoptr(GError) error = NULL;
  const KvmrtVmResult *r;

  g_ptr_array_add (one, kvmrt_config_lookup_uuid (f->config, CONTROL_UUID));
  off = kvmrt_boot_set_retune (&session, one, NULL, NULL);
  r = off->pdata[0];
  g_assert_cmpint (r->outcome, ==, KVMRT_VM_NOT_RUNNING);
  g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_NONE);
  g_assert_nonnull (strstr (r->error->message, "rh84-control-rt is not running"));
  g_assert_false (kvmrt_libvirt_is_active (domain (f, CONTROL_UUID)));
  g_assert_false (test_demo_journal_exists (f));

  g_assert_true (kvmrt_libvirt_start (domain (f, CONTROL_UUID), &error));
  on = kvmrt_boot_set_retune (&session, one, NULL, NULL);
  r = on->pdata[0];
  g_assert_cmpint (r->outcome, ==, KVMRT_VM_RETUNED);
  g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_APPLIED);
  g_assert_cmpuint (r->report->changes->len, >, 0);
  g_assert_true (test_demo_journal_exists (f));

  /* Running, tuned, and gone from the configuration: its tuning is held for nothing. */
  held = kvmrt_lifecycle_release_held (f->sysroot, f->host, f->libvirt, f->config, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (held->results->len, ==, 0);
  g_assert_cmpint (held->leftovers, ==, KVMRT_VM_TUNING_NONE);
  g_assert_true (kvmrt_release_held_ok (held));
  g_clear_pointer (&held, kvmrt_release_held_free);
  held = kvmrt_lifecycle_release_held (f->sysroot, f->host, f->libvirt, without, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (held->results->len, ==, 1);
  r = held->results->pdata[0];
  g_assert_cmpint (r->outcome, ==, KVMRT_VM_STALE);
  g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_RELEASED);
  g_assert_cmpstr (r->label, ==, "rh84-control-rt");
  g_assert_null (r->vm);
  g_assert_false (test_demo_journal_exists (f));

  /* Cancelled: the wait ends at once, and even with force nothing is powered off. */
  g_cancellable_cancel (cancelled);
  not_stopped = kvmrt_shutdown_set_run (&session, one, 0, KVMRT_SHUTDOWN_FORCE, &cancelling,
                                        NULL);
  r = not_stopped->pdata[0];
  g_assert_cmpint (r->outcome, ==, KVMRT_VM_STILL_RUNNING);
  g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_NONE);
  g_assert_true (kvmrt_libvirt_is_active (domain (f, CONTROL_UUID)));

  /* Force Off: no grace period, so no request; powered off. Nothing is held after. */
  stopped = kvmrt_shutdown_set_run (&session, one, 0, KVMRT_SHUTDOWN_FORCE, NULL, NULL);
  r = stopped->pdata[0];
  g_assert_cmpint (r->outcome, ==, KVMRT_VM_POWERED_OFF);
  g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_RELEASED);
  g_assert_false (kvmrt_libvirt_is_active (domain (f, CONTROL_UUID)));
  none = kvmrt_shutdown_set_run (&session, NULL, 0, KVMRT_SHUTDOWN_FORCE, NULL, NULL);
  g_assert_cmpuint (none->len, ==, 0);
}

/* A release the host refuses in part is the VM's tuning FAILED, with the file it kept; what
 * stays is held for no VM, and kvmrt_lifecycle_release_held() gives it back once it can. */
static void
test_release_refused_then_given_back (Fixture *f, gconstpointer data)
{
  KvmrtSession session = session_of (f);
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GPtrArray) tuned = NULL;
  g_autoptr(GPtrArray) stopped = NULL;
  g_autoptr(KvmrtReleaseHeld) held = NULL;
  g_autofree char *target = g_build_filename (f->sysroot, "proc", "sys", "kernel",
                                              "timer_migration", NULL);
  g_autoptr(GError) error = NULL;
  const KvmrtVmResult *r;

  g_ptr_array_add (one, kvmrt_config_lookup_uuid (f->config, CONTROL_UUID));
  g_assert_true (kvmrt_libvirt_start (domain (f, CONTROL_UUID), &error));
  tuned = kvmrt_boot_set_retune (&session, one, NULL, NULL);
  r = tuned->pdata[0];
  g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_APPLIED);
  /* A tuned VM's settings are no leftovers. */
  g_assert_cmpuint (kvmrt_tuner_count_leftovers (f->sysroot, f->host), ==, 0);

  /* A restore target the host cannot take back. */
  g_assert_cmpint (g_remove (target), ==, 0);
  g_assert_cmpint (g_mkdir (target, 0755), ==, 0);
  stopped = kvmrt_shutdown_set_run (&session, one, 0, KVMRT_SHUTDOWN_FORCE, NULL, NULL);
  r = stopped->pdata[0];
  g_assert_cmpint (r->outcome, ==, KVMRT_VM_POWERED_OFF);
  g_assert_cmpint (r->tuning, ==, KVMRT_VM_TUNING_FAILED);
  g_assert_nonnull (strstr (r->error->message, "/proc/sys/kernel/timer_migration"));
  g_assert_cmpuint (r->report->changes->len, >, 0);
  g_assert_true (test_demo_journal_exists (f));

  /* Held for no VM now (the window counts it); still refused, and said so. */
  g_assert_cmpuint (kvmrt_tuner_count_leftovers (f->sysroot, f->host), ==, 1);
  held = kvmrt_lifecycle_release_held (f->sysroot, f->host, f->libvirt, f->config, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (held->results->len, ==, 0);
  g_assert_cmpint (held->leftovers, ==, KVMRT_VM_TUNING_FAILED);
  g_assert_nonnull (strstr (held->leftovers_error->message, "/proc/sys/kernel/timer_migration"));
  g_assert_false (kvmrt_release_held_ok (held));
  g_assert_true (test_demo_journal_exists (f));
  g_clear_pointer (&held, kvmrt_release_held_free);

  /* The file is back: given back, and nothing is held any more. */
  g_assert_cmpint (g_rmdir (target), ==, 0);
  g_assert_true (g_file_set_contents (target, "0\n", -1, &error));
  held = kvmrt_lifecycle_release_held (f->sysroot, f->host, f->libvirt, f->config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (held->leftovers, ==, KVMRT_VM_TUNING_RELEASED);
  g_assert_cmpuint (held->leftovers_report->changes->len, ==, 1);
  g_assert_null (held->leftovers_error);
  g_assert_true (kvmrt_release_held_ok (held));
  g_assert_false (test_demo_journal_exists (f));
  g_assert_cmpuint (kvmrt_tuner_count_leftovers (f->sysroot, f->host), ==, 0);
  g_clear_pointer (&held, kvmrt_release_held_free);
  held = kvmrt_lifecycle_release_held (f->sysroot, f->host, f->libvirt, f->config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (held->leftovers, ==, KVMRT_VM_TUNING_NONE);
  g_assert_cmpuint (held->results->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/vm-ops/one-failure-does-not-hide-the-others", Fixture, NULL, test_demo_set_up,
              test_one_failure_does_not_hide_the_others, test_demo_tear_down);
  g_test_add ("/vm-ops/clean-refuses-then-stops-at-first-failure", Fixture, NULL,
              test_demo_set_up, test_clean_refuses_then_stops_at_first_failure,
              test_demo_tear_down);
  g_test_add ("/vm-ops/retune-force-off-and-release-held", Fixture, NULL, test_demo_set_up,
              test_retune_force_off_and_release_held, test_demo_tear_down);
  g_test_add ("/vm-ops/release-refused-then-given-back", Fixture, NULL, test_demo_set_up,
              test_release_refused_then_given_back, test_demo_tear_down);
  return g_test_run ();
}
