#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the built kvmrt-* tools on the fixture hosts and compares what they print with the
expected output under tests/cli/. Set KVMRT_UPDATE_GOLDEN=1 to rewrite the expected files
(then read the diff before committing it). Prints TAP."""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import (CLI, DEMO_CFG, DEMO_HOST, FIG58_CFG, HOSTS, SRC, TOP, case, check,  # noqa: E402
                       golden, main, run)

DEMO_NODE = "test://" + os.path.join(TOP, "data", "demo", "libvirt-node.xml")


def codes_of(document):
    return [d["code"] for d in document["diagnostics"]]


@case
def show_config_table():
    status, out, err = run("kvmrt-show-config", "--sysroot", DEMO_HOST, "-f", DEMO_CFG)
    check(status == 0, "exit %d: %s" % (status, err))
    golden("show-config-demo.txt", out)


@case
def show_config_verbose():
    status, out, err = run("kvmrt-show-config", "-v", "--sysroot", DEMO_HOST, "-f", DEMO_CFG)
    check(status == 0, "exit %d: %s" % (status, err))
    golden("show-config-demo-verbose.txt", out)


@case
def show_config_host():
    status, out, err = run("kvmrt-show-config", "--host", "--sysroot", DEMO_HOST)
    check(status == 0, "exit %d: %s" % (status, err))
    golden("show-config-demo-host.txt", out)


@case
def show_config_host_offline_cpus_and_no_node():
    # wrx90e-sage-se: CPUs 40-41 offline, a NIC without a NUMA node.
    status, out, err = run("kvmrt-show-config", "--host", "--sysroot",
                           os.path.join(HOSTS, "wrx90e-sage-se"))
    check(status == 0, "exit %d: %s" % (status, err))
    check("online: 0-39,42-63" in out, out[:300])
    golden("show-config-wrx90e-host.txt", out)


@case
def show_config_host_without_smt_or_iommu():
    status, out, err = run("kvmrt-show-config", "--host", "--sysroot",
                           os.path.join(HOSTS, "small-nosmt"))
    check(status == 0, "exit %d: %s" % (status, err))
    check("SMT off" in out and "IOMMU group" not in out, out)
    golden("show-config-small-nosmt-host.txt", out)


@case
def show_config_json_shape():
    status, out, err = run("kvmrt-show-config", "--json", "--sysroot", DEMO_HOST, "-f", DEMO_CFG)
    check(status == 0, "exit %d: %s" % (status, err))
    doc = json.loads(out)
    check(len(doc["vms"]) >= 1, "no VMs")
    keys = {"uuid", "name", "title", "description", "nr_vcpus", "cpu_topology", "cpuset", "rt",
            "rt_memory", "numatune", "hide_kvm", "autostart", "disabled", "pcidevs", "comments",
            "plan"}
    plan_keys = {"vcpu_pins", "emulator_cpus", "shielded_cpus", "offline_cpus", "irq_cpu"}
    for vm in doc["vms"]:
        check(keys <= set(vm), "missing keys %s" % (keys - set(vm)))
        check(plan_keys <= set(vm["plan"]), "missing plan keys")
        check(set(vm["cpu_topology"]) == {"sockets", "cores", "threads"}, "topology keys")
        check(isinstance(vm["nr_vcpus"], int) and vm["nr_vcpus"] >= 1, "nr_vcpus resolved")
        check(len(vm["plan"]["vcpu_pins"]) == vm["nr_vcpus"], "one pin list per vCPU")
        if vm["rt"]:
            check(vm["plan"]["shielded_cpus"], "rt VM without shielded CPUs")
            check(vm["plan"]["irq_cpu"] == max(vm["plan"]["shielded_cpus"]), "irq cpu is last")
            check(vm["rt_memory"] is True, "rt_memory auto follows rt")
        else:
            check(vm["plan"]["irq_cpu"] is None, "non-rt VM has an IRQ CPU")
    golden("show-config-demo.json", out)


@case
def show_config_select_by_name_and_uuid():
    status, out, _ = run("kvmrt-show-config", "--json", "--sysroot", DEMO_HOST, "-f", DEMO_CFG)
    vms = json.loads(out)["vms"]
    first, last = vms[0], vms[-1]
    status, out, err = run("kvmrt-show-config", "--json", "--sysroot", DEMO_HOST, "-f", DEMO_CFG,
                           last["name"], first["uuid"].upper())
    check(status == 0, "exit %d: %s" % (status, err))
    names = [vm["name"] for vm in json.loads(out)["vms"]]
    check(names == [last["name"], first["name"]], "selection order: %s" % names)


@case
def show_config_unknown_vm():
    status, out, err = run("kvmrt-show-config", "--sysroot", DEMO_HOST, "-f", DEMO_CFG, "nosuchvm")
    check(status == 2, "exit %d" % status)
    check(out == "", "stdout not empty")
    check("nosuchvm" in err and DEMO_CFG in err, err)


@case
def show_config_all_includes_disabled():
    cfg = os.path.join(SRC, "configs", "cli-disabled.cfg")
    _, out, _ = run("kvmrt-show-config", "--json", "--sysroot", DEMO_HOST, "-f", cfg)
    _, out_all, _ = run("kvmrt-show-config", "--json", "--all", "--sysroot", DEMO_HOST, "-f", cfg)
    enabled = [vm["name"] for vm in json.loads(out)["vms"]]
    everything = [vm["name"] for vm in json.loads(out_all)["vms"]]
    check(enabled == ["active"], enabled)
    check(everything == ["active", "retired"], everything)


@case
def show_config_effective_cpus_of_unpinned_and_overlapping_vms():
    # Beside a real-time VM on node 1, an unpinned VM may use every CPU but node 1's, and a
    # VM whose cpuset names node 1's siblings keeps the rest of its cpuset.
    tmp = tempfile.mkdtemp(prefix="kvmrt-cli-")
    try:
        cfg = os.path.join(tmp, "kvmrt.cfg")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write("[0a5d2b6e-7d33-4a4c-9a11-000000000001]\nname = rt\nrt = true\n"
                    "cpuset = n1\nrt_priority = 20\n"
                    "[0a5d2b6e-7d33-4a4c-9a11-000000000002]\nname = free\ncpuset =\n"
                    "[0a5d2b6e-7d33-4a4c-9a11-000000000003]\nname = over\ncpuset = 0-1,40-41\n")
        status, out, err = run("kvmrt-show-config", "--json", "--sysroot", DEMO_HOST, "-f", cfg)
        check(status == 0, err)
        vms = {vm["name"]: vm for vm in json.loads(out)["vms"]}
        check(vms["free"]["effective_cpus_text"] == "0-7,16-39,48-63", vms["free"])
        check(vms["free"]["plan"]["vcpu_pins"] == [vms["free"]["effective_cpus"]], vms["free"])
        check(vms["over"]["effective_cpus"] == [0, 1], vms["over"])
        check(vms["rt"]["effective_cpus_text"] == "8-15" and vms["rt"]["rt_priority"] == 20,
              vms["rt"])
        status, out, err = run("kvmrt-show-config", "--sysroot", DEMO_HOST, "-f", cfg)
        check("any CPU not owned by a real-time VM (0-7,16-39,48-63)" in out, out)
        status, out, err = run("kvmrt-show-config", "-v", "--sysroot", DEMO_HOST, "-f", cfg)
        check("cpuset:         \"\" = any CPU not owned by a real-time VM (0-7,16-39,48-63)"
              in out, out)
        check("cpuset:         0-1,40-41 = CPUs 0-1,40-41, without real-time CPUs 0-1" in out,
              out)
        check("Real-time:      yes (vCPU threads SCHED_FIFO, priority 20)" in out, out)
        check("CPUs 40-47 offline" in out and "kernel.sched_rt_runtime_us = -1" in out, out)
    finally:
        shutil.rmtree(tmp)


@case
def sysroot_from_environment():
    status, out, err = run("kvmrt-show-config", "--host", env={"KVMRT_SYSROOT": DEMO_HOST})
    check(status == 0, err)
    check("M12SWA-TF" in out, out[:200])


@case
def validate_demo_is_clean():
    status, out, err = run("kvmrt-validate-config", "--offline", "--json", "--sysroot", DEMO_HOST,
                           "-f", DEMO_CFG)
    doc = json.loads(out)
    check(status == 0 and doc["errors"] == 0, "demo config has errors: %s" % out)
    check(err == "", "--offline printed on stderr: %s" % err)


@case
def validate_fig58_text():
    status, out, err = run("kvmrt-validate-config", "--offline", "--sysroot", DEMO_HOST,
                           "-f", FIG58_CFG)
    check(status == 1, "exit %d" % status)
    golden("validate-fig5-8.txt", out)


@case
def validate_fig58_json():
    status, out, err = run("kvmrt-validate-config", "--offline", "--json", "--sysroot", DEMO_HOST,
                           "-f", FIG58_CFG)
    check(status == 1, "exit %d" % status)
    doc = json.loads(out)
    codes = codes_of(doc)
    for code in ("rt-cpuset-overlap", "rt-shares-numa-node", "rt-spans-numa-nodes",
                 "pci-not-local"):
        check(code in codes, "%s missing from %s" % (code, codes))
    check(doc["errors"] == sum(d["severity"] == "error" for d in doc["diagnostics"]), "count")
    check(doc["warnings"] == sum(d["severity"] == "warning" for d in doc["diagnostics"]), "count")
    for d in doc["diagnostics"]:
        check(set(d) >= {"severity", "code", "vm", "name", "attribute", "message"}, d)
    golden("validate-fig5-8.json", out)


@case
def validate_with_libvirt_finds_out_of_sync():
    # The demo node's domains are as virt-manager made them: nothing kvmrt sets is there yet.
    status, out, err = run("kvmrt-validate-config", "--json", "--sysroot", DEMO_HOST,
                           "-f", DEMO_CFG, "-c", DEMO_NODE)
    check(status == 0, "exit %d: %s" % (status, err))
    doc = json.loads(out)
    check(doc["libvirt_checked"] is True, "libvirt_checked")
    check(codes_of(doc).count("out-of-sync") == 4, codes_of(doc))


@case
def validate_with_libvirt_unreachable():
    status, out, err = run("kvmrt-validate-config", "--sysroot", DEMO_HOST, "-f", DEMO_CFG,
                           "-c", "qemu+unix:///system?socket=/nonexistent/libvirt-sock")
    check(status == 2, "exit %d" % status)
    check("--offline" in err and "systemctl start" in err, err)


@case
def validate_syntax_error():
    cfg = os.path.join(SRC, "configs", "cli-syntax-error.cfg")
    status, out, err = run("kvmrt-validate-config", "--offline", "--json", "--sysroot", DEMO_HOST,
                           "-f", cfg)
    check(status == 1, "exit %d" % status)
    doc = json.loads(out)
    check(codes_of(doc) == ["config-syntax"], codes_of(doc))
    check(cfg + ":4:" in doc["diagnostics"][0]["message"], doc["diagnostics"][0]["message"])
    status, out, err = run("kvmrt-show-config", "--sysroot", DEMO_HOST, "-f", cfg)
    check(status == 2 and out == "", "show-config exit %d" % status)
    check(cfg + ":4:" in err, err)


@case
def missing_config():
    status, out, err = run("kvmrt-validate-config", "--offline", "--sysroot", DEMO_HOST,
                           "-f", "/nonexistent/kvmrt.cfg")
    check(status == 2 and out == "", "exit %d" % status)
    check("/nonexistent/kvmrt.cfg" in err and "-f FILE" in err, err)


@case
def bad_sysroot():
    status, out, err = run("kvmrt-show-config", "--host", "--sysroot", "/nonexistent-root")
    check(status == 2 and out == "", "exit %d" % status)
    check("/nonexistent-root" in err, err)


@case
def usage():
    status, out, _ = run("kvmrt-show-config", "--help")
    check(status == 0 and "--sysroot" in out and "--json" in out, out)
    status, out, _ = run("kvmrt-validate-config", "--version")
    check(status == 0 and out.startswith("kvmrt-validate-config "), out)
    status, out, err = run("kvmrt-validate-config", "--no-such-option")
    check(status == 2 and "--no-such-option" in err, err)


@case
def host_snapshot_round_trip():
    out_dir = tempfile.mkdtemp(prefix="kvmrt-snapshot-")
    try:
        target = os.path.join(out_dir, "snap")
        status, _, err = run("kvmrt-host-snapshot", "--sysroot", DEMO_HOST, target)
        check(status == 0, "snapshot exit %d: %s" % (status, err))
        _, original, _ = run("kvmrt-show-config", "--host", "--sysroot", DEMO_HOST)
        status, copy, err = run("kvmrt-show-config", "--host", "--sysroot", target)
        check(status == 0, err)
        check(copy == original, "snapshot reads differently:\n%s\n---\n%s" % (original, copy))
        _, a, _ = run("kvmrt-show-config", "--json", "--sysroot", DEMO_HOST, "-f", DEMO_CFG)
        _, b, _ = run("kvmrt-show-config", "--json", "--sysroot", target, "-f", DEMO_CFG)
        check(a == b, "plans differ on the snapshot")
    finally:
        shutil.rmtree(out_dir)


@case
def validate_host_demo():
    # The demo host is nearly ready: the real-time CPUs are not isolated on the kernel command
    # line and NUMA balancing is on (warnings), nothing fails.
    status, out, err = run("kvmrt-validate-host", "--offline", "--sysroot", DEMO_HOST,
                           "-f", DEMO_CFG)
    check(status == 0, "exit %d: %s" % (status, err))
    golden("validate-host-demo.txt", out)


@case
def validate_host_failures():
    # small-nosmt: no /dev/kvm, no IOMMU while the config wants devices, and a libvirt daemon
    # that may not lift the memlock limit.
    host = os.path.join(HOSTS, "small-nosmt")
    status, out, err = run("kvmrt-validate-host", "--offline", "--json", "--sysroot", host,
                           "-f", DEMO_CFG)
    check(status == 1, "exit %d: %s" % (status, err))
    doc = json.loads(out)
    by_id = {c["id"]: c for c in doc["checks"]}
    for failing in ("kvm-device", "iommu", "memlock"):
        check(by_id[failing]["status"] == "failure" and by_id[failing]["fix"], by_id[failing])
    check(by_id["cpufreq"]["status"] == "warning" and "powersave" in by_id["cpufreq"]["message"],
          by_id["cpufreq"])
    # The demo's CPUs are not on this host: nothing real-time is planned for irqbalance to upset.
    check(by_id["irqbalance"]["status"] == "pass", by_id["irqbalance"])
    check(doc["failures"] == 3, doc["failures"])
    # Intel: the parameter the kernel takes, not amd_iommu=on.
    check("intel_iommu=on" in by_id["iommu"]["fix"] and "amd_iommu" not in by_id["iommu"]["fix"],
          by_id["iommu"])


@case
def validate_host_irqbalance_only_with_rt_cpus():
    host = os.path.join(HOSTS, "small-nosmt")
    with tempfile.NamedTemporaryFile("w", suffix=".cfg") as cfg:
        cfg.write("[11111111-1111-4111-8111-111111111111]\nname = rt\nrt = true\n"
                  "cpuset = 2-3\nnr_vcpus = 1\n")
        cfg.flush()
        _, out, _ = run("kvmrt-validate-host", "--offline", "--json", "--sysroot", host,
                        "-f", cfg.name)
    by_id = {c["id"]: c for c in json.loads(out)["checks"]}
    check(by_id["irqbalance"]["status"] == "warning"
          and "IRQBALANCE_BANNED_CPULIST=2-3" in by_id["irqbalance"]["fix"], by_id["irqbalance"])
    _, out, _ = run("kvmrt-validate-host", "--offline", "--json", "--sysroot", DEMO_HOST,
                    "-f", "/dev/null")
    by_id = {c["id"]: c for c in json.loads(out)["checks"]}
    check(by_id["irqbalance"]["status"] == "pass", by_id["irqbalance"])


@case
def validate_host_amd_iommu_fix():
    # The demo host (AMD) without IOMMU groups: AMD's IOMMU is on by default, and Linux takes
    # no amd_iommu=on, so the fix names only iommu=pt.
    out_dir = tempfile.mkdtemp(prefix="kvmrt-amd-")
    try:
        # A shadow of the demo host: links to its entries, but sys/kernel without iommu_groups
        # (a copy of its thousands of files takes seconds).
        host = os.path.join(out_dir, "host")
        real = {"": "sys", "sys": "kernel", os.path.join("sys", "kernel"): "iommu_groups"}
        for below, keep_real in real.items():
            os.makedirs(os.path.join(host, below), exist_ok=True)
            for entry in os.listdir(os.path.join(DEMO_HOST, below)):
                if entry != keep_real:
                    os.symlink(os.path.join(DEMO_HOST, below, entry),
                               os.path.join(host, below, entry))
        _, out, _ = run("kvmrt-validate-host", "--offline", "--json", "--sysroot", host,
                        "-f", "/dev/null")
        iommu = {c["id"]: c for c in json.loads(out)["checks"]}["iommu"]
        check(iommu["status"] == "warning" and "iommu=pt" in iommu["fix"]
              and "amd_iommu" not in iommu["fix"] and "intel_iommu" not in iommu["fix"], iommu)
    finally:
        shutil.rmtree(out_dir)


@case
def fixed_configs_keep_their_findings():
    # The new passthrough rules must not add findings to the demo and the fixed Figure 5-8.
    expected = {DEMO_CFG: ["rt-pci-other-vm-local", "rt-pci-host-local"],
                os.path.join(SRC, "configs", "fig5-8-fixed.cfg"): ["rt-pci-host-local"]}
    for cfg, codes in expected.items():
        _, out, _ = run("kvmrt-validate-config", "--offline", "--json", "--sysroot", DEMO_HOST,
                        "-f", cfg)
        check(codes_of(json.loads(out)) == codes, "%s: %s" % (cfg, out))


@case
def show_config_device_irqs_only_with_devices():
    cfg = os.path.join(SRC, "configs", "fig5-8-fixed.cfg")
    _, out, _ = run("kvmrt-show-config", "-v", "--sysroot", DEMO_HOST, "-f", cfg, "VM3-RT")
    check("Device IRQs" not in out, out)
    _, out, _ = run("kvmrt-show-config", "-v", "--sysroot", DEMO_HOST, "-f", cfg, "VM2-RT")
    check("Device IRQs on: CPU 27" in out, out)


@case
def show_config_host_json():
    status, out, err = run("kvmrt-show-config", "--host", "--json", "--sysroot", DEMO_HOST)
    check(status == 0, "exit %d: %s" % (status, err))
    doc = json.loads(out)
    keys = {"hostname", "machine", "cpu_model", "cmdline", "cpus", "online_cpus", "cores",
            "packages", "smt", "iommu", "nodes", "pci_devices"}
    check(keys <= set(doc), "missing %s" % (keys - set(doc)))
    devices = {d["address"]: d for d in doc["pci_devices"]}
    check(not any(d["bridge"] for d in devices.values()), "bridges without -a")
    x550 = devices["0000:21:00.0"]
    check(x550["interfaces"] == ["enp33s0f0"] and x550["irqs"] == list(range(265, 270))
          and x550["virtfns"] == ["0000:21:10.0", "0000:21:10.2"], x550)
    check(devices["0000:21:10.2"]["physfn"] == "0000:21:00.0", devices["0000:21:10.2"])
    check(devices["0000:41:00.0"]["host_needs"] == ["storage"], devices["0000:41:00.0"])
    check(devices["0000:47:00.0"]["boot_vga"] and
          devices["0000:47:00.0"]["host_needs"] == ["console"], devices["0000:47:00.0"])
    check(not devices["0000:40:00.2"]["assignable"], devices["0000:40:00.2"])
    _, out_all, _ = run("kvmrt-show-config", "--host", "--json", "-a", "--sysroot", DEMO_HOST)
    every = {d["address"]: d for d in json.loads(out_all)["pci_devices"]}
    check(every["0000:40:01.1"]["bridge"] and len(every) > len(devices), "-a adds bridges")
    _, text_all, _ = run("kvmrt-show-config", "--host", "-a", "--sysroot", DEMO_HOST)
    check("0000:40:01.1" in text_all and "0000:40:01.1" not in
          run("kvmrt-show-config", "--host", "--sysroot", DEMO_HOST)[1], "text -a")


@case
def validate_host_live():
    status, out, err = run("kvmrt-validate-host", "--offline", "--json")
    doc = json.loads(out)
    kvm = [c for c in doc["checks"] if c["id"] == "kvm-device"][0]
    check(kvm["status"] == ("pass" if os.path.exists("/dev/kvm") else "failure"), kvm)
    check(status == (1 if doc["failures"] else 0), "exit %d" % status)


@case
def validate_host_missing_config():
    status, out, err = run("kvmrt-validate-host", "--offline", "--sysroot", DEMO_HOST,
                           "-f", "/nonexistent/kvmrt.cfg")
    check(status == 2 and "/nonexistent/kvmrt.cfg" in err, "exit %d: %s" % (status, err))


if __name__ == "__main__":
    sys.exit(main())
