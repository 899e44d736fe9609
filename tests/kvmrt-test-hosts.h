/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helpers: the fixture hosts generated into the build tree (data/hosts/), loaded once
 * per test program, and configs written inline. */
#pragma once

#include <kvmrt.h>

/* The sysroot of fixture host @name ("m12swa-tf", "small-nosmt", ...). */
static inline char *
test_host_dir (const char *name)
{
  const char *dir = g_getenv ("KVMRT_TEST_HOSTS_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

/* Every fixture host's name, NULL-terminated. */
static inline const char * const *
test_host_names (void)
{
  static const char *const names[] = { "m12swa-tf", "small-nosmt", "wrx90e-sage-se",
                                       "bench-256", NULL };

  return names;
}

/* The demo's and the tests' whole configurations, as paths below the source tree,
 * NULL-terminated. */
static inline const char * const *
test_config_paths (void)
{
  static const char *const paths[] = { "data/demo/kvmrt.cfg", "tests/configs/fig5-8.cfg",
                                       "tests/configs/fig5-8-fixed.cfg",
                                       "tests/configs/cli-disabled.cfg",
                                       "tests/configs/ini-compat-rich.cfg", NULL };

  return paths;
}

static inline KvmrtHost *
test_load_host (const char *name)
{
  static GHashTable *cache;
  g_autofree char *dir = test_host_dir (name);
  g_autoptr(GError) error = NULL;
  KvmrtHost *host;

  if (cache == NULL)
    cache = g_hash_table_new (g_str_hash, g_str_equal);
  host = g_hash_table_lookup (cache, name);
  if (host != NULL)
    return host;
  host = kvmrt_host_load (dir, KVMRT_HOST_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_hash_table_insert (cache, g_strdup (name), host);
  return host;
}

static inline KvmrtConfig *
test_config (const char *text)
{
  g_autoptr(GError) error = NULL;
  KvmrtConfig *config = kvmrt_config_load_from_data (text, -1, "test.cfg", &error);

  g_assert_no_error (error);
  return config;
}
