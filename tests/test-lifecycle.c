/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt_lifecycle_tune, the one retune the CLI, kvmrtd and the window share: a VM libvirt
 * does not show running is refused and the host is left exactly as it was (no CPU taken
 * offline, no journal); once it runs, the same call tunes it; once it is off again, the
 * tuning it still holds is released as stale. On a copy of the demo host, with libvirt's test
 * driver on the demo's VMs. */
#include <kvmrt.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kvmrt-journal.h"
#include "kvmrt-lifecycle.h"
#include "kvmrt-test-hosts.h"

#define VISION_UUID "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca"

typedef struct {
  char         *sysroot;
  KvmrtHost    *host;
  KvmrtLibvirt *libvirt;
  KvmrtConfig  *config;
  KvmrtPlan    *plan;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = test_host_dir ("m12swa-tf");
  g_autofree char *dir = g_dir_make_tmp ("kvmrt-lifecycle-XXXXXX", &error);
  g_autofree char *demo = g_test_build_filename (G_TEST_DIST, "..", "data", "demo", NULL);
  g_autofree char *config = g_build_filename (demo, "kvmrt.cfg", NULL);
  g_autofree char *uri = g_strdup_printf ("test://%s/libvirt-node.xml", demo);
  const char *cp[] = { "cp", "-a", source, NULL, NULL };
  int status = 0;

  g_assert_no_error (error);
  f->sysroot = g_build_filename (dir, "host", NULL);
  cp[3] = f->sysroot;
  g_assert_true (g_spawn_sync (NULL, (char **) cp, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  f->host = kvmrt_host_load (f->sysroot, KVMRT_HOST_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  f->libvirt = kvmrt_libvirt_open (uri, &error);
  g_assert_no_error (error);
  f->config = kvmrt_config_load (config, &error);
  g_assert_no_error (error);
  f->plan = kvmrt_plan_new (f->config, f->host);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_path_get_dirname (f->sysroot);
  const char *rm[] = { "rm", "-rf", "--one-file-system", dir, NULL };

  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                NULL);
  kvmrt_plan_free (f->plan);
  g_object_unref (f->config);
  g_object_unref (f->libvirt);
  g_object_unref (f->host);
  g_free (f->sysroot);
}

static const KvmrtVmPlan *
vision_plan (Fixture *f)
{
  for (guint i = 0; i < kvmrt_plan_get_n_vms (f->plan); i++)
    if (g_str_equal (kvmrt_vm_get_uuid (kvmrt_plan_get_vm (f->plan, i)->vm), VISION_UUID))
      return kvmrt_plan_get_vm (f->plan, i);
  g_assert_not_reached ();
}

/* Whether CPU 48 (a sibling Vision Inspection's tuning takes offline) is online. */
static gboolean
cpu48_online (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->sysroot, "sys", "devices", "system", "cpu",
                                            "cpu48", "online", NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return g_str_has_prefix (text, "1");
}

static gboolean
journal_exists (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->sysroot, KVMRT_JOURNAL_PATH, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
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
  g_assert_true (cpu48_online (f));
  g_assert_false (journal_exists (f));
}

static void
test_tunes_running_then_refuses_and_releases_once_off (Fixture *f, gconstpointer data)
{
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  g_autoptr(KvmrtTuneReport) again = kvmrt_tune_report_new ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) released = NULL;
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
  g_assert_false (cpu48_online (f));
  g_assert_true (journal_exists (f));

  /* Off again (outside kvmrt): a retune now changes nothing, not even the journal. */
  g_assert_true (kvmrt_libvirt_destroy (domain, &error));
  tuned = snapshot (f);
  g_assert_false (kvmrt_lifecycle_tune (f->sysroot, f->host, f->libvirt, vision_plan (f), again,
                                        &error));
  g_assert_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NOT_RUNNING);
  after = snapshot (f);
  g_assert_cmpstr (after, ==, tuned);

  /* What it still holds is stale, and released as such. */
  released = kvmrt_lifecycle_release_stale (f->sysroot, f->host, f->libvirt, problems);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpuint (released->len, ==, 1);
  g_assert_cmpstr (released->pdata[0], ==, "rh84-vision-rt");
  g_assert_true (cpu48_online (f));
  g_assert_false (journal_exists (f));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/lifecycle/tune-refused-while-shut-off", Fixture, NULL, fixture_set_up,
              test_refused_while_shut_off, fixture_tear_down);
  g_test_add ("/lifecycle/tune-running-refuse-and-release-once-off", Fixture, NULL,
              fixture_set_up, test_tunes_running_then_refuses_and_releases_once_off,
              fixture_tear_down);
  return g_test_run ();
}
