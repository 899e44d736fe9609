/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What kvmrt knows of the host: CPU topology (the sysfs files hwloc reads, numbered as hwloc
 * numbers them, offline CPUs included), PCI devices (sysfs, names from libpci's pci.ids), IRQs
 * (/proc/interrupts, /proc/irq), CPU online state and the kernel command line, all read below
 * one sysroot (see kvmrt-sysroot.h). A KvmrtHost is a snapshot: it does not change after
 * loading; load a new one to see changes. */
#pragma once

#include <glib-object.h>

#include "kvmrt-id-set.h"
#include "kvmrt-pci-address.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_HOST_LOAD_DEFAULT = 0,
  KVMRT_HOST_LOAD_NO_PCI  = 1 << 0,   /* skip PCI devices */
  KVMRT_HOST_LOAD_NO_IRQS = 1 << 1,   /* skip /proc/interrupts and /proc/irq */
  KVMRT_HOST_LOAD_CACHES  = 1 << 2,   /* also the level-3 caches (hwtopo) */
  KVMRT_HOST_LOAD_PCI_DETAILS = 1 << 3,  /* also SR-IOV, PF links and network interfaces */
  /* Trust the kernel's "online" list on a host tree too, instead of each cpuN/online (for a
   * caller that shows no CPU state, such as the pci command: 256 files less on bench-256). */
  KVMRT_HOST_LOAD_ONLINE_LIST = 1 << 4,
} KvmrtHostLoadFlags;

typedef enum {
  KVMRT_HOST_LEVEL_PACKAGE,
  KVMRT_HOST_LEVEL_DIE,
  KVMRT_HOST_LEVEL_NODE,
  KVMRT_HOST_LEVEL_CORE,
} KvmrtHostLevel;

/* What the host itself runs on a PCI device, so that passing it to a VM would take it away
 * (see kvmrt-host-needs.c). */
typedef enum {
  KVMRT_PCI_HOST_NEED_STORAGE = 1 << 0,   /* a mounted filesystem or active swap is on it */
  KVMRT_PCI_HOST_NEED_NETWORK = 1 << 1,   /* it carries the default route or an address */
  KVMRT_PCI_HOST_NEED_CONSOLE = 1 << 2,   /* the host's console is drawn on it */
} KvmrtPciHostNeed;

/* One PCI function. Fields are read-only for users of the host model. */
typedef struct {
  KvmrtPciAddress address;
  guint16     vendor_id;
  guint16     device_id;
  guint32     class_code;       /* 24 bits: class << 16 | subclass << 8 | prog-if */
  char       *class_name;       /* "Ethernet controller" (pci.ids), never NULL */
  char       *vendor_name;      /* "Intel Corporation", never NULL (hex id if unknown) */
  char       *device_name;      /* "Ethernet Controller 10G X550T", never NULL */
  int         numa_node;        /* -1 when the platform does not say */
  KvmrtIdSet *local_cpus;       /* CPUs local to the device; never NULL (may be all CPUs) */
  int         iommu_group;      /* -1 without an IOMMU */
  char       *driver;           /* bound driver ("ixgbe", "vfio-pci"), NULL when unbound */
  GArray     *irqs;             /* guint: legacy IRQ (if any) then MSI/MSI-X IRQs; the legacy
                                 * line only while a driver is bound and uses no MSI vector */
  gboolean    irqs_legacy;      /* irqs holds the legacy line (and no MSI IRQ) */
  gboolean    is_bridge;        /* class 0x06 (host, PCI, ISA bridges and the like) */
  gboolean    is_virtual_function;  /* SR-IOV VF (has a physfn link) */
  KvmrtPciAddress physfn;       /* the PF of a VF (always read) */
  /* With KVMRT_HOST_LOAD_PCI_DETAILS only (else -1, 0 and NULL): */
  int         irq_file;         /* what its "irq" file says (lspci's IRQ), -1 if unreadable */
  int         sriov_total_vfs;  /* VFs the PF can have; -1 when it has no SR-IOV */
  int         sriov_num_vfs;    /* VFs enabled now */
  GPtrArray  *interfaces;       /* KvmrtNetInterface*: network interfaces of the function */
  /* Always: */
  gboolean    boot_vga;         /* the display the firmware booted on (boot_vga is 1) */
  guint       host_needs;       /* KvmrtPciHostNeed flags */
  char       *host_needs_detail;  /* what the host runs on it ("/ (nvme1n1p2), swap
                                   * (nvme1n1p3)", "default route via eno1"); NULL without */
} KvmrtPciDevice;

typedef struct {
  char *name;                   /* "enp33s0f0" */
  char *mac;                    /* "ec:e7:a7:07:79:44", NULL if unreadable */
} KvmrtNetInterface;

/* A level-3 cache and the CPUs sharing it (with KVMRT_HOST_LOAD_CACHES). */
typedef struct {
  guint64     size;             /* bytes */
  KvmrtIdSet *cpus;             /* every CPU of the host that shares it, online or not */
} KvmrtHostCache;

/* One line of /proc/interrupts plus its affinity from /proc/irq/N. */
typedef struct {
  char       *name;             /* "24" for numbered IRQs, "NMI", "LOC", ... otherwise */
  int         number;           /* -1 for the named per-CPU interrupts */
  GArray     *counts;           /* guint64 per CPU column of /proc/interrupts */
  char       *chip;             /* "IR-PCI-MSI-0000:21:00.0", may be NULL */
  char       *actions;          /* "vfio-msix[0](0000:21:00.0)", "ixgbe", may be NULL */
  KvmrtIdSet *affinity;         /* from smp_affinity_list; NULL if not readable */
  KvmrtIdSet *effective_affinity;  /* from effective_affinity_list; NULL if not readable */
  char       *hwirq;            /* hardware IRQ and trigger ("0-edge"), may be NULL */
  char       *description;      /* named rows: "Non-maskable interrupts"; NULL otherwise */
} KvmrtIrq;

