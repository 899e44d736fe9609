#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Concurrent writers never lose an update silently. Every writing tool (kvmrt-import,
kvmrt-import -u, kvmrt-sync-config -r, kvmrt-edit-config with an editor and with --replace, and
the GUI's Apply through the core save, tests/probes/apply-probe.c) runs at the same moment as another one, on a fresh
copy of one configuration, KVMRT_WRITER_PAIRS times per pair of tools (default 100; each tool
is in two kinds of pair, so in 200 pairs). Each tool makes a change of its own. After a pair:
a tool that said it saved must find its change in the file (otherwise: a silent loss); a tool
that did not save must have exited non-zero and said why; the file must always read back.
Prints TAP, with the counts."""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import CLI, DEMO_CFG, DEMO_HOST, TOP, case, check, main  # noqa: E402

PAIRS = int(os.environ.get("KVMRT_WRITER_PAIRS", "100"))
PROBE = os.environ["KVMRT_APPLY_PROBE"]
UBUNTU = "1f764194-7f55-4ad8-a480-0c36de8aed2d"
WIN10 = "ea319190-1f1e-43d7-824c-071a270cec3c"
SPARE_A = "5a5a5a5a-0000-4000-8000-00000000000a"
SPARE_B = "5a5a5a5a-0000-4000-8000-00000000000b"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def section(text, uuid):
    match = re.search(r"^\[%s\]\n(.*?)(?=^\[|\Z)" % uuid, text, re.S | re.M)
    return match.group(1) if match else None


def make_fixture(work):
    """A node with two more copies of ubuntu-build, and a baseline config where each tool has
    something to do: ubuntu-build to import, spare-a's title to refresh (-u), spare-b's vCPUs
    to take back (-r), win10-eng's title for --replace, its description for the GUI."""
    node = read(os.path.join(TOP, "data", "demo", "libvirt-node.xml"))
    block = re.search(r"  <domain [^>]*>\s*<name>ubuntu-build</name>.*?</domain>\n", node,
                      re.S).group(0)
    extra = ""
    for name, uuid in (("spare-a", SPARE_A), ("spare-b", SPARE_B)):
        extra += (block.replace("ubuntu-build", name).replace(UBUNTU, uuid)
                  .replace("Build Server", name.title()))
    node = node.replace("</node>", extra + "</node>")
    node_path = os.path.join(work, "node.xml")
    with open(node_path, "w", encoding="utf-8") as f:
        f.write(node)
    cfg = read(DEMO_CFG)
    cfg = cfg[:cfg.index("[%s]" % UBUNTU)]
    cfg += ("[%s]\nname = spare-a\ntitle = OLD\nnr_vcpus = 12\n\n"
            "[%s]\nname = spare-b\ntitle = Spare-B\nnr_vcpus = 3\n" % (SPARE_A, SPARE_B))
    base = os.path.join(work, "base.cfg")
    with open(base, "w", encoding="utf-8") as f:
        f.write(cfg)
    return "test://" + node_path, cfg


class Tool:
    def __init__(self, name, argv, applied, stdin=None, env=None):
        self.name, self.argv, self.applied, self.stdin = name, argv, applied, stdin
        self.env = env or {}


# kvmrt-edit-config's editor: gives win10-eng the title "Edited" in the copy it is handed. (A
# key no other tool of its pairs takes from libvirt: each tool has a test:/// libvirt of its
# own, so sync-config -r would take back the title edit-config wrote into its libvirt.)
EDITOR = ("%s -c \"import sys; p = sys.argv[1]; t = open(p).read(); "
          "open(p, 'w').write(t.replace('title = Engineering Workstation', 'title = Edited'))\""
          % sys.executable)


