/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private: how KvmrtConfig builds VMs from the INI document and writes them back. */
#pragma once

#include "kvmrt-ini.h"
#include "kvmrt-vm.h"

G_BEGIN_DECLS

/* Takes @section. @defaults is the [DEFAULT] section (borrowed; may be NULL). */
KvmrtVm         *kvmrt_vm_new_from_section (KvmrtIniSection *section,
                                            const KvmrtIniSection *defaults);
/* kvmrt_vm_copy() for a copy that reads inherited values from @defaults (borrowed). */
KvmrtVm         *kvmrt_vm_copy_with_defaults (KvmrtVm *self, const KvmrtIniSection *defaults);
const KvmrtIniSection *kvmrt_vm_get_section (KvmrtVm *self);
void             kvmrt_vm_set_defaults      (KvmrtVm *self, const KvmrtIniSection *defaults);

G_END_DECLS
