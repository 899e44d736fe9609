/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtConfig and KvmrtVm: typed values and defaults, edits that touch only their line,
 * atomic saving with a backup, and locking between processes. */
#include <kvmrt.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define U1 "fde74e84-0e1b-404e-90e7-72101e79c48a"
#define U2 "aeec46cc-0638-4949-ac04-146b233194a9"

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "configs", name, NULL);
}

static KvmrtConfig *
load_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  KvmrtConfig *config = kvmrt_config_load_from_data (text, -1, "test.cfg", &error);

  g_assert_no_error (error);
  return config;
}

/* A scratch directory with @text as kvmrt.cfg; returns the file's path. */
static char *
scratch_file (const char *text, char **out_dir)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("kvmrt-config-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, "kvmrt.cfg", NULL);
  if (text != NULL)
    g_assert_true (g_file_set_contents (path, text, -1, NULL));
  *out_dir = dir;
  return path;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static void
test_typed_values (void)
{
  g_autofree char *path = fixture_path ("ini-compat-rich.cfg");
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) config = kvmrt_config_load (path, &error);
  KvmrtVm *rt, *old;
  g_autofree char *cpuset = NULL;
  g_autofree char *pcidevs = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_config_get_path (config), ==, path);
  g_assert_cmpuint (kvmrt_config_get_n_vms (config), ==, 2);
  rt = kvmrt_config_get_vm (config, 0);
  old = kvmrt_config_get_vm (config, 1);

  g_assert_cmpstr (kvmrt_vm_get_uuid (rt), ==, U1);
  g_assert_cmpuint (kvmrt_vm_get_line (rt), ==, 8);
  g_assert_cmpstr (kvmrt_vm_get_name (rt), ==, "RedHawk-8.4-RT");
  g_assert_cmpstr (kvmrt_vm_get_title (rt), ==, "Real-Time RedHawk 8.4");
  g_assert_cmpstr (kvmrt_vm_get_description (rt), ==, "Configured for real-time");
  g_assert_cmpuint (kvmrt_vm_get_nr_vcpus (rt), ==, 0);
  g_assert_cmpuint (kvmrt_vm_get_cpu_topology (rt).sockets, ==, 0);
  cpuset = kvmrt_cpu_set_to_string (kvmrt_vm_get_cpuset (rt));
  g_assert_cmpstr (cpuset, ==, "n1-2");
  g_assert_true (kvmrt_vm_get_rt (rt));
  g_assert_cmpint (kvmrt_vm_get_rt_memory (rt), ==, KVMRT_TRISTATE_AUTO);
  g_assert_null (kvmrt_vm_get_numatune (rt));
  pcidevs = kvmrt_pci_set_to_string (kvmrt_vm_get_pcidevs (rt));
  g_assert_cmpstr (pcidevs, ==, "0000:21:00.0 0000:22:00.0 0000:22:00.1");
  g_assert_true (g_str_has_prefix (kvmrt_vm_get_comments (rt), "remember to change"));
  g_assert_nonnull (strstr (kvmrt_vm_get_comments (rt), "\n\nand a paragraph"));
  /* From [DEFAULT]. */
  g_assert_true (kvmrt_vm_get_autostart (rt));
  g_assert_false (kvmrt_vm_get_hide_kvm (rt));
  g_assert_cmpuint (kvmrt_vm_get_attr_line (rt, KVMRT_VM_ATTR_CPUSET), ==, 13);
  g_assert_cmpuint (kvmrt_vm_get_attr_line (rt, KVMRT_VM_ATTR_AUTOSTART), ==, 0);

  /* The manual's defaults where nothing says otherwise. */
  g_assert_cmpuint (kvmrt_vm_get_nr_vcpus (old), ==, 1);
  g_assert_true (kvmrt_cpu_set_is_empty (kvmrt_vm_get_cpuset (old)));
  g_assert_false (kvmrt_vm_get_rt (old));
  g_assert_true (kvmrt_vm_get_disabled (old));
  g_assert_cmpstr (kvmrt_vm_get_title (old), ==, "100% # not a comment; no interpolation either");
  g_assert_cmpstr (kvmrt_vm_get_extra (old, "X-Site-Owner"), ==, "lab 3");
  g_assert_cmpuint (kvmrt_vm_get_pcidevs (old)->len, ==, 0);
}

