/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CLI's words for the whole-VM operations of the core (kvmrt-boot-set.h,
 * kvmrt-shutdown-set.h): each runs the operation on the session and prints one line per VM
 * as it is done, as kvmrt-boot, kvmrt-shutdown and kvmrtd (whose output goes to the journal)
 * all print them. Each returns the tool's exit status. */
#pragma once

#include "kvmrt-boot-set.h"
#include "kvmrt-cli-libvirt.h"
#include "kvmrt-shutdown-set.h"

G_BEGIN_DECLS

/* The VMs named in cli->args, else those @flags select (kvmrt_boot_set_select()); NULL after
 * saying why (an unknown or disabled VM). */
GPtrArray *kvmrt_cli_boot_select   (KvmrtCliSession   *session,
                                    KvmrtCli          *cli,
                                    KvmrtBootSetFlags  flags);
int        kvmrt_cli_boot          (KvmrtCliSession   *session,
                                    KvmrtCli          *cli,
                                    GPtrArray         *vms,
                                    KvmrtBootSetFlags  flags);
/* --retune: each VM's tuning again; a VM that is not running is refused. */
int        kvmrt_cli_retune        (KvmrtCliSession   *session,
                                    KvmrtCli          *cli,
                                    GPtrArray         *vms);
/* @named: the VMs to stop, or NULL for every configured VM that runs. */
int        kvmrt_cli_shutdown      (KvmrtCliSession    *session,
                                    KvmrtCli           *cli,
                                    GPtrArray          *named,
                                    guint               timeout_s,
                                    KvmrtShutdownFlags  flags);

/* --release-held: gives back the host settings the journal holds for VMs libvirt does not
 * show running, a line each ("NAME: not running any more; its real-time tuning was
 * released"), failures on stderr. */
int        kvmrt_cli_release_held  (KvmrtCliSession    *session,
                                    KvmrtCli           *cli);

G_END_DECLS
