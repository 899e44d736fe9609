#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the rttools commands (hwtopo, pci, cpus, irqs, tasks, irq-affinity, task-affinity,
cpustat, cpi) and their dispatcher on the fixture hosts, compares their text and JSON with
tests/rttools/ (KVMRT_UPDATE_GOLDEN=1 rewrites them), checks the manual's chapter 3 and
appendix B examples on the demo host, the change commands on a copy of it (with a real-time
VM in the tuner's journal), and that every command runs on this machine's own /proc and /sys
with JSON that parses. Prints TAP."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import (CLI, DEMO_CFG, DEMO_HOST, HOSTS, SRC, case, check, golden, main,  # noqa: E402
                       run)

FIXTURES = ["m12swa-tf", "wrx90e-sage-se", "small-nosmt"]
PUT_TUNED_VM = os.environ["KVMRT_PUT_TUNED_VM"]
RT_UUID = "6660b902-990d-4eb6-91ca-4b1d7a848587"


def rt(command, *args, **kwargs):
    return run(os.path.join("rttools", command), *args, **kwargs)


def ok(command, *args):
    status, out, err = rt(command, *args)
    check(status == 0, "%s %s: exit %d: %s" % (command, " ".join(args), status, err))
    return out


def documents(text):
    """The JSON documents of text, one after the other."""
    decoder = json.JSONDecoder()
    found, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return found
        document, i = decoder.raw_decode(text, i)
        found.append(document)


# What each command shows on a fixture host, by golden file name.
def fixture_runs(host):
    root = os.path.join(HOSTS, host)
    some_pid = "4321"   # the QEMU every fixture host runs outside kvmrt's configuration
    runs = {
        "hwtopo": ["-v"],
        "hwtopo-plain": ["--no-io"],
        "pci": [],
        "pci-a": ["-a"],
        "pci-G": ["-G"],
        "pci-v": ["-v"],
        "cpus": [],
        "irqs": [],
        "tasks": [],
        "irq-affinity": ["0"],
        "cpustat": ["-v"],
        "cpi": [],
    }
    if os.path.isdir(os.path.join(root, "proc", some_pid)):
        runs["task-affinity"] = [some_pid]
    return root, runs


def command_of(name):
    return name.split("-")[0] if name.startswith(("hwtopo", "pci")) else name


def fixture_case(host):
    def test():
        root, runs = fixture_runs(host)
        for name, args in runs.items():
            out = ok(command_of(name), "--sysroot", root, *args)
            golden("../rttools/%s-%s.txt" % (name, host), out)
            if "-" in name and name.startswith(("hwtopo", "pci")):
                continue
            out = ok(command_of(name), "--sysroot", root, "--json", *args)
            documents(out)
            golden("../rttools/%s-%s.json" % (name, host), out)
    test.__name__ = "goldens_" + host.replace("-", "_")
    case(test)


for fixture in FIXTURES:
    fixture_case(fixture)


@case
def bench_host_topology():
    golden("../rttools/hwtopo-bench-256.txt",
           ok("hwtopo", "-v", "--no-io", "--sysroot", os.path.join(HOSTS, "bench-256")))


# Chapter 3 of the manual, "Configuring the cpuset attribute": hwtopo -v --no-io on the demo
# host, the board's Threadripper PRO 5975WX. The guide's listing, its line breaks undone and
# its host name ("TEST_MACH1") that of the demo host.
CHAPTER3 = """Machine 0 (Supermicro M12SWA-TF, "TestStand1"):
  Package 0 (AMD Ryzen Threadripper PRO 5975WX 32-Cores):
    L3 Cache (32MiB):
      NUMA Node 0 (31GiB)
""" + "".join("      Core %d:\n        CPU %d\n        CPU %d\n" % (c, c, c + 32)
              for c in range(8)) + """    L3 Cache (32MiB):
      NUMA Node 1 (31GiB)
""" + "".join("      Core %d:\n        CPU %d\n        CPU %d\n" % (c, c, c + 32)
              for c in range(8, 16)) + """    L3 Cache (32MiB):
      NUMA Node 2 (31GiB)
"""