static void
test_value_errors_kept (void)
{
  g_autoptr(KvmrtConfig) config =
    load_text ("[" U1 "]\nname = a\nrt = maybe\nnr_vcpus = 0\ncpuset = 1-x\nnumatune = 2-1\n"
               "pcidevs = 21:00.0\ncpu_topology = 1,2\nrt_memory = sometimes\n");
  KvmrtVm *vm = kvmrt_config_get_vm (config, 0);
  const KvmrtVmAttr bad[] = { KVMRT_VM_ATTR_RT, KVMRT_VM_ATTR_NR_VCPUS, KVMRT_VM_ATTR_CPUSET,
                              KVMRT_VM_ATTR_NUMATUNE, KVMRT_VM_ATTR_PCIDEVS,
                              KVMRT_VM_ATTR_CPU_TOPOLOGY, KVMRT_VM_ATTR_RT_MEMORY };
  g_autofree char *saved = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const GError *error = kvmrt_vm_get_value_error (vm, bad[i]);

      g_assert_nonnull (error);
      g_assert_true (error->domain == KVMRT_VALUE_ERROR);
      g_assert_cmpuint (kvmrt_vm_get_attr_line (vm, bad[i]), ==, i + 3);
    }
  g_assert_null (kvmrt_vm_get_value_error (vm, KVMRT_VM_ATTR_NAME));
  /* Defaults stand in, and the text is kept as written. */
  g_assert_false (kvmrt_vm_get_rt (vm));
  g_assert_cmpuint (kvmrt_vm_get_nr_vcpus (vm), ==, 1);
  g_assert_true (kvmrt_cpu_set_is_empty (kvmrt_vm_get_cpuset (vm)));
  g_assert_cmpstr (kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_CPUSET), ==, "1-x");
  saved = kvmrt_config_to_data (config, NULL);
  g_assert_nonnull (strstr (saved, "rt = maybe\n"));
}

static void
count_changes (KvmrtVm *vm, guint attr, gpointer user_data)
{
  g_array_append_val ((GArray *) user_data, attr);
}

static void
test_setters (void)
{
  g_autoptr(KvmrtConfig) config = load_text ("[" U1 "]\nName = a\ncpuset: 0-3\n\n# next VM\n");
  KvmrtVm *vm = kvmrt_config_get_vm (config, 0);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(KvmrtCpuSet) cpuset = kvmrt_cpu_set_parse ("n2, 4-5 ,4", NULL);
  g_autoptr(KvmrtIdSet) nodes = kvmrt_id_set_parse ("2", NULL);
  g_autoptr(GError) error = NULL;
  KvmrtTopology topo = { 1, 2, 2 };
  g_autofree char *text = NULL;

  g_signal_connect (vm, "changed", G_CALLBACK (count_changes), changes);
  kvmrt_vm_set_cpuset (vm, cpuset);
  kvmrt_vm_set_rt (vm, TRUE);
  kvmrt_vm_set_nr_vcpus (vm, 4);
  kvmrt_vm_set_cpu_topology (vm, &topo);
  kvmrt_vm_set_numatune (vm, nodes);
  kvmrt_vm_set_comments (vm, "line one\n  line two  \n");
  g_object_set (vm, "autostart", TRUE, NULL);
  kvmrt_vm_set_rt (vm, TRUE);   /* no change, no signal */
  g_assert_cmpuint (changes->len, ==, 7);
  g_assert_cmpuint (g_array_index (changes, guint, 0), ==, KVMRT_VM_ATTR_CPUSET);

  g_assert_false (kvmrt_vm_set_text (vm, KVMRT_VM_ATTR_HIDE_KVM, "perhaps", &error));
  g_assert_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID);

  text = kvmrt_config_to_data (config, NULL);
  /* The changed line keeps its place and spelling of the key; new keys go after the last
   * key, before the comment that belongs to what follows. */
  g_assert_cmpstr (text, ==,
                   "[" U1 "]\nName = a\ncpuset = 4-5,n2\nrt = true\nnr_vcpus = 4\n"
                   "cpu_topology = 1,2,2\nnumatune = 2\ncomments = line one\n\tline two\n"
                   "autostart = true\nhide_kvm = perhaps\n\n# next VM\n");

  kvmrt_vm_set_text (vm, KVMRT_VM_ATTR_HIDE_KVM, NULL, NULL);
  g_assert_null (kvmrt_vm_get_text (vm, KVMRT_VM_ATTR_HIDE_KVM));
  g_assert_null (kvmrt_vm_get_value_error (vm, KVMRT_VM_ATTR_HIDE_KVM));
}

