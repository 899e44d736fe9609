/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-tuner-private.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <sched.h>
#include <stdio.h>
#include <sys/file.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-i18n.h"
#include "kvmrt-proc.h"
#include "kvmrt-sysroot.h"
#include "kvmrt-tune-paths.h"

KvmrtTuneReport *
kvmrt_tune_report_new (void)
{
  KvmrtTuneReport *report = g_new0 (KvmrtTuneReport, 1);

  report->changes = g_ptr_array_new_with_free_func (g_free);
  report->problems = g_ptr_array_new_with_free_func (g_free);
  return report;
}

void
kvmrt_tune_report_free (KvmrtTuneReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->changes);
  g_ptr_array_unref (report->problems);
  g_free (report);
}

/* For tests of crash recovery: KVMRT_TUNER_STOP_AFTER=N ends the process, as a kill would,
 * right after the Nth host file it writes. */
void
kvmrt_tune_count_write (void)
{
  static int left = -2;

  if (left == -2)
    left = g_getenv ("KVMRT_TUNER_STOP_AFTER") != NULL
           ? atoi (g_getenv ("KVMRT_TUNER_STOP_AFTER")) : -1;
  if (left > 0 && --left == 0)
    _exit (99);
}

/* What a refusal means, for the report. */
static const char *
explain_errno (int error_number, const char *path, const char *detail)
{
  if (detail != NULL)
    return detail;
  if (error_number == EPERM && !kvmrt_tune_path_allowed (path))
    return _("not a file kvmrt tunes, so it was not written");
  if (error_number == ELOOP)
    return _("a symbolic link is on the way to it, so it was not written");
  /* The kernel answers EIO, or EPERM even to root, for interrupts it manages itself. */
  if (g_str_has_prefix (path, "proc/irq/")
      && (error_number == EIO || (error_number == EPERM && geteuid () == 0)))
    return _("the kernel does not let this interrupt move (a per-CPU or kernel-managed "
             "interrupt); it may still fire on the real-time CPU");
  if (error_number == EBUSY && g_str_has_prefix (path, "sys/devices/system/cpu/"))
    return _("the kernel cannot take this CPU offline now");
  if (error_number == EPERM || error_number == EACCES)
    return _("permission denied: run as root");
  return g_strerror (error_number);
}

/* Sets one host value through the back end; 0 or an errno, with @detail. */
static int
write_setting (KvmrtTuneBackend backend, const char *sysroot, const char *path,
               const char *value, char **detail)
{
  int result = kvmrt_tune_backend_write (backend, sysroot, path, value, detail);

  kvmrt_tune_count_write ();
  return result;
}

static KvmrtTuneSetting *
find_setting (GPtrArray *settings, const char *path)
{
  for (guint i = 0; i < settings->len; i++)
    if (g_str_equal (((KvmrtTuneSetting *) settings->pdata[i])->path, path))
      return settings->pdata[i];
  return NULL;
}

static int
compare_restore_order (gconstpointer a, gconstpointer b)
{
  const KvmrtOriginal *x = *(KvmrtOriginal **) a, *y = *(KvmrtOriginal **) b;

  return (int) kvmrt_tune_phase_of (y->path) - (int) kvmrt_tune_phase_of (x->path);
}

/* The originals (KvmrtOriginal*, borrowed) no tuned VM needs any more, in the order they go
 * back: CPUs first, cgroups last, and within a phase the last changed first (a cgroup v1
 * parent widens before its children). */
static GPtrArray *
unneeded_originals (KvmrtJournal *journal, GPtrArray *wanted)
{
  GPtrArray *order = g_ptr_array_new ();

  for (guint i = journal->originals->len; i-- > 0;)
    if (find_setting (wanted, ((KvmrtOriginal *) journal->originals->pdata[i])->path) == NULL)
      g_ptr_array_add (order, journal->originals->pdata[i]);
  /* Stable: the reverse order stays within each phase. */
  g_ptr_array_sort (order, compare_restore_order);
  return order;
}

/* How many host settings @journal holds for no tuned VM: the originals none needs, and the
 * kernel threads' affinities once no VM is tuned. */
static guint
count_leftovers (KvmrtJournal *journal, GPtrArray *wanted)
{
  g_autoptr(GPtrArray) order = unneeded_originals (journal, wanted);

  return order->len + (journal->vms->len == 0 ? journal->threads->len : 0);
}

