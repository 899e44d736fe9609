/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtManager: what one kvmrt window manages. The host (below a sysroot), the libvirt
 * connection, the loaded configuration and its plan (properties with notify), the live
 * status of every configured VM (followed through libvirt's lifecycle events and a periodic
 * tuning check, read in a worker thread), and the operations on them: boot (one VM or a
 * set), shut down (likewise), force off, retune, release held tuning, resync, apply an
 * edited configuration. Each operation is an _async/_finish pair run in a worker thread over
 * the core's whole-VM operations; the GUI thread only words and shows their results.
 *
 * When the desktop user may not change the host itself (not root, real host), operations that
 * tune the host or write a root-owned configuration run the CLI tools through pkexec. */
#pragma once

#include <gio/gio.h>

#include "kvmrt.h"
#include "kvmrt-libvirt.h"
#include "kvmrt-vm-status.h"

G_BEGIN_DECLS

#define KVMRT_MANAGER_ERROR (kvmrt_manager_error_quark ())
typedef enum {
  KVMRT_MANAGER_ERROR_NO_CONFIG,      /* no configuration is loaded */
  KVMRT_MANAGER_ERROR_NO_LIBVIRT,     /* libvirt could not be reached (the message says why) */
  KVMRT_MANAGER_ERROR_INVALID,        /* the configuration has validation errors */
  KVMRT_MANAGER_ERROR_HELD,           /* another program holds the configuration file */
  KVMRT_MANAGER_ERROR_CHANGED,        /* the file changed on disk since it was loaded */
  KVMRT_MANAGER_ERROR_FAILED,
} KvmrtManagerError;
GQuark kvmrt_manager_error_quark (void);

#define KVMRT_TYPE_MANAGER (kvmrt_manager_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtManager, kvmrt_manager, KVMRT, MANAGER, GObject)

/* Reads the host below @sysroot (NULL: "/") and connects to @uri (NULL: the default). An
 * unreachable libvirt is not an error here: get_libvirt() is NULL, get_connected() FALSE and
 * get_libvirt_error() says why, so the window can show it. */
KvmrtManager *kvmrt_manager_new             (const char *sysroot,
                                             const char *uri,
                                             GError    **error);
const char   *kvmrt_manager_get_sysroot     (KvmrtManager *self);
const char   *kvmrt_manager_get_uri         (KvmrtManager *self);
/* The host as it is now ("host": replaced when tuning took CPUs offline or back online). */
KvmrtHost    *kvmrt_manager_get_host        (KvmrtManager *self);
/* The host name shown in the header bar. */
const char   *kvmrt_manager_get_host_title  (KvmrtManager *self);
/* The connection ("libvirt"), NULL when libvirt could not be reached. */
KvmrtLibvirt *kvmrt_manager_get_libvirt     (KvmrtManager *self);
/* "connected": TRUE while operations can reach libvirt; FALSE when it could not be reached
 * or closed the connection since, and then "libvirt-error" says why. */
gboolean      kvmrt_manager_get_connected   (KvmrtManager *self);
const GError *kvmrt_manager_get_libvirt_error (KvmrtManager *self);
/* TRUE when operations must go through pkexec of the CLI tools. */
gboolean      kvmrt_manager_needs_privileges (KvmrtManager *self);

/* The loaded configuration ("config"), or NULL (the window then shows its welcome page).
 * "config" is notified whenever one is opened, closed or replaced (by Apply, or by what
 * another program wrote to the file), even by a new load of the same file. */
KvmrtConfig  *kvmrt_manager_get_config      (KvmrtManager *self);
/* "config-path" */
const char   *kvmrt_manager_get_config_path (KvmrtManager *self);
KvmrtPlan    *kvmrt_manager_get_plan        (KvmrtManager *self);
gboolean      kvmrt_manager_open_config     (KvmrtManager *self,
                                             const char   *path,
                                             GError      **error);
/* The same, reading every VM's status in the calling thread before it returns, so the first
 * frame shows them. Only for a thread that is not the GUI's, on a manager no window shows
 * yet (the start-up prefetch); everywhere else statuses are read in worker threads. */
gboolean      kvmrt_manager_open_config_and_gather (KvmrtManager *self,
                                                    const char   *path,
                                                    GError      **error);
/* Makes an empty configuration for @path without writing it yet (it is written on Apply). */
void          kvmrt_manager_new_config      (KvmrtManager *self, const char *path);
/* "config-unsaved": TRUE while the loaded configuration exists only in memory (new, never
 * applied). */
