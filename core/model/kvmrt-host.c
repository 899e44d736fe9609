/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtHost: loading a host below its sysroot (the parts are read by kvmrt-host-topology.c,
 * kvmrt-host-pci.c and kvmrt-host-irq.c) and the accessors of the model. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-error.h"
#include "kvmrt-host-private.h"
#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"

/* The first processor of /proc/cpuinfo is within this many bytes; a 256-CPU host's whole file
 * is half a megabyte that the kernel formats on each read. */
#define CPUINFO_PREFIX 16384

G_DEFINE_FINAL_TYPE (KvmrtHost, kvmrt_host, G_TYPE_OBJECT)

static void
kvmrt_host_finalize (GObject *object)
{
  KvmrtHost *self = KVMRT_HOST (object);

  g_free (self->sysroot);
  g_free (self->hostname);
  g_free (self->machine);
  g_free (self->cpu_model);
  g_free (self->cmdline);
  g_clear_pointer (&self->cpus, kvmrt_id_set_free);
  g_clear_pointer (&self->online_cpus, kvmrt_id_set_free);
  for (guint l = 0; l < KVMRT_HOST_N_LEVELS; l++)
    {
      g_free (self->cpu_level[l]);
      g_clear_pointer (&self->level_ids[l], kvmrt_id_set_free);
      g_clear_pointer (&self->level_cpus[l], g_ptr_array_unref);
    }
  g_clear_pointer (&self->lone_cpus, g_ptr_array_unref);
  g_clear_pointer (&self->node_memory, g_array_unref);
  g_clear_pointer (&self->hugepages, g_array_unref);
  g_clear_pointer (&self->caches, g_ptr_array_unref);
  g_clear_pointer (&self->pci_devices, g_ptr_array_unref);
  g_clear_pointer (&self->iommu_groups, g_hash_table_unref);
  g_clear_pointer (&self->irqs, g_ptr_array_unref);
  g_clear_pointer (&self->irq_columns, g_array_unref);

  G_OBJECT_CLASS (kvmrt_host_parent_class)->finalize (object);
}

static void
kvmrt_host_class_init (KvmrtHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kvmrt_host_finalize;
}

static void
kvmrt_host_init (KvmrtHost *self)
{
  self->node_memory = g_array_new (FALSE, TRUE, sizeof (guint64));
  self->hugepages = g_array_new (FALSE, FALSE, sizeof (KvmrtHugePages));
  self->caches = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_host_cache_free);
  self->pci_devices = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_pci_device_free);
  self->iommu_groups = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);
  self->irqs = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_irq_free);
}

static gboolean
check_sysroot (const char *sysroot, GError **error)
{
  g_autofree char *cpu_dir = NULL;

  if (!g_file_test (sysroot, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_SYSROOT,
                   _("The host root “%s” does not exist or is not a directory. Give “/” for "
                     "this machine, or a directory made with kvmrt-host-snapshot."), sysroot);
      return FALSE;
    }
  cpu_dir = kvmrt_sysroot_path (sysroot, "sys/devices/system/cpu");
  if (!g_file_test (cpu_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_SYSROOT,
                   _("“%s” is not a host root: it has no sys/devices/system/cpu. A host root "
                     "holds the kernel's sys/ and proc/ files of a machine (“/” for this "
                     "one); make a copy of a machine's with kvmrt-host-snapshot."), sysroot);
      return FALSE;
    }
  return TRUE;
}

