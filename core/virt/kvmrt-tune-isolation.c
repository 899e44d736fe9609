/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rest of the shield, beyond cgroups, IRQs and CPUs (what tuned's realtime-virtual-host
 * profile does at run time): other VMs' QEMUs confined through their machine cgroups, unbound
 * kernel work and new interrupts kept on the housekeeping CPUs, real-time throttling lifted, timer migration off,
 * VM statistics refreshed less often, and no NMI watchdog on the real-time CPUs. */
#include "kvmrt-tuner-private.h"

#include <string.h>

#include "kvmrt-i18n.h"
#include "kvmrt-proc.h"
#include "kvmrt-sysroot.h"

/* How deep below a VM's scope libvirt's own groups go (libvirt/vcpu0, libvirt/emulator). */
#define MAX_SCOPE_DEPTH 3

/* @cpus without the real-time CPUs; the housekeeping CPUs when nothing is left. */
static void
confine (KvmrtIdSet *cpus, const KvmrtIdSet *housekeeping)
{
  kvmrt_id_set_intersect (cpus, housekeeping);
  if (kvmrt_id_set_is_empty (cpus))
    kvmrt_id_set_union (cpus, housekeeping);
}

/* The group directly below libvirt's machine group that holds @cgroup
 * ("machine.slice/machine-qemu\x2d1\x2dweb.scope"), or NULL when @cgroup is not in one. */
static char *
machine_scope_of (const char *cgroup)
{
  g_auto(GStrv) parts = cgroup != NULL ? g_strsplit (cgroup, "/", 3) : NULL;

  if (parts == NULL || g_strv_length (parts) < 2 || !g_str_has_prefix (parts[0], "machine"))
    return NULL;
  return g_strconcat (parts[0], "/", parts[1], NULL);
}

/* Confines @dir (sysroot-relative) and the groups below it that name real-time CPUs. The
 * deepest first: cgroup v1 refuses a parent narrower than its children. */
static void
want_group_tree (GPtrArray *settings, KvmrtJournal *journal, const char *dir, guint depth,
                 const KvmrtIdSet *rt, const KvmrtIdSet *housekeeping, const char *label)
{
  g_autofree char *full = kvmrt_sysroot_path (journal->sysroot, dir);
  g_autoptr(GDir) listing = depth < MAX_SCOPE_DEPTH ? g_dir_open (full, 0, NULL) : NULL;
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = g_strconcat (dir, "/cpuset.cpus", NULL);
  g_autofree char *base = NULL;
  g_autoptr(KvmrtIdSet) cpus = NULL;
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *child = g_strconcat (dir, "/", name, NULL);
      g_autofree char *child_full = kvmrt_sysroot_path (journal->sysroot, child);

      if (g_file_test (child_full, G_FILE_TEST_IS_DIR)
          && !g_file_test (child_full, G_FILE_TEST_IS_SYMLINK))
        g_ptr_array_add (children, g_steal_pointer (&child));
    }
  g_ptr_array_sort (children, kvmrt_tune_compare_names);
  for (guint i = 0; i < children->len; i++)
    want_group_tree (settings, journal, children->pdata[i], depth + 1, rt, housekeeping, label);

  base = kvmrt_tune_state_base_value (journal, path);
  if (base == NULL)
    return;
  /* Below the scope an empty value follows the scope, which is confined already. */
  if (*base == '\0' && depth > 0)
    return;
  cpus = *base != '\0' ? kvmrt_id_set_parse (base, NULL) : kvmrt_id_set_copy (housekeeping);
  if (cpus == NULL || (depth > 0 && !kvmrt_id_set_intersects (cpus, rt)))
    return;
  confine (cpus, housekeeping);
  {
    char *text = kvmrt_id_set_to_string (cpus);

    kvmrt_tune_state_want (settings, g_steal_pointer (&path), text,
                           g_strdup_printf (_("%s kept to CPUs %s"), label, text));
  }
}

/* Every QEMU that is not one of the tuned real-time VMs (configured or not, started by kvmrt
 * or with virsh) is confined through the scope libvirt and systemd-machined made for it. A
 * scope that also holds a real-time VM's QEMU is left alone. QEMUs outside libvirt's machine
 * group are in the top-level groups, which the shield confines already. */
void
kvmrt_tune_state_want_other_vms (GPtrArray *settings, KvmrtJournal *journal,
                                 const KvmrtIdSet *rt, const KvmrtIdSet *housekeeping)
{
  static const struct { const char *root; const char *controller; } hierarchies[] = {
    { "sys/fs/cgroup", NULL }, { "sys/fs/cgroup/cpuset", "cpuset" },
  };
  g_autoptr(GPtrArray) qemus = kvmrt_proc_list_qemus (journal->sysroot);

  for (guint h = 0; h < G_N_ELEMENTS (hierarchies); h++)
    {
      g_autoptr(GHashTable) rt_scopes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               NULL);
      g_autoptr(GHashTable) other_scopes = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                  g_free, NULL);
      g_autoptr(GPtrArray) order = g_ptr_array_new ();

      for (guint i = 0; i < qemus->len; i++)
        {
          const KvmrtQemuProcess *q = qemus->pdata[i];
          g_autofree char *cgroup = kvmrt_proc_get_cgroup (journal->sysroot, q->pid,
                                                           hierarchies[h].controller);
          char *scope = machine_scope_of (cgroup);

          if (scope == NULL)
            continue;
          if (q->uuid != NULL && kvmrt_journal_lookup_vm (journal, q->uuid) != NULL)
            g_hash_table_add (rt_scopes, scope);
          else if (!g_hash_table_contains (other_scopes, scope))
            {
              g_hash_table_insert (other_scopes, scope, GINT_TO_POINTER (q->pid));
              g_ptr_array_add (order, scope);
            }
          else
            g_free (scope);
        }
      for (guint i = 0; i < order->len; i++)
        {
          const char *scope = order->pdata[i];
          g_autofree char *dir = NULL;
          g_autofree char *label = NULL;

          if (g_hash_table_contains (rt_scopes, scope))
            continue;
          dir = g_strconcat (hierarchies[h].root, "/", scope, NULL);
          label = g_strdup_printf (_("QEMU %d (%s)"),
                                   GPOINTER_TO_INT (g_hash_table_lookup (other_scopes, scope)),
                                   strchr (scope, '/') + 1);
          want_group_tree (settings, journal, dir, 0, rt, housekeeping, label);
        }
    }
}

