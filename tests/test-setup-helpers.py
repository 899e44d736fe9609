#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The helpers for the guide's procedures: kvmrt-sriov and kvmrt-vfio-early on copies of the
demo host, kvmrt-guest-chrony on made-up Debian and RHEL guest trees, and each with --dry-run
on this machine. Every helper must do its job, change nothing on a second run or a dry run,
refuse what would break a VM, and be undone exactly. Prints TAP."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import DEMO_CFG, DEMO_HOST, case, check, main, run  # noqa: E402

GUEST_CHRONY = sys.argv[1]
PF = "0000:21:00.0"          # X550 port 0 on the demo host: 2 of 64 VFs, owned by nobody
PF_OWNED = "0000:21:00.1"    # port 1: passed through to rh84-vision-rt
VF_OWNED = "0000:21:10.0"    # a VF of port 0 that ubuntu-build passes through
GPU = "0000:22:00.0"         # the RTX A2000, with its audio function 22:00.1 in its group
BMC_VGA = "0000:47:00.0"     # the ASPEED VGA, driven by ast
BRIDGE = "0000:00:01.1"
RULE = "etc/udev/rules.d/70-kvmrt-sriov-0000-21-00.0.rules"
VFIO_CONF = "etc/modprobe.d/kvmrt-vfio.conf"
workdir = tempfile.mkdtemp(prefix="kvmrt-setup-helpers-")


_demo_root = None
_demo_numvfs = {}


def demo_copy(name, config=None, vf_driver="vfio-pci"):
    """The demo host, copied once (it is large) and put back before every case: the demo
    configuration (or @config) in its etc/, nothing else in etc/ or usr/, each PF's VF count
    and VF_OWNED's driver as generated."""
    global _demo_root
    if _demo_root is None:
        _demo_root = os.path.join(workdir, "demo")
        subprocess.run(["cp", "-a", DEMO_HOST, _demo_root], check=True)
        for pf in (PF, PF_OWNED):
            _demo_numvfs[pf] = read(_demo_root, numvfs_path(pf))
    root = _demo_root
    for rel in ("etc", "usr"):
        shutil.rmtree(os.path.join(root, rel), ignore_errors=True)
    for pf, text in _demo_numvfs.items():
        with open(os.path.join(root, numvfs_path(pf)), "w", encoding="utf-8") as f:
            f.write(text)
    driver = os.path.join(root, "sys/bus/pci/devices", VF_OWNED, "driver")
    target = re.sub(r"[^/]+$", vf_driver, os.readlink(driver))
    os.unlink(driver)
    os.symlink(target, driver)
    os.makedirs(os.path.join(root, "etc"))
    text = open(DEMO_CFG, encoding="utf-8").read() if config is None else config
    with open(os.path.join(root, "etc", "kvmrt.cfg"), "w", encoding="utf-8") as f:
        f.write(text)
    return root


def snapshot(root, *relative):
    """Everything below root/etc plus the named files: path -> content or link target."""
    state = {}
    for top, dirs, files in os.walk(os.path.join(root, "etc")):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            path = os.path.join(top, name)
            key = os.path.relpath(path, root)
            state[key] = ("-> " + os.readlink(path)) if os.path.islink(path) else \
                open(path, "rb").read()
    for rel in relative:
        path = os.path.join(root, rel)
        state[rel] = open(path, "rb").read() if os.path.exists(path) else None
    return state


def numvfs_path(pf=PF):
    return "sys/bus/pci/devices/%s/sriov_numvfs" % pf


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


def expect(result, status, pattern=None):
    code, out, err = result
    check(code == status, "exit %d, expected %d\nstdout: %s\nstderr: %s" % (code, status, out, err))
    if pattern is not None:
        check(re.search(pattern, out + err), "%r not in output:\n%s%s" % (pattern, out, err))
    return out


# --- kvmrt-sriov -------------------------------------------------------------------------

