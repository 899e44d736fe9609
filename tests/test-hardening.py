#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile files, arguments and journals against the built tools (issue 18): an indented
configuration edited, the pkexec argument rules, FIFOs and devices as files, configurations and
tuning journals that others may write, tampered and damaged journals, and the smaller promises
(temporary files of a killed save, symbolic links, error messages). Prints TAP."""
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import CLI, DEMO_CFG, DEMO_HOST, TOP, case, check, main, run  # noqa: E402

DEMO_NODE = "test://" + os.path.join(TOP, "data", "demo", "libvirt-node.xml")
COMMON = ["--sysroot", DEMO_HOST, "-c", DEMO_NODE]
WIN10 = "ea319190-1f1e-43d7-824c-071a270cec3c"
WRITERS = ["kvmrt-boot", "kvmrt-shutdown", "kvmrt-edit-config", "kvmrt-sync-config",
           "kvmrt-import"]
IS_ROOT = os.geteuid() == 0


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="kvmrt-hardening-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text, mode=None):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    if mode is not None:
        os.chmod(path, mode)


def ini_sections(text):
    """{section: {key: value}} as Python's configparser reads the file (the reference)."""
    import configparser
    parser = configparser.RawConfigParser(strict=True, interpolation=None)
    parser.optionxform = str
    parser.read_string(text)
    return {s: dict(parser.items(s)) for s in parser.sections()}


# ---- 1. Edits keep an indented file's structure -------------------------------------------

@case
def indented_config_keeps_its_keys_after_sync_reverse():
    with TempDir() as d:
        cfg = os.path.join(d, "kvmrt.cfg")
        text = "".join("  " + line if line.strip() else line
                       for line in read(DEMO_CFG).splitlines(True))
        text = text.replace("  title = Engineering Workstation\n", "")
        write(cfg, text)
        before = ini_sections(text)
        status, out, err = run("kvmrt-sync-config", "-r", "-f", cfg, *COMMON, "win10-eng")
        check(status == 0 and "saved" in out, "exit %d: %s %s" % (status, out, err))
        after = ini_sections(read(cfg))
        check(set(after) == set(before), "sections changed: %s" % sorted(after))
        for name, keys in before.items():
            for key, value in keys.items():
                check(after[name].get(key) == value or (name == WIN10 and key != "name"),
                      "[%s] %s lost or changed: %r" % (name, key, after[name].get(key)))
        check(after[WIN10].get("title") == "Engineering Workstation", after[WIN10])


# ---- 4. pkexec: the system configuration, libvirt and host only ---------------------------

def pkexec_run(tool, *args, stdin=subprocess.DEVNULL):
    return run(tool, *args, env={"PKEXEC_UID": "1000"}, stdin=stdin, timeout=30)


@case
def pkexec_refuses_a_uri_that_runs_a_program():
    with TempDir() as d:
        marker = os.path.join(d, "ran")
        script = os.path.join(d, "evil.sh")
        write(script, "#!/bin/sh\ntouch %s\n" % marker, 0o755)
        for tool in WRITERS:
            status, out, err = pkexec_run(tool, "-c", "qemu+ext:///system?command=" + script)
            check(status == 2 and "through pkexec, -c is refused" in err,
                  "%s: exit %d: %s" % (tool, status, err))
        check(not os.path.exists(marker), "the command ran")


@case
def pkexec_refuses_another_config_file_and_sysroot():
    with TempDir() as d:
        target = os.path.join(d, "created-by-root.cfg")
        for tool in WRITERS:
            status, out, err = pkexec_run(tool, "-f", target)
            check(status == 2 and "-f is refused" in err, "%s -f: %d %s" % (tool, status, err))
            status, out, err = pkexec_run(tool, "--sysroot", DEMO_HOST)
            check(status == 2 and "--sysroot is refused" in err,
                  "%s --sysroot: %d %s" % (tool, status, err))
        check(not os.path.exists(target), "a file was created")
    # The sysroot through the environment is dropped, not followed: the real host is read.
    status, demo, err = run("kvmrt-show-config", "--host", "--sysroot", DEMO_HOST)
    check(status == 0, err)
    status, out, err = run("kvmrt-show-config", "--host",
                           env={"PKEXEC_UID": "1000", "KVMRT_SYSROOT": DEMO_HOST})
    check(out != demo, "KVMRT_SYSROOT was followed through pkexec")


