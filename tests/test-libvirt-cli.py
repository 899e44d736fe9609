#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The libvirt tools (import, sync-config, edit-config, boot, shutdown, stat) on libvirt's test
driver with the demo node (data/demo/libvirt-node.xml) and the demo host. Each tool runs in its
own process, so each starts from the node file's state: these tests check one command at a
time; the chained flow on a real libvirtd is tests/test-integration.py. Prints TAP."""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# As root, the test runs in a mount namespace of its own, where each private copy of the demo
# host is an overlay on the fixture (instant, and gone with the namespace whatever ends the
# test) instead of a `cp -a` of its 9,000 files; the tools see the same tree either way.
if (os.geteuid() == 0 and "KVMRT_TEST_MOUNT_NS" not in os.environ and shutil.which("unshare")
        and subprocess.run(["unshare", "--mount", "true"], capture_output=True,
                           check=False).returncode == 0):
    os.environ["KVMRT_TEST_MOUNT_NS"] = "1"
    os.execvp("unshare", ["unshare", "--mount", "--propagation", "private", "--",
                          sys.executable, *sys.argv])

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import (CLI, DEMO_CFG, DEMO_HOST, HOSTS, SRC, TOP, case, check,  # noqa: E402
                       editor_script, main, run)

DEMO_NODE = "test://" + os.path.join(TOP, "data", "demo", "libvirt-node.xml")
RUNNING_NODE = "test://" + os.path.join(SRC, "libvirt", "node-running.xml")
RUNNING = ["--sysroot", DEMO_HOST, "-c", RUNNING_NODE]
UNREACHABLE = "qemu+unix:///system?socket=/nonexistent/libvirt-sock"
COMMON = ["--sysroot", DEMO_HOST, "-c", DEMO_NODE]


class PrivateHost:
    """A copy of the demo host for commands that tune it (kvmrt-boot, kvmrt-shutdown): the
    fixture under the build tree must stay as generated. Yields the options to pass."""

    def __init__(self, node=DEMO_NODE, source=DEMO_HOST):
        self.node = node
        self.source = source

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="kvmrt-host-")
        self.host = os.path.join(self.dir, "host")
        self.mounted = False
        if os.environ.get("KVMRT_TEST_MOUNT_NS") == "1":
            upper, work = os.path.join(self.dir, "upper"), os.path.join(self.dir, "work")
            for path in (upper, work, self.host):
                os.mkdir(path)
            self.mounted = subprocess.run(
                ["mount", "-t", "overlay", "overlay", "-o", "lowerdir=%s,upperdir=%s,workdir=%s"
                 % (self.source, upper, work), self.host],
                capture_output=True, check=False).returncode == 0
            if not self.mounted:
                os.rmdir(self.host)
        if not self.mounted:
            subprocess.run(["cp", "-a", self.source, self.host], check=True)
        return ["--sysroot", self.host, "-c", self.node]

    def __exit__(self, *exc):
        if self.mounted:
            subprocess.run(["umount", self.host], check=True)
        shutil.rmtree(self.dir)


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="kvmrt-libvirt-cli-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path)


def copy_demo(directory):
    path = os.path.join(directory, "kvmrt.cfg")
    shutil.copy(DEMO_CFG, path)
    return path


def write_variant(directory, old, new):
    """A copy of the demo config with OLD replaced by NEW; returns its path."""
    path = os.path.join(directory, "kvmrt.cfg")
    with open(path, "w", encoding="utf-8") as f:
        f.write(read(DEMO_CFG).replace(old, new))
    return path


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


@case
def import_creates_config_from_all_domains():
    with TempDir() as d:
        cfg = os.path.join(d, "new.cfg")
        status, out, err = run("kvmrt-import", "-f", cfg, *COMMON)
        check(status == 0, "exit %d: %s" % (status, err))
        check(out.count(": added [") == 4, out)
        status, out, err = run("kvmrt-show-config", "--json", "-f", cfg, "--sysroot", DEMO_HOST)
        check(status == 0, err)
        vms = {vm["name"]: vm for vm in json.loads(out)["vms"]}
        check(set(vms) == {"rh84-vision-rt", "rh84-control-rt", "win10-eng", "ubuntu-build"},
              vms.keys())
        check(vms["ubuntu-build"]["nr_vcpus"] == 12, vms["ubuntu-build"])
        check(vms["win10-eng"]["title"] == "Engineering Workstation", vms["win10-eng"])
        check(vms["win10-eng"]["rt"] is False, "imported VMs start as non-real-time")
        # Every attribute is spelled out for the operator to edit.
        text = read(cfg)
        for key in ("cpuset", "rt", "rt_memory", "numatune", "pcidevs", "autostart"):
            check(sum(l.split(" =")[0] == key for l in text.splitlines()) == 4,
                  "%s missing:\n%s" % (key, text))


@case
def import_skips_configured_vms_unless_update():
    with TempDir() as d:
        cfg = copy_demo(d)
        before = read(cfg)
        status, out, err = run("kvmrt-import", "-f", cfg, *COMMON)
        check(status == 0, "exit %d: %s" % (status, err))
        check(out.count("skipped") == 4, out)
        check(read(cfg) == before, "config changed although every VM was skipped")


@case
def import_named_unknown_domain():
    with TempDir() as d:
        status, out, err = run("kvmrt-import", "-f", os.path.join(d, "x.cfg"), *COMMON,
                               "no-such-vm")
        check(status == 2, "exit %d" % status)
        check("no-such-vm" in err, err)
        check(not os.path.exists(os.path.join(d, "x.cfg")), "file created on failure")


@case
def sync_query_reports_differences():
    status, out, err = run("kvmrt-sync-config", "-q", "-f", DEMO_CFG, *COMMON)
    check(status == 1, "exit %d (expected 1: out of sync)" % status)
    check(out.count("out of sync") == 4, out)
    check("vcpupin" in out, out)
    status, out, err = run("kvmrt-sync-config", "-q", "--json", "-f", DEMO_CFG, *COMMON)
    doc = json.loads(out)
    check(doc["in_sync"] is False, doc)
    fields = {c["field"] for vm in doc["vms"] for c in vm["changes"]}
    check({"vcpupin", "emulatorpin", "hostdevs"} <= fields, fields)
    for vm in doc["vms"]:
        check(vm["defined"] and not vm["running"], vm)


@case
def sync_reverse_refuses_to_make_config_invalid():
    # The demo node's domains pin nothing: taken into the config, the real-time VMs would lose
    # their CPUs. Nothing is written.
    with TempDir() as d:
        cfg = copy_demo(d)
        before = read(cfg)
        status, out, err = run("kvmrt-sync-config", "-r", "-f", cfg, *COMMON)
        check(status == 1, "exit %d: %s" % (status, err))
        check("rt-cpuset-empty" in err and "nothing was written" in err, err)
        check(read(cfg) == before and not os.path.exists(cfg + ".bak"), "config written")
        status, out, err = run("kvmrt-import", "-u", "-f", cfg, *COMMON)
        check(status == 1 and read(cfg) == before, "import -u wrote: %s" % err)


@case
def sync_reverse_takes_libvirt_values():
    with TempDir() as d:
        cfg = os.path.join(d, "kvmrt.cfg")
        status, out, err = run("kvmrt-import", "-f", cfg, *COMMON)
        check(status == 0, err)
        text = read(cfg).replace("nr_vcpus = 12", "nr_vcpus = 3")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(text)
        status, out, err = run("kvmrt-sync-config", "-r", "-f", cfg, *COMMON)
        check(status == 0, "exit %d: %s %s" % (status, out, err))
        check(out.splitlines()[0] == "ubuntu-build: took from libvirt: nr_vcpus", out)
        check("nr_vcpus = 12" in read(cfg), read(cfg))
        status, out, err = run("kvmrt-import", "-u", "-f", cfg, *COMMON)
        check(status == 0 and out.count("in step with libvirt") == 4, out + err)


@case
def sync_writes_and_reports_changes():
    status, out, err = run("kvmrt-sync-config", "-f", DEMO_CFG, *COMMON)
    check(status == 0, "exit %d: %s" % (status, err))
    check(out.count("libvirt definition updated") == 4, out)


@case
def sync_refuses_invalid_config():
    cfg = os.path.join(SRC, "configs", "fig5-8.cfg")
    status, out, err = run("kvmrt-sync-config", "-f", cfg, *COMMON)
    check(status == 1, "exit %d" % status)
    check("rt-cpuset-overlap" in err and "kvmrt-edit-config" in err, err)


@case
def validate_reports_vm_missing_from_libvirt():
    with TempDir() as d:
        cfg = write_variant(d, "1f764194-7f55-4ad8-a480-0c36de8aed2d",
                            "00000000-1111-2222-3333-444444444444")
        status, out, err = run("kvmrt-validate-config", "--json", "-f", cfg, *COMMON)
        check(status == 1, "exit %d: %s" % (status, err))
        doc = json.loads(out)
        missing = [x for x in doc["diagnostics"] if x["code"] == "vm-not-in-libvirt"]
        check(len(missing) == 1 and missing[0]["name"] == "ubuntu-build", missing)


@case
def validate_advises_on_real_time_guests():
    # The vision VM with 16 GiB (node 2 has 8 GiB of huge pages) and an e1000 NIC: libvirt's
    # validator names both; the sync writes the rest of the real-time guest definition.
    with TempDir() as d:
        node = os.path.join(d, "node.xml")
        text = read(os.path.join(TOP, "data", "demo", "libvirt-node.xml"))
        start = text.index("<name>rh84-vision-rt</name>")
        end = text.index("</domain>", start)
        vision = text[start:end].replace('<memory unit="MiB">8192</memory>',
                                         '<memory unit="MiB">16384</memory>')
        vision = vision.replace('<model type="virtio"/>\n      </interface>',
                                '<model type="e1000"/>\n      </interface>', 1)
        with open(node, "w", encoding="utf-8") as f:
            f.write(text[:start] + vision + text[end:])
        common = ["--sysroot", DEMO_HOST, "-c", "test://" + node]
        status, out, err = run("kvmrt-validate-config", "--json", "-f", DEMO_CFG, *common)
        doc = json.loads(out)
        vision_codes = [x["code"] for x in doc["diagnostics"] if x["name"] == "rh84-vision-rt"]
        check("rt-hugepages-missing" in vision_codes and "rt-emulated-device" in vision_codes,
              vision_codes)
        check(all(x["code"] not in ("rt-hugepages-missing", "rt-emulated-device")
                  for x in doc["diagnostics"] if x["name"] != "rh84-vision-rt"), out)
        sync = [x for x in doc["diagnostics"]
                if x["code"] == "out-of-sync" and x["name"] == "rh84-control-rt"][0]
        for field in ("cpu-mode: none -> host-passthrough", "tsc-deadline: absent -> require",
                      "pmu: default -> off", "memballoon: default -> none",
                      "hugepages: none -> 2048 KiB", "nosharepages: no -> yes",
                      "vcpusched: none -> 0-3:fifo/1"):
            check(field in sync["message"], sync["message"])
        # Not real-time: none of it.
        other = [x for x in doc["diagnostics"]
                 if x["code"] == "out-of-sync" and x["name"] == "win10-eng"][0]
        check("cpu-mode" not in other["message"] and "vcpusched" not in other["message"],
              other["message"])


@case
def boot_all_starts_every_enabled_vm():
    with PrivateHost() as common:
        status, out, err = run("kvmrt-boot", "--all", "-f", DEMO_CFG, *common)
    check(status == 0, "exit %d: %s %s" % (status, out, err))
    lines = [l for l in out.splitlines() if ": started" in l]
    check(len(lines) == 4, out)
    check(sum("tuned for real time" in l for l in lines) == 2, out)


@case
def boot_defaults_to_autostart_vms():
    with PrivateHost() as common:
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common)
    check(status == 0, "exit %d: %s" % (status, err))
    started = sorted(l.split(":")[0] for l in out.splitlines() if ": started" in l)
    check(started == ["rh84-control-rt", "rh84-vision-rt", "win10-eng"], out)


@case
def boot_clean_refuses_running_vms():
    with PrivateHost(RUNNING_NODE) as common:
        status, out, err = run("kvmrt-boot", "--clean", "-f", DEMO_CFG, *common)
    check(status == 1, "exit %d: %s" % (status, out))
    check("rh84-control-rt" in err and "--clean" in err, err)
    check(": started" not in out, out)


@case
def boot_retunes_running_and_starts_the_rest():
    with PrivateHost(RUNNING_NODE) as common:
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common)
    check(status == 0, "exit %d: %s %s" % (status, out, err))
    check("rh84-control-rt: already running; tuned for real time" in out, out)
    check(out.count(": started") == 2, out)
    check("takes effect when it is next started" in out, out)


@case
def boot_clean_stops_at_first_failure():
    with TempDir() as d, PrivateHost() as common:
        cfg = write_variant(d, "85055e0b-9cc9-4fc5-8b3c-6eb6e3daaeca",
                            "00000000-1111-2222-3333-444444444444")
        status, out, err = run("kvmrt-boot", "--clean", "-f", cfg, *common)
        check(status == 1, "exit %d: %s" % (status, out))
        check("not defined in libvirt" in err, err)
        check(": started" not in out, "booted after a failure: " + out)


@case
def shutdown_running_vm():
    with PrivateHost(RUNNING_NODE) as common:
        status, out, err = run("kvmrt-shutdown", "-v", "-f", DEMO_CFG, *common)
        check(status == 0, "exit %d: %s %s" % (status, out, err))
        check("rh84-control-rt: shutting down" in out and "rh84-control-rt: shut off" in out,
              out)
        status, out, err = run("kvmrt-shutdown", "-f", DEMO_CFG, *common, "win10-eng")
        check(status == 0 and "win10-eng: not running" in out, out)


def tree_contents(root):
    """Every file and link below root with its contents, for byte-for-byte comparisons."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            key = os.path.relpath(path, root)
            if os.path.islink(path):
                found[key] = "-> " + os.readlink(path)
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    found[key] = f.read()
            else:
                found[key] = "dir"
    return found


