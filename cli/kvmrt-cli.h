/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every kvmrt-* tool shares: the common options (-f, -c, --sysroot, --offline, --json,
 * --version), exit codes, and loading the config and host with errors a user can act on. */
#pragma once

#include <kvmrt.h>
#include <stdio.h>

G_BEGIN_DECLS

/* Exit codes of every tool (docs/design.md, "Command line"). */
enum {
  KVMRT_EXIT_OK = 0,
  KVMRT_EXIT_FAILED = 1,   /* the job found errors or failed */
  KVMRT_EXIT_USAGE = 2,    /* bad usage, unreadable input, unreachable libvirt */
};

typedef enum {
  KVMRT_CLI_OPTION_CONFIG  = 1 << 0,   /* -f, --config FILE */
  KVMRT_CLI_OPTION_CONNECT = 1 << 1,   /* -c, --connect URI */
  KVMRT_CLI_OPTION_SYSROOT = 1 << 2,   /* --sysroot DIR */
  KVMRT_CLI_OPTION_OFFLINE = 1 << 3,   /* --offline */
  KVMRT_CLI_OPTION_JSON    = 1 << 4,   /* --json */
  KVMRT_CLI_OPTION_ALL     = 1 << 5,   /* -a, --all: disabled VMs too */
} KvmrtCliOptions;

typedef struct {
  char     *config_path;   /* KVMRT_DEFAULT_CONFIG_PATH unless -f */
  char     *connect_uri;   /* -c, else NULL: kvmrt_libvirt_default_uri() */
  char     *sysroot;       /* --sysroot, else $KVMRT_SYSROOT, else "/" */
  gboolean  offline;
  gboolean  json;
  gboolean  all;
  gboolean  version;
  char    **args;          /* remaining arguments (VM names or UUIDs), NULL-terminated */
  gboolean  for_update;    /* the tool will save the config: load it with its lock kept */
  gboolean  changes_host;  /* the tool changes the host or libvirt from the config */
} KvmrtCli;

/* Parses argv with the common options in @which plus @extra (may be NULL). Prints --help,
 * --version or a usage error itself and exits (0 or KVMRT_EXIT_USAGE) in those cases.
 * @parameter is the positional part of the usage line ("[VM...]"), @summary one sentence. */
void         kvmrt_cli_parse        (KvmrtCli           *cli,
                                     int                *argc,
                                     char             ***argv,
                                     KvmrtCliOptions     which,
                                     const GOptionEntry *extra,
                                     const char         *parameter,
                                     const char         *summary);

/* TRUE when the tool runs through pkexec ($PKEXEC_UID is set): the caller then chose the
 * arguments, not root. kvmrt_cli_parse() then accepts only the system configuration, the
 * system libvirt and the real host (no -f elsewhere, no other -c, no --sysroot). */
gboolean     kvmrt_cli_is_pkexec    (void);

/* As root, whether the config file may drive root's work (kvmrt_config_check_owner()): a
 * tool that writes it or changes the host (cli->for_update, cli->changes_host) refuses a file
 * others could change, printing how to fix it, and returns FALSE; a read-only tool warns. */
gboolean     kvmrt_cli_check_config_owner (KvmrtCli *cli);
/* Loads the config file, or prints why it could not (naming the file and what to do) and
 * returns NULL; the caller exits KVMRT_EXIT_USAGE. Checks the file's owner first (above). */
KvmrtConfig *kvmrt_cli_load_config  (KvmrtCli *cli);
/* The same, but a syntax error is handed back in @syntax_error instead of printed (for
 * kvmrt-validate-config, which reports it as a finding). */
KvmrtConfig *kvmrt_cli_load_config_or_syntax_error (KvmrtCli *cli, GError **syntax_error);
/* Loads the host below the sysroot, or prints why not and returns NULL. */
KvmrtHost   *kvmrt_cli_load_host    (KvmrtCli *cli, KvmrtHostLoadFlags flags);
/* The VMs named in cli->args (all VMs, enabled ones unless --all, when none are named).
 * An unknown name is reported and NULL returned. Elements are borrowed KvmrtVm*. */
GPtrArray   *kvmrt_cli_select_vms   (KvmrtCli *cli, KvmrtConfig *config);

/* Prints findings grouped per VM, then a count line, in one write. */
void         kvmrt_cli_print_diagnostics (GPtrArray  *diagnostics,
                                          const char *config_path,
                                          FILE       *stream);

/* Prints "PROGRAM: message" on stderr. */
void         kvmrt_cli_error        (const char *format, ...) G_GNUC_PRINTF (1, 2);

void         kvmrt_cli_clear        (KvmrtCli *cli);

G_END_DECLS