#define KVMRT_TYPE_HOST (kvmrt_host_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtHost, kvmrt_host, KVMRT, HOST, GObject)

/* Reads the host below @sysroot (NULL or "/" is the running host). When the sysroot is not "/",
 * nothing is probed on the machine itself (no CPUID): everything comes from the tree. */
KvmrtHost  *kvmrt_host_load            (const char         *sysroot,
                                        KvmrtHostLoadFlags  flags,
                                        GError            **error);
const char *kvmrt_host_get_sysroot     (KvmrtHost *self);

/* Host name (proc/sys/kernel/hostname) and board ("Supermicro M12SWA-TF", from
 * sys/class/dmi/id), either may be NULL. */
const char *kvmrt_host_get_hostname    (KvmrtHost *self);
const char *kvmrt_host_get_machine     (KvmrtHost *self);
const char *kvmrt_host_get_cpu_model   (KvmrtHost *self);   /* may be NULL */
const char *kvmrt_host_get_cmdline     (KvmrtHost *self);   /* "" if unknown */

/* Every CPU the host has (online or not), and those online now. */
const KvmrtIdSet *kvmrt_host_get_cpus        (KvmrtHost *self);
const KvmrtIdSet *kvmrt_host_get_online_cpus (KvmrtHost *self);
guint       kvmrt_host_get_n_cpus      (KvmrtHost *self);   /* highest CPU number + 1 */

/* Ids of packages (physical id), dies (0.. across the host), NUMA nodes (os index) and cores
 * (0.. across the host, in topology order, as "c" items of a CPUSET count them). */
const KvmrtIdSet *kvmrt_host_get_ids   (KvmrtHost *self, KvmrtHostLevel level);
/* CPUs of one package/die/node/core, or NULL if the host has no such id. */
const KvmrtIdSet *kvmrt_host_get_level_cpus (KvmrtHost *self, KvmrtHostLevel level, guint id);
/* Which package/die/node/core a CPU is in, or -1. An offline CPU whose topology the kernel
 * no longer shows has no core (-1); its package and die are those of its NUMA node. */
int         kvmrt_host_get_cpu_level   (KvmrtHost *self, KvmrtHostLevel level, guint cpu);
/* The CPUs of @cpu's core (its hyperthread siblings and itself); just @cpu when its core is
 * unknown; NULL for a CPU the host lacks. */
const KvmrtIdSet *kvmrt_host_get_core_siblings (KvmrtHost *self, guint cpu);
/* NUMA nodes used by @cpus (new set). */
KvmrtIdSet *kvmrt_host_get_nodes_of_cpus (KvmrtHost *self, const KvmrtIdSet *cpus);
/* Memory of a node in bytes, 0 if unknown. */
guint64     kvmrt_host_get_node_memory (KvmrtHost *self, guint node);
/* Huge pages of @page_kib KiB reserved on @node (nr_hugepages) and how many of them are free
 * (free_hugepages), from sys/devices/system/node/nodeN/hugepages; 0 when none or unknown. */
guint64     kvmrt_host_get_node_hugepages (KvmrtHost *self, guint node, guint64 page_kib,
                                           guint64 *free_pages);
gboolean    kvmrt_host_has_smt         (KvmrtHost *self);

/* Level-3 caches (KvmrtHostCache*) ordered by their first CPU; empty without
 * KVMRT_HOST_LOAD_CACHES or when the kernel shows none. */
GPtrArray  *kvmrt_host_get_caches      (KvmrtHost *self);

/* PCI devices in address order (elements are KvmrtPciDevice*), empty with NO_PCI. */
GPtrArray  *kvmrt_host_get_pci_devices (KvmrtHost *self);
const KvmrtPciDevice *kvmrt_host_lookup_pci_device (KvmrtHost *self, KvmrtPciAddress address);
/* Addresses (KvmrtPciAddress) of every device in an IOMMU group, ascending; NULL if none. */
const GArray *kvmrt_host_get_iommu_group (KvmrtHost *self, int group);
/* The VFs (KvmrtPciAddress) whose PF is @pf, ascending. New array. */
GArray     *kvmrt_host_get_virtual_functions (KvmrtHost *self, KvmrtPciAddress pf);
/* A device the host itself uses: bound to a driver other than vfio-pci / pci-stub, and not a
 * bridge. */
gboolean    kvmrt_pci_device_is_host_used (const KvmrtPciDevice *device);
/* Not a function a VM can be given: a bridge of any kind (class 06: host, PCI, ISA bridges),
 * or the IOMMU itself (class 08 06). */
gboolean    kvmrt_pci_device_is_infrastructure (const KvmrtPciDevice *device);
/* Whether the host has an IOMMU that put its PCI devices into groups. */
gboolean    kvmrt_host_has_iommu       (KvmrtHost *self);

/* IRQs in /proc/interrupts order (elements are KvmrtIrq*), empty with NO_IRQS. */
GPtrArray  *kvmrt_host_get_irqs        (KvmrtHost *self);
/* The CPU (guint) of each count column of /proc/interrupts: the CPUs online when it was read.
 * "ERR" and "MIS" have a single count, a total over all CPUs. Empty with NO_IRQS. */
const GArray *kvmrt_host_get_irq_cpus  (KvmrtHost *self);

G_END_DECLS