def differences(before, after):
    keys = sorted(set(before) | set(after))
    return [k for k in keys if before.get(k) != after.get(k)]


@case
def tuning_on_a_fixture_host_drifts_retunes_and_restores():
    # rh84-control-rt runs (test:/// node); its host is a private copy of the demo host.
    with PrivateHost(RUNNING_NODE) as common:
        host = common[1]
        original = tree_contents(host)
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        check(status == 0 and "tuned for real time" in out, out + err)
        with open(os.path.join(host, "sys/devices/system/cpu/cpu40/online")) as f:
            check(f.read() == "0\n", "sibling CPU 40 of core 8 is not offline")
        status, out, err = run("kvmrt-stat", "--json", "-f", DEMO_CFG, *common)
        vm = [v for v in json.loads(out)["vms"] if v["name"] == "rh84-control-rt"][0]
        check(vm["tuned"] is True and vm["drift"] == [], vm)
        # Disturb it: the sibling back online, an IRQ onto a real-time CPU.
        with open(os.path.join(host, "sys/devices/system/cpu/cpu40/online"), "w") as f:
            f.write("1\n")
        with open(os.path.join(host, "proc/irq/0/smp_affinity_list"), "w") as f:
            f.write("8\n")
        with open(os.path.join(host, "sys/fs/cgroup/user.slice/cpuset.cpus"), "w") as f:
            f.write("0-63\n")
        status, out, err = run("kvmrt-stat", "--json", "-f", DEMO_CFG, *common)
        vm = [v for v in json.loads(out)["vms"] if v["name"] == "rh84-control-rt"][0]
        check(vm["tuned"] is False and len(vm["drift"]) == 3, vm)
        status, out, err = run("kvmrt-stat", "-f", DEMO_CFG, *common)
        check("not in force: CPU 40 offline" in out, out)
        # kvmrt-boot on a running VM retunes it.
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        check("already running; tuned for real time (3 changes)" in out, out)
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        check("already running; real-time tuning already in place" in out, out)
        status, out, err = run("kvmrt-shutdown", "-f", DEMO_CFG, *common)
        check("real-time tuning released" in out, out)
        changed = differences(original, tree_contents(host))
        check(changed == [], "not restored: %s" % changed[:10])


