/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The GUI's Apply, without a window, for the concurrent-writer and fault-injection tests: the
 * same steps as KvmrtManager's apply (app/kvmrt-manager-operation.c, do_apply): the file's
 * bytes as loaded, a working copy (kvmrt_config_copy()), the edit, the save over exactly
 * those bytes through kvmrt_config_save().
 *
 *   apply-probe CONFIG UUID KEY VALUE
 *
 * Prints "saved" and exits 0 when the file was written; exits 1 with the error otherwise. */
#include <kvmrt.h>
#include <stdio.h>

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) on_disk = NULL;
  g_autoptr(KvmrtConfig) loaded = NULL;
  g_autoptr(KvmrtConfig) copy = NULL;
  KvmrtVm *vm;

  if (argc != 5)
    {
      fprintf (stderr, "usage: apply-probe CONFIG UUID KEY VALUE\n");
      return 2;
    }
  /* As the manager opens a file: its bytes, then the configuration. */
  if ((on_disk = kvmrt_config_read_file (argv[1], &error)) == NULL
      || (loaded = kvmrt_config_load (argv[1], &error)) == NULL)
    {
      fprintf (stderr, "apply-probe: %s\n", error->message);
      return 1;
    }
  /* As the dialog's Apply hands its copy to the worker. */
  copy = kvmrt_config_copy (loaded);
  if ((vm = kvmrt_config_lookup_uuid (copy, argv[2])) == NULL)
    {
      fprintf (stderr, "apply-probe: no VM %s\n", argv[2]);
      return 2;
    }
  kvmrt_vm_set_extra (vm, argv[3], argv[4]);
  kvmrt_config_expect_on_disk (copy, on_disk);
  if (!kvmrt_config_save (copy, argv[1], &error))
    {
      fprintf (stderr, "apply-probe: %s\n", error->message);
      return 1;
    }
  printf ("saved\n");
  return 0;
}
