/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt_lifecycle_tune, the one retune the CLI, kvmrtd and the window share: a VM libvirt
 * does not show running is refused and the host is left exactly as it was (no CPU taken
 * offline, no journal); once it runs, the same call tunes it; once it is off again, the
 * tuning it still holds is released as stale. On a copy of the demo host, with libvirt's test
 * driver on the demo's VMs. */
#include <kvmrt.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kvmrt-lifecycle.h"
#include "kvmrt-test-demo.h"

#define VISION_UUID "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca"

typedef TestDemo Fixture;

static const KvmrtVmPlan *
vision_plan (Fixture *f)
{
  for (guint i = 0; i < kvmrt_plan_get_n_vms (f->plan); i++)
    if (g_str_equal (kvmrt_vm_get_uuid (kvmrt_plan_get_vm (f->plan, i)->vm), VISION_UUID))
      return kvmrt_plan_get_vm (f->plan, i);
  g_assert_not_reached ();
}

/* What tuning writes below @path (CPUs' online files, IRQs' affinities, cgroups' CPUs, the
 * journal under run/), as text, to compare before and after. */
static void
snapshot_dir (GString *out, const char *path, gboolean all)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *text = NULL;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        snapshot_dir (out, child, all);
      else if ((all || g_str_equal (name, "online") || g_str_equal (name, "smp_affinity_list")
                || g_str_equal (name, "cpuset.cpus"))
               && g_file_get_contents (child, &text, NULL, NULL))
        g_string_append_printf (out, "%s=%s\n", child, text);
    }
}

static char *
snapshot (Fixture *f)
{
  GString *out = g_string_new (NULL);
  g_autofree char *cpus = g_build_filename (f->sysroot, "sys", "devices", "system", "cpu", NULL);
  g_autofree char *irqs = g_build_filename (f->sysroot, "proc", "irq", NULL);
  g_autofree char *run = g_build_filename (f->sysroot, "run", NULL);

  g_autofree char *cgroups = g_build_filename (f->sysroot, "sys", "fs", "cgroup", NULL);

  snapshot_dir (out, cpus, FALSE);
  snapshot_dir (out, irqs, FALSE);
  snapshot_dir (out, cgroups, FALSE);
  snapshot_dir (out, run, TRUE);
  return g_string_free (out, FALSE);
}

static void
test_refused_while_shut_off (Fixture *f, gconstpointer data)
{
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = snapshot (f);
  g_autofree char *after = NULL;
  GVirDomain *domain = kvmrt_libvirt_lookup_uuid (f->libvirt, VISION_UUID);

  g_assert_nonnull (domain);
  g_assert_false (kvmrt_libvirt_is_active (domain));
  g_assert_false (kvmrt_lifecycle_tune (f->sysroot, f->host, f->libvirt, vision_plan (f), report,
                                        &error));
  g_assert_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NOT_RUNNING);
  g_assert_nonnull (strstr (error->message, "rh84-vision-rt is not running"));
  g_assert_cmpuint (report->changes->len, ==, 0);
  after = snapshot (f);
  g_assert_cmpstr (after, ==, before);
  g_assert_true (test_demo_cpu48_online (f));
  g_assert_false (test_demo_journal_exists (f));
}

static void
test_tunes_running_then_refuses_and_releases_once_off (Fixture *f, gconstpointer data)
{
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  g_autoptr(KvmrtTuneReport) again = kvmrt_tune_report_new ();
  g_autoptr(KvmrtReleaseHeld) released = NULL;
  const KvmrtVmResult *stale;
  g_autoptr(GError) error = NULL;
  g_autofree char *tuned = NULL;
  g_autofree char *after = NULL;
  GVirDomain *domain = kvmrt_libvirt_lookup_uuid (f->libvirt, VISION_UUID);

  g_assert_true (kvmrt_libvirt_start (domain, &error));
  g_assert_no_error (error);
  g_assert_true (kvmrt_lifecycle_tune (f->sysroot, f->host, f->libvirt, vision_plan (f), report,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->changes->len, >, 0);
  g_assert_false (test_demo_cpu48_online (f));
  g_assert_true (test_demo_journal_exists (f));

  /* Off again (outside kvmrt): a retune now changes nothing, not even the journal. */
  g_assert_true (kvmrt_libvirt_destroy (domain, &error));
  tuned = snapshot (f);
  g_assert_false (kvmrt_lifecycle_tune (f->sysroot, f->host, f->libvirt, vision_plan (f), again,
                                        &error));
  g_assert_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NOT_RUNNING);
  after = snapshot (f);
  g_assert_cmpstr (after, ==, tuned);

  /* What it still holds is stale, and released as such. */
  g_clear_error (&error);
  released = kvmrt_lifecycle_release_held (f->sysroot, f->host, f->libvirt, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (released->results->len, ==, 1);
  g_assert_cmpint (released->leftovers, ==, KVMRT_VM_TUNING_NONE);
  stale = released->results->pdata[0];
  g_assert_cmpint (stale->tuning, ==, KVMRT_VM_TUNING_RELEASED);
  g_assert_cmpstr (stale->label, ==, "rh84-vision-rt");
  g_assert_true (test_demo_cpu48_online (f));
  g_assert_false (test_demo_journal_exists (f));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/lifecycle/tune-refused-while-shut-off", Fixture, NULL, test_demo_set_up,
              test_refused_while_shut_off, test_demo_tear_down);
  g_test_add ("/lifecycle/tune-running-refuse-and-release-once-off", Fixture, NULL,
              test_demo_set_up, test_tunes_running_then_refuses_and_releases_once_off,
              test_demo_tear_down);
  return g_test_run ();
}