static void
test_round_trip_unchanged (void)
{
  const char *names[] = { "ini-compat-rich.cfg", "fig5-8.cfg", "ini-compat-crlf.cfg" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = fixture_path (names[i]);
      g_autofree char *original = NULL;
      g_autofree char *again = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(KvmrtConfig) config = kvmrt_config_load (path, &error);

      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &original, NULL, NULL));
      again = kvmrt_config_to_data (config, NULL);
      g_assert_cmpstr (again, ==, original);
    }
}

/* kvmrt_config_copy(): the copy writes the very bytes of its original, for files as read
 * (comments, CRLF, odd indentation, unknown keys, [DEFAULT]) and after edits (changed,
 * added and removed keys, a new VM, a new [DEFAULT] key), and the two are independent. */
static void
assert_copy_writes_same (KvmrtConfig *config)
{
  g_autoptr(KvmrtConfig) copy = kvmrt_config_copy (config);
  g_autofree char *original = kvmrt_config_to_data (config, NULL);
  g_autofree char *copied = kvmrt_config_to_data (copy, NULL);

  g_assert_cmpstr (copied, ==, original);
  g_assert_null (kvmrt_config_get_path (copy));
  g_assert_cmpuint (kvmrt_config_get_n_vms (copy), ==, kvmrt_config_get_n_vms (config));
  for (guint i = 0; i < kvmrt_config_get_n_vms (copy); i++)
    {
      KvmrtVm *a = kvmrt_config_get_vm (config, i);
      KvmrtVm *b = kvmrt_config_get_vm (copy, i);

      g_assert_true (a != b);
      g_assert_cmpstr (kvmrt_vm_get_uuid (a), ==, kvmrt_vm_get_uuid (b));
      for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
        {
          g_assert_cmpstr (kvmrt_vm_get_text (a, attr), ==, kvmrt_vm_get_text (b, attr));
          g_assert_cmpuint (kvmrt_vm_get_attr_line (a, attr), ==,
                            kvmrt_vm_get_attr_line (b, attr));
        }
    }
}

static void
test_copy (void)
{
  const char *names[] = { "ini-compat-rich.cfg", "fig5-8.cfg", "ini-compat-crlf.cfg",
                          "ini-compat-indent.cfg", "cli-disabled.cfg" };
  g_autofree char *demo = g_test_build_filename (G_TEST_DIST, "..", "data", "demo", "kvmrt.cfg",
                                                 NULL);

  for (gsize i = 0; i <= G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = i < G_N_ELEMENTS (names) ? fixture_path (names[i])
                                                       : g_strdup (demo);
      g_autoptr(GError) error = NULL;
      g_autoptr(KvmrtConfig) config = kvmrt_config_load (path, &error);
      g_autoptr(KvmrtConfig) copy = NULL;
      g_autoptr(KvmrtVm) added = kvmrt_vm_new ("0badc0de-7e57-4c09-8000-00000000c0de");
      g_autofree char *before = NULL;
      g_autofree char *file = NULL;
      KvmrtVm *first;

      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &file, NULL, NULL));
      assert_copy_writes_same (config);
      copy = kvmrt_config_copy (config);
      {
        g_autofree char *copied = kvmrt_config_to_data (copy, NULL);

        g_assert_cmpstr (copied, ==, file);
      }

      /* Edits of every kind, then copied again. */
      g_assert_cmpuint (kvmrt_config_get_n_vms (config), >, 0);
      first = kvmrt_config_get_vm (config, 0);
      g_assert_true (kvmrt_vm_set_text (first, KVMRT_VM_ATTR_CPUSET, "0-1", NULL));
      kvmrt_vm_set_extra (first, "copy_test_key", "a value");
      g_assert_true (kvmrt_vm_set_text (first, KVMRT_VM_ATTR_NAME, NULL, NULL));
      kvmrt_vm_set_text (added, KVMRT_VM_ATTR_NAME, "added", NULL);
      g_assert_true (kvmrt_config_add_vm (config, added, NULL));
      kvmrt_config_set_default_value (config, "hide_kvm", "yes");
      assert_copy_writes_same (config);

      /* The earlier copy saw none of that, and an edit of a copy stays in the copy. */
      {
        g_autofree char *copied = kvmrt_config_to_data (copy, NULL);

        g_assert_cmpstr (copied, ==, file);
      }
      before = kvmrt_config_to_data (config, NULL);
      g_assert_true (kvmrt_vm_set_text (kvmrt_config_get_vm (copy, 0), KVMRT_VM_ATTR_CPUSET,
                                        "2", NULL));
      kvmrt_config_set_default_value (copy, "rt", "yes");
      kvmrt_config_remove_vm (copy, kvmrt_config_get_vm (copy, 0));
      {
        g_autofree char *after = kvmrt_config_to_data (config, NULL);

        g_assert_cmpstr (after, ==, before);
      }
    }
}

