#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A sync reads each domain's definition from libvirt once (docs/contracts.md, "Whole-VM
operations"): the comparison, the write, the read back into the configuration and the
validator's libvirt findings all work from that one read. Counted with an LD_PRELOAD module
(tests/probes/xml-read-counter.c) around the real tools on libvirt's test driver."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import DEMO_CFG, DEMO_HOST, SRC, TOP, case, check, main, run  # noqa: E402

COUNTER = os.environ["KVMRT_XML_READ_COUNTER"]
DEMO_NODE = "test://" + os.path.join(TOP, "data", "demo", "libvirt-node.xml")
RUNNING_NODE = "test://" + os.path.join(SRC, "libvirt", "node-running.xml")
DOMAINS = {"rh84-vision-rt", "rh84-control-rt", "win10-eng", "ubuntu-build"}


def reads(tool, *args, sysroot=DEMO_HOST):
    """Runs @tool on a copy of the demo configuration; returns its exit status, its output and
    how often it read each domain's definition."""
    with tempfile.TemporaryDirectory() as work:
        cfg = os.path.join(work, "kvmrt.cfg")
        log = os.path.join(work, "reads")
        shutil.copy(DEMO_CFG, cfg)
        status, out, err = run(tool, "-f", cfg, "--sysroot", sysroot, *args,
                               env={"LD_PRELOAD": COUNTER, "KVMRT_XML_READS": log})
        counts = {}
        if os.path.exists(log):
            with open(log, encoding="utf-8") as f:
                for line in f:
                    name, count = line.split()
                    counts[name] = counts.get(name, 0) + int(count)
        return status, out + err, counts


def once_each(counts):
    return set(counts) == DOMAINS and all(n == 1 for n in counts.values())


@case
def validate_config_reads_each_domain_once():
    # The out-of-sync check and the real-time advice share the read.
    status, out, counts = reads("kvmrt-validate-config", "-c", DEMO_NODE)
    check(status == 0 and once_each(counts), "%s\n%s" % (counts, out))


@case
def sync_config_reads_each_domain_once():
    status, out, counts = reads("kvmrt-sync-config", "-c", DEMO_NODE)
    check(status == 0 and once_each(counts), "%s\n%s" % (counts, out))


@case
def sync_config_r_reads_each_domain_once():
    # The comparison and the read back into the configuration share the read.
    status, out, counts = reads("kvmrt-sync-config", "-r", "-c", RUNNING_NODE)
    check(once_each(counts), "%s\n%s" % (counts, out))


@case
def boot_syncs_reading_each_domain_once():
    with tempfile.TemporaryDirectory() as work:
        host = os.path.join(work, "host")
        shutil.copytree(DEMO_HOST, host, symlinks=True)
        status, out, counts = reads("kvmrt-boot", "--all", "-c", DEMO_NODE, sysroot=host)
    check(status == 0 and once_each(counts), "%s\n%s" % (counts, out))


if __name__ == "__main__":
    main()
