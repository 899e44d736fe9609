/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU processes and threads from proc/: this test's own threads, named as QEMU names its
 * threads, read from the live /proc; and a fixture proc tree for finding a domain's QEMU. */
#define _GNU_SOURCE
#include <kvmrt.h>
#include <glib/gstdio.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "kvmrt-proc.h"
#include "kvmrt-test-hosts.h"

static void
test_classify (void)
{
  static const struct { const char *name; KvmrtThreadKind kind; int vcpu; } cases[] = {
    { "CPU 0/KVM", KVMRT_THREAD_VCPU, 0 },
    { "CPU 12/TCG", KVMRT_THREAD_VCPU, 12 },
    { "ALL CPUs/TCG", KVMRT_THREAD_VCPU, -1 },
    { "qemu-system-x86", KVMRT_THREAD_EMULATOR, -1 },
    { "qemu-kvm", KVMRT_THREAD_EMULATOR, -1 },
    { "IO mon_iothread", KVMRT_THREAD_IO, -1 },
    { "IO iothread1", KVMRT_THREAD_IO, -1 },
    { "worker", KVMRT_THREAD_WORKER, -1 },
    { "SPICE Worker", KVMRT_THREAD_SPICE, -1 },
    { "call_rcu", KVMRT_THREAD_OTHER, -1 },
    { "CPU 1/KVMx y", KVMRT_THREAD_OTHER, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int vcpu = 99;

      g_assert_cmpint (kvmrt_thread_classify (cases[i].name, &vcpu), ==, cases[i].kind);
      g_assert_cmpint (vcpu, ==, cases[i].vcpu);
    }
  g_assert_cmpstr (kvmrt_thread_kind_to_json (KVMRT_THREAD_SPICE), ==, "other");
  g_assert_cmpstr (kvmrt_sched_policy_to_string (SCHED_FIFO), ==, "fifo");
}

typedef struct {
  const char *name;
  GMutex      lock;
  GCond       cond;
  gboolean    ready;
  gboolean    done;
} Named;

static gpointer
named_thread (gpointer data)
{
  Named *n = data;

  pthread_setname_np (pthread_self (), n->name);
  g_mutex_lock (&n->lock);
  n->ready = TRUE;
  g_cond_broadcast (&n->cond);
  while (!n->done)
    g_cond_wait (&n->cond, &n->lock);
  g_mutex_unlock (&n->lock);
  return NULL;
}

static const KvmrtThread *
find_thread (GPtrArray *threads, const char *name)
{
  for (guint i = 0; i < threads->len; i++)
    if (g_strcmp0 (((KvmrtThread *) threads->pdata[i])->name, name) == 0)
      return threads->pdata[i];
  return NULL;
}

/* Threads of this process, named like QEMU's, read back from the live /proc. */
static void
test_live_threads (void)
{
  Named named[] = { { "CPU 0/KVM" }, { "CPU 1/TCG" }, { "IO mon_iothread" }, { "worker" },
                    { "SPICE Worker" } };
  GThread *threads[G_N_ELEMENTS (named)];
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  const KvmrtThread *vcpu0, *batch;
  cpu_set_t one_cpu;
  struct sched_param param = { 0 };
  double uptime = -1;

  for (guint i = 0; i < G_N_ELEMENTS (named); i++)
    {
      g_mutex_init (&named[i].lock);
      g_cond_init (&named[i].cond);
      threads[i] = g_thread_new ("test", named_thread, &named[i]);
      g_mutex_lock (&named[i].lock);
      while (!named[i].ready)
        g_cond_wait (&named[i].cond, &named[i].lock);
      g_mutex_unlock (&named[i].lock);
    }
  /* Pin this thread to CPU 0 and, below, give "worker" SCHED_BATCH (both allowed without
   * privileges). */
  CPU_ZERO (&one_cpu);
  CPU_SET (0, &one_cpu);
  g_assert_cmpint (pthread_setaffinity_np (pthread_self (), sizeof one_cpu, &one_cpu), ==, 0);

  list = kvmrt_proc_list_threads ("/", getpid (), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >=, G_N_ELEMENTS (named) + 1);
  vcpu0 = find_thread (list, "CPU 0/KVM");
  g_assert_nonnull (vcpu0);
  g_assert_cmpint (vcpu0->kind, ==, KVMRT_THREAD_VCPU);
  g_assert_cmpint (vcpu0->vcpu, ==, 0);
  g_assert_cmpint (find_thread (list, "CPU 1/TCG")->vcpu, ==, 1);
  g_assert_cmpint (find_thread (list, "IO mon_iothread")->kind, ==, KVMRT_THREAD_IO);
  g_assert_cmpint (find_thread (list, "SPICE Worker")->kind, ==, KVMRT_THREAD_SPICE);
  for (guint i = 1; i < list->len; i++)
    g_assert_cmpint (((KvmrtThread *) list->pdata[i - 1])->tid, <,
                     ((KvmrtThread *) list->pdata[i])->tid);

  /* The main thread (this one) was pinned to CPU 0 above. */
  g_assert_true (kvmrt_id_set_contains (((KvmrtThread *) list->pdata[0])->affinity, 0));
  g_assert_cmpuint (kvmrt_id_set_count (((KvmrtThread *) list->pdata[0])->affinity), ==, 1);

  /* A policy change shows. */
  g_assert_cmpint (sched_setscheduler ((pid_t) ((KvmrtThread *) find_thread (list,
                                                                             "worker"))->tid,
                                       SCHED_BATCH, &param), ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = kvmrt_proc_list_threads ("/", getpid (), &error);
  g_assert_no_error (error);
  batch = find_thread (list, "worker");
  g_assert_cmpstr (kvmrt_sched_policy_to_string (batch->policy), ==, "batch");
  g_assert_cmpint (batch->priority, ==, 0);
  g_assert_cmpint (batch->cpu, >=, 0);

  g_assert_true (kvmrt_proc_get_uptime ("/", getpid (), &uptime, &error));
  g_assert_cmpfloat (uptime, >=, 0);
  g_assert_cmpfloat (uptime, <, 600);

  for (guint i = 0; i < G_N_ELEMENTS (named); i++)
    {
      g_mutex_lock (&named[i].lock);
      named[i].done = TRUE;
      g_cond_broadcast (&named[i].cond);
      g_mutex_unlock (&named[i].lock);
      g_thread_join (threads[i]);
    }
}

static void
write_file (const char *root, const char *relative, const char *text, gssize length)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, text, length, NULL));
}