static void
test_add_remove_move (void)
{
  g_autoptr(KvmrtConfig) config = load_text ("# top\n[" U1 "]\nname = a\n\n[" U2 "]\nname = b\n");
  g_autoptr(KvmrtVm) added = kvmrt_vm_new ("33333333-3333-4333-8333-333333333333");
  g_autoptr(KvmrtVm) duplicate = kvmrt_vm_new (U1);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  kvmrt_vm_set_name (added, "c");
  g_assert_true (kvmrt_config_add_vm (config, added, NULL));
  g_assert_false (kvmrt_config_add_vm (config, duplicate, &error));
  g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_INVALID);

  g_assert_true (kvmrt_config_lookup (config, "b") == kvmrt_config_get_vm (config, 1));
  g_assert_true (kvmrt_config_lookup (config, "AEEC46CC-0638-4949-AC04-146B233194A9")
                 == kvmrt_config_get_vm (config, 1));
  g_assert_null (kvmrt_config_lookup (config, "nosuch"));

  kvmrt_config_move_vm (config, added, 0);
  g_assert_cmpint (kvmrt_config_index_of (config, added), ==, 0);
  kvmrt_config_remove_vm (config, kvmrt_config_lookup (config, "b"));
  g_assert_cmpuint (kvmrt_config_get_n_vms (config), ==, 2);

  text = kvmrt_config_to_data (config, NULL);
  g_assert_cmpstr (text, ==,
                   "# top\n\n[33333333-3333-4333-8333-333333333333]\nname = c\n\n"
                   "[" U1 "]\nname = a\n\n");
}

static void
test_load_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = scratch_file ("[" U1 "]\nname = a\ncpuset 0-3\n", &dir);
  KvmrtConfig *config = kvmrt_config_load ("/nonexistent/kvmrt.cfg", &error);

  g_assert_null (config);
  g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/kvmrt.cfg"));
  g_clear_error (&error);

  config = kvmrt_config_load (path, &error);
  g_assert_null (config);
  g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_SYNTAX);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, ":3: 'cpuset 0-3'"));
  remove_tree (dir);
}

static void
test_save_atomic_with_backup (void)
{
  const char *before = "[" U1 "]\nname = a\n";
  g_autofree char *dir = NULL;
  g_autofree char *path = scratch_file (before, &dir);
  g_autofree char *backup = g_strconcat (path, ".bak", NULL);
  g_autofree char *after = NULL;
  g_autofree char *kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(GDir) listing = NULL;
  struct stat st;
  guint n_files = 0;

  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  config = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  kvmrt_vm_set_title (kvmrt_config_get_vm (config, 0), "new title");
  g_assert_true (kvmrt_config_save (config, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "[" U1 "]\nname = a\ntitle = new title\n");
  g_assert_true (g_file_get_contents (backup, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, before);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);

  /* Nothing but the file and its backup: no temporary files left behind. */
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 2);
  remove_tree (dir);
}