@case
def boot_retune_refuses_a_vm_that_is_not_running_and_leaves_the_host():
    # --retune (what the window runs under pkexec) starts nothing: a VM that is off is refused
    # and the host copy stays byte for byte as it was; a running one is retuned.
    with PrivateHost(RUNNING_NODE) as common:
        host = common[1]
        original = tree_contents(host)
        status, out, err = run("kvmrt-boot", "--retune", "-f", DEMO_CFG, *common,
                               "rh84-vision-rt")
        check(status == 1, "exit %d: %s %s" % (status, out, err))
        check("rh84-vision-rt is not running" in err, err)
        changed = differences(original, tree_contents(host))
        check(changed == [], "the host changed: %s" % changed[:10])
        status, out, err = run("kvmrt-boot", "--retune", "-f", DEMO_CFG, *common,
                               "rh84-control-rt")
        check(status == 0 and "rh84-control-rt: retuned for real time" in out, out + err)
        status, out, err = run("kvmrt-boot", "--retune", "-f", DEMO_CFG, *common)
        check(status == 2 and "--retune needs the VMs" in err, "exit %d: %s" % (status, err))


@case
def shutdown_release_held_gives_back_tuning_of_vms_that_are_off():
    # rh84-control-rt is tuned where it runs (the running node); in the demo node, where it is
    # off, --release-held gives its settings back and shuts nothing down.
    with PrivateHost(RUNNING_NODE) as common:
        host = common[1]
        original = tree_contents(host)
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        check(status == 0 and "tuned for real time" in out, out + err)
        off = ["--sysroot", host, "-c", DEMO_NODE]
        status, out, err = run("kvmrt-shutdown", "--release-held", "-f", DEMO_CFG, *off)
        check(status == 0, "exit %d: %s %s" % (status, out, err))
        check("rh84-control-rt: not running any more; its real-time tuning was released" in out, out)
        changed = differences(original, tree_contents(host))
        check(changed == [], "not restored: %s" % changed[:10])
        status, out, err = run("kvmrt-shutdown", "--release-held", "-f", DEMO_CFG, *off)
        check(status == 0 and "No real-time tuning is held" in out, out + err)