@case
def sriov_lists_physical_functions():
    root = demo_copy("sriov-list")
    out = expect(run("kvmrt-sriov", "--root", root), 0)
    check(re.search(r"^0000:21:00\.0 .*ixgbe: 2 of 64 virtual functions$", out, re.M), out)
    check(re.search(r"^0000:21:00\.1 .*passed through to rh84-vision-rt$", out, re.M), out)


@case
def sriov_refuses_a_pf_a_vm_owns():
    root = demo_copy("sriov-owned-pf")
    before = snapshot(root, numvfs_path(PF_OWNED))
    expect(run("kvmrt-sriov", "--root", root, PF_OWNED, "4"), 1,
           r"passed through to the VM 'rh84-vision-rt'")
    check(snapshot(root, numvfs_path(PF_OWNED)) == before, "the refusal changed the host")


@case
def sriov_refuses_while_a_vm_owns_one_of_its_vfs():
    root = demo_copy("sriov-owned-vf")
    before = snapshot(root, numvfs_path())
    expect(run("kvmrt-sriov", "--root", root, PF, "4"), 1,
           r"%s is passed through to the VM 'ubuntu-build'" % VF_OWNED)
    check(snapshot(root, numvfs_path()) == before, "the refusal changed the host")


def demo_without_vf_owner(name):
    """The demo with VF_OWNED out of ubuntu-build's pcidevs and back on its host driver."""
    config = open(DEMO_CFG, encoding="utf-8").read().replace("pcidevs = " + VF_OWNED,
                                                             "pcidevs =")
    return demo_copy(name, config, vf_driver="ixgbevf")


@case
def sriov_refuses_while_a_vf_is_on_vfio_pci():
    config = open(DEMO_CFG, encoding="utf-8").read().replace("pcidevs = " + VF_OWNED,
                                                             "pcidevs =")
    root = demo_copy("sriov-vfio-vf", config)
    before = snapshot(root, numvfs_path())
    expect(run("kvmrt-sriov", "--root", root, PF, "4"), 1,
           r"%s is bound to vfio-pci" % VF_OWNED)
    check(snapshot(root, numvfs_path()) == before, "the refusal changed the host")


@case
def sriov_sets_now_and_at_boot_once_and_undoes():
    root = demo_without_vf_owner("sriov-apply")
    original = snapshot(root, numvfs_path())
    out = expect(run("kvmrt-sriov", "--root", root, PF, "4"), 0)
    # From 2 to 4 goes through 0, as the kernel requires.
    check(re.findall(r"sriov_numvfs < (\d+)", out) == ["0", "4"], out)
    check(read(root, numvfs_path()).strip() == "4", "sriov_numvfs is not 4")
    rule = read(root, RULE)
    check('ACTION=="bind", SUBSYSTEM=="pci", KERNEL=="0000:21:00.0", '
          'ATTR{sriov_numvfs}="4"' in rule, rule)
    check("# before: 2\n" in rule, rule)
    applied = snapshot(root, numvfs_path())

    expect(run("kvmrt-sriov", "--root", root, PF, "4"), 0, r"nothing to change")
    check(snapshot(root, numvfs_path()) == applied, "a second run changed something")
    out = expect(run("kvmrt-sriov", "--root", root, "--dry-run", PF, "8"), 0, r"would write")
    check(snapshot(root, numvfs_path()) == applied, "--dry-run changed something")
    # A second change keeps the count from before the first one.
    expect(run("kvmrt-sriov", "--root", root, PF, "6"), 0)
    check("# before: 2\n" in read(root, RULE), read(root, RULE))

    expect(run("kvmrt-sriov", "--root", root, "--undo", PF), 0)
    check(snapshot(root, numvfs_path()) == original, "--undo did not restore the host exactly")
    expect(run("kvmrt-sriov", "--root", root, "--undo", PF), 0, r"no kvmrt-sriov setting")


