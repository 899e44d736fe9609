#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Stands in for RedHawk's shield(1), cpu(1) and run(1) in tests (installed under those names
by symlinks): records each call in $KVMRT_STANDIN_LOG and makes the change the real command
would make to the fixture host $KVMRT_STANDIN_SYSROOT, so that kvmrt reads it back."""
import os
import sys

ROOT = os.environ["KVMRT_STANDIN_SYSROOT"]
NAME = os.path.basename(sys.argv[0])
ARGS = sys.argv[1:]


def write(relative, text):
    with open(os.path.join(ROOT, relative), "w", encoding="utf-8") as f:
        f.write(text + "\n")


def cpus(text):
    result = set()
    for item in text.split(","):
        first, _, last = item.partition("-")
        result.update(range(int(first), int(last or first) + 1))
    return result


def mask(cpu_set):
    value = sum(1 << c for c in cpu_set)
    groups = []
    while True:
        groups.append("%08x" % (value & 0xffffffff))
        value >>= 32
        if not value:
            break
    return ",".join(reversed(groups))


with open(os.environ["KVMRT_STANDIN_LOG"], "a", encoding="utf-8") as log:
    log.write(" ".join([NAME] + ARGS) + "\n")

if NAME == "shield" and ARGS[:1] == ["-a"]:
    write("proc/shield/procs", mask(cpus(ARGS[1])))
elif NAME == "shield" and ARGS == ["-r"]:
    write("proc/shield/procs", mask(set()))
elif NAME == "cpu" and ARGS[0] in ("-d", "-u"):
    for cpu in cpus(ARGS[1]):
        write("sys/devices/system/cpu/cpu%d/online" % cpu, "0" if ARGS[0] == "-d" else "1")
elif NAME == "run" and ARGS[:2] == ["-s", "fifo"]:
    # run -s fifo -P PRIO -p TID: the thread's rt_priority and policy (stat fields 40, 41).
    import glob
    tid = ARGS[ARGS.index("-p") + 1]
    for stat in glob.glob(os.path.join(ROOT, "proc", "*", "task", tid, "stat")):
        with open(stat, encoding="utf-8") as f:
            head, _, tail = f.read().rpartition(")")
        fields = tail.split()
        fields[37:39] = [ARGS[ARGS.index("-P") + 1], "1"]
        with open(stat, "w", encoding="utf-8") as f:
            f.write(head + ") " + " ".join(fields) + "\n")
else:
    sys.stderr.write("%s: unexpected arguments %s\n" % (NAME, ARGS))
    sys.exit(2)
