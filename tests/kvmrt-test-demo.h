/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helpers for what boots and tunes: a private copy of the demo host (the m12swa-tf
 * fixture, so tuning may write to it), libvirt's test driver on the demo's VMs, and the demo
 * configuration with its plan. */
#pragma once

#include <kvmrt.h>

#include "kvmrt-journal.h"
#include "kvmrt-libvirt.h"
#include "kvmrt-test-hosts.h"

typedef struct {
  char         *sysroot;
  KvmrtHost    *host;
  KvmrtLibvirt *libvirt;
  KvmrtConfig  *config;
  KvmrtPlan    *plan;
} TestDemo;

static inline void
test_demo_set_up (TestDemo *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = test_host_dir ("m12swa-tf");
  g_autofree char *dir = g_dir_make_tmp ("kvmrt-demo-XXXXXX", &error);
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

static inline void
test_demo_tear_down (TestDemo *f, gconstpointer data)
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

/* Whether CPU 48 (a sibling Vision Inspection's tuning takes offline) is online. */
static inline gboolean
test_demo_cpu48_online (TestDemo *f)
{
  g_autofree char *path = g_build_filename (f->sysroot, "sys", "devices", "system", "cpu",
                                            "cpu48", "online", NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return g_str_has_prefix (text, "1");
}

static inline gboolean
test_demo_journal_exists (TestDemo *f)
{
  g_autofree char *path = g_build_filename (f->sysroot, KVMRT_JOURNAL_PATH, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}