@case
def chapter3_hwtopo_example():
    out = ok("hwtopo", "-v", "--no-io", "--sysroot", DEMO_HOST)
    check(out.startswith(CHAPTER3), "hwtopo -v --no-io differs from the guide:\n" + out[:1500])
    golden("../rttools/hwtopo-chapter3.txt", out)
    check(out.count("L3 Cache (32MiB):") == 4 and out.count("CPU ") == 64, out)


@case
def appendix_b_pci_examples():
    ether = [line for line in ok("pci", "--sysroot", DEMO_HOST).splitlines()
             if "ether" in line.lower()]
    check(ether[:2] == ["0000:21:00.0 Ethernet: Intel Corporation Ethernet Controller X550",
                        "0000:21:00.1 Ethernet: Intel Corporation Ethernet Controller X550"],
          ether)
    groups = ok("pci", "-G", "--sysroot", DEMO_HOST)
    for group, address, name in ((45, "21:00.0", "Ethernet Controller X550"),
                                 (46, "21:00.1", "Ethernet Controller X550"),
                                 (56, "21:10.0", "X550 Virtual Function"),
                                 (57, "21:10.2", "X550 Virtual Function")):
        block = "IOMMU Group %d:\n 0000:%s Ethernet: Intel Corporation %s\n" % (group, address,
                                                                                 name)
        check(block in groups, "missing:\n" + block)
    pf = ok("pci", "-v", "0000:21:00.0", "--sysroot", DEMO_HOST).splitlines()
    check(pf[1] == "              (numa=2, iommu=45, driver=ixgbe, irq=48, msi_irqs=265-269)",
          pf)
    check('NIC "enp33s0f0" (ec:e7:a7:07:79:44)' in pf, pf)
    check("SR-IOV: 2 of 64 VFs enabled: 0000:21:10.0 (vfio-pci), 0000:21:10.2 (ixgbevf)" in pf, pf)
    vf = ok("pci", "-v", "21:10.0", "--sysroot", DEMO_HOST).splitlines()
    check(vf[1] == "              (numa=2, iommu=56, driver=vfio-pci, irq=0, msi_irqs=270-272)",
          vf)
    check("SR-IOV VF of 0000:21:00.0" in vf, vf)


@case
def task_patterns():
    # A word anywhere in the name or the VM; a glob as it is.
    rows = ok("tasks", "scratc", "--sysroot", DEMO_HOST).splitlines()[1:]
    check(len(rows) == 5 and all("scratch/" in r for r in rows), rows)
    rows = ok("tasks", "CPU ?/KVM", "--sysroot", DEMO_HOST).splitlines()[1:]
    check(len(rows) == 2 and all("/vCPU " in r for r in rows), rows)
    doc = json.loads(ok("tasks", "-p", "4321", "--json", "--sysroot", DEMO_HOST))
    vcpus = [(t["tid"], t["vcpu"], t["vm"]) for t in doc["tasks"] if t["kind"] == "vcpu"]
    check(vcpus == [(4324, 0, "scratch"), (4325, 1, "scratch")], vcpus)


@case
def common_options():
    for command in ("hwtopo", "pci", "cpus", "irqs", "tasks", "irq-affinity", "task-affinity",
                    "cpustat", "cpi"):
        out = ok(command, "--help")
        check("--sysroot" in out and "--json" in out and "--version" in out, out)
        check(ok(command, "--version").startswith(command + " "), command)
        status, _, err = rt(command, "--no-such-option")
        check(status == 2 and "--help" in err, "%s: %d %s" % (command, status, err))
        status, _, err = rt(command, "--sysroot", "/nonexistent")
        check(status == 2, "%s on a missing sysroot: %d %s" % (command, status, err))


