#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark: files that used to hang or exhaust the tools (issue 18). Whole-process time and
peak RSS (GNU time) of kvmrt-validate-config --offline on 50 MB of blank lines, of comment
lines, and of one value's continuation lines, and of kvmrt-show-config on 10,000 and 20,000
VMs (bench-256 host).

Targets: each 50 MB file in under 3 s and under 3 bytes of memory per byte of file (+40 MB);
20,000 VMs shown in under 3 s, and linear: the second 10,000 VMs cost no more than 1.1x the
instructions of the first (callgrind, over a run with one VM). Linearity is judged on
instructions because they are the same on every run and every machine; wall time also grows
with cache and TLB misses in a heap twice the size, by a factor that differs between machines
(2.0-2.3x here, 2.55-2.95x seen in CI), so its ratio is reported, not judged. Before the fix:
50 MB of blank lines took 5 GB, 4 MB of continuation lines 16 s, 20,000 VMs 139 s.
Prints TAP."""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.environ["KVMRT_CLI_DIR"]
HOST = os.path.join(os.environ["KVMRT_TEST_HOSTS_DIR"], "bench-256")
SIZE = 50 * 1000 * 1000
LIMIT_S = 3.0


def seconds_of(argv):
    """Wall seconds of one run, by perf_counter (GNU time counts in 10 ms steps)."""
    start = time.perf_counter()
    # No timeout: with one, Python polls the child in growing sleeps, which the time would
    # include; meson's own timeout still ends a hung run.
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit("%s exited with %d" % (" ".join(argv), proc.returncode))
    return seconds


def peak_mib_of(argv):
    """Peak RSS of one run, read by GNU time in a run of its own: a child forked from Python
    would count Python's own size in its peak."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False, timeout=600)
    return int(proc.stderr.strip().splitlines()[-1]) / 1024.0


def measure(argv, rounds=2):
    """The fastest of some runs (a shared machine is noisy, and the fastest run is the one
    least disturbed), and the peak RSS."""
    return min(seconds_of(argv) for _ in range(rounds)), peak_mib_of(argv)


def instructions_of(argv, work):
    """Instructions one run executes, counted by callgrind: the same on every run."""
    out = os.path.join(work, "callgrind.out")
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   timeout=600)
    with open(out, encoding="utf-8") as f:
        totals = [line for line in f if line.startswith(("summary:", "totals:"))]
    os.unlink(out)
    return int(totals[0].split()[1])


def write_file(path, head, line):
    with open(path, "w", encoding="utf-8") as f:
        f.write(head)
        f.write(line * ((SIZE - len(head)) // len(line)))
    return os.path.getsize(path)


def main():
    work = tempfile.mkdtemp(prefix="kvmrt-bench-hostile-")
    checks = []
    files = {
        "blank lines": ("", "\n"),
        "comment lines": ("[DEFAULT]\n", "# a comment line\n"),
        "continuation lines": ("[DEFAULT]\nkey = first\n", "  one more line of the value\n"),
    }
    for name, (head, line) in files.items():
        path = os.path.join(work, "big.cfg")
        size = write_file(path, head, line)
        seconds, mib = measure([os.path.join(CLI, "kvmrt-validate-config"), "--offline",
                                "--sysroot", HOST, "-f", path])
        os.unlink(path)
        limit_mib = 3 * size / 1048576.0 + 40
        checks.append(("50 MB of %s: %.2f s, %.0f MiB peak RSS (targets < %.0f s, < %.0f MiB)"
                       % (name, seconds, mib, LIMIT_S, limit_mib),
                       seconds < LIMIT_S and mib < limit_mib))
    # The two sizes run in alternating rounds, so a slow spell of the machine hits both;
    # 0.1 s runs need more than two rounds for their best to be steady.
    paths = {}
    for n in (1, 10000, 20000):
        paths[n] = os.path.join(work, "vms-%d.cfg" % n)
        subprocess.run([sys.executable, os.path.join(HERE, "gen-config.py"), str(n), paths[n]],
                       check=True)
    show = {n: [os.path.join(CLI, "kvmrt-show-config"), "--sysroot", HOST, "-f", path]
            for n, path in paths.items()}
    fastest = {n: float("inf") for n in (10000, 20000)}
    for _ in range(5):
        for n in fastest:
            fastest[n] = min(fastest[n], seconds_of(show[n]))
    peak_20000 = peak_mib_of(show[20000])
    instructions = {n: instructions_of(argv, work) for n, argv in show.items()}
    for path in paths.values():
        os.unlink(path)
    os.rmdir(work)
    first = instructions[10000] - instructions[1]
    second = instructions[20000] - instructions[10000]
    checks.append(("kvmrt-show-config, 20,000 VMs: %.2f s, %.0f MiB (target < %.0f s); "
                   "10,000 VMs: %.2f s, so %.2fx the wall time (reported)"
                   % (fastest[20000], peak_20000, LIMIT_S, fastest[10000],
                      fastest[20000] / fastest[10000]), fastest[20000] < LIMIT_S))
    checks.append(("kvmrt-show-config instructions: %.0f M with one VM, %.0f M for 10,000, "
                   "%.0f M for 20,000; the second 10,000 cost %.2fx the first (target <= 1.1x)"
                   % (instructions[1] / 1e6, instructions[10000] / 1e6,
                      instructions[20000] / 1e6, second / first), second <= 1.1 * first))
    print("1..%d" % len(checks))
    for number, (text, ok) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", number, text))
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
