/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Between KvmrtManager (GUI thread) and what it runs in worker threads: the operations
 * (kvmrt-manager-operation.c) and the gathering of live status (kvmrt-manager-status.c).
 * Each worker gets its own references: the GUI thread may replace the loaded configuration,
 * its plan or the host while one runs. */
#pragma once

#include "kvmrt-manager.h"

G_BEGIN_DECLS

/* The loaded configuration with its plan, shared (reference counted, g_atomic_rc_box) with
 * the status worker: a reload while it reads the plan frees neither. */
typedef struct {
  KvmrtConfig *config;
  KvmrtPlan   *plan;
} KvmrtManagerPlan;

KvmrtManagerPlan *kvmrt_manager_plan_new   (KvmrtConfig *config, KvmrtHost *host);
KvmrtManagerPlan *kvmrt_manager_plan_ref   (KvmrtManagerPlan *plan);
void              kvmrt_manager_plan_unref (KvmrtManagerPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtManagerPlan, kvmrt_manager_plan_unref)

/* Operations ------------------------------------------------------------------------------ */

/* What every operation works on. The first member of each operation's task data. */
typedef struct {
  char          *sysroot;
  char          *uri;
  char          *config_path;
  KvmrtHost     *host;
  KvmrtLibvirt  *libvirt;
  KvmrtConfig   *config;     /* the loaded one, or a copy of the edited one to apply */
  gboolean       privileged; /* through pkexec of the CLI tools */
  gboolean       host_changes; /* tuning may change the host: read it again at the end */
  KvmrtHost     *new_host;   /* the host read again after the operation, or NULL */
} KvmrtOperation;

/* Boot, Retune: one VM. */
typedef struct {
  KvmrtOperation op;
  char          *uuid;
} KvmrtVmOperation;

/* Boot All. */
typedef struct {
  KvmrtOperation op;
  GPtrArray     *uuids;      /* char*: the set, in order */
  gboolean       clean;
  GPtrArray     *reports;    /* KvmrtVmReport*: out */
} KvmrtBootSetOperation;

/* Shut Down, Force Off (a set of one), Shut Down All. */
typedef struct {
  KvmrtOperation op;
  GPtrArray     *uuids;      /* char*: the set; NULL: every configured VM that runs */
  gboolean       force;      /* power off when the guest has not shut down in time */
  guint          timeout_s;  /* 0 with force: power off at once */
  GPtrArray     *reports;    /* KvmrtVmReport*: out */
} KvmrtShutdownOperation;

/* Apply an edited configuration. */
typedef struct {
  KvmrtOperation op;
  GBytes        *on_disk;    /* the file as loaded, NULL for a new file */
  GPtrArray     *problems;   /* char*: VMs libvirt refused while the file was written */
} KvmrtApplyOperation;

void kvmrt_operation_clear           (KvmrtOperation *op);
void kvmrt_operation_free            (KvmrtOperation *op);
void kvmrt_vm_operation_free         (KvmrtVmOperation *data);
void kvmrt_shutdown_operation_free   (KvmrtShutdownOperation *data);
void kvmrt_boot_set_operation_free   (KvmrtBootSetOperation *data);
void kvmrt_apply_operation_free      (KvmrtApplyOperation *data);
/* The operations' GTaskThreadFuncs (each returns the message, char*, or an error; a
 * cancelled one G_IO_ERROR_CANCELLED saying what was done before it stopped). Their task
 * data is the struct above whose name they carry (release and resync: a KvmrtOperation). */
void kvmrt_boot_thread               (GTask *task, gpointer source, gpointer data,
                                      GCancellable *cancellable);
void kvmrt_boot_set_thread           (GTask *task, gpointer source, gpointer data,
                                      GCancellable *cancellable);
void kvmrt_retune_thread             (GTask *task, gpointer source, gpointer data,
                                      GCancellable *cancellable);
void kvmrt_shutdown_thread           (GTask *task, gpointer source, gpointer data,
                                      GCancellable *cancellable);
void kvmrt_shutdown_set_thread       (GTask *task, gpointer source, gpointer data,
                                      GCancellable *cancellable);
void kvmrt_release_held_thread       (GTask *task, gpointer source, gpointer data,
                                      GCancellable *cancellable);
void kvmrt_resync_thread             (GTask *task, gpointer source, gpointer data,
                                      GCancellable *cancellable);
void kvmrt_apply_thread              (GTask *task, gpointer source, gpointer data,
                                      GCancellable *cancellable);

/* Live status ----------------------------------------------------------------------------- */

/* One reading of every configured VM's status and of the tuning held for VMs that do not
 * run, made in a worker thread. */
typedef struct {
  char             *sysroot;
  KvmrtHost        *host;
  KvmrtLibvirt     *libvirt;   /* NULL without libvirt */
  KvmrtManagerPlan *plan;      /* NULL without a configuration */
  gboolean          read_held; /* FALSE while an operation runs: a VM may be between its
                                * start and its tuning */
  GPtrArray        *statuses;  /* KvmrtVmStatus*, one per VM of the plan, in its order */
  GPtrArray        *held;      /* char*: titles (else journal names); NULL when not read */
  guint             held_leftovers; /* host settings the journal holds for no VM */
} KvmrtStatusReading;

void kvmrt_status_reading_free   (KvmrtStatusReading *reading);
/* Reads everything (blocking: libvirt, proc/, the tuning journal) into @reading. */
void kvmrt_status_reading_gather (KvmrtStatusReading *reading);
/* Two statuses a user would see as the same (the uptime aside). */
gboolean kvmrt_vm_status_same    (const KvmrtVmStatus *a, const KvmrtVmStatus *b);
void     kvmrt_vm_status_free    (KvmrtVmStatus *status);

G_END_DECLS
