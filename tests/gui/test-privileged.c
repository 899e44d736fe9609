/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The GUI's privileged path, for real, as a user who is not root: on the real host ("/")
 * KvmrtManager runs the CLI tools through pkexec. pkexec cannot authenticate here, so a
 * stand-in first on PATH logs its arguments and runs them as they are: the real kvmrt tool
 * runs, as the unprivileged user. Run as root (CI), the test prepares a root-owned
 * configuration and re-executes itself as nobody; run as anyone else it is already
 * unprivileged and runs directly.
 *
 * The URI is libvirt's test driver: the manager and each CLI tool it runs have their own,
 * separate test driver state. That is enough here: what is checked is the command line the
 * manager builds and how it reports what the tool said, not what the tool did to libvirt. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvmrt-gui-test.h"
#include "kvmrt-manager.h"

/* libvirt's test:///default has this one domain, "test", running. */
#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define TEST_URI "test:///default"
/* Set (to the prepared directory) in the re-executed, unprivileged copy. */
#define DIR_ENV "KVMRT_TEST_PRIVILEGED_DIR"

static struct {
  char *dir;        /* the whole tree; ROOT_DIR/etc is not ours to write */
  char *work;       /* ours: HOME, TMPDIR, the stand-in, the log, the demo copy */
  char *log;        /* the stand-in's calls, one line each, arguments tab-separated */
  char *dismiss;    /* while this file exists the stand-in exits 126, as when dismissed */
  char *config;     /* ours, for the real host and the test driver */
  char *locked;     /* a configuration we may read but not replace */
  char *demo_locked;/* the demo's configuration, likewise */
  char *cli_dir;
} t;

/* Helpers ------------------------------------------------------------------------------ */

/* Runs the main loop until an operation has finished (at most 60 s): its result. */
static GAsyncResult *
wait_for (GAsyncResult **result)
{
  return kvmrt_gui_test_wait_result (result, 60000);
}

/* The stand-in's calls so far, each a NULL-terminated argv; the log starts empty again. */
static GPtrArray *
take_calls (void)
{
  GPtrArray *calls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (t.log, &text, NULL, NULL))
    return calls;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_ptr_array_add (calls, g_strsplit (lines[i], "\t", -1));
  g_assert_no_errno (g_unlink (t.log));
  return calls;
}

static void
assert_argv (char **argv, const char * const *expected)
{
  g_autofree char *got = g_strjoinv (" ", argv);
  g_autofree char *want = g_strjoinv (" ", (char **) expected);

  g_assert_cmpstr (got, ==, want);
}

static char *
tool (const char *name)
{
  return g_build_filename (t.cli_dir, name, NULL);
}

/* What @argv prints (stdout and stderr, as the manager reads them), run here as we are. */
static char *
output_of (char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  char *out = NULL;

  process = g_subprocess_newv ((const char * const *) argv,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  return g_strchomp (out);
}

/* An edited copy of the manager's configuration: every VM gets a new title. */
static KvmrtConfig *
edited_copy (KvmrtManager *manager)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = kvmrt_config_to_data (kvmrt_manager_get_config (manager), NULL);
  KvmrtConfig *edited = kvmrt_config_load_from_data (data, -1,
                                                     kvmrt_manager_get_config_path (manager),
                                                     &error);

  g_assert_no_error (error);
  for (guint i = 0; i < kvmrt_config_get_n_vms (edited); i++)
    kvmrt_vm_set_title (kvmrt_config_get_vm (edited, i), "Edited in the GUI");
  return edited;
}

/* Cases -------------------------------------------------------------------------------- */

/* (1) Boot runs pkexec kvmrt-boot; its output is the message. */
static void
test_boot (void)
{
  g_autoptr(KvmrtManager) manager = kvmrt_gui_test_open_manager ("/", TEST_URI, t.config);
  KvmrtVm *vm = kvmrt_config_lookup_uuid (kvmrt_manager_get_config (manager), TEST_UUID);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *boot = tool ("kvmrt-boot");

  g_assert_true (kvmrt_manager_needs_privileges (manager));
  g_assert_nonnull (vm);
  kvmrt_manager_boot_async (manager, vm, NULL, kvmrt_gui_test_store_result_cb, &result);
  g_assert_true (kvmrt_manager_boot_finish (manager, wait_for (&result), &message,
                                            &error));
  g_assert_no_error (error);

  calls = take_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
  assert_argv (calls->pdata[0], (const char *[]) { boot, "-f", t.config, "-c", TEST_URI,
                                                   TEST_UUID, NULL });

  /* The same command, run again with fresh test driver state, says the same. */
  expected = output_of (calls->pdata[0]);
  g_assert_cmpstr (message, ==, expected);
  g_assert_nonnull (strstr (message, "test: already running"));
}

