/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-tuner.h"

#include "kvmrt-i18n.h"

G_DEFINE_QUARK (kvmrt-tuner-error-quark, kvmrt_tuner_error)

static gboolean
not_available (GError **error)
{
  g_set_error_literal (error, KVMRT_TUNER_ERROR, KVMRT_TUNER_ERROR_NOT_AVAILABLE,
                       _("host tuning is not implemented in this version: the vCPUs are "
                         "pinned through libvirt, but sibling CPUs stay online, the CPUs are "
                         "not shielded, IRQs are not moved and vCPU threads keep their "
                         "normal scheduling policy"));
  return FALSE;
}

gboolean
kvmrt_tuner_apply (const char *sysroot, const KvmrtVmPlan *plan, int qemu_pid, GError **error)
{
  if (!plan->rt)
    return TRUE;
  return not_available (error);
}

gboolean
kvmrt_tuner_release (const char *sysroot, const KvmrtVmPlan *plan, GError **error)
{
  /* Nothing was changed, so there is nothing to undo. */
  return TRUE;
}

gboolean
kvmrt_tuner_check (const char *sysroot, const KvmrtVmPlan *plan, int qemu_pid, GError **error)
{
  if (!plan->rt)
    return TRUE;
  return not_available (error);
}