gboolean      kvmrt_manager_get_config_unsaved (KvmrtManager *self);
void          kvmrt_manager_close_config    (KvmrtManager *self);
/* A configuration dialog is open on the loaded configuration: while one is, the file is held
 * (other programs may read it but not save it) and changes on disk are not reloaded. Without
 * one, what other programs write to the file is loaded at once. */
void          kvmrt_manager_begin_edit      (KvmrtManager *self);
void          kvmrt_manager_end_edit        (KvmrtManager *self);
/* Writes the loaded configuration to @path and loads that copy. */
gboolean      kvmrt_manager_clone_config    (KvmrtManager *self,
                                             const char   *path,
                                             GError      **error);

/* The validator's findings for @plan (of the loaded configuration when NULL), with the
 * libvirt checks when connected. Elements are KvmrtDiagnostic*. */
GPtrArray    *kvmrt_manager_validate        (KvmrtManager *self, KvmrtPlan *plan);

/* The live status of a configured VM; NULL for a VM not in the loaded configuration, and
 * until the first reading after a configuration was loaded is in. Statuses are read in a
 * worker thread (libvirt, proc/, the tuning journal), never in the GUI thread. */
const KvmrtVmStatus *kvmrt_manager_get_status (KvmrtManager *self, KvmrtVm *vm);
/* Reads @vm's status now, with @flags (KVMRT_VM_STATUS_THREADS: its QEMU threads too), in a
 * worker thread: the runtime details window's reading. */