/* (1b) Boot All runs pkexec kvmrt-boot once for the whole set, --clean first when asked,
 * and reports the tool's output for the set. */
static void
test_boot_set (void)
{
  g_autoptr(KvmrtManager) manager = kvmrt_gui_test_open_manager ("/", TEST_URI, t.config);
  KvmrtVm *vm = kvmrt_config_lookup_uuid (kvmrt_manager_get_config (manager), TEST_UUID);
  g_autofree char *boot = tool ("kvmrt-boot");
  g_autoptr(GPtrArray) vms = g_ptr_array_new ();

  g_assert_nonnull (vm);
  g_ptr_array_add (vms, vm);
  for (int clean = 0; clean <= 1; clean++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) calls = NULL;
      g_autoptr(GPtrArray) reports = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *message = NULL;
      g_autofree char *said = NULL;

      kvmrt_manager_boot_set_async (manager, vms, clean, NULL, kvmrt_gui_test_store_result_cb,
                                    &result);
      reports = kvmrt_manager_boot_set_finish (manager, wait_for (&result), &message, &error);
      calls = take_calls ();
      g_assert_cmpuint (calls->len, ==, 1);
      if (clean)
        assert_argv (calls->pdata[0], (const char *[]) { boot, "-f", t.config, "-c", TEST_URI,
                                                         "--clean", TEST_UUID, NULL });
      else
        assert_argv (calls->pdata[0], (const char *[]) { boot, "-f", t.config, "-c", TEST_URI,
                                                         TEST_UUID, NULL });
      /* The tool's own words, for the set: refused while "test" runs when clean. */
      said = output_of (calls->pdata[0]);
      if (clean)
        {
          g_assert_null (reports);
          g_assert_nonnull (error);
          g_assert_cmpstr (error->message, ==, said);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpuint (reports->len, ==, 0);
          g_assert_cmpstr (message, ==, said);
        }
    }
}

/* (2) Shut Down and Force Off run pkexec kvmrt-shutdown with the timeout, and --force. */
static void
test_shutdown (void)
{
  g_autoptr(KvmrtManager) manager = kvmrt_gui_test_open_manager ("/", TEST_URI, t.config);
  KvmrtVm *vm = kvmrt_config_lookup_uuid (kvmrt_manager_get_config (manager), TEST_UUID);
  g_autofree char *shutdown = tool ("kvmrt-shutdown");

  for (int force = 1; force >= 0; force--)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) calls = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *message = NULL;

      kvmrt_manager_shutdown_async (manager, vm, force, 7, NULL, kvmrt_gui_test_store_result_cb,
                                    &result);
      g_assert_true (kvmrt_manager_shutdown_finish (manager, wait_for (&result), &message,
                                                    &error));
      g_assert_no_error (error);

      calls = take_calls ();
      g_assert_cmpuint (calls->len, ==, 1);
      if (force)
        assert_argv (calls->pdata[0],
                     (const char *[]) { shutdown, "-f", t.config, "-c", TEST_URI, "--timeout",
                                        "7", "--force", TEST_UUID, NULL });
      else
        assert_argv (calls->pdata[0],
                     (const char *[]) { shutdown, "-f", t.config, "-c", TEST_URI, "--timeout",
                                        "7", TEST_UUID, NULL });
      /* The tool's own line (it says how long the guest took, so no exact comparison). */
      g_assert_true (g_str_has_prefix (message, "test: shut off after "));
    }
}

/* (2b) Retune runs pkexec kvmrt-boot --retune, which starts nothing (plain kvmrt-boot would
 * boot a VM that stopped meanwhile); Release Tuning runs pkexec kvmrt-shutdown
 * --release-held, which shuts nothing down. */