def journal_of(host):
    path = os.path.join(host, "run/kvmrt/tuning-state.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    return doc["vms"], {o["path"]: o["value"] for o in doc["originals"]}


@case
def shutdown_fails_when_the_host_keeps_a_setting_and_release_held_gives_it_back():
    # A restore target the host cannot take back (here a directory where a sysctl was): the
    # shutdown of the VM fails and names it, the journal keeps its original, and once the file
    # is back --release-held restores it and the host is as before, byte for byte.
    target = "proc/sys/kernel/timer_migration"
    with PrivateHost(RUNNING_NODE) as common:
        host = common[1]
        original = tree_contents(host)
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        check(status == 0 and "tuned for real time" in out, out + err)
        path = os.path.join(host, target)
        os.remove(path)
        os.mkdir(path)
        status, out, err = run("kvmrt-shutdown", "-f", DEMO_CFG, *common, "rh84-control-rt")
        check(status == 1, "exit %d: %s %s" % (status, out, err))
        check("/" + target in err and "--release-held" in err, err)
        vms, originals = journal_of(host)
        check(vms == [] and list(originals) == [target], (vms, originals))
        check(originals[target] == original[target].decode().strip(), originals)
        # Still a directory: refused again, and said so.
        status, out, err = run("kvmrt-shutdown", "--release-held", "-f", DEMO_CFG, *common)
        check(status == 1 and "/" + target in err, "exit %d: %s %s" % (status, out, err))
        check(list(journal_of(host)[1]) == [target], "the original left the journal")
        os.rmdir(path)
        with open(path, "w", encoding="utf-8") as f:
            f.write("0\n")
        status, out, err = run("kvmrt-shutdown", "--release-held", "-f", DEMO_CFG, *common)
        check(status == 0, "exit %d: %s %s" % (status, out, err))
        check("host settings left from an earlier release: 1 restored" in out, out)
        check(not os.path.exists(os.path.join(host, "run/kvmrt/tuning-state.json")),
              "the journal is still there")
        changed = differences(original, tree_contents(host))
        check(changed == [], "not restored: %s" % changed[:10])
        status, out, err = run("kvmrt-shutdown", "--release-held", "-f", DEMO_CFG, *common)
        check(status == 0 and "No real-time tuning is held" in out, out + err)


@case
def two_real_time_vms_tune_and_untune_independently():
    # Host A: only rh84-vision-rt tuned. Host B: both tuned, then rh84-control-rt shut down.
    # B must end up as A (the journal may list its entries in another order).
    with PrivateHost() as a, PrivateHost(RUNNING_NODE) as b:
        run("kvmrt-boot", "-f", DEMO_CFG, *a, "rh84-vision-rt")
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *b, "rh84-control-rt",
                               "rh84-vision-rt")
        check(out.count("tuned for real time") == 2, out)
        vms, _ = journal_of(b[1])
        check(len(vms) == 2, vms)
        status, out, err = run("kvmrt-shutdown", "-f", DEMO_CFG, *b, "rh84-control-rt")
        check("real-time tuning released" in out, out)
        tree_a, tree_b = tree_contents(a[1]), tree_contents(b[1])
        journal = "run/kvmrt/tuning-state.json"
        changed = [k for k in differences(tree_a, tree_b) if k != journal]
        check(changed == [], "differs from vision-rt alone: %s" % changed[:10])
        check(journal_of(a[1]) == journal_of(b[1]), "journals differ")


@case
def boot_releases_tuning_of_vms_that_stopped():
    # The host was tuned for rh84-control-rt, which then died without kvmrt-shutdown; the next
    # kvmrt-boot (here of an ordinary VM, with the node where nothing runs) gives it all back.
    with PrivateHost(RUNNING_NODE) as common:
        host = common[1]
        original = tree_contents(host)
        run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, "--sysroot", host, "-c", DEMO_NODE,
                               "win10-eng")
        check(status == 0, out + err)
        check("rh84-control-rt: not running any more; its real-time tuning was released" in out,
              out)
        changed = differences(original, tree_contents(host))
        check(changed == [], "not restored: %s" % changed[:10])


@case
def tuning_recovers_after_a_crash():
    # The tuner is stopped (as a kill would) after 5 host writes; the next kvmrt-boot finishes
    # the job from the journal, and shutting down restores everything.
    with PrivateHost(RUNNING_NODE) as common:
        host = common[1]
        original = tree_contents(host)
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt",
                               env={"KVMRT_TUNER_STOP_AFTER": "5"})
        check(status == 99, "exit %d: the stop did not happen: %s" % (status, out))
        check(os.path.exists(os.path.join(host, "run/kvmrt/tuning-state.json")), "no journal")
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        check(status == 0 and "tuned for real time" in out, out + err)
        status, out, err = run("kvmrt-stat", "--json", "-f", DEMO_CFG, *common)
        vm = [v for v in json.loads(out)["vms"] if v["name"] == "rh84-control-rt"][0]
        check(vm["tuned"] is True, vm)
        status, out, err = run("kvmrt-shutdown", "-f", DEMO_CFG, *common)
        changed = differences(original, tree_contents(host))
        check(changed == [], "not restored: %s" % changed[:10])


