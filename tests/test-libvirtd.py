#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Smoke test of the machinery the integration test stands on: a real libvirtd (the running
one, or one started here) runs a tiny QEMU domain in TCG. Also pins down what this host does
with locked guest memory and a SCHED_FIFO vCPU: either libvirt grants it (and the QEMU process
shows it) or it refuses with the error kvmrt explains to its users. Skips when not
root. Prints TAP; start and stop times as comments. Every libvirt call is bounded
(libvirtd.VIRSH_TIMEOUT), so a refusal or a stuck daemon is a failure, never a hang."""
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "libvirt"))
import libvirtd  # noqa: E402
from kvmrt_tap import case, check, main  # noqa: E402

libvirtd.skip_unless_able()

WORK = tempfile.mkdtemp(prefix="kvmrt-libvirtd-")
LOCKED = "  <memoryBacking><locked/></memoryBacking>\n"
FIFO = "  <cputune><vcpusched vcpus='0' scheduler='fifo' priority='1'/></cputune>\n"


def start(domains):
    """virsh start of the (single) domain: (seconds, error text or None)."""
    began = time.perf_counter()
    try:
        libvirtd.virsh("start", domains.uuids[0])
    except RuntimeError as error:
        return time.perf_counter() - began, str(error)
    return time.perf_counter() - began, None


def vcpu0_tid(pid):
    names = libvirtd.thread_names(pid)
    tids = [tid for tid, name in names.items() if name in ("CPU 0/TCG", "CPU 0/KVM")]
    check(tids, "no vCPU 0 thread in QEMU %d: %s" % (pid, sorted(names.values())))
    return tids[0]


@case
def daemon_answers():
    check(libvirtd.virsh("uri").strip() == libvirtd.URI, "virsh uri")
    check("QEMU" in libvirtd.virsh("version"), "no QEMU hypervisor in virsh version")


@case
def capabilities_stay_cached():
    # libvirtd probes each QEMU binary once and keeps the result. Where it judges the result
    # stale on every lookup (/dev/kvm that QEMU's probe could open but QEMU's user cannot:
    # "KVM was enabled when probing ..." in its debug log), every define and start re-probes
    # QEMU for seconds, and this test used to run into meson's timeout.
    libvirtd.virsh("domcapabilities", "--virttype", "qemu")
    took = []
    for _ in range(3):
        began = time.perf_counter()
        libvirtd.virsh("domcapabilities", "--virttype", "qemu")
        took.append(time.perf_counter() - began)
    print("# virsh domcapabilities, capabilities cached: %.0f ms" % (min(took) * 1000))
    check(min(took) < 1.5, "each capabilities lookup takes %.1f s or more: libvirtd re-probes "
          "QEMU every time (see its log with log_filters=\"1:qemu.qemu_capabilities\")"
          % min(took))


@case
def tiny_domain_runs_in_tcg():
    with libvirtd.TinyDomains("kvmrt-smoke", 1, directory=WORK) as domains:
        took, error = start(domains)
        check(error is None, error)
        print("# virsh start of a tiny domain: %.0f ms" % (took * 1000))
        pid = libvirtd.qemu_pid(domains.uuids[0])
        check(pid, "no qemu-system-x86_64 process with -uuid %s" % domains.uuids[0])
        check("qemu-system-x86_64" in os.readlink("/proc/%d/exe" % pid), "not QEMU: %d" % pid)
        check("CPU 0/TCG" in libvirtd.thread_names(pid).values(),
              "QEMU threads: %s" % sorted(libvirtd.thread_names(pid).values()))
        began = time.perf_counter()
        libvirtd.virsh("destroy", domains.uuids[0])
        print("# virsh destroy: %.0f ms" % ((time.perf_counter() - began) * 1000))
        check(libvirtd.qemu_pid(domains.uuids[0]) is None, "QEMU still there after destroy")
        check(libvirtd.virsh("domstate", domains.uuids[0]).strip() == "shut off", "state")


@case
def locked_memory_granted_or_refused():
    with libvirtd.TinyDomains("kvmrt-smoke-locked", 1, directory=WORK, extra=LOCKED) as domains:
        _, error = start(domains)
        if error is not None:
            # libvirt raises QEMU's RLIMIT_MEMLOCK before exec; a host that forbids it fails here.
            check("cannot limit locked memory" in error, error)
            print("# <locked/> refused: " + error.splitlines()[-1])
            return
        pid = libvirtd.qemu_pid(domains.uuids[0])
        with open("/proc/%d/limits" % pid, encoding="utf-8") as f:
            limit = [line for line in f if line.startswith("Max locked memory")][0]
        check(limit.split()[3] == "unlimited", limit)
        print("# <locked/> granted: " + " ".join(limit.split()))


@case
def fifo_vcpu_granted_or_refused():
    with libvirtd.TinyDomains("kvmrt-smoke-fifo", 1, directory=WORK, extra=FIFO) as domains:
        _, error = start(domains)
        if error is not None:
            # Refused where libvirt's cgroups hold no real-time budget (cpu.rt_runtime_us).
            check("Cannot set scheduler parameters" in error, error)
            print("# SCHED_FIFO vCPU refused: " + error.splitlines()[-1])
            return
        tid = vcpu0_tid(libvirtd.qemu_pid(domains.uuids[0]))
        check(os.sched_getscheduler(tid) == os.SCHED_FIFO, "vCPU 0 is not SCHED_FIFO")
        check(os.sched_getparam(tid).sched_priority == 1, "vCPU 0 priority")
        print("# SCHED_FIFO vCPU granted (thread %d)" % tid)


def run_all():
    with libvirtd.LibvirtDaemon():
        return main()


if __name__ == "__main__":
    try:
        status = run_all()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(status)