@case
def bad_arguments():
    for args, needle in ((("cpus", "70"), "no CPU 70"), (("cpus", "x"), "not a CPU list"),
                         (("irq-affinity", "4000"), "no IRQ 4000"),
                         (("pci", "0000:99:00.0"), "no PCI device"),
                         (("irqs", "NOPE"), "no IRQ"),
                         (("cpus", "--online", "--offline", "3"), "exclude")):
        status, _, err = rt(*args, "--sysroot", DEMO_HOST)
        check(status == 2 and needle in err, "%s: %d %s" % (args, status, err))


@case
def dispatcher():
    path = os.path.join(CLI, "rttools", "rttools")
    direct = ok("hwtopo", "--sysroot", DEMO_HOST)
    via = subprocess.run([path, "hwtopo", "--sysroot", DEMO_HOST], capture_output=True,
                         text=True, check=False)
    check(via.returncode == 0 and via.stdout == direct, via.stderr)
    listing = subprocess.run([path, "--help"], capture_output=True, text=True, check=False)
    check(all(c in listing.stdout for c in ("cpustat", "cpi", "task-affinity")), listing.stdout)
    where = subprocess.run([path, "--dir"], capture_output=True, text=True, check=False)
    check(where.stdout.strip() == os.path.realpath(os.path.join(CLI, "rttools")), where.stdout)
    bad = subprocess.run([path, "lspci"], capture_output=True, text=True, check=False)
    check(bad.returncode == 2 and "rttools --help" in bad.stderr, bad.stderr)


@case
def refresh_without_terminal():
    # Not a terminal: successive frames, text separated by a blank line, JSON one document
    # per sample.
    out = ok("cpi", "-d", "0.05", "-n", "3", "--sysroot", DEMO_HOST)
    check(out.count("Interrupts per second") == 3 and "\n\nInterrupts" in out, out[:400])
    frames = documents(ok("cpi", "-d", "0.05", "-n", "2", "--json", "--sysroot", DEMO_HOST))
    check(len(frames) == 2 and frames[1]["interval_us"] > 0, [f["interval_us"] for f in frames])
    frames = documents(ok("cpustat", "-d", "0.05", "-n", "2", "--json", "--sysroot", DEMO_HOST))
    check(len(frames) == 2 and len(frames[0]["cpus"]) == 64, len(frames))


@case
def offline_cpu_without_topology():
    # As the kernel does: an offline CPU loses topology/ and cache/. It is still listed.
    work = tempfile.mkdtemp(prefix="rttools-")
    root = os.path.join(work, "host")
    try:
        shutil.copytree(os.path.join(HOSTS, "wrx90e-sage-se"), root, symlinks=True)
        for sub in ("topology", "cache"):
            shutil.rmtree(os.path.join(root, "sys/devices/system/cpu/cpu40", sub))
        out = ok("hwtopo", "--no-io", "--sysroot", root)
        check("CPU 40 (offline, core unknown)" in out and "CPU 41 (offline)" in out, out)
        cpus = json.loads(ok("cpus", "40", "--json", "--sysroot", root))["cpus"]
        check(cpus[0]["core"] == -1 and cpus[0]["node"] == 1 and not cpus[0]["online"], cpus)
    finally:
        shutil.rmtree(work)


@case
def snapshot_shows_the_same_host():
    # kvmrt-host-snapshot copies what these commands read too.
    work = tempfile.mkdtemp(prefix="rttools-")
    try:
        copy = os.path.join(work, "snap")
        status, _, err = run("kvmrt-host-snapshot", "--sysroot", DEMO_HOST, copy)
        check(status == 0, err)
        for args in (["hwtopo", "-v"], ["pci", "-v"], ["cpus"], ["irqs"]):
            mine = ok(args[0], "--sysroot", copy, *args[1:])
            theirs = ok(args[0], "--sysroot", DEMO_HOST, *args[1:])
            # MAC addresses identify the machine: the snapshot leaves them out.
            theirs = re.sub(r'(NIC "[^"]*") \([0-9a-f:]{17}\)', r"\1 (no address)", theirs)
            check(mine == theirs, "%s differs" % args)
    finally:
        shutil.rmtree(work)