@case
def sriov_back_to_the_original_count_removes_the_rule():
    root = demo_without_vf_owner("sriov-back")
    original = snapshot(root, numvfs_path())
    expect(run("kvmrt-sriov", "--root", root, PF, "3"), 0)
    expect(run("kvmrt-sriov", "--root", root, PF, "2"), 0)
    check(snapshot(root, numvfs_path()) == original, "the rule outlived the original count")


@case
def sriov_rejects_bad_requests():
    root = demo_without_vf_owner("sriov-bad")
    before = snapshot(root, numvfs_path())
    expect(run("kvmrt-sriov", "--root", root, "0000:61:00.0", "1"), 1,
           r"not an SR-IOV physical function")
    expect(run("kvmrt-sriov", "--root", root, PF, "65"), 1, r"at most 64")
    expect(run("kvmrt-sriov", "--root", root, PF), 2, r"see --help")
    expect(run("kvmrt-sriov", "--root", root, PF, "many"), 2)
    expect(run("kvmrt-sriov", "--root", root, "21:00", "1"), 2)
    check(snapshot(root, numvfs_path()) == before, "a rejected request changed the host")


@case
def sriov_dry_run_on_this_machine():
    out = expect(run("kvmrt-sriov", "--dry-run", "-f", os.path.join(workdir, "none.cfg")), 0)
    pfs = re.findall(r"^(\S+)  .*: (\d+) of \d+ virtual functions", out, re.M)
    for pf, count in pfs:
        # The same count again: nothing to do, and nothing done.
        out = expect(run("kvmrt-sriov", "--dry-run", "-f", os.path.join(workdir, "none.cfg"),
                         pf, count), 0)
        check("would write /sys" not in out, out)
    check(pfs or "No SR-IOV physical function" in out, out)


# --- kvmrt-vfio-early ---------------------------------------------------------------------

@case
def vfio_early_takes_the_whole_iommu_group():
    root = demo_copy("vfio-gpu")
    os.makedirs(os.path.join(root, "usr", "sbin"))
    open(os.path.join(root, "usr", "sbin", "update-initramfs"), "w").close()
    out = expect(run("kvmrt-vfio-early", "--root", root, GPU), 0, r"'update-initramfs -u'")
    conf = read(root, VFIO_CONF)
    check("options vfio-pci ids=10de:2531,10de:228e\n" in conf, conf)
    check("# Devices: 0000:22:00.0 0000:22:00.1\n" in conf, conf)
    check("softdep" not in conf, "devices already on vfio-pci need no softdep:\n" + conf)
    written = snapshot(root)
    expect(run("kvmrt-vfio-early", "--root", root, GPU, "0000:22:00.1"), 0, r"Nothing to change")
    check(snapshot(root) == written, "a second run changed something")
    expect(run("kvmrt-vfio-early", "--root", root), 0, r"ids=10de:2531,10de:228e")
    expect(run("kvmrt-vfio-early", "--root", root, "--undo"), 0, r"removed")
    check(not os.path.exists(os.path.join(root, VFIO_CONF)), "--undo left the file")


@case
def vfio_early_loads_vfio_before_the_host_driver():
    root = demo_copy("vfio-softdep")
    os.makedirs(os.path.join(root, "usr", "bin"))
    open(os.path.join(root, "usr", "bin", "dracut"), "w").close()
    expect(run("kvmrt-vfio-early", "--root", root, "--dry-run", BMC_VGA), 0,
           r"would write .*\n(.*\n)*softdep ast pre: vfio-pci")
    check(not os.path.exists(os.path.join(root, VFIO_CONF)), "--dry-run wrote the file")
    expect(run("kvmrt-vfio-early", "--root", root, BMC_VGA), 0, r"'dracut -f'")
    check("softdep ast pre: vfio-pci\n" in read(root, VFIO_CONF), read(root, VFIO_CONF))