SCRATCH_SCOPE = "sys/fs/cgroup/machine.slice/machine-qemu\\x2d1\\x2dscratch.scope"
# What rh84-control-rt (cpuset 8-13: shielded 8-13, siblings 40-45 offline) keeps for itself.
CONTROL_RT_CPUS = set(range(8, 14)) | set(range(40, 46))


def cpus_of(text):
    """A kernel CPU list ("0-7,14-39") as a set."""
    cpus = set()
    for part in filter(None, text.strip().split(",")):
        first, _, last = part.partition("-")
        cpus |= set(range(int(first), int(last or first) + 1))
    return cpus


def mask_cpus(text):
    """A kernel hex CPU mask ("ffffc0ff,ffffc0ff") as a set."""
    bits = int(text.strip().replace(",", ""), 16)
    return {b for b in range(bits.bit_length()) if bits >> b & 1}


def host_file(host, path):
    with open(os.path.join(host, path), encoding="utf-8") as f:
        return f.read()


def control_rt_vm(common, cfg=DEMO_CFG, env=None):
    status, out, err = run("kvmrt-stat", "--json", "-f", cfg, *common, env=env)
    return [v for v in json.loads(out)["vms"] if v["name"] == "rh84-control-rt"][0]


@case
def other_vms_and_kernel_work_leave_the_real_time_cpus():
    # The fixture host runs "scratch", a QEMU outside the configuration (as virsh would start
    # it) in its machine.slice scope, unpinned. Booting rh84-control-rt confines that scope,
    # the unbound and writeback workqueues and the watchdog to the other CPUs and sets the
    # real-time sysctls; shutting it down gives every byte back.
    with PrivateHost(RUNNING_NODE) as common:
        host = common[1]
        original = tree_contents(host)
        check(host_file(host, SCRATCH_SCOPE + "/cpuset.cpus") == "\n", "fixture: scope pinned")
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        check(status == 0 and "tuned for real time" in out, out + err)
        scope = cpus_of(host_file(host, SCRATCH_SCOPE + "/cpuset.cpus"))
        check(scope and not scope & CONTROL_RT_CPUS, "scratch's scope: %s" % sorted(scope))
        for path in ("sys/devices/virtual/workqueue/cpumask",
                     "sys/devices/virtual/workqueue/writeback/cpumask"):
            cpus = mask_cpus(host_file(host, path))
            check(cpus == set(range(64)) - CONTROL_RT_CPUS, "%s: %s" % (path, sorted(cpus)))
        check(cpus_of(host_file(host, "proc/sys/kernel/watchdog_cpumask"))
              == set(range(64)) - CONTROL_RT_CPUS, "watchdog_cpumask")
        for path, value in (("proc/sys/kernel/sched_rt_runtime_us", "-1\n"),
                            ("proc/sys/kernel/timer_migration", "0\n"),
                            ("proc/sys/vm/stat_interval", "10\n"),
                            ("proc/sys/kernel/nmi_watchdog", "1\n")):
            check(host_file(host, path) == value, "%s is %r" % (path, host_file(host, path)))
        _, originals = journal_of(host)
        check(originals["proc/sys/kernel/sched_rt_runtime_us"] == "950000", originals)
        vm = control_rt_vm(common)
        check(vm["tuned"] is True and vm["drift"] == [], vm)
        # Someone puts real-time throttling back and another VM starts (virsh) meanwhile:
        # both are drift, and kvmrt-boot on the running VM (a retune) fixes both.
        with open(os.path.join(host, "proc/sys/kernel/sched_rt_runtime_us"), "w") as f:
            f.write("950000\n")
        second = "sys/fs/cgroup/machine.slice/machine-qemu\\x2d2\\x2dlate.scope"
        shutil.copytree(os.path.join(host, SCRATCH_SCOPE), os.path.join(host, second))
        with open(os.path.join(host, second, "cpuset.cpus"), "w") as f:
            f.write("\n")
        shutil.copytree(os.path.join(host, "proc/4321"), os.path.join(host, "proc/5321"))
        with open(os.path.join(host, "proc/5321/cgroup"), "w") as f:
            f.write("0::/machine.slice/machine-qemu\\x2d2\\x2dlate.scope/libvirt/emulator\n")
        with open(os.path.join(host, "proc/5321/cmdline"), "wb") as f:
            f.write(b"/usr/bin/qemu-system-x86_64\0-uuid\0a1b2c3d4-0000-4000-8000-00000000abcd\0")
        vm = control_rt_vm(common)
        check(len(vm["drift"]) == 2 and any("sched_rt_runtime_us" in d for d in vm["drift"])
              and any("QEMU 5321" in d for d in vm["drift"]), vm["drift"])
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        check("already running; tuned for real time (2 changes)" in out, out + err)
        check(not cpus_of(host_file(host, second + "/cpuset.cpus")) & CONTROL_RT_CPUS,
              "the late VM's scope")
        # The late VM stops before the real-time one: its scope is gone, nothing to restore.
        shutil.rmtree(os.path.join(host, second))
        shutil.rmtree(os.path.join(host, "proc/5321"))
        status, out, err = run("kvmrt-shutdown", "-f", DEMO_CFG, *common)
        check("real-time tuning released" in out and status == 0, out + err)
        changed = differences(original, tree_contents(host))
        check(changed == [], "not restored: %s" % changed[:10])