static const char uuid[] = "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca";

static void
write_process (const char *root, int pid, const char *cmdline, gsize length)
{
  g_autofree char *relative = g_strdup_printf ("proc/%d/cmdline", pid);
  g_autofree char *task = g_strdup_printf ("proc/%d/task/%d/comm", pid, pid);

  write_file (root, relative, cmdline, length);
  write_file (root, task, "qemu-system-x86\n", -1);
}

/* A fixture proc tree: the pid file when it is right, else a scan for "-uuid UUID". */
static void
test_find_qemu (void)
{
  g_autofree char *root = g_dir_make_tmp ("kvmrt-proc-XXXXXX", NULL);
  static const char qemu[] = "qemu-system-x86_64\0-name\0guest=vision\0-uuid\0"
                             "85055E0B-9CC9-4FC5-8B3C-6EB6E3DAAECA\0-S";
  static const char other[] = "bash\0-c\0echo -uuid\0";
  g_autofree char *stat = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  double uptime = 0;

  g_assert_nonnull (root);
  write_process (root, 4321, qemu, sizeof qemu);
  write_process (root, 99, other, sizeof other);
  g_assert_cmpint (kvmrt_proc_find_qemu (root, uuid, "vision"), ==, 4321);    /* by scan */
  write_file (root, "run/libvirt/qemu/vision.pid", "4321\n", -1);
  g_assert_cmpint (kvmrt_proc_find_qemu (root, uuid, "vision"), ==, 4321);    /* by file */
  write_file (root, "run/libvirt/qemu/vision.pid", "99\n", -1);              /* stale */
  g_assert_cmpint (kvmrt_proc_find_qemu (root, uuid, "vision"), ==, 4321);
  g_assert_cmpint (kvmrt_proc_find_qemu (root, "00000000-0000-0000-0000-000000000000", "x"),
                   ==, 0);
  /* The same from one list for many VMs: the stale file, then the list, decide alike. */
  {
    g_autoptr(GPtrArray) qemus = kvmrt_proc_list_qemus (root);

    g_assert_cmpint (kvmrt_proc_find_qemu_in (qemus, root, uuid, "vision"), ==, 4321);
    g_assert_cmpint (kvmrt_proc_find_qemu_in (qemus, root,
                                              "00000000-0000-0000-0000-000000000000", "x"), ==, 0);
  }

  /* A comm with spaces and parentheses, and start time 250 ticks after boot. */
  stat = g_strdup_printf ("4321 (CPU 0/KVM) x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %ld "
                          "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3 7 1 0 0 0\n",
                          250 * sysconf (_SC_CLK_TCK) / 100);
  write_file (root, "proc/4321/task/4321/stat", stat, -1);
  write_file (root, "proc/4321/task/4321/status", "Name:\tx\nCpus_allowed_list:\t16\n", -1);
  write_file (root, "proc/4321/task/4321/comm", "CPU 0/KVM) x\n", -1);
  write_file (root, "proc/4321/stat", stat, -1);
  write_file (root, "proc/uptime", "102.50 200.00\n", -1);
  /* A thread directory without files: it ended while we listed. */
  write_file (root, "proc/4321/task/4322/.keep", "", 0);

  threads = kvmrt_proc_list_threads (root, 4321, NULL);
  g_assert_nonnull (threads);
  g_assert_cmpuint (threads->len, ==, 1);
  g_assert_cmpint (((KvmrtThread *) threads->pdata[0])->cpu, ==, 3);
  g_assert_cmpint (((KvmrtThread *) threads->pdata[0])->priority, ==, 7);
  g_assert_cmpint (((KvmrtThread *) threads->pdata[0])->policy, ==, SCHED_FIFO);
  g_assert_true (kvmrt_id_set_contains (((KvmrtThread *) threads->pdata[0])->affinity, 16));
  g_assert_true (kvmrt_proc_get_uptime (root, 4321, &uptime, NULL));
  g_assert_cmpfloat_with_epsilon (uptime, 100.0, 0.01);
  {
    const char *argv[] = { "rm", "-rf", root, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, NULL, NULL));
  }
}