static char *
read_stripped (const char *sysroot, const char *relative)
{
  char *text = kvmrt_sysroot_read_optional (sysroot, relative);

  if (text != NULL && *g_strstrip (text) == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

/* "Supermicro M12SWA-TF": the board, else the system's product name. */
static char *
read_machine (const char *sysroot)
{
  static const char *const pairs[][2] = {
    { "sys/class/dmi/id/board_vendor", "sys/class/dmi/id/board_name" },
    { "sys/class/dmi/id/sys_vendor", "sys/class/dmi/id/product_name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *vendor = read_stripped (sysroot, pairs[i][0]);
      g_autofree char *name = read_stripped (sysroot, pairs[i][1]);

      if (name != NULL)
        return vendor != NULL ? g_strdup_printf ("%s %s", vendor, name) : g_steal_pointer (&name);
    }
  return NULL;
}

static char *
read_cpu_model (const char *sysroot)
{
  /* x86 and most others say "model name"; the rest name the CPU in one of these. */
  static const char *const keys[] = { "model name", "Processor", "cpu model", "cpu" };
  g_autofree char *path = kvmrt_sysroot_path (sysroot, "proc/cpuinfo");
  char buf[CPUINFO_PREFIX + 1];
  gsize used = 0;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  while (used < CPUINFO_PREFIX)
    {
      ssize_t n = read (fd, buf + used, CPUINFO_PREFIX - used);

      if (n <= 0)
        break;
      used += n;
    }
  close (fd);
  buf[used] = '\0';

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      gsize key_length = strlen (keys[k]);

      for (char *line = buf; line != NULL && *line != '\0'; )
        {
          char *next = strchr (line, '\n');

          if (next != NULL)
            *next = '\0';
          if (strncmp (line, keys[k], key_length) == 0
              && (line[key_length] == '\t' || line[key_length] == ' '
                  || line[key_length] == ':'))
            {
              char *colon = strchr (line, ':');

              if (colon != NULL && *g_strstrip (colon + 1) != '\0')
                return g_strdup (colon + 1);
            }
          if (next != NULL)
            *next = '\n';
          line = next != NULL ? next + 1 : NULL;
        }
    }
  return NULL;
}

KvmrtHost *
kvmrt_host_load (const char         *sysroot,
                 KvmrtHostLoadFlags  flags,
                 GError            **error)
{
  g_autoptr(KvmrtHost) self = NULL;

  if (sysroot == NULL || *sysroot == '\0')
    sysroot = "/";
  if (!check_sysroot (sysroot, error))
    return NULL;

  self = g_object_new (KVMRT_TYPE_HOST, NULL);
  self->sysroot = g_strdup (sysroot);
  self->flags = flags;

  if (!kvmrt_host_load_topology (self, error))
    return NULL;
  kvmrt_host_load_hugepages (self);
  if (flags & KVMRT_HOST_LOAD_CACHES)
    kvmrt_host_load_caches (self);

  self->hostname = read_stripped (sysroot, "proc/sys/kernel/hostname");
  self->machine = read_machine (sysroot);
  self->cpu_model = read_cpu_model (sysroot);
  self->cmdline = read_stripped (sysroot, "proc/cmdline");
  if (self->cmdline == NULL)
    self->cmdline = g_strdup ("");

  if ((flags & KVMRT_HOST_LOAD_NO_PCI) == 0)
    {
      if (!kvmrt_host_load_pci (self, error))
        return NULL;
      kvmrt_host_load_needs (self);
    }
  if ((flags & KVMRT_HOST_LOAD_NO_IRQS) == 0 && !kvmrt_host_load_irqs (self, error))
    return NULL;
  if (self->irq_columns == NULL)
    self->irq_columns = g_array_new (FALSE, FALSE, sizeof (guint));

  return g_steal_pointer (&self);
}

const char *
kvmrt_host_get_sysroot (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  return self->sysroot;
}

const char *
kvmrt_host_get_hostname (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  return self->hostname;
}

const char *
kvmrt_host_get_machine (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  return self->machine;
}

const char *
kvmrt_host_get_cpu_model (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  return self->cpu_model;
}

const char *
kvmrt_host_get_cmdline (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), "");
  return self->cmdline;
}

const KvmrtIdSet *
kvmrt_host_get_cpus (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  return self->cpus;
}

const KvmrtIdSet *
kvmrt_host_get_online_cpus (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  return self->online_cpus;
}

guint
kvmrt_host_get_n_cpus (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), 0);
  return self->n_cpus;
}

const KvmrtIdSet *
kvmrt_host_get_ids (KvmrtHost *self, KvmrtHostLevel level)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  g_return_val_if_fail (level < KVMRT_HOST_N_LEVELS, NULL);
  return self->level_ids[level];
}

const KvmrtIdSet *
kvmrt_host_get_level_cpus (KvmrtHost *self, KvmrtHostLevel level, guint id)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  g_return_val_if_fail (level < KVMRT_HOST_N_LEVELS, NULL);
  if (id >= self->level_cpus[level]->len)
    return NULL;
  return g_ptr_array_index (self->level_cpus[level], id);
}

int
kvmrt_host_get_cpu_level (KvmrtHost *self, KvmrtHostLevel level, guint cpu)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), -1);
  g_return_val_if_fail (level < KVMRT_HOST_N_LEVELS, -1);
  if (cpu >= self->n_cpus)
    return -1;
  return self->cpu_level[level][cpu];
}

