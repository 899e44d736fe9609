/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every whole-VM operation (kvmrt-boot-set.h, kvmrt-shutdown-set.h) works on. The CLI
 * tools fill one from their session, kvmrtd from what it loaded, the window from its
 * manager; every member is borrowed from the caller for the operation's length. */
#pragma once

#include "kvmrt-libvirt.h"
#include "kvmrt-plan.h"

G_BEGIN_DECLS

typedef struct {
  const char   *sysroot;  /* the host tree ("/" on the live host) */
  KvmrtHost    *host;     /* its model, as the tuner needs it (with IRQs) */
  KvmrtLibvirt *libvirt;
  KvmrtConfig  *config;
  KvmrtPlan    *plan;     /* of @config on @host */
} KvmrtSession;

G_END_DECLS
