#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fault injection into every save path: each system call a save makes (open, read, write,
fsync, rename, link, close, flock, chmod, chown, unlink, stat) fails with EIO, one call index
at a time (strace -f -e inject=SYSCALL:error=EIO:when=N), in kvmrt-import creating the file,
kvmrt-sync-config -r, kvmrt-edit-config --replace and the GUI's Apply (tests/probes/
apply-probe.c). After every run the file is exactly the old one or exactly the new one (never a
part), a tool that says it saved has saved, and no tool crashes. Skips without strace.
Prints TAP, with the number of faults injected."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import CLI, DEMO_CFG, DEMO_HOST, TOP, case, check, main  # noqa: E402

STRACE = shutil.which("strace")
PROBE = os.environ["KVMRT_APPLY_PROBE"]
NODE = "test://" + os.path.join(TOP, "data", "demo", "libvirt-node.xml")
WIN10 = "ea319190-1f1e-43d7-824c-071a270cec3c"
SYSCALLS = ["openat", "read", "pread64", "write", "fsync", "rename", "link", "close", "flock",
            "fchmod", "fchown", "unlink", "unlinkat", "newfstatat", "fstat", "getdents64"]
# Calls only a save makes: every call index of the run, not only those from the save on.
SAVE_ONLY = {"fsync", "rename", "link", "flock", "fchmod", "fchown", "unlink", "unlinkat"}
COUNTS = {"runs": 0, "faults": 0, "said saved": 0, "refused": 0, "crashes": 0}


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def paths():
    return {
        "import": lambda cfg: ([os.path.join(CLI, "kvmrt-import"), "-f", cfg, "--sysroot",
                                DEMO_HOST, "-c", NODE], None, None),
        "import -u": lambda cfg: ([os.path.join(CLI, "kvmrt-import"), "-u", "-f", cfg,
                                   "--sysroot", DEMO_HOST, "-c", NODE, "win10-eng"], BASE, None),
        "edit-config (editor)": lambda cfg: ([os.path.join(CLI, "kvmrt-edit-config"), "-f", cfg,
                                              "--sysroot", DEMO_HOST, "-c", NODE], BASE, None),
        "sync-config -r": lambda cfg: ([os.path.join(CLI, "kvmrt-sync-config"), "-r", "-f", cfg,
                                        "--sysroot", DEMO_HOST, "-c", NODE, "win10-eng"],
                                       BASE, None),
        "edit-config --replace": lambda cfg: ([os.path.join(CLI, "kvmrt-edit-config"), "-f",
                                               cfg, "--sysroot", DEMO_HOST, "-c", NODE,
                                               "--replace", "-"], BASE, REPLACED),
        "GUI Apply": lambda cfg: ([PROBE, cfg, WIN10, "description", "From the GUI"], BASE,
                                  None),
    }


BASE = read(DEMO_CFG).replace("title = Engineering Workstation\n", "")
REPLACED = BASE.replace("autostart = true", "autostart = false", 1)
# The editor of kvmrt-edit-config's own path: changes the copy it is given the same way.
EDITOR = "%s -c \"import sys; p = sys.argv[1]; t = open(p).read(); open(p, 'w').write(t.replace('autostart = true', 'autostart = false', 1))\"" % sys.executable


def prepare(directory, old):
    for name in os.listdir(directory):
        os.unlink(os.path.join(directory, name))
    cfg = os.path.join(directory, "kvmrt.cfg")
    if old is not None:
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(old)
    return cfg


def execute(argv, stdin, inject=None, trace=None):
    prefix = []
    if inject is not None:
        # The call must be traced for strace to tamper with it.
        prefix = [STRACE, "-f", "-qq", "-o", "/dev/null", "-e", "trace=" + inject[0],
                  "-e", "inject=%s:error=EIO:when=%d" % inject]
    elif trace is not None:
        prefix = [STRACE, "-f", "-qq", "-o", trace, "-e", "trace=" + ",".join(SYSCALLS)]
    env = dict(os.environ, LC_ALL="C", EDITOR=EDITOR, VISUAL="")
    env.pop("KVMRT_SYSROOT", None)
    proc = subprocess.run(prefix + argv, input=stdin or "", capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def save_window(trace, cfg):
    """Per system call, the call numbers (in the main thread) from the start of the save:
    the last look at the file's own path before the temporary file is made."""
    calls = []
    main_pid = None
    with open(trace, encoding="utf-8", errors="replace") as f:
        for line in f:
            match = re.match(r"(\d+)\s+(\w+)\(", line)
            if match is None:
                continue
            pid, name = match.groups()
            main_pid = main_pid or pid
            if pid == main_pid:
                calls.append((name, line))
    temp = os.path.join(os.path.dirname(cfg), "." + os.path.basename(cfg) + ".")
    made = next(i for i, (name, line) in enumerate(calls) if name == "openat" and temp in line)
    start = max(i for i, (name, line) in enumerate(calls[:made])
                if '"%s"' % cfg in line and name == "newfstatat")
    window = {}
    seen = {}
    for i, (name, line) in enumerate(calls):
        seen[name] = seen.get(name, 0) + 1
        if i >= start or name in SAVE_ONLY:
            window.setdefault(name, []).append(seen[name])
    return window


def said_saved(status, out):
    return status == 0 and re.search(r"\b(saved|created)\b", out) is not None


def probe(name):
    def test():
        if STRACE is None:
            print("# skipped: strace is not installed")
            return
        work = tempfile.mkdtemp(prefix="kvmrt-faults-")
        try:
            argv, old, stdin = paths()[name](os.path.join(work, "kvmrt.cfg"))
            cfg = prepare(work, old)
            trace = os.path.join(tempfile.gettempdir(), "kvmrt-faults-%d.trace" % os.getpid())
            status, out, err = execute(argv, stdin, trace=trace)
            check(said_saved(status, out), "clean run: %d %s %s" % (status, out, err))
            new = read(cfg)
            cfg = prepare(work, old)
            window = save_window(trace, cfg)
            os.unlink(trace)
            problems = []
            for syscall in SYSCALLS:
                for number in window.get(syscall, []):
                    cfg = prepare(work, old)
                    status, out, err = execute(argv, stdin, inject=(syscall, number))
                    now = read(cfg)
                    COUNTS["runs"] += 1
                    COUNTS["faults"] += 1
                    where = "%s #%d" % (syscall, number)
                    if status < 0 or status > 2:
                        COUNTS["crashes"] += 1
                        problems.append("%s: crashed (%d): %s" % (where, status, err[-300:]))
                    if now != old and now != new:
                        problems.append("%s: the file is neither old nor new:\n%s"
                                        % (where, (now or "")[:300]))
                    if said_saved(status, out):
                        COUNTS["said saved"] += 1
                        if now != new:
                            problems.append("%s: said saved, did not save" % where)
                    else:
                        COUNTS["refused"] += 1
            check(not problems, "\n".join(problems[:5]))
        finally:
            shutil.rmtree(work)
    test.__name__ = "faults_in_" + re.sub(r"\W+", "_", name).strip("_")
    case(test)


for tool in ("import", "import -u", "sync-config -r", "edit-config (editor)",
             "edit-config --replace", "GUI Apply"):
    probe(tool)


@case
def counts():
    print("# %s" % ", ".join("%s: %d" % item for item in COUNTS.items()))
    check(COUNTS["crashes"] == 0, COUNTS)


if __name__ == "__main__":
    sys.exit(main())