const KvmrtIdSet *
kvmrt_host_get_core_siblings (KvmrtHost *self, guint cpu)
{
  int core;

  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  if (cpu >= self->n_cpus || !kvmrt_id_set_contains (self->cpus, cpu))
    return NULL;
  core = self->cpu_level[KVMRT_HOST_LEVEL_CORE][cpu];
  if (core >= 0)
    return g_ptr_array_index (self->level_cpus[KVMRT_HOST_LEVEL_CORE], core);
  return g_ptr_array_index (self->lone_cpus, cpu);
}

KvmrtIdSet *
kvmrt_host_get_nodes_of_cpus (KvmrtHost *self, const KvmrtIdSet *cpus)
{
  KvmrtIdSet *nodes;

  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  nodes = kvmrt_id_set_new ();
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0 && (guint) cpu < self->n_cpus;
       cpu = kvmrt_id_set_next (cpus, cpu))
    {
      int node = self->cpu_level[KVMRT_HOST_LEVEL_NODE][cpu];

      if (node >= 0)
        kvmrt_id_set_add (nodes, node);
    }
  return nodes;
}

guint64
kvmrt_host_get_node_memory (KvmrtHost *self, guint node)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), 0);
  if (node >= self->node_memory->len)
    return 0;
  return g_array_index (self->node_memory, guint64, node);
}

guint64
kvmrt_host_get_node_hugepages (KvmrtHost *self, guint node, guint64 page_kib,
                               guint64 *free_pages)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), 0);
  for (guint i = 0; i < self->hugepages->len; i++)
    {
      const KvmrtHugePages *h = &g_array_index (self->hugepages, KvmrtHugePages, i);

      if (h->node == node && h->page_kib == page_kib)
        {
          if (free_pages != NULL)
            *free_pages = h->free;
          return h->total;
        }
    }
  if (free_pages != NULL)
    *free_pages = 0;
  return 0;
}

gboolean
kvmrt_host_has_smt (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), FALSE);
  return self->smt;
}

GPtrArray *
kvmrt_host_get_pci_devices (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  return self->pci_devices;
}

const KvmrtPciDevice *
kvmrt_host_lookup_pci_device (KvmrtHost *self, KvmrtPciAddress address)
{
  guint low = 0, high;

  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  high = self->pci_devices->len;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      const KvmrtPciDevice *device = g_ptr_array_index (self->pci_devices, middle);

      if (device->address == address)
        return device;
      if (device->address < address)
        low = middle + 1;
      else
        high = middle;
    }
  return NULL;
}

const GArray *
kvmrt_host_get_iommu_group (KvmrtHost *self, int group)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  if (group < 0)
    return NULL;
  return g_hash_table_lookup (self->iommu_groups, GINT_TO_POINTER (group));
}

GPtrArray *
kvmrt_host_get_caches (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);

  return self->caches;
}

GArray *
kvmrt_host_get_virtual_functions (KvmrtHost *self, KvmrtPciAddress pf)
{
  GArray *vfs = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));

  g_return_val_if_fail (KVMRT_IS_HOST (self), vfs);
  for (guint i = 0; i < self->pci_devices->len; i++)
    {
      const KvmrtPciDevice *device = self->pci_devices->pdata[i];

      if (device->is_virtual_function && device->physfn == pf)
        g_array_append_val (vfs, device->address);
    }
  return vfs;
}

gboolean
kvmrt_pci_device_is_host_used (const KvmrtPciDevice *device)
{
  g_return_val_if_fail (device != NULL, FALSE);
  if (device->is_bridge || device->driver == NULL)
    return FALSE;
  return !g_str_equal (device->driver, "vfio-pci") && !g_str_equal (device->driver, "pci-stub");
}

gboolean
kvmrt_pci_device_is_infrastructure (const KvmrtPciDevice *device)
{
  g_return_val_if_fail (device != NULL, FALSE);
  return device->is_bridge || (device->class_code >> 8) == 0x0806;
}

gboolean
kvmrt_host_has_iommu (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), FALSE);
  return g_hash_table_size (self->iommu_groups) > 0;
}

GPtrArray *
kvmrt_host_get_irqs (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  return self->irqs;
}

const GArray *
kvmrt_host_get_irq_cpus (KvmrtHost *self)
{
  g_return_val_if_fail (KVMRT_IS_HOST (self), NULL);
  return self->irq_columns;
}