static void
test_retune_and_release (void)
{
  g_autoptr(KvmrtManager) manager = kvmrt_gui_test_open_manager ("/", TEST_URI, t.config);
  KvmrtVm *vm = kvmrt_config_lookup_uuid (kvmrt_manager_get_config (manager), TEST_UUID);
  g_autoptr(GAsyncResult) retuned = NULL;
  g_autoptr(GAsyncResult) released = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *boot = tool ("kvmrt-boot");
  g_autofree char *shutdown = tool ("kvmrt-shutdown");

  g_assert_nonnull (vm);
  kvmrt_manager_retune_async (manager, vm, NULL, kvmrt_gui_test_store_result_cb, &retuned);
  g_assert_true (kvmrt_manager_retune_finish (manager, wait_for (&retuned), &message,
                                              &error));
  g_assert_no_error (error);
  calls = take_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
  assert_argv (calls->pdata[0], (const char *[]) { boot, "-f", t.config, "-c", TEST_URI,
                                                   "--retune", TEST_UUID, NULL });
  g_assert_null (strstr (message, "started"));
  g_clear_pointer (&message, g_free);
  g_clear_pointer (&calls, g_ptr_array_unref);

  /* The tool's answer, whichever it is on this host (nothing held, or not ours to give
   * back as this user), is what the manager reports. */
  kvmrt_manager_release_held_async (manager, NULL, kvmrt_gui_test_store_result_cb, &released);
  kvmrt_manager_release_held_finish (manager, wait_for (&released), &message, &error);
  calls = take_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
  assert_argv (calls->pdata[0], (const char *[]) { shutdown, "-f", t.config, "-c", TEST_URI,
                                                   "--release-held", NULL });
  g_assert_true (error != NULL || strstr (message, "No real-time tuning is held") != NULL
                 || strstr (message, "released") != NULL);
}

/* (3) Apply to a file we may not replace runs pkexec kvmrt-edit-config --replace; the tool,
 * as this user, cannot write it either: the manager says why, in the tool's words, and the
 * file is left as it was. */
static void
test_apply_not_writable (void)
{
  g_autoptr(KvmrtManager) manager = kvmrt_gui_test_open_manager ("/", TEST_URI, t.locked);
  g_autoptr(KvmrtConfig) edited = edited_copy (manager);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *edit = tool ("kvmrt-edit-config");
  g_autofree char *expected = NULL;
  char **argv;

  g_assert_true (g_file_get_contents (t.locked, &before, NULL, NULL));
  g_assert_cmpint (g_access (t.locked, W_OK), !=, 0);

  kvmrt_manager_apply_async (manager, edited, NULL, kvmrt_gui_test_store_result_cb, &result);
  g_assert_false (kvmrt_manager_apply_finish (manager, wait_for (&result), &message, &error));
  g_assert_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED);

  calls = take_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
  argv = calls->pdata[0];
  g_assert_cmpuint (g_strv_length (argv), ==, 9);
  /* The edited text goes on standard input (through pkexec, --replace names no file), to
   * replace only the file it was made from. */
  assert_argv (argv, (const char *[]) { edit, "-f", t.locked, "-c", TEST_URI, "--replace",
                                        "-", "--if-unchanged", argv[8], NULL });
  g_assert_cmpuint (strlen (argv[8]), ==, 64);

  /* The tool's own words (it goes on with advice for the command line). */
  expected = g_strdup_printf ("kvmrt-edit-config: cannot write to the directory of %s: %s",
                              t.locked, g_strerror (EACCES));
  g_assert_true (g_str_has_prefix (error->message, expected));

  g_assert_true (g_file_get_contents (t.locked, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  /* The manager still has the file's configuration, not the refused edit. */
  g_assert_cmpstr (kvmrt_vm_get_title (kvmrt_config_get_vm (kvmrt_manager_get_config
                                                             (manager), 0)), ==, "");
}

/* (4) pkexec exits 126 when the authentication dialog is dismissed. */
static void
test_dismissed (void)
{
  g_autoptr(KvmrtManager) manager = kvmrt_gui_test_open_manager ("/", TEST_URI, t.config);
  KvmrtVm *vm = kvmrt_config_lookup_uuid (kvmrt_manager_get_config (manager), TEST_UUID);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_assert_true (g_file_set_contents (t.dismiss, "", 0, NULL));
  kvmrt_manager_boot_async (manager, vm, NULL, kvmrt_gui_test_store_result_cb, &result);
  g_assert_false (kvmrt_manager_boot_finish (manager, wait_for (&result), &message,
                                             &error));
  g_assert_no_errno (g_unlink (t.dismiss));

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "administrator rights"));
  g_assert_nonnull (strstr (error->message, "not given"));
  g_assert_nonnull (strstr (error->message, "Request dismissed"));
  calls = take_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
}

