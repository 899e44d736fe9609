/* SPDX-License-Identifier: GPL-2.0-or-later */
/* For tests: records a tuned real-time VM in the tuner's journal below a host tree, through
 * the journal's API (as kvmrt-boot would after tuning the host for it).
 *
 *   put-tuned-vm SYSROOT UUID NAME SHIELDED-CPUS OFFLINE-CPUS */
#include <stdio.h>

#include "kvmrt-journal.h"

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtJournal) journal = NULL;
  KvmrtTunedVm *vm;
  g_autoptr(KvmrtIdSet) shielded = NULL;
  g_autoptr(KvmrtIdSet) offline = NULL;

  if (argc != 6)
    {
      fprintf (stderr, "usage: put-tuned-vm SYSROOT UUID NAME SHIELDED OFFLINE\n");
      return 2;
    }
  shielded = kvmrt_id_set_parse (argv[4], &error);
  offline = shielded != NULL ? kvmrt_id_set_parse (argv[5], &error) : NULL;
  journal = offline != NULL ? kvmrt_journal_load (argv[1], &error) : NULL;
  if (journal == NULL)
    {
      fprintf (stderr, "put-tuned-vm: %s\n", error->message);
      return 1;
    }
  vm = kvmrt_tuned_vm_new (argv[2], argv[3]);
  kvmrt_id_set_union (vm->shielded, shielded);
  kvmrt_id_set_union (vm->offline, offline);
  kvmrt_journal_put_vm (journal, vm);
  if (!kvmrt_journal_save (journal, &error))
    {
      fprintf (stderr, "put-tuned-vm: %s\n", error->message);
      return 1;
    }
  return 0;
}
