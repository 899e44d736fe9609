/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE   /* sched_setaffinity */
#include "kvmrt-host-change.h"

#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include "kvmrt-cpu-snapshot.h"
#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"
#include "kvmrt-tuner-private.h"

G_DEFINE_QUARK (kvmrt-host-change-error-quark, kvmrt_host_change_error)

/* The host locked against the tuner, and the journal read under the lock. */
typedef struct {
  int           lock;
  KvmrtJournal *journal;
} Locked;

static gboolean
lock_begin (KvmrtHost *host, Locked *locked, GError **error)
{
  const char *sysroot = kvmrt_host_get_sysroot (host);
  g_autoptr(GError) local_error = NULL;

  locked->lock = kvmrt_tuner_lock_host (sysroot, &local_error);
  if (locked->lock >= 0)
    locked->journal = kvmrt_journal_load (sysroot, &local_error);
  if (locked->journal != NULL)
    return TRUE;
  g_set_error_literal (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_FAILED,
                       local_error->message);
  if (locked->lock >= 0)
    close (locked->lock);
  return FALSE;
}

static void
lock_end (Locked *locked)
{
  g_clear_pointer (&locked->journal, kvmrt_journal_free);
  close (locked->lock);
}

/* Refuses unless @force when a tuned VM holds one of @cpus; @what says what the change does
 * ("moving IRQ 24 there"). */
static gboolean
check_owners (KvmrtJournal *journal, const KvmrtIdSet *cpus, const char *what, gboolean force,
              GError **error)
{
  const KvmrtTunedVm *owner = NULL;
  g_autoptr(KvmrtIdSet) held = NULL;
  g_autofree char *list = NULL;

  for (int c = kvmrt_id_set_first (cpus); c >= 0 && owner == NULL;
       c = kvmrt_id_set_next (cpus, c))
    owner = kvmrt_journal_find_cpu_owner (journal, c);
  if (owner == NULL || force)
    return TRUE;
  held = kvmrt_id_set_copy (owner->shielded);
  kvmrt_id_set_union (held, owner->offline);
  kvmrt_id_set_intersect (held, cpus);
  list = kvmrt_id_set_to_string (held);
  g_set_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_REFUSED,
               _("CPU %s is held by the running real-time VM “%s” (%s): %s would disturb it. "
                 "Choose other CPUs, or add --force to do it anyway (kvmrt-stat will then "
                 "show it as drift of that VM)"),
               list, kvmrt_tuned_vm_get_label (owner), owner->uuid, what);
  return FALSE;
}

static const char *
explain (int error_number, const char *path)
{
  if (g_str_has_prefix (path, "proc/irq/") && (error_number == EIO || error_number == EPERM))
    return _("the kernel does not let this interrupt move (a per-CPU or kernel-managed "
             "interrupt), or you are not root");
  if (g_str_has_prefix (path, "proc/irq/") && error_number == EINVAL)
    return _("the kernel refused those CPUs for this interrupt (are they online?)");
  if (error_number == EBUSY)
    return _("the kernel cannot change this CPU now");
  if (error_number == EACCES || error_number == EPERM)
    return _("permission denied: run as root");
  return g_strerror (error_number);
}

/* Writes @value into @path; a journaled original becomes @value first (see the header). */
static gboolean
write_journaled (KvmrtJournal *journal, const char *path, const char *value, GError **error)
{
  KvmrtTuneBackend backend = kvmrt_tune_backend_choose (journal->sysroot);
  g_autofree char *previous = g_strdup (kvmrt_journal_get_original (journal, path));
  g_autofree char *detail = NULL;
  g_autoptr(GError) local_error = NULL;
  int failed;

  if (previous != NULL)
    {
      kvmrt_journal_drop_original (journal, path);
      kvmrt_journal_set_original (journal, path, value);
      if (!kvmrt_journal_save (journal, &local_error))
        {
          g_set_error_literal (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_FAILED,
                               local_error->message);
          return FALSE;
        }
    }
  failed = kvmrt_tune_backend_write (backend, journal->sysroot, path, value, &detail);
  if (failed == 0)
    return TRUE;
  if (previous != NULL)
    {
      /* Nothing changed: the journal says what it said before. */
      kvmrt_journal_drop_original (journal, path);
      kvmrt_journal_set_original (journal, path, previous);
      kvmrt_journal_save (journal, NULL);
    }
  g_set_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_FAILED,
               _("/%s refused “%s”: %s"), path, value,
               detail != NULL ? detail : explain (failed, path));
  return FALSE;
}

