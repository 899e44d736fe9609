/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtime details window on the demo (libvirt's test driver, a private copy of the
 * M12SWA-TF host and of the demo configuration): a running real-time VM shows "Running", the
 * plan's vCPU pins and a CPU usage figure; a shut-off VM shows no usage and no threads and
 * comes alive when it boots; a VM whose QEMU process is in the host's proc/ lists its
 * threads; a drifted real-time VM offers Retune Real-Time, which puts the tuning back.
 * PNG screenshots go to the build directory. Skips without a display (a TAP skip plan). */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <unistd.h>

#include "kvmrt-details-window.h"
#include "kvmrt-gui-test.h"
#include "kvmrt-manager.h"

/* TIDs no Linux process can have (above PID_MAX_LIMIT), so nothing real is ever touched. */
#define FAKE_PID 5000001

static struct {
  char           *dir;
  char           *sysroot;
  char           *config;
  char           *uri;
  GtkApplication *app;
  KvmrtManager   *manager;
} demo;

/* Helpers ------------------------------------------------------------------------------ */

static KvmrtVm *
lookup_vm (const char *name)
{
  KvmrtVm *vm = kvmrt_config_lookup (kvmrt_manager_get_config (demo.manager), name);

  g_assert_nonnull (vm);
  return vm;
}

static void
boot (const char *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  kvmrt_manager_boot_async (demo.manager, lookup_vm (name), NULL,
                            kvmrt_gui_test_store_result_cb, &result);
  g_assert_true (kvmrt_manager_boot_finish (demo.manager,
                                            kvmrt_gui_test_wait_result (&result, 30000),
                                            &message, &error));
  g_assert_no_error (error);
  g_test_message ("boot %s: %s", name, message);
}

/* Widget tree helpers ------------------------------------------------------------------ */

/* Whether a visible label below @root says @text (exactly, or containing it when @part). */
static gboolean
has_label (GtkWidget *root, const char *text, gboolean part)
{
  if (!gtk_widget_get_visible (root))
    return FALSE;
  if (GTK_IS_LABEL (root))
    {
      const char *label = gtk_label_get_text (GTK_LABEL (root));

      if (part ? strstr (label, text) != NULL : g_str_equal (label, text))
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text, part))
      return TRUE;
  return FALSE;
}

/* The value a row shows (its suffix label), searched among its labels. */
static gboolean
row_says (GtkWidget *window, const char *title, const char *text, gboolean part)
{
  GtkWidget *row = kvmrt_gui_test_find_row (window, title);

  return row != NULL && has_label (row, text, part);
}

typedef struct {
  GtkWidget  *window;
  const char *title;
  const char *text;
  gboolean    part;
} RowCheck;

static gboolean
row_check (gpointer data)
{
  RowCheck *check = data;

  return row_says (check->window, check->title, check->text, check->part);
}

static gboolean
wait_row (GtkWidget *window, const char *title, const char *text, gboolean part)
{
  RowCheck check = { window, title, text, part };

  return kvmrt_gui_test_wait_for (row_check, &check, 10000);
}

/* Whether the window shows a status yet: it is read in a worker, after the window opens. */
static gboolean
status_shown (gpointer window)
{
  GObject *uptime = gtk_widget_get_template_child (window, KVMRT_TYPE_DETAILS_WINDOW,
                                                   "uptime_label");

  return *gtk_label_get_text (GTK_LABEL (uptime)) != '\0';
}

static GtkWidget *
open_details (const char *name)
{
  KvmrtDetailsWindow *window = kvmrt_details_window_new (demo.app, demo.manager,
                                                         lookup_vm (name));

  g_assert_cmpstr (kvmrt_details_window_get_uuid (window), ==,
                   kvmrt_vm_get_uuid (lookup_vm (name)));
  /* Tall enough that the screenshots show every group (the window opens at 720x640). */
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 1400);
  kvmrt_gui_test_present (GTK_WINDOW (window));
  g_assert_true (kvmrt_gui_test_wait_for (status_shown, window, 10000));
  return GTK_WIDGET (window);
}

static void
close_details (GtkWidget *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  kvmrt_gui_test_spin (100);
}

/* The host copy ------------------------------------------------------------------------ */

