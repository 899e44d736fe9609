#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the built kvmrt-* tools on the fixture hosts and compares what they print with the
expected output under tests/cli/. Set KVMRT_UPDATE_GOLDEN=1 to rewrite the expected files
(then read the diff before committing it). Prints TAP."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(SRC)
CLI = os.environ["KVMRT_CLI_DIR"]
HOSTS = os.environ["KVMRT_TEST_HOSTS_DIR"]
DEMO_HOST = os.path.join(HOSTS, "m12swa-tf")
DEMO_CFG = os.path.join(TOP, "data", "demo", "kvmrt.cfg")
FIG58_CFG = os.path.join(SRC, "configs", "fig5-8.cfg")
UPDATE = os.environ.get("KVMRT_UPDATE_GOLDEN") == "1"

results = []


def run(tool, *args, env=None):
    full_env = dict(os.environ)
    full_env.pop("KVMRT_SYSROOT", None)
    full_env["LC_ALL"] = "C"
    full_env.update(env or {})
    proc = subprocess.run([os.path.join(CLI, tool), *args], capture_output=True, text=True,
                          env=full_env, timeout=60, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def golden(name, text):
    """Compares text with tests/cli/NAME, paths of this checkout replaced by @TOP@/@HOSTS@."""
    text = text.replace(HOSTS, "@HOSTS@").replace(TOP, "@TOP@")
    path = os.path.join(SRC, "cli", name)
    if UPDATE:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    with open(path, encoding="utf-8") as f:
        expected = f.read()
    if text != expected:
        import difflib
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                            "expected/" + name, "actual/" + name))
        raise AssertionError("output differs from tests/cli/%s:\n%s" % (name, diff))


def case(func):
    results.append(func)
    return func


def check(condition, message):
    if not condition:
        raise AssertionError(message)


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
def validate_without_offline_says_libvirt_skipped():
    status, out, err = run("kvmrt-validate-config", "--json", "--sysroot", DEMO_HOST,
                           "-f", DEMO_CFG)
    json.loads(out)
    check("libvirt" in err, "no note about libvirt on stderr")


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


def main():
    print("1..%d" % len(results))
    failed = 0
    for number, func in enumerate(results, 1):
        try:
            func()
            print("ok %d - %s" % (number, func.__name__))
        except Exception as error:  # report every failure, keep going
            failed += 1
            print("not ok %d - %s" % (number, func.__name__))
            for line in str(error).splitlines() or [repr(error)]:
                print("# " + line)
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
