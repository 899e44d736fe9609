/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One line per owner for the viewers' side panes and help: "Vision Inspection (RT):
 * real-time VM, CPUs 16-23 (shielded 16-23), devices 21:00.1 22:00.0", then the host's and
 * the offline CPUs. */
#pragma once

#include "kvmrt-ownership.h"

G_BEGIN_DECLS

/* char* lines, in order: VMs by kind (real-time first) and name, the host, offline. */
GPtrArray *kvmrt_tools_describe_owners (KvmrtHost      *host,
                                        KvmrtOwnership *ownership);

G_END_DECLS