static void
write_file (const char *relative, const char *text, gssize length)
{
  g_autofree char *path = g_build_filename (demo.sysroot, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, text, length, NULL));
}

/* A stat line: start time (field 22), last CPU (39), rt priority (40) and policy (41). */
static char *
make_stat (int tid, const char *comm, long start_ticks, int cpu, int priority, int policy)
{
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_append_printf (line, "%d (%s) S", tid, comm);
  for (guint field = 4; field <= 52; field++)
    switch (field)
      {
      case 22:
        g_string_append_printf (line, " %ld", start_ticks);
        break;
      case 39:
        g_string_append_printf (line, " %d", cpu);
        break;
      case 40:
        g_string_append_printf (line, " %d", priority);
        break;
      case 41:
        g_string_append_printf (line, " %d", policy);
        break;
      default:
        g_string_append (line, " 0");
      }
  g_string_append_c (line, '\n');
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
write_thread (int tid, const char *comm, const char *affinity, int cpu, int priority,
              int policy)
{
  /* Started 1 h 2 min 3 s before the "now" of proc/uptime (5000 s). */
  long start = (5000L - 3723L) * sysconf (_SC_CLK_TCK);
  g_autofree char *dir = g_strdup_printf ("proc/%d/task/%d", FAKE_PID, tid);
  g_autofree char *comm_path = g_build_filename (dir, "comm", NULL);
  g_autofree char *stat_path = g_build_filename (dir, "stat", NULL);
  g_autofree char *status_path = g_build_filename (dir, "status", NULL);
  g_autofree char *comm_text = g_strdup_printf ("%s\n", comm);
  g_autofree char *stat = make_stat (tid, comm, start, cpu, priority, policy);
  g_autofree char *status = g_strdup_printf ("Name:\t%s\nCpus_allowed_list:\t%s\n", comm,
                                             affinity);

  write_file (comm_path, comm_text, -1);
  write_file (stat_path, stat, -1);
  write_file (status_path, status, -1);
  if (tid == FAKE_PID)
    {
      g_autofree char *main_stat = g_strdup_printf ("proc/%d/stat", FAKE_PID);

      write_file (main_stat, stat, -1);
    }
}

/* A QEMU process for @name in the host copy's proc/, with one thread per vCPU on its pin. */
static void
write_qemu_process (const char *name)
{
  KvmrtVm *vm = lookup_vm (name);
  const KvmrtVmPlan *plan = kvmrt_plan_lookup (kvmrt_manager_get_plan (demo.manager), vm);
  g_autofree char *cpus = kvmrt_id_set_to_string (plan->cpus);
  g_autofree char *cmdline_path = g_strdup_printf ("proc/%d/cmdline", FAKE_PID);
  g_autofree char *guest = g_strdup_printf ("guest=%s", name);
  g_autoptr(GByteArray) cmdline = g_byte_array_new ();
  const char *argv[] = { "qemu-system-x86_64", "-name", guest, "-uuid",
                         kvmrt_vm_get_uuid (vm), "-S" };

  for (guint i = 0; i < G_N_ELEMENTS (argv); i++)
    g_byte_array_append (cmdline, (const guint8 *) argv[i], strlen (argv[i]) + 1);
  write_file (cmdline_path, (const char *) cmdline->data, cmdline->len);
  write_file ("proc/uptime", "5000.00 9000.00\n", -1);

  write_thread (FAKE_PID, "qemu-system-x86", cpus, kvmrt_id_set_first (plan->cpus), 0,
                SCHED_OTHER);
  for (guint i = 0; i < plan->vcpu_pins->len; i++)
    {
      const KvmrtIdSet *pin = plan->vcpu_pins->pdata[i];
      g_autofree char *comm = g_strdup_printf ("CPU %u/KVM", i);
      g_autofree char *affinity = kvmrt_id_set_to_string (kvmrt_id_set_is_empty (pin)
                                                            ? plan->cpus : pin);

      write_thread (FAKE_PID + 1 + (int) i, comm, affinity, kvmrt_id_set_first (pin), 0,
                    SCHED_OTHER);
    }
  write_thread (FAKE_PID + 100, "IO mon_iothread", cpus, kvmrt_id_set_last (plan->cpus), 0,
                SCHED_OTHER);
  write_thread (FAKE_PID + 101, "worker", cpus, kvmrt_id_set_first (plan->cpus), 0,
                SCHED_OTHER);
  write_thread (FAKE_PID + 102, "SPICE Worker", cpus, kvmrt_id_set_first (plan->cpus), 0,
                SCHED_OTHER);
}

static void
remove_qemu_process (void)
{
  g_autofree char *dir = g_strdup_printf ("%s/proc/%d", demo.sysroot, FAKE_PID);

  kvmrt_gui_test_remove_tree (dir);
}

/* Tests -------------------------------------------------------------------------------- */

static gboolean
usage_shown (gpointer data)
{
  return row_says (data, "CPU Usage", "%", TRUE);
}

/* A running real-time VM: state, the plan's vCPU pins, CPU usage, memory; on the test driver
 * QEMU is not a local process, so the threads table explains why it is empty. */
static void
test_running (void)
{
  KvmrtVm *vm = lookup_vm ("rh84-vision-rt");
  const KvmrtVmPlan *plan = NULL;
  GtkWidget *window;

  boot ("rh84-vision-rt");
  plan = kvmrt_plan_lookup (kvmrt_manager_get_plan (demo.manager), vm);
  window = open_details ("rh84-vision-rt");

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==,
                   "Runtime Details — rh84-vision-rt");
  g_assert_true (row_says (window, "State", "Running", FALSE));
  g_assert_true (row_says (window, "Real-Time", "Yes", FALSE));
  g_assert_true (row_says (window, "QEMU Process", "Not on this host", FALSE));
  g_assert_true (row_says (window, "Real-Time Tuning", "In force", FALSE));
  g_assert_cmpuint (plan->vcpu_pins->len, ==, plan->nr_vcpus);
  g_assert_cmpuint (plan->nr_vcpus, >, 1);
  for (guint i = 0; i < plan->vcpu_pins->len; i++)
    {
      g_autofree char *title = g_strdup_printf ("vCPU %u", i);
      g_autofree char *pin = kvmrt_id_set_to_string (plan->vcpu_pins->pdata[i]);
      g_autofree char *value = g_strdup_printf ("Host CPU %s", pin);

      g_assert_true (row_says (window, title, value, FALSE));
    }
  g_assert_true (row_says (window, "Virtual CPUs", "vCPUs on host CPUs 16-", TRUE));
  g_assert_true (row_says (window, "Shielded CPUs", "16-23", FALSE));
  g_assert_true (row_says (window, "CPUs Taken Offline", "48-55", FALSE));
  g_assert_true (row_says (window, "Interrupt CPU", "23", FALSE));
  g_assert_true (has_label (window, "QEMU runs on this host", TRUE));

  /* Two samples of libvirt's CPU time, one refresh (2 s) apart. */
  g_assert_true (kvmrt_gui_test_wait_for (usage_shown, window, 10000));
  g_assert_false (row_says (window, "Memory", "Measuring…", FALSE));
  kvmrt_gui_test_screenshot (window, "details-running");
  close_details (window);
}

