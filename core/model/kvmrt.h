/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The core library of kvmrt: include this one header. */
#pragma once

#include "kvmrt-error.h"
#include "kvmrt-id-set.h"
#include "kvmrt-cpu-set.h"
#include "kvmrt-pci-address.h"
#include "kvmrt-value.h"
#include "kvmrt-uuid.h"
#include "kvmrt-vm.h"
#include "kvmrt-config.h"
#include "kvmrt-config-lock.h"
#include "kvmrt-config-owner.h"
#include "kvmrt-sysroot.h"
#include "kvmrt-host.h"
#include "kvmrt-diagnostic.h"
#include "kvmrt-diagnostic-index.h"
#include "kvmrt-plan.h"
#include "kvmrt-validator.h"
#include "kvmrt-json.h"
