/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tuner on the live host (root only, at least 2 CPUs): a real-time plan on the last CPU
 * moves the host's IRQs and movable kernel threads off it and, after release, every IRQ,
 * kernel file (workqueue masks, sysctls) and kernel thread is as before and the journal is
 * gone. The fixture hosts cover the rest (tests/test-libvirt-cli.py). */
#include <kvmrt.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-journal.h"
#include "kvmrt-proc.h"
#include "kvmrt-tuner.h"

/* IRQ number -> its smp_affinity_list now. */
static GHashTable *
read_affinities (void)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDir) dir = g_dir_open ("/proc/irq", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/irq/%s/smp_affinity_list", name);
      char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL))
        g_hash_table_insert (table, g_strdup (name), text);
    }
  return table;
}

/* The kernel files the shield changes besides IRQs, path -> contents. */
static GHashTable *
read_kernel_files (void)
{
  static const char *const paths[] = {
    "/sys/devices/virtual/workqueue/cpumask", "/sys/devices/virtual/workqueue/writeback/cpumask",
    "/proc/sys/kernel/sched_rt_runtime_us", "/proc/sys/kernel/timer_migration",
    "/proc/sys/vm/stat_interval", "/proc/sys/kernel/nmi_watchdog",
    "/proc/sys/kernel/watchdog_cpumask", "/proc/irq/default_smp_affinity",
  };
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      char *text = NULL;

      if (g_file_get_contents (paths[i], &text, NULL, NULL))
        g_hash_table_insert (table, (gpointer) paths[i], text);
    }
  return table;
}

/* PID -> affinity of every kernel thread that may move (as text). */
static GHashTable *
read_kthread_affinities (void)
{
  GHashTable *table = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  g_autoptr(GPtrArray) threads = kvmrt_proc_list_movable_kthreads ("/");

  for (guint i = 0; i < threads->len; i++)
    {
      const KvmrtKernelThread *t = threads->pdata[i];

      g_hash_table_insert (table, GINT_TO_POINTER (t->pid), kvmrt_id_set_to_string (t->affinity));
    }
  return table;
}

static void
test_live_irqs_moved_and_restored (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  g_autoptr(KvmrtTuneReport) undo = kvmrt_tune_report_new ();
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GHashTable) kernel_before = NULL;
  g_autoptr(GHashTable) kernel_after = NULL;
  g_autoptr(GHashTable) kthreads_before = NULL;
  g_autoptr(GHashTable) kthreads_after = NULL;
  g_autoptr(GPtrArray) movable = NULL;
  guint stuck = 0;
  gboolean journaled;
  g_autoptr(GPtrArray) drift = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer key, value;
  int last;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root to change IRQ affinities");
      return;
    }
  if (g_file_test ("/run/kvmrt/journal.json", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the host is tuned already (/run/kvmrt/journal.json): not touching it");
      return;
    }
  host = kvmrt_host_load ("/", KVMRT_HOST_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  last = kvmrt_id_set_last (kvmrt_host_get_online_cpus (host));
  if (last < 1)
    {
      g_test_skip ("needs at least 2 online CPUs");
      return;
    }
  text = g_strdup_printf ("[3c1f0a52-7d1e-4b8a-9e61-0f2d3c4b5a69]\nname = live-rt\nrt = true\n"
                          "cpuset = %d\nnr_vcpus = 1\n", last);
  config = kvmrt_config_load_from_data (text, -1, "live.cfg", &error);
  g_assert_no_error (error);
  plan = kvmrt_plan_new (config, host);
  before = read_affinities ();
  kernel_before = read_kernel_files ();
  kthreads_before = read_kthread_affinities ();

  g_assert_true (kvmrt_tuner_apply ("/", host, kvmrt_plan_get_vm (plan, 0), 0, report, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < report->problems->len; i++)
    g_test_message ("refused: %s", (char *) report->problems->pdata[i]);
  for (guint i = 0; i < report->changes->len; i++)
    if (strstr (report->changes->pdata[i], "IRQ") == NULL)
      g_test_message ("changed: %s", (char *) report->changes->pdata[i]);
  journaled = g_file_test ("/run/kvmrt/journal.json", G_FILE_TEST_EXISTS);
  /* Every IRQ the kernel let move is off the real-time CPU now. */
  after = read_affinities ();
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(KvmrtIdSet) cpus = kvmrt_id_set_parse (g_strstrip ((char *) value), NULL);
      g_autofree char *needle = g_strdup_printf ("IRQ %s off", (char *) key);
      gboolean refused = FALSE;

      for (guint i = 0; i < report->problems->len; i++)
        refused = refused || strstr (report->problems->pdata[i], needle) != NULL;
      if (cpus != NULL && !refused && kvmrt_id_set_contains (cpus, (guint) last))
        {
          g_test_message ("IRQ %s still on CPU %d", (char *) key, last);
          stuck++;
        }
    }
  /* Kernel threads that may move left the real-time CPU, unless the report names a refusal. */
  movable = kvmrt_proc_list_movable_kthreads ("/");
  for (guint i = 0; i < movable->len; i++)
    {
      const KvmrtKernelThread *t = movable->pdata[i];
      gboolean refused = FALSE;

      for (guint p = 0; p < report->problems->len; p++)
        refused = refused || strstr (report->problems->pdata[p], t->comm) != NULL;
      if (!refused && g_hash_table_contains (kthreads_before, GINT_TO_POINTER (t->pid))
          && kvmrt_id_set_contains (t->affinity, (guint) last))
        {
          g_test_message ("kernel thread %s (%d) still on CPU %d", t->comm, t->pid, last);
          stuck++;
        }
    }

  kvmrt_tuner_check ("/", host, kvmrt_plan_get_vm (plan, 0), 0, &drift, NULL);
  for (guint i = 0; drift != NULL && i < drift->len; i++)
    g_test_message ("drift: %s", (char *) drift->pdata[i]);

  /* Given back before anything else is asserted: a failed test must not leave the host
   * tuned. */
  g_assert_true (kvmrt_tuner_release ("/", host, "3c1f0a52-7d1e-4b8a-9e61-0f2d3c4b5a69", undo,
                                      &error));
  g_assert_no_error (error);
  g_assert_true (journaled);
  g_assert_cmpuint (report->changes->len, >, 0);
  g_assert_nonnull (drift);
  g_assert_cmpuint (drift->len, <=, report->problems->len);
  g_assert_cmpuint (stuck, ==, 0);
  g_assert_cmpuint (undo->problems->len, ==, 0);
  g_assert_false (g_file_test ("/run/kvmrt/journal.json", G_FILE_TEST_EXISTS));
  g_clear_pointer (&after, g_hash_table_unref);
  after = read_affinities ();
  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (g_hash_table_lookup (after, key), ==, value);
  /* The kernel files byte for byte, and every kernel thread still there where it was. */
  kernel_after = read_kernel_files ();
  g_hash_table_iter_init (&iter, kernel_before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (g_hash_table_lookup (kernel_after, key), ==, value);
  kthreads_after = read_kthread_affinities ();
  g_hash_table_iter_init (&iter, kthreads_before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_hash_table_contains (kthreads_after, key))
      g_assert_cmpstr (g_hash_table_lookup (kthreads_after, key), ==, value);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tuner/live-irqs-moved-and-restored", test_live_irqs_moved_and_restored);
  return g_test_run ();
}
