/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the host set-up helpers (kvmrt-sriov, kvmrt-vfio-early) share: a root directory for
 * every path they read or write (--root; "/" is this machine), a dry run that says what would
 * change and changes nothing, and files written whole or not at all. Every change is printed
 * as one line, so a run says exactly what it did, and a second run with the same arguments
 * changes nothing. */
#pragma once

#include "kvmrt-cli.h"

G_BEGIN_DECLS

typedef struct {
  char     *root;      /* --root DIR, "/" by default */
  gboolean  dry_run;   /* --dry-run */
  gboolean  undo;      /* --undo */
  guint     changes;   /* changes made (or that a dry run would make) */
} KvmrtSetup;

/* The --root, --dry-run and --undo entries for @setup (NULL-terminated, static storage). */
const GOptionEntry *kvmrt_setup_option_entries (KvmrtSetup *setup);
/* After parsing: fills in the default root, points the host sysroot at it, and takes the
 * configuration from ROOT/etc/kvmrt.cfg unless -f named one. */
void         kvmrt_setup_finish_options (KvmrtSetup *setup, KvmrtCli *cli);
/* ROOT joined with the absolute @path ("/etc/modprobe.d/x.conf"). */
char        *kvmrt_setup_path          (KvmrtSetup *setup, const char *path);
/* The configuration for the refusal checks: NULL without an error when the file does not
 * exist (no VM then); NULL with the reason printed when it cannot be read (*failed set). */
KvmrtConfig *kvmrt_setup_load_config   (KvmrtCli *cli, gboolean *failed);
/* Makes the file at @path (absolute, below the root) hold exactly @contents. Unchanged
 * contents are no change. Written to a temporary file beside it, then renamed. */
gboolean     kvmrt_setup_put_file      (KvmrtSetup *setup,
                                        const char *path,
                                        const char *contents,
                                        GError    **error);
/* Removes the file at @path if it exists. */
gboolean     kvmrt_setup_remove_file   (KvmrtSetup *setup,
                                        const char *path,
                                        GError    **error);
/* Writes @value into the kernel attribute @path (sysfs, below the root): no temporary file,
 * the kernel acts on the write itself. */
gboolean     kvmrt_setup_write_attribute (KvmrtSetup *setup,
                                          const char *path,
                                          const char *value,
                                          GError    **error);
void         kvmrt_setup_clear         (KvmrtSetup *setup);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KvmrtSetup, kvmrt_setup_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KvmrtCli, kvmrt_cli_clear)

G_END_DECLS
