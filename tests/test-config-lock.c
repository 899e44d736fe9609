/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration lock: a salted yescrypt hash in [DEFAULT], never the password. */
#include "kvmrt-test-hosts.h"

#include <glib/gstdio.h>

#define U1 "fde74e84-0e1b-404e-90e7-72101e79c48a"
#define PASSWORD "correct horse battery staple"

static KvmrtConfig *
load_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  KvmrtConfig *config = kvmrt_config_load_from_data (text, -1, "test.cfg", &error);

  g_assert_no_error (error);
  return config;
}

static void
test_hash_not_password (void)
{
  g_autoptr(KvmrtConfig) config = load_text ("[" U1 "]\nname = a\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *stored;

  g_assert_false (kvmrt_config_lock_is_set (config));
  g_assert_true (kvmrt_config_lock_check (config, "anything"));

  g_assert_true (kvmrt_config_lock_set (config, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_true (kvmrt_config_lock_is_set (config));
  stored = kvmrt_config_get_default_value (config, KVMRT_CONFIG_LOCK_KEY);
  g_assert_nonnull (stored);
  g_assert_true (g_str_has_prefix (stored, "$y$"));
  g_assert_null (strstr (stored, PASSWORD));
  g_assert_null (strstr (stored, "horse"));

  text = kvmrt_config_to_data (config, NULL);
  g_assert_true (g_str_has_prefix (text, "[DEFAULT]\nconfig_lock = $y$"));
  g_assert_null (strstr (text, "horse"));
}

static void
test_salted (void)
{
  g_autoptr(KvmrtConfig) a = load_text ("[" U1 "]\n");
  g_autoptr(KvmrtConfig) b = load_text ("[" U1 "]\n");
  g_autofree char *first = NULL;

  g_assert_true (kvmrt_config_lock_set (a, PASSWORD, NULL));
  g_assert_true (kvmrt_config_lock_set (b, PASSWORD, NULL));
  g_assert_cmpstr (kvmrt_config_get_default_value (a, KVMRT_CONFIG_LOCK_KEY), !=,
                   kvmrt_config_get_default_value (b, KVMRT_CONFIG_LOCK_KEY));

  /* Setting the same password again makes a new salt too. */
  first = g_strdup (kvmrt_config_get_default_value (a, KVMRT_CONFIG_LOCK_KEY));
  g_assert_true (kvmrt_config_lock_set (a, PASSWORD, NULL));
  g_assert_cmpstr (kvmrt_config_get_default_value (a, KVMRT_CONFIG_LOCK_KEY), !=, first);
  g_assert_true (kvmrt_config_lock_check (a, PASSWORD));
}

static void
test_check (void)
{
  g_autoptr(KvmrtConfig) config = load_text ("[" U1 "]\n");

  g_assert_true (kvmrt_config_lock_set (config, PASSWORD, NULL));
  g_assert_true (kvmrt_config_lock_check (config, PASSWORD));
  g_assert_false (kvmrt_config_lock_check (config, "correct horse battery stapl"));
  g_assert_false (kvmrt_config_lock_check (config, PASSWORD " "));
  g_assert_false (kvmrt_config_lock_check (config, ""));
  g_assert_false (kvmrt_config_lock_check (config, NULL));

  /* A value crypt(3) cannot read opens for no password. */
  kvmrt_config_set_default_value (config, KVMRT_CONFIG_LOCK_KEY, "not a hash");
  g_assert_true (kvmrt_config_lock_is_set (config));
  g_assert_false (kvmrt_config_lock_check (config, "not a hash"));
  g_assert_false (kvmrt_config_lock_check (config, ""));
}

static void
test_remove (void)
{
  const char *original = "# site\n\n[" U1 "]\nname = a\n";
  g_autoptr(KvmrtConfig) config = load_text (original);
  g_autofree char *text = NULL;

  g_assert_true (kvmrt_config_lock_set (config, PASSWORD, NULL));
  g_assert_true (kvmrt_config_lock_set (config, NULL, NULL));
  g_assert_false (kvmrt_config_lock_is_set (config));
  g_assert_true (kvmrt_config_lock_check (config, "whatever"));
  text = kvmrt_config_to_data (config, NULL);
  g_assert_cmpstr (text, ==, original);

  g_assert_true (kvmrt_config_lock_set (config, PASSWORD, NULL));
  g_assert_true (kvmrt_config_lock_set (config, "", NULL));
  g_assert_false (kvmrt_config_lock_is_set (config));
}

static void
test_saved_and_loaded (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kvmrt-lock-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "kvmrt.cfg", NULL);
  g_autofree char *backup = g_strconcat (path, ".bak", NULL);
  g_autofree char *saved = NULL;
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(KvmrtConfig) loaded = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, "[" U1 "]\nname = a\n", -1, NULL));
  config = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (kvmrt_config_lock_set (config, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_true (kvmrt_config_save (config, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_true (g_str_has_prefix (saved, "[DEFAULT]\nconfig_lock = $y$"));
  g_assert_null (strstr (saved, PASSWORD));

  loaded = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kvmrt_config_get_n_vms (loaded), ==, 1);
  g_assert_true (kvmrt_config_lock_is_set (loaded));
  g_assert_true (kvmrt_config_lock_check (loaded, PASSWORD));
  g_assert_false (kvmrt_config_lock_check (loaded, "wrong"));

  g_unlink (path);
  g_unlink (backup);
  g_rmdir (dir);
}

/* The lock is not a VM setting: the validator finds exactly what it finds without it. */
static void
test_validator_ignores_lock (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "demo", "kvmrt.cfg",
                                                 NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) config = kvmrt_config_load (path, &error);
  KvmrtHost *host = test_load_host ("m12swa-tf");
  KvmrtPlan *plan;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;

  g_assert_no_error (error);
  plan = kvmrt_plan_new (config, host);
  before = kvmrt_validate (plan, KVMRT_VALIDATE_ALL);
  kvmrt_plan_free (plan);
  g_assert_true (kvmrt_config_lock_set (config, PASSWORD, NULL));
  plan = kvmrt_plan_new (config, host);
  after = kvmrt_validate (plan, KVMRT_VALIDATE_ALL);
  kvmrt_plan_free (plan);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < after->len; i++)
    {
      const KvmrtDiagnostic *a = before->pdata[i];
      const KvmrtDiagnostic *b = after->pdata[i];

      g_assert_cmpstr (a->code, ==, b->code);
      g_assert_cmpstr (a->attribute, ==, b->attribute);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config-lock/hash-not-password", test_hash_not_password);
  g_test_add_func ("/config-lock/salted", test_salted);
  g_test_add_func ("/config-lock/check", test_check);
  g_test_add_func ("/config-lock/remove", test_remove);
  g_test_add_func ("/config-lock/saved-and-loaded", test_saved_and_loaded);
  g_test_add_func ("/config-lock/validator-ignores-lock", test_validator_ignores_lock);
  return g_test_run ();
}