@case
def pkexec_replace_reads_standard_input_only():
    status, out, err = pkexec_run("kvmrt-edit-config", "--replace", "/etc/shadow")
    check(status == 2 and "only reads standard input" in err, "%d %s" % (status, err))
    check("root:" not in out + err, "the file was shown")
    # "-" passes the pkexec rules. The system's own file must not be touched by this test: a
    # checksum no file has makes the tool refuse before it writes (or it stops earlier, without
    # a system libvirt).
    status, out, err = pkexec_run("kvmrt-edit-config", "--replace", "-", "--if-unchanged",
                                  "not-a-checksum", stdin=subprocess.PIPE)
    check("through pkexec" not in err and status != 0, "%d %s" % (status, err))


@case
def policy_pins_every_tool_the_gui_runs():
    policy = read(os.path.join(TOP, "data", "org.kvmrt.Kvmrt.policy.in"))
    for tool in WRITERS:
        check("@bindir@/%s</annotate>" % tool in policy, tool)
    source = read(os.path.join(TOP, "app", "kvmrt-manager-operation.c"))
    check('"--replace", "-"' in source, "the GUI still passes a file to --replace")


# ---- 6. Files that would hang or flood the tools -------------------------------------------

@case
def fifo_and_devices_are_refused_without_blocking():
    with TempDir() as d:
        fifo = os.path.join(d, "fifo.cfg")
        os.mkfifo(fifo)
        for path in (fifo, "/dev/zero", d):
            status, out, err = run("kvmrt-validate-config", "--offline", "--sysroot", DEMO_HOST,
                                   "-f", path, timeout=10)
            check(status == 2 and "not a regular file" in err, "%s: %d %s" % (path, status, err))
        cfg = os.path.join(d, "kvmrt.cfg")
        shutil.copy(DEMO_CFG, cfg)
        status, out, err = run("kvmrt-edit-config", "-f", cfg, *COMMON, "--replace", fifo,
                               timeout=10)
        check(status == 2 and "--replace %s" % fifo in err and "not a regular file" in err,
              "%d %s" % (status, err))


# ---- 5. Root and a configuration others may write -----------------------------------------

def foreign_config(d, mode, owner):
    cfg = os.path.join(d, "kvmrt.cfg")
    shutil.copy(DEMO_CFG, cfg)
    os.chmod(cfg, mode)
    os.chown(cfg, owner, owner)
    return cfg


@case
def root_refuses_a_config_others_may_write():
    if not IS_ROOT:
        print("# skipped: needs root")
        return
    nobody = pwd.getpwnam("nobody").pw_uid
    with TempDir() as d:
        os.chmod(d, 0o755)
        for mode, owner, words in ((0o666, nobody, "chown root:root"), (0o664, 0, "chmod go-w"),
                                   (0o644, nobody, "owned by user %d" % nobody)):
            cfg = foreign_config(d, mode, owner)
            before = read(cfg)
            for tool, args in (("kvmrt-boot", ["win10-eng"]), ("kvmrt-shutdown", ["win10-eng"]),
                               ("kvmrt-sync-config", []), ("kvmrt-import", []),
                               ("kvmrt-sync-config", ["-r"])):
                status, out, err = run(tool, "-f", cfg, *COMMON, *args)
                check(status == 2 and words in err and "cannot be trusted" in err,
                      "%s %s with %o: %d %s" % (tool, args, mode, status, err))
            status, out, err = run("kvmrt-edit-config", "-f", cfg, *COMMON, "--replace", "-",
                                   stdin=subprocess.DEVNULL)
            check(status == 2 and words in err, "edit-config: %d %s" % (status, err))
            check(read(cfg) == before, "the file was written")
            # Read-only tools warn and go on.
            status, out, err = run("kvmrt-show-config", "-f", cfg, "--sysroot", DEMO_HOST)
            check(status == 0 and "warning:" in err and words in err, "%d %s" % (status, err))
            status, out, err = run("kvmrt-validate-host", "--offline", "-f", cfg, "--sysroot",
                                   DEMO_HOST, "--json")
            checks = {c["id"]: c for c in json.loads(out)["checks"]}
            check(checks["config-owner"]["status"] == "failure"
                  and words in checks["config-owner"]["message"], checks.get("config-owner"))


