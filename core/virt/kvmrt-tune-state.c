/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the host must look like while the journal's VMs run. */
#include "kvmrt-tuner-private.h"

#include <string.h>

#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"

void
kvmrt_tune_setting_free (KvmrtTuneSetting *setting)
{
  g_free (setting->path);
  g_free (setting->value);
  g_free (setting->what);
  g_free (setting->name);
  g_free (setting->owner);
  g_free (setting);
}

int
kvmrt_tune_compare_names (gconstpointer a, gconstpointer b)
{
  return g_ascii_strcasecmp (*(const char **) a, *(const char **) b);
}

KvmrtTunePhase
kvmrt_tune_phase_of (const char *path)
{
  if (g_str_has_prefix (path, "sys/devices/system/cpu/"))
    return KVMRT_TUNE_PHASE_CPU;
  if (g_str_has_prefix (path, "proc/irq/"))
    return KVMRT_TUNE_PHASE_IRQ;
  return KVMRT_TUNE_PHASE_CGROUP;
}

KvmrtTunedVm *
kvmrt_tune_state_vm_from_plan (const KvmrtVmPlan *plan)
{
  KvmrtTunedVm *vm = kvmrt_tuned_vm_new (kvmrt_vm_get_uuid (plan->vm),
                                         kvmrt_vm_get_name (plan->vm));
  const GArray *devs = kvmrt_vm_get_pcidevs (plan->vm);

  kvmrt_id_set_union (vm->shielded, plan->shielded_cpus);
  kvmrt_id_set_union (vm->offline, plan->offline_cpus);
  vm->irq_cpu = plan->irq_cpu;
  g_array_append_vals (vm->pcidevs, devs->data, devs->len);
  return vm;
}

/* The value the tuner derives a file's new value from: its original if it changed it, else
 * what the file holds now. */
char *
kvmrt_tune_state_base_value (KvmrtJournal *journal, const char *path)
{
  const char *original = kvmrt_journal_get_original (journal, path);

  /* Only plain files are derived from (cgroups, IRQs): both back ends read them alike. */
  return original != NULL ? g_strdup (original)
                          : kvmrt_sysroot_read_optional (journal->sysroot, path);
}

KvmrtTuneSetting *
kvmrt_tune_state_want (GPtrArray *settings, char *path, char *value, char *what)
{
  KvmrtTuneSetting *s = g_new0 (KvmrtTuneSetting, 1);

  s->path = path;
  s->value = value;
  s->phase = kvmrt_tune_phase_of (path);
  s->what = what;
  s->id = -1;
  g_ptr_array_add (settings, s);
  return s;
}

/* The tuned VM that took @cpu offline, or NULL. */
static const KvmrtTunedVm *
owner_of_offline_cpu (KvmrtJournal *journal, int cpu)
{
  for (guint v = 0; v < journal->vms->len; v++)
    {
      const KvmrtTunedVm *vm = journal->vms->pdata[v];

      if (vm->offline != NULL && kvmrt_id_set_contains (vm->offline, (guint) cpu))
        return vm;
    }
  return NULL;
}

static void
want_cpus_offline (GPtrArray *settings, KvmrtJournal *journal, const KvmrtIdSet *offline)
{
  for (int cpu = kvmrt_id_set_first (offline); cpu >= 0; cpu = kvmrt_id_set_next (offline, cpu))
    {
      const KvmrtTunedVm *owner = owner_of_offline_cpu (journal, cpu);
      KvmrtTuneSetting *s =
        kvmrt_tune_state_want (settings,
                               g_strdup_printf ("sys/devices/system/cpu/cpu%d/online", cpu),
                               g_strdup ("0"),
                               g_strdup_printf (_("CPU %d offline (hyperthread sibling of a "
                                                  "real-time core)"), cpu));

      s->subject = KVMRT_TUNE_SUBJECT_CPU;
      s->id = cpu;
      s->owner = owner != NULL ? g_strdup (owner->uuid) : NULL;
    }
}

/* Every top-level cgroup but libvirt's machine group keeps to the housekeeping CPUs: that is
 * the shield (cgroup v2, or the v1 cpuset hierarchy). */