static void
test_save_new_file (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = scratch_file (NULL, &dir);
  g_autoptr(KvmrtConfig) config = kvmrt_config_new ();
  g_autoptr(KvmrtVm) vm = kvmrt_vm_new (U1);
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_strconcat (path, ".bak", NULL);
  struct stat st;

  g_assert_false (kvmrt_config_save (config, NULL, &error));
  g_clear_error (&error);
  kvmrt_vm_set_name (vm, "first");
  kvmrt_config_add_vm (config, vm, NULL);
  g_assert_true (kvmrt_config_save (config, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_config_get_path (config), ==, path);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));
  remove_tree (dir);
}

static void
test_save_failure_keeps_file (void)
{
  const char *before = "[" U1 "]\nname = a\n";
  g_autofree char *dir = NULL;
  g_autofree char *path = scratch_file (before, &dir);
  g_autofree char *blocker = g_strconcat (path, ".bak", NULL);
  g_autofree char *inside = g_build_filename (blocker, "x", NULL);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) config = kvmrt_config_load (path, NULL);
  g_autoptr(GDir) listing = NULL;
  guint n_files = 0;

  /* A non-empty directory where the backup must go makes the save fail midway. */
  g_assert_cmpint (g_mkdir (blocker, 0755), ==, 0);
  g_assert_true (g_file_set_contents (inside, "", 0, NULL));
  kvmrt_vm_set_title (kvmrt_config_get_vm (config, 0), "lost?");
  g_assert_false (kvmrt_config_save (config, NULL, &error));
  g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_IO);
  g_assert_nonnull (strstr (error->message, ".bak"));
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 2);
  remove_tree (dir);
}

/* A child process that holds a shared lock on @path until the parent closes the pipe. */
static GPid
hold_in_child (const char *path, int *out_pipe)
{
  int to_child[2], from_child[2];
  char ready;
  pid_t pid;

  g_assert_cmpint (pipe (to_child), ==, 0);
  g_assert_cmpint (pipe (from_child), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int fd = open (path, O_RDONLY);
      char c;

      close (to_child[1]);
      close (from_child[0]);
      if (fd < 0 || flock (fd, LOCK_SH) != 0)
        _exit (1);
      if (write (from_child[1], "r", 1) != 1)
        _exit (1);
      while (read (to_child[0], &c, 1) > 0)
        ;
      _exit (0);
    }
  close (to_child[0]);
  close (from_child[1]);
  g_assert_cmpint (read (from_child[0], &ready, 1), ==, 1);
  close (from_child[0]);
  *out_pipe = to_child[1];
  return pid;
}

static void
test_locked_by_other_process (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = scratch_file ("[" U1 "]\nname = a\n", &dir);
  g_autoptr(KvmrtConfig) config = kvmrt_config_load (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_text = NULL;
  int pipe_fd, status;
  GPid pid = hold_in_child (path, &pipe_fd);

  kvmrt_vm_set_title (kvmrt_config_get_vm (config, 0), "x");
  g_assert_false (kvmrt_config_save (config, NULL, &error));
  g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED);
  pid_text = g_strdup_printf ("PID %d", pid);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, pid_text));
  g_clear_error (&error);

  close (pipe_fd);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (kvmrt_config_save (config, NULL, &error));
  g_assert_no_error (error);
  remove_tree (dir);
}

