#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks that each generated host tree reads, through the real tools, as its description says:
hwloc (lstopo) must find the described packages, dies, NUMA nodes, cores and online CPUs;
libpci (lspci) every device with its ids, driver, NUMA node and IOMMU group; and every MSI IRQ
of a device must be a line of proc/interrupts naming that device, with its proc/irq entry.

    check-sysroots.py SRCDIR BUILDDIR LSTOPO LSPCI     (an empty tool path skips its checks)

Prints TAP."""
import importlib.util
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

SRCDIR, BUILDDIR, LSTOPO, LSPCI = sys.argv[1:5]
HOSTS = ["m12swa-tf", "wrx90e-sage-se", "small-nosmt", "bench-256"]

# Keep the source tree free of __pycache__.
sys.dont_write_bytecode = True
spec = importlib.util.spec_from_file_location("make_sysroot",
                                              os.path.join(SRCDIR, "make-sysroot.py"))
make_sysroot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_sysroot)


def hwloc_set(text):
    """hwloc's "0x000000ff,0x000000ff" into a set of ints."""
    value = 0
    for chunk in text.split(","):
        value = value << 32 | int(chunk or "0", 16)
    return {i for i in range(value.bit_length()) if value >> i & 1}


def check_hwloc(host, root):
    env = dict(os.environ, HWLOC_FSROOT=root, HWLOC_COMPONENTS="-x86", HWLOC_THISSYSTEM="0")
    out = subprocess.run([LSTOPO, "--no-io", "--of", "xml", "-"], env=env, check=True,
                         capture_output=True, text=True).stdout
    objects = {}
    for obj in ET.fromstring(out).iter("object"):
        objects.setdefault(obj.get("type"), []).append(obj)
    t = host.topo
    online = set(t.online_numbers())
    errors = []

    def expect(what, got, want):
        if got != want:
            errors.append("%s: hwloc finds %r, the description says %r" % (what, got, want))

    expect("packages", len(objects.get("Package", [])), t.packages)
    dies = t.packages * t.dies_per_package
    # hwloc shows dies only when they differ from packages.
    expect("dies", len(objects.get("Die", [])), dies if t.dies_per_package > 1 else 0)
    expect("PUs", sorted(int(o.get("os_index")) for o in objects["PU"]), sorted(online))
    cores = sorted(sorted(int(pu.get("os_index")) for pu in core.iter("object")
                          if pu.get("type") == "PU") for core in objects["Core"])
    want = sorted(sorted(c.number for c in core.cpus if c.online) for core in t.cores
                  if any(c.online for c in core.cpus))
    expect("cores (their PUs)", cores, want)
    nodes = {int(o.get("os_index")): o for o in objects["NUMANode"]}
    expect("NUMA nodes", sorted(nodes), list(range(t.n_nodes)))
    for n, obj in nodes.items():
        expect("node %d CPUs" % n, sorted(hwloc_set(obj.get("cpuset"))),
               t.node_cpus(n, online_only=True))
        expect("node %d memory" % n, int(obj.get("local_memory")), host.node_kib[n] * 1024)
    return errors


def check_lspci(host, root):
    out = subprocess.run([LSPCI, "-A", "linux-sysfs", "-O",
                          "sysfs.path=" + os.path.join(root, "sys/bus/pci"),
                          "-D", "-nn", "-k", "-vmm"],
                         check=True, capture_output=True, text=True).stdout
    found = {}
    for block in out.strip().split("\n\n"):
        fields = dict(line.split(":\t", 1) for line in block.splitlines())
        found[fields["Slot"]] = fields
    errors = []
    want = {d.address: d for d in host.devices}
    if sorted(found) != sorted(want):
        errors.append("lspci lists %s; the description %s"
                      % (sorted(set(found) - set(want)), sorted(set(want) - set(found))))
    for address, d in want.items():
        f = found.get(address)
        if f is None:
            continue
        ids = (re.search(r"\[([0-9a-f]{4})\]$", f["Vendor"]).group(1),
               re.search(r"\[([0-9a-f]{4})\]$", f["Device"]).group(1))
        checks = [
            ("ids", ids, ("%04x" % d.vendor, "%04x" % d.device)),
            ("class", f["Class"][-5:-1], "%04x" % (d.class_code >> 8)),
            ("driver", f.get("Driver"), d.driver),
            ("NUMA node", f.get("NUMANode"), None if d.numa_node < 0 else str(d.numa_node)),
            ("IOMMU group", f.get("IOMMUGroup"),
             None if d.iommu_group is None else str(d.iommu_group)),
        ]
        if host.name == "m12swa-tf":
            # The demo host shows names from pci.ids, never a bare "Device 1234".
            checks.append(("named", f["Device"].startswith("Device ["), False))
        for what, got, expected in checks:
            if got != expected:
                errors.append("%s %s: lspci says %r, the description %r"
                              % (address, what, got, expected))
    return errors


def check_irqs(host, root):
    errors = []
    with open(os.path.join(root, "proc/interrupts"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    ncpus = len(lines[0].split())
    rows = {}
    for line in lines[1:]:
        head, rest = line.split(":", 1)
        if head.strip().isdigit():
            fields = rest.split()
            rows[int(head)] = " ".join(fields[ncpus:])
    if ncpus != len(host.topo.online_numbers()):
        errors.append("proc/interrupts has %d CPU columns for %d online CPUs"
                      % (ncpus, len(host.topo.online_numbers())))
    for d in host.devices:
        msi_dir = os.path.join(root, "sys/bus/pci/devices", d.address, "msi_irqs")
        irqs = sorted(int(n) for n in os.listdir(msi_dir)) if os.path.isdir(msi_dir) else []
        if irqs != sorted(d.vectors):
            errors.append("%s: msi_irqs %s, expected %s" % (d.address, irqs, d.vectors))
        for irq in irqs:
            row = rows.get(irq)
            if row is None:
                errors.append("%s: IRQ %d is not in proc/interrupts" % (d.address, irq))
            elif host.chip_style == "per-device" and d.address not in row:
                errors.append("%s: IRQ %d's line does not name it: %r" % (d.address, irq, row))
            if not os.path.exists(os.path.join(root, "proc/irq/%d/smp_affinity_list" % irq)):
                errors.append("%s: proc/irq/%d/smp_affinity_list is missing" % (d.address, irq))
    return errors


def main():
    checks = []
    for name in HOSTS:
        host = make_sysroot.load(os.path.join(SRCDIR, name + ".json"))
        root = os.path.join(BUILDDIR, name)
        checks.append(("%s: hwloc topology" % name, LSTOPO and (lambda h=host, r=root:
                                                                 check_hwloc(h, r))))
        checks.append(("%s: lspci devices" % name, LSPCI and (lambda h=host, r=root:
                                                               check_lspci(h, r))))
        checks.append(("%s: device IRQs" % name, lambda h=host, r=root: check_irqs(h, r)))
    print("1..%d" % len(checks))
    failed = 0
    for number, (title, func) in enumerate(checks, 1):
        if not func:
            print("ok %d - %s # SKIP the tool is not installed" % (number, title))
            continue
        errors = func()
        print("%s %d - %s" % ("not ok" if errors else "ok", number, title))
        for error in errors[:20]:
            print("# " + error)
        failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
