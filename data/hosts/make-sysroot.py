#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a fake host: a directory laid out like the kernel's /sys and /proc, generated from a
compact JSON description, so that hwloc (HWLOC_FSROOT), libpci (sysfs.path) and kvmrt's host
model (--sysroot) read it as they would read a real machine.

    make-sysroot.py DESCRIPTION OUTDIR [--stamp FILE]

OUTDIR is replaced as a whole (the tree is built next to it, then renamed into place). A
directory that exists but was not written by this script is left alone: remove it yourself.

Description (JSON object; unknown keys are errors so that typos do not go unnoticed):

  "hostname": "TestStand1"                     proc/sys/kernel/hostname
  "kernel": {"release": "6.12.38-rt-amd64",    proc/sys/kernel/osrelease
             "version": "(gcc ...) #1 SMP",    proc/version, after the release
             "cmdline": "BOOT_IMAGE=... ro"}   proc/cmdline
  "dmi": {"sys_vendor", "product_name", "board_vendor", "board_name", "bios_version"
          (required), "board_version", "bios_vendor", "bios_date" (optional)}
                                               sys/devices/virtual/dmi/id/*, sys/class/dmi/id
  "cpu": {
    "model_name", "vendor_id", "family", "model", "stepping"   /proc/cpuinfo (required)
    "microcode", "mhz", "bogomips", "flags", "bugs", "power_management", "address_sizes",
    "cpuid_level", "tlb_size"                  /proc/cpuinfo (optional)
    "packages": 1, "dies_per_package": 1, "nodes_per_die": 1, "cores_per_node": 8,
    "threads_per_core": 2                      the topology: packages > dies > NUMA nodes >
                                               cores > hardware threads, numbered in that order
    "numbering": "thread-major"                CPU number of thread t of core c (c counts cores
                                               across the host): "thread-major" t * cores + c
                                               (Linux on x86: core N = CPUs N, N + cores),
                                               "core-major" c * threads + t
    "caches": {"l1d": "32K", "l1i": "32K", "l2": "512K", "l3": "32768K", "l1_ways": 8,
               "l2_ways": 8, "l3_ways": 16, "l3_cores": 8}
                                               per-core L1/L2; one L3 per l3_cores consecutive
                                               cores (default: one per NUMA node)
    "offline": "40-41"                         CPUs that are offline (never CPU 0)
    "offline_topology": "keep"                 "keep": offline CPUs keep topology/ and cache/
                                               so the whole topology stays known; "remove":
                                               as the kernel does, they lose both
  }
  "memory": {"node_mib": 31744 or [MiB per node], "hugepages_2m": 0, "hugepages_1g": 0}
                                               memory per node (default 16384 MiB); huge pages
                                               reserved per node
  "distances": {"local": 10, "die": 11, "package": 11, "remote": 32}
                                               SLIT: same node / same die / same package /
                                               other package
  "iommu": true                                false: no sys/kernel/iommu_groups and no
                                               iommu_group links; IRQ chips without "IR-"
  "irq": {
    "chip_style": "per-device"                 /proc/interrupts chip column: "per-device"
                                               (Linux >= 6.2, "IR-PCI-MSIX-0000:21:00.0 0-edge")
                                               or "legacy" (older, "IR-PCI-MSI 17301504-edge")
    "gsi_top": 56                              IO-APIC pins (legacy lines 0..gsi_top-1;
                                               default 24)
    "msi_base": 64                             first IRQ number handed out to MSI vectors
                                               (default gsi_top + 8)
    "default_affinity": "0-63"                 proc/irq/default_smp_affinity and the affinity of
                                               every IRQ not given one (default: all CPUs)
    "system": [{"irq": 4, "pin": 4, "type": "edge", "actions": ["ttyS0"], "node": 0,
                "cpu": 0, "count": 1200}]      IO-APIC IRQs of the platform (timer, acpi, COM1)
  }
  "cgroup": {"controllers": "cpuset cpu io memory pids",
             "slices": ["machine.slice", "system.slice", "user.slice"]}
  "tuning": {"kvm": true,                      dev/kvm (an empty file standing in for the device)
             "numa_balancing": 1,              proc/sys/kernel/numa_balancing (default absent)
             "governor": "schedutil",          cpufreq/scaling_governor of every online CPU
                                               (default: no cpufreq)
             "irqbalance_banned": "8-23",      etc/default/irqbalance IRQBALANCE_BANNED_CPULIST
             "processes": [{"pid": 812, "comm": "libvirtd", "cap_eff": "000001ffffffffff",
                            "memlock": "unlimited"}],
                                               proc/PID/{comm,status,limits} of host daemons
                                               kvmrt-validate-host looks at
             "running_vms": [{"pid": 4321, "name": "scratch", "uuid": "...", "vcpus": 2}]}
                                               QEMUs running outside the configuration, each
                                               with its proc/PID (threads, cgroup) and the
                                               machine.slice scope libvirt gives it; default:
                                               one unpinned 2-vCPU VM, [] for none
  Every tree also has the kernel's run-time tunables kvmrt's tuning changes (the workqueue
  cpumasks, proc/sys/kernel/{sched_rt_runtime_us,timer_migration,nmi_watchdog,
  watchdog_cpumask}, proc/sys/vm/stat_interval) and kernel threads in proc/ (kthreadd,
  per-CPU ones bound with PF_NO_SETAFFINITY, movable ones such as rcu_preempt and kswapd).
  "host_use": {                                what the host runs on its devices (HostUse below)
    "boot_vga": "0000:47:00.0",                boot_vga of every display controller (1 here)
    "console": "fbcon",                        "fbcon" (fb0 on the boot VGA, "fb_name"),
    "fb_name": "astdrmfb",                     "vgacon" or "none": sys/class/vtconsole
    "disks": [{"pci": "0000:41:00.0",          a disk on an nvme (nvmeNn1, N the controller's
               "partitions": 3}],              instance) or ahci (sda, sdb, ...) controller
    "lvm": [{"name": "vg0-root",               device-mapper devices (dm-0, ...) over
             "on": ["nvme1n1p3"]}],            partitions
    "mounts": [{"source": "nvme1n1p2",         proc/mounts (after proc, sysfs and cgroup2);
                "on": "/", "fs": "ext4"}],     "mapper/NAME" for an lvm entry
    "swaps": ["nvme1n1p3"],                    proc/swaps
    "bridges": [{"name": "br0",                Linux bridges (sys/class/net/NAME with
                 "ports": ["eno1"]}],          lower_PORT links)
    "routes": [{"ifname": "eno1",              proc/net/route: the subnet's route and, with
                "net": "192.168.10.0/24",      "gateway", the default route
                "gateway": "192.168.10.1"}],
    "addresses6": [{"ifname": "eno1",          proc/net/if_inet6 (global scope; every
                    "address": "2001:db8::21", interface also gets a link-local one) and,
                    "prefix": 64,              with "gateway", a default route in
                    "gateway": "2001:db8::1"}] proc/net/ipv6_route
  }
  "pci": [ROOT, ...]                           host bridges (PCI root buses), in bus order
  "synthetic_pci": {"nics_per_node": 1, "vfs_per_nic": 2, "nvme_per_node": 1,
                    "gpu_every": 2, "bmc_vga": true}
                                               instead of "pci": a root bus per NUMA node
                                               (bus 0x20 * node) with a dual-port X710 (VFs on
                                               port 0), NVMe drives, on every gpu_every-th
                                               node a GPU with its audio function, and with
                                               bmc_vga an ASPEED display on node 0

  ROOT:   {"root": "0000:20", "node": 2, "devices": [DEVICE, ...]}

  DEVICE: {
    "addr": "0000:21:00.0"                     required; children of a bridge sit on its
                                               secondary bus
    "id": "8086:1563", "class": "020000"       required: vendor:device, class/subclass/prog-if
    "subsys": "8086:0001"                      default: same as "id" (none for class 06)
    "rev": "01"                                default "00"
    "driver": "ixgbe"                          bound driver; absent or null: none
    "iommu_group": 45 | "label" | null         a number, a label shared by the devices of one
                                               group (numbered automatically), or null for no
                                               group; absent: a group of its own
    "numa_node": -1                            default: the root's node
    "pin": "A" | null                          legacy interrupt pin; default A, none for host
                                               bridges (class 0600), dummy functions (1300),
                                               IOMMUs (0806) and VFs
    "irq": 48                                  legacy line; default picked from the IO-APIC pins
    "intx": true                               the driver uses the legacy line
    "msi": 1 | "300-301", "msix": 5 | "265-269"
                                               MSI or MSI-X vectors: a count (IRQ numbers given
                                               out from msi_base on) or the IRQ numbers
    "msix_table": 64                           MSI-X table size (default: the vectors)
    "managed": true                            vectors after the first get the CPUs spread
                                               over them, as the kernel does for NVMe queues
    "actions": ["name", ...]                   IRQ action per vector (default from the driver)
    "affinity": "0-7"                          smp_affinity of its IRQs (not with "managed")
    "count": 100000                            interrupt count scale of its IRQs
    "ifname": "enp33s0f0", "mac": "..."        network interface of network drivers
                                               (default: the udev name, a made-up MAC)
    "bars": ["0:mem64pf:4M", "mem32:16K", "io:32"]
                                               [index:]kind:size, kinds mem32, mem32pf, mem64,
                                               mem64pf, io; addresses are assigned
    "rom": "512K"                              expansion ROM (disabled)
    "link": "8GT/s x4"                         PCIe link; default by class
    "pcie": true                               false: conventional PCI (256-byte config space)
    "slot": "4"                                bridges: the physical slot below this port
    "secondary": "62"                          bridges: secondary bus (default from children)
    "children": [DEVICE, ...]                  bridges (class 0604): devices below
    "sriov": {"total": 64, "vf_id": "1565", "offset": 128, "stride": 2,
              "vf_bars": ["0:mem64:16K", "3:mem64:16K"], "vfs": [VF, ...]}
                                               physical function; each VF takes the DEVICE
                                               keys driver, iommu_group, msi/msix, actions,
                                               affinity, count, ifname, mac
  }
"""

import argparse
import json
import os
import random
import re
import shutil
import struct
import sys
import tempfile
import zlib

MARKER = ".kvmrt-sysroot"

SIZE_RE = re.compile(r"^(\d+)([KMG]?)$")
ADDR_RE = re.compile(r"^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$")
ROOT_RE = re.compile(r"^([0-9a-f]{4}):([0-9a-f]{2})$")
ID_RE = re.compile(r"^([0-9a-f]{4}):([0-9a-f]{4})$")

NET_DRIVERS = {"ixgbe", "ixgbevf", "igb", "i40e", "iavf", "atlantic", "r8169", "e1000e", "ice"}
# vfio-pci and pci-stub hold a device for a VM; the host does not use it.
VM_DRIVERS = {"vfio-pci", "pci-stub"}


class DescriptionError(Exception):
    """A description that cannot be turned into a host; the message says where and why."""


def fail(where, problem):
    raise DescriptionError("%s: %s" % (where, problem))


# ---------------------------------------------------------------------------------------------
# Small value helpers

def parse_size(text, where):
    m = SIZE_RE.match(str(text))
    if not m:
        fail(where, "size %r is not a number with an optional K, M or G suffix (e.g. \"16K\")"
             % (text,))
    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]


def parse_list(text, where):
    """Kernel cpulist syntax ("0-3,8") into a sorted list of ints."""
    result = set()
    text = str(text).strip()
    if not text:
        return []
    for item in text.split(","):
        m = re.match(r"^(\d+)(?:-(\d+))?$", item.strip())
        if not m:
            fail(where, "%r is not a list of numbers and ranges (e.g. \"0-3,8\")" % text)
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if hi < lo:
            fail(where, "range %r runs backwards" % item)
        result.update(range(lo, hi + 1))
    return sorted(result)


def format_list(values):
    """Sorted ints as the kernel prints a cpulist: "0-3,8"."""
    values = sorted(set(values))
    parts = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        parts.append(str(values[i]) if i == j else "%d-%d" % (values[i], values[j]))
        i = j + 1
    return ",".join(parts)


def format_mask(values, nbits):
    """A bitmap as the kernel prints a cpumask: 32-bit hex words, most significant first, the
    first one only as wide as the bits left over ("3", "ffffffff,ffffffff")."""
    bits = 0
    for v in values:
        bits |= 1 << v
    chunk = nbits % 32 or 32
    words = []
    pos = ((nbits + 31) // 32 - 1) * 32
    while pos >= 0:
        val = (bits >> pos) & ((1 << chunk) - 1)
        words.append("%0*x" % ((chunk + 3) // 4, val))
        chunk = 32
        pos -= 32
    return ",".join(words)


def check_keys(obj, allowed, where):
    if not isinstance(obj, dict):
        fail(where, "expected a JSON object, found %s" % type(obj).__name__)
    for key in obj:
        if key not in allowed:
            fail(where, "unknown key %r; known keys: %s" % (key, ", ".join(sorted(allowed))))


def need(obj, key, where, kind=None):
    if key not in obj:
        fail(where, "%r is missing" % key)
    value = obj[key]
    if kind is not None and not isinstance(value, kind):
        fail("%s.%s" % (where, key), "expected %s, found %r" % (
            kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind),
            value))
    return value


def hexfield(text, width, where):
    if not isinstance(text, str) or not re.match(r"^[0-9a-f]{%d}$" % width, text):
        fail(where, "%r is not %d lower-case hex digits" % (text, width))
    return int(text, 16)


# ---------------------------------------------------------------------------------------------
# CPU topology

class Cpu:
    def __init__(self, number, core, thread):
        self.number = number
        self.core = core
        self.thread = thread
        self.online = True

    @property
    def node(self):
        return self.core.node


class Core:
    def __init__(self, index, package, die, die_in_package, node, core_id, l3):
        self.index = index              # across the host, in topology order
        self.package = package
        self.die = die                  # across the host
        self.die_in_package = die_in_package
        self.node = node
        self.core_id = core_id          # within the package, as the kernel numbers it
        self.l3 = l3                    # L3 index across the host
        self.cpus = []


class Topology:
    KEYS = {"model_name", "vendor_id", "family", "model", "stepping", "microcode", "mhz",
            "bogomips", "flags", "bugs", "power_management", "address_sizes", "cpuid_level",
            "tlb_size", "packages", "dies_per_package", "nodes_per_die", "cores_per_node",
            "threads_per_core", "numbering", "caches", "offline", "offline_topology"}
    CACHE_KEYS = {"l1d", "l1i", "l2", "l3", "l1_ways", "l2_ways", "l3_ways", "l3_cores"}

    def __init__(self, desc):
        where = "cpu"
        check_keys(desc, self.KEYS, where)
        self.desc = desc
        for key in ("model_name", "vendor_id"):
            need(desc, key, where, str)
        for key in ("family", "model", "stepping"):
            need(desc, key, where, int)

        def count(key, default):
            value = desc.get(key, default)
            if not isinstance(value, int) or value < 1:
                fail("cpu.%s" % key, "expected a positive integer, found %r" % (value,))
            return value

        self.packages = count("packages", 1)
        self.dies_per_package = count("dies_per_package", 1)
        self.nodes_per_die = count("nodes_per_die", 1)
        self.cores_per_node = count("cores_per_node", None)
        self.threads = count("threads_per_core", 1)
        numbering = desc.get("numbering", "thread-major")
        if numbering not in ("thread-major", "core-major"):
            fail("cpu.numbering", "expected \"thread-major\" or \"core-major\", found %r"
                 % numbering)
        caches = desc.get("caches", {})
        check_keys(caches, self.CACHE_KEYS, "cpu.caches")
        self.caches = {
            "l1d": parse_size(caches.get("l1d", "32K"), "cpu.caches.l1d"),
            "l1i": parse_size(caches.get("l1i", "32K"), "cpu.caches.l1i"),
            "l2": parse_size(caches.get("l2", "512K"), "cpu.caches.l2"),
            "l3": parse_size(caches.get("l3", "32768K"), "cpu.caches.l3"),
            "l1_ways": caches.get("l1_ways", 8),
            "l2_ways": caches.get("l2_ways", 8),
            "l3_ways": caches.get("l3_ways", 16),
        }
        l3_cores = caches.get("l3_cores", self.cores_per_node)
        cores_per_package = self.dies_per_package * self.nodes_per_die * self.cores_per_node
        if not isinstance(l3_cores, int) or l3_cores < 1 or cores_per_package % l3_cores:
            fail("cpu.caches.l3_cores", "%r does not divide the %d cores of a package"
                 % (l3_cores, cores_per_package))

        self.cores = []
        index = 0
        for p in range(self.packages):
            for d in range(self.dies_per_package):
                for n in range(self.nodes_per_die):
                    node = (p * self.dies_per_package + d) * self.nodes_per_die + n
                    for k in range(self.cores_per_node):
                        core_id = (d * self.nodes_per_die + n) * self.cores_per_node + k
                        self.cores.append(Core(index, p, p * self.dies_per_package + d, d,
                                               node, core_id, index // l3_cores))
                        index += 1
        ncores = len(self.cores)
        self.cpus = []
        for core in self.cores:
            for t in range(self.threads):
                number = t * ncores + core.index if numbering == "thread-major" \
                    else core.index * self.threads + t
                cpu = Cpu(number, core, t)
                core.cpus.append(cpu)
                self.cpus.append(cpu)
        self.cpus.sort(key=lambda c: c.number)
        self.n_nodes = self.packages * self.dies_per_package * self.nodes_per_die
        self.nr_cpu_ids = len(self.cpus)

        for number in parse_list(desc.get("offline", ""), "cpu.offline"):
            if number >= len(self.cpus):
                fail("cpu.offline", "CPU %d does not exist (the host has CPUs 0-%d)"
                     % (number, len(self.cpus) - 1))
            if number == 0:
                fail("cpu.offline", "CPU 0 cannot be taken offline on x86; remove it")
            self.cpus[number].online = False
        self.keep_offline = desc.get("offline_topology", "keep")
        if self.keep_offline not in ("keep", "remove"):
            fail("cpu.offline_topology", "expected \"keep\" or \"remove\", found %r"
                 % self.keep_offline)

    def all_numbers(self):
        return [c.number for c in self.cpus]

    def online_numbers(self):
        return [c.number for c in self.cpus if c.online]

    def node_cpus(self, node, online_only=False):
        return [c.number for c in self.cpus
                if c.node == node and (c.online or not online_only)]


# ---------------------------------------------------------------------------------------------
# PCI devices

BAR_KINDS = {
    # kind: (sysfs resource flags, BAR type bits, slots taken, window)
    "mem32": (0x40200, 0x0, 1, "mem"),
    "mem32pf": (0x42208, 0x8, 1, "mem"),
    "mem64": (0x140204, 0x4, 2, "mem"),
    "mem64pf": (0x14220c, 0xc, 2, "pref"),
    "io": (0x40101, 0x1, 1, "io"),
}


class Bar:
    def __init__(self, index, kind, size):
        self.index = index
        self.kind = kind
        self.size = size
        self.address = 0


def parse_bars(specs, where):
    bars = []
    used = set()
    next_index = 0
    if not isinstance(specs, list):
        fail(where, "expected a list of \"[index:]kind:size\" strings")
    for spec in specs:
        parts = str(spec).split(":")
        if len(parts) == 3:
            if not parts[0].isdigit():
                fail(where, "BAR %r: index %r is not a number" % (spec, parts[0]))
            index = int(parts[0])
            parts = parts[1:]
        elif len(parts) == 2:
            index = next_index
        else:
            fail(where, "BAR %r is not \"[index:]kind:size\" (e.g. \"0:mem64pf:4M\")" % spec)
        kind, size = parts
        if kind not in BAR_KINDS:
            fail(where, "BAR %r: kind %r is not one of %s" % (spec, kind, ", ".join(BAR_KINDS)))
        size = parse_size(size, where)
        if size & (size - 1) or size < (16 if kind != "io" else 4):
            fail(where, "BAR %r: the size must be a power of two (at least 16 bytes)" % spec)
        slots = BAR_KINDS[kind][2]
        if index + slots > 6 or used & set(range(index, index + slots)):
            fail(where, "BAR %r does not fit: BARs 0-5, a 64-bit BAR takes two" % spec)
        used.update(range(index, index + slots))
        next_index = index + slots
        bars.append(Bar(index, kind, size))
    return bars


class PciDevice:
    def __init__(self):
        self.parent = None
        self.children = []
        self.vfs = []
        self.physfn = None
        self.vf_index = None
        self.secondary = None
        self.subordinate = None
        self.windows = {"io": None, "mem": None, "pref": None}
        self.iov_bars = []
        self.vectors = []          # IRQ numbers of MSI/MSI-X vectors
        self.legacy_irq = 0
        self.multifunction = False
        self.sysfs_dir = None
        self.ifname = None
        self.mac = None

    @property
    def address(self):
        return "%04x:%02x:%02x.%d" % (self.domain, self.bus, self.dev, self.fn)

    @property
    def rid(self):
        return (self.bus << 8) | (self.dev << 3) | self.fn

    @property
    def is_bridge(self):
        return (self.class_code >> 8) in (0x0604, 0x0609)

    @property
    def is_host_bridge(self):
        return (self.class_code >> 8) == 0x0600

    @property
    def uses_msi(self):
        return self.msi_kind == "msi" and self.vectors


DEVICE_KEYS = {"addr", "id", "class", "subsys", "rev", "driver", "iommu_group", "numa_node",
               "pin", "irq", "intx", "msi", "msix", "msix_table", "managed", "actions",
               "affinity", "count", "ifname", "mac", "bars", "rom", "link", "pcie", "slot",
               "secondary", "children", "sriov"}
VF_KEYS = {"driver", "iommu_group", "msi", "msix", "actions", "affinity", "count", "ifname",
           "mac"}
SRIOV_KEYS = {"total", "vf_id", "offset", "stride", "vf_bars", "vfs"}


def default_link(class_code):
    base = class_code >> 8
    if base == 0x0300:
        return "16GT/s x16"
    if base == 0x0108:
        return "16GT/s x4"
    if base == 0x0200:
        return "8GT/s x4"
    if base == 0x0c03:
        return "8GT/s x2"
    if base in (0x0604, 0x0609):
        return "16GT/s x16"
    return "8GT/s x1"


LINK_RE = re.compile(r"^(2\.5|5|8|16|32)GT/s x(1|2|4|8|16|32)$")
LINK_SPEEDS = {"2.5": 1, "5": 2, "8": 3, "16": 4, "32": 5}


def parse_vectors(value, where):
    """A vector count or an explicit IRQ list; returns (count, explicit list or None)."""
    if isinstance(value, bool):
        fail(where, "expected a vector count or an IRQ list such as \"265-269\"")
    if isinstance(value, int):
        if value < 1 or value > 2048:
            fail(where, "vector count %d is out of range (1-2048)" % value)
        return value, None
    irqs = parse_list(value, where)
    if not irqs:
        fail(where, "empty IRQ list")
    return len(irqs), irqs


class Host:
    KEYS = {"hostname", "kernel", "dmi", "cpu", "memory", "distances", "iommu", "irq",
            "cgroup", "tuning", "pci", "synthetic_pci", "host_use"}

    def __init__(self, desc, name="host"):
        check_keys(desc, self.KEYS, name)
        self.name = name
        self.hostname = need(desc, "hostname", name, str)
        self.kernel = need(desc, "kernel", name, dict)
        check_keys(self.kernel, {"release", "cmdline", "version"}, "kernel")
        need(self.kernel, "release", "kernel", str)
        need(self.kernel, "cmdline", "kernel", str)
        self.dmi = need(desc, "dmi", name, dict)
        check_keys(self.dmi, {"sys_vendor", "product_name", "board_vendor", "board_name",
                              "board_version", "bios_vendor", "bios_version", "bios_date"},
                   "dmi")
        for key in ("sys_vendor", "product_name", "board_vendor", "board_name", "bios_version"):
            need(self.dmi, key, "dmi", str)
        self.topo = Topology(need(desc, "cpu", name, dict))
        self.iommu = desc.get("iommu", True)
        if not isinstance(self.iommu, bool):
            fail("iommu", "expected true or false")
        self._memory(desc.get("memory", {}))
        self._distances(desc.get("distances", {}))
        self._irq_settings(desc.get("irq", {}))
        self.cgroup = desc.get("cgroup", {})
        check_keys(self.cgroup, {"controllers", "slices"}, "cgroup")
        self.tuning = desc.get("tuning", {})
        check_keys(self.tuning, {"kvm", "numa_balancing", "governor", "irqbalance_banned",
                                 "processes", "running_vms"}, "tuning")
        self.running_vms = running_vms(self.tuning)
        for proc in self.tuning.get("processes", []):
            check_keys(proc, {"pid", "comm", "cap_eff", "memlock"}, "tuning.processes")
            need(proc, "pid", "tuning.processes", int)
            need(proc, "comm", "tuning.processes", str)
        if "pci" in desc and "synthetic_pci" in desc:
            fail(name, "give either \"pci\" or \"synthetic_pci\", not both")
        roots = desc.get("pci")
        if "synthetic_pci" in desc:
            roots = synthetic_pci(desc["synthetic_pci"], self.topo)
        self._pci(roots or [])
        self._allocate_irqs()
        self._iommu_groups()
        self.host_use = HostUse(desc.get("host_use", {}), self)

    # -- memory, distances ---------------------------------------------------------------------

    def _memory(self, mem):
        check_keys(mem, {"node_mib", "hugepages_2m", "hugepages_1g"}, "memory")
        node_mib = mem.get("node_mib", 16384)
        if isinstance(node_mib, int):
            node_mib = [node_mib] * self.topo.n_nodes
        if not isinstance(node_mib, list) or len(node_mib) != self.topo.n_nodes or \
                not all(isinstance(v, int) and v > 0 for v in node_mib):
            fail("memory.node_mib", "expected a size in MiB or one per NUMA node (%d nodes)"
                 % self.topo.n_nodes)
        self.node_kib = [v * 1024 for v in node_mib]
        self.hugepages_2m = mem.get("hugepages_2m", 0)
        self.hugepages_1g = mem.get("hugepages_1g", 0)

    def _distances(self, dist):
        check_keys(dist, {"local", "die", "package", "remote"}, "distances")
        self.dist = {"local": dist.get("local", 10), "die": dist.get("die", 11),
                     "package": dist.get("package", dist.get("die", 11)),
                     "remote": dist.get("remote", 32)}

    def distance(self, a, b):
        t = self.topo
        if a == b:
            return self.dist["local"]
        per_die = t.nodes_per_die
        per_package = per_die * t.dies_per_package
        if a // per_die == b // per_die:
            return self.dist["die"]
        if a // per_package == b // per_package:
            return self.dist["package"]
        return self.dist["remote"]

    def _irq_settings(self, irq):
        check_keys(irq, {"chip_style", "gsi_top", "msi_base", "default_affinity", "system"},
                   "irq")
        self.chip_style = irq.get("chip_style", "per-device")
        if self.chip_style not in ("per-device", "legacy"):
            fail("irq.chip_style", "expected \"per-device\" or \"legacy\", found %r"
                 % self.chip_style)
        self.gsi_top = irq.get("gsi_top", 24)
        self.msi_base = irq.get("msi_base", max(self.gsi_top, 24) + 8)
        self.default_affinity = parse_list(irq.get("default_affinity",
                                                   format_list(self.topo.all_numbers())),
                                           "irq.default_affinity")
        self.system_irqs = irq.get("system", [])
        for i, s in enumerate(self.system_irqs):
            check_keys(s, {"irq", "pin", "type", "actions", "node", "cpu", "count"},
                       "irq.system[%d]" % i)
            need(s, "irq", "irq.system[%d]" % i, int)
            need(s, "actions", "irq.system[%d]" % i, list)

    # -- PCI -------------------------------------------------------------------------------------

    def _pci(self, roots):
        self.roots = []
        self.devices = []
        seen = {}
        for r_index, root in enumerate(roots):
            where = "pci[%d]" % r_index
            check_keys(root, {"root", "node", "devices"}, where)
            m = ROOT_RE.match(need(root, "root", where, str))
            if not m:
                fail(where + ".root", "%r is not \"dddd:bb\" (e.g. \"0000:20\")" % root["root"])
            node = need(root, "node", where, int)
            if node != -1 and not 0 <= node < self.topo.n_nodes:
                fail(where + ".node", "node %d does not exist (nodes 0-%d)"
                     % (node, self.topo.n_nodes - 1))
            info = {"domain": int(m.group(1), 16), "bus": int(m.group(2), 16), "node": node,
                    "index": r_index, "devices": []}
            self.roots.append(info)
            for d_index, entry in enumerate(need(root, "devices", where, list)):
                self._device(entry, "%s.devices[%d]" % (where, d_index), info, None,
                             info["bus"], seen)
        self.devices.sort(key=lambda d: (d.domain, d.bus, d.dev, d.fn))
        by_slot = {}
        for d in self.devices:
            if d.physfn is None:
                by_slot.setdefault((d.domain, d.bus, d.dev), []).append(d)
        for functions in by_slot.values():
            if len(functions) > 1:
                for d in functions:
                    d.multifunction = True
        for d in self.devices:
            if d.is_bridge:
                d.subordinate = max([d.secondary] + [c.secondary if c.is_bridge else c.bus
                                                     for c in self._below(d)])
        for root in self.roots:
            self._assign_resources(root)
        self._name_interfaces()

    def _below(self, bridge):
        result = []
        for child in bridge.children:
            result.append(child)
            if child.is_bridge:
                result.extend(self._below(child))
        return result

    def _device(self, entry, where, root, parent, bus, seen, physfn=None, vf_index=None):
        d = PciDevice()
        if physfn is None:
            check_keys(entry, DEVICE_KEYS, where)
            m = ADDR_RE.match(need(entry, "addr", where, str))
            if not m:
                fail(where + ".addr", "%r is not a PCI address \"dddd:bb:dd.f\" in lower case"
                     % entry["addr"])
            d.domain, d.bus, d.dev, d.fn = (int(m.group(1), 16), int(m.group(2), 16),
                                            int(m.group(3), 16), int(m.group(4)))
            if d.dev > 31:
                fail(where + ".addr", "device number %02x is above 1f" % d.dev)
            if d.domain != root["domain"] or d.bus != bus:
                fail(where + ".addr", "%s is not on bus %04x:%02x where it sits (a bridge's "
                     "children go on its secondary bus)" % (d.address, root["domain"], bus))
            m = ID_RE.match(need(entry, "id", where, str))
            if not m:
                fail(where + ".id", "%r is not \"vvvv:dddd\" in lower-case hex" % entry["id"])
            d.vendor, d.device = int(m.group(1), 16), int(m.group(2), 16)
            d.class_code = hexfield(need(entry, "class", where, str), 6, where + ".class")
            # Bridges and the like usually carry no subsystem id; endpoints their own ids.
            subsys = entry.get("subsys", "0000:0000" if (d.class_code >> 16) == 0x06
                               else entry["id"])
            m = ID_RE.match(subsys)
            if not m:
                fail(where + ".subsys", "%r is not \"vvvv:dddd\"" % subsys)
            d.subvendor, d.subdevice = int(m.group(1), 16), int(m.group(2), 16)
            d.rev = hexfield(entry.get("rev", "00"), 2, where + ".rev")
            d.pcie = entry.get("pcie", True)
            d.bars = parse_bars(entry.get("bars", []), where + ".bars")
            d.rom = parse_size(entry["rom"], where + ".rom") if "rom" in entry else 0
            link = entry.get("link", default_link(d.class_code))
            if not LINK_RE.match(link):
                fail(where + ".link", "%r is not like \"8GT/s x4\"" % link)
            d.link = link
            d.slot = entry.get("slot")
            no_pin = d.is_host_bridge or (d.class_code >> 8) in (0x1300, 0x0806)
            default_pin = None if no_pin else "A"
            d.pin = entry.get("pin", default_pin)
            if d.pin not in (None, "A", "B", "C", "D"):
                fail(where + ".pin", "expected \"A\" to \"D\" or null")
        else:
            check_keys(entry, VF_KEYS, where)
            pf = physfn
            rid = pf.rid + pf.sriov["offset"] + vf_index * pf.sriov["stride"]
            d.domain, d.bus, d.dev, d.fn = pf.domain, rid >> 8, (rid >> 3) & 0x1f, rid & 7
            if d.bus != pf.bus:
                fail(where, "VF %d lands on bus %02x, not the PF's bus %02x; lower the offset "
                     "or stride" % (vf_index, d.bus, pf.bus))
            d.vendor, d.device = pf.vendor, pf.sriov["vf_id"]
            d.subvendor, d.subdevice = pf.subvendor, pf.subdevice
            d.class_code, d.rev, d.pcie, d.link = pf.class_code, pf.rev, True, pf.link
            d.bars, d.rom, d.slot, d.pin = [], 0, None, None
            d.physfn, d.vf_index = pf, vf_index
        d.where = where
        d.root = root
        d.parent = parent
        if d.address in seen:
            fail(where + ".addr", "%s is already described at %s" % (d.address, seen[d.address]))
        seen[d.address] = where
        d.driver = entry.get("driver")
        if d.driver is not None and not isinstance(d.driver, str):
            fail(where + ".driver", "expected a driver name or null")
        group = entry.get("iommu_group", "auto")
        if group is not None and not isinstance(group, (int, str)) or isinstance(group, bool):
            fail(where + ".iommu_group", "expected a number, a label, or null")
        d.group_spec = group
        numa = entry.get("numa_node", physfn.numa_node if physfn else root["node"])
        if not isinstance(numa, int) or (numa != -1 and not 0 <= numa < self.topo.n_nodes):
            fail(where + ".numa_node", "%r is not -1 or a NUMA node of the host" % (numa,))
        d.numa_node = numa
        d.intx = entry.get("intx", False)
        d.msi_kind, d.n_vectors, d.explicit_vectors = None, 0, None
        if "msi" in entry and "msix" in entry:
            fail(where, "a device uses either \"msi\" or \"msix\", not both")
        for kind in ("msi", "msix"):
            if kind in entry:
                d.msi_kind = kind
                d.n_vectors, d.explicit_vectors = parse_vectors(entry[kind], where + "." + kind)
        if d.msi_kind == "msix" and physfn is None and \
                not any(b.kind != "io" for b in d.bars):
            # The MSI-X table lives in a memory BAR.
            index = next(i for i in range(6) if all(i not in (b.index, b.index + 1)
                                                     for b in d.bars))
            d.bars.append(Bar(index, "mem32", 16384))
        if d.msi_kind == "msi" and d.n_vectors not in (1, 2, 4, 8, 16, 32):
            fail(where + ".msi", "MSI allows 1, 2, 4, 8, 16 or 32 vectors, not %d" % d.n_vectors)
        d.msix_table = entry.get("msix_table", d.n_vectors)
        if d.msi_kind == "msix" and not d.n_vectors <= d.msix_table <= 2048:
            fail(where + ".msix_table", "the table must hold the %d vectors (at most 2048)"
                 % d.n_vectors)
        d.managed = entry.get("managed", False)
        d.actions = entry.get("actions")
        if d.actions is not None and (not isinstance(d.actions, list) or
                                      len(d.actions) != d.n_vectors):
            fail(where + ".actions", "expected one action name per vector (%d)" % d.n_vectors)
        if "affinity" in entry and d.managed:
            fail(where + ".affinity", "managed IRQs get their affinity from the kernel")
        d.affinity = parse_list(entry["affinity"], where + ".affinity") \
            if "affinity" in entry else None
        d.count_scale = entry.get("count")
        d.ifname = entry.get("ifname")
        d.mac = entry.get("mac")
        if physfn is None:
            irq = entry.get("irq")
            if irq is not None and (not isinstance(irq, int) or not 0 < irq < self.gsi_top):
                fail(where + ".irq", "legacy line %r is not an IO-APIC pin 1-%d"
                     % (irq, self.gsi_top - 1))
            if irq is None and d.pin is not None:
                pin = "ABCD".index(d.pin)
                if self.gsi_top > 24:
                    # Each root bus has an IO-APIC of its own (32 pins) above the chipset's 24.
                    irq = 24 + (root["index"] * 32 + d.dev + d.fn + pin) % (self.gsi_top - 24)
                else:
                    irq = 16 + (d.dev + pin) % 8
            d.legacy_irq = irq or 0
        if d.intx and not d.legacy_irq:
            fail(where + ".intx", "the device has no legacy interrupt pin")
        self.devices.append(d)
        root["devices"].append(d)
        if parent is not None:
            parent.children.append(d)

        if physfn is None and ("children" in entry or "secondary" in entry):
            if not d.is_bridge:
                fail(where, "only PCI bridges (class 0604) have a secondary bus")
        if d.is_bridge:
            children = entry.get("children", [])
            if "secondary" in entry:
                d.secondary = hexfield(entry["secondary"], 2, where + ".secondary")
            elif children:
                m = ADDR_RE.match(str(children[0].get("addr", "")))
                if not m:
                    fail(where + ".children[0].addr", "missing or not a PCI address")
                d.secondary = int(m.group(2), 16)
            else:
                fail(where, "a bridge without children needs \"secondary\" (its bus number)")
            if d.secondary <= d.bus:
                fail(where + ".secondary", "bus %02x must be above the bridge's own bus %02x"
                     % (d.secondary, d.bus))
            for i, child in enumerate(children):
                self._device(child, "%s.children[%d]" % (where, i), root, d, d.secondary, seen)
        if physfn is None and "sriov" in entry:
            s = entry["sriov"]
            check_keys(s, SRIOV_KEYS, where + ".sriov")
            d.sriov = {
                "total": need(s, "total", where + ".sriov", int),
                "vf_id": hexfield(need(s, "vf_id", where + ".sriov", str), 4,
                                  where + ".sriov.vf_id"),
                "offset": s.get("offset", 128),
                "stride": s.get("stride", 2),
            }
            d.iov_bars = parse_bars(s.get("vf_bars", ["0:mem64:16K"]), where + ".sriov.vf_bars")
            vfs = s.get("vfs", [])
            if len(vfs) > d.sriov["total"]:
                fail(where + ".sriov.vfs", "%d VFs but the device has only %d"
                     % (len(vfs), d.sriov["total"]))
            for i, vf in enumerate(vfs):
                d.vfs.append(self._device(vf, "%s.sriov.vfs[%d]" % (where, i), root, parent,
                                          bus, seen, physfn=d, vf_index=i))
        else:
            d.sriov = None
        return d

    def _assign_resources(self, root):
        """Gives every BAR an address inside its root's windows, depth first, so that each
        bridge's windows cover exactly the devices below it."""
        r = root["index"]
        # x86 has 64K of I/O ports; the roots share 0x2000-0xffff.
        io_size = max(0x1000, (0xe000 // len(self.roots)) & ~0xfff)
        cursor = {"mem": 0x80000000 + r * 0x0c000000, "pref": 0x10000000000 + r * 0x1000000000,
                  "io": 0x2000 + r * io_size}
        limits = {"mem": cursor["mem"] + 0x0c000000, "pref": cursor["pref"] + 0x1000000000,
                  "io": cursor["io"] + io_size}
        granule = {"mem": 1 << 20, "pref": 1 << 20, "io": 1 << 12}

        def align(value, size):
            return (value + size - 1) // size * size

        def place(bar, window):
            cursor[window] = align(cursor[window], bar.size)
            bar.address = cursor[window]
            cursor[window] += bar.size

        def walk(devices):
            for d in devices:
                for bar in d.bars:
                    place(bar, BAR_KINDS[bar.kind][3])
                if d.rom:
                    d.rom_bar = Bar(6, "mem32", d.rom)
                    place(d.rom_bar, "mem")
                for bar in d.iov_bars:
                    # One region holds this BAR of every VF the device can have.
                    total = Bar(bar.index, bar.kind, bar.size * d.sriov["total"])
                    place(total, BAR_KINDS[bar.kind][3])
                    bar.address = total.address
                    for vf in d.vfs:
                        vf_bar = Bar(bar.index, bar.kind, bar.size)
                        vf_bar.address = bar.address + vf.vf_index * bar.size
                        vf.bars.append(vf_bar)
                if d.is_bridge:
                    start = {}
                    for w in cursor:
                        cursor[w] = align(cursor[w], granule[w])
                        start[w] = cursor[w]
                    walk([c for c in d.children if c.physfn is None])
                    for w in cursor:
                        cursor[w] = align(cursor[w], granule[w])
                        d.windows[w] = (start[w], cursor[w] - 1) if cursor[w] > start[w] \
                            else None

        walk([d for d in root["devices"] if d.parent is None and d.physfn is None])
        for w in cursor:
            if cursor[w] > limits[w]:
                fail("pci[%d]" % r, "the devices' %s BARs do not fit in the root's window; "
                     "use fewer or smaller BARs" % w)

    def _name_interfaces(self):
        counters = {}
        for d in self.devices:
            d.instance = counters.get(d.driver, 0)
            counters[d.driver] = d.instance + 1
        for d in self.devices:
            if d.driver not in NET_DRIVERS or d.physfn is not None:
                continue
            if d.ifname is None:
                d.ifname = "enp%ds%d%s" % (d.bus, d.dev, "f%d" % d.fn if d.multifunction else "")
        for d in self.devices:
            if d.physfn is not None and d.driver in NET_DRIVERS and d.ifname is None:
                base = d.physfn.ifname or "enp%ds%df%d" % (d.physfn.bus, d.physfn.dev,
                                                          d.physfn.fn)
                d.ifname = "%sv%d" % (base, d.vf_index)
            if d.ifname and d.mac is None:
                h = zlib.crc32(("%s/%s" % (self.hostname, d.address)).encode())
                d.mac = "%s:%02x:%02x:%02x" % ("3c:ec:ef" if d.physfn is None else "76:da:1f",
                                               (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff)

    # -- IRQs ------------------------------------------------------------------------------------

    def _allocate_irqs(self):
        taken = {}
        for s in self.system_irqs:
            taken[s["irq"]] = "irq.system"
        for d in self.devices:
            if d.explicit_vectors:
                for irq in d.explicit_vectors:
                    if irq in taken:
                        fail(d.where, "IRQ %d is also used by %s" % (irq, taken[irq]))
                    if irq < self.gsi_top:
                        fail(d.where, "IRQ %d is an IO-APIC line (below %d); MSI vectors get "
                             "higher numbers" % (irq, self.gsi_top))
                    taken[irq] = d.address
                d.vectors = list(d.explicit_vectors)
        following = self.msi_base
        for d in self.devices:
            if d.msi_kind and not d.explicit_vectors:
                for _ in range(d.n_vectors):
                    while following in taken:
                        following += 1
                    taken[following] = d.address
                    d.vectors.append(following)
                    following += 1
        self._irq_table()

    def _actions(self, d):
        """Names the kernel gives the IRQ actions of @d's vectors."""
        n = len(d.vectors)
        if d.actions is not None:
            return [[a] if isinstance(a, str) else list(a) for a in d.actions]
        drv, ifn, addr = d.driver, d.ifname, d.address
        if drv == "vfio-pci":
            return [["vfio-%s[%d](%s)" % (d.msi_kind, i, addr)] for i in range(n)]
        if drv in ("ixgbe", "ixgbevf"):
            return [["%s-TxRx-%d" % (ifn, i)] for i in range(n - 1)] + [[ifn]]
        if drv == "igb":
            return [[ifn]] + [["%s-TxRx-%d" % (ifn, i)] for i in range(n - 1)]
        if drv in ("i40e", "ice"):
            return [["%s-%s:misc" % (drv, addr)]] + \
                [["%s-%s-TxRx-%d" % (drv, ifn, i)] for i in range(n - 1)]
        if drv == "iavf":
            return [["iavf-%s:mbx" % addr]] + [["iavf-%s-TxRx-%d" % (ifn, i)]
                                                for i in range(n - 1)]
        if drv == "atlantic":
            return [["%s-%d" % (ifn, i)] for i in range(n)]
        if drv in ("r8169", "e1000e"):
            return [[ifn] if n == 1 else ["%s-%d" % (ifn, i)] for i in range(n)]
        if drv == "nvme":
            return [["nvme%dq%d" % (d.instance, i)] for i in range(n)]
        if drv == "ahci":
            return [["ahci[%s]" % addr] if n == 1 else ["ahci%d[%s]" % (i, addr)]
                    for i in range(n)]
        if drv == "pcieport":
            return [["PCIe PME", "aerdrv"] + (["pciehp"] if d.slot else [])] * n
        if drv == "snd_hda_intel":
            return [["snd_hda_intel:card%d" % d.instance]] * n
        if drv is None and (d.class_code >> 8) == 0x0806:
            return [["AMD-Vi"]] * n
        return [[drv or "pci-%s" % addr]] * n

    def _chip(self, d, index, kind):
        remap = "IR-" if self.iommu and (d.class_code >> 8) != 0x0806 else ""
        if self.chip_style == "legacy":
            hwirq = (d.domain << 27) | (d.rid << 11) | index
            return "%sPCI-MSI" % remap, hwirq
        return "%sPCI-%s-%s" % (remap, "MSIX" if kind == "msix" else "MSI", d.address), index

    def _spread(self, nvec):
        """CPU sets for @nvec managed vectors: the cores in topology order cut into nvec
        contiguous runs, each with all its hardware threads (what the kernel's spreading
        gives when the vectors are a multiple of the nodes)."""
        cores = self.topo.cores
        sets = []
        for i in range(nvec):
            lo = i * len(cores) // nvec
            hi = max((i + 1) * len(cores) // nvec, lo + 1)
            sets.append(sorted(c.number for core in cores[lo:hi] for c in core.cpus))
        return sets

    def _irq_table(self):
        """Every IRQ with an action: what /proc/interrupts and /proc/irq show."""
        t = self.topo
        rng = random.Random("irqs/" + self.hostname)
        online = set(t.online_numbers())
        load = {c: 0 for c in online}
        self.irqs = []

        def effective(affinity, node):
            candidates = [c for c in affinity if c in online]
            local = [c for c in candidates if node < 0 or t.cpus[c].node == node]
            pool = local or candidates or sorted(online)
            cpu = min(pool, key=lambda c: (load[c], c))
            load[cpu] += 1
            return cpu

        for s in self.system_irqs:
            cpu = s.get("cpu", 0)
            self.irqs.append({
                "irq": s["irq"], "chip": "IR-IO-APIC" if self.iommu else "IO-APIC",
                "hwirq": s.get("pin", s["irq"]), "type": s.get("type", "edge"),
                "actions": s["actions"], "node": s.get("node", 0),
                "affinity": self.default_affinity, "effective": cpu,
                "count": s.get("count", rng.randint(0, 2000)), "device": None})
        legacy = {}
        for d in self.devices:
            if d.intx:
                legacy.setdefault(d.legacy_irq, []).append(d)
        for irq, devs in sorted(legacy.items()):
            d = devs[0]
            base = 0 if irq < 24 else 24
            affinity = d.affinity or self.default_affinity
            names = []
            for dev in devs:
                names += ["vfio-intx(%s)" % dev.address] if dev.driver == "vfio-pci" \
                    else [dev.driver or "pci-%s" % dev.address]
            self.irqs.append({
                "irq": irq, "chip": "IR-IO-APIC" if self.iommu else "IO-APIC",
                "hwirq": irq - base, "type": "fasteoi", "actions": names, "node": d.numa_node,
                "affinity": affinity, "effective": effective(affinity, d.numa_node),
                "count": self._count(rng, d), "device": d})
        for d in self.devices:
            if not d.vectors:
                continue
            actions = self._actions(d)
            spread = self._spread(len(d.vectors) - 1) if d.managed and len(d.vectors) > 1 \
                else None
            for i, irq in enumerate(d.vectors):
                chip, hwirq = self._chip(d, i, d.msi_kind)
                if spread and i > 0:
                    affinity = spread[i - 1]
                else:
                    affinity = d.affinity or self.default_affinity
                self.irqs.append({
                    "irq": irq, "chip": chip, "hwirq": hwirq, "type": "edge",
                    "actions": actions[i], "node": d.numa_node, "affinity": affinity,
                    "effective": effective(affinity, -1 if spread and i > 0 else d.numa_node),
                    "count": self._count(rng, d), "device": d})
        self.irqs.sort(key=lambda q: q["irq"])

    @staticmethod
    def _count(rng, d):
        if d.count_scale is not None:
            return rng.randint(d.count_scale // 2, d.count_scale)
        base = d.class_code >> 16
        scale = {0x02: 4000000, 0x01: 800000, 0x0c: 40000, 0x03: 300000, 0x04: 20000,
                 0x06: 4, 0x08: 60}.get(base, 1000)
        return rng.randint(scale // 3, scale)

    # -- IOMMU groups ----------------------------------------------------------------------------

    def _iommu_groups(self):
        """Numbers the groups as the kernel does, in bus order as devices appear, keeping the
        numbers the description gives; VFs appear last (they are created after boot)."""
        self.groups = {}
        for d in self.devices:
            d.iommu_group = None
        if not self.iommu:
            return
        used = {d.group_spec for d in self.devices if isinstance(d.group_spec, int)}
        labels = {}
        following = 0

        def fresh():
            nonlocal following
            while following in used:
                following += 1
            used.add(following)
            return following

        for vfs_pass in (False, True):
            for d in self.devices:
                if (d.physfn is not None) != vfs_pass:
                    continue
                spec = d.group_spec
                if spec is None:
                    continue
                if isinstance(spec, int):
                    group = spec
                    following = max(following, spec + 1)
                elif spec == "auto":
                    group = fresh()
                else:
                    if spec not in labels:
                        labels[spec] = fresh()
                    group = labels[spec]
                d.iommu_group = group
                self.groups.setdefault(group, []).append(d)


# ---------------------------------------------------------------------------------------------
# Synthetic PCI for the large benchmark host

def synthetic_pci(spec, topo):
    check_keys(spec, {"nics_per_node", "vfs_per_nic", "nvme_per_node", "gpu_every", "bmc_vga"},
               "synthetic_pci")
    nics = spec.get("nics_per_node", 1)
    vfs = spec.get("vfs_per_nic", 2)
    nvmes = spec.get("nvme_per_node", 1)
    gpu_every = spec.get("gpu_every", 2)
    if topo.n_nodes > 8:
        fail("synthetic_pci", "at most 8 NUMA nodes (one 0x20-bus range each)")
    roots = []
    for node in range(topo.n_nodes):
        base = node * 0x20
        dom = "0000"

        def a(bus, dev, fn):
            return "%s:%02x:%02x.%d" % (dom, bus, dev, fn)

        devices = [
            {"addr": a(base, 0, 0), "id": "1022:1480", "class": "060000", "iommu_group": None},
            {"addr": a(base, 0, 2), "id": "1022:1481", "class": "080600", "iommu_group": None,
             "msi": 1},
        ]
        bus = base + 1
        port = 1
        slots = []
        for n in range(nics):
            vf_driver = ["vfio-pci", "iavf"]
            slots.append({"addr": a(bus, 0, 0), "id": "8086:15ff", "subsys": "8086:0000",
                          "class": "020000", "rev": "02", "driver": "i40e", "msix": 3,
                          "bars": ["0:mem64pf:16M", "3:mem64pf:32K"],
                          "sriov": {"total": 64, "vf_id": "154c", "offset": 16, "stride": 1,
                                    "vf_bars": ["0:mem64pf:64K", "3:mem64pf:16K"],
                                    "vfs": [{"driver": vf_driver[v % 2], "msix": 2}
                                            for v in range(vfs)]}})
            slots.append({"addr": a(bus, 0, 1), "id": "8086:15ff", "subsys": "8086:0000",
                          "class": "020000", "rev": "02",
                          "driver": "vfio-pci" if (node + n) % 2 else "i40e", "msix": 3,
                          "bars": ["0:mem64pf:16M", "3:mem64pf:32K"]})
            bus += 1
        for n in range(nvmes):
            slots.append({"addr": a(bus, 0, 0), "id": "144d:a80a", "subsys": "144d:a801",
                          "class": "010802", "driver": "vfio-pci" if node % 3 == 1 else "nvme",
                          "msix": 5, "managed": node % 3 != 1, "bars": ["0:mem64:16K"]})
            bus += 1
        if gpu_every and node % gpu_every == gpu_every - 1:
            slots.append({"addr": a(bus, 0, 0), "id": "10de:2531", "subsys": "10de:151d",
                          "class": "030000", "rev": "a1", "driver": "vfio-pci", "msi": 1,
                          "iommu_group": "gpu%d" % node,
                          "bars": ["0:mem32:16M", "1:mem64pf:256M", "3:mem64pf:32M",
                                   "5:io:128"]})
            slots.append({"addr": a(bus, 0, 1), "id": "10de:228e", "subsys": "10de:151d",
                          "class": "040300", "rev": "a1", "driver": "vfio-pci", "msi": 1,
                          "iommu_group": "gpu%d" % node, "bars": ["0:mem32:16K"]})
            bus += 1
        if spec.get("bmc_vga") and node == 0:
            # The BMC's display, the server's boot VGA.
            slots.append({"addr": a(bus, 0, 0), "id": "1a03:2000", "subsys": "15d9:1b95",
                          "class": "030000", "rev": "52", "driver": "ast", "pcie": False,
                          "bars": ["0:mem32:64M", "1:mem32:256K", "2:io:128"]})
            bus += 1
        by_bus = {}
        for s in slots:
            by_bus.setdefault(s["addr"][5:7], []).append(s)
        for sec, children in sorted(by_bus.items()):
            devices.append({"addr": a(base, port, 0), "id": "1022:1482", "class": "060000"})
            devices.append({"addr": a(base, port, 1), "id": "1022:1483", "class": "060400",
                            "driver": "pcieport", "msi": 1, "slot": "%d" % (node * 8 + port),
                            "children": children})
            port += 1
        roots.append({"root": "%s:%02x" % (dom, base), "node": node, "devices": devices})
    return roots


# ---------------------------------------------------------------------------------------------
# Writing the tree

class Tree:
    def __init__(self, root):
        self.root = root

    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, text, mode=0o444):
        path = self.path(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb" if isinstance(text, bytes) else "w", encoding=None
                  if isinstance(text, bytes) else "utf-8") as f:
            f.write(text)
        os.chmod(path, mode)

    def mkdir(self, rel):
        os.makedirs(self.path(rel), exist_ok=True)

    def link(self, rel, target_rel):
        """A relative symlink at @rel pointing at @target_rel (both relative to the root)."""
        path = self.path(rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        target = os.path.relpath(self.path(target_rel), os.path.dirname(path))
        os.symlink(target, path)


def write_cpus(tree, host):
    t = host.topo
    base = "sys/devices/system/cpu"
    every = t.all_numbers()
    online = t.online_numbers()
    offline = [c for c in every if c not in online]
    nbits = t.nr_cpu_ids
    for name, cpus in (("possible", every), ("present", every), ("online", online),
                       ("offline", offline)):
        tree.write("%s/%s" % (base, name), format_list(cpus) + "\n")
    tree.write(base + "/kernel_max", "8191\n")
    tree.write(base + "/isolated", "\n")
    smt = "on" if t.threads > 1 else "notsupported"
    active = any(sum(1 for c in core.cpus if c.online) > 1 for core in t.cores)
    tree.write(base + "/smt/control", smt + "\n", 0o644)
    tree.write(base + "/smt/active", "%d\n" % active)

    def on(cpus):
        return [c.number for c in cpus if c.online]

    for cpu in t.cpus:
        core = cpu.core
        d = "%s/cpu%d" % (base, cpu.number)
        tree.mkdir(d)
        if cpu.number != 0:
            tree.write(d + "/online", "%d\n" % cpu.online, 0o644)
        tree.link("%s/node%d" % (d, cpu.node), "sys/devices/system/node/node%d" % cpu.node)
        if not cpu.online and t.keep_offline == "remove":
            continue
        # An online CPU's sibling masks hold the online CPUs only, as the kernel keeps them;
        # an offline CPU (kept) shows the masks it had with every sibling online.
        view = on if cpu.online else (lambda cpus: [c.number for c in cpus])
        siblings = view(core.cpus)
        package = view([c for c in t.cpus if c.core.package == core.package])
        die = view([c for c in t.cpus if c.core.die == core.die])
        topo = {
            "physical_package_id": core.package,
            "die_id": core.die_in_package,
            "core_id": core.core_id,
            "cluster_id": core.index * (1 << (t.threads - 1).bit_length()),
        }
        for name, value in topo.items():
            tree.write("%s/topology/%s" % (d, name), "%d\n" % value)
        for name, cpus in (("core_cpus", siblings), ("thread_siblings", siblings),
                           ("cluster_cpus", siblings), ("core_siblings", package),
                           ("package_cpus", package), ("die_cpus", die)):
            tree.write("%s/topology/%s" % (d, name), format_mask(cpus, nbits) + "\n")
            tree.write("%s/topology/%s_list" % (d, name), format_list(cpus) + "\n")
        l3_cpus = view([c for c in t.cpus if c.core.l3 == core.l3])
        caches = [("Data", 1, t.caches["l1d"], t.caches["l1_ways"], siblings, core.index),
                  ("Instruction", 1, t.caches["l1i"], t.caches["l1_ways"], siblings,
                   core.index),
                  ("Unified", 2, t.caches["l2"], t.caches["l2_ways"], siblings, core.index),
                  ("Unified", 3, t.caches["l3"], t.caches["l3_ways"], l3_cpus, core.l3)]
        for i, (kind, level, size, ways, shared, cid) in enumerate(caches):
            c = "%s/cache/index%d" % (d, i)
            tree.write(c + "/type", kind + "\n")
            tree.write(c + "/level", "%d\n" % level)
            tree.write(c + "/size", "%dK\n" % (size // 1024))
            tree.write(c + "/id", "%d\n" % cid)
            tree.write(c + "/coherency_line_size", "64\n")
            tree.write(c + "/ways_of_associativity", "%d\n" % ways)
            tree.write(c + "/number_of_sets", "%d\n" % (size // (ways * 64)))
            tree.write(c + "/physical_line_partition", "1\n")
            tree.write(c + "/shared_cpu_map", format_mask(shared, nbits) + "\n")
            tree.write(c + "/shared_cpu_list", format_list(shared) + "\n")


def write_nodes(tree, host):
    t = host.topo
    base = "sys/devices/system/node"
    nodes = list(range(t.n_nodes))
    nbits = t.nr_cpu_ids
    with_cpus = [n for n in nodes if t.node_cpus(n, online_only=True)]
    for name, values in (("possible", nodes), ("online", nodes), ("has_cpu", with_cpus),
                         ("has_memory", nodes), ("has_normal_memory", nodes)):
        tree.write("%s/%s" % (base, name), format_list(values) + "\n")
    rng = random.Random("memory/" + host.hostname)
    for n in nodes:
        d = "%s/node%d" % (base, n)
        cpus = t.node_cpus(n, online_only=True)
        tree.write(d + "/cpumap", format_mask(cpus, nbits) + "\n")
        tree.write(d + "/cpulist", format_list(cpus) + "\n")
        tree.write(d + "/distance", " ".join(str(host.distance(n, m)) for m in nodes) + "\n")
        for number in t.node_cpus(n):
            tree.link("%s/cpu%d" % (d, number), "sys/devices/system/cpu/cpu%d" % number)
        total = host.node_kib[n]
        huge = host.hugepages_2m * 2048 + host.hugepages_1g * 1048576
        used = rng.randint(total // 40, total // 12) + huge
        anon = used // 3
        fields = [("MemTotal", total), ("MemFree", total - used), ("MemUsed", used),
                  ("SwapCached", 0), ("Active", anon + used // 8), ("Inactive", used // 6),
                  ("Active(anon)", anon), ("Inactive(anon)", used // 40),
                  ("Active(file)", used // 8), ("Inactive(file)", used // 6 - used // 40),
                  ("Unevictable", used // 200), ("Mlocked", used // 200), ("Dirty", 64),
                  ("Writeback", 0), ("FilePages", used // 4), ("Mapped", used // 30),
                  ("AnonPages", anon), ("Shmem", used // 90), ("KernelStack", 9216),
                  ("PageTables", used // 160), ("SecPageTables", 0), ("NFS_Unstable", 0),
                  ("Bounce", 0), ("WritebackTmp", 0), ("KReclaimable", used // 20),
                  ("Slab", used // 12), ("SReclaimable", used // 20),
                  ("SUnreclaim", used // 12 - used // 20), ("AnonHugePages", 0),
                  ("ShmemHugePages", 0), ("ShmemPmdMapped", 0), ("FileHugePages", 0),
                  ("FilePmdMapped", 0)]
        lines = ["Node %d %-15s %8d kB" % (n, name + ":", value) for name, value in fields]
        for name in ("HugePages_Total", "HugePages_Free"):
            lines.append("Node %d %s: %5d" % (n, name, host.hugepages_2m))
        lines.append("Node %d HugePages_Surp: %5d" % (n, 0))
        tree.write(d + "/meminfo", "\n".join(lines) + "\n")
        for size, count in (("2048kB", host.hugepages_2m), ("1048576kB", host.hugepages_1g)):
            h = "%s/hugepages/hugepages-%s" % (d, size)
            tree.write(h + "/nr_hugepages", "%d\n" % count, 0o644)
            tree.write(h + "/free_hugepages", "%d\n" % count)
            tree.write(h + "/surplus_hugepages", "0\n")


def write_proc(tree, host):
    t = host.topo
    c = t.desc
    tree.write("proc/cmdline", host.kernel["cmdline"] + "\n")
    tree.write("proc/sys/kernel/hostname", host.hostname + "\n", 0o644)
    tree.write("proc/sys/kernel/osrelease", host.kernel["release"] + "\n")
    tree.write("proc/version", "Linux version %s %s\n" % (
        host.kernel["release"],
        host.kernel.get("version", "(debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC")))
    tree.write("proc/mounts",
               "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
               "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
               "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,"
               "memory_recursiveprot 0 0\n")
    blocks = []
    per_package = len(t.cores) // t.packages
    thread_bits = (t.threads - 1).bit_length()
    for cpu in t.cpus:
        if not cpu.online:
            continue
        core = cpu.core
        siblings = sum(1 for x in t.cpus if x.online and x.core.package == core.package)
        apic = (core.package << 8) | (core.core_id << thread_bits) | cpu.thread
        lines = [
            ("processor", cpu.number), ("vendor_id", c["vendor_id"]),
            ("cpu family", c["family"]), ("model", c["model"]),
            ("model name", c["model_name"]), ("stepping", c["stepping"]),
            ("microcode", c.get("microcode", "0x0")),
            ("cpu MHz", "%.3f" % (c.get("mhz", 3000.0) - (cpu.number * 37 % 400))),
            ("cache size", "%d KB" % (t.caches["l2"] // 1024)),
            ("physical id", core.package), ("siblings", siblings),
            ("core id", core.core_id), ("cpu cores", per_package),
            ("apicid", apic), ("initial apicid", apic),
            ("fpu", "yes"), ("fpu_exception", "yes"), ("cpuid level", c.get("cpuid_level", 16)),
            ("wp", "yes"), ("flags", c.get("flags", "fpu vme de pse tsc msr pae mce cx8 apic")),
            ("bugs", c.get("bugs", "")),
            ("bogomips", "%.2f" % c.get("bogomips", 2 * c.get("mhz", 3000.0))),
        ]
        if "tlb_size" in c:
            lines.append(("TLB size", c["tlb_size"]))
        lines += [("clflush size", 64), ("cache_alignment", 64),
                  ("address sizes", c.get("address_sizes", "48 bits physical, 48 bits virtual")),
                  ("power management", c.get("power_management", ""))]
        text = ""
        for key, value in lines:
            value = str(value)
            # The kernel pads keys with tabs, except "power management:".
            label = key + ":" if key == "power management" else \
                "%s\t%s:" % (key, "\t" if len(key) < 8 else "")
            text += label + (" " + value if value else "") + "\n"
        blocks.append(text)
    tree.write("proc/cpuinfo", "\n".join(blocks) + "\n")

    total = sum(host.node_kib)
    rng = random.Random("meminfo/" + host.hostname)
    used = rng.randint(total // 30, total // 10)
    huge_total = host.hugepages_2m * t.n_nodes
    fields = [("MemTotal", total), ("MemFree", total - used), ("MemAvailable", total - used // 2),
              ("Buffers", used // 50), ("Cached", used // 4), ("SwapCached", 0),
              ("Active", used // 3), ("Inactive", used // 6), ("Active(anon)", used // 4),
              ("Inactive(anon)", used // 40), ("Active(file)", used // 12),
              ("Inactive(file)", used // 7), ("Unevictable", used // 200),
              ("Mlocked", used // 200), ("SwapTotal", 8388604), ("SwapFree", 8388604),
              ("Zswap", 0), ("Zswapped", 0), ("Dirty", 212), ("Writeback", 0),
              ("AnonPages", used // 4), ("Mapped", used // 30), ("Shmem", used // 90),
              ("KReclaimable", used // 20), ("Slab", used // 12), ("SReclaimable", used // 20),
              ("SUnreclaim", used // 12 - used // 20), ("KernelStack", 9216 * t.n_nodes),
              ("PageTables", used // 160), ("SecPageTables", 0), ("NFS_Unstable", 0),
              ("Bounce", 0), ("WritebackTmp", 0), ("CommitLimit", total // 2 + 8388604),
              ("Committed_AS", used // 2), ("VmallocTotal", 34359738367),
              ("VmallocUsed", 180000), ("VmallocChunk", 0), ("Percpu", 688 * len(t.cpus)),
              ("HardwareCorrupted", 0), ("AnonHugePages", 0), ("ShmemHugePages", 0),
              ("ShmemPmdMapped", 0), ("FileHugePages", 0), ("FilePmdMapped", 0)]
    lines = ["%-15s %8d kB" % (name + ":", value) for name, value in fields]
    lines += ["HugePages_Total: %5d" % huge_total, "HugePages_Free:  %5d" % huge_total,
              "HugePages_Rsvd:  %5d" % 0, "HugePages_Surp:  %5d" % 0,
              "Hugepagesize:       2048 kB", "Hugetlb:        %8d kB" % (huge_total * 2048),
              "DirectMap4k:    %8d kB" % 1090416, "DirectMap2M:    %8d kB" % (total // 3),
              "DirectMap1G:    %8d kB" % (total - total // 3)]
    tree.write("proc/meminfo", "\n".join(lines) + "\n")


def write_dmi(tree, host):
    base = "sys/devices/virtual/dmi/id"
    dmi = dict(host.dmi)
    dmi.setdefault("board_version", "1.01")
    dmi.setdefault("bios_vendor", "American Megatrends International, LLC.")
    dmi.setdefault("bios_date", "01/01/2023")
    for key, value in sorted(dmi.items()):
        tree.write("%s/%s" % (base, key), value + "\n")
    tree.link("sys/class/dmi/id", base)


def config_space(host, d):
    """The device's configuration space, consistent with its sysfs files."""
    size = 4096 if d.pcie else 256
    cfg = bytearray(size)

    def put(offset, fmt, value):
        struct.pack_into("<" + fmt, cfg, offset, value)

    put(0x00, "H", d.vendor)
    put(0x02, "H", d.device)
    has_io = any(b.kind == "io" for b in d.bars) or (d.is_bridge and d.windows["io"])
    has_mem = any(b.kind != "io" for b in d.bars) or \
        (d.is_bridge and (d.windows["mem"] or d.windows["pref"])) or bool(d.iov_bars)
    command = (1 if has_io else 0) | (2 if has_mem else 0)
    if d.driver:
        command |= 4
    if d.vectors:
        command |= 0x400
    put(0x04, "H", command)
    caps = not d.is_host_bridge
    put(0x06, "H", (0x10 if caps else 0) | (0 if d.pcie else 0x0200))
    put(0x08, "B", d.rev)
    put(0x09, "B", d.class_code & 0xff)
    put(0x0a, "B", (d.class_code >> 8) & 0xff)
    put(0x0b, "B", d.class_code >> 16)
    put(0x0c, "B", 0x10)
    put(0x0e, "B", (1 if d.is_bridge else 0) | (0x80 if d.multifunction else 0))
    bar_offsets = (0x10, 0x14) if d.is_bridge else (0x10, 0x14, 0x18, 0x1c, 0x20, 0x24)
    if d.physfn is None:
        for bar in d.bars:
            if bar.index >= len(bar_offsets):
                fail(d.where, "a bridge has only BARs 0 and 1")
            low = (bar.address & 0xfffffffc if bar.kind == "io" else bar.address & 0xfffffff0)
            put(bar_offsets[bar.index], "I", low | BAR_KINDS[bar.kind][1])
            if BAR_KINDS[bar.kind][2] == 2:
                put(bar_offsets[bar.index] + 4, "I", bar.address >> 32)
    if d.is_bridge:
        put(0x18, "B", d.bus)
        put(0x19, "B", d.secondary)
        put(0x1a, "B", d.subordinate)
        io, mem, pref = d.windows["io"], d.windows["mem"], d.windows["pref"]
        if io:
            put(0x1c, "B", ((io[0] >> 8) & 0xf0) | 1)
            put(0x1d, "B", ((io[1] >> 8) & 0xf0) | 1)
            put(0x30, "H", io[0] >> 16)
            put(0x32, "H", io[1] >> 16)
        else:
            put(0x1c, "B", 0xf1)
            put(0x1d, "B", 0x01)
        if mem:
            put(0x20, "H", (mem[0] >> 16) & 0xfff0)
            put(0x22, "H", (mem[1] >> 16) & 0xfff0)
        else:
            put(0x20, "H", 0xfff0)
            put(0x22, "H", 0x0000)
        if pref:
            put(0x24, "H", ((pref[0] >> 16) & 0xfff0) | 1)
            put(0x26, "H", ((pref[1] >> 16) & 0xfff0) | 1)
            put(0x28, "I", pref[0] >> 32)
            put(0x2c, "I", pref[1] >> 32)
        else:
            put(0x24, "H", 0xfff1)
            put(0x26, "H", 0x0001)
        put(0x3e, "H", 0x0012)
        if d.rom:
            put(0x38, "I", d.rom_bar.address)
    else:
        put(0x2c, "H", d.subvendor)
        put(0x2e, "H", d.subdevice)
        if d.rom:
            put(0x30, "I", d.rom_bar.address)
    if d.pin:
        put(0x3c, "B", d.legacy_irq if d.legacy_irq < 0xff else 0xff)
        put(0x3d, "B", "ABCD".index(d.pin) + 1)
    if not caps:
        return bytes(cfg)

    # Capabilities: power management, then MSI or MSI-X, then PCI Express.
    put(0x34, "B", 0x40)
    following = 0x50 if d.msi_kind else (0x70 if d.pcie else 0)
    put(0x40, "B", 0x01)
    put(0x41, "B", following)
    put(0x42, "H", 0x0003 | (0xc800 if d.physfn is None else 0))
    put(0x44, "H", 0x0008)
    if d.msi_kind == "msi":
        put(0x50, "B", 0x05)
        put(0x51, "B", 0x70 if d.pcie else 0)
        multiple = (d.n_vectors - 1).bit_length()
        put(0x52, "H", 0x0080 | (multiple << 1) | (multiple << 4) | (1 if d.vectors else 0))
        put(0x54, "I", 0xfee00000)
        put(0x58, "I", 0)
        put(0x5c, "H", 0x0020 + d.vectors[0] % 0xd0 if d.vectors else 0)
    elif d.msi_kind == "msix":
        put(0x50, "B", 0x11)
        put(0x51, "B", 0x70 if d.pcie else 0)
        put(0x52, "H", 0x8000 | (d.msix_table - 1))
        mem_bars = [b for b in (d.bars or []) if b.kind != "io"]
        bir = mem_bars[-1].index if mem_bars else 0
        put(0x54, "I", 0x0000 | bir)
        put(0x58, "I", max(0x800, (d.msix_table * 16 + 0x7ff) // 0x800 * 0x800) | bir)
    if d.pcie:
        if d.is_bridge and d.parent is None:
            port_type = 4          # root port
        elif d.is_bridge:
            port_type = 7 if any(not c.pcie for c in d.children) else 6
        elif d.parent is None:
            port_type = 9          # root complex integrated endpoint
        else:
            port_type = 0
        m = LINK_RE.match(d.link)
        speed, width = LINK_SPEEDS[m.group(1)], int(m.group(2))
        put(0x70, "B", 0x10)
        put(0x71, "B", 0)
        put(0x72, "H", 0x0002 | (port_type << 4) | (0x100 if d.is_bridge and d.slot else 0))
        put(0x74, "I", 0x00008022 | (0x10000000 if port_type in (0, 9) else 0))
        put(0x78, "H", 0x2930)
        if port_type != 9:
            put(0x7c, "I", (1 if d.parent is None and d.is_bridge else 0) << 24 |
                (speed | width << 4 | 0x0c00 | (0x100000 if d.is_bridge else 0)))
            active = 0x2000 if d.is_bridge and (d.children or not d.slot) else 0
            put(0x80, "H", 0x0040)
            put(0x82, "H", speed | width << 4 | 0x1000 | active)
        if d.is_bridge and d.slot:
            number = int(d.slot) if str(d.slot).isdigit() else 0
            put(0x84, "I", (number << 19) | 0x0060)
            put(0x88, "H", 0x01c0)     # attention indicator off, power indicator on
            put(0x8a, "H", 0x0040 if d.children else 0)
        put(0x94, "I", 0x0000001f)
        put(0x9c, "I", sum(1 << s for s in range(1, speed + 1)))
        put(0xa0, "H", speed)
    if d.sriov is not None:
        # AER, ARI, then SR-IOV at 0x160 as on Intel's X550.
        put(0x100, "I", 0x0001 | (2 << 16) | (0x150 << 20))
        put(0x150, "I", 0x000e | (1 << 16) | (0x160 << 20))
        base = 0x160
        put(base, "I", 0x0010 | (1 << 16))
        numvfs = len(d.vfs)
        put(base + 0x08, "H", 0x19 if numvfs else 0x10)
        put(base + 0x0c, "H", d.sriov["total"])
        put(base + 0x0e, "H", d.sriov["total"])
        put(base + 0x10, "H", numvfs)
        put(base + 0x14, "H", d.sriov["offset"])
        put(base + 0x16, "H", d.sriov["stride"])
        put(base + 0x1a, "H", d.sriov["vf_id"])
        put(base + 0x1c, "I", 0x553)
        put(base + 0x20, "I", 1)
        for bar in d.iov_bars:
            off = base + 0x24 + 4 * bar.index
            put(off, "I", (bar.address & 0xfffffff0) | BAR_KINDS[bar.kind][1])
            if BAR_KINDS[bar.kind][2] == 2:
                put(off + 4, "I", bar.address >> 32)
    return bytes(cfg)


def resource_lines(d):
    lines = [(0, 0, 0)] * (17 if d.is_bridge else 13)
    for bar in d.bars:
        lines[bar.index] = (bar.address, bar.address + bar.size - 1, BAR_KINDS[bar.kind][0])
    if d.rom:
        lines[6] = (d.rom_bar.address, d.rom_bar.address + d.rom - 1, 0x46200)
    for bar in d.iov_bars:
        size = bar.size * d.sriov["total"]
        lines[7 + bar.index] = (bar.address, bar.address + size - 1, BAR_KINDS[bar.kind][0])
    if d.is_bridge:
        for i, (w, flags) in enumerate((("io", 0x101), ("mem", 0x200), ("pref", 0x102201))):
            if d.windows[w]:
                lines[13 + i] = (d.windows[w][0], d.windows[w][1], flags)
    return "".join("0x%016x 0x%016x 0x%016x\n" % line for line in lines)


def link_text(d):
    m = LINK_RE.match(d.link)
    speed = {"2.5": "2.5 GT/s PCIe", "5": "5.0 GT/s PCIe", "8": "8.0 GT/s PCIe",
             "16": "16.0 GT/s PCIe", "32": "32.0 GT/s PCIe"}[m.group(1)]
    return speed, m.group(2)


def write_pci(tree, host):
    t = host.topo
    nbits = t.nr_cpu_ids
    online = t.online_numbers()
    drivers = set()
    tree.mkdir("sys/bus/pci/devices")
    tree.mkdir("sys/bus/pci/drivers")
    tree.write("sys/bus/pci/drivers_autoprobe", "1\n", 0o644)
    for root in host.roots:
        rdir = "sys/devices/pci%04x:%02x" % (root["domain"], root["bus"])
        tree.write(rdir + "/uevent", "")
        write_pci_bus(tree, host, rdir, root["domain"], root["bus"], root["node"])
    for d in host.devices:
        parent_dir = d.parent.sysfs_dir if d.parent is not None \
            else "sys/devices/pci%04x:%02x" % (d.domain, d.root["bus"])
        d.sysfs_dir = "%s/%s" % (parent_dir, d.address)
    for d in host.devices:
        p = d.sysfs_dir
        local = online if d.numa_node < 0 else t.node_cpus(d.numa_node, online_only=True)
        files = {
            "vendor": "0x%04x" % d.vendor, "device": "0x%04x" % d.device,
            "subsystem_vendor": "0x%04x" % d.subvendor,
            "subsystem_device": "0x%04x" % d.subdevice,
            "class": "0x%06x" % d.class_code, "revision": "0x%02x" % d.rev,
            "irq": "%d" % (d.vectors[0] if d.uses_msi else d.legacy_irq),
            "numa_node": "%d" % d.numa_node,
            "local_cpus": format_mask(local, nbits), "local_cpulist": format_list(local),
            "enable": "1" if d.driver else "0",
            "broken_parity_status": "0", "msi_bus": "1", "d3cold_allowed": "1",
            "power_state": "D0", "ari_enabled": "1" if d.sriov is not None else "0",
            "consistent_dma_mask_bits": "64", "dma_mask_bits": "64",
            "driver_override": "(null)",
            "modalias": "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X" % (
                d.vendor, d.device, d.subvendor, d.subdevice, d.class_code >> 16,
                (d.class_code >> 8) & 0xff, d.class_code & 0xff),
        }
        for name, value in files.items():
            mode = 0o644 if name in ("enable", "msi_bus", "d3cold_allowed", "driver_override",
                                     "broken_parity_status") else 0o444
            tree.write("%s/%s" % (p, name), value + "\n", mode)
        uevent = []
        if d.driver:
            uevent.append("DRIVER=%s" % d.driver)
        uevent += ["PCI_CLASS=%X" % d.class_code,
                   "PCI_ID=%04X:%04X" % (d.vendor, d.device),
                   "PCI_SUBSYS_ID=%04X:%04X" % (d.subvendor, d.subdevice),
                   "PCI_SLOT_NAME=%s" % d.address, "MODALIAS=%s" % files["modalias"]]
        tree.write(p + "/uevent", "\n".join(uevent) + "\n", 0o644)
        tree.write(p + "/resource", resource_lines(d))
        tree.write(p + "/config", config_space(host, d), 0o644)
        if d.pcie and not d.is_host_bridge:
            speed, width = link_text(d)
            for name, value in (("current_link_speed", speed), ("max_link_speed", speed),
                                ("current_link_width", width), ("max_link_width", width)):
                tree.write("%s/%s" % (p, name), value + "\n")
        tree.link(p + "/subsystem", "sys/bus/pci")
        tree.link("sys/bus/pci/devices/" + d.address, p)
        if d.driver:
            drivers.add(d.driver)
            tree.link(p + "/driver", "sys/bus/pci/drivers/" + d.driver)
            tree.link("sys/bus/pci/drivers/%s/%s" % (d.driver, d.address), p)
        if d.iommu_group is not None:
            g = "sys/kernel/iommu_groups/%d" % d.iommu_group
            tree.link(p + "/iommu_group", g)
            tree.link("%s/devices/%s" % (g, d.address), p)
        if d.vectors:
            for irq in d.vectors:
                tree.write("%s/msi_irqs/%d" % (p, irq), d.msi_kind + "\n")
        if d.sriov is not None:
            for name, value in (("sriov_totalvfs", d.sriov["total"]),
                                ("sriov_numvfs", len(d.vfs)),
                                ("sriov_offset", d.sriov["offset"]),
                                ("sriov_stride", d.sriov["stride"]),
                                ("sriov_vf_device", "%x" % d.sriov["vf_id"]),
                                ("sriov_drivers_autoprobe", 1)):
                mode = 0o644 if name in ("sriov_numvfs", "sriov_drivers_autoprobe") else 0o444
                tree.write("%s/%s" % (p, name), "%s\n" % value, mode)
            for vf in d.vfs:
                tree.link("%s/virtfn%d" % (p, vf.vf_index), vf.sysfs_dir)
        if d.physfn is not None:
            tree.link(p + "/physfn", d.physfn.sysfs_dir)
        if d.is_bridge:
            write_pci_bus(tree, host, p, d.domain, d.secondary, d.numa_node)
        if d.ifname:
            net = "%s/net/%s" % (p, d.ifname)
            tree.write(net + "/address", d.mac + "\n")
            tree.write(net + "/operstate", ("down" if d.physfn is not None else "up") + "\n")
            tree.write(net + "/mtu", "1500\n", 0o644)
            tree.link("sys/class/net/" + d.ifname, net)
        if d.slot is not None:
            s = "sys/bus/pci/slots/%s" % d.slot
            tree.write(s + "/address", "%04x:%02x:00\n" % (d.domain, d.secondary))
            speed, _ = link_text(d)
            tree.write(s + "/max_bus_speed", speed + "\n")
            tree.write(s + "/cur_bus_speed", speed + "\n")
    for name in sorted(drivers):
        for f in ("bind", "unbind", "new_id", "remove_id", "uevent"):
            tree.write("sys/bus/pci/drivers/%s/%s" % (name, f), "", 0o200)
    if host.iommu:
        reserved = ("0x00000000fee00000 0x00000000feefffff msi\n"
                    "0x000000fd00000000 0x000000ffffffffff reserved\n")
        kind = "identity" if re.search(r"(^|\s)iommu=pt(\s|$)", host.kernel["cmdline"]) \
            else "DMA"
        for group, devs in host.groups.items():
            g = "sys/kernel/iommu_groups/%d" % group
            # A group held for a VM gets a DMA domain of its own, whatever the default.
            held = all(x.driver in VM_DRIVERS for x in devs)
            tree.write(g + "/type", ("DMA" if held else kind) + "\n")
            tree.write(g + "/reserved_regions", reserved)


def write_pci_bus(tree, host, parent, domain, bus, node):
    t = host.topo
    local = t.online_numbers() if node < 0 else t.node_cpus(node, online_only=True)
    b = "%s/pci_bus/%04x:%02x" % (parent, domain, bus)
    tree.write(b + "/cpuaffinity", format_mask(local, t.nr_cpu_ids) + "\n")
    tree.write(b + "/cpulistaffinity", format_list(local) + "\n")
    tree.link("sys/class/pci_bus/%04x:%02x" % (domain, bus), b)


PERCPU_ROWS = [
    ("NMI", "Non-maskable interrupts", 30), ("LOC", "Local timer interrupts", 90000000),
    ("SPU", "Spurious interrupts", 0), ("PMI", "Performance monitoring interrupts", 30),
    ("IWI", "IRQ work interrupts", 4000), ("RTR", "APIC ICR read retries", 0),
    ("RES", "Rescheduling interrupts", 400000), ("CAL", "Function call interrupts", 200000),
    ("TLB", "TLB shootdowns", 60000), ("TRM", "Thermal event interrupts", 0),
    ("THR", "Threshold APIC interrupts", 0), ("DFR", "Deferred Error APIC interrupts", 0),
    ("MCE", "Machine check exceptions", 0), ("MCP", "Machine check polls", 1500),
]


def write_irqs(tree, host):
    t = host.topo
    online = t.online_numbers()
    nbits = t.nr_cpu_ids
    rng = random.Random("percpu/" + host.hostname)
    # Width of the IRQ number column: the kernel sizes it for nr_irqs (x86's estimate).
    gsi = max(host.gsi_top, 16)
    nr_irqs = gsi + 16 + 8 * nbits + (8 * nbits if gsi <= 16 else gsi * 16)
    prec, j = 3, 1000
    while prec < 10 and j <= nr_irqs:
        prec += 1
        j *= 10
    out = [" " * (prec + 8) + "".join("CPU%-8d" % c for c in online)]
    for q in host.irqs:
        counts = "".join("%10d " % (q["count"] if c == q["effective"] else 0) for c in online)
        hw = " %*d" % (prec, q["hwirq"])
        out.append("%*d: %s %8s%s-%-8s  %s" % (prec, q["irq"], counts, q["chip"], hw, q["type"],
                                              ", ".join(q["actions"])))
    for name, text, scale in PERCPU_ROWS:
        counts = "".join("%10d " % (rng.randint(scale // 2, scale) if scale else 0)
                         for _ in online)
        out.append("%*s: %s  %s" % (prec, name, counts, text))
    for name in ("ERR", "MIS"):
        out.append("%*s: %10d" % (prec, name, 0))
    for name, text in (("PIN", "Posted-interrupt notification event"),
                       ("NPI", "Nested posted-interrupt event"),
                       ("PIW", "Posted-interrupt wakeup event")):
        out.append("%*s: %s  %s" % (prec, name, "".join("%10d " % 0 for _ in online), text))
    tree.write("proc/interrupts", "\n".join(out) + "\n")

    tree.write("proc/irq/default_smp_affinity", format_mask(host.default_affinity, nbits) + "\n",
               0o644)
    lines = {q["irq"]: q for q in host.irqs}
    for d in host.devices:
        if d.legacy_irq and d.legacy_irq not in lines:
            lines[d.legacy_irq] = {"irq": d.legacy_irq, "actions": [], "node": d.numa_node,
                                   "affinity": host.default_affinity, "effective": 0}
    for irq, q in sorted(lines.items()):
        d = "proc/irq/%d" % irq
        tree.write(d + "/smp_affinity", format_mask(q["affinity"], nbits) + "\n", 0o644)
        tree.write(d + "/smp_affinity_list", format_list(q["affinity"]) + "\n", 0o644)
        eff = [q["effective"]] if q["actions"] else []
        tree.write(d + "/effective_affinity", format_mask(eff, nbits) + "\n")
        tree.write(d + "/effective_affinity_list", format_list(eff) + "\n")
        tree.write(d + "/affinity_hint", format_mask([], nbits) + "\n")
        tree.write(d + "/node", "%d\n" % q["node"])
        tree.write(d + "/spurious", "count 0\nunhandled 0\nlast_unhandled 0 ms\n")
        for action in q["actions"]:
            tree.mkdir("%s/%s" % (d, action.replace("/", "_")))


def write_cgroup(tree, host):
    t = host.topo
    base = "sys/fs/cgroup"
    controllers = host.cgroup.get("controllers", "cpuset cpu io memory hugetlb pids rdma misc")
    slices = host.cgroup.get("slices", ["machine.slice", "system.slice", "user.slice"])
    cpus = format_list(t.online_numbers())
    mems = format_list(range(t.n_nodes))
    subtree = " ".join(c for c in controllers.split() if c in ("cpuset", "cpu", "io", "memory",
                                                               "pids"))
    tree.write(base + "/cgroup.controllers", controllers + "\n")
    tree.write(base + "/cgroup.subtree_control", subtree + "\n", 0o644)
    tree.write(base + "/cgroup.procs", "1\n", 0o644)
    tree.write(base + "/cgroup.max.depth", "max\n", 0o644)
    tree.write(base + "/cpuset.cpus.effective", cpus + "\n")
    tree.write(base + "/cpuset.mems.effective", mems + "\n")
    tree.write(base + "/cpuset.cpus.isolated", "\n")
    for name in slices:
        s = "%s/%s" % (base, name)
        tree.write(s + "/cgroup.controllers", subtree + "\n")
        tree.write(s + "/cgroup.subtree_control", "\n", 0o644)
        tree.write(s + "/cgroup.type", "domain\n", 0o644)
        tree.write(s + "/cgroup.procs", "\n", 0o644)
        tree.write(s + "/cpuset.cpus", "\n", 0o644)
        tree.write(s + "/cpuset.cpus.effective", cpus + "\n")
        tree.write(s + "/cpuset.cpus.partition", "member\n", 0o644)
        tree.write(s + "/cpuset.mems", "\n", 0o644)
        tree.write(s + "/cpuset.mems.effective", mems + "\n")


def write_tuning(tree, host):
    """What kvmrt-validate-host reads besides the host model."""
    t = host.tuning
    if t.get("kvm", True):
        tree.write("dev/kvm", "")
    if "numa_balancing" in t:
        tree.write("proc/sys/kernel/numa_balancing", "%d\n" % t["numa_balancing"], 0o644)
    tree.write("proc/sys/kernel/sched_rt_runtime_us", "950000\n", 0o644)
    if "governor" in t:
        for cpu in host.topo.online_numbers():
            tree.write("sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor" % cpu,
                       t["governor"] + "\n", 0o644)
    if "irqbalance_banned" in t:
        tree.write("etc/default/irqbalance",
                   "#IRQBALANCE_ONESHOT=\nIRQBALANCE_BANNED_CPULIST=%s\n" % t["irqbalance_banned"])
    for proc in t.get("processes", []):
        base = "proc/%d" % proc["pid"]
        memlock = proc.get("memlock", "8388608")
        tree.write(base + "/comm", proc["comm"] + "\n")
        tree.write(base + "/status", "Name:\t%s\nPid:\t%d\nCapEff:\t%s\n"
                   % (proc["comm"], proc["pid"], proc.get("cap_eff", "0000000000000000")))
        tree.write(base + "/limits",
                   "Limit                     Soft Limit           Hard Limit           Units\n"
                   "Max locked memory         %-20s %-20s bytes\n" % (memlock, memlock))


# Task flags of proc/PID/stat (field 9), from include/linux/sched.h.
PF_WQ_WORKER = 0x00000020
PF_FORKNOEXEC = 0x00000040
PF_NOFREEZE = 0x00008000
PF_KTHREAD = 0x00200000
PF_NO_SETAFFINITY = 0x04000000
KTHREAD_FLAGS = PF_KTHREAD | PF_NOFREEZE | PF_FORKNOEXEC
SCHED_OTHER, SCHED_FIFO = 0, 1

DEFAULT_RUNNING_VM = {"pid": 4321, "name": "scratch", "uuid": "5b0c52a4-9d4e-4a57-b1a2-3c9f6e0d7a18",
                      "vcpus": 2}


def running_vms(tuning):
    """The QEMUs a description runs outside kvmrt's configuration (default: one)."""
    vms = tuning.get("running_vms", [DEFAULT_RUNNING_VM])
    for vm in vms:
        check_keys(vm, {"pid", "name", "uuid", "vcpus"}, "tuning.running_vms")
        need(vm, "pid", "tuning.running_vms", int)
        need(vm, "name", "tuning.running_vms", str)
        need(vm, "uuid", "tuning.running_vms", str)
    return vms


def stat_line(pid, comm, ppid, flags, cpu, prio=0, policy=SCHED_OTHER, threads=1, start=100):
    """A proc/PID/stat line (52 fields, Linux 5.x and later) with the fields kvmrt reads set:
    flags (9), num_threads (20), starttime (22), processor (39), rt_priority (40),
    policy (41)."""
    nice_prio = -prio - 1 if policy == SCHED_FIFO else 20
    fields = [str(pid), "(%s)" % comm, "S", str(ppid), "0", "0", "0", "-1", str(flags),
              "0", "0", "0", "0", "0", "0", "0", "0", str(nice_prio), "0", str(threads), "0",
              str(start), "0", "0", "18446744073709551615", "0", "0", "0", "0", "0", "0",
              "0", "2147483647", "0", "0", "0", "0", "17", str(cpu), str(prio), str(policy),
              "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"]
    return " ".join(fields) + "\n"


def status_text(pid, tgid, comm, ppid, cpus, nbits, kthread, threads=1):
    return ("Name:\t%s\nUmask:\t0000\nState:\tS (sleeping)\nTgid:\t%d\nNgid:\t0\n"
            "Pid:\t%d\nPPid:\t%d\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
            "Threads:\t%d\nKthread:\t%d\nCpus_allowed:\t%s\nCpus_allowed_list:\t%s\n"
            "Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t%d\n"
            "nonvoluntary_ctxt_switches:\t0\n"
            % (comm, tgid, pid, ppid, threads, 1 if kthread else 0, format_mask(cpus, nbits),
               format_list(cpus), 1000 + pid))


def write_kernel_tunables(tree, host):
    """The run-time knobs of tuned's realtime-virtual-host profile, with the kernel's defaults."""
    t = host.topo
    every = t.all_numbers()
    mask = format_mask(every, t.nr_cpu_ids) + "\n"
    wq = "sys/devices/virtual/workqueue"
    tree.write(wq + "/cpumask", mask, 0o644)
    tree.write(wq + "/writeback/cpumask", mask, 0o644)
    tree.write(wq + "/writeback/per_cpu", "0\n")
    tree.write(wq + "/writeback/nice", "0\n", 0o644)
    tree.write(wq + "/writeback/max_active", "256\n", 0o644)
    tree.write("proc/sys/kernel/timer_migration", "1\n", 0o644)
    tree.write("proc/sys/kernel/nmi_watchdog", "1\n", 0o644)
    tree.write("proc/sys/kernel/watchdog", "1\n", 0o644)
    tree.write("proc/sys/kernel/watchdog_cpumask", format_list(every) + "\n", 0o644)
    tree.write("proc/sys/vm/stat_interval", "1\n", 0o644)


def write_task(tree, base, pid, tgid, comm, ppid, flags, cpus, nbits, cpu, prio=0,
               policy=SCHED_OTHER, threads=1, kthread=False, cgroup="/"):
    tree.write(base + "/comm", comm + "\n", 0o644)
    tree.write(base + "/stat", stat_line(pid, comm, ppid, flags, cpu, prio, policy, threads))
    tree.write(base + "/status", status_text(pid, tgid, comm, ppid, cpus, nbits, kthread,
                                             threads))
    tree.write(base + "/cgroup", "0::%s\n" % cgroup)


def write_kernel_threads(tree, host):
    """kthreadd and its children as proc/ shows them: per-CPU threads bound to their CPU
    (PF_NO_SETAFFINITY: nobody may move them), unbound workers (PF_NO_SETAFFINITY too: the
    workqueue cpumask places them), and threads any CPU may run (movable)."""
    t = host.topo
    nbits = t.nr_cpu_ids
    online = t.online_numbers()
    every = t.all_numbers()
    threads = [(2, "kthreadd", KTHREAD_FLAGS, every, SCHED_OTHER, 0)]
    for cpu in online:
        bound = KTHREAD_FLAGS | PF_NO_SETAFFINITY
        threads.append((None, "migration/%d" % cpu, bound, [cpu], SCHED_FIFO, 99))
        threads.append((None, "ksoftirqd/%d" % cpu, bound, [cpu], SCHED_OTHER, 0))
    threads.append((None, "rcu_preempt", KTHREAD_FLAGS, every, SCHED_OTHER, 0))
    threads.append((None, "kworker/u%d:0-events_unbound" % (2 * nbits),
                    KTHREAD_FLAGS | PF_NO_SETAFFINITY | PF_WQ_WORKER, every, SCHED_OTHER, 0))
    for node in range(t.n_nodes):
        cpus = t.node_cpus(node)
        if not cpus:
            continue
        threads.append((None, "kswapd%d" % node, KTHREAD_FLAGS, cpus, SCHED_OTHER, 0))
        threads.append((None, "kcompactd%d" % node, KTHREAD_FLAGS, cpus, SCHED_OTHER, 0))
    threads.append((None, "khugepaged", KTHREAD_FLAGS, every, SCHED_OTHER, 0))
    pid = 2
    for fixed, comm, flags, cpus, policy, prio in threads:
        if fixed is not None:
            pid = fixed
        base = "proc/%d" % pid
        ppid = 0 if pid == 2 else 2
        write_task(tree, base, pid, pid, comm, ppid, flags, cpus, nbits, cpus[0], prio, policy,
                   kthread=True)
        write_task(tree, "%s/task/%d" % (base, pid), pid, pid, comm, ppid, flags, cpus, nbits,
                   cpus[0], prio, policy, kthread=True)
        tree.write(base + "/cmdline", "")
        pid += 1


def systemd_escape(name):
    return "".join(c if c.isalnum() or c in ":_." else "\\x%02x" % ord(c) for c in name)


def write_running_vms(tree, host):
    """A QEMU that libvirt runs outside the configuration (started with virsh): its process,
    threads and the machine.slice scope with libvirt's groups, nobody having pinned it."""
    t = host.topo
    nbits = t.nr_cpu_ids
    every = t.all_numbers()
    online = t.online_numbers()
    cpus_text = format_list(online) + "\n"
    mems_text = format_list(range(t.n_nodes)) + "\n"
    for number, vm in enumerate(host.running_vms, 1):
        pid, name, vcpus = vm["pid"], vm["name"], vm.get("vcpus", 1)
        scope = "machine.slice/machine-qemu%s.scope" % systemd_escape("-%d-%s" % (number, name))
        groups = {"": "domain", "libvirt": "domain threaded", "libvirt/emulator": "threaded"}
        for v in range(vcpus):
            groups["libvirt/vcpu%d" % v] = "threaded"
        for group, kind in groups.items():
            d = "sys/fs/cgroup/%s%s" % (scope, "/" + group if group else "")
            tree.write(d + "/cgroup.type", kind.split()[0] + "\n", 0o644)
            tree.write(d + "/cgroup.procs", (str(pid) + "\n") if group == "libvirt/emulator"
                       else "\n", 0o644)
            tree.write(d + "/cpuset.cpus", "\n", 0o644)
            tree.write(d + "/cpuset.cpus.effective", cpus_text)
            tree.write(d + "/cpuset.mems", "\n", 0o644)
            tree.write(d + "/cpuset.mems.effective", mems_text)
        base = "proc/%d" % pid
        argv = ["/usr/bin/qemu-system-x86_64", "-name", "guest=%s,debug-threads=on" % name,
                "-S", "-machine", "pc-q35-7.2,usb=off", "-accel", "kvm", "-m", "2048",
                "-smp", "%d,sockets=1,cores=%d,threads=1" % (vcpus, vcpus), "-uuid",
                vm["uuid"], "-no-user-config", "-nodefaults"]
        tree.write(base + "/cmdline", "\0".join(argv) + "\0")
        names = [("qemu-system-x86", "libvirt/emulator"), ("call_rcu", "libvirt/emulator"),
                 ("IO mon_iothread", "libvirt/emulator")]
        names += [("CPU %d/KVM" % v, "libvirt/vcpu%d" % v) for v in range(vcpus)]
        for offset, (comm, group) in enumerate(names):
            tid = pid + offset
            cgroup = "/%s/%s" % (scope, group)
            target = base if offset == 0 else None
            for d in filter(None, (target, "%s/task/%d" % (base, tid))):
                write_task(tree, d, tid, pid, comm, 1, 0x00400140, every, nbits,
                           online[offset % len(online)], threads=len(names), cgroup=cgroup)


# ---------------------------------------------------------------------------------------------
# What the host runs on its devices: disks, mounts, swap, routes, addresses, the console

class HostUse:
    KEYS = {"boot_vga", "console", "fb_name", "disks", "lvm", "mounts", "swaps", "bridges",
            "routes", "addresses6"}

    def __init__(self, desc, host):
        where = "host_use"
        check_keys(desc, self.KEYS, where)
        by_address = {d.address: d for d in host.devices}
        self.boot_vga = None
        if "boot_vga" in desc:
            self.boot_vga = by_address.get(desc["boot_vga"])
            if self.boot_vga is None or (self.boot_vga.class_code >> 16) != 0x03:
                fail(where + ".boot_vga", "%r is not a display controller of the host"
                     % desc["boot_vga"])
        self.console = desc.get("console", "fbcon" if self.boot_vga else "none")
        if self.console not in ("fbcon", "vgacon", "none"):
            fail(where + ".console", "expected \"fbcon\", \"vgacon\" or \"none\"")
        if self.console != "none" and self.boot_vga is None:
            fail(where + ".console", "a console needs \"boot_vga\"")
        self.fb_name = desc.get("fb_name", "%sdrmfb" % (self.boot_vga.driver or "simple")
                                if self.boot_vga else None)
        # Block devices: name -> (sysfs directory, major, minor)
        self.blocks = {}
        self.disks = []
        sata = 0
        for i, disk in enumerate(desc.get("disks", [])):
            w = "%s.disks[%d]" % (where, i)
            check_keys(disk, {"pci", "partitions"}, w)
            d = by_address.get(need(disk, "pci", w, str))
            if d is None or d.driver not in ("nvme", "ahci"):
                fail(w + ".pci", "%r is not an nvme or ahci controller of the host"
                     % disk["pci"])
            # The path below the controller's sysfs directory, which write_pci() sets.
            if d.driver == "nvme":
                name = "nvme%dn1" % d.instance
                below = "nvme/nvme%d/%s" % (d.instance, name)
                part = name + "p%d"
                major, minor = 259, 16 * len(self.disks)
            else:
                name = "sd%s" % "abcdefghijklmnopqrstuvwxyz"[sata]
                below = "ata%d/host%d/target%d:0:0/%d:0:0:0/block/%s" % (
                    sata + 1, sata, sata, sata, name)
                part = name + "%d"
                major, minor = 8, 16 * sata
                sata += 1
            n_parts = disk.get("partitions", 0)
            self.disks.append((name, d, below, major, minor, [part % (p + 1)
                                                              for p in range(n_parts)]))
        self.lvm = desc.get("lvm", [])
        self.mounts = desc.get("mounts", [])
        self.swaps = desc.get("swaps", [])
        self.bridges = desc.get("bridges", [])
        self.routes = desc.get("routes", [])
        self.addresses6 = desc.get("addresses6", [])
        known = {p for disk in self.disks for p in [disk[0]] + disk[5]}
        for i, lv in enumerate(self.lvm):
            check_keys(lv, {"name", "on"}, "%s.lvm[%d]" % (where, i))
            for part in lv.get("on", []):
                if part not in known:
                    fail("%s.lvm[%d].on" % (where, i), "%r is not a disk or partition" % part)
        lv_names = {"mapper/" + lv["name"] for lv in self.lvm}
        for i, m in enumerate(self.mounts):
            check_keys(m, {"source", "on", "fs"}, "%s.mounts[%d]" % (where, i))
            if m["source"] not in known and m["source"] not in lv_names:
                fail("%s.mounts[%d].source" % (where, i), "%r is not a disk, partition or "
                     "lvm volume" % m["source"])
        for i, sw in enumerate(self.swaps):
            if sw not in known and sw not in lv_names:
                fail("%s.swaps[%d]" % (where, i), "%r is not a disk, partition or lvm "
                     "volume" % sw)
        interfaces = {d.ifname for d in host.devices if d.ifname}
        for i, br in enumerate(self.bridges):
            check_keys(br, {"name", "ports"}, "%s.bridges[%d]" % (where, i))
            for port in br.get("ports", []):
                if port not in interfaces:
                    fail("%s.bridges[%d].ports" % (where, i), "no interface %r" % port)
            interfaces.add(br["name"])
        for key, keys in (("routes", {"ifname", "net", "gateway"}),
                          ("addresses6", {"ifname", "address", "prefix", "gateway"})):
            for i, r in enumerate(getattr(self, key)):
                check_keys(r, keys, "%s.%s[%d]" % (where, key, i))
                if r.get("ifname") not in interfaces:
                    fail("%s.%s[%d].ifname" % (where, key, i), "no interface %r"
                         % r.get("ifname"))


def ipv4_hex(text):
    """An IPv4 address as proc/net/route prints it (the 32-bit value in host byte order)."""
    parts = [int(x) for x in text.split(".")]
    return "%08X" % (parts[0] | parts[1] << 8 | parts[2] << 16 | parts[3] << 24)


def ipv6_hex(text):
    import ipaddress
    return ipaddress.IPv6Address(text).exploded.replace(":", "")


def write_host_use(tree, host):
    """Block devices, mounts, swap, routes, addresses and the console: what kvmrt reads to
    tell which devices the host itself needs."""
    use = host.host_use
    for d in host.devices:
        if (d.class_code >> 16) == 0x03:
            tree.write(d.sysfs_dir + "/boot_vga", "%d\n" % (d is use.boot_vga))

    def block(name, path, major, minor, size):
        tree.write(path + "/dev", "%d:%d\n" % (major, minor))
        tree.write(path + "/size", "%d\n" % size)
        tree.write(path + "/uevent", "MAJOR=%d\nMINOR=%d\nDEVNAME=%s\n" % (major, minor, name),
                   0o644)
        tree.link("sys/class/block/" + name, path)
        tree.link("sys/dev/block/%d:%d" % (major, minor), path)

    paths = {}
    for name, controller, below, major, minor, parts in use.disks:
        base = "%s/%s" % (controller.sysfs_dir, below)
        block(name, base, major, minor, 1953525168)
        tree.write(base + "/removable", "0\n")
        tree.write(base + "/ro", "0\n")
        tree.link("sys/block/" + name, base)
        paths[name] = base
        for i, part in enumerate(parts):
            p = "%s/%s" % (base, part)
            block(part, p, major, minor + i + 1, 209715200)
            tree.write(p + "/partition", "%d\n" % (i + 1))
            paths[part] = p
    for i, lv in enumerate(use.lvm):
        name = "dm-%d" % i
        path = "sys/devices/virtual/block/" + name
        block(name, path, 254, i, 104857600)
        tree.write(path + "/dm/name", lv["name"] + "\n")
        tree.link("sys/block/" + name, path)
        for part in lv["on"]:
            tree.link("%s/slaves/%s" % (path, part), paths[part])
            tree.link("%s/holders/%s" % (paths[part], name), path)

    mounts = tree.path("proc/mounts")
    with open(mounts, encoding="utf-8") as f:
        text = f.read()
    for m in use.mounts:
        text += "/dev/%s %s %s rw,relatime 0 0\n" % (m["source"], m["on"].replace(" ", "\\040"),
                                                   m["fs"])
    tree.write("proc/mounts", text)
    swaps = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
    for sw in use.swaps:
        swaps += "%-40s%-16s%-16d%-16d%d\n" % ("/dev/" + sw, "partition", 8388604, 0, -2)
    tree.write("proc/swaps", swaps)

    for br in use.bridges:
        path = "sys/devices/virtual/net/" + br["name"]
        tree.write(path + "/operstate", "up\n")
        tree.write(path + "/bridge/forward_delay", "1500\n")
        tree.link("sys/class/net/" + br["name"], path)
        for port in br.get("ports", []):
            tree.link("%s/lower_%s" % (path, port), "sys/class/net/" + port)
            tree.link("%s/brif/%s" % (path, port), "sys/class/net/" + port)

    lines = ["Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\t"
             "Window\tIRTT"]
    for r in use.routes:
        if "gateway" in r:
            lines.append("%s\t00000000\t%s\t0003\t0\t0\t0\t00000000\t0\t0\t0"
                         % (r["ifname"], ipv4_hex(r["gateway"])))
        net, bits = r["net"].split("/")
        mask = ".".join(str((0xffffffff << (32 - int(bits)) >> s) & 0xff) for s in (24, 16, 8, 0))
        lines.append("%s\t%s\t00000000\t0001\t0\t0\t0\t%s\t0\t0\t0"
                     % (r["ifname"], ipv4_hex(net), ipv4_hex(mask)))
    tree.write("proc/net/route", "".join(line.ljust(127) + "\n" for line in lines))

    up = sorted({d.ifname for d in host.devices if d.ifname and d.physfn is None} |
                {br["name"] for br in use.bridges})
    index = {name: i + 2 for i, name in enumerate(up)}
    inet6 = ["%s %02x %02x %02x %02x %8s" % ("0" * 31 + "1", 1, 128, 0x10, 0x80, "lo")]
    routes6 = []
    for a in use.addresses6:
        inet6.append("%s %02x %02x %02x %02x %8s" % (ipv6_hex(a["address"]), index[a["ifname"]],
                                                     a.get("prefix", 64), 0, 0, a["ifname"]))
        if "gateway" in a:
            routes6.append("%s 00 %s 00 %s %08x %08x %08x %08x %8s" % (
                "0" * 32, "0" * 32, ipv6_hex(a["gateway"]), 1024, 1, 0, 0x450003, a["ifname"]))
    for name in up:
        h = zlib.crc32(("%s/%s" % (host.hostname, name)).encode())
        inet6.append("fe800000000000000000%012x %02x %02x %02x %02x %8s" % (
            h, index[name], 64, 0x20, 0x80, name))
    routes6.append("%s 00 %s 00 %s ffffffff 00000001 00000000 00200200       lo" % (
        "0" * 32, "0" * 32, "0" * 32))
    tree.write("proc/net/if_inet6", "".join(line + "\n" for line in inet6))
    tree.write("proc/net/ipv6_route", "".join(line + "\n" for line in routes6))

    consoles = [("(S) dummy device", use.console == "none")]
    if use.console == "vgacon":
        consoles = [("(S) VGA+", True)]
    elif use.console == "fbcon":
        consoles.append(("(M) frame buffer device", True))
        fb = "%s/graphics/fb0" % use.boot_vga.sysfs_dir
        tree.write(fb + "/name", use.fb_name + "\n")
        tree.link(fb + "/device", use.boot_vga.sysfs_dir)
        tree.link("sys/class/graphics/fb0", fb)
    for i, (name, bound) in enumerate(consoles):
        path = "sys/devices/virtual/vtconsole/vtcon%d" % i
        tree.write(path + "/name", name + "\n")
        tree.write(path + "/bind", "%d\n" % bound, 0o644)
        tree.link("sys/class/vtconsole/vtcon%d" % i, path)


def write_host(host, outdir):
    """Builds the tree next to @outdir, then swaps it in, so that a failed run leaves the old
    tree (or nothing) rather than half of one."""
    outdir = os.path.abspath(outdir)
    parent = os.path.dirname(outdir)
    os.makedirs(parent, exist_ok=True)
    if os.path.lexists(outdir) and not os.path.exists(os.path.join(outdir, MARKER)) and \
            not (os.path.isdir(outdir) and not os.listdir(outdir)):
        raise DescriptionError("%s exists and was not written by make-sysroot.py; remove it "
                               "or choose another directory" % outdir)
    work = tempfile.mkdtemp(prefix=".%s." % os.path.basename(outdir), dir=parent)
    try:
        tree = Tree(work)
        tree.write(MARKER, "sysroot generated by make-sysroot.py for %s\n" % host.name)
        write_cpus(tree, host)
        write_nodes(tree, host)
        write_proc(tree, host)
        write_dmi(tree, host)
        write_pci(tree, host)
        write_irqs(tree, host)
        write_cgroup(tree, host)
        write_tuning(tree, host)
        write_kernel_tunables(tree, host)
        write_kernel_threads(tree, host)
        write_running_vms(tree, host)
        write_host_use(tree, host)
        os.chmod(work, 0o755)
        if os.path.lexists(outdir):
            old = outdir + ".old"
            if os.path.lexists(old):
                shutil.rmtree(old)
            os.rename(outdir, old)
            os.rename(work, outdir)
            shutil.rmtree(old)
        else:
            os.rename(work, outdir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def load(path):
    """The Host of the description at @path (errors name the file)."""
    try:
        with open(path, encoding="utf-8") as f:
            desc = json.load(f)
    except OSError as e:
        raise DescriptionError("cannot read %s: %s" % (path, e.strerror))
    except json.JSONDecodeError as e:
        raise DescriptionError("%s:%d:%d: not valid JSON: %s" % (path, e.lineno, e.colno, e.msg))
    try:
        return Host(desc, os.path.splitext(os.path.basename(path))[0])
    except DescriptionError as e:
        raise DescriptionError("%s: %s" % (path, e))


def main(argv):
    parser = argparse.ArgumentParser(
        description="Write a fake host's /sys and /proc tree from a JSON description.")
    parser.add_argument("description", help="host description (JSON)")
    parser.add_argument("outdir", help="directory to (re)create")
    parser.add_argument("--stamp", help="file to touch once the tree is complete")
    args = parser.parse_args(argv)
    try:
        host = load(args.description)
        write_host(host, args.outdir)
    except DescriptionError as e:
        print("make-sysroot.py: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("make-sysroot.py: cannot write %s: %s" % (e.filename or args.outdir, e.strerror),
              file=sys.stderr)
        return 1
    if args.stamp:
        with open(args.stamp, "w", encoding="utf-8") as f:
            f.write("%s\n" % os.path.abspath(args.outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
