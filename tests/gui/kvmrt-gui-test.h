/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the GUI's C tests share: the display check, the main loop, PNG screenshots, copies
 * of the demo host and configuration, widget look-ups, and the configuration dialog's
 * fixture. Each function fails the test (g_assert) when its own step fails. */
#pragma once

#include <adwaita.h>
#include <kvmrt.h>

#include "kvmrt-config-dialog.h"
#include "kvmrt-manager.h"

G_BEGIN_DECLS

/* A condition the main loop is run until. */
typedef gboolean (*KvmrtGuiTestCondition) (gpointer data);
/* Whether @widget is the one looked for (@data says which). */
typedef gboolean (*KvmrtGuiTestMatch) (GtkWidget *widget, gconstpointer data);

/* The configuration dialog on a temporary copy of a host and a configuration. */
typedef struct {
  char              *dir;            /* temporary: host copy, config copy, ... */
  char              *sysroot;        /* DIR/host */
  char              *config_path;    /* DIR/kvmrt.cfg */
  char              *uri;
  KvmrtManager      *manager;
  KvmrtConfigDialog *dialog;
  guint              n_applied;
  gboolean           last_applied_ok;
} KvmrtGuiTestDialogFixture;

/* Set-up ------------------------------------------------------------------------------- */

/* Starts GTest, GTK, libadwaita, libvirt-glib events; FALSE (TAP skip printed) if no display. */
gboolean      kvmrt_gui_test_init              (int    *argc,
                                                char ***argv);
/* Adds the application's icons and style sheet (from its resources) to the display. */
void          kvmrt_gui_test_load_app_style    (void);

/* The main loop ------------------------------------------------------------------------ */

/* Runs the main loop until @condition holds or @timeout_ms pass; returns the condition. */
gboolean      kvmrt_gui_test_wait_for          (KvmrtGuiTestCondition condition,
                                                gpointer              data,
                                                guint                 timeout_ms);
/* Runs the main loop for @ms milliseconds. */
void          kvmrt_gui_test_spin              (guint ms);
/* Sorts @values (doubles) and returns their median: the benchmarks' figure. */
double        kvmrt_gui_test_median            (GArray *values);
/* A GAsyncReadyCallback that stores a reference to the result in *@user_data (GAsyncResult **). */
void          kvmrt_gui_test_store_result_cb   (GObject      *source,
                                                GAsyncResult *result,
                                                gpointer      user_data);
/* Runs the main loop until *@result is set (fails after @timeout_ms); returns it. */
GAsyncResult *kvmrt_gui_test_wait_result       (GAsyncResult **result,
                                                guint          timeout_ms);

/* Files -------------------------------------------------------------------------------- */

/* Runs @argv (searched on PATH) and fails unless it exits with status 0. */
void          kvmrt_gui_test_run               (const char * const *argv);
/* A new temporary directory named after @tmpl (ending in XXXXXX). */
char         *kvmrt_gui_test_make_tmp_dir      (const char *tmpl);
/* Removes @dir and everything below it, staying on its file system. */
void          kvmrt_gui_test_remove_tree       (const char *dir);
/* The path of @name in the source tree's data/demo/ (from G_TEST_SRCDIR). */
char         *kvmrt_gui_test_demo_path         (const char *name);
/* The URI of libvirt's test driver on the demo's node (data/demo/libvirt-node.xml). */
char         *kvmrt_gui_test_demo_uri          (void);
/* The generated M12SWA-TF fixture host (from KVMRT_TEST_HOSTS_DIR). */
char         *kvmrt_gui_test_host_path         (void);
/* Copies the M12SWA-TF host to @dir/host (cp -a); returns that path. */
char         *kvmrt_gui_test_copy_host         (const char *dir);
/* Copies the file @source to @dir/@name; returns the copy's path. */
char         *kvmrt_gui_test_copy_file         (const char *source,
                                                const char *dir,
                                                const char *name);

/* libvirt and the manager -------------------------------------------------------------- */

/* Whether a real libvirtd answers at qemu:///system and may run QEMU (root only). */
gboolean      kvmrt_gui_test_libvirtd_answers  (void);
/* Writes the echo guest to @dir/echo-guest.bin and returns its path: a 166-byte multiboot
 * "kernel" for a TCG domain that prints a line on COM1, echoes what it reads there in
 * capitals, and ignores ACPI shutdown requests. */
char         *kvmrt_gui_test_write_echo_guest  (const char *dir);
/* A manager on @sysroot and @uri with @config open; its libvirt connection must be up. */
KvmrtManager *kvmrt_gui_test_open_manager      (const char *sysroot,
                                                const char *uri,
                                                const char *config);
/* The libvirt XML of the domain @uuid that @manager's connection knows. */
char         *kvmrt_gui_test_domain_xml        (KvmrtManager *manager,
                                                const char   *uuid);
/* The PCI address written as @text (it must parse). */
KvmrtPciAddress kvmrt_gui_test_pci_address     (const char *text);
/* Whether @vm's PCI devices include the one at @address. */
gboolean      kvmrt_gui_test_vm_has_device     (KvmrtVm    *vm,
                                                const char *address);

/* Widgets ------------------------------------------------------------------------------ */

/* Saves @widget as NAME.png in KVMRT_SCREENSHOT_DIR (else G_TEST_BUILDDIR; else nothing). */
void          kvmrt_gui_test_screenshot        (GtkWidget  *widget,
                                                const char *name);
/* Presents @window and runs the main loop until it is mapped and laid out. */
void          kvmrt_gui_test_present           (GtkWindow *window);
/* The first widget at or below @root (depth first) that @match accepts, or NULL. */
GtkWidget    *kvmrt_gui_test_find              (GtkWidget         *root,
                                                KvmrtGuiTestMatch  match,
                                                gconstpointer      data);
/* The first widget at or below @root of @type, or NULL. */
GtkWidget    *kvmrt_gui_test_find_type         (GtkWidget *root,
                                                GType      type);
/* The first AdwPreferencesRow at or below @root titled @title, or NULL. */
GtkWidget    *kvmrt_gui_test_find_row          (GtkWidget  *root,
                                                const char *title);
/* The newest visible toplevel window of @type, or NULL. */
GtkWindow    *kvmrt_gui_test_find_toplevel     (GType type);
/* Destroys every visible AdwMessageDialog. */
void          kvmrt_gui_test_close_message_dialogs (void);

/* The configuration dialog's fixture --------------------------------------------------- */

/* Fills @f's dir (from @tmpl), sysroot (a host copy) and config_path (a copy of @config). */
void          kvmrt_gui_test_dialog_copy_files (KvmrtGuiTestDialogFixture *f,
                                                const char                *tmpl,
                                                const char                *config);
/* Opens @f's manager and its dialog (@width x @height unless 0), counting "applied". */
void          kvmrt_gui_test_dialog_open       (KvmrtGuiTestDialogFixture *f,
                                                int                        width,
                                                int                        height);
/* GTest tear-down: closes the dialog and its message dialogs, drops the manager and the files. */
void          kvmrt_gui_test_dialog_tear_down  (KvmrtGuiTestDialogFixture *f,
                                                gconstpointer              data);
/* Presses Apply (it must be sensitive) and waits up to 30 s for its result. */
gboolean      kvmrt_gui_test_dialog_apply      (KvmrtGuiTestDialogFixture *f);
/* The VM @uuid of the dialog's working copy (it must be there). */
KvmrtVm      *kvmrt_gui_test_working_vm        (KvmrtGuiTestDialogFixture *f,
                                                const char                *uuid);

G_END_DECLS