@case
def vfio_early_refuses_ids_the_host_shares():
    root = demo_copy("vfio-twin")
    expect(run("kvmrt-vfio-early", "--root", root, VF_OWNED), 1,
           r"0000:21:10.2 has the same vendor and device IDs \(8086:1565\)")
    check(not os.path.exists(os.path.join(root, VFIO_CONF)), "the refusal wrote the file")
    expect(run("kvmrt-vfio-early", "--root", root, "0000:99:00.0"), 2, r"no PCI device")
    expect(run("kvmrt-vfio-early", "--root", root, BRIDGE), 2, r"bridge")
    expect(run("kvmrt-vfio-early", "--root", root, "--undo", GPU), 2)


@case
def vfio_early_dry_run_on_this_machine():
    devices = sorted(os.listdir("/sys/bus/pci/devices")) if os.path.isdir(
        "/sys/bus/pci/devices") else []
    endpoints = [d for d in devices
                 if not read("/", "sys/bus/pci/devices/%s/class" % d).startswith("0x06")]
    if not endpoints:
        print("# no PCI endpoint on this machine: only the file listing runs")
        expect(run("kvmrt-vfio-early"), 0)
        return
    existed = os.path.exists("/" + VFIO_CONF)
    code, out, err = run("kvmrt-vfio-early", "--dry-run", endpoints[0])
    # Another device of the same model is a refusal (1); otherwise the file is shown.
    check(code in (0, 1), "exit %d: %s%s" % (code, out, err))
    check(code == 1 or "options vfio-pci ids=" in out or "Nothing to change" in out, out)
    check(os.path.exists("/" + VFIO_CONF) == existed, "--dry-run changed /etc/modprobe.d")


# --- kvmrt-guest-chrony -------------------------------------------------------------------

DEBIAN_CONF = """# Welcome to the chrony configuration file.
confdir /etc/chrony/conf.d
pool 2.debian.pool.ntp.org iburst
  server ntp.example.com iburst
sourcedir /run/chrony-dhcp
sourcedir /etc/chrony/sources.d
keyfile /etc/chrony/chrony.keys
driftfile /var/lib/chrony/chrony.drift
makestep 1 3
"""
RHEL_CONF = """pool 2.rocky.pool.ntp.org iburst
peer 10.0.0.2
driftfile /var/lib/chrony/drift
rtcsync
"""


def guest_tree(name, layout):
    root = os.path.join(workdir, name)
    if layout == "debian":
        files = {"etc/chrony/chrony.conf": DEBIAN_CONF, "lib/systemd/system/chrony.service": "",
                 "var/lib/chrony/chrony.drift": "1.0 0.1\n"}
    else:
        files = {"etc/chrony.conf": RHEL_CONF, "usr/lib/systemd/system/chronyd.service": "",
                 "var/lib/chrony/drift": "1.0 0.1\n",
                 "etc/sysconfig/network": "NETWORKING=yes\nPEERNTP=yes\n"}
    for rel, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
            f.write(text)
    return root