/* Writes back the originals no tuned VM needs any more (unneeded_originals()). An original the
 * host does not take back stays in the journal; what was refused goes into @refused (char*,
 * "/PATH to "VALUE" (why)") when it is given, else it is one of @report's problems (applying
 * goes on regardless). */
static gboolean
restore_unneeded (KvmrtJournal *journal, KvmrtTuneBackend backend, GPtrArray *wanted,
                  KvmrtTuneReport *report, GPtrArray *refused, GError **error)
{
  g_autoptr(GPtrArray) order = unneeded_originals (journal, wanted);

  for (guint i = 0; i < order->len; i++)
    {
      const KvmrtOriginal *o = order->pdata[i];
      g_autofree char *path = g_strdup (o->path);
      g_autofree char *value = g_strdup (o->value);
      g_autofree char *detail = NULL;
      int failed = write_setting (backend, journal->sysroot, path, value, &detail);

      /* The file went away with what it belonged to (a VM's cgroup, a device's IRQ): there
       * is nothing left to give back. */
      if (failed == ENOENT && detail == NULL)
        {
          kvmrt_journal_drop_original (journal, path);
          if (!kvmrt_journal_save (journal, error))
            return FALSE;
          continue;
        }
      if (failed != 0 && refused != NULL)
        {
          g_ptr_array_add (refused,
                           g_strdup_printf (_("/%s to \"%s\" (%s)"), path, value,
                                            explain_errno (failed, path, detail)));
          continue;
        }
      if (failed != 0)
        {
          g_ptr_array_add (report->problems,
                           g_strdup_printf (_("could not restore /%s to \"%s\": %s; it stays "
                                              "in the journal and the next run tries again"),
                                            path, value, explain_errno (failed, path, detail)));
          continue;
        }
      kvmrt_journal_drop_original (journal, path);
      if (!kvmrt_journal_save (journal, error))
        return FALSE;
      g_ptr_array_add (report->changes, g_strdup_printf (_("/%s restored to %s"), path, value));
    }
  return TRUE;
}

