/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The console window under a display (skipped without one).
 *
 * On libvirt's test driver, which has no consoles: a shut-off VM makes the window wait, and
 * when it starts the window says that this driver offers no serial console.
 *
 * On a real libvirtd (qemu:///system answering, as root; skipped otherwise) with a tiny TCG
 * VM whose "kernel" is the harness's echo guest (kvmrt_gui_test_write_echo_guest): it prints
 * a line on COM1 and echoes what it reads there in capitals. The window waits, connects when the VM starts,
 * shows the guest's line, sends what is typed and shows the echo; a second window finds the
 * console in use and takes it over; after `destroy` the window says it is disconnected and
 * connects again when the VM is started again.
 *
 * With KVMRT_SCREENSHOT_DIR set, the windows are saved there as PNG files. */
#include "config.h"

#include <glib/gstdio.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt/libvirt.h>
#include <string.h>
#include <unistd.h>
#include <vte/vte.h>

#include "kvmrt-console-window.h"
#include "kvmrt-graphical-console.h"
#include "kvmrt-gui-test.h"

#define VM_UUID "5bd1c0a4-2c55-4c8e-9d0e-7e3a4c1f00c5"
#define VM_NAME "kvmrt-console-test"
#define VM_TITLE "Console Test"

typedef struct {
  char         *dir;
  KvmrtManager *manager;
  KvmrtVm      *vm;
  GVirDomain   *domain;        /* borrowed from the manager's libvirt */
} Fixture;

/* Window helpers ------------------------------------------------------------------------- */

static const char *
subtitle (KvmrtConsoleWindow *window)
{
  GObject *title = gtk_widget_get_template_child (GTK_WIDGET (window),
                                                  KVMRT_TYPE_CONSOLE_WINDOW, "window_title");

  return adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title));
}

static const char *
page (KvmrtConsoleWindow *window)
{
  GObject *stack = gtk_widget_get_template_child (GTK_WIDGET (window),
                                                  KVMRT_TYPE_CONSOLE_WINDOW, "stack");

  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static const char *
page_title (KvmrtConsoleWindow *window)
{
  GObject *status = gtk_widget_get_template_child (GTK_WIDGET (window),
                                                   KVMRT_TYPE_CONSOLE_WINDOW, "status_page");

  return adw_status_page_get_title (ADW_STATUS_PAGE (status));
}

static VteTerminal *
terminal (KvmrtConsoleWindow *window)
{
  return VTE_TERMINAL (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                      KVMRT_TYPE_CONSOLE_WINDOW, "terminal"));
}

static char *
terminal_text (KvmrtConsoleWindow *window)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  return vte_terminal_get_text (terminal (window), NULL, NULL, NULL);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* Notes in the TAP output how long each step of a test took. */
static void
step (const char *what)
{
  static gint64 last;
  gint64 now = g_get_monotonic_time ();

  if (last != 0)
    g_test_message ("%s: %.1f s", what, (now - last) / 1e6);
  last = now;
}

typedef gboolean (*Condition) (KvmrtConsoleWindow *window, gconstpointer data);

typedef struct {
  Condition           condition;
  KvmrtConsoleWindow *window;
  gconstpointer       data;
} Check;

static gboolean
check_holds (gpointer data)
{
  Check *check = data;

  return check->condition (check->window, check->data);
}

/* Runs the main loop until @condition holds, at most @seconds. */
static gboolean
wait_until (KvmrtConsoleWindow *window, Condition condition, gconstpointer data, guint seconds)
{
  Check check = { condition, window, data };

  return kvmrt_gui_test_wait_for (check_holds, &check, seconds * 1000);
}

static gboolean
subtitle_starts_with (KvmrtConsoleWindow *window, gconstpointer prefix)
{
  return g_str_has_prefix (subtitle (window), prefix);
}

static gboolean
terminal_contains (KvmrtConsoleWindow *window, gconstpointer text)
{
  g_autofree char *shown = terminal_text (window);

  return shown != NULL && strstr (shown, text) != NULL;
}

#define assert_eventually(window, condition, data, seconds)                               \
  G_STMT_START {                                                                         \
    if (!wait_until (window, condition, data, seconds))                                  \
      {                                                                                  \
        g_autofree char *shown = terminal_text (window);                                 \
        g_error ("%s (%s) not reached in %u s; subtitle: “%s”, page: %s, terminal: “%s”", \
                 #condition, (const char *) data, seconds, subtitle (window),             \
                 page (window), shown);                                                  \
      }                                                                                  \
  } G_STMT_END