def chrony(*args):
    proc = subprocess.run([GUEST_CHRONY, *args], capture_output=True, text=True, check=False,
                          env=dict(os.environ, LC_ALL="C"), timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def active_lines(text):
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@case
def chrony_debian_guest_follows_the_host_only():
    root = guest_tree("chrony-debian", "debian")
    original = snapshot(root)
    expect(chrony("--root", root, "--dry-run"), 0, r"would edit")
    check(snapshot(root) == original, "--dry-run changed the guest")
    check(os.path.exists(os.path.join(root, "var/lib/chrony/chrony.drift")), "dry run removed")

    expect(chrony("--root", root), 0, r"Reboot")
    active = active_lines(read(root, "etc/chrony/chrony.conf"))
    sources = [l for l in active if re.match(r"(server|pool|peer|refclock|sourcedir)\b", l)]
    check(sources == ["refclock PHC /dev/ptp0 poll 3 dpoll -2 offset 0"], active)
    check("confdir /etc/chrony/conf.d" in active, "a non-source line was commented out")
    check(active_lines(read(root, "etc/modules-load.d/ptp_kvm.conf")) == ["ptp_kvm"], "module")
    check(not os.path.exists(os.path.join(root, "var/lib/chrony/chrony.drift")), "drift kept")
    link = os.path.join(root, "etc/systemd/system/multi-user.target.wants/chrony.service")
    check(os.readlink(link) == "/lib/systemd/system/chrony.service", os.readlink(link))

    applied = snapshot(root)
    expect(chrony("--root", root), 0, r"Nothing to change")
    check(snapshot(root) == applied, "a second run changed the guest")

    expect(chrony("--root", root, "--undo"), 0, r"restore")
    check(read(root, "etc/chrony/chrony.conf") == DEBIAN_CONF, "--undo did not restore the file")
    check(not os.path.lexists(link), "--undo left the service enabled")
    check(not os.path.exists(os.path.join(root, "etc/modules-load.d/ptp_kvm.conf")), "module")
    expect(chrony("--root", root, "--undo"), 0, r"Nothing to undo")


@case
def chrony_rhel_guest_and_peerntp():
    root = guest_tree("chrony-rhel", "rhel")
    expect(chrony("--root", root, "--phc", "/dev/ptp_kvm"), 0)
    active = active_lines(read(root, "etc/chrony.conf"))
    check("refclock PHC /dev/ptp_kvm poll 3 dpoll -2 offset 0" in active, active)
    check(not any(l.startswith(("pool", "peer")) for l in active), active)
    check(active_lines(read(root, "etc/sysconfig/network")) == ["NETWORKING=yes", "PEERNTP=no"],
          read(root, "etc/sysconfig/network"))
    check(not os.path.exists(os.path.join(root, "var/lib/chrony/drift")), "drift kept")
    link = os.path.join(root, "etc/systemd/system/multi-user.target.wants/chronyd.service")
    check(os.readlink(link) == "/usr/lib/systemd/system/chronyd.service", os.readlink(link))
    expect(chrony("--root", root, "--undo"), 0)
    check(read(root, "etc/chrony.conf") == RHEL_CONF, read(root, "etc/chrony.conf"))
    check(read(root, "etc/sysconfig/network") == "NETWORKING=yes\nPEERNTP=yes\n", "network")


@case
def chrony_keeps_a_service_enabled_before_it():
    root = guest_tree("chrony-enabled", "debian")
    wants = os.path.join(root, "etc/systemd/system/multi-user.target.wants")
    os.makedirs(wants)
    os.symlink("/lib/systemd/system/chrony.service", os.path.join(wants, "chrony.service"))
    out = expect(chrony("--root", root), 0)
    check("enable chrony" not in out, out)
    expect(chrony("--root", root, "--undo"), 0)
    check(os.path.lexists(os.path.join(wants, "chrony.service")),
          "--undo disabled a service it had not enabled")


@case
def chrony_needs_chrony_and_good_arguments():
    root = os.path.join(workdir, "chrony-none")
    os.makedirs(root)
    expect(chrony("--root", root), 2, r"chrony is not installed")
    expect(chrony("--root", root, "--phc", "ptp0"), 2, r"device path")
    expect(chrony("--frobnicate"), 2, r"unknown argument")


@case
def chrony_dry_run_on_this_machine():
    installed = os.path.exists("/etc/chrony/chrony.conf") or os.path.exists("/etc/chrony.conf")
    before = {p: (open(p, "rb").read() if os.path.exists(p) else None)
              for p in ("/etc/chrony/chrony.conf", "/etc/chrony.conf",
                        "/etc/modules-load.d/ptp_kvm.conf")}
    code, out, err = chrony("--dry-run")
    if installed:
        check(code == 0, "exit %d: %s%s" % (code, out, err))
    else:
        check(code == 2 and "chrony is not installed" in err, "exit %d: %s%s" % (code, out, err))
    after = {p: (open(p, "rb").read() if os.path.exists(p) else None) for p in before}
    check(after == before, "--dry-run changed this machine")


try:
    status = main()
finally:
    shutil.rmtree(workdir, ignore_errors=True)
sys.exit(status)
