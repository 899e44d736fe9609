/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private: the KvmrtHost structure shared by the loaders of its parts (topology, PCI, IRQs)
 * and the file helpers they use below the sysroot. */
#pragma once

#include "kvmrt-host.h"

G_BEGIN_DECLS

#define KVMRT_HOST_N_LEVELS (KVMRT_HOST_LEVEL_CORE + 1)

struct _KvmrtHost
{
  GObject     parent_instance;

  char       *sysroot;
  KvmrtHostLoadFlags flags;
  char       *hostname;
  char       *machine;
  char       *cpu_model;
  char       *cmdline;

  /* Topology */
  KvmrtIdSet *cpus;
  KvmrtIdSet *online_cpus;
  guint       n_cpus;
  int        *cpu_level[KVMRT_HOST_N_LEVELS];    /* per CPU number: the id, or -1 */
  KvmrtIdSet *level_ids[KVMRT_HOST_N_LEVELS];
  GPtrArray  *level_cpus[KVMRT_HOST_N_LEVELS];   /* id -> KvmrtIdSet*, NULL where no such id */
  GPtrArray  *lone_cpus;                         /* per CPU number: a set of just that CPU when
                                                  * its core is unknown (owned), else NULL */
  GArray     *node_memory;                       /* guint64 bytes per node id */
  GArray     *hugepages;                         /* KvmrtHugePages, per node and page size */
  gboolean    smt;
  GPtrArray  *caches;                            /* KvmrtHostCache* */

  /* PCI */
  GPtrArray  *pci_devices;                       /* KvmrtPciDevice*, by address */
  GHashTable *iommu_groups;                      /* group -> GArray of KvmrtPciAddress */

  /* IRQs */
  GPtrArray  *irqs;                              /* KvmrtIrq* */
  GArray     *irq_columns;                       /* guint CPU of each /proc/interrupts column */
};

gboolean kvmrt_host_load_topology (KvmrtHost *self, GError **error);
/* Huge pages reserved per node (kvmrt-host-hugepages.c); nothing when unreadable. */
void     kvmrt_host_load_hugepages (KvmrtHost *self);

typedef struct {
  guint   node;
  guint64 page_kib;
  guint64 total;
  guint64 free;
} KvmrtHugePages;
gboolean kvmrt_host_load_pci      (KvmrtHost *self, GError **error);
gboolean kvmrt_host_load_irqs     (KvmrtHost *self, GError **error);
void     kvmrt_host_load_caches   (KvmrtHost *self);
/* SR-IOV counts, PF link and network interfaces of one device (its directory open). */
void     kvmrt_pci_device_read_details (KvmrtPciDevice *device, int device_fd);
/* Marks the PCI devices the host runs its storage, network or console on (best effort: what
 * cannot be read is not marked). */
void     kvmrt_host_load_needs    (KvmrtHost *self);

/* "dddd:bb:dd.f" exactly, as sysfs names devices. */
gboolean kvmrt_pci_address_parse_sysfs (const char *name, KvmrtPciAddress *address);

void     kvmrt_pci_device_free    (KvmrtPciDevice *device);
void     kvmrt_irq_free           (KvmrtIrq *irq);
void     kvmrt_host_cache_free    (KvmrtHostCache *cache);

/* The proc/interrupts format (kvmrt-host-irq.c), for the host model and the sampler: the CPU
 * (guint) of each column of the header line [@p, @end); one row as a KvmrtIrq without
 * affinities, NULL if it is not a row. */
GArray  *kvmrt_irq_parse_header   (const char *p, const char *end);
KvmrtIrq *kvmrt_irq_parse_row     (const char *p, const char *end, guint n_columns);

/* Looks up vendor, device and class names in the pci.ids database at @path (plain or .gz)
 * for every device of @devices; names not found are left NULL. Reads the file once. */
void     kvmrt_pci_ids_lookup     (const char *path, GPtrArray *devices);

/* File helpers (kvmrt-sysroot.c). Each reads a file relative to @dir_fd (AT_FDCWD for an
 * absolute or cwd-relative name). _read_at is for sysfs attributes and small /proc files that
 * come whole in one read: it takes a short read as the end, strips one trailing newline and
 * returns NULL when the file cannot be read. _read_fd_at reads to the end of any file, keeps
 * the contents as they are and reports errno in @error_number. */
char    *kvmrt_sysroot_read_at    (int dir_fd, const char *relative);
char    *kvmrt_sysroot_read_fd_at (int dir_fd, const char *relative, gsize *length,
                                   int *error_number);
/* An O_DIRECTORY descriptor of @relative below @root, or -1 (errno set). */
int      kvmrt_sysroot_open_dir   (const char *root, const char *relative);

G_END_DECLS