def demo_copy():
    work = tempfile.mkdtemp(prefix="rttools-")
    root = os.path.join(work, "host")
    shutil.copytree(DEMO_HOST, root, symlinks=True)
    subprocess.run([PUT_TUNED_VM, root, RT_UUID, "rh84-control-rt", "8-11", "40-43"],
                   check=True)
    return work, root


def read(root, relative):
    with open(os.path.join(root, relative), encoding="utf-8") as f:
        return f.read().strip()


@case
def changes_on_a_copy():
    work, root = demo_copy()
    try:
        # What the journal's VM holds shows everywhere.
        cpus = json.loads(ok("cpus", "--json", "8,40", "--sysroot", root))["cpus"]
        check(cpus[0]["owner"] == {"uuid": RT_UUID, "name": "rh84-control-rt",
                                   "shielded": True}, cpus)
        check(cpus[1]["owner"]["shielded"] is False, cpus)
        golden("../rttools/cpus-tuned.txt", ok("cpus", "6-12,40-44", "--sysroot", root))
        golden("../rttools/cpustat-tuned.txt", ok("cpustat", "--sysroot", root))

        # irq-affinity: housekeeping CPUs fine, a held CPU refused (naming the VM), forced.
        out = ok("irq-affinity", "4", "0-3", "--sysroot", root)
        check("affinity 0-3" in out and read(root, "proc/irq/4/smp_affinity_list") == "0-3", out)
        status, _, err = rt("irq-affinity", "4", "2,9", "--sysroot", root)
        check(status == 1 and "rh84-control-rt" in err and "--force" in err, err)
        check(read(root, "proc/irq/4/smp_affinity_list") == "0-3", "changed anyway")
        doc = json.loads(ok("irq-affinity", "4", "2,9", "--force", "--json", "--sysroot", root))
        check(doc["affinity"] == [2, 9] and doc["changed"], doc)

        # cpus: a free CPU goes offline; one the VM holds is refused, nothing changed.
        out = ok("cpus", "20-21", "--offline", "--sysroot", root)
        check("CPU 20-21 taken offline" in out, out)
        check(read(root, "sys/devices/system/cpu/cpu21/online") == "0", "not offline")
        out = ok("cpus", "40", "--offline", "--force", "--sysroot", root)
        check(read(root, "sys/devices/system/cpu/cpu40/online") == "0", out)
        # The kernel would update the summary list itself; the tree is only files.
        with open(os.path.join(root, "sys/devices/system/cpu/online"), "w") as f:
            f.write("0-19,22-39,41-63\n")
        for args in (("22,10", "--offline"), ("40", "--online")):
            status, _, err = rt("cpus", *args, "--sysroot", root)
            check(status == 1 and "rh84-control-rt" in err, "%s: %d %s" % (args, status, err))
        check(read(root, "sys/devices/system/cpu/cpu22/online") == "1", "22 changed")

        # task-affinity: refused on a held CPU before anything else; a tree's threads cannot
        # be changed (only the running host's).
        status, _, err = rt("task-affinity", "812", "9", "--sysroot", root)
        check(status == 1 and "rh84-control-rt" in err, err)
        status, _, err = rt("task-affinity", "812", "0", "--sysroot", root)
        check(status == 2 and "running host" in err, err)

        # A thread named with a terminal escape: shown harmless in text, exact in JSON.
        stat = os.path.join(root, "proc/4321/task/4322/stat")
        with open(stat, encoding="utf-8") as f:
            text = f.read()
        with open(stat, "w", encoding="utf-8") as f:
            f.write(text.replace("(call_rcu)", "(\x1b[2J(evil))"))
        out = ok("tasks", "-p", "4321", "--sysroot", root)
        check("\x1b" not in out and "?[2J(evil)" in out, out)
        names = [t["name"] for t in json.loads(ok("tasks", "--json", "--sysroot", root))["tasks"]]
        check("\x1b[2J(evil)" in names, names)

        # cpi marks interrupts that fired on a held CPU.
        out = ok("cpi", "--sysroot", root)
        check(" !" in out and "!:" in out, out[:600])
    finally:
        shutil.rmtree(work)


