#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark on a real libvirtd (root only, else skipped): wall time of kvmrt-boot for one tiny
TCG domain and for four (they start in parallel), and of kvmrt-stat -t with four running.
Reports the figures as TAP comments; asserts only that four parallel boots cost well under four
single ones."""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "libvirt"))
import libvirtd  # noqa: E402

libvirtd.skip_unless_able()
CLI = os.environ["KVMRT_CLI_DIR"]
BOOT_ROUNDS = 3
STAT_ROUNDS = 10


def tool(name, cfg, *args):
    start = time.perf_counter()
    proc = subprocess.run([os.path.join(CLI, name), "-f", cfg, "-c", libvirtd.URI, *args],
                          capture_output=True, text=True, timeout=300, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s %s" % (name, proc.returncode, proc.stdout,
                                                      proc.stderr))
    return elapsed


def prepare(work, domains, label):
    """A config with the domains imported and autostart on. They are left unpinned: QEMU's
    start-up runs on the emulator CPUs, and four VMs pinned to one CPU of this 2-CPU machine
    would only measure that CPU."""
    cfg = os.path.join(work, label + ".cfg")
    tool("kvmrt-import", cfg, *domains.names)
    with open(cfg, encoding="utf-8") as f:
        text = f.read()
    text = text.replace("autostart = false", "autostart = true")
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(text)
    tool("kvmrt-sync-config", cfg)
    return cfg


def best_boot(cfg, domains):
    times = []
    for _ in range(BOOT_ROUNDS):
        domains.destroy_all()
        times.append(tool("kvmrt-boot", cfg))
    return min(times)


def main():
    print("1..1")
    with libvirtd.LibvirtDaemon(), tempfile.TemporaryDirectory(prefix="kvmrt-bench-") as work:
        with libvirtd.TinyDomains("kvmrt-bench-one", 1, directory=work) as one, \
                libvirtd.TinyDomains("kvmrt-bench-four", 4, directory=work) as four:
            cfg_one = prepare(work, one, "one")
            cfg_four = prepare(work, four, "four")
            boot_one = best_boot(cfg_one, one)
            one.destroy_all()
            boot_four = best_boot(cfg_four, four)
            stat = min(tool("kvmrt-stat", cfg_four, "-t") for _ in range(STAT_ROUNDS))
            four.destroy_all()
    print("# kvmrt-boot, 1 VM:  %.0f ms (best of %d)" % (boot_one * 1000, BOOT_ROUNDS))
    print("# kvmrt-boot, 4 VMs: %.0f ms (best of %d), %.2fx one VM"
          % (boot_four * 1000, BOOT_ROUNDS, boot_four / boot_one))
    print("# kvmrt-stat -t, 4 VMs running: %.1f ms (best of %d)" % (stat * 1000, STAT_ROUNDS))
    if boot_four < 4 * boot_one:
        print("ok 1 - four VMs boot in parallel (%.2fx one VM, below 4x)" % (boot_four / boot_one))
        return 0
    print("not ok 1 - four VMs took %.2fx one VM: the boots did not overlap"
          % (boot_four / boot_one))
    return 1


if __name__ == "__main__":
    sys.exit(main())
