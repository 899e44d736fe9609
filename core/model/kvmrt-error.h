/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error domains, and when kvmrt uses which.
 *
 * What a GError is for: its message, which says what failed and what to do, for a person to
 * read. A function that can fail takes a GError ** and returns FALSE or NULL with it set.
 *
 * Which domain a function uses:
 *   - A failure of kvmrt's own model has a domain of its own, declared here or beside the code
 *     that raises it:
 *       KVMRT_VALUE_ERROR        a value's text (CPU set, ID set, PCI address, bool, count...)
 *       KVMRT_CONFIG_ERROR       the configuration file: reading, locking, editing, saving
 *       KVMRT_CONFIG_LOCK_ERROR  the configuration lock's hash (kvmrt-config-lock.h)
 *       KVMRT_HOST_ERROR         reading the host's model below a sysroot
 *       KVMRT_LIBVIRT_ERROR      the libvirt layer: connection, domains, their definitions
 *                                (core/virt/kvmrt-libvirt.h; sync and lifecycle use it too)
 *       KVMRT_HOST_CHANGE_ERROR  one change to a running host through the journal
 *                                (core/virt/kvmrt-host-change.h)
 *       KVMRT_MANAGER_ERROR      the GUI's operations (app/kvmrt-manager.h)
 *   - A failure that is only a file or system call going wrong (the tuner writing a kernel
 *     file, the journal, Guest Services' logs and statistics, QEMU's proc files) keeps GLib's
 *     G_FILE_ERROR or G_IO_ERROR, with errno's meaning in the code and the path in the message.
 *   - A function passes on a failure of what it called either as it is (g_propagate_error)
 *     or, where its module has a domain of its own, raised again in that domain carrying
 *     the first message (alone or inside its own): the libvirt layer does so with every
 *     libvirt error, a host change with the journal's, the GUI manager with the
 *     configuration file's.
 *
 * Codes, and what callers may do with them: a caller matches a code only to handle one stated
 * condition its own way: a file that need not exist (KVMRT_CONFIG_ERROR_NOT_FOUND), a file
 * another program holds or changed (KVMRT_CONFIG_ERROR_LOCKED and _CHANGED), a parse error
 * reported as a finding (_SYNTAX), a set naming CPUs the host lacks that an editor still shows
 * (KVMRT_VALUE_ERROR_UNKNOWN_ID), a VM libvirt does not have, reported as a finding
 * (KVMRT_LIBVIRT_ERROR_NO_DOMAIN), a change that cannot be, for which rttools exit 2
 * (KVMRT_HOST_CHANGE_ERROR_INVALID), the GUI manager's codes, which the configuration dialog
 * titles each its own way, and a user who cancelled (G_IO_ERROR_CANCELLED). Callers never tell
 * outcomes apart by domain or code: whether a VM was booted, skipped, already running, shut
 * down or powered off, and whether its tuning held, comes back as a result value
 * of the operation (an enum per VM), not from which domain an error happens to be in. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Values that do not match their field type (CPUSET, ID-set, PCISET, bool, int|auto, ...). */
#define KVMRT_VALUE_ERROR (kvmrt_value_error_quark ())
typedef enum {
  KVMRT_VALUE_ERROR_INVALID,      /* malformed text; the message names the offending token */
  KVMRT_VALUE_ERROR_OUT_OF_RANGE, /* well-formed but too large, zero where positive is needed */
  KVMRT_VALUE_ERROR_UNKNOWN_ID,   /* names a CPU, core, die, package or node the host lacks
                                   * (an editor may still show the set, marked) */
} KvmrtValueError;
GQuark kvmrt_value_error_quark (void);

/* Reading and writing the configuration file. */
#define KVMRT_CONFIG_ERROR (kvmrt_config_error_quark ())
typedef enum {
  KVMRT_CONFIG_ERROR_SYNTAX,      /* the file cannot be parsed; message has FILE:LINE (a
                                   * validator may report it as a finding) */
  KVMRT_CONFIG_ERROR_LOCKED,      /* another process holds the file (try again later) */
  KVMRT_CONFIG_ERROR_IO,          /* the file cannot be read or written */
  KVMRT_CONFIG_ERROR_NOT_FOUND,   /* the file does not exist (a caller may start empty) */
  KVMRT_CONFIG_ERROR_INVALID,     /* an edit was refused (e.g. duplicate UUID) */
  KVMRT_CONFIG_ERROR_CHANGED,     /* another program wrote the file since it was read (reload) */
  KVMRT_CONFIG_ERROR_UNSAFE,      /* root was asked to use a file others may write */
} KvmrtConfigError;
GQuark kvmrt_config_error_quark (void);

/* Reading the host (sysroot) model. */
#define KVMRT_HOST_ERROR (kvmrt_host_error_quark ())
typedef enum {
  KVMRT_HOST_ERROR_SYSROOT,       /* the sysroot is missing or is not a Linux host tree */
  KVMRT_HOST_ERROR_TOPOLOGY,      /* the CPU/NUMA topology could not be read */
  KVMRT_HOST_ERROR_PCI,           /* libpci could not read the PCI devices */
} KvmrtHostError;
GQuark kvmrt_host_error_quark (void);

G_END_DECLS
