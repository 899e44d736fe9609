/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error domains of the core library. Each module owns one domain. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Values that do not match their field type (CPUSET, ID-set, PCISET, bool, int|auto, ...). */
#define KVMRT_VALUE_ERROR (kvmrt_value_error_quark ())
typedef enum {
  KVMRT_VALUE_ERROR_INVALID,      /* malformed text; the message names the offending token */
  KVMRT_VALUE_ERROR_OUT_OF_RANGE, /* well-formed but too large, zero where positive is needed */
  KVMRT_VALUE_ERROR_UNKNOWN_ID,   /* names a CPU, core, die, package or node the host lacks */
} KvmrtValueError;
GQuark kvmrt_value_error_quark (void);

/* Reading and writing the configuration file. */
#define KVMRT_CONFIG_ERROR (kvmrt_config_error_quark ())
typedef enum {
  KVMRT_CONFIG_ERROR_SYNTAX,      /* the file cannot be parsed; message has FILE:LINE */
  KVMRT_CONFIG_ERROR_LOCKED,      /* another process holds the file */
  KVMRT_CONFIG_ERROR_IO,          /* the file cannot be read or written */
  KVMRT_CONFIG_ERROR_NOT_FOUND,   /* the file does not exist */
  KVMRT_CONFIG_ERROR_INVALID,     /* an edit was refused (e.g. duplicate UUID) */
  KVMRT_CONFIG_ERROR_CHANGED,     /* another program wrote the file since it was read */
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