static void
test_hold (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = scratch_file ("[" U1 "]\nname = a\n", &dir);
  g_autoptr(KvmrtConfig) gui = kvmrt_config_load (path, NULL);
  g_autoptr(KvmrtConfig) other = kvmrt_config_load (path, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (kvmrt_config_hold (gui, &error));
  /* Readers are welcome while it is held... */
  g_clear_object (&other);
  other = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  /* ...writers are not. */
  kvmrt_vm_set_title (kvmrt_config_get_vm (other, 0), "other");
  g_assert_false (kvmrt_config_save (other, NULL, &error));
  g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED);
  g_clear_error (&error);

  /* The holder itself may save, and still holds the new file afterwards. */
  kvmrt_vm_set_title (kvmrt_config_get_vm (gui, 0), "gui");
  g_assert_true (kvmrt_config_save (gui, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (kvmrt_config_save (other, NULL, &error));
  g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED);
  g_clear_error (&error);

  /* Released, the file may be written again, but not by a program that read it before the
   * holder's save: that would overwrite the holder's change. */
  kvmrt_config_release (gui);
  g_assert_false (kvmrt_config_save (other, NULL, &error));
  g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_CHANGED);
  g_clear_error (&error);
  g_clear_object (&other);
  other = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  kvmrt_vm_set_title (kvmrt_config_get_vm (other, 0), "other");
  g_assert_true (kvmrt_config_save (other, NULL, &error));
  g_assert_no_error (error);
  remove_tree (dir);
}

/* [DEFAULT] keys: a section made at the top when there is none, only the key's own line
 * changing when there is one, inherited by VMs, and gone again without a trace. */
static void
test_default_value_new_section (void)
{
  const char *original = "# site config\n\n[" U1 "]\nname = a\n\n[" U2 "]\nname = b\n";
  g_autoptr(KvmrtConfig) config = load_text (original);
  g_autoptr(KvmrtConfig) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *removed = NULL;
  KvmrtVm *vm = kvmrt_config_get_vm (config, 0);

  g_assert_null (kvmrt_config_get_default_value (config, "x_site"));
  kvmrt_config_set_default_value (config, "x_site", "lab 3");
  kvmrt_config_set_default_value (config, "autostart", "true");
  g_assert_cmpstr (kvmrt_config_get_default_value (config, "X_Site"), ==, "lab 3");
  text = kvmrt_config_to_data (config, NULL);
  g_assert_cmpstr (text, ==,
                   "# site config\n\n[DEFAULT]\nx_site = lab 3\nautostart = true\n\n"
                   "[" U1 "]\nname = a\n\n[" U2 "]\nname = b\n");
  /* The VMs inherit what [DEFAULT] says, at once. */
  g_assert_true (kvmrt_vm_get_autostart (vm));
  g_assert_cmpstr (kvmrt_vm_get_extra (vm, "x_site"), ==, "lab 3");

  /* Loaded again it is the same file, and the same text comes back out. */
  again = load_text (text);
  g_assert_cmpuint (kvmrt_config_get_n_vms (again), ==, 2);
  g_assert_cmpstr (kvmrt_config_get_default_value (again, "x_site"), ==, "lab 3");
  g_clear_pointer (&text, g_free);
  text = kvmrt_config_to_data (again, NULL);
  g_assert_cmpstr (text, ==,
                   "# site config\n\n[DEFAULT]\nx_site = lab 3\nautostart = true\n\n"
                   "[" U1 "]\nname = a\n\n[" U2 "]\nname = b\n");

  /* Removing both keys removes the section kvmrt made: the file is as it was. */
  kvmrt_config_set_default_value (config, "x_site", NULL);
  kvmrt_config_set_default_value (config, "AUTOSTART", NULL);
  kvmrt_config_set_default_value (config, "not_there", NULL);
  g_assert_null (kvmrt_config_get_default_value (config, "x_site"));
  g_assert_false (kvmrt_vm_get_autostart (vm));
  removed = kvmrt_config_to_data (config, NULL);
  g_assert_cmpstr (removed, ==, original);
}