static gboolean
has_irq (KvmrtHost *host, guint number)
{
  GPtrArray *irqs = kvmrt_host_get_irqs (host);

  for (guint i = 0; i < irqs->len; i++)
    if (((KvmrtIrq *) irqs->pdata[i])->number == (int) number)
      return TRUE;
  return FALSE;
}

/* @cpus is not empty and only has online CPUs of the host. */
static gboolean
check_usable (KvmrtHost *host, const KvmrtIdSet *cpus, GError **error)
{
  g_autoptr(KvmrtIdSet) bad = kvmrt_id_set_copy (cpus);
  g_autofree char *list = NULL;
  g_autofree char *online = NULL;

  if (kvmrt_id_set_is_empty (cpus))
    {
      g_set_error_literal (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID,
                           _("the CPU list is empty: give at least one CPU"));
      return FALSE;
    }
  kvmrt_id_set_subtract (bad, kvmrt_host_get_online_cpus (host));
  if (kvmrt_id_set_is_empty (bad))
    return TRUE;
  list = kvmrt_id_set_to_string (bad);
  online = kvmrt_id_set_to_string (kvmrt_host_get_online_cpus (host));
  g_set_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID,
               _("CPU %s is not online on this host (online CPUs: %s)"), list, online);
  return FALSE;
}

/* Whether @irq is raised by a device passed through to @vm (the host's PCI devices). */
static gboolean
irq_of_vm (KvmrtHost *host, const KvmrtTunedVm *vm, guint irq)
{
  for (guint d = 0; d < vm->pcidevs->len; d++)
    {
      const KvmrtPciDevice *dev =
        kvmrt_host_lookup_pci_device (host, g_array_index (vm->pcidevs, KvmrtPciAddress, d));

      for (guint i = 0; dev != NULL && i < dev->irqs->len; i++)
        if (g_array_index (dev->irqs, guint, i) == irq)
          return TRUE;
    }
  return FALSE;
}

/* What the tuner itself does: a VM's own device interrupt to that VM's IRQ CPU. */
static gboolean
is_vm_irq_cpu (KvmrtHost *host, KvmrtJournal *journal, guint irq, const KvmrtIdSet *cpus)
{
  const KvmrtTunedVm *vm = kvmrt_id_set_count (cpus) == 1
                           ? kvmrt_journal_find_cpu_owner (journal, kvmrt_id_set_first (cpus))
                           : NULL;

  return vm != NULL && vm->irq_cpu == kvmrt_id_set_first (cpus) && irq_of_vm (host, vm, irq);
}

gboolean
kvmrt_host_change_irq_affinity (KvmrtHost *host, guint irq, const KvmrtIdSet *cpus,
                                gboolean force, GError **error)
{
  Locked locked = { -1, NULL };
  g_autofree char *path = g_strdup_printf ("proc/irq/%u/smp_affinity_list", irq);
  g_autofree char *value = kvmrt_id_set_to_string (cpus);
  g_autofree char *what = g_strdup_printf (_("moving IRQ %u there"), irq);
  gboolean ok;

  if (!has_irq (host, irq))
    {
      g_set_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID,
                   _("the host has no IRQ %u (the irqs command lists them)"), irq);
      return FALSE;
    }
  if (!check_usable (host, cpus, error) || !lock_begin (host, &locked, error))
    return FALSE;
  ok = (is_vm_irq_cpu (host, locked.journal, irq, cpus)
        || check_owners (locked.journal, cpus, what, force, error))
       && write_journaled (locked.journal, path, value, error);
  lock_end (&locked);
  return ok;
}

