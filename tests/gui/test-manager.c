/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtManager, the window's model, through its API (no window).
 *
 * - Its state is properties: "config", "config-path" and "config-unsaved" are notified once
 *   per open, new, reload and close; "host" when tuning took CPUs offline; "connected" and
 *   "libvirt-error" say whether libvirt answers.
 * - Live status is never read in the GUI thread: with a process of the host copy whose
 *   command line is a FIFO no one writes (any read of it blocks), opening the configuration
 *   and refreshing return at once and the main loop keeps running; the statuses arrive once
 *   the FIFO is opened for writing.
 * - Boot All and Shut Down All are the core's sets: a report per VM, a clean boot refused
 *   while VMs run.
 * - Cancellation: an operation cancelled before it starts changes nothing and says so; on a
 *   real libvirtd (root, skipped otherwise) a Shut Down waiting for a guest that ignores ACPI
 *   (the harness's echo guest) stops waiting when cancelled, says so, and leaves it running
 *   with its tuning in place. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvmrt-gui-test.h"
#include "kvmrt-journal.h"

#define RT_VM "rh84-vision-rt"
/* A process of the host copy that is not there: its command line blocks whoever reads it. */
#define BLOCKING_PID "424242"

typedef struct {
  char         *dir;
  char         *sysroot;
  char         *config;
  KvmrtManager *manager;
} Demo;

static void
demo_set_up (Demo *demo, const char *tmpl)
{
  g_autofree char *config_source = kvmrt_gui_test_demo_path ("kvmrt.cfg");
  g_autofree char *uri = kvmrt_gui_test_demo_uri ();
  g_autoptr(GError) error = NULL;

  demo->dir = kvmrt_gui_test_make_tmp_dir (tmpl);
  demo->sysroot = kvmrt_gui_test_copy_host (demo->dir);
  demo->config = kvmrt_gui_test_copy_file (config_source, demo->dir, "kvmrt.cfg");
  demo->manager = kvmrt_manager_new (demo->sysroot, uri, &error);
  g_assert_no_error (error);
  g_assert_true (kvmrt_manager_get_connected (demo->manager));
}

static void
demo_tear_down (Demo *demo)
{
  g_clear_object (&demo->manager);
  /* Workers still running hold the manager: let them end first. */
  kvmrt_gui_test_spin (200);
  if (demo->dir != NULL)
    kvmrt_gui_test_remove_tree (demo->dir);
  g_free (demo->dir);
  g_free (demo->sysroot);
  g_free (demo->config);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Demo, demo_tear_down)

static KvmrtVm *
lookup_vm (KvmrtManager *manager, const char *name)
{
  KvmrtVm *vm = kvmrt_config_lookup (kvmrt_manager_get_config (manager), name);

  g_assert_nonnull (vm);
  return vm;
}

/* Counts notify:: emissions per property name. */
static void
on_notify_cb (GObject *object, GParamSpec *pspec, GHashTable *counts)
{
  const char *name = g_param_spec_get_name (pspec);

  g_hash_table_insert (counts, (gpointer) name,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name))
                                         + 1));
}

