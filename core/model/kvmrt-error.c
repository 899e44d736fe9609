/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-error.h"

G_DEFINE_QUARK (kvmrt-value-error-quark, kvmrt_value_error)
G_DEFINE_QUARK (kvmrt-config-error-quark, kvmrt_config_error)
G_DEFINE_QUARK (kvmrt-host-error-quark, kvmrt_host_error)