void          kvmrt_manager_read_status_async  (KvmrtManager        *self,
                                                KvmrtVm             *vm,
                                                KvmrtVmStatusFlags   flags,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* The status read (valid as long as @result), or NULL with @error set when @vm is not in the
 * loaded configuration. A failure to read the threads is in @threads_error (may be NULL)
 * while the rest of the status stays valid. */
const KvmrtVmStatus *kvmrt_manager_read_status_finish (KvmrtManager  *self,
                                                       GAsyncResult  *result,
                                                       GError       **threads_error,
                                                       GError       **error);
/* Titles (or journal names) of the VMs whose real-time tuning the host still holds although
 * they are not running; NULL or empty when there are none. */
GPtrArray    *kvmrt_manager_get_held_tuning (KvmrtManager *self);
/* How many host settings the tuning journal holds for no VM at all (an earlier release the
 * host refused in part); Release Tuning tries them again. */
guint         kvmrt_manager_get_held_leftovers (KvmrtManager *self);
/* A running VM's CPU usage in percent of its vCPUs, sampled every 2 s off the GUI thread;
 * < 0 while unknown. */
double        kvmrt_manager_get_cpu_usage   (KvmrtManager *self, KvmrtVm *vm);
/* Reads every VM's status again in a worker (also done on libvirt events and every 2 s);
 * "status-changed" follows for each VM whose status a user would see change. Returns at
 * once. */
void          kvmrt_manager_refresh         (KvmrtManager *self);

/* Operations: one _async/_finish pair each, run in a worker thread. Each _finish returns
 * TRUE when the VM ended as asked; @message (may be NULL) gets the one line a user reads
 * ("started; tuned for real time (12 changes)"), with the host's refusals on further lines.
 *
 * @cancellable is looked at between the operation's steps; a cancelled operation fails
 * with G_IO_ERROR_CANCELLED and a message that says what it had done before it stopped.
 * A step under way is finished, never cut short: a tool run through pkexec, the start and
 * tuning of a VM, a file written (Apply then syncs it), the tuning given back for a VM that
 * is off. */
void          kvmrt_manager_boot_async      (KvmrtManager        *self,
                                             KvmrtVm             *vm,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      kvmrt_manager_boot_finish     (KvmrtManager  *self,
                                             GAsyncResult  *result,
                                             char         **message,
                                             GError       **error);
/* What an operation on a set of VMs did to one of them. */
typedef struct {
  char     *uuid;
  gboolean  ok;       /* the VM ended as asked */
  char     *message;  /* the line a user reads, as for a single VM */
} KvmrtVmReport;

void          kvmrt_vm_report_free          (KvmrtVmReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtVmReport, kvmrt_vm_report_free)

/* Boot All: boots @vms (KvmrtVm* of the loaded configuration) as one set, the core's boot
 * set: in parallel, or with @clean one after the other on a host where no configured VM
 * runs, the first failure stopping the rest. */
void          kvmrt_manager_boot_set_async  (KvmrtManager        *self,
                                             GPtrArray           *vms,
                                             gboolean             clean,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* A KvmrtVmReport* per VM of the set, in its order (empty when the CLI tool ran through
 * pkexec: its output is in @message). @message (may be NULL) gets what concerns the whole
 * set (the VMs libvirt would not take, one a line), or NULL. NULL with @error when the set
 * was refused as a whole (errors in the configuration; a clean boot while VMs run, or whose
 * sync failed). */
GPtrArray    *kvmrt_manager_boot_set_finish (KvmrtManager  *self,
                                             GAsyncResult  *result,
                                             char         **message,
                                             GError       **error);
/* Asks the guest to shut down and waits up to @timeout_s; then powers it off when @force
 * (timeout 0 with force is Force Off). Releases its tuning once it is off. Cancelled while
 * waiting, the guest has been asked and the VM is left running. */
void          kvmrt_manager_shutdown_async  (KvmrtManager        *self,
                                             KvmrtVm             *vm,
                                             gboolean             force,
                                             guint                timeout_s,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      kvmrt_manager_shutdown_finish (KvmrtManager  *self,
                                             GAsyncResult  *result,
                                             char         **message,
                                             GError       **error);
/* Shut Down All: the same for @vms (KvmrtVm* of the loaded configuration; NULL: every
 * configured VM that runs), all at once, the core's shutdown set. */
void          kvmrt_manager_shutdown_set_async  (KvmrtManager        *self,
                                                 GPtrArray           *vms,
                                                 gboolean             force,
                                                 guint                timeout_s,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
/* A KvmrtVmReport* per VM shut down (and per VM of @vms that did not run), as
 * kvmrt_manager_boot_set_finish() has them; @message gets the pkexec'd tool's output. */
GPtrArray    *kvmrt_manager_shutdown_set_finish (KvmrtManager  *self,
                                                 GAsyncResult  *result,
                                                 char         **message,
                                                 GError       **error);
void          kvmrt_manager_retune_async    (KvmrtManager        *self,
                                             KvmrtVm             *vm,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      kvmrt_manager_retune_finish   (KvmrtManager  *self,
                                             GAsyncResult  *result,
                                             char         **message,
                                             GError       **error);
/* Gives back the host settings held for VMs that no longer run. */
void          kvmrt_manager_release_held_async  (KvmrtManager        *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean      kvmrt_manager_release_held_finish (KvmrtManager  *self,
                                                 GAsyncResult  *result,
                                                 char         **message,
                                                 GError       **error);
/* Writes every enabled VM of the loaded configuration into libvirt. */
void          kvmrt_manager_resync_async    (KvmrtManager        *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      kvmrt_manager_resync_finish   (KvmrtManager  *self,
                                             GAsyncResult  *result,
                                             char         **message,
                                             GError       **error);

/* Apply: validates @edited (errors refuse it), writes a copy of it atomically over the
 * loaded file (refused while another program holds the file, or when the file changed on
 * disk since it was loaded), loads that copy as the configuration ("config" is notified),
 * then writes its enabled VMs into libvirt. A VM renamed in @edited is renamed in libvirt by
 * the sync, which finds its domain by UUID. */
void          kvmrt_manager_apply_async     (KvmrtManager        *self,
                                             KvmrtConfig         *edited,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      kvmrt_manager_apply_finish    (KvmrtManager  *self,
                                             GAsyncResult  *result,
                                             char         **message,
                                             GError       **error);
/* What an Apply that succeeded had refused along the way (the VMs libvirt would not take,
 * "NAME: why"), or NULL when nothing was. Valid as long as @result. */
GPtrArray    *kvmrt_manager_operation_get_problems (GAsyncResult *result);

/* Signals (besides the properties' notify):
 *   "config-changed" ()           the same moments as notify::config, after it (kept for
 *                                 the configuration dialog and the Tools viewers, which
 *                                 connect to it)
 *   "status-changed" (KvmrtVm *)  that VM's status changed (state, tuning, drift)
 *   "libvirt-changed" ()          libvirt domains were defined or undefined
 *   "held-tuning-changed" ()      get_held_tuning() or get_held_leftovers() changed
 *   "usage-changed" ()            new CPU usage figures */

G_END_DECLS