/* A VM with guest_services shows what kvmrtd counted on its channel (the counters file in
 * the sysroot's run/kvmrt, as kvmrtd writes it). */
static void
test_guest_services (void)
{
  KvmrtVm *vm = lookup_vm ("rh84-vision-rt");
  g_autoptr(KvmrtGsStats) stats = kvmrt_gs_stats_new ();
  KvmrtGsVmStats *counted = g_new0 (KvmrtGsVmStats, 1);
  g_autoptr(GError) error = NULL;
  GtkWidget *window;

  boot ("rh84-vision-rt");
  counted->uuid = g_strdup (kvmrt_vm_get_uuid (vm));
  counted->name = g_strdup ("rh84-vision-rt");
  counted->connected = TRUE;
  counted->pings = 41;
  counted->malformed = 12;
  g_ptr_array_add (stats->vms, counted);
  g_assert_true (kvmrt_gs_stats_save (stats, demo.sysroot, &error));
  g_assert_no_error (error);

  window = open_details ("rh84-vision-rt");
  g_assert_false (has_label (window, "Served by kvmrtd", FALSE));
  kvmrt_vm_set_guest_services (vm, TRUE);
  g_signal_emit_by_name (demo.manager, "status-changed", vm);
  g_assert_true (wait_row (window, "Channel", "Served by kvmrtd", FALSE));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (kvmrt_gui_test_find_row (window, "Channel")),
                                 TRUE);
  kvmrt_gui_test_spin (100);
  g_assert_true (row_says (window, "Pings", "41", FALSE));
  g_assert_true (row_says (window, "Malformed Input", "12", FALSE));
  kvmrt_gui_test_screenshot (window, "details-guest-services");
  kvmrt_vm_set_guest_services (vm, FALSE);
  kvmrt_gs_stats_remove (demo.sysroot);
  close_details (window);
}