@case
def without_watchdog_cpumask_the_nmi_watchdog_goes_off():
    # An older kernel: no kernel.watchdog_cpumask, so the NMI watchdog is turned off while the
    # real-time VM runs; vm.stat_interval already at 30 s is left alone.
    with PrivateHost(RUNNING_NODE) as common:
        host = common[1]
        os.remove(os.path.join(host, "proc/sys/kernel/watchdog_cpumask"))
        with open(os.path.join(host, "proc/sys/vm/stat_interval"), "w") as f:
            f.write("30\n")
        original = tree_contents(host)
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        check(status == 0, out + err)
        check(host_file(host, "proc/sys/kernel/nmi_watchdog") == "0\n", "NMI watchdog on")
        check(host_file(host, "proc/sys/vm/stat_interval") == "30\n", "stat_interval changed")
        check(not os.path.exists(os.path.join(host, "proc/sys/kernel/watchdog_cpumask")),
              "a file was created")
        run("kvmrt-shutdown", "-f", DEMO_CFG, *common)
        changed = differences(original, tree_contents(host))
        check(changed == [], "not restored: %s" % changed[:10])


def cgroup_cpus(host, directory, every):
    """The CPUs a cgroup v2 group may use by its own cpuset.cpus (empty: all)."""
    text = host_file(host, os.path.join(directory, "cpuset.cpus")).strip()
    return cpus_of(text) if text else set(every)


@case
def every_fixture_host_keeps_its_real_time_cpus_free():
    # On each fixture host, rh84-control-rt (running on the test:/// node) on its last two
    # cores: while it is tuned, no top-level cgroup, no other VM's scope, no workqueue, no
    # watchdog and no interrupt but its own devices' may use its CPUs; after shutdown every
    # byte is back.
    for name in ("m12swa-tf", "wrx90e-sage-se", "small-nosmt", "bench-256"):
        with PrivateHost(RUNNING_NODE, os.path.join(HOSTS, name)) as common, \
                TempDir() as work:
            host = common[1]
            cfg = os.path.join(work, "kvmrt.cfg")
            status, out, err = run("kvmrt-show-config", "--host", "--sysroot", host)
            cores = int(out.splitlines()[1].split(" cores")[0].rsplit(" ", 1)[1])
            with open(cfg, "w", encoding="utf-8") as f:
                f.write("[6660b902-990d-4eb6-91ca-4b1d7a848587]\nname = rh84-control-rt\n"
                        "rt = true\ncpuset = c%d-%d\nnr_vcpus = 1\n" % (cores - 2, cores - 1))
            status, out, err = run("kvmrt-show-config", "--json", "-f", cfg, "--sysroot", host)
            owned = set(json.loads(out)["vms"][0]["plan"]["owned_cpus"])
            every = cpus_of(host_file(host, "sys/devices/system/cpu/possible"))
            original = tree_contents(host)
            status, out, err = run("kvmrt-boot", "-f", cfg, *common, "rh84-control-rt")
            check(status == 0 and "tuned for real time" in out, "%s: %s %s" % (name, out, err))
            cgroups = [os.path.join("sys/fs/cgroup", d) for d in
                       os.listdir(os.path.join(host, "sys/fs/cgroup"))
                       if os.path.isdir(os.path.join(host, "sys/fs/cgroup", d))
                       and not d.startswith("machine")] + [SCRATCH_SCOPE]
            for d in cgroups:
                check(not cgroup_cpus(host, d, every) & owned, "%s: %s" % (name, d))
            for path in ("sys/devices/virtual/workqueue/cpumask",
                         "sys/devices/virtual/workqueue/writeback/cpumask",
                         "proc/irq/default_smp_affinity"):
                check(not mask_cpus(host_file(host, path)) & owned, "%s: %s" % (name, path))
            check(not cpus_of(host_file(host, "proc/sys/kernel/watchdog_cpumask")) & owned,
                  "%s: watchdog" % name)
            # Every interrupt with a handler (those proc/interrupts lists).
            for line in host_file(host, "proc/interrupts").splitlines()[1:]:
                irq = line.split(":", 1)[0].strip()
                path = os.path.join("proc/irq", irq, "smp_affinity_list")
                if irq.isdigit() and os.path.exists(os.path.join(host, path)):
                    check(not cpus_of(host_file(host, path)) & owned, "%s: IRQ %s" % (name, irq))
            vm = control_rt_vm(["--sysroot", host, "-c", RUNNING_NODE], cfg)
            check(vm["tuned"] is True and vm["drift"] == [], "%s: %s" % (name, vm))
            status, out, err = run("kvmrt-shutdown", "-f", cfg, *common)
            check(status == 0, "%s: %s %s" % (name, out, err))
            changed = differences(original, tree_contents(host))
            check(changed == [], "%s: not restored: %s" % (name, changed[:10]))


def tuned_then_restored(common, host, original, stop_boot=None, stop_shutdown=None,
                        kill_after=None):
    """Boots rh84-control-rt, stopped after @stop_boot host writes (or killed with SIGKILL
    after @kill_after seconds), recovers with a second kvmrt-boot, shuts down (stopped after
    @stop_shutdown writes, then again), and says what is not as before."""
    boot = ["-f", DEMO_CFG, *common, "rh84-control-rt"]
    if kill_after is not None:
        process = subprocess.Popen([os.path.join(CLI, "kvmrt-boot"), *boot],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(kill_after)
        process.send_signal(signal.SIGKILL)
        process.wait()
    else:
        env = {"KVMRT_TUNER_STOP_AFTER": str(stop_boot)} if stop_boot else None
        run("kvmrt-boot", *boot, env=env)
    status, out, err = run("kvmrt-boot", *boot)
    if status != 0 or control_rt_vm(common)["tuned"] is not True:
        return ["not tuned after recovery: %s %s" % (out, err)]
    if stop_shutdown:
        run("kvmrt-shutdown", "-f", DEMO_CFG, *common,
            env={"KVMRT_TUNER_STOP_AFTER": str(stop_shutdown)})
        # The VM is off now (test:/// keeps no state between runs, so it "runs" again):
        # the next kvmrt-shutdown finishes the release from the journal.
    run("kvmrt-shutdown", "-f", DEMO_CFG, *common)
    return differences(original, tree_contents(host))


@case
def killed_at_random_points_then_recovered():
    # kvmrt-boot and kvmrt-shutdown end abruptly after a random number of host writes (as
    # kill -9 would there), or are sent SIGKILL after a random delay; the next runs finish
    # from the journal and the host ends byte for byte as it was.
    rng = random.Random(int(os.environ.get("KVMRT_TEST_SEED", "12")))
    with PrivateHost(RUNNING_NODE) as common:
        host = common[1]
        original = tree_contents(host)
        status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *common, "rh84-control-rt")
        writes = int(out.rsplit("(", 1)[1].split()[0])
        run("kvmrt-shutdown", "-f", DEMO_CFG, *common)
        check(differences(original, tree_contents(host)) == [], "first round")
        print("# %d host writes to tune; seed %s" % (writes, os.environ.get("KVMRT_TEST_SEED",
                                                                               "12")))
        for round_ in range(16):
            if round_ % 3 == 2:
                options = {"kill_after": rng.uniform(0.0, 0.08)}
            else:
                options = {"stop_boot": rng.randint(1, writes),
                           "stop_shutdown": rng.randint(1, writes) if round_ % 2 else None}
            changed = tuned_then_restored(common, host, original, **options)
            check(changed == [], "round %d %s: not restored: %s" % (round_, options,
                                                                    changed[:10]))