/* Writes what differs from @wanted, journaling each original first. */
static gboolean
apply_wanted (KvmrtJournal *journal, KvmrtTuneBackend backend, GPtrArray *wanted,
              KvmrtTuneReport *report, GError **error)
{
  for (guint i = 0; i < wanted->len; i++)
    {
      const KvmrtTuneSetting *s = wanted->pdata[i];
      g_autofree char *current = kvmrt_tune_backend_read (backend, journal->sysroot, s->path);
      gboolean journaled = kvmrt_journal_get_original (journal, s->path) != NULL;
      g_autofree char *detail = NULL;
      int failed;

      if (current == NULL || g_str_equal (current, s->value))
        continue;
      if (!journaled)
        {
          kvmrt_journal_set_original (journal, s->path, current);
          if (!kvmrt_journal_save (journal, error))
            return FALSE;
        }
      failed = write_setting (backend, journal->sysroot, s->path, s->value, &detail);
      if (failed == 0)
        {
          g_ptr_array_add (report->changes, g_strdup (s->what));
          continue;
        }
      g_ptr_array_add (report->problems,
                       g_strdup_printf (_("%s: not done, /%s refused \"%s\": %s"), s->what,
                                        s->path, s->value,
                                        explain_errno (failed, s->path, detail)));
      /* Nothing changed, so there is nothing to remember. */
      if (!journaled)
        {
          kvmrt_journal_drop_original (journal, s->path);
          if (!kvmrt_journal_save (journal, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* Kernel threads: kept off the real-time CPUs while a VM is tuned, given back after. */
static gboolean
reconcile_threads (KvmrtJournal *journal, KvmrtHost *host, KvmrtTuneBackend backend,
                   KvmrtTuneReport *report, GError **error)
{
  g_autoptr(KvmrtIdSet) rt = kvmrt_id_set_new ();
  g_autoptr(KvmrtIdSet) housekeeping = kvmrt_id_set_new ();

  if (journal->vms->len == 0 || !kvmrt_tune_threads_applicable (journal->sysroot, backend))
    return kvmrt_tune_threads_restore (journal, report, error);
  kvmrt_tune_state_cpus (journal, host, rt, housekeeping);
  return kvmrt_tune_threads_confine (journal, rt, housekeeping, report, error);
}

/* Brings the host to what the journal's VMs need. @refused: see restore_unneeded(). */
static gboolean
reconcile (KvmrtJournal *journal, KvmrtHost *host, KvmrtTuneReport *report, GPtrArray *refused,
           GError **error)
{
  KvmrtTuneBackend backend = kvmrt_tune_backend_choose (journal->sysroot);
  g_autoptr(GPtrArray) wanted = kvmrt_tune_state_wanted (journal, host, backend);

  return restore_unneeded (journal, backend, wanted, report, refused, error)
         && apply_wanted (journal, backend, wanted, report, error)
         && reconcile_threads (journal, host, backend, report, error)
         && kvmrt_journal_save (journal, error);
}

/* SCHED_FIFO for the vCPU threads: on the live host (where the TIDs are real) or through
 * RedHawk's run(1). */
static gboolean
set_vcpu_fifo (const char *sysroot, const KvmrtVmPlan *plan, int qemu_pid,
               KvmrtTuneReport *report)
{
  KvmrtTuneBackend backend = kvmrt_tune_backend_choose (sysroot);
  g_autoptr(GPtrArray) threads = NULL;
  /* rt_priority, checked by the validator (1-99; 1 is above every normal task and below
   * the kernel's own real-time threads). */
  int priority = (int) plan->rt_priority;
  guint done = 0;

  if ((!kvmrt_sysroot_is_live (sysroot) && backend != KVMRT_TUNE_BACKEND_REDHAWK)
      || qemu_pid <= 0)
    return FALSE;
  threads = kvmrt_proc_list_threads (sysroot, qemu_pid, NULL);
  for (guint i = 0; threads != NULL && i < threads->len; i++)
    {
      const KvmrtThread *t = threads->pdata[i];
      g_autofree char *detail = NULL;

      if (t->kind != KVMRT_THREAD_VCPU)
        continue;
      if (kvmrt_tune_backend_set_fifo (backend, t->tid, priority, &detail) != 0)
        {
          g_ptr_array_add (report->problems,
                           g_strdup_printf (_("SCHED_FIFO for %s's vCPU threads was refused "
                                              "(%s): they keep the normal policy and can be "
                                              "preempted by ordinary tasks. "
                                              "kvmrt-validate-host explains the cause "
                                              "(check rt-budget)."),
                                            kvmrt_vm_get_name (plan->vm), detail));
          return FALSE;
        }
      done++;
    }
  if (done > 0)
    g_ptr_array_add (report->changes,
                     g_strdup_printf (_("%u vCPU threads with SCHED_FIFO priority %d"), done,
                                      priority));
  return done > 0;
}

/* One tuner at a time per host (kvmrt-boot's threads, kvmrtd, another kvmrt-boot): an
 * exclusive flock on the sysroot directory itself, which needs no file of its own. Each call
 * opens the directory anew, so threads of one process wait for each other too. Returns the
 * descriptor to close, or -1 after setting @error. */
static int
lock_host (const char *sysroot, GError **error)
{
  g_autofree char *root = kvmrt_sysroot_path (sysroot, "");
  int fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || flock (fd, LOCK_EX) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("cannot lock %s for tuning: %s"), root, g_strerror (errno));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  return fd;
}

int
kvmrt_tuner_lock_host (const char *sysroot, GError **error)
{
  return lock_host (sysroot, error);
}

/* The journal, with the tuning lock held: no save is under way, so a temporary file of one
 * is what a kill left behind, and goes. */
static KvmrtJournal *
load_locked (const char *sysroot, GError **error)
{
  kvmrt_journal_remove_leftovers (sysroot);
  return kvmrt_journal_load (sysroot, error);
}

static gboolean
apply_locked (const char *sysroot, KvmrtHost *host, const KvmrtVmPlan *plan, int qemu_pid,
              KvmrtTuneReport *report, GError **error)
{
  g_autoptr(KvmrtJournal) journal = NULL;
  KvmrtTunedVm *vm;

  if (!plan->rt)
    return TRUE;
  journal = load_locked (sysroot, error);
  if (journal == NULL)
    return FALSE;
  vm = kvmrt_tune_state_vm_from_plan (plan);
  kvmrt_journal_put_vm (journal, vm);
  if (!kvmrt_journal_save (journal, error) || !reconcile (journal, host, report, NULL, error))
    return FALSE;
  vm->fifo = set_vcpu_fifo (sysroot, plan, qemu_pid, report);
  return kvmrt_journal_save (journal, error);
}

/* A give-back is whole or it failed: the originals the host did not take back (@refused)
 * become @error, which names each of them. TRUE when there are none. */
static gboolean
fail_if_refused (GPtrArray *refused, GError **error)
{
  g_autoptr(GString) list = g_string_new (NULL);

  if (refused->len == 0)
    return TRUE;
  for (guint i = 0; i < refused->len; i++)
    g_string_append_printf (list, "%s%s", i > 0 ? "; " : "", (char *) refused->pdata[i]);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               g_dngettext (GETTEXT_PACKAGE,
                            "%u host setting could not be restored and stays in the "
                            "journal: %s",
                            "%u host settings could not be restored and stay in the "
                            "journal: %s", refused->len),
               refused->len, list->str);
  return FALSE;
}

static gboolean
release_locked (const char *sysroot, KvmrtHost *host, const char *uuid,
                KvmrtTuneReport *report, GError **error)
{
  g_autoptr(KvmrtJournal) journal = load_locked (sysroot, error);
  g_autoptr(GPtrArray) refused = g_ptr_array_new_with_free_func (g_free);

  if (journal == NULL)
    return FALSE;
  if (kvmrt_journal_remove_vm (journal, uuid) && !kvmrt_journal_save (journal, error))
    return FALSE;
  /* Also when the VM had left already: a release that was cut short (a crash) left
   * originals behind that no VM needs any more. */
  if (kvmrt_journal_is_empty (journal))
    return TRUE;
  return reconcile (journal, host, report, refused, error) && fail_if_refused (refused, error);
}

static gboolean
recover_locked (const char *sysroot, KvmrtHost *host, KvmrtTuneReport *report, GError **error)
{
  g_autoptr(KvmrtJournal) journal = load_locked (sysroot, error);

  return journal != NULL && reconcile (journal, host, report, NULL, error);
}

static gboolean
give_back_locked (const char *sysroot, KvmrtHost *host, guint *n_held, KvmrtTuneReport *report,
                  GError **error)
{
  g_autoptr(KvmrtJournal) journal = load_locked (sysroot, error);
  g_autoptr(GPtrArray) refused = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) wanted = NULL;
  KvmrtTuneBackend backend;

  if (journal == NULL)
    return FALSE;
  if (kvmrt_journal_is_empty (journal))
    return TRUE;
  backend = kvmrt_tune_backend_choose (sysroot);
  wanted = kvmrt_tune_state_wanted (journal, host, backend);
  *n_held = count_leftovers (journal, wanted);
  if (!restore_unneeded (journal, backend, wanted, report, refused, error))
    return FALSE;
  /* Kernel threads moved for VMs that all left. */
  if (journal->vms->len == 0 && journal->threads->len > 0
      && !kvmrt_tune_threads_restore (journal, report, error))
    return FALSE;
  return kvmrt_journal_save (journal, error) && fail_if_refused (refused, error);
}

gboolean
kvmrt_tuner_apply (const char *sysroot, KvmrtHost *host, const KvmrtVmPlan *plan, int qemu_pid,
                   KvmrtTuneReport *report, GError **error)
{
  int lock;
  gboolean ok;

  if (!plan->rt)
    return TRUE;
  if ((lock = lock_host (sysroot, error)) < 0)
    return FALSE;
  ok = apply_locked (sysroot, host, plan, qemu_pid, report, error);
  close (lock);
  return ok;
}

gboolean
kvmrt_tuner_release (const char *sysroot, KvmrtHost *host, const char *uuid,
                     KvmrtTuneReport *report, GError **error)
{
  int lock = lock_host (sysroot, error);
  gboolean ok;

  if (lock < 0)
    return FALSE;
  ok = release_locked (sysroot, host, uuid, report, error);
  close (lock);
  return ok;
}

gboolean
kvmrt_tuner_recover (const char *sysroot, KvmrtHost *host, KvmrtTuneReport *report,
                     GError **error)
{
  int lock = lock_host (sysroot, error);
  gboolean ok;

  if (lock < 0)
    return FALSE;
  ok = recover_locked (sysroot, host, report, error);
  close (lock);
  return ok;
}

gboolean
kvmrt_tuner_give_back (const char *sysroot, KvmrtHost *host, guint *n_held,
                       KvmrtTuneReport *report, GError **error)
{
  int lock;
  gboolean ok;
  guint held = 0;

  if ((lock = lock_host (sysroot, error)) < 0)
    return FALSE;
  ok = give_back_locked (sysroot, host, &held, report, error);
  close (lock);
  if (n_held != NULL)
    *n_held = held;
  return ok;
}

guint
kvmrt_tuner_count_leftovers (const char *sysroot, KvmrtHost *host)
{
  g_autoptr(KvmrtJournal) journal = kvmrt_journal_load (sysroot, NULL);
  g_autoptr(GPtrArray) wanted = NULL;

  if (journal == NULL || kvmrt_journal_is_empty (journal))
    return 0;
  wanted = kvmrt_tune_state_wanted (journal, host, kvmrt_tune_backend_choose (sysroot));
  return count_leftovers (journal, wanted);
}

/* Who a drifted setting is for, in the window's sentence: "while %s runs". */
static char *
runs_for (KvmrtJournal *journal, const KvmrtVmPlan *plan, const char *owner)
{
  const char *mine = kvmrt_vm_get_display_title (plan->vm);

  if (owner == NULL && journal->vms->len == 1)
    owner = ((KvmrtTunedVm *) journal->vms->pdata[0])->uuid;
  if (owner == NULL)
    return g_strdup (_("while the real-time VMs run"));
  if (g_str_equal (owner, kvmrt_vm_get_uuid (plan->vm)))
    return g_strdup_printf (_("while %s runs"), mine);
  for (guint i = 0; i < journal->vms->len; i++)
    {
      const KvmrtTunedVm *vm = journal->vms->pdata[i];

      if (g_str_equal (vm->uuid, owner))
        return g_strdup_printf (_("while %s runs"), kvmrt_tuned_vm_get_label (vm));
    }
  return g_strdup (_("while the real-time VMs run"));
}

/* The window's sentence for a setting that drifted: what is, and what should be. */
static char *
tell_setting (KvmrtJournal *journal, const KvmrtVmPlan *plan, const KvmrtTuneSetting *s,
              const char *now)
{
  g_autofree char *when = runs_for (journal, plan, s->owner);

  switch (s->subject)
    {
    case KVMRT_TUNE_SUBJECT_CPU:
      return g_strdup_printf (_("CPU %d is online; it should be offline %s"), s->id, when);
    case KVMRT_TUNE_SUBJECT_CGROUP:
      return g_strdup_printf (_("%s may use CPUs %s; it should keep to CPUs %s %s"), s->name,
                              now, s->value, when);
    case KVMRT_TUNE_SUBJECT_IRQ:
      return g_strdup_printf (_("IRQ %d may go to CPUs %s; it should go to CPUs %s %s"), s->id,
                              now, s->value, when);
    case KVMRT_TUNE_SUBJECT_OTHER:
    default:
      return g_strdup_printf (_("/%s is \"%s\"; it should be \"%s\" (%s) %s"), s->path, now,
                              s->value, s->what, when);
    }
}

/* Drift of the vCPU threads: affinity other than the plan's pin, or SCHED_FIFO lost. */
static void
check_threads (const char *sysroot, const KvmrtVmPlan *plan, const KvmrtTunedVm *vm,
               int qemu_pid, GPtrArray *drift, GPtrArray *told)
{
  g_autoptr(GPtrArray) threads = qemu_pid > 0 ? kvmrt_proc_list_threads (sysroot, qemu_pid, NULL)
                                              : NULL;

  for (guint i = 0; threads != NULL && i < threads->len; i++)
    {
      const KvmrtThread *t = threads->pdata[i];
      const KvmrtIdSet *pin;

      if (t->kind != KVMRT_THREAD_VCPU || t->vcpu < 0 || (guint) t->vcpu >= plan->vcpu_pins->len)
        continue;
      pin = plan->vcpu_pins->pdata[t->vcpu];
      if (t->affinity != NULL && !kvmrt_id_set_is_empty (pin)
          && !kvmrt_id_set_equal (t->affinity, pin))
        {
          g_autofree char *now = kvmrt_id_set_to_string (t->affinity);
          g_autofree char *want = kvmrt_id_set_to_string (pin);

          g_ptr_array_add (drift, g_strdup_printf (_("vCPU %d may run on CPUs %s, not %s"),
                                                   t->vcpu, now, want));
          g_ptr_array_add (told, g_strdup_printf (_("vCPU %d may run on CPUs %s; it should run "
                                                    "on CPUs %s only"), t->vcpu, now, want));
        }
      if (vm->fifo && t->policy != SCHED_FIFO)
        {
          const char *policy = kvmrt_sched_policy_to_string (t->policy);

          g_ptr_array_add (drift, g_strdup_printf (_("vCPU %d lost SCHED_FIFO (now %s)"),
                                                   t->vcpu, policy));
          g_ptr_array_add (told, g_strdup_printf (_("vCPU %d is scheduled %s; it should be "
                                                    "SCHED_FIFO"), t->vcpu, policy));
        }
    }
}

gboolean
kvmrt_tuner_check_told (const char        *sysroot,
                        KvmrtHost         *host,
                        const KvmrtVmPlan *plan,
                        int                qemu_pid,
                        GPtrArray        **drift,
                        GPtrArray        **told,
                        GError           **error)
{
  g_autoptr(KvmrtJournal) journal = NULL;
  g_autoptr(GPtrArray) wanted = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sentences = g_ptr_array_new_with_free_func (g_free);
  const KvmrtTunedVm *vm;

  if (plan->rt)
    {
      journal = kvmrt_journal_load (sysroot, error);
      if (journal == NULL)
        return FALSE;
      vm = kvmrt_journal_lookup_vm (journal, kvmrt_vm_get_uuid (plan->vm));
      if (vm == NULL)
        {
          g_ptr_array_add (found, g_strdup (_("the host is not tuned for it (boot it with "
                                              "kvmrt-boot, which re-tunes running VMs)")));
          g_ptr_array_add (sentences, g_strdup (_("The host is not tuned for it although it "
                                                  "runs; it should be (Retune Real-Time)")));
        }
      else
        {
          KvmrtTuneBackend backend = kvmrt_tune_backend_choose (sysroot);

          wanted = kvmrt_tune_state_wanted (journal, host, backend);
          for (guint i = 0; i < wanted->len; i++)
            {
              const KvmrtTuneSetting *s = wanted->pdata[i];
              g_autofree char *now = kvmrt_tune_backend_read (backend, sysroot, s->path);

              if (now != NULL && !g_str_equal (now, s->value))
                {
                  g_ptr_array_add (found, g_strdup_printf (_("%s: /%s is \"%s\""), s->what,
                                                           s->path, now));
                  g_ptr_array_add (sentences, tell_setting (journal, plan, s, now));
                }
            }
          check_threads (sysroot, plan, vm, qemu_pid, found, sentences);
          if (kvmrt_tune_threads_applicable (sysroot, backend))
            {
              g_autoptr(KvmrtIdSet) rt = kvmrt_id_set_new ();
              g_autoptr(KvmrtIdSet) housekeeping = kvmrt_id_set_new ();
              guint before = found->len;

              kvmrt_tune_state_cpus (journal, host, rt, housekeeping);
              kvmrt_tune_threads_check (sysroot, journal, rt, found);
              /* Those say what is and what should be already. */
              for (guint i = before; i < found->len; i++)
                g_ptr_array_add (sentences, g_strdup (found->pdata[i]));
            }
        }
    }
  if (drift != NULL)
    *drift = g_ptr_array_ref (found);
  if (told != NULL)
    *told = g_ptr_array_ref (sentences);
  return found->len == 0;
}

gboolean
kvmrt_tuner_check (const char        *sysroot,
                   KvmrtHost         *host,
                   const KvmrtVmPlan *plan,
                   int                qemu_pid,
                   GPtrArray        **drift,
                   GError           **error)
{
  return kvmrt_tuner_check_told (sysroot, host, plan, qemu_pid, drift, NULL, error);
}

/* The IRQ and CPU lines of a preview come together: hosts have hundreds. */
static void
preview_irqs_and_cpus (GPtrArray *lines, GPtrArray *settings, int irq_cpu)
{
  g_autofree char *own = g_strdup_printf ("%d", irq_cpu);
  g_autoptr(KvmrtIdSet) offline = kvmrt_id_set_new ();
  guint moved = 0, to_vm = 0;
  int cpu;

  for (guint i = 0; i < settings->len; i++)
    {
      const KvmrtTuneSetting *s = settings->pdata[i];

      if (s->phase == KVMRT_TUNE_PHASE_CPU
          && sscanf (s->path, "sys/devices/system/cpu/cpu%d/online", &cpu) == 1)
        kvmrt_id_set_add (offline, cpu);
      if (s->phase != KVMRT_TUNE_PHASE_IRQ || !g_str_has_suffix (s->path, "/smp_affinity_list"))
        continue;
      if (g_str_equal (s->value, own) && strstr (s->what, "'s device") != NULL)
        to_vm++;
      else
        moved++;
    }
  if (moved > 0)
    g_ptr_array_add (lines, g_strdup_printf (_("%u IRQs moved off the real-time CPUs"), moved));
  if (to_vm > 0)
    g_ptr_array_add (lines, g_strdup_printf (_("%u IRQs of its devices sent to CPU %d"), to_vm,
                                             irq_cpu));
  if (!kvmrt_id_set_is_empty (offline))
    {
      g_autofree char *text = kvmrt_id_set_to_string (offline);

      g_ptr_array_add (lines, g_strdup_printf (_("CPUs %s offline (hyperthread siblings of its "
                                                 "cores)"), text));
    }
}

GPtrArray *
kvmrt_tuner_preview (const char *sysroot, KvmrtHost *host, const KvmrtVmPlan *plan,
                     GError **error)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(KvmrtJournal) journal = NULL;
  g_autoptr(GPtrArray) wanted = NULL;
  g_autoptr(GPtrArray) changing = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(KvmrtIdSet) rt = kvmrt_id_set_new ();
  g_autoptr(KvmrtIdSet) housekeeping = kvmrt_id_set_new ();
  KvmrtTuneBackend backend = kvmrt_tune_backend_choose (sysroot);
  guint n_threads = 0;

  if (!plan->rt || kvmrt_id_set_is_empty (plan->usable_cpus))
    return g_steal_pointer (&lines);
  journal = kvmrt_journal_load (sysroot, error);
  if (journal == NULL)
    return NULL;
  /* In memory only: the journal on disk stays as it is. */
  kvmrt_journal_put_vm (journal, kvmrt_tune_state_vm_from_plan (plan));
  wanted = kvmrt_tune_state_wanted (journal, host, backend);
  changing = g_ptr_array_new ();
  for (guint i = 0; i < wanted->len; i++)
    {
      const KvmrtTuneSetting *s = wanted->pdata[i];
      g_autofree char *now = kvmrt_tune_backend_read (backend, sysroot, s->path);

      if (now == NULL || g_str_equal (now, s->value))
        continue;
      g_ptr_array_add (changing, (gpointer) s);
      if (s->phase == KVMRT_TUNE_PHASE_CGROUP || g_str_equal (s->path, KVMRT_IRQ_DEFAULT_AFFINITY))
        g_ptr_array_add (lines, g_strdup_printf (_("%s (now %s)"), s->what,
                                                 *now != '\0' ? now : _("empty")));
    }
  preview_irqs_and_cpus (lines, changing, plan->irq_cpu);

  kvmrt_tune_state_cpus (journal, host, rt, housekeeping);
  threads = kvmrt_proc_list_movable_kthreads (sysroot);
  for (guint i = 0; i < threads->len; i++)
    n_threads += kvmrt_id_set_intersects (((KvmrtKernelThread *) threads->pdata[i])->affinity,
                                          rt);
  if (n_threads > 0 && kvmrt_tune_threads_applicable (sysroot, backend))
    g_ptr_array_add (lines, g_strdup_printf (_("%u kernel threads kept off the real-time CPUs"),
                                             n_threads));
  else if (n_threads > 0)
    g_ptr_array_add (lines, g_strdup_printf (_("%u kernel threads may run on the real-time "
                                               "CPUs; they are moved on the live host only"),
                                             n_threads));
  g_ptr_array_add (lines, g_strdup_printf (_("vCPU threads get SCHED_FIFO priority %u%s"),
                                           plan->rt_priority,
                                           kvmrt_sysroot_is_live (sysroot)
                                           || backend == KVMRT_TUNE_BACKEND_REDHAWK
                                           ? "" : _(" (on the live host only)")));
  return g_steal_pointer (&lines);
}