/* A shut-off VM: no uptime, usage or threads; it comes alive when it boots. */
static void
test_shut_off (void)
{
  GtkWidget *window = open_details ("ubuntu-build");

  g_assert_true (row_says (window, "State", "Shut off", FALSE));
  g_assert_true (row_says (window, "Uptime", "Not running", FALSE));
  g_assert_true (row_says (window, "CPU Usage", "Not running", FALSE));
  g_assert_true (row_says (window, "Real-Time Tuning", "Not needed", FALSE));
  g_assert_true (row_says (window, "Shielded CPUs", "None", FALSE));
  g_assert_true (row_says (window, "vCPU 0", "Host CPU", TRUE));
  g_assert_true (has_label (window, "not running", TRUE));
  g_assert_false (usage_shown (window));
  kvmrt_gui_test_screenshot (window, "details-shut-off");

  boot ("ubuntu-build");
  g_assert_true (wait_row (window, "State", "Running", FALSE));
  g_assert_true (kvmrt_gui_test_wait_for (usage_shown, window, 10000));
  close_details (window);
}

typedef struct {
  GtkWidget *window;
  guint      n_threads;
} ThreadsCheck;

static gboolean
threads_listed (gpointer data)
{
  ThreadsCheck *check = data;
  GtkWidget *view = kvmrt_gui_test_find_type (check->window, GTK_TYPE_COLUMN_VIEW);
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (view)));

  return g_list_model_get_n_items (model) == check->n_threads
         && has_label (view, "CPU 0/KVM", FALSE);
}

/* A VM whose QEMU process is in the host's proc/: its threads, with kind, affinity and
 * policy, and its uptime from the process's start time. */
static void
test_threads (void)
{
  KvmrtVm *vm = lookup_vm ("win10-eng");
  const KvmrtVmPlan *plan;
  ThreadsCheck check = { 0 };
  g_autofree char *tid = g_strdup_printf ("%d", FAKE_PID + 1);

  boot ("win10-eng");
  write_qemu_process ("win10-eng");
  plan = kvmrt_plan_lookup (kvmrt_manager_get_plan (demo.manager), vm);
  check.n_threads = plan->vcpu_pins->len + 4;
  check.window = open_details ("win10-eng");

  g_assert_true (kvmrt_gui_test_wait_for (threads_listed, &check, 10000));
  g_assert_true (row_says (check.window, "QEMU Process", "PID 5000001", FALSE));
  g_assert_true (row_says (check.window, "Uptime", "01:02:03", FALSE));
  g_assert_true (has_label (check.window, tid, FALSE));
  g_assert_true (has_label (check.window, "vCPU 7", FALSE));
  g_assert_true (has_label (check.window, "emulator", FALSE));
  g_assert_true (has_label (check.window, "SPICE", FALSE));
  g_assert_true (has_label (check.window, "other", FALSE));
  g_assert_true (kvmrt_gui_test_wait_for (usage_shown, check.window, 10000));
  kvmrt_gui_test_screenshot (check.window, "details-threads");

  /* The process ends: the table empties on the next refresh. */
  remove_qemu_process ();
  g_assert_true (wait_row (check.window, "QEMU Process", "Not on this host", FALSE));
  g_assert_true (has_label (check.window, "QEMU runs on this host", TRUE));
  close_details (check.window);
}

