#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a kvmrt configuration of N VMs for the bench-256 host (2 packages, 8 NUMA nodes,
128 cores / 256 CPUs), the same file for the same N every time.

    gen-config.py N OUT

The mix is what a crowded host would carry: about one VM in sixteen is real-time and gets
whole cores of its own from the last eight cores of each node while they last (later ones
overlap earlier ones, as operators' mistakes do); the other VMs are pinned with every CPUSET
form (ranges, n/c/d/p items, "~" inverses) to the first eight cores of the nodes, or not pinned
at all. VMs get the host's passthrough devices (VFs, NVMe drives, GPU + audio pairs, whole IOMMU
groups) while they last. Every attribute of the user's guide appears in every section, with
varied spellings; some sections carry comment lines, multi-line comments and keys kvmrt does
not know. The host is read from data/hosts/bench-256.json, so the file follows its devices."""
import importlib.util
import os
import random
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "data", "hosts")

ROLES = ["web", "db", "cache", "ci", "build", "test", "mq", "edge", "mon", "log", "vpn", "dns"]
OSES = ["Debian 12", "Ubuntu 22.04 LTS", "Rocky Linux 9", "RedHawk 8.4", "Fedora 40",
        "AlmaLinux 9", "SUSE Linux Enterprise 15 SP5"]
TRUE = ["true", "True", "yes", "on", "1", "TRUE"]
FALSE = ["false", "False", "no", "off", "0", "FALSE"]
UNKNOWN = [("owner", ["ops", "controls-team", "qa", "platform"]),
           ("x-backup-policy", ["nightly", "weekly", "none"]),
           ("ticket", ["INFRA-1042", "CTRL-77", "QA-9001"])]


def load_make_sysroot():
    sys.dont_write_bytecode = True      # keep the source tree free of __pycache__
    spec = importlib.util.spec_from_file_location("make_sysroot",
                                                  os.path.join(HOSTS, "make-sysroot.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE_SYSROOT = load_make_sysroot()
# The kernel's cpulist form ("0-3,8"), as the sysroot generator writes it.
cpulist = MAKE_SYSROOT.format_list


def load_host():
    return MAKE_SYSROOT.load(os.path.join(HOSTS, "bench-256.json"))


class Generator:
    def __init__(self, host, rng):
        self.host = host
        self.rng = rng
        t = host.topo
        self.t = t
        self.nodes = list(range(t.n_nodes))
        self.node_cores = {n: [c for c in t.cores if c.node == n] for n in self.nodes}
        # The last 8 cores of each node are for real-time VMs, the rest for everybody else.
        self.rt_pool = {n: cores[-8:] for n, cores in self.node_cores.items()}
        self.shared = {n: cores[:-8] for n, cores in self.node_cores.items()}
        self.rt_next = {n: 0 for n in self.nodes}
        self.rt_node = 0
        self.groups = self._passthrough_groups()

    def _passthrough_groups(self):
        """IOMMU groups whose devices are all bound to vfio-pci, by NUMA node."""
        by_group = {}
        for d in self.host.devices:
            if d.iommu_group is not None:
                by_group.setdefault(d.iommu_group, []).append(d)
        free = {n: [] for n in self.nodes}
        for group, devs in sorted(by_group.items()):
            if all(d.driver == "vfio-pci" for d in devs) and devs[0].numa_node >= 0:
                free[devs[0].numa_node].append([d.address for d in devs])
        return free

    def take_devices(self, node, count):
        picked = []
        for _ in range(count):
            pool = self.groups[node] if node is not None else \
                [g for n in self.nodes for g in self.groups[n]]
            if not pool:
                break
            group = pool[0] if node is not None else self.rng.choice(pool)
            for n in self.nodes:
                if group in self.groups[n]:
                    self.groups[n].remove(group)
            picked += group
        return picked

    def first_threads(self, cores):
        return [core.cpus[0].number for core in cores]

    def rt_vm(self, index):
        rng = self.rng
        node = self.rt_node
        self.rt_node = (self.rt_node + 1) % len(self.nodes)
        want = rng.choice([2, 2, 3, 4])
        pool = self.rt_pool[node]
        start = self.rt_next[node]
        if start + want > len(pool):
            # Out of dedicated cores on this node: wrap around (an overlap the validator flags).
            start = 0
            self.rt_next[node] = 0
        cores = pool[start:start + want]
        self.rt_next[node] = start + want
        form = rng.randrange(3)
        if form == 0:
            cpuset = cpulist(self.first_threads(cores))
        elif form == 1:
            cpuset = "c%d-%d" % (cores[0].index, cores[-1].index)
        else:
            cpuset = cpulist(self.first_threads(cores)) + "," + str(cores[0].cpus[1].number)
        nr = "auto" if rng.random() < 0.6 else str(len(cores) - 1)
        devices = self.take_devices(node, rng.choice([0, 1, 1, 2]))
        return {
            "name": "rt-ctl-%04d" % index,
            "title": "Real-time controller %d" % index,
            "description": "RedHawk 8.4 real-time guest on node %d" % node,
            "nr_vcpus": nr,
            "cpu_topology": "auto" if nr == "auto" else "1,%s,1" % nr,
            "cpuset": cpuset,
            "rt": rng.choice(TRUE),
            "rt_memory": rng.choice(["auto", "auto", "true"]),
            "numatune": rng.choice(["auto", "auto", str(node)]),
            "hide_kvm": rng.choice(FALSE),
            "autostart": rng.choice(TRUE),
            "disabled": "false",
            "pcidevs": " ".join(devices),
        }

    def nonrt_cpuset(self):
        rng = self.rng
        t = self.t
        node = rng.choice(self.nodes)
        shared = self.shared[node]
        form = rng.randrange(10)
        if form == 0:
            return ""
        if form == 1:
            return "n%d" % node
        if form == 2:
            first = rng.randrange(len(shared) - 1)
            return "c%d-%d" % (shared[first].index, shared[first + 1].index)
        if form == 3:
            return "~n%d" % node
        if form == 4:
            return "p%d" % rng.randrange(t.packages)
        if form == 5:
            return "d%d" % rng.randrange(t.packages * t.dies_per_package)
        if form == 6:
            return "n%d,n%d" % (node, (node + 1) % len(self.nodes))
        count = rng.choice([2, 4, 4, 8])
        first = rng.randrange(len(shared) - count // 2 + 1)
        cores = shared[first:first + count // 2]
        cpus = [c.number for core in cores for c in core.cpus]
        if form == 7:
            return cpulist(cpus)
        if form == 8:
            return ",".join(str(c) for c in sorted(cpus))
        return "%s,c%d" % (cpulist(cpus[:1]), cores[-1].index)

    def nonrt_vm(self, index):
        rng = self.rng
        windows = rng.random() < 0.08
        role = rng.choice(ROLES)
        if windows:
            name = "win11-desk-%04d" % index
            system = "Windows 11 Pro"
        else:
            name = "%s-%04d" % (role, index)
            system = rng.choice(OSES)
        nr = rng.choice(["1", "2", "2", "4", "4", "8", "auto"])
        topology = "auto"
        if nr != "auto" and not windows and rng.random() < 0.3:
            n = int(nr)
            topology = rng.choice(["1,%d,1" % n, "%d,1,1" % n] +
                                  (["1,%d,2" % (n // 2)] if n % 2 == 0 else []))
        devices = self.take_devices(None, 1) if rng.random() < 0.02 else []
        return {
            "name": name,
            "title": "%s %s %d" % (system, role, index),
            "description": "%s guest, %s tier" % (system, role),
            "nr_vcpus": nr,
            "cpu_topology": topology,
            "cpuset": self.nonrt_cpuset(),
            "rt": rng.choice(FALSE),
            "rt_memory": rng.choice(["auto", "auto", "false"]),
            "numatune": rng.choice(["auto", "auto", "auto", "", str(rng.choice(self.nodes))]),
            "hide_kvm": rng.choice(TRUE) if windows else rng.choice(FALSE),
            "autostart": rng.choice(TRUE + FALSE),
            "disabled": rng.choice(TRUE) if rng.random() < 0.03 else rng.choice(FALSE),
            "pcidevs": " ".join(devices),
        }


def section(rng, vm_uuid, attrs):
    lines = ["[%s]" % vm_uuid]
    if rng.random() < 0.1:
        lines.append("# %s: %s" % (attrs["name"], attrs["description"]))
    keys = ["name", "title", "description", "nr_vcpus", "cpu_topology", "cpuset", "rt",
            "rt_memory", "numatune", "hide_kvm", "autostart", "disabled", "pcidevs"]
    for key in keys:
        delimiter = " = " if rng.random() < 0.9 else ": "
        lines.append(("%s%s%s" % (key, delimiter, attrs[key])).rstrip())
    if rng.random() < 0.05:
        key, values = rng.choice(UNKNOWN)
        lines.append("%s = %s" % (key, rng.choice(values)))
    if rng.random() < 0.25:
        lines.append("comments = %s is managed by kvmrt; see the runbook." % attrs["name"])
        for _ in range(rng.randrange(1, 4)):
            lines.append("\t%s" % rng.choice(["Contact the owner before changing the cpuset.",
                                             "Memory is sized for the peak load.",
                                             "Restarted weekly by the maintenance job.",
                                             "Migrated from the old cluster."]))
    else:
        lines.append("comments =")
    return "\n".join(lines) + "\n"


def generate(n):
    rng = random.Random("kvmrt-bench-%d" % n)
    gen = Generator(load_host(), rng)
    out = ["# kvmrt benchmark configuration: %d VMs for the bench-256 host.\n"
           "# Generated by tests/bench/gen-config.py; do not edit.\n" % n]
    for i in range(n):
        vm_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
        attrs = gen.rt_vm(i) if i % 16 == 5 else gen.nonrt_vm(i)
        out.append(section(rng, vm_uuid, attrs))
    return "\n".join(out)


def main(argv):
    if len(argv) != 2 or not argv[0].isdigit() or int(argv[0]) < 1:
        print("usage: gen-config.py N OUT   (N VMs, at least 1)", file=sys.stderr)
        return 2
    text = generate(int(argv[0]))
    with open(argv[1], "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