def fake_qemu(host, pid, uuid, vcpus):
    """A QEMU process in the fixture's /proc: the main thread and vCPU threads."""
    base = os.path.join(host, "proc", str(pid))
    os.makedirs(base)
    with open(os.path.join(base, "cmdline"), "wb") as f:
        f.write(b"qemu-system-x86_64\0-uuid\0" + uuid.encode() + b"\0")
    names = ["qemu-system-x86"] + ["CPU %d/KVM" % i for i in range(vcpus)]
    for offset, name in enumerate(names):
        task = os.path.join(base, "task", str(pid + offset))
        os.makedirs(task)
        for file_name, text in (("comm", name + "\n"),
                                ("stat", "%d (%s) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 %d 0 100 "
                                 "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 8 0 0 0 0 0\n"
                                 % (pid + offset, name, len(names))),
                                # vCPU n pinned to CPU 8 + n, as libvirt pins them
                                ("status", "Name:\t%s\nCpus_allowed_list:\t%d\n"
                                 % (name, 8 + max(offset - 1, 0)))):
            with open(os.path.join(task, file_name), "w") as f:
                f.write(text)


@case
def redhawk_back_end_uses_shield_cpu_and_run():
    # With RedHawk's shield interface in the host and shield(1) on PATH (stand-ins that record
    # their arguments), the same plan goes through shield, cpu and run instead of cgroups.
    standins = tempfile.mkdtemp(prefix="kvmrt-redhawk-")
    try:
        for name in ("shield", "cpu", "run"):
            os.symlink(os.path.join(SRC, "redhawk", "standin.py"), os.path.join(standins, name))
        with PrivateHost(RUNNING_NODE) as common:
            host = common[1]
            os.makedirs(os.path.join(host, "proc/shield"))
            with open(os.path.join(host, "proc/shield/procs"), "w") as f:
                f.write("00000000\n")
            fake_qemu(host, 7000, "6660b902-990d-4eb6-91ca-4b1d7a848587", 4)
            original = tree_contents(host)
            log = os.path.join(standins, "calls.log")
            env = {"PATH": standins + ":" + os.environ["PATH"], "KVMRT_STANDIN_LOG": log,
                   "KVMRT_STANDIN_SYSROOT": host}
            # rt_priority (here for this VM) sets the vCPU threads' priority.
            cfg = os.path.join(standins, "kvmrt.cfg")
            with open(cfg, "w", encoding="utf-8") as f:
                f.write(read(DEMO_CFG).replace("name = rh84-control-rt\n",
                                               "name = rh84-control-rt\nrt_priority = 5\n"))
            status, out, err = run("kvmrt-boot", "-f", cfg, *common, "rh84-control-rt",
                                   env=env)
            check(status == 0 and "tuned for real time" in out, out + err)
            calls = open(log).read().splitlines()
            check("shield -a 8-13" in calls, calls)
            check(["cpu -d %d" % c for c in range(40, 46)] == [c for c in calls
                                                               if c.startswith("cpu")], calls)
            check(["run -s fifo -P 5 -p %d" % t for t in range(7001, 7005)]
                  == [c for c in calls if c.startswith("run")], calls)
            with open(os.path.join(host, "sys/fs/cgroup/system.slice/cpuset.cpus")) as f:
                check(f.read() == "\n", "RedHawk's shield replaces the cgroup shield")
            status, out, err = run("kvmrt-stat", "--json", "-f", cfg, *common, env=env)
            vm = [v for v in json.loads(out)["vms"] if v["name"] == "rh84-control-rt"][0]
            check(vm["tuned"] is True, vm)
            # A vCPU thread moved elsewhere is drift.
            with open(os.path.join(host, "proc/7000/task/7002/status"), "w") as f:
                f.write("Name:\tCPU 1/KVM\nCpus_allowed_list:\t8-13\n")
            status, out, err = run("kvmrt-stat", "--json", "-f", cfg, *common, env=env)
            vm = [v for v in json.loads(out)["vms"] if v["name"] == "rh84-control-rt"][0]
            check(vm["drift"] == ["vCPU 1 may run on CPUs 8-13, not 9"], vm)
            # ... and so is a vCPU thread that lost SCHED_FIFO.
            stat = os.path.join(host, "proc/7000/task/7003/stat")
            with open(stat) as f:
                head, _, tail = f.read().rpartition(")")
            fields = tail.split()
            fields[37:39] = ["0", "0"]
            with open(stat, "w") as f:
                f.write(head + ") " + " ".join(fields) + "\n")
            status, out, err = run("kvmrt-stat", "--json", "-f", cfg, *common, env=env)
            vm = [v for v in json.loads(out)["vms"] if v["name"] == "rh84-control-rt"][0]
            check("vCPU 2 lost SCHED_FIFO (now other)" in vm["drift"], vm)
            status, out, err = run("kvmrt-shutdown", "-f", cfg, *common, env=env)
            calls = open(log).read().splitlines()
            check("shield -r" in calls and "cpu -u 40" in calls, calls)
            # (the fake QEMU's threads keep their policy: a real QEMU is gone by then)
            changed = [k for k in differences(original, tree_contents(host))
                       if not k.startswith("proc/7000")]
            check(changed == [], "not restored: %s" % changed[:10])
    finally:
        shutil.rmtree(standins)