/* (5) On a demo-style sysroot (not "/") the host is ours: nothing goes through pkexec, not
 * even an Apply to a file we may not write (it just fails). */
static void
test_demo_sysroot (void)
{
  const char *hosts = g_getenv ("KVMRT_TEST_HOSTS_DIR");
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *host = NULL;
  g_autofree char *sysroot = g_build_filename (t.work, "host", NULL);
  g_autofree char *config = g_build_filename (t.work, "demo.cfg", NULL);
  g_autofree char *uri = NULL;
  g_autofree char *text = NULL;
  g_autofree char *after = NULL;
  g_autoptr(KvmrtManager) manager = NULL;
  g_autoptr(KvmrtManager) locked = NULL;
  g_autoptr(KvmrtConfig) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  int status = 0;
  KvmrtVm *vm;

  if (hosts == NULL || srcdir == NULL)
    {
      g_test_skip ("KVMRT_TEST_HOSTS_DIR and G_TEST_SRCDIR are not set (run by meson test)");
      return;
    }
  /* Root copied the host for us (its sysfs has files only root may read). */
  if (!g_file_test (sysroot, G_FILE_TEST_IS_DIR))
    {
      host = kvmrt_gui_test_host_path ();
      g_assert_true (g_spawn_sync (NULL, (char *[]) { "cp", "-a", host, sysroot, NULL }, NULL,
                                   G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                   NULL, NULL, NULL, &status, NULL));
      if (!g_spawn_check_wait_status (status, NULL))
        {
          g_test_skip ("cannot copy the demo host as this user (run as root)");
          return;
        }
    }
  g_assert_true (g_file_get_contents (t.demo_locked, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (config, text, -1, NULL));
  uri = kvmrt_gui_test_demo_uri ();

  manager = kvmrt_gui_test_open_manager (sysroot, uri, config);
  g_assert_false (kvmrt_manager_needs_privileges (manager));
  vm = kvmrt_config_lookup (kvmrt_manager_get_config (manager), "rh84-vision-rt");
  g_assert_nonnull (vm);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *message = NULL;

    kvmrt_manager_boot_async (manager, vm, NULL, kvmrt_gui_test_store_result_cb, &result);
    g_assert_true (kvmrt_manager_boot_finish (manager, wait_for (&result), &message,
                                              &error));
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (message, "Started"));
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *message = NULL;

    kvmrt_manager_shutdown_async (manager, vm, TRUE, 0, NULL, kvmrt_gui_test_store_result_cb,
                                  &result);
    g_assert_true (kvmrt_manager_shutdown_finish (manager, wait_for (&result), &message,
                                                  &error));
    g_assert_no_error (error);
  }

  locked = kvmrt_gui_test_open_manager (sysroot, uri, t.demo_locked);
  g_assert_false (kvmrt_manager_needs_privileges (locked));
  edited = edited_copy (locked);
  {
    g_autoptr(GAsyncResult) result = NULL;

    kvmrt_manager_apply_async (locked, edited, NULL, kvmrt_gui_test_store_result_cb, &result);
    g_assert_false (kvmrt_manager_apply_finish (locked, wait_for (&result), NULL, &error));
    /* Refused for the file's sake, not the edit's: it is valid. */
    g_assert_nonnull (error);
    g_assert_false (g_error_matches (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_INVALID));
    g_test_message ("Apply on the demo host, file not writable: %s", error->message);
  }
  g_assert_true (g_file_get_contents (t.demo_locked, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, text);

  calls = take_calls ();
  g_assert_cmpuint (calls->len, ==, 0);
}