static void
want_shield (GPtrArray *settings, KvmrtJournal *journal, const KvmrtIdSet *housekeeping,
             const KvmrtIdSet *all)
{
  static const char *const roots[] = { "sys/fs/cgroup", "sys/fs/cgroup/cpuset" };

  for (guint r = 0; r < G_N_ELEMENTS (roots); r++)
    {
      g_autofree char *dir_path = kvmrt_sysroot_path (journal->sysroot, roots[r]);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (!g_str_has_prefix (name, "machine") && !g_str_equal (name, "cpuset"))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, kvmrt_tune_compare_names);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_strconcat (roots[r], "/", names->pdata[i], "/cpuset.cpus",
                                               NULL);
          g_autofree char *base = kvmrt_tune_state_base_value (journal, path);
          g_autoptr(KvmrtIdSet) cpus = NULL;

          if (base == NULL)
            continue;   /* not a cgroup with a cpuset */
          /* An empty cpuset.cpus means "all of the parent's". */
          cpus = *base != '\0' ? kvmrt_id_set_parse (base, NULL) : kvmrt_id_set_copy (all);
          if (cpus == NULL)
            continue;
          kvmrt_id_set_intersect (cpus, housekeeping);
          if (kvmrt_id_set_is_empty (cpus))
            kvmrt_id_set_union (cpus, housekeeping);
          {
            char *text = kvmrt_id_set_to_string (cpus);
            KvmrtTuneSetting *s =
              kvmrt_tune_state_want (settings, g_steal_pointer (&path), text,
                                     g_strdup_printf (_("%s confined to CPUs %s"),
                                                      (char *) names->pdata[i], text));

            s->subject = KVMRT_TUNE_SUBJECT_CGROUP;
            s->name = g_strdup (names->pdata[i]);
          }
        }
    }
}

/* The tuned VM whose device raises @irq, or NULL. */
static const KvmrtTunedVm *
owner_of_irq (KvmrtJournal *journal, KvmrtHost *host, guint irq)
{
  for (guint v = 0; v < journal->vms->len; v++)
    {
      const KvmrtTunedVm *vm = journal->vms->pdata[v];

      for (guint d = 0; vm->irq_cpu >= 0 && d < vm->pcidevs->len; d++)
        {
          const KvmrtPciDevice *dev =
            kvmrt_host_lookup_pci_device (host, g_array_index (vm->pcidevs, KvmrtPciAddress, d));

          for (guint i = 0; dev != NULL && i < dev->irqs->len; i++)
            if (g_array_index (dev->irqs, guint, i) == irq)
              return vm;
        }
    }
  return NULL;
}

/* @others: also move every other IRQ off the real-time CPUs (RedHawk's shield does that
 * itself). */
static void
want_irqs (GPtrArray *settings, KvmrtJournal *journal, KvmrtHost *host,
           const KvmrtIdSet *rt, const KvmrtIdSet *housekeeping, gboolean others)
{
  GPtrArray *irqs = kvmrt_host_get_irqs (host);

  for (guint i = 0; irqs != NULL && i < irqs->len; i++)
    {
      const KvmrtIrq *irq = irqs->pdata[i];
      g_autofree char *path = NULL;
      g_autofree char *base = NULL;
      g_autoptr(KvmrtIdSet) cpus = NULL;
      const KvmrtTunedVm *owner;

      if (irq->number < 0)
        continue;
      path = g_strdup_printf ("proc/irq/%d/smp_affinity_list", irq->number);
      owner = owner_of_irq (journal, host, (guint) irq->number);
      if (owner != NULL)
        {
          KvmrtTuneSetting *s =
            kvmrt_tune_state_want (settings, g_steal_pointer (&path),
                                   g_strdup_printf ("%d", owner->irq_cpu),
                                   g_strdup_printf (_("IRQ %d (%s's device) to CPU %d"),
                                                    irq->number,
                                                    kvmrt_tuned_vm_get_label (owner),
                                                    owner->irq_cpu));

          s->subject = KVMRT_TUNE_SUBJECT_IRQ;
          s->id = irq->number;
          s->owner = g_strdup (owner->uuid);
          continue;
        }
      if (!others)
        continue;
      base = kvmrt_tune_state_base_value (journal, path);
      cpus = base != NULL ? kvmrt_id_set_parse (base, NULL) : NULL;
      if (cpus == NULL || !kvmrt_id_set_intersects (cpus, rt))
        continue;
      kvmrt_id_set_intersect (cpus, housekeeping);
      if (kvmrt_id_set_is_empty (cpus))
        kvmrt_id_set_union (cpus, housekeeping);
      {
        KvmrtTuneSetting *s =
          kvmrt_tune_state_want (settings, g_steal_pointer (&path),
                                 kvmrt_id_set_to_string (cpus),
                                 g_strdup_printf (_("IRQ %d off the real-time CPUs"),
                                                  irq->number));

        s->subject = KVMRT_TUNE_SUBJECT_IRQ;
        s->id = irq->number;
      }
    }
}