# ---- 3. The tuning journal ------------------------------------------------------------------

SHARED = {}


class PrivateHost:
    """One copy of the demo host for every journal case (a copy takes seconds); each case
    starts with an empty run/kvmrt and leaves the files it changed as it found them."""

    def __enter__(self):
        if "dir" not in SHARED:
            SHARED["dir"] = tempfile.mkdtemp(prefix="kvmrt-journal-")
            os.chmod(SHARED["dir"], 0o755)
            subprocess.run(["cp", "-a", DEMO_HOST, os.path.join(SHARED["dir"], "host")],
                           check=True)
        self.dir = SHARED["dir"]
        self.host = os.path.join(self.dir, "host")
        shutil.rmtree(os.path.join(self.host, "run"), ignore_errors=True)
        os.makedirs(os.path.join(self.host, "run", "kvmrt"))
        os.chmod(os.path.join(self.host, "run", "kvmrt"), 0o755)
        for name in os.listdir(self.dir):
            if name != "host":
                os.unlink(os.path.join(self.dir, name))
        online = self.path("sys/devices/system/cpu/cpu3/online")
        if os.path.islink(online):
            os.unlink(online)
        write(online, "1\n")
        return self

    def path(self, relative):
        return os.path.join(self.host, relative)

    def journal(self, document, name="tuning-state.json", raw=None):
        path = self.path(os.path.join("run", "kvmrt", name))
        write(path, raw if raw is not None else json.dumps(document), 0o644)
        return path

    def boot(self):
        """kvmrt-boot of a VM that is not real-time: it first releases the journal's VMs that
        no longer run, which restores what the journal lists."""
        return run("kvmrt-boot", "-f", DEMO_CFG, "--sysroot", self.host, "-c", DEMO_NODE,
                   "win10-eng")

    def __exit__(self, *exc):
        pass


DEAD_VM = {"uuid": "00000000-dead-4000-8000-000000000000", "name": "gone",
           "shielded": [8], "offline": [], "irq_cpu": -1, "fifo": False, "pcidevs": []}


def journal_with(*originals):
    return {"version": 1, "vms": [DEAD_VM],
            "originals": [{"path": p, "value": v} for p, v in originals]}


@case
def journal_paths_outside_the_tuning_set_are_not_written():
    for path in ("../escaped", "/tmp/kvmrt-journal-absolute", "etc/passwd",
                 "sys/devices/system/cpu/cpu3/../../../../../escaped",
                 "proc/irq/5/../../../escaped", "sys/fs/cgroup/../../escaped"):
        with PrivateHost() as h:
            os.makedirs(h.path("etc"), exist_ok=True)
            write(h.path("etc/passwd"), "root:x:0:0\n")
            h.journal(journal_with((path, "pwned")))
            status, out, err = h.boot()
            check(status in (0, 1, 2), "crashed: %d %s" % (status, err))
            check("not a file kvmrt tunes" in err, "%s: %s" % (path, err))
            for victim in (os.path.join(h.dir, "escaped"), h.path("etc/passwd"),
                           "/tmp/kvmrt-journal-absolute"):
                check(not os.path.exists(victim) or "pwned" not in read(victim),
                      "%s written through %s" % (victim, path))


