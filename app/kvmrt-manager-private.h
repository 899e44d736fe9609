/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Between KvmrtManager (GUI thread) and its operations (worker threads). */
#pragma once

#include "kvmrt-manager.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_OPERATION_BOOT,
  KVMRT_OPERATION_SHUTDOWN,
  KVMRT_OPERATION_RETUNE,
  KVMRT_OPERATION_RESYNC,
  KVMRT_OPERATION_APPLY,
  KVMRT_OPERATION_RELEASE,    /* the tuning held for VMs that no longer run */
} KvmrtOperationKind;

/* What a worker thread needs, with its own references: the GUI thread may replace the loaded
 * configuration while it runs. */
typedef struct {
  KvmrtOperationKind kind;
  char          *sysroot;
  char          *uri;
  char          *config_path;
  KvmrtHost     *host;
  KvmrtLibvirt  *libvirt;
  KvmrtConfig   *config;     /* the loaded one, or the edited one to apply */
  KvmrtPlan     *plan;       /* made in the thread */
  char          *uuid;       /* the VM, or NULL for every enabled VM */
  gboolean       force;
  guint          timeout_s;
  gboolean       privileged; /* through pkexec of the CLI tools */
  GBytes        *on_disk;    /* apply: the file as loaded, NULL for a new file */
  const char    *input;      /* standard input of the pkexec'd tool (apply's text), or NULL */
  KvmrtHost     *new_host;   /* set when tuning changed the host */
  GPtrArray     *problems;   /* char*: what was refused while the operation succeeded */
} KvmrtOperation;

void kvmrt_operation_free   (KvmrtOperation *op);
/* GTaskThreadFunc: returns the message (char*) or an error. */
void kvmrt_operation_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable);
/* Where the CLI tools are: beside this program's build directory, else the installed ones. */
char *kvmrt_find_cli_tool   (const char *name);

G_END_DECLS
