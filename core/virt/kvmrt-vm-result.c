/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-vm-result.h"

G_DEFINE_BOXED_TYPE (KvmrtVmResult, kvmrt_vm_result, kvmrt_vm_result_copy, kvmrt_vm_result_free)

KvmrtVmResult *
kvmrt_vm_result_new (KvmrtVm *vm, const char *uuid, const char *label, KvmrtVmOutcome outcome)
{
  KvmrtVmResult *result = g_new0 (KvmrtVmResult, 1);

  g_return_val_if_fail (vm != NULL || uuid != NULL, NULL);
  result->vm = vm != NULL ? g_object_ref (vm) : NULL;
  result->uuid = g_strdup (vm != NULL ? kvmrt_vm_get_uuid (vm) : uuid);
  result->label = g_strdup (label != NULL ? label
                            : vm != NULL ? kvmrt_vm_get_label (vm) : result->uuid);
  result->outcome = outcome;
  result->tuning = KVMRT_VM_TUNING_NONE;
  result->report = kvmrt_tune_report_new ();
  return result;
}

static GPtrArray *
copy_strings (GPtrArray *strings)
{
  GPtrArray *copy = g_ptr_array_new_full (strings->len, g_free);

  for (guint i = 0; i < strings->len; i++)
    g_ptr_array_add (copy, g_strdup (strings->pdata[i]));
  return copy;
}

KvmrtVmResult *
kvmrt_vm_result_copy (const KvmrtVmResult *result)
{
  KvmrtVmResult *copy = kvmrt_vm_result_new (result->vm, result->uuid, result->label,
                                             result->outcome);

  copy->tuning = result->tuning;
  copy->error = result->error != NULL ? g_error_copy (result->error) : NULL;
  g_ptr_array_unref (copy->report->changes);
  g_ptr_array_unref (copy->report->problems);
  copy->report->changes = copy_strings (result->report->changes);
  copy->report->problems = copy_strings (result->report->problems);
  copy->blocked_by = g_strdup (result->blocked_by);
  copy->seconds = result->seconds;
  return copy;
}

void
kvmrt_vm_result_free (KvmrtVmResult *result)
{
  if (result == NULL)
    return;
  g_clear_object (&result->vm);
  g_free (result->uuid);
  g_free (result->label);
  g_clear_error (&result->error);
  kvmrt_tune_report_free (result->report);
  g_free (result->blocked_by);
  g_free (result);
}