/* A kernel CPU mask file (hexadecimal) kept to the housekeeping CPUs. */
static void
want_mask (GPtrArray *settings, KvmrtJournal *journal, const char *path,
                     const KvmrtIdSet *housekeeping, const char *subject)
{
  g_autofree char *base = kvmrt_tune_state_base_value (journal, path);
  g_autoptr(KvmrtIdSet) cpus = base != NULL ? kvmrt_id_set_parse_mask (base) : NULL;
  g_autofree char *list = NULL;

  if (cpus == NULL || *base == '\0')
    return;
  confine (cpus, housekeeping);
  list = kvmrt_id_set_to_string (cpus);
  kvmrt_tune_state_want (settings, g_strdup (path), kvmrt_id_set_to_mask (cpus, base),
                         g_strdup_printf (_("%s kept to CPUs %s"), subject, list));
}

/* A sysctl set to @value when the kernel has it. */
static void
want_sysctl (GPtrArray *settings, KvmrtJournal *journal, const char *path, const char *value,
             char *what)
{
  g_autofree char *base = kvmrt_tune_state_base_value (journal, path);

  if (base == NULL)
    {
      g_free (what);
      return;
    }
  kvmrt_tune_state_want (settings, g_strdup (path), g_strdup (value), what);
}

/* The least seconds between VM statistics updates while real-time VMs run: each update
 * interrupts every CPU with work to fold (tuned's realtime profile uses 10). */
#define STAT_INTERVAL 10

void
kvmrt_tune_state_want_kernel (GPtrArray *settings, KvmrtJournal *journal,
                              const KvmrtIdSet *housekeeping)
{
  g_autofree char *interval = kvmrt_tune_state_base_value (journal, KVMRT_SYSCTL_STAT_INTERVAL);
  g_autofree char *watchdog_mask = kvmrt_tune_state_base_value (journal,
                                                                KVMRT_SYSCTL_WATCHDOG_CPUMASK);

  want_mask (settings, journal, KVMRT_WORKQUEUE_CPUMASK, housekeeping,
             _("unbound kernel work queues"));
  want_mask (settings, journal, KVMRT_WRITEBACK_CPUMASK, housekeeping, _("writeback work queue"));
  /* Interrupts set up while the VM runs (a driver loading) start with this affinity. */
  want_mask (settings, journal, KVMRT_IRQ_DEFAULT_AFFINITY, housekeeping,
             _("interrupts set up from now on"));
  want_sysctl (settings, journal, KVMRT_SYSCTL_RT_RUNTIME, "-1",
               g_strdup (_("real-time throttling lifted (kernel.sched_rt_runtime_us = -1): a "
                           "busy SCHED_FIFO vCPU is not stopped for 50 ms every second")));
  want_sysctl (settings, journal, KVMRT_SYSCTL_TIMER_MIGRATION, "0",
               g_strdup (_("timer migration off (kernel.timer_migration = 0)")));
  if (interval != NULL && g_ascii_strtoll (interval, NULL, 10) < STAT_INTERVAL)
    {
      g_autofree char *value = g_strdup_printf ("%d", STAT_INTERVAL);

      want_sysctl (settings, journal, KVMRT_SYSCTL_STAT_INTERVAL, value,
                   g_strdup_printf (_("VM statistics every %d s (vm.stat_interval)"),
                                    STAT_INTERVAL));
    }
  /* The watchdog's CPU mask where the kernel has one; else the NMI watchdog goes off. */
  if (watchdog_mask != NULL)
    {
      g_autoptr(KvmrtIdSet) cpus = *watchdog_mask != '\0'
                                   ? kvmrt_id_set_parse (watchdog_mask, NULL) : NULL;
      char *text;

      if (cpus == NULL)
        return;
      confine (cpus, housekeeping);
      text = kvmrt_id_set_to_string (cpus);
      kvmrt_tune_state_want (settings, g_strdup (KVMRT_SYSCTL_WATCHDOG_CPUMASK), text,
                             g_strdup_printf (_("lockup watchdogs only on CPUs %s "
                                                "(kernel.watchdog_cpumask)"), text));
    }
  else
    want_sysctl (settings, journal, KVMRT_SYSCTL_NMI_WATCHDOG, "0",
                 g_strdup (_("NMI watchdog off (kernel.nmi_watchdog = 0; this kernel has no "
                             "watchdog_cpumask)")));
}
