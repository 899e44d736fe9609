#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Start-up of the kvmrt window: from launch to the first drawn dashboard of 64 VMs (bench-256
host, libvirt's test driver with the 64 domains, half of them running), next to the floor: a
bare libadwaita window with 64 labels built by bench-bare-window, same display, same renderer,
for GTK's default renderer here (gl, on Mesa's llvmpipe under Xvfb) and for cairo. Each
time is taken at the program's "first-frame" line, not at its exit. Best of ROUNDS runs each,
interleaved; peak memory from GNU time in separate runs.

The issue's target is 1.15x the floor, with GTK's default renderer: gl fails over it. Noise on
a shared machine only ever adds time, so the best of a batch converges on the real cost: a
batch over the target is followed by up to BATCHES - 1 more, and the best over all of them
counts. With cairo kvmrt is close to the target but not reliably within it (see
docs/contracts.md, "GUI start-up"), so a miss there is a TAP TODO line (an expected failure).
A ratio over REGRESSION (2.5x) fails with either renderer: a real slowdown. Skips without
Xvfb."""
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "gui"))
import kvmrt_display  # noqa: E402

APP = os.environ["KVMRT_APP"]
BARE = os.environ["KVMRT_BENCH_BARE_WINDOW"]
HOSTS = os.environ["KVMRT_TEST_HOSTS_DIR"]
N_VMS = 64
ROUNDS = 9
BATCHES = 3
TARGET = 1.15
REGRESSION = 2.5
RENDERERS = ["gl", "cairo"]
HELD_TO_TARGET = {"gl"}      # GTK's default renderer; cairo's misses are TODO lines


def make_node(cfg, path):
    uuids = re.findall(r"^\[([0-9a-fA-F-]{36})\]", open(cfg).read(), re.M)
    names = re.findall(r"^name\s*[=:]\s*(\S+)", open(cfg).read(), re.M)
    with open(path, "w") as f:
        f.write("<node>\n")
        for i, uuid in enumerate(uuids):
            f.write("<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
                    "<name>%s</name><uuid>%s</uuid><memory>1048576</memory><vcpu>2</vcpu>"
                    "<os><type>hvm</type></os><test:runstate>%d</test:runstate></domain>\n"
                    % (names[i] if i < len(names) else "vm%d" % i, uuid, 1 if i % 2 else 5))
        f.write("</node>\n")


def first_frame(argv, env):
    """Seconds from launch to the "first-frame" line; the program's exit is not counted."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    elapsed = None
    for line in proc.stdout:
        if line.strip() == "first-frame":
            elapsed = time.perf_counter() - start
            break
    out, err = proc.communicate(timeout=120)
    if elapsed is None:
        raise RuntimeError("%s did not draw (%d):\n%s%s" % (argv[0], proc.returncode, out, err))
    return elapsed


def peak_kib(argv, env):
    proc = subprocess.run(["/usr/bin/time", "-f", "peak %M"] + argv, env=env,
                          capture_output=True, text=True, timeout=120)
    return int(re.search(r"peak (\d+)", proc.stderr).group(1))


def main():
    try:
        display = kvmrt_display.Display()
        display.__enter__()
    except kvmrt_display.Unavailable as e:
        print("1..0 # SKIP %s" % e)
        return 0
    try:
        with tempfile.TemporaryDirectory(prefix="kvmrt-bench-gui-") as work:
            cfg = os.path.join(work, "kvmrt.cfg")
            node = os.path.join(work, "node.xml")
            subprocess.run([sys.executable, os.path.join(HERE, "gen-config.py"), str(N_VMS), cfg],
                           check=True)
            make_node(cfg, node)
            app = [APP, "--sysroot", os.path.join(HOSTS, "bench-256"), "-c",
                   "test://" + node, "-f", cfg]
            bare = [BARE, str(N_VMS)]
            print("1..%d" % (2 * len(RENDERERS)))
            number = 0
            status = 0
            for renderer in RENDERERS:
                env = dict(display.env)
                # No accessibility bus for either program.
                env.update({"GSK_RENDERER": renderer, "GTK_A11Y": "none",
                            "KVMRT_BENCH_FIRST_FRAME": "1"})
                times = {"kvmrt": [], "bare": []}
                for batch in range(BATCHES):
                    for _ in range(ROUNDS):
                        times["bare"].append(first_frame(bare, env))
                        times["kvmrt"].append(first_frame(app, env))
                    best = {k: min(v) for k, v in times.items()}
                    ratio = best["kvmrt"] / best["bare"]
                    if ratio <= TARGET:
                        break
                runs = len(times["kvmrt"])
                mem = {"kvmrt": peak_kib(app, env), "bare": peak_kib(bare, env)}
                print("# renderer %s, %d VMs, best of %d" % (renderer, N_VMS, runs))
                for k in ("bare", "kvmrt"):
                    print("# %-6s first frame %.1f ms (median %.1f ms), peak RSS %.1f MiB"
                          % (k, best[k] * 1000, sorted(times[k])[runs // 2] * 1000,
                             mem[k] / 1024))
                quartile = {k: sorted(v)[len(v) // 4] for k, v in times.items()}
                # Each round runs the two programs back to back, so the ratio within a round
                # cancels the machine's slower swings.
                paired = sorted(k / b for k, b in zip(times["kvmrt"], times["bare"]))
                print("# kvmrt / bare = %.2f (lower quartiles: %.2f, median of the rounds: %.2f)"
                      % (ratio, quartile["kvmrt"] / quartile["bare"], paired[len(paired) // 2]))
                number += 1
                missed = ratio > TARGET
                todo = missed and renderer not in HELD_TO_TARGET
                print("%s %d - %s: first dashboard within %.2fx of a bare window%s"
                      % ("not ok" if missed else "ok", number, renderer, TARGET,
                         " # TODO %.2fx today" % ratio if todo else ""))
                if missed and not todo:
                    status = 1
                number += 1
                print("%s %d - %s: no slower than %.1fx a bare window (regression guard)"
                      % ("ok" if ratio <= REGRESSION else "not ok", number, renderer,
                         REGRESSION))
                if ratio > REGRESSION:
                    status = 1
            return status
    finally:
        display.__exit__(None, None, None)


if __name__ == "__main__":
    sys.exit(main())
