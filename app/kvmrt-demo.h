/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The built-in demo: the generated Supermicro M12SWA-TF host, the demo configuration and
 * libvirt's test driver with the demo node. Each demo gets a private copy of the host tree
 * and the configuration, so booting, tuning and Apply change only that copy. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes a private copy; returns its directory. */
char *kvmrt_demo_prepare     (GError **error);
char *kvmrt_demo_get_sysroot (const char *demo_dir);
char *kvmrt_demo_get_config  (const char *demo_dir);
char *kvmrt_demo_get_uri     (const char *demo_dir);
void  kvmrt_demo_remove      (const char *demo_dir);

G_END_DECLS