static gboolean
retune_visible (gpointer data)
{
  GtkWidget *button = kvmrt_gui_test_find_row (data, "Real-Time Tuning");

  button = button != NULL ? kvmrt_gui_test_find_type (button, GTK_TYPE_BUTTON) : NULL;
  return button != NULL && gtk_widget_get_visible (button) && gtk_widget_is_sensitive (button);
}

/* A real-time VM whose offline sibling CPU came back: the drift, said as what is and what
 * should be, and Retune Real-Time, which takes the CPU offline again. */
static void
test_drift (void)
{
  KvmrtVm *vm = lookup_vm ("rh84-control-rt");
  const KvmrtVmPlan *plan;
  g_autofree char *online = NULL;
  g_autofree char *online_path = NULL;
  g_autofree char *told = NULL;
  GtkWidget *window;
  GtkWidget *button;
  g_autofree char *value = NULL;

  boot ("rh84-control-rt");
  plan = kvmrt_plan_lookup (kvmrt_manager_get_plan (demo.manager), vm);
  g_assert_false (kvmrt_id_set_is_empty (plan->offline_cpus));
  online = g_strdup_printf ("sys/devices/system/cpu/cpu%d/online",
                            kvmrt_id_set_first (plan->offline_cpus));
  write_file (online, "1\n", -1);
  told = g_strdup_printf ("CPU %d is online; it should be offline while Motion Control (RT) "
                          "runs", kvmrt_id_set_first (plan->offline_cpus));

  window = open_details ("rh84-control-rt");
  g_assert_true (wait_row (window, "Real-Time Tuning", "Not in force", FALSE));
  g_assert_true (kvmrt_gui_test_wait_for (retune_visible, window, 10000));
  g_assert_true (has_label (window, told, TRUE));
  kvmrt_gui_test_screenshot (window, "details-drift");

  button = kvmrt_gui_test_find_type (kvmrt_gui_test_find_row (window, "Real-Time Tuning"),
                                     GTK_TYPE_BUTTON);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Retune Real-Time");
  gtk_widget_activate (button);
  g_assert_true (wait_row (window, "Real-Time Tuning", "In force", FALSE));
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_false (has_label (window, told, TRUE));
  online_path = g_build_filename (demo.sysroot, online, NULL);
  g_assert_true (g_file_get_contents (online_path, &value, NULL, NULL));
  g_assert_cmpstr (g_strstrip (value), ==, "0");
  kvmrt_gui_test_screenshot (window, "details-retuned");
  close_details (window);
}

/* Set-up ------------------------------------------------------------------------------- */

static void
setup_demo (void)
{
  g_autofree char *config_source = kvmrt_gui_test_demo_path ("kvmrt.cfg");

  demo.dir = kvmrt_gui_test_make_tmp_dir ("kvmrt-test-details-XXXXXX");
  demo.sysroot = kvmrt_gui_test_copy_host (demo.dir);
  demo.config = kvmrt_gui_test_copy_file (config_source, demo.dir, "kvmrt.cfg");
  demo.uri = kvmrt_gui_test_demo_uri ();
  demo.manager = kvmrt_gui_test_open_manager (demo.sysroot, demo.uri, demo.config);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("LIBVIRT_DEFAULT_URI", "test:///default", TRUE);
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;

  demo.app = GTK_APPLICATION (adw_application_new ("org.kvmrt.Kvmrt.TestDetails",
                                                   G_APPLICATION_NON_UNIQUE));
  g_application_set_resource_base_path (G_APPLICATION (demo.app), "/org/kvmrt/Kvmrt");
  g_assert_true (g_application_register (G_APPLICATION (demo.app), NULL, &error));
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (demo.app));
  setup_demo ();

  g_test_add_func ("/details/running", test_running);
  g_test_add_func ("/details/shut-off", test_shut_off);
  g_test_add_func ("/details/threads", test_threads);
  g_test_add_func ("/details/drift", test_drift);
  g_test_add_func ("/details/guest-services", test_guest_services);
  status = g_test_run ();

  g_clear_object (&demo.manager);
  g_application_release (G_APPLICATION (demo.app));
  g_clear_object (&demo.app);
  kvmrt_gui_test_remove_tree (demo.dir);
  return status;
}
