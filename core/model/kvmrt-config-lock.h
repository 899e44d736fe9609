/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration lock: a password the GUI asks for before it shows or edits the
 * configuration. Only a salted yescrypt hash is kept, as the crypt(3) string in the
 * [DEFAULT] section's `config_lock` key, so the lock travels with the file and every GUI
 * instance sees the same one. The CLI tools do not ask for it: whoever can run them as root
 * can read the file anyway. */
#pragma once

#include "kvmrt-config.h"

G_BEGIN_DECLS

/* The [DEFAULT] key that holds the hash. */
#define KVMRT_CONFIG_LOCK_KEY "config_lock"

#define KVMRT_CONFIG_LOCK_ERROR (kvmrt_config_lock_error_quark ())
typedef enum {
  KVMRT_CONFIG_LOCK_ERROR_HASH,   /* the system's crypt(3) could not make the hash */
} KvmrtConfigLockError;
GQuark kvmrt_config_lock_error_quark (void);

/* TRUE when @config has a lock (a non-empty `config_lock`). */
gboolean kvmrt_config_lock_is_set (KvmrtConfig *config);
/* Locks @config with @password (a fresh salt every time), or removes the lock when @password
 * is NULL or "". Changes @config in memory only; saving it writes the lock. */
gboolean kvmrt_config_lock_set    (KvmrtConfig  *config,
                                   const char   *password,
                                   GError      **error);
/* TRUE when @password opens the lock, or when there is no lock. The comparison takes the same
 * time wherever the hashes differ. */
gboolean kvmrt_config_lock_check  (KvmrtConfig *config,
                                   const char  *password);

G_END_DECLS
