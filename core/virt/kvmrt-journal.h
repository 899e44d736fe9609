/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tuner's state journal (run/kvmrt/tuning-state.json below the sysroot; named so that it
 * is not taken for systemd's journal): which real-time VMs are tuned, and the original value
 * of every host file the tuner changed (and the original affinity of every thread it moved),
 * recorded before the change. Restoring a value removes it; an empty journal removes the file.
 * After a crash the journal tells the next run what to restore or finish.
 *
 * The file is read back as root, so it is not trusted blindly: it must be a regular file (no
 * symbolic link) owned by root or this user in a directory of the same kind, neither
 * writable by group or others; every member must have its type; every path must be one the
 * tuner writes (kvmrt-tune-paths.h). Anything else is refused with an error that says what to
 * do. */
#pragma once

#include "kvmrt-id-set.h"
#include "kvmrt-pci-address.h"

G_BEGIN_DECLS

#define KVMRT_JOURNAL_PATH "run/kvmrt/tuning-state.json"
/* Its name before 0.2: read when the new one is missing, removed at the next save. */
#define KVMRT_JOURNAL_OLD_PATH "run/kvmrt/journal.json"

typedef struct {
  char       *uuid;
  char       *name;
  KvmrtIdSet *shielded;   /* CPUs kept free of everything but the VM */
  KvmrtIdSet *offline;    /* sibling CPUs taken offline */
  int         irq_cpu;    /* where its devices' interrupts go; -1 for none */
  GArray     *pcidevs;    /* KvmrtPciAddress */
  gboolean    fifo;       /* its vCPU threads were given SCHED_FIFO */
} KvmrtTunedVm;

typedef struct {
  char *path;             /* sysroot-relative */
  char *value;            /* as read, without the trailing newline */
} KvmrtOriginal;

/* A thread the tuner moved (sched_setaffinity), with where it could run before. */
typedef struct {
  int         pid;
  guint64     start;      /* its start time (proc/PID/stat field 22): a reused PID differs */
  char       *comm;
  KvmrtIdSet *cpus;       /* its affinity before the change */
} KvmrtThreadOriginal;

typedef struct {
  char      *sysroot;
  gboolean   old_name;    /* read from KVMRT_JOURNAL_OLD_PATH */
  GPtrArray *vms;         /* KvmrtTunedVm*, in the order they were tuned */
  GPtrArray *originals;   /* KvmrtOriginal*, in the order they were first changed */
  GPtrArray *threads;     /* KvmrtThreadOriginal*, in the order they were moved */
} KvmrtJournal;

KvmrtTunedVm *kvmrt_tuned_vm_new  (const char *uuid, const char *name);
void          kvmrt_tuned_vm_free (KvmrtTunedVm *vm);
/* How messages name a tuned VM: its name when it was tuned, else its UUID (as
 * kvmrt_vm_get_label() names a configured one). */
const char   *kvmrt_tuned_vm_get_label (const KvmrtTunedVm *vm);

/* The journal below @sysroot, or an empty one when there is none. */
KvmrtJournal *kvmrt_journal_load  (const char *sysroot, GError **error);
/* Writes it atomically (temporary file, fsync, rename), or removes it when it is empty. */
gboolean      kvmrt_journal_save  (KvmrtJournal *journal, GError **error);
void          kvmrt_journal_free  (KvmrtJournal *journal);
/* Removes the temporary file of a save that was killed (call with the tuning lock held). */
void          kvmrt_journal_remove_leftovers (const char *sysroot);
gboolean      kvmrt_journal_is_empty (KvmrtJournal *journal);

KvmrtTunedVm *kvmrt_journal_lookup_vm (KvmrtJournal *journal, const char *uuid);
/* Takes @vm; replaces an entry with the same UUID. */
void          kvmrt_journal_put_vm    (KvmrtJournal *journal, KvmrtTunedVm *vm);
gboolean      kvmrt_journal_remove_vm (KvmrtJournal *journal, const char *uuid);

const char   *kvmrt_journal_get_original  (KvmrtJournal *journal, const char *path);
void          kvmrt_journal_set_original  (KvmrtJournal *journal, const char *path,
                                           const char *value);
void          kvmrt_journal_drop_original (KvmrtJournal *journal, const char *path);

/* Threads: NULL when @pid was not moved; the first affinity recorded is kept. */
const KvmrtThreadOriginal *kvmrt_journal_get_thread  (KvmrtJournal *journal, int pid);
void          kvmrt_journal_set_thread    (KvmrtJournal     *journal,
                                           int               pid,
                                           guint64           start,
                                           const char       *comm,
                                           const KvmrtIdSet *cpus);
void          kvmrt_journal_drop_thread   (KvmrtJournal *journal, int pid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtJournal, kvmrt_journal_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvmrtTunedVm, kvmrt_tuned_vm_free)

G_END_DECLS
