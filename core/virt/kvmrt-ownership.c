/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-ownership.h"

#include <string.h>

#include "kvmrt-i18n.h"

struct _KvmrtOwnership
{
  KvmrtHost     *host;          /* owned */
  KvmrtCpuOwner *cpus;          /* per CPU number, n_cpus of them */
  guint          n_cpus;
  GHashTable    *devices;       /* "dddd:bb:ss.f" -> KvmrtDeviceOwner* */
  KvmrtDeviceOwner host_device;
  KvmrtIdSet    *shielded;
  GHashTable    *vm_irqs;       /* KvmrtVm* -> KvmrtIdSet* of its devices' IRQ numbers */
  GHashTable    *vm_addresses;  /* KvmrtVm* -> GPtrArray of "dddd:bb:ss.f" */
  GPtrArray     *names;         /* char*: journal names of VMs the config lacks */
};

static gboolean
is_running (GHashTable *running, KvmrtVm *vm)
{
  return running != NULL && g_hash_table_contains (running, kvmrt_vm_get_uuid (vm));
}

static const KvmrtVmPlan *
lookup_plan_by_uuid (KvmrtPlan *plan, const char *uuid)
{
  for (guint i = 0; plan != NULL && i < kvmrt_plan_get_n_vms (plan); i++)
    {
      const KvmrtVmPlan *vm_plan = kvmrt_plan_get_vm (plan, i);

      if (g_str_equal (kvmrt_vm_get_uuid (vm_plan->vm), uuid))
        return vm_plan;
    }
  return NULL;
}

static int
find_vcpu (const KvmrtVmPlan *plan, guint cpu)
{
  for (guint i = 0; plan != NULL && i < plan->vcpu_pins->len; i++)
    {
      const KvmrtIdSet *pin = plan->vcpu_pins->pdata[i];

      if (kvmrt_id_set_count (pin) == 1 && kvmrt_id_set_contains (pin, cpu))
        return i;
    }
  return -1;
}

static void
set_vm_owner (KvmrtOwnership *self, guint cpu, KvmrtOwnerKind kind, const KvmrtVmPlan *plan,
              const char *name)
{
  KvmrtCpuOwner *owner = &self->cpus[cpu];

  owner->kind = kind;
  owner->vm = plan != NULL ? plan->vm : NULL;
  owner->vm_name = plan != NULL && kvmrt_vm_get_name (plan->vm) != NULL
                   ? kvmrt_vm_get_name (plan->vm) : name;
  owner->vcpu = kind == KVMRT_OWNER_OFFLINE ? -1 : find_vcpu (plan, cpu);
}

/* Rules 1 and 2: what the tuner recorded. */
static void
apply_journal (KvmrtOwnership *self, KvmrtPlan *plan, KvmrtJournal *journal)
{
  for (guint i = 0; journal != NULL && i < journal->vms->len; i++)
    {
      const KvmrtTunedVm *tuned = journal->vms->pdata[i];
      const KvmrtVmPlan *vm_plan = lookup_plan_by_uuid (plan, tuned->uuid);
      const char *name = tuned->name;

      /* A VM tuned but no longer configured keeps its journal name (owned here). */
      if (vm_plan == NULL && name != NULL)
        {
          name = g_strdup (name);
          g_ptr_array_add (self->names, (char *) name);
        }
      for (int cpu = kvmrt_id_set_first (tuned->offline); cpu >= 0;
           cpu = kvmrt_id_set_next (tuned->offline, cpu))
        if ((guint) cpu < self->n_cpus)
          set_vm_owner (self, cpu, self->cpus[cpu].online ? KVMRT_OWNER_RT_VM
                                                          : KVMRT_OWNER_OFFLINE, vm_plan, name);
      for (int cpu = kvmrt_id_set_first (tuned->shielded); cpu >= 0;
           cpu = kvmrt_id_set_next (tuned->shielded, cpu))
        if ((guint) cpu < self->n_cpus)
          {
            set_vm_owner (self, cpu, KVMRT_OWNER_RT_VM, vm_plan, name);
            self->cpus[cpu].shielded = TRUE;
            kvmrt_id_set_add (self->shielded, cpu);
          }
    }
}