@case
def journal_does_not_follow_symbolic_links():
    with PrivateHost() as h:
        victim = os.path.join(h.dir, "victim")
        write(victim, "original\n")
        online = h.path("sys/devices/system/cpu/cpu3/online")
        os.unlink(online)
        os.symlink(victim, online)
        h.journal(journal_with(("sys/devices/system/cpu/cpu3/online", "pwned")))
        status, out, err = h.boot()
        check(status in (0, 1), "%d %s" % (status, err))
        check(read(victim) == "original\n", "written through a link")
    # The journal itself as a link, and its directory as a link.
    with PrivateHost() as h:
        real = os.path.join(h.dir, "elsewhere.json")
        write(real, json.dumps(journal_with()))
        os.symlink(real, h.path("run/kvmrt/tuning-state.json"))
        status, out, err = h.boot()
        check("symbolic link" in err and status in (0, 1), "%d %s" % (status, err))


@case
def journal_of_another_user_or_writable_by_others_is_refused():
    if not IS_ROOT:
        print("# skipped: needs root")
        return
    nobody = pwd.getpwnam("nobody").pw_uid
    with PrivateHost() as h:
        path = h.journal(journal_with(("sys/devices/system/cpu/cpu3/online", "0")))
        os.chown(path, nobody, nobody)
        status, out, err = h.boot()
        check("owned by another user" in err and "chown 0" in err, err)
        check(read(h.path("sys/devices/system/cpu/cpu3/online")).strip() == "1", "restored")
        os.chown(path, 0, 0)
        os.chmod(path, 0o666)
        status, out, err = h.boot()
        check("writable by others" in err and "chmod go-w" in err, err)
        os.chmod(path, 0o644)
        os.chmod(h.path("run/kvmrt"), 0o777)
        status, out, err = h.boot()
        check("directory" in err and "writable by others" in err, err)


@case
def damaged_journals_are_errors_not_crashes():
    bad = [
        "", "[]", "{", "null", '{"vms": 5}', '{"originals": {"a": 1}}',
        json.dumps({"vms": [DEAD_VM], "originals": [{"path": 5, "value": "0"}]}),
        json.dumps({"vms": [DEAD_VM], "originals": [{"path": None, "value": None}]}),
        json.dumps({"vms": [DEAD_VM], "originals": [{"path": ["a"], "value": {}}]}),
        json.dumps({"vms": [{"uuid": 5}]}),
        json.dumps({"vms": [{"uuid": "x", "shielded": ["a"]}]}),
        json.dumps({"vms": [{"uuid": "x", "shielded": [-1]}]}),
        json.dumps({"vms": [{"uuid": "x", "irq_cpu": "4"}]}),
        json.dumps({"vms": [{"uuid": "x", "pcidevs": [1]}]}),
        json.dumps({"vms": [{"uuid": "x", "pcidevs": ["not an address"]}]}),
        json.dumps({"vms": [{"uuid": "x", "fifo": "yes"}]}),
        json.dumps({"vms": ["x"]}),
        json.dumps({"vms": [DEAD_VM], "originals": ["x"]}),
        json.dumps({"vms": [DEAD_VM], "originals": [
            {"path": "sys/devices/system/cpu/cpu3/online", "value": "0\nmore"}]}),
        "\x00\xff\xfe garbage",
    ]
    for text in bad:
        with PrivateHost() as h:
            h.journal(None, raw=text)
            status, out, err = h.boot()
            check(status in (0, 1, 2), "crashed (%d) on %r: %s" % (status, text, err))
            check("tuning journal" in err, "no word on %r: %s" % (text, err))


@case
def recovery_removes_a_stale_new_file_and_reads_the_old_name_once():
    with PrivateHost() as h:
        online = "sys/devices/system/cpu/cpu3/online"
        write(h.path(online), "0\n")
        h.journal(journal_with((online, "1")), name="journal.json")
        write(h.path("run/kvmrt/tuning-state.json.new"), "{half a journ")
        status, out, err = h.boot()
        check(status == 0, "%d %s %s" % (status, out, err))
        check("gone: not running any more" in out, out)
        check(read(h.path(online)).strip() == "1", "not restored from the old name")
        for name in ("journal.json", "tuning-state.json", "tuning-state.json.new"):
            check(not os.path.exists(h.path("run/kvmrt/" + name)), name + " left")