static KvmrtConsoleWindow *
open_window (Fixture *fixture)
{
  KvmrtConsoleWindow *window = kvmrt_console_window_new (NULL, fixture->manager, fixture->vm);

  g_assert_cmpstr (kvmrt_console_window_get_uuid (window), ==, VM_UUID);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Console — " VM_TITLE);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
close_window (KvmrtConsoleWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Fixture: a manager on @uri with a configuration holding one VM, defined in libvirt: on
 * the test driver a bare domain, on QEMU the echo guest with a serial console. ----------- */

static void
fixture_set_up (Fixture *fixture, const char *uri, const char *sysroot)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config_text = NULL;
  g_autofree char *guest = NULL;
  g_autofree char *xml = NULL;
  KvmrtLibvirt *libvirt;

  fixture->dir = kvmrt_gui_test_make_tmp_dir ("kvmrt-console-XXXXXX");
  /* QEMU runs as another user and reads the guest image from here. */
  g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
  guest = kvmrt_gui_test_write_echo_guest (fixture->dir);
  if (g_str_has_prefix (uri, "test:"))
    xml = g_strdup ("<domain type='test'><name>" VM_NAME "</name><uuid>" VM_UUID "</uuid>"
                    "<memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>");
  else
    xml = g_strdup_printf ("<domain type='qemu'><name>" VM_NAME "</name>"
                           "<uuid>" VM_UUID "</uuid><memory unit='MiB'>64</memory>"
                           "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type>"
                           "<kernel>%s</kernel></os><devices>"
                           "<serial type='pty'/><console type='pty'/></devices></domain>",
                           guest);

  fixture->manager = kvmrt_manager_new (sysroot, uri, &error);
  g_assert_no_error (error);
  libvirt = kvmrt_manager_get_libvirt (fixture->manager);
  g_assert_nonnull (libvirt);
  fixture->domain = kvmrt_libvirt_define (libvirt, xml, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->domain);
  g_object_ref (fixture->domain);

  config_path = g_build_filename (fixture->dir, "kvmrt.cfg", NULL);
  config_text = g_strdup_printf ("[%s]\nname = %s\ntitle = %s\n", VM_UUID, VM_NAME, VM_TITLE);
  g_assert_true (g_file_set_contents (config_path, config_text, -1, &error));
  g_assert_true (kvmrt_manager_open_config (fixture->manager, config_path, &error));
  g_assert_no_error (error);
  fixture->vm = g_object_ref (kvmrt_config_lookup_uuid (kvmrt_manager_get_config (fixture->manager),
                                                        VM_UUID));
}

static void
fixture_tear_down (Fixture *fixture)
{
  if (fixture->domain != NULL)
    {
      if (kvmrt_libvirt_is_active (fixture->domain))
        kvmrt_libvirt_destroy (fixture->domain, NULL);
      gvir_domain_delete (fixture->domain, 0, NULL);
      g_clear_object (&fixture->domain);
    }
  g_clear_object (&fixture->vm);
  g_clear_object (&fixture->manager);
  if (fixture->dir != NULL)
    {
      kvmrt_gui_test_remove_tree (fixture->dir);
      g_clear_pointer (&fixture->dir, g_free);
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fixture, fixture_tear_down)

static const char *
fixture_sysroot (void)
{
  const char *hosts = g_getenv ("KVMRT_TEST_HOSTS_DIR");
  static char *sysroot;

  if (hosts == NULL)
    return "/";
  if (sysroot == NULL)
    sysroot = g_build_filename (hosts, "m12swa-tf", NULL);
  return sysroot;
}

/* The test driver ------------------------------------------------------------------------ */

static void
test_test_driver (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autoptr(GError) error = NULL;
  KvmrtConsoleWindow *window;

  fixture_set_up (&fixture, "test:///default", fixture_sysroot ());
  window = open_window (&fixture);
  g_assert_cmpstr (subtitle (window), ==, "Waiting for " VM_TITLE " to start…");
  g_assert_cmpstr (page (window), ==, "status");
  g_assert_cmpstr (page_title (window), ==, VM_TITLE " Is Not Running");
  kvmrt_gui_test_screenshot (GTK_WIDGET (window), "console-waiting");

  /* It tries when the VM starts, and says why that cannot work here. */
  g_assert_true (kvmrt_libvirt_start (fixture.domain, &error));
  g_assert_no_error (error);
  assert_eventually (window, subtitle_starts_with, "Disconnected: no serial console", 10);
  g_assert_cmpstr (page (window), ==, "status");
  g_assert_cmpstr (page_title (window), ==, "No Serial Console");
  kvmrt_gui_test_screenshot (GTK_WIDGET (window), "console-unsupported");

  /* Without virt-viewer the graphical console names the package to install. */
  if (g_find_program_in_path ("virt-viewer") == NULL)
    {
      g_assert_false (kvmrt_open_graphical_console (fixture.manager, fixture.vm, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message, "virt-viewer"));
      g_clear_error (&error);
      /* The header's button shows that as a toast. */
      gtk_widget_activate_action (GTK_WIDGET (window), "console.graphical", NULL);
      kvmrt_gui_test_screenshot (GTK_WIDGET (window), "console-no-virt-viewer");
    }
  close_window (window);
}

/* A real libvirtd ------------------------------------------------------------------------ */

static void
test_libvirtd (void)
{
  g_auto(Fixture) fixture = { 0 };
  g_autoptr(GError) error = NULL;
  KvmrtConsoleWindow *window, *second;

  if (!kvmrt_gui_test_libvirtd_answers ())
    {
      g_test_skip ("needs root, qemu-system-x86_64 and a libvirtd answering at "
                   "qemu:///system");
      return;
    }
  step ("start");
  fixture_set_up (&fixture, "qemu:///system", fixture_sysroot ());
  /* Defining a domain can take this libvirtd tens of seconds (it probes QEMU again). */
  step ("manager on qemu:///system, VM defined");

  window = open_window (&fixture);
  g_assert_cmpstr (subtitle (window), ==, "Waiting for " VM_TITLE " to start…");

  /* Started outside the window: it connects by itself and shows what the guest prints. */
  step ("window open");
  g_assert_true (kvmrt_libvirt_start (fixture.domain, &error));
  g_assert_no_error (error);
  step ("VM started");
  assert_eventually (window, subtitle_starts_with, "Connected", 20);
  g_assert_cmpstr (page (window), ==, "terminal");
  step ("console connected");
  assert_eventually (window, terminal_contains, "kvmrt echo guest", 30);
  step ("guest output shown");

  /* What is typed reaches the guest, which answers. */
  vte_terminal_feed_child (terminal (window), "hello, console\r", -1);
  assert_eventually (window, terminal_contains, "HELLO, CONSOLE", 20);
  step ("typed text echoed by the guest");
  kvmrt_gui_test_screenshot (GTK_WIDGET (window), "console-connected");

  /* A second window finds the console held, and takes it over. */
  second = open_window (&fixture);
  g_assert_cmpstr (subtitle (second), ==, "Disconnected: the console is in use");
  g_assert_cmpstr (page_title (second), ==, "Console in Use");
  kvmrt_gui_test_screenshot (GTK_WIDGET (second), "console-in-use");
  gtk_widget_activate_action (GTK_WIDGET (second), "console.reconnect", NULL);
  g_assert_cmpstr (subtitle (second), ==, "Connected");
  assert_eventually (window, subtitle_starts_with, "Disconnected: the console was closed", 20);
  g_assert_cmpstr (page_title (window), ==, "Console Closed");
  vte_terminal_feed_child (terminal (second), "second\r", -1);
  assert_eventually (second, terminal_contains, "SECOND", 20);
  close_window (second);
  step ("second window took the console over");

  /* Reconnect takes it back. */
  gtk_widget_activate_action (GTK_WIDGET (window), "console.reconnect", NULL);
  g_assert_cmpstr (subtitle (window), ==, "Connected");
  vte_terminal_feed_child (terminal (window), "back\r", -1);
  assert_eventually (window, terminal_contains, "BACK", 20);

  /* Powered off: EOF on the stream; the window waits for the next start. */
  g_assert_true (kvmrt_libvirt_destroy (fixture.domain, &error));
  g_assert_no_error (error);
  assert_eventually (window, subtitle_starts_with,
                     "Disconnected: " VM_TITLE " stopped. Waiting for it to start…", 20);
  g_assert_cmpstr (page (window), ==, "terminal");
  step ("VM destroyed, window disconnected");
  kvmrt_gui_test_screenshot (GTK_WIDGET (window), "console-disconnected");

  g_assert_true (kvmrt_libvirt_start (fixture.domain, &error));
  g_assert_no_error (error);
  assert_eventually (window, subtitle_starts_with, "Connected", 20);
  vte_terminal_feed_child (terminal (window), "again\r", -1);
  assert_eventually (window, terminal_contains, "AGAIN", 20);
  step ("VM started again, console connected again");
  close_window (window);
}

int
main (int argc, char *argv[])
{
  if (!kvmrt_gui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/console/test-driver", test_test_driver);
  g_test_add_func ("/console/libvirtd", test_libvirtd);
  return g_test_run ();
}
