/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the tools that talk to libvirt share: the connection, the config + host + plan they
 * all start from, validation that stops the job on errors, and writing a VM into libvirt with
 * the lines that say what changed. */
#pragma once

#include "kvmrt-cli.h"
#include "kvmrt-libvirt.h"
#include "kvmrt-sync.h"

G_BEGIN_DECLS

typedef struct {
  KvmrtConfig  *config;
  KvmrtHost    *host;
  KvmrtLibvirt *libvirt;
  KvmrtPlan    *plan;
} KvmrtCliSession;

/* Connects to cli->connect_uri, or prints why not (what to do) and returns NULL. */
KvmrtLibvirt *kvmrt_cli_open_libvirt     (KvmrtCli *cli);
/* Loads config and host, connects, plans. Prints the reason and returns FALSE on failure;
 * the caller exits KVMRT_EXIT_USAGE. */
gboolean      kvmrt_cli_session_open     (KvmrtCliSession *session, KvmrtCli *cli);
/* The same on a connection the caller holds (kvmrtd's, which follows libvirt's events);
 * @libvirt NULL opens cli->connect_uri. */
gboolean      kvmrt_cli_session_open_on  (KvmrtCliSession *session,
                                          KvmrtCli        *cli,
                                          KvmrtLibvirt    *libvirt);
void          kvmrt_cli_session_clear    (KvmrtCliSession *session);
/* Clears the session and the options; returns @status (the end of a tool's main()). */
int           kvmrt_cli_session_finish   (KvmrtCliSession *session, KvmrtCli *cli, int status);
/* Validates the whole config; prints the findings on stderr when there are errors and
 * returns FALSE then. Warnings alone do not stop a job. */
gboolean      kvmrt_cli_session_validate (KvmrtCliSession *session, KvmrtCli *cli);
/* The plan of one configured VM. */
const KvmrtVmPlan *kvmrt_cli_session_plan (KvmrtCliSession *session, KvmrtVm *vm);
/* Writes @vm's plan into libvirt and prints one line about it when something changed (or on
 * failure, on stderr). */
gboolean      kvmrt_cli_sync_vm          (KvmrtCliSession *session, KvmrtVm *vm, gboolean quiet);
/* Prints what a sync of @vm did (kvmrt_sync_state_word()), or @error on stderr when @state
 * is NULL; "already in sync" only when not @quiet. */
void          kvmrt_cli_print_sync       (KvmrtVm              *vm,
                                          const KvmrtSyncState *state,
                                          const GError         *error,
                                          gboolean              quiet);
/* Errors the validator finds in @config. */
guint         kvmrt_cli_count_errors     (KvmrtConfig *config, KvmrtHost *host);
/* Saves @config (to cli->config_path) after validating the text to be written, read back,
 * unless it has more errors than @errors_before: the rule that nothing makes a configuration
 * worse without being told. Prints the findings; FALSE (after saying why) when nothing was
 * written. With @out_changed, a file another program wrote since it was read is not an error
 * printed but *out_changed set (the caller reads it again and retries). */
gboolean      kvmrt_cli_save_checked     (KvmrtCli    *cli,
                                          KvmrtConfig *config,
                                          KvmrtHost   *host,
                                          guint        errors_before,
                                          gboolean    *out_changed);
/* "cpuset, nr_vcpus" for a mask of 1 << KvmrtVmAttr. */
char         *kvmrt_cli_describe_attrs   (guint attrs);

G_END_DECLS