# ---- 7. The smaller promises -----------------------------------------------------------------

@case
def unknown_uri_driver_does_not_blame_a_certificate():
    status, out, err = run("kvmrt-sync-config", "-q", "-f", DEMO_CFG, "--sysroot", DEMO_HOST,
                           "-c", "bogus://x")
    check(status == 2 and "certificate" not in err and "qemu://" in err, err)


@case
def syntax_errors_name_their_line():
    with TempDir() as d:
        cfg = os.path.join(d, "kvmrt.cfg")
        write(cfg, "[%s]\nname = a\nthis line is broken\n" % WIN10)
        status, out, err = run("kvmrt-validate-config", "--offline", "--json", "-f", cfg,
                               "--sysroot", DEMO_HOST)
        finding = json.loads(out)["diagnostics"][0]
        check(finding["code"] == "config-syntax" and finding["line"] == 3, finding)
        with open(cfg, "wb") as f:
            f.write(b"[x]\nname = a\n\nkey = b\x00c\n")
        status, out, err = run("kvmrt-validate-config", "--offline", "-f", cfg, "--sysroot",
                               DEMO_HOST)
        check("%s:4: contains a NUL byte" % cfg in out + err, out + err)
        write(cfg, "")
        status, out, err = run("kvmrt-validate-config", "--offline", "-f", cfg, "--sysroot",
                               DEMO_HOST)
        check(status == 0, "empty file: %d %s" % (status, err))


@case
def replace_errors_name_the_replacement():
    with TempDir() as d:
        cfg = os.path.join(d, "kvmrt.cfg")
        shutil.copy(DEMO_CFG, cfg)
        new = os.path.join(d, "new.cfg")
        write(new, "[x]\nbroken line\n")
        status, out, err = run("kvmrt-edit-config", "-f", cfg, *COMMON, "--replace", new)
        check(status == 1 and "%s:2:" % new in err, err)
        check("%s:2:" % cfg not in err, err)
        status, out, err = run("kvmrt-edit-config", "-f", cfg, *COMMON, "--replace",
                               os.path.join(d, "missing.cfg"))
        check(status == 2 and "--replace %s" % os.path.join(d, "missing.cfg") in err, err)


@case
def a_killed_save_leaves_nothing_behind_for_long():
    with TempDir() as d:
        cfg = os.path.join(d, "kvmrt.cfg")
        write(cfg, read(DEMO_CFG).replace("title = Engineering Workstation\n", ""))
        leftovers = [os.path.join(d, ".kvmrt.cfg.Ab12Cd"), os.path.join(d, ".kvmrt.cfg.bak.4242")]
        for path in leftovers:
            write(path, "half")
        keep = os.path.join(d, ".kvmrt.cfg.notours")
        write(keep, "x")
        status, out, err = run("kvmrt-sync-config", "-r", "-f", cfg, *COMMON, "win10-eng")
        check(status == 0, err)
        for path in leftovers:
            check(not os.path.exists(path), path + " left")
        check(os.path.exists(keep), "a file that is not a save's was removed")


@case
def saving_a_symbolic_link_writes_its_target():
    with TempDir() as d:
        managed = os.path.join(d, "managed")
        os.mkdir(managed)
        target = os.path.join(managed, "kvmrt.cfg")
        write(target, read(DEMO_CFG).replace("title = Engineering Workstation\n", ""))
        link = os.path.join(d, "kvmrt.cfg")
        os.symlink("managed/kvmrt.cfg", link)
        status, out, err = run("kvmrt-sync-config", "-r", "-f", link, *COMMON, "win10-eng")
        check(status == 0, err)
        check(os.path.islink(link) and os.readlink(link) == "managed/kvmrt.cfg", "link replaced")
        check("title = Engineering Workstation" in read(target), "target stale")
        check(os.path.exists(target + ".bak"), "no backup beside the target")


@case
def cleanup():
    if "dir" in SHARED:
        shutil.rmtree(SHARED["dir"])


if __name__ == "__main__":
    sys.exit(main())