gboolean
kvmrt_host_change_cpus_online (KvmrtHost *host, const KvmrtIdSet *cpus, gboolean online,
                               gboolean force, KvmrtIdSet *changed, GError **error)
{
  Locked locked = { -1, NULL };
  g_autoptr(KvmrtIdSet) todo = kvmrt_id_set_copy (cpus);
  g_autoptr(KvmrtIdSet) missing = kvmrt_id_set_copy (cpus);
  gboolean ok = TRUE;

  kvmrt_id_set_subtract (missing, kvmrt_host_get_cpus (host));
  if (!kvmrt_id_set_is_empty (missing))
    {
      g_autofree char *list = kvmrt_id_set_to_string (missing);

      g_set_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID,
                   _("the host has no CPU %s"), list);
      return FALSE;
    }
  if (online)
    kvmrt_id_set_subtract (todo, kvmrt_host_get_online_cpus (host));
  else
    kvmrt_id_set_intersect (todo, kvmrt_host_get_online_cpus (host));
  if (!online && kvmrt_id_set_equal (todo, kvmrt_host_get_online_cpus (host)))
    {
      g_set_error_literal (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID,
                           _("that would take every CPU offline; keep at least one online"));
      return FALSE;
    }
  if (kvmrt_id_set_is_empty (todo))
    return TRUE;
  if (!lock_begin (host, &locked, error))
    return FALSE;
  ok = check_owners (locked.journal, todo,
                     online ? _("bringing it online") : _("taking it offline"), force, error);
  for (int c = kvmrt_id_set_first (todo); ok && c >= 0; c = kvmrt_id_set_next (todo, c))
    {
      g_autofree char *path = g_strdup_printf ("sys/devices/system/cpu/cpu%d/online", c);

      ok = write_journaled (locked.journal, path, online ? "1" : "0", error);
      if (ok && changed != NULL)
        kvmrt_id_set_add (changed, c);
    }
  lock_end (&locked);
  return ok;
}

static int
set_affinity (int tid, const KvmrtIdSet *cpus)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  for (int c = kvmrt_id_set_first (cpus); c >= 0; c = kvmrt_id_set_next (cpus, c))
    if (c < CPU_SETSIZE)
      CPU_SET (c, &set);
  return sched_setaffinity (tid, sizeof set, &set) == 0 ? 0 : errno;
}

/* A thread's journaled original affinity (a kernel thread the tuner moved) becomes @cpus
 * before the change, as a file's does in write_journaled(). */
static void
replace_thread_original (KvmrtJournal *journal, const KvmrtThreadOriginal *original,
                         const KvmrtIdSet *cpus)
{
  int pid = original->pid;
  guint64 start = original->start;
  g_autofree char *comm = g_strdup (original->comm);

  kvmrt_journal_drop_thread (journal, pid);
  kvmrt_journal_set_thread (journal, pid, start, comm, cpus);
}

static gboolean
set_thread_journaled (KvmrtJournal *journal, int tid, const KvmrtIdSet *cpus, GError **error)
{
  const KvmrtThreadOriginal *original = kvmrt_journal_get_thread (journal, tid);
  g_autoptr(KvmrtIdSet) previous = original != NULL ? kvmrt_id_set_copy (original->cpus) : NULL;
  g_autoptr(GError) local_error = NULL;
  int failed;

  if (original != NULL)
    {
      replace_thread_original (journal, original, cpus);
      if (!kvmrt_journal_save (journal, &local_error))
        {
          g_set_error_literal (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_FAILED,
                               local_error->message);
          return FALSE;
        }
    }
  failed = set_affinity (tid, cpus);
  if (failed == 0)
    return TRUE;
  if (previous != NULL)
    {
      replace_thread_original (journal, kvmrt_journal_get_thread (journal, tid), previous);
      kvmrt_journal_save (journal, NULL);
    }
  {
    g_autofree char *list = kvmrt_id_set_to_string (cpus);

    g_set_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_FAILED,
                 _("the kernel refused CPUs %s for thread %d: %s%s"), list, tid,
                 g_strerror (failed),
                 failed == EINVAL ? _(" (its cgroup's cpuset may not allow them, or it is a "
                                      "kernel thread bound to its CPUs)") : "");
  }
  return FALSE;
}

gboolean
kvmrt_host_change_task_affinity (KvmrtHost *host, int tid, const KvmrtIdSet *cpus,
                                 gboolean force, GError **error)
{
  Locked locked = { -1, NULL };
  g_autofree char *what = g_strdup_printf (_("letting thread %d run there"), tid);
  const char *sysroot = kvmrt_host_get_sysroot (host);
  g_autofree char *relative = g_strdup_printf ("proc/%d", tid);
  g_autofree char *dir = kvmrt_sysroot_path (sysroot, relative);
  gboolean ok;

  if (tid <= 0 || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID,
                   _("there is no thread %d (the tasks command lists them)"), tid);
      return FALSE;
    }
  if (!check_usable (host, cpus, error) || !lock_begin (host, &locked, error))
    return FALSE;
  ok = check_owners (locked.journal, cpus, what, force, error);
  if (ok && !kvmrt_sysroot_is_live (sysroot))
    {
      g_set_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID,
                   _("a thread's affinity can only be changed on the running host, not in "
                     "the host tree %s"), sysroot);
      ok = FALSE;
    }
  if (ok)
    ok = set_thread_journaled (locked.journal, tid, cpus, error);
  lock_end (&locked);
  return ok;
}