@case
def stat_running_vm_without_local_process():
    with PrivateHost(RUNNING_NODE) as common:
        status, out, err = run("kvmrt-stat", "--json", "-f", DEMO_CFG, *common)
    check(status == 0, err)
    vms = {vm["name"]: vm for vm in json.loads(out)["vms"]}
    control = vms["rh84-control-rt"]
    # test:/// runs no QEMU: no PID, no uptime; not tuned until kvmrt-boot tunes it.
    check(control["state"] == "running" and control["pid"] is None, control)
    check(control["tuned"] is False and "not tuned" in control["drift"][0], control)
    check(vms["win10-eng"]["tuned"] is False, "a VM that is not running is not tuned")


@case
def boot_unknown_vm():
    status, out, err = run("kvmrt-boot", "-f", DEMO_CFG, *COMMON, "no-such-vm")
    check(status == 2, "exit %d" % status)
    check("no-such-vm" in err, err)


@case
def shutdown_with_nothing_running():
    status, out, err = run("kvmrt-shutdown", "-f", DEMO_CFG, *COMMON)
    check(status == 0, "exit %d: %s" % (status, err))
    check("No configured VM is running" in out, out)


@case
def stat_table_and_json():
    status, out, err = run("kvmrt-stat", "-f", DEMO_CFG, *COMMON)
    check(status == 0, "exit %d: %s" % (status, err))
    check(out.splitlines()[0].split()[:3] == ["VM", "STATE", "RT"], out)
    check(out.count("shut off") == 4, out)
    status, out, err = run("kvmrt-stat", "-t", "--json", "-f", DEMO_CFG, *COMMON)
    doc = json.loads(out)
    check(len(doc["vms"]) == 4, doc)
    for vm in doc["vms"]:
        check(set(vm) >= {"uuid", "name", "state", "rt", "tuned", "threads"}, vm)
        check(vm["state"] == "shutoff" and vm["threads"] == [], vm)


@case
def unreachable_libvirt_says_how_to_start_it():
    for tool in ("kvmrt-stat", "kvmrt-boot", "kvmrt-import", "kvmrt-sync-config"):
        status, out, err = run(tool, "-f", DEMO_CFG, "--sysroot", DEMO_HOST, "-c", UNREACHABLE)
        check(status == 2, "%s exit %d" % (tool, status))
        check("systemctl start libvirtd" in err, "%s: %s" % (tool, err))


@case
def edit_config_invalid_without_terminal_keeps_file():
    with TempDir() as d:
        cfg = copy_demo(d)
        before = read(cfg)
        editor = editor_script(d, "text = text.replace('cpuset = 8-13', 'cpuset = 16-19')")
        status, out, err = run("kvmrt-edit-config", "-f", cfg, *COMMON,
                               env={"EDITOR": editor, "TMPDIR": d})
        check(status == 1, "exit %d: %s" % (status, err))
        check("rt-cpuset-overlap" in err, err)
        check(read(cfg) == before, "config changed although the edit had errors")
        kept = [w.rstrip(".") for w in err.split() if w.startswith(d) and "kvmrt-edit-" in w]
        check(kept and "16-19" in read(kept[0]), "edited copy not kept: %s" % err)


@case
def edit_config_on_a_terminal_offers_to_edit_again():
    # script(1) gives the tool a terminal; the answers are "y" (edit again), then "n".
    with TempDir() as d:
        cfg = copy_demo(d)
        before = read(cfg)
        editor = editor_script(d, "text = text.replace('cpuset = 8-13', 'cpuset = 16-19')")
        command = " ".join([os.path.join(CLI, "kvmrt-edit-config"), "-f", cfg, *COMMON])
        proc = subprocess.run(["script", "-qec", command, "/dev/null"], input="y\nn\n",
                              capture_output=True, text=True, timeout=60, check=False,
                              env=dict(os.environ, EDITOR=editor, LC_ALL="C", TMPDIR=d))
        check(proc.returncode == 1, "exit %d: %s" % (proc.returncode, proc.stdout))
        check(proc.stdout.count("Edit again? [Y/n]") == 2, proc.stdout)
        check(read(cfg) == before, "config changed")



@case
def edit_config_valid_saves_and_syncs():
    with TempDir() as d:
        cfg = copy_demo(d)
        editor = editor_script(d, "text = text.replace('cpuset = 8-13', 'cpuset = 8-12')")
        status, out, err = run("kvmrt-edit-config", "-f", cfg, *COMMON,
                               env={"VISUAL": editor, "EDITOR": "false"})
        check(status == 0, "exit %d: %s" % (status, err))
        check("cpuset = 8-12" in read(cfg), "edit not saved")
        check(os.path.exists(cfg + ".bak"), "no backup of the previous file")
        check(out.count("libvirt definition updated") == 4, out)


@case
def edit_config_without_changes():
    with TempDir() as d:
        cfg = copy_demo(d)
        status, out, err = run("kvmrt-edit-config", "-f", cfg, *COMMON, env={"EDITOR": "true"})
        check(status == 0, "exit %d: %s" % (status, err))
        check("no changes" in out, out)
        check(not os.path.exists(cfg + ".bak"), "saved although nothing changed")


if __name__ == "__main__":
    sys.exit(main())