def stat_of(root, node):
    status, out, err = run("kvmrt-stat", "--json", "-f", DEMO_CFG, "--sysroot", root, "-c", node)
    check(status in (0, 1), "kvmrt-stat: %d %s" % (status, err))
    return [v for v in json.loads(out)["vms"] if v["name"] == "rh84-control-rt"][0]


@case
def changes_meet_kvmrt_tuning():
    # rh84-control-rt running (libvirt's test driver) and tuned by kvmrt-boot on a copy of the
    # demo host: its CPUs are 8-13, IRQs go to the others.
    node = "test://" + os.path.join(SRC, "libvirt", "node-running.xml")
    work = tempfile.mkdtemp(prefix="rttools-")
    root = os.path.join(work, "host")
    shutil.copytree(DEMO_HOST, root, symlinks=True)
    common = ["-f", DEMO_CFG, "--sysroot", root, "-c", node]
    try:
        status, out, err = run("kvmrt-boot", *common, "rh84-control-rt")
        check(status == 0 and "tuned for real time" in out, out + err)
        check(stat_of(root, node)["drift"] == [], "drift right after tuning")
        # Onto one of its CPUs: refused, naming it; forced, it is the VM's drift.
        status, _, err = rt("irq-affinity", "0", "9", "--sysroot", root)
        check(status == 1 and "rh84-control-rt" in err, err)
        ok("irq-affinity", "0", "9", "--force", "--sysroot", root)
        drift = stat_of(root, node)["drift"]
        check(len(drift) == 1 and "proc/irq/0/" in drift[0], drift)
        # kvmrt-boot on the running VM puts its tuning back.
        status, out, err = run("kvmrt-boot", *common, "rh84-control-rt")
        check("tuned for real time (1 change" in out, out + err)
        check(stat_of(root, node)["drift"] == [], "drift after retuning")
        # A change the VM does not mind: no drift, and it is what shutting down leaves.
        out = ok("irq-affinity", "4", "0-1", "--sysroot", root)
        check(stat_of(root, node)["drift"] == [], "drift from a harmless change")
        status, out, err = run("kvmrt-shutdown", *common)
        check("real-time tuning released" in out, out + err)
        check(read(root, "proc/irq/4/smp_affinity_list") == "0-1", "IRQ 4 not as asked")
        check(read(root, "proc/irq/0/smp_affinity_list") == "9", "IRQ 0 not as asked")
    finally:
        shutil.rmtree(work)


@case
def live_host():
    # This machine's own /proc and /sys: every command runs and its JSON parses.
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        allowed = sorted(os.sched_getaffinity(0))
        first_irq = next((i["number"] for i in json.loads(ok("irqs", "--json"))["irqs"]
                          if i["number"] is not None), None)
        for command, args in (("hwtopo", []), ("pci", ["-v"]), ("cpus", []), ("irqs", []),
                              ("tasks", []), ("cpustat", []), ("cpi", []),
                              ("cpi", ["-d", "0.1", "-n", "2"]),
                              ("task-affinity", [str(sleeper.pid)]),
                              ("irq-affinity", [str(first_irq)] if first_irq is not None
                               else None)):
            if args is None:
                continue
            documents(ok(command, "--json", *args))
            ok(command, *args)
        # A change on the live host: our own child, to the first CPU we may use.
        doc = json.loads(ok("task-affinity", str(sleeper.pid), str(allowed[0]), "--json"))
        check(doc["changed"] and doc["affinity"] == [allowed[0]], doc)
        check(os.sched_getaffinity(sleeper.pid) == {allowed[0]}, "affinity not set")
    finally:
        sleeper.kill()
        sleeper.wait()


if __name__ == "__main__":
    sys.exit(main())
