/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtManager: what one kvmrt window manages. The host (below a sysroot), the libvirt
 * connection, the loaded configuration and its plan, the live status of every configured
 * VM (followed through libvirt's lifecycle events and a periodic tuning check), and the
 * operations on them: boot, shut down, force off, retune, resync, apply an edited
 * configuration. Operations run in worker threads; the GUI thread only gets their results.
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
 * unreachable libvirt is not an error here: get_libvirt() is NULL and get_libvirt_error()
 * says why, so the window can show it. */
KvmrtManager *kvmrt_manager_new             (const char *sysroot,
                                             const char *uri,
                                             GError    **error);
const char   *kvmrt_manager_get_sysroot     (KvmrtManager *self);
const char   *kvmrt_manager_get_uri         (KvmrtManager *self);
KvmrtHost    *kvmrt_manager_get_host        (KvmrtManager *self);
/* The host name shown in the header bar. */
const char   *kvmrt_manager_get_host_title  (KvmrtManager *self);
KvmrtLibvirt *kvmrt_manager_get_libvirt     (KvmrtManager *self);
const GError *kvmrt_manager_get_libvirt_error (KvmrtManager *self);
/* TRUE when operations must go through pkexec of the CLI tools. */
gboolean      kvmrt_manager_needs_privileges (KvmrtManager *self);

/* The loaded configuration, or NULL (the window then shows its welcome page). */
KvmrtConfig  *kvmrt_manager_get_config      (KvmrtManager *self);
const char   *kvmrt_manager_get_config_path (KvmrtManager *self);
KvmrtPlan    *kvmrt_manager_get_plan        (KvmrtManager *self);
gboolean      kvmrt_manager_open_config     (KvmrtManager *self,
                                             const char   *path,
                                             GError      **error);
/* Makes an empty configuration for @path without writing it yet (it is written on Apply). */
void          kvmrt_manager_new_config      (KvmrtManager *self, const char *path);
/* TRUE while the loaded configuration exists only in memory (new, never applied). */
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

/* The live status of a configured VM; NULL for a VM not in the loaded configuration. */
const KvmrtVmStatus *kvmrt_manager_get_status (KvmrtManager *self, KvmrtVm *vm);
/* Titles (or journal names) of the VMs whose real-time tuning the host still holds although
 * they are not running; NULL or empty when there are none. */
GPtrArray    *kvmrt_manager_get_held_tuning (KvmrtManager *self);
/* A running VM's CPU usage in percent of its vCPUs, sampled every 2 s off the GUI thread;
 * < 0 while unknown. */
double        kvmrt_manager_get_cpu_usage   (KvmrtManager *self, KvmrtVm *vm);
/* Reads every VM's status again now (also done on libvirt events and every 2 s). */
void          kvmrt_manager_refresh         (KvmrtManager *self);

/* Operations. Each _finish returns TRUE when the VM ended as asked; @message (may be NULL)
 * gets the one line a user reads ("started; tuned for real time (12 changes)"), with the
 * host's refusals on further lines. */
void          kvmrt_manager_boot_async      (KvmrtManager        *self,
                                             KvmrtVm             *vm,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Asks the guest to shut down and waits up to @timeout_s; then powers it off when @force
 * (timeout 0 with force is Force Off). Releases its tuning once it is off. */
void          kvmrt_manager_shutdown_async  (KvmrtManager        *self,
                                             KvmrtVm             *vm,
                                             gboolean             force,
                                             guint                timeout_s,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void          kvmrt_manager_retune_async    (KvmrtManager        *self,
                                             KvmrtVm             *vm,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Gives back the host settings held for VMs that no longer run. */
void          kvmrt_manager_release_held_async (KvmrtManager        *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* Writes every enabled VM of the loaded configuration into libvirt. */
void          kvmrt_manager_resync_async    (KvmrtManager        *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      kvmrt_manager_operation_finish (KvmrtManager  *self,
                                              GAsyncResult  *result,
                                              char         **message,
                                              GError       **error);

/* What an operation that succeeded had refused along the way (at Apply: the VMs libvirt
 * would not take, "NAME: why"), or NULL when nothing was. Valid as long as @result. */
GPtrArray    *kvmrt_manager_operation_get_problems (GAsyncResult *result);

/* Apply: validates @edited (errors refuse it), writes it atomically over the loaded file
 * (refused while another program holds the file, or when the file changed on disk since it
 * was loaded), loads it as the configuration, then writes its enabled VMs into libvirt.
 * @renames maps old VM names to new ones for the VMs whose name changed. */
void          kvmrt_manager_apply_async     (KvmrtManager        *self,
                                             KvmrtConfig         *edited,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      kvmrt_manager_apply_finish    (KvmrtManager  *self,
                                             GAsyncResult  *result,
                                             char         **message,
                                             GError       **error);

/* Signals:
 *   "config-changed" ()           a configuration was opened, closed or replaced (Apply)
 *   "status-changed" (KvmrtVm *)  that VM's status changed (state, tuning, drift)
 *   "libvirt-changed" ()          libvirt domains were defined or undefined
 *   "held-tuning-changed" ()      get_held_tuning() changed
 *   "usage-changed" ()            new CPU usage figures */

G_END_DECLS