static void
test_default_value_existing_section (void)
{
  const char *original = "[" U1 "]\nname = a\n\n# defaults for all\n[DEFAULT]\n"
                         "Rt_Priority : 5\n; keep\nautostart=yes\n\n[" U2 "]\nname = b\n";
  g_autoptr(KvmrtConfig) config = load_text (original);
  g_autoptr(KvmrtConfig) empty = kvmrt_config_new ();
  g_autofree char *unchanged = kvmrt_config_to_data (config, NULL);
  g_autofree char *text = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *fresh = NULL;

  g_assert_cmpstr (unchanged, ==, original);
  g_assert_cmpstr (kvmrt_config_get_default_value (config, "rt_priority"), ==, "5");

  /* An edit rewrites its own line only; a new key goes after the last key. */
  kvmrt_config_set_default_value (config, "rt_priority", "7");
  kvmrt_config_set_default_value (config, "config_lock", "$y$j9T$abc$def");
  text = kvmrt_config_to_data (config, NULL);
  g_assert_cmpstr (text, ==,
                   "[" U1 "]\nname = a\n\n# defaults for all\n[DEFAULT]\nRt_Priority = 7\n"
                   "; keep\nautostart=yes\nconfig_lock = $y$j9T$abc$def\n\n"
                   "[" U2 "]\nname = b\n");
  g_assert_cmpstr (kvmrt_vm_get_extra (kvmrt_config_get_vm (config, 1), "rt_priority"), ==,
                   "7");

  /* Removing a key of a section that came from the file keeps the section. */
  kvmrt_config_set_default_value (config, "config_lock", NULL);
  kvmrt_config_set_default_value (config, "rt_priority", NULL);
  kvmrt_config_set_default_value (config, "autostart", NULL);
  removed = kvmrt_config_to_data (config, NULL);
  g_assert_cmpstr (removed, ==,
                   "[" U1 "]\nname = a\n\n# defaults for all\n[DEFAULT]\n; keep\n\n"
                   "[" U2 "]\nname = b\n");

  /* A configuration with no file yet. */
  kvmrt_config_set_default_value (empty, "config_lock", "$y$x");
  fresh = kvmrt_config_to_data (empty, NULL);
  g_assert_cmpstr (fresh, ==, "[DEFAULT]\nconfig_lock = $y$x\n");
}

static void
test_default_value_saved (void)
{
  g_autofree char *fixture = fixture_path ("fig5-8.cfg");
  g_autofree char *original = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *restored = NULL;
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(KvmrtConfig) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (fixture, &original, &length, NULL));
  path = scratch_file (original, &dir);
  config = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  kvmrt_config_set_default_value (config, "x_note", "kept");
  g_assert_true (kvmrt_config_save (config, NULL, &error));
  g_assert_no_error (error);

  /* Everything but the new section is the fixture, byte for byte. */
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  loaded = kvmrt_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_config_get_default_value (loaded, "x_note"), ==, "kept");
  g_assert_cmpuint (kvmrt_config_get_n_vms (loaded), ==, kvmrt_config_get_n_vms (config));
  kvmrt_config_set_default_value (loaded, "x_note", NULL);
  restored = kvmrt_config_to_data (loaded, NULL);
  g_assert_cmpstr (restored, ==, original);
  g_assert_nonnull (strstr (saved, "[DEFAULT]\nx_note = kept\n"));
  remove_tree (dir);
}

/* A UUID is kept lower-case from the moment it is read, whatever case the file or the caller
 * wrote it in; the file itself keeps its own header line unless kvmrt rewrites the section. */