/* Rules 4 and 5, for CPUs the journal left to the host. */
static void
apply_running (KvmrtOwnership *self, const KvmrtVmPlan *vm_plan)
{
  const KvmrtIdSet *cpus = vm_plan->rt ? vm_plan->usable_cpus : vm_plan->cpus;
  KvmrtOwnerKind kind = vm_plan->rt ? KVMRT_OWNER_RT_VM : KVMRT_OWNER_VM;

  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    if ((guint) cpu < self->n_cpus && self->cpus[cpu].kind == KVMRT_OWNER_HOST
        && self->cpus[cpu].online)
      set_vm_owner (self, cpu, kind, vm_plan, NULL);
}

/* A device's IRQs as numbers: those the host model found for it. */
static void
add_device (KvmrtOwnership *self, const KvmrtVmPlan *vm_plan, KvmrtPciAddress address)
{
  const KvmrtPciDevice *device = kvmrt_host_lookup_pci_device (self->host, address);
  KvmrtDeviceOwner *owner = g_new0 (KvmrtDeviceOwner, 1);
  KvmrtIdSet *irqs = g_hash_table_lookup (self->vm_irqs, vm_plan->vm);
  GPtrArray *addresses = g_hash_table_lookup (self->vm_addresses, vm_plan->vm);

  owner->kind = vm_plan->rt ? KVMRT_OWNER_RT_VM : KVMRT_OWNER_VM;
  owner->vm = vm_plan->vm;
  g_hash_table_replace (self->devices, kvmrt_pci_address_to_string (address), owner);
  if (irqs == NULL)
    {
      irqs = kvmrt_id_set_new ();
      g_hash_table_insert (self->vm_irqs, vm_plan->vm, irqs);
      addresses = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (self->vm_addresses, vm_plan->vm, addresses);
    }
  g_ptr_array_add (addresses, kvmrt_pci_address_to_string (address));
  for (guint i = 0; device != NULL && device->irqs != NULL && i < device->irqs->len; i++)
    kvmrt_id_set_add (irqs, g_array_index (device->irqs, guint, i));
}

KvmrtOwnership *
kvmrt_ownership_new (KvmrtHost        *host,
                     KvmrtPlan        *plan,
                     KvmrtJournal     *journal,
                     const KvmrtIdSet *online,
                     GHashTable       *running)
{
  KvmrtOwnership *self = g_new0 (KvmrtOwnership, 1);

  g_return_val_if_fail (KVMRT_IS_HOST (host), NULL);

  if (online == NULL)
    online = kvmrt_host_get_online_cpus (host);
  self->host = g_object_ref (host);
  self->n_cpus = kvmrt_host_get_n_cpus (host);
  self->cpus = g_new0 (KvmrtCpuOwner, self->n_cpus);
  self->shielded = kvmrt_id_set_new ();
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->vm_irqs = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) kvmrt_id_set_free);
  self->vm_addresses = g_hash_table_new_full (NULL, NULL, NULL,
                                              (GDestroyNotify) g_ptr_array_unref);
  self->host_device.kind = KVMRT_OWNER_HOST;

  for (guint cpu = 0; cpu < self->n_cpus; cpu++)
    {
      self->cpus[cpu].vcpu = -1;
      self->cpus[cpu].online = kvmrt_id_set_contains (online, cpu);
      /* Rule 3; CPU numbers the host lacks stay offline too. */
      self->cpus[cpu].kind = self->cpus[cpu].online ? KVMRT_OWNER_HOST : KVMRT_OWNER_OFFLINE;
    }
  apply_journal (self, plan, journal);

  for (guint i = 0; plan != NULL && i < kvmrt_plan_get_n_vms (plan); i++)
    {
      const KvmrtVmPlan *vm_plan = kvmrt_plan_get_vm (plan, i);
      const GArray *pcidevs = kvmrt_vm_get_pcidevs (vm_plan->vm);

      if (!is_running (running, vm_plan->vm))
        continue;
      apply_running (self, vm_plan);
      for (guint j = 0; pcidevs != NULL && j < pcidevs->len; j++)
        add_device (self, vm_plan, g_array_index (pcidevs, KvmrtPciAddress, j));
    }
  return self;
}