/* The demo fixture host: its unpinned QEMU "scratch" with its scope, and kernel threads of
 * which only kthreadd and the unbound ones may move. */
static void
test_fixture_qemus_and_kernel_threads (void)
{
  g_autofree char *root = test_host_dir ("m12swa-tf");
  g_autoptr(GPtrArray) qemus = kvmrt_proc_list_qemus (root);
  g_autoptr(GPtrArray) kthreads = kvmrt_proc_list_movable_kthreads (root);
  g_autofree char *cgroup = NULL;
  g_autofree char *none = kvmrt_proc_get_cgroup (root, 4321, "cpuset");
  g_autoptr(GString) names = g_string_new (NULL);

  g_assert_cmpuint (qemus->len, ==, 1);
  g_assert_cmpint (((KvmrtQemuProcess *) qemus->pdata[0])->pid, ==, 4321);
  g_assert_cmpstr (((KvmrtQemuProcess *) qemus->pdata[0])->uuid, ==,
                   "5b0c52a4-9d4e-4a57-b1a2-3c9f6e0d7a18");
  cgroup = kvmrt_proc_get_cgroup (root, 4321, NULL);
  g_assert_cmpstr (cgroup, ==,
                   "machine.slice/machine-qemu\\x2d1\\x2dscratch.scope/libvirt/emulator");
  g_assert_null (none);   /* no cgroup v1 cpuset hierarchy there */
  g_assert_cmpuint (kvmrt_proc_get_start_time (root, 4321), ==, 100);
  g_assert_cmpuint (kvmrt_proc_get_start_time (root, 999999), ==, 0);

  /* Not migration/N, ksoftirqd/N (bound) or the unbound kworker (PF_NO_SETAFFINITY). */
  for (guint i = 0; i < kthreads->len; i++)
    {
      const KvmrtKernelThread *t = kthreads->pdata[i];

      g_assert_false (g_str_has_prefix (t->comm, "migration/"));
      g_assert_false (g_str_has_prefix (t->comm, "ksoftirqd/"));
      g_assert_false (g_str_has_prefix (t->comm, "kworker/"));
      if (g_str_equal (t->comm, "kthreadd"))
        g_assert_cmpuint (kvmrt_id_set_count (t->affinity), ==, 64);
      if (g_str_equal (t->comm, "kswapd1"))
        g_assert_true (kvmrt_id_set_contains (t->affinity, 8)
                       && !kvmrt_id_set_contains (t->affinity, 0));
    }
  /* kthreadd, rcu_preempt, khugepaged, and kswapd and kcompactd of each of 4 nodes */
  g_assert_cmpuint (kthreads->len, ==, 11);
}

/* proc/PID/cgroup lines that are not plain paths are not trusted. */
static void
test_cgroup_paths (void)
{
  g_autofree char *root = g_dir_make_tmp ("kvmrt-proc-XXXXXX", NULL);
  g_autofree char *v2 = NULL;
  g_autofree char *v1 = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *top = NULL;

  write_file (root, "proc/10/cgroup", "12:cpu,cpuacct:/machine/q.libvirt-qemu\n"
              "5:cpuset:/machine/q.libvirt-qemu/emulator\n0::/machine.slice/x.scope\n", -1);
  write_file (root, "proc/11/cgroup", "0::/machine.slice/../user.slice\n", -1);
  write_file (root, "proc/12/cgroup", "0::/\n", -1);
  v2 = kvmrt_proc_get_cgroup (root, 10, NULL);
  v1 = kvmrt_proc_get_cgroup (root, 10, "cpuset");
  bad = kvmrt_proc_get_cgroup (root, 11, NULL);
  top = kvmrt_proc_get_cgroup (root, 12, NULL);
  g_assert_cmpstr (v2, ==, "machine.slice/x.scope");
  g_assert_cmpstr (v1, ==, "machine/q.libvirt-qemu/emulator");
  g_assert_null (bad);
  g_assert_cmpstr (top, ==, "");
  {
    const char *argv[] = { "rm", "-rf", root, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 NULL, NULL, NULL, NULL));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/proc/classify", test_classify);
  g_test_add_func ("/proc/live-threads", test_live_threads);
  g_test_add_func ("/proc/find-qemu", test_find_qemu);
  g_test_add_func ("/proc/fixture-qemus-and-kernel-threads",
                   test_fixture_qemus_and_kernel_threads);
  g_test_add_func ("/proc/cgroup-paths", test_cgroup_paths);
  return g_test_run ();
}