static void
test_uuid_canonical (void)
{
  const char *before = "[FDE74E84-0E1B-404E-90E7-72101E79C48A]\nname = a\n"
                       "[Not-A-Uuid]\nname = b\n";
  g_autofree char *dir = NULL;
  g_autofree char *path = scratch_file (before, &dir);
  g_autofree char *after = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtConfig) config = kvmrt_config_load (path, &error);
  g_autoptr(KvmrtVm) added = kvmrt_vm_new ("AEEC46CC-0638-4949-AC04-146B233194A9");
  g_autoptr(KvmrtVm) copy = NULL;
  g_autoptr(KvmrtVm) same = g_object_new (KVMRT_TYPE_VM, "uuid",
                                          "AEEC46CC-0638-4949-AC04-146B233194A9", NULL);
  g_autoptr(KvmrtVm) again = kvmrt_vm_new (U1);

  g_assert_no_error (error);
  g_assert_cmpstr (kvmrt_vm_get_uuid (kvmrt_config_get_vm (config, 0)), ==, U1);
  /* What is not a UUID stays as written, so the validator quotes the user's text. */
  g_assert_cmpstr (kvmrt_vm_get_uuid (kvmrt_config_get_vm (config, 1)), ==, "Not-A-Uuid");
  g_assert_true (kvmrt_config_lookup_uuid (config, U1) == kvmrt_config_get_vm (config, 0));
  g_assert_true (kvmrt_config_lookup_uuid (config, "FDE74E84-0e1b-404e-90e7-72101E79C48A")
                 == kvmrt_config_get_vm (config, 0));
  g_assert_cmpstr (kvmrt_vm_get_uuid (added), ==, U2);
  copy = kvmrt_vm_copy (kvmrt_config_get_vm (config, 0));
  g_assert_cmpstr (kvmrt_vm_get_uuid (copy), ==, U1);
  g_assert_cmpstr (kvmrt_vm_get_uuid (same), ==, U2);
  /* The same VM in another case is the same VM. */
  g_assert_false (kvmrt_config_add_vm (config, again, &error));
  g_assert_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_INVALID);
  g_clear_error (&error);

  /* Saving an edit elsewhere leaves the header as the user wrote it ... */
  kvmrt_vm_set_title (kvmrt_config_get_vm (config, 1), "t");
  g_assert_true (kvmrt_config_save (config, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "[FDE74E84-0E1B-404E-90E7-72101E79C48A]\nname = a\n"
                              "[Not-A-Uuid]\nname = b\ntitle = t\n");
  /* ... and a section kvmrt writes afresh gets the canonical form. */
  g_assert_true (kvmrt_config_add_vm (config, added, NULL));
  text = kvmrt_config_to_data (config, NULL);
  g_assert_nonnull (strstr (text, "\n[" U2 "]\n"));
  remove_tree (dir);
}

/* One name for a VM in messages (the label) and one in windows (the display title). */
static void
test_label_and_title (void)
{
  g_autoptr(KvmrtVm) vm = kvmrt_vm_new (U1);
  g_autofree char *nameless = NULL;
  g_autofree char *named = NULL;

  g_assert_cmpstr (kvmrt_vm_get_label (vm), ==, U1);
  g_assert_cmpstr (kvmrt_vm_get_display_title (vm), ==, U1);
  kvmrt_vm_set_name (vm, "rt1");
  g_assert_cmpstr (kvmrt_vm_get_label (vm), ==, "rt1");
  g_assert_cmpstr (kvmrt_vm_get_display_title (vm), ==, "rt1");
  kvmrt_vm_set_title (vm, "Vision (RT)");
  g_assert_cmpstr (kvmrt_vm_get_label (vm), ==, "rt1");
  g_assert_cmpstr (kvmrt_vm_get_display_title (vm), ==, "Vision (RT)");
  kvmrt_vm_set_name (vm, "");
  g_assert_cmpstr (kvmrt_vm_get_label (vm), ==, U1);

  nameless = kvmrt_vm_format_heading (NULL, U1);
  named = kvmrt_vm_format_heading ("rt1", U1);
  g_assert_cmpstr (nameless, ==, "(no name) [" U1 "]");
  g_assert_cmpstr (named, ==, "rt1 [" U1 "]");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/typed-values", test_typed_values);
  g_test_add_func ("/config/value-errors-kept", test_value_errors_kept);
  g_test_add_func ("/config/setters", test_setters);
  g_test_add_func ("/config/round-trip-unchanged", test_round_trip_unchanged);
  g_test_add_func ("/config/copy", test_copy);
  g_test_add_func ("/config/add-remove-move", test_add_remove_move);
  g_test_add_func ("/config/uuid-canonical", test_uuid_canonical);
  g_test_add_func ("/config/label-and-title", test_label_and_title);
  g_test_add_func ("/config/load-errors", test_load_errors);
  g_test_add_func ("/config/save/atomic-with-backup", test_save_atomic_with_backup);
  g_test_add_func ("/config/save/new-file", test_save_new_file);
  g_test_add_func ("/config/save/failure-keeps-file", test_save_failure_keeps_file);
  g_test_add_func ("/config/lock/other-process", test_locked_by_other_process);
  g_test_add_func ("/config/lock/hold", test_hold);
  g_test_add_func ("/config/default-value/new-section", test_default_value_new_section);
  g_test_add_func ("/config/default-value/existing-section",
                   test_default_value_existing_section);
  g_test_add_func ("/config/default-value/saved", test_default_value_saved);
  return g_test_run ();
}