void
kvmrt_ownership_free (KvmrtOwnership *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->host);
  g_free (self->cpus);
  g_hash_table_unref (self->devices);
  g_hash_table_unref (self->vm_irqs);
  g_hash_table_unref (self->vm_addresses);
  g_ptr_array_unref (self->names);
  kvmrt_id_set_free (self->shielded);
  g_free (self);
}

const KvmrtCpuOwner *
kvmrt_ownership_get_cpu (KvmrtOwnership *self, guint cpu)
{
  if (cpu >= self->n_cpus || !kvmrt_id_set_contains (kvmrt_host_get_cpus (self->host), cpu))
    return NULL;
  return &self->cpus[cpu];
}

const KvmrtDeviceOwner *
kvmrt_ownership_get_device (KvmrtOwnership *self, KvmrtPciAddress address)
{
  g_autofree char *key = kvmrt_pci_address_to_string (address);
  const KvmrtDeviceOwner *owner = g_hash_table_lookup (self->devices, key);

  return owner != NULL ? owner : &self->host_device;
}

const KvmrtIdSet *
kvmrt_ownership_get_shielded (KvmrtOwnership *self)
{
  return self->shielded;
}

gboolean
kvmrt_ownership_irq_is_owners (KvmrtOwnership *self, const KvmrtIrq *irq, guint cpu)
{
  const KvmrtCpuOwner *owner = kvmrt_ownership_get_cpu (self, cpu);
  const KvmrtIdSet *irqs;
  GPtrArray *addresses;

  if (owner == NULL || owner->vm == NULL || irq->number < 0)
    return FALSE;
  irqs = g_hash_table_lookup (self->vm_irqs, owner->vm);
  if (irqs != NULL && kvmrt_id_set_contains (irqs, irq->number))
    return TRUE;
  /* vfio names its vectors after the device: "vfio-msix[0](0000:21:00.1)". */
  addresses = g_hash_table_lookup (self->vm_addresses, owner->vm);
  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    if ((irq->actions != NULL && strstr (irq->actions, addresses->pdata[i]) != NULL)
        || (irq->chip != NULL && strstr (irq->chip, addresses->pdata[i]) != NULL))
      return TRUE;
  return FALSE;
}

const char *
kvmrt_owner_kind_to_string (KvmrtOwnerKind kind)
{
  switch (kind)
    {
    case KVMRT_OWNER_HOST:
      return _("Host");
    case KVMRT_OWNER_RT_VM:
      return _("Real-time VM");
    case KVMRT_OWNER_VM:
      return _("Other VM");
    case KVMRT_OWNER_OFFLINE:
      return _("Offline");
    }
  g_return_val_if_reached (NULL);
}

const char *
kvmrt_owner_kind_to_id (KvmrtOwnerKind kind)
{
  static const char *const ids[] = { "host", "real-time", "vm", "offline" };

  g_return_val_if_fail (kind < G_N_ELEMENTS (ids), NULL);
  return ids[kind];
}

char *
kvmrt_cpu_owner_describe (const KvmrtCpuOwner *owner)
{
  GString *text = g_string_new (NULL);

  if (owner->vm_name == NULL)
    g_string_append (text, kvmrt_owner_kind_to_string (owner->kind));
  else if (owner->kind == KVMRT_OWNER_OFFLINE)
    g_string_append_printf (text, _("Offline (sibling taken by %s)"), owner->vm_name);
  else
    g_string_append (text, owner->vm_name);
  if (owner->vcpu >= 0)
    g_string_append_printf (text, _(", vCPU %d"), owner->vcpu);
  if (owner->shielded)
    g_string_append (text, _(", shielded"));
  return g_string_free (text, FALSE);
}