def tools(cfg, uri, base_text):
    common = ["-f", cfg, "--sysroot", DEMO_HOST, "-c", uri]
    base_sum = hashlib.sha256(base_text.encode()).hexdigest()
    replaced = base_text.replace("title = Engineering Workstation", "title = Replaced")
    return {
        "import": Tool("kvmrt-import", [os.path.join(CLI, "kvmrt-import"), *common,
                                        "ubuntu-build"],
                       lambda t: section(t, UBUNTU) is not None),
        "import-u": Tool("kvmrt-import -u", [os.path.join(CLI, "kvmrt-import"), "-u", *common,
                                             "spare-a"],
                         lambda t: "title = Spare-A" in (section(t, SPARE_A) or "")),
        "sync-r": Tool("kvmrt-sync-config -r", [os.path.join(CLI, "kvmrt-sync-config"), "-r",
                                                *common, "spare-b"],
                       lambda t: "nr_vcpus = 12" in (section(t, SPARE_B) or "")),
        "replace": Tool("kvmrt-edit-config --replace -",
                        [os.path.join(CLI, "kvmrt-edit-config"), *common, "--replace", "-",
                         "--if-unchanged", base_sum],
                        lambda t: "title = Replaced" in (section(t, WIN10) or ""),
                        stdin=replaced),
        "edit": Tool("kvmrt-edit-config", [os.path.join(CLI, "kvmrt-edit-config"), *common],
                     lambda t: "title = Edited" in (section(t, WIN10) or ""),
                     env={"EDITOR": EDITOR, "VISUAL": ""}),
        "gui-apply": Tool("GUI Apply", [PROBE, cfg, WIN10, "description", "From the GUI"],
                          lambda t: "description = From the GUI" in (section(t, WIN10) or "")),
    }


def saved(tool, status, out):
    if tool.name == "GUI Apply":
        return status == 0 and "saved" in out
    if tool.name.startswith("kvmrt-edit-config"):
        return status == 0 and ": saved" in out
    return status == 0 and ("saved" in out or "created" in out)


COUNTS = {"pairs": 0, "saved": 0, "refused": 0, "silent losses": 0, "crashes": 0}


def run_pairs(first, second):
    work = tempfile.mkdtemp(prefix="kvmrt-writers-")
    try:
        uri, base_text = make_fixture(work)
        cfg = os.path.join(work, "kvmrt.cfg")
        problems = []
        for _ in range(PAIRS):
            with open(cfg, "w", encoding="utf-8") as f:
                f.write(base_text)
            for leftover in (cfg + ".bak",):
                if os.path.exists(leftover):
                    os.unlink(leftover)
            all_tools = tools(cfg, uri, base_text)
            pair = [all_tools[first], all_tools[second]]
            env = dict(os.environ, LC_ALL="C")
            env.pop("KVMRT_SYSROOT", None)
            procs = [subprocess.Popen(t.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, env=dict(env, **t.env))
                     for t in pair]
            results = []
            for t, p in zip(pair, procs):
                out, err = p.communicate(t.stdin or "", timeout=120)
                results.append((p.returncode, out, err))
            text = read(cfg)
            COUNTS["pairs"] += 1
            for t, (status, out, err) in zip(pair, results):
                if status < 0 or status > 2:
                    COUNTS["crashes"] += 1
                    problems.append("%s crashed (%d): %s" % (t.name, status, err))
                elif saved(t, status, out):
                    COUNTS["saved"] += 1
                    if not t.applied(text):
                        COUNTS["silent losses"] += 1
                        problems.append("%s said saved, its change is lost:\n%s\n%s"
                                        % (t.name, "\n".join(
                                            "== %s (exit %d)\n%s\n%s" % (u.name, r[0], r[1],
                                                                          r[2])
                                            for u, r in zip(pair, results)), text))
                else:
                    COUNTS["refused"] += 1
                    if status == 0 or not err.strip():
                        problems.append("%s did not save and did not say why (%d):\n%s\n%s"
                                        % (t.name, status, out, err))
            status = subprocess.run([os.path.join(CLI, "kvmrt-validate-config"), "--offline",
                                     "--sysroot", DEMO_HOST, "-f", cfg], capture_output=True,
                                    text=True, check=False)
            if "config-syntax" in status.stdout:
                problems.append("the file no longer reads: %s" % status.stdout)
            if problems:
                break
        check(not problems, "\n".join(problems[:3]))
    finally:
        shutil.rmtree(work)


def pair_case(first, second):
    def test():
        run_pairs(first, second)
    test.__name__ = "%d_concurrent_%s_and_%s" % (PAIRS, first.replace("-", "_"),
                                                 second.replace("-", "_"))
    case(test)


# Each tool in two kinds of pair: a ring over the five writers.
RING = ["import", "import-u", "sync-r", "edit", "replace", "gui-apply"]
for i, name in enumerate(RING):
    pair_case(name, RING[(i + 1) % len(RING)])


@case
def counts():
    print("# %s" % ", ".join("%s: %d" % item for item in COUNTS.items()))
    check(COUNTS["silent losses"] == 0 and COUNTS["crashes"] == 0, COUNTS)


if __name__ == "__main__":
    sys.exit(main())