static int
compare_phase (gconstpointer a, gconstpointer b)
{
  const KvmrtTuneSetting *x = *(KvmrtTuneSetting **) a, *y = *(KvmrtTuneSetting **) b;

  return (int) x->phase - (int) y->phase;
}

void
kvmrt_tune_state_cpus (KvmrtJournal *journal, KvmrtHost *host, KvmrtIdSet *rt,
                       KvmrtIdSet *housekeeping)
{
  g_autoptr(KvmrtIdSet) offline = kvmrt_id_set_new ();

  kvmrt_id_set_clear (rt);
  kvmrt_id_set_clear (housekeeping);
  kvmrt_id_set_union (housekeeping, kvmrt_host_get_cpus (host));
  for (guint i = 0; i < journal->vms->len; i++)
    {
      const KvmrtTunedVm *vm = journal->vms->pdata[i];

      kvmrt_id_set_union (rt, vm->shielded);
      kvmrt_id_set_union (offline, vm->offline);
    }
  kvmrt_id_set_subtract (housekeeping, rt);
  kvmrt_id_set_subtract (housekeeping, offline);
  /* CPUs someone else took offline take nothing either; those we took offline count as
   * online (they come back when their VM stops). */
  for (int cpu = kvmrt_id_set_first (kvmrt_host_get_cpus (host)); cpu >= 0;
       cpu = kvmrt_id_set_next (kvmrt_host_get_cpus (host), cpu))
    {
      g_autofree char *path = g_strdup_printf ("sys/devices/system/cpu/cpu%d/online", cpu);

      if (!kvmrt_id_set_contains (kvmrt_host_get_online_cpus (host), cpu)
          && kvmrt_journal_get_original (journal, path) == NULL)
        kvmrt_id_set_remove (housekeeping, cpu);
    }
}

GPtrArray *
kvmrt_tune_state_wanted (KvmrtJournal *journal, KvmrtHost *host, KvmrtTuneBackend backend)
{
  GPtrArray *settings = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                        kvmrt_tune_setting_free);
  g_autoptr(KvmrtIdSet) rt = kvmrt_id_set_new ();
  g_autoptr(KvmrtIdSet) offline = kvmrt_id_set_new ();
  g_autoptr(KvmrtIdSet) housekeeping = kvmrt_id_set_new ();

  if (journal->vms->len == 0)
    return settings;
  kvmrt_tune_state_cpus (journal, host, rt, housekeeping);
  for (guint i = 0; i < journal->vms->len; i++)
    kvmrt_id_set_union (offline, ((KvmrtTunedVm *) journal->vms->pdata[i])->offline);

  if (backend == KVMRT_TUNE_BACKEND_REDHAWK)
    {
      char *list = kvmrt_id_set_to_string (rt);

      kvmrt_tune_state_want (settings, g_strdup (KVMRT_REDHAWK_SHIELD_FILE), list,
                             g_strdup_printf (_("CPUs %s shielded (shield -a)"), list));
    }
  else
    {
      want_shield (settings, journal, housekeeping, kvmrt_host_get_cpus (host));
      kvmrt_tune_state_want_other_vms (settings, journal, rt, housekeeping);
    }
  kvmrt_tune_state_want_kernel (settings, journal, housekeeping);
  want_irqs (settings, journal, host, rt, housekeeping, backend == KVMRT_TUNE_BACKEND_LINUX);
  want_cpus_offline (settings, journal, offline);
  g_ptr_array_sort (settings, compare_phase);
  return settings;
}