/* Set-up ------------------------------------------------------------------------------- */

/* The files only root (or, run unprivileged, nobody at all) may change: DIR/etc, 0755 with
 * 0644 files when root prepares them, else 0555 with 0444 files. */
static void
prepare_locked (const char *dir, gboolean as_root)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *etc = g_build_filename (dir, "etc", NULL);
  g_autofree char *locked = g_build_filename (etc, "kvmrt.cfg", NULL);
  g_autofree char *demo_locked = g_build_filename (etc, "demo.cfg", NULL);
  g_autofree char *demo_source = NULL;
  g_autofree char *demo_text = NULL;
  const char *text = "# Only root may change this file.\n"
                     "[" TEST_UUID "]\n"
                     "name = test\n"
                     "nr_vcpus = 1\n";

  if (srcdir != NULL)
    {
      demo_source = kvmrt_gui_test_demo_path ("kvmrt.cfg");
      g_file_get_contents (demo_source, &demo_text, NULL, NULL);
    }
  g_assert_no_errno (g_mkdir (etc, 0755));
  g_assert_true (g_file_set_contents (locked, text, -1, NULL));
  g_assert_true (g_file_set_contents (demo_locked, demo_text != NULL ? demo_text : text, -1,
                                      NULL));
  g_assert_no_errno (g_chmod (locked, as_root ? 0644 : 0444));
  g_assert_no_errno (g_chmod (demo_locked, as_root ? 0644 : 0444));
  g_assert_no_errno (g_chmod (etc, as_root ? 0755 : 0555));
}

/* The demo host for case (5), as root: its sysfs has files only their owner may read. */
static void
copy_demo_host (const char *work, struct passwd *nobody)
{
  g_autofree char *sysroot = NULL;
  g_autofree char *owner = g_strdup_printf ("%u:%u", (guint) nobody->pw_uid,
                                            (guint) nobody->pw_gid);

  if (g_getenv ("KVMRT_TEST_HOSTS_DIR") == NULL)
    return;
  sysroot = kvmrt_gui_test_copy_host (work);
  kvmrt_gui_test_run ((const char *[]) { "chown", "-R", owner, sysroot, NULL });
}

