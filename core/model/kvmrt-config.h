/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration file (/etc/kvmrt.cfg): VMs in file order, in Python configparser's INI
 * dialect. Comments, blank lines, unknown keys and the original spelling of untouched lines
 * survive a load/save round trip.
 *
 * Locking: reading takes a shared flock(2) on the file; saving takes an exclusive one and
 * fails (KVMRT_CONFIG_ERROR_LOCKED) while any other process holds the file. A program that
 * keeps a configuration open (the GUI) holds its shared lock with kvmrt_config_hold(). */
#pragma once

#include <glib-object.h>

#include "kvmrt-vm.h"

G_BEGIN_DECLS

#define KVMRT_DEFAULT_CONFIG_PATH "/etc/kvmrt.cfg"

#define KVMRT_TYPE_CONFIG (kvmrt_config_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtConfig, kvmrt_config, KVMRT, CONFIG, GObject)

/* An empty configuration bound to no file. */
KvmrtConfig *kvmrt_config_new            (void);
/* Reads @path. Syntax errors are KVMRT_CONFIG_ERROR_SYNTAX with "PATH:LINE: what was expected";
 * a missing file is KVMRT_CONFIG_ERROR_NOT_FOUND. Values that do not match their field type do
 * not fail the load (see kvmrt_vm_get_value_error()). */
KvmrtConfig *kvmrt_config_load           (const char *path, GError **error);
/* Reads @path for a change: the file stays locked exclusively (LOCK_EX, after waiting a while
 * for another writer) until this configuration is saved or freed, so that two programs that
 * change the file one after the other both keep their change. */
KvmrtConfig *kvmrt_config_load_for_update (const char *path, GError **error);
/* A configuration file's bytes, read the way kvmrt_config_load() reads them (shared lock,
 * regular files only, never blocking on a FIFO). */
GBytes      *kvmrt_config_read_file      (const char *path, GError **error);
/* Parses text; @display_name stands for the file in error messages. */
KvmrtConfig *kvmrt_config_load_from_data (const char  *data,
                                          gssize       length,
                                          const char  *display_name,
                                          GError     **error);

/* A deep copy of @self's lines and VMs, bound to no file (no path, no lock, no expected file
 * contents): editing one leaves the other as it is, and the copy writes the very bytes @self
 * would (comments, order, unknown keys, spelling and indentation of every line). */
KvmrtConfig *kvmrt_config_copy           (KvmrtConfig *self);

/* The file it was loaded from or last saved to, or NULL. */
const char  *kvmrt_config_get_path       (KvmrtConfig *self);

guint        kvmrt_config_get_n_vms      (KvmrtConfig *self);
KvmrtVm     *kvmrt_config_get_vm         (KvmrtConfig *self, guint index);
/* Position in file order, or -1. */
int          kvmrt_config_index_of       (KvmrtConfig *self, KvmrtVm *vm);
/* By UUID (in any case: it may come from the command line), else by name. NULL if neither
 * matches. */
KvmrtVm     *kvmrt_config_lookup         (KvmrtConfig *self, const char *name_or_uuid);
KvmrtVm     *kvmrt_config_lookup_uuid    (KvmrtConfig *self, const char *uuid);

/* Appends; fails with KVMRT_CONFIG_ERROR_INVALID if the UUID is already there. */
gboolean     kvmrt_config_add_vm         (KvmrtConfig *self, KvmrtVm *vm, GError **error);
void         kvmrt_config_remove_vm      (KvmrtConfig *self, KvmrtVm *vm);
void         kvmrt_config_move_vm        (KvmrtConfig *self, KvmrtVm *vm, guint new_index);

/* A key of the [DEFAULT] section (any case), or NULL. VM sections inherit these values. */
const char  *kvmrt_config_get_default_value (KvmrtConfig *self, const char *key);
/* Sets (or with a NULL @value removes) a key of the [DEFAULT] section, creating the section
 * at the top of the file (after its opening comments) when there is none; only that key's
 * line changes. A [DEFAULT] section left with no keys and no comments is dropped. */
void         kvmrt_config_set_default_value (KvmrtConfig *self,
                                             const char  *key,
                                             const char  *value);

/* The file's text as it would be saved. */
char        *kvmrt_config_to_data        (KvmrtConfig *self, gsize *length);

/* Writes to @path (NULL: the config's own path) atomically: a temporary file in the same
 * directory, fsync, the previous file kept as PATH.bak, rename, fsync of the directory. The
 * file's mode and owner are kept; a symbolic link is written through to its target. On any
 * failure the old file is left in place. The text is read back before it is written and must
 * give this configuration's keys and values (KVMRT_CONFIG_ERROR_INVALID otherwise). Saving to
 * the file the configuration was read from (or, for one made from text, to any file after
 * kvmrt_config_expect_on_disk()) fails with KVMRT_CONFIG_ERROR_CHANGED when another program
 * wrote the file since: its change is never silently overwritten. */
gboolean     kvmrt_config_save           (KvmrtConfig *self, const char *path, GError **error);

/* The file's bytes a save expects to replace (NULL: no file). For a configuration made from
 * text (an editor's copy) that stands for a file read earlier. */
void         kvmrt_config_expect_on_disk (KvmrtConfig *self, GBytes *content);

/* Keeps a shared lock on the config's file until kvmrt_config_release() or finalize, so that
 * other processes cannot save it meanwhile. Saving from this object still works when this is
 * the only holder. */
gboolean     kvmrt_config_hold           (KvmrtConfig *self, GError **error);
void         kvmrt_config_release        (KvmrtConfig *self);

/* Signals: "vm-added" (KvmrtVm), "vm-removed" (KvmrtVm), "reordered". */

G_END_DECLS