static guint
count (GHashTable *counts, const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static gboolean
has_status (gpointer data)
{
  Demo *demo = data;

  return kvmrt_manager_get_status (demo->manager, lookup_vm (demo->manager, RT_VM)) != NULL;
}

/* Properties ------------------------------------------------------------------------------ */

static void
test_notify_config (void)
{
  g_auto(Demo) demo = { 0 };
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *fresh = NULL;
  g_autoptr(KvmrtConfig) first = NULL;
  g_autoptr(KvmrtConfig) read = NULL;
  g_autofree char *path = NULL;
  gboolean unsaved = TRUE;

  demo_set_up (&demo, "kvmrt-test-manager-XXXXXX");
  g_signal_connect (demo.manager, "notify", G_CALLBACK (on_notify_cb), counts);

  g_assert_true (kvmrt_manager_open_config (demo.manager, demo.config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count (counts, "config"), ==, 1);
  g_assert_cmpuint (count (counts, "config-path"), ==, 1);
  g_assert_cmpuint (count (counts, "config-unsaved"), ==, 0);
  g_object_get (demo.manager, "config", &read, "config-path", &path, "config-unsaved",
                &unsaved, NULL);
  g_assert_true (read == kvmrt_manager_get_config (demo.manager));
  g_assert_cmpstr (path, ==, demo.config);
  g_assert_false (unsaved);
  first = g_object_ref (read);

  /* The same file again: a new object, the same path. */
  g_assert_true (kvmrt_manager_open_config (demo.manager, demo.config, &error));
  g_assert_cmpuint (count (counts, "config"), ==, 2);
  g_assert_cmpuint (count (counts, "config-path"), ==, 1);
  g_assert_true (kvmrt_manager_get_config (demo.manager) != first);

  fresh = g_build_filename (demo.dir, "new.cfg", NULL);
  kvmrt_manager_new_config (demo.manager, fresh);
  g_assert_cmpuint (count (counts, "config"), ==, 3);
  g_assert_cmpuint (count (counts, "config-path"), ==, 2);
  g_assert_cmpuint (count (counts, "config-unsaved"), ==, 1);
  g_assert_true (kvmrt_manager_get_config_unsaved (demo.manager));

  kvmrt_manager_close_config (demo.manager);
  g_assert_cmpuint (count (counts, "config"), ==, 4);
  g_assert_cmpuint (count (counts, "config-path"), ==, 3);
  g_assert_cmpuint (count (counts, "config-unsaved"), ==, 2);
  g_assert_null (kvmrt_manager_get_config (demo.manager));
  g_assert_null (kvmrt_manager_get_config_path (demo.manager));
  /* Nothing else changed meanwhile. */
  g_assert_cmpuint (count (counts, "host"), ==, 0);
  g_assert_cmpuint (count (counts, "connected"), ==, 0);
}

static void
test_notify_host (void)
{
  g_auto(Demo) demo = { 0 };
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autoptr(KvmrtHost) before = NULL;

  demo_set_up (&demo, "kvmrt-test-manager-XXXXXX");
  g_assert_true (kvmrt_manager_open_config (demo.manager, demo.config, &error));
  before = g_object_ref (kvmrt_manager_get_host (demo.manager));
  g_signal_connect (demo.manager, "notify", G_CALLBACK (on_notify_cb), counts);

  /* Tuning a real-time VM takes its cores' siblings offline: the host is read again. */
  kvmrt_manager_boot_async (demo.manager, lookup_vm (demo.manager, RT_VM), NULL,
                            kvmrt_gui_test_store_result_cb, &result);
  g_assert_true (kvmrt_manager_boot_finish (demo.manager,
                                            kvmrt_gui_test_wait_result (&result, 30000),
                                            &message, &error));
  g_assert_no_error (error);
  g_test_message ("boot: %s", message);
  g_assert_cmpuint (count (counts, "host"), ==, 1);
  g_assert_true (kvmrt_manager_get_host (demo.manager) != before);
  g_assert_cmpuint (kvmrt_id_set_count (kvmrt_host_get_online_cpus (kvmrt_manager_get_host
                                                                     (demo.manager))), <,
                    kvmrt_id_set_count (kvmrt_host_get_online_cpus (before)));
  g_assert_cmpuint (count (counts, "config"), ==, 0);
}

/* Live status off the GUI thread ---------------------------------------------------------- */

/* Lets a reader blocked on @fifo go on: an open for reading and writing never blocks, and
 * counts as the writer that reader waits for; once it is closed the reader sees the end of
 * the file. When @replace, the FIFO is replaced by an empty file first, so no later reader
 * blocks. */
static void
unblock (const char *fifo, gboolean replace)
{
  int fd = open (fifo, O_RDWR);

  g_assert_cmpint (fd, >=, 0);
  if (replace)
    {
      g_autofree char *plain = g_strconcat (fifo, ".plain", NULL);

      g_assert_true (g_file_set_contents (plain, "", 0, NULL));
      g_assert_cmpint (g_rename (plain, fifo), ==, 0);
    }
  close (fd);
}

static void
test_status_off_gui_thread (void)
{
  g_auto(Demo) demo = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *fifo = NULL;
  gint64 start;

  demo_set_up (&demo, "kvmrt-test-manager-XXXXXX");
  dir = g_build_filename (demo.sysroot, "proc", BLOCKING_PID, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  fifo = g_build_filename (dir, "cmdline", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  /* Were statuses read here, either call would wait for the FIFO for ever. */
  start = g_get_monotonic_time ();
  g_assert_true (kvmrt_manager_open_config (demo.manager, demo.config, &error));
  g_assert_no_error (error);
  kvmrt_manager_refresh (demo.manager);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  /* The main loop runs on; the reading waits in its worker. */
  kvmrt_gui_test_spin (500);
  g_assert_false (has_status (&demo));

  unblock (fifo, FALSE);
  g_assert_true (kvmrt_gui_test_wait_for (has_status, &demo, 10000));

  /* The 2 s refresh may be waiting on it again. */
  unblock (fifo, TRUE);
}

/* Boot All --------------------------------------------------------------------------------- */

/* The enabled VMs of the loaded configuration. */
static GPtrArray *
enabled_vms (KvmrtManager *manager)
{
  KvmrtConfig *config = kvmrt_manager_get_config (manager);
  GPtrArray *vms = g_ptr_array_new ();

  for (guint i = 0; i < kvmrt_config_get_n_vms (config); i++)
    if (!kvmrt_vm_get_disabled (kvmrt_config_get_vm (config, i)))
      g_ptr_array_add (vms, kvmrt_config_get_vm (config, i));
  return vms;
}

static GPtrArray *
boot_set (KvmrtManager *manager, GPtrArray *vms, gboolean clean, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kvmrt_manager_boot_set_async (manager, vms, clean, NULL, kvmrt_gui_test_store_result_cb,
                                &result);
  return kvmrt_manager_boot_set_finish (manager, kvmrt_gui_test_wait_result (&result, 60000),
                                        NULL, error);
}

/* A report per VM in the set's order, each as its own boot says it; a clean boot is refused
 * as a whole while VMs run, with nothing started; Shut Down All reports each VM it stopped. */
static void
test_boot_set (void)
{
  g_auto(Demo) demo = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GPtrArray) refused = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  demo_set_up (&demo, "kvmrt-test-manager-XXXXXX");
  g_assert_true (kvmrt_manager_open_config (demo.manager, demo.config, &error));
  vms = enabled_vms (demo.manager);
  g_assert_cmpuint (vms->len, >, 1);

  reports = boot_set (demo.manager, vms, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reports->len, ==, vms->len);
  for (guint i = 0; i < vms->len; i++)
    {
      const KvmrtVmReport *report = reports->pdata[i];

      g_test_message ("%s: %s", report->uuid, report->message);
      g_assert_cmpstr (report->uuid, ==, kvmrt_vm_get_uuid (vms->pdata[i]));
      g_assert_true (report->ok);
      g_assert_true (g_str_has_prefix (report->message, "Started"));
    }

  refused = boot_set (demo.manager, vms, TRUE, &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "A clean boot needs every VM shut off"));

  /* Shut Down All with power off at once: every VM that runs, each off with its tuning
   * given back. */
  g_clear_pointer (&reports, g_ptr_array_unref);
  g_clear_error (&error);
  kvmrt_manager_shutdown_set_async (demo.manager, NULL, TRUE, 0, NULL,
                                    kvmrt_gui_test_store_result_cb, &result);
  reports = kvmrt_manager_shutdown_set_finish (demo.manager,
                                               kvmrt_gui_test_wait_result (&result, 60000),
                                               NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reports->len, ==, vms->len);
  for (guint i = 0; i < reports->len; i++)
    {
      const KvmrtVmReport *report = reports->pdata[i];

      g_test_message ("%s: %s", report->uuid, report->message);
      g_assert_true (report->ok);
      g_assert_true (g_str_has_prefix (report->message, "Powered off"));
    }
}

/* Cancellation ---------------------------------------------------------------------------- */

static void
test_cancel_before_start (void)
{
  g_auto(Demo) demo = { 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *xml_before = NULL;
  g_autofree char *xml_after = NULL;
  g_autoptr(KvmrtJournal) journal = NULL;
  KvmrtVm *vm;
  GVirDomain *domain;

  demo_set_up (&demo, "kvmrt-test-manager-XXXXXX");
  g_assert_true (kvmrt_manager_open_config (demo.manager, demo.config, &error));
  vm = lookup_vm (demo.manager, RT_VM);
  xml_before = kvmrt_gui_test_domain_xml (demo.manager, kvmrt_vm_get_uuid (vm));

  g_cancellable_cancel (cancellable);
  kvmrt_manager_boot_async (demo.manager, vm, cancellable, kvmrt_gui_test_store_result_cb,
                            &result);
  g_assert_false (kvmrt_manager_boot_finish (demo.manager,
                                             kvmrt_gui_test_wait_result (&result, 30000),
                                             &message, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "nothing was changed"));
  g_assert_null (message);

  /* Not started, not synced, not tuned. */
  domain = kvmrt_libvirt_lookup_uuid (kvmrt_manager_get_libvirt (demo.manager),
                                      kvmrt_vm_get_uuid (vm));
  g_assert_false (kvmrt_libvirt_is_active (domain));
  xml_after = kvmrt_gui_test_domain_xml (demo.manager, kvmrt_vm_get_uuid (vm));
  g_assert_cmpstr (xml_after, ==, xml_before);
  journal = kvmrt_journal_load (demo.sysroot, NULL);
  g_assert_nonnull (journal);
  g_assert_cmpuint (journal->vms->len, ==, 0);
}

#define ECHO_UUID "0e5c7a41-9d2b-4f60-8a37-5b1c2d3e4f70"
#define ECHO_NAME "kvmrt-manager-cancel-test"

static gboolean
cancel_later_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_shutdown_wait (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtManager) manager = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *guest = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *config = NULL;
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;
  GVirDomain *domain;
  gint64 asked;

  if (!kvmrt_gui_test_libvirtd_answers ())
    {
      g_test_skip ("needs root, qemu-system-x86_64 and a libvirtd answering at "
                   "qemu:///system");
      return;
    }
  dir = kvmrt_gui_test_make_tmp_dir ("kvmrt-test-manager-XXXXXX");
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  guest = kvmrt_gui_test_write_echo_guest (dir);
  xml = g_strdup_printf ("<domain type='qemu'><name>" ECHO_NAME "</name>"
                         "<uuid>" ECHO_UUID "</uuid><memory unit='MiB'>64</memory>"
                         "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type>"
                         "<kernel>%s</kernel></os><features><acpi/></features>"
                         "</domain>", guest);
  config = g_build_filename (dir, "kvmrt.cfg", NULL);
  text = g_strdup ("[" ECHO_UUID "]\nname = " ECHO_NAME "\n");
  g_assert_true (g_file_set_contents (config, text, -1, &error));

  manager = kvmrt_manager_new (kvmrt_gui_test_host_path (), "qemu:///system", &error);
  g_assert_no_error (error);
  domain = kvmrt_libvirt_define (kvmrt_manager_get_libvirt (manager), xml, &error);
  g_assert_no_error (error);
  domain = g_object_ref (domain);
  g_assert_true (kvmrt_libvirt_start (domain, &error));
  g_assert_no_error (error);
  g_assert_true (kvmrt_manager_open_config (manager, config, &error));

  /* The guest never answers the request: Shut Down would wait its 60 s. */
  kvmrt_manager_shutdown_async (manager, kvmrt_config_lookup_uuid (kvmrt_manager_get_config
                                                                     (manager), ECHO_UUID),
                                FALSE, 60, cancellable, kvmrt_gui_test_store_result_cb,
                                &result);
  asked = g_get_monotonic_time ();
  g_timeout_add (1500, cancel_later_cb, cancellable);
  kvmrt_gui_test_wait_result (&result, 30000);
  g_assert_false (kvmrt_manager_shutdown_finish (manager, result, &message, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("cancelled: %s", error->message);
  g_assert_nonnull (strstr (error->message, "waiting for the guest"));
  /* At the cancel, not after the 60 s; the VM left as it was. */
  g_assert_cmpint (g_get_monotonic_time () - asked, <, 10 * G_USEC_PER_SEC);
  g_assert_true (kvmrt_libvirt_is_active (domain));

  kvmrt_libvirt_destroy (domain, NULL);
  gvir_domain_delete (domain, 0, NULL);
  g_object_unref (domain);
  g_clear_object (&manager);
  kvmrt_gui_test_spin (200);
  kvmrt_gui_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/manager/notify/config", test_notify_config);
  g_test_add_func ("/manager/notify/host", test_notify_host);
  g_test_add_func ("/manager/status/off-gui-thread", test_status_off_gui_thread);
  g_test_add_func ("/manager/vm-sets", test_boot_set);
  g_test_add_func ("/manager/cancel/before-start", test_cancel_before_start);
  g_test_add_func ("/manager/cancel/shutdown-wait", test_cancel_shutdown_wait);
  return g_test_run ();
}