/* As root: prepares the tree, runs this program again as nobody, cleans up. */
static int
run_as_nobody (char **argv)
{
  struct passwd *nobody = getpwnam ("nobody");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *work = NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  int status = 0;
  pid_t pid;

  if (nobody == NULL)
    {
      g_print ("1..0 # SKIP no user 'nobody' to run as\n");
      return 0;
    }
  dir = g_dir_make_tmp ("kvmrt-test-privileged-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (dir, 0755));
  prepare_locked (dir, TRUE);
  work = g_build_filename (dir, "work", NULL);
  g_assert_no_errno (g_mkdir (work, 0700));
  g_assert_no_errno (chown (work, nobody->pw_uid, nobody->pw_gid));
  copy_demo_host (work, nobody);
  g_setenv (DIR_ENV, dir, TRUE);

  fflush (stdout);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (setgroups (0, NULL) != 0 || setgid (nobody->pw_gid) != 0
          || setuid (nobody->pw_uid) != 0 || setuid (0) == 0)
        {
          g_print ("Bail out! cannot become nobody: %s\n", g_strerror (errno));
          _exit (1);
        }
      if (access (exe, X_OK) != 0)
        {
          g_print ("1..0 # SKIP nobody cannot run %s (build in a directory others may "
                   "read)\n", exe);
          _exit (0);
        }
      execv (exe, argv);
      g_print ("Bail out! cannot run %s as nobody: %s\n", exe, g_strerror (errno));
      _exit (1);
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  kvmrt_gui_test_remove_tree (dir);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  g_print ("Bail out! the unprivileged run ended with signal %d\n", WTERMSIG (status));
  return 1;
}

static void
write_stand_in (void)
{
  g_autofree char *bin = g_build_filename (t.work, "bin", NULL);
  g_autofree char *pkexec = g_build_filename (bin, "pkexec", NULL);
  g_autofree char *log = g_shell_quote (t.log);
  g_autofree char *dismiss = g_shell_quote (t.dismiss);
  g_autofree char *script = NULL;
  g_autofree char *path = NULL;

  script = g_strdup_printf ("#!/bin/sh\n"
                            "# Stand-in for pkexec: logs the call, then runs it as is.\n"
                            "(IFS='\t'; printf '%%s\\n' \"$*\") >> %s\n"
                            "if [ -e %s ]; then\n"
                            "  echo 'Error executing command as another user: Request "
                            "dismissed' >&2\n"
                            "  exit 126\n"
                            "fi\n"
                            "exec \"$@\"\n", log, dismiss);
  g_assert_no_errno (g_mkdir (bin, 0755));
  g_assert_true (g_file_set_contents (pkexec, script, -1, NULL));
  g_assert_no_errno (g_chmod (pkexec, 0755));
  path = g_strdup_printf ("%s:%s", bin, g_getenv ("PATH") != NULL ? g_getenv ("PATH")
                                                                  : "/usr/bin:/bin");
  g_setenv ("PATH", path, TRUE);
}

static void
setup (void)
{
  const char *dir = g_getenv (DIR_ENV);
  const char *cli_dir = g_getenv ("KVMRT_CLI_DIR");
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *exe_dir = g_path_get_dirname (exe);
  g_autoptr(GError) error = NULL;

  if (dir != NULL)
    {
      t.dir = g_strdup (dir);
      t.work = g_build_filename (dir, "work", NULL);
    }
  else
    {
      t.dir = g_dir_make_tmp ("kvmrt-test-privileged-XXXXXX", &error);
      g_assert_no_error (error);
      prepare_locked (t.dir, FALSE);
      t.work = g_build_filename (t.dir, "work", NULL);
      g_assert_no_errno (g_mkdir (t.work, 0700));
    }
  t.log = g_build_filename (t.work, "pkexec.log", NULL);
  t.dismiss = g_build_filename (t.work, "dismiss", NULL);
  t.config = g_build_filename (t.work, "kvmrt.cfg", NULL);
  t.locked = g_build_filename (t.dir, "etc", "kvmrt.cfg", NULL);
  t.demo_locked = g_build_filename (t.dir, "etc", "demo.cfg", NULL);
  t.cli_dir = g_canonicalize_filename (cli_dir != NULL ? cli_dir : "../cli", exe_dir);

  g_assert_true (g_file_set_contents (t.config,
                                      "[" TEST_UUID "]\n"
                                      "name = test\n"
                                      "nr_vcpus = 1\n", -1, NULL));
  write_stand_in ();

  /* Set before any thread starts: the operations' temporary files go here, not /tmp. */
  g_setenv ("HOME", t.work, TRUE);
  g_setenv ("TMPDIR", t.work, TRUE);
  g_setenv ("XDG_CACHE_HOME", t.work, TRUE);
  g_setenv ("XDG_CONFIG_HOME", t.work, TRUE);
  g_unsetenv ("XDG_RUNTIME_DIR");
  g_unsetenv ("KVMRT_SYSROOT");
  g_unsetenv ("LIBVIRT_DEFAULT_URI");
}

int
main (int argc, char *argv[])
{
  int status;

  if (geteuid () == 0)
    {
      if (g_getenv (DIR_ENV) != NULL)
        {
          g_print ("Bail out! still root after dropping privileges\n");
          return 1;
        }
      return run_as_nobody (argv);
    }

  setup ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/privileged/boot", test_boot);
  g_test_add_func ("/privileged/boot-set", test_boot_set);
  g_test_add_func ("/privileged/shutdown", test_shutdown);
  g_test_add_func ("/privileged/retune-and-release", test_retune_and_release);
  g_test_add_func ("/privileged/apply-not-writable", test_apply_not_writable);
  g_test_add_func ("/privileged/dismissed", test_dismissed);
  g_test_add_func ("/privileged/demo-sysroot", test_demo_sysroot);
  status = g_test_run ();

  if (g_getenv (DIR_ENV) == NULL)
    {
      g_autofree char *etc = g_build_filename (t.dir, "etc", NULL);

      g_chmod (etc, 0755);
      kvmrt_gui_test_remove_tree (t.dir);
    }
  return status;
}
