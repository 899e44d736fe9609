#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest Services end to end: real guests (Debian's kernel, busybox, TCG) on a real libvirtd,
their channel added by kvmrt-sync-config and served by kvmrtd. One guest runs the statically
linked kvmrt-gs and a program using libkvmrt-gs; the host trace instance and the syslog
receiver this test runs must hold its *_HOST events with the VM's name, cookies and data in
order, and kvmrt-gs-merge must pair them with the guest's own trace. Then a hostile guest
floods its channel with garbage and oversize frames while a second guest pings: kvmrtd's
memory stays bounded, the pings are all answered, and the counters show the flood. Root only;
skips when the kernel package cannot be fetched."""
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "libvirt"))
sys.path.insert(0, os.path.join(HERE, "gs"))
import guest  # noqa: E402
import libvirtd  # noqa: E402
from kvmrt_tap import case, check, main  # noqa: E402

libvirtd.skip_unless_able()
guest.guest_programs()
guest.kernel()

CLI = os.environ["KVMRT_CLI_DIR"]
INSTANCE = "kvmrt-gs-test-%d" % os.getpid()
HOST = guest.Host(INSTANCE)

PAYLOAD = """
kvmrt-gs -v available ping_available log_msg_available xtrace_flush_available \\
  xtrace_log_data_available
echo "RESULT probes $?"
kvmrt-gs ping 0xC0FFEE1 ping 0xC0FFEE2 log_msg "hello from the guest" \\
  log_msg 0x68657820627974657321 xtrace_log_data 0xdeadbeef xtrace_log_data abc
echo "RESULT cli $?"
kvmrt-gs ping not-a-number
echo "RESULT usage $?"
gs-app
echo "RESULT app $?"
# Two processes at once: the kernel lets one hold the port, the other waits its turn.
pinger() { f=0; for i in $(seq 0 19); do kvmrt-gs ping $(($1 + i)) || f=$((f + 1)); done; \
  echo "RESULT $2 $f"; }
pinger 20480 concurrent_a & pinger 24576 concurrent_b & wait
kvmrt-gs ping 0xC0FFEE3 xtrace_flush 1
echo "RESULT flush $?"
"""

FLOOD_SECONDS = 20
FLOODER = "gs-flood %d\necho \"RESULT flood $?\"\n" % FLOOD_SECONDS
# The other guest pings through the whole flood and counts what failed.
PINGER = """
fails=0; n=0
end=$(( $(date +%%s) + %d ))
while [ $(date +%%s) -lt $end ]; do
  n=$((n + 1))
  kvmrt-gs -t 5000 ping $n || fails=$((fails + 1))
done
echo "RESULT pings n=$n fails=$fails"
""" % (FLOOD_SECONDS + 5)

state = {}
FAKE_RT_UUID = "0b1e5c2a-9d8f-4e7a-b6c5-d4e3f2a1b0c9"


def cpu_list(text):
    """The CPUs of a kernel CPU list ("0-2,5") as a set of strings."""
    cpus = set()
    for item in text.strip().split(","):
        first, _, last = item.partition("-")
        cpus.update(str(c) for c in range(int(first), int(last or first) + 1))
    return cpus


def results(guests, name):
    return dict(re.findall(r"^RESULT (\w+) (.*)$", guests.console(name), re.M))


@case
def guest_reaches_host():
    with guest.Guests(HOST, "kvmrt-gs-e2e", [PAYLOAD]) as guests:
        HOST.write_config([(guests.uuids[0], guests.names[0])])
        synced = HOST.sync()
        xml = libvirtd.virsh("dumpxml", guests.uuids[0])
        check("org.kvmrt.gs.0" in xml and "virtio-serial" in xml,
              "kvmrt-sync-config added no channel:\n%s\n%s" % (synced, xml))
        HOST.start_daemon()
        began = time.monotonic()
        guests.start()
        guests.wait_off()
        print("# guest booted, ran its payload and powered off in %.1f s"
              % (time.monotonic() - began))
        state["console"] = guests.console(guests.names[0])
        state["guest_trace"] = guests.guest_trace(guests.names[0])
        state["name"] = guests.names[0]
        got = results(guests, guests.names[0])
        check(got.get("probes") == "0", "probes: %s\n%s" % (got, state["console"][-2000:]))
        check(got.get("cli") == "0", "cli: %s\n%s" % (got, state["console"][-2000:]))
        check(got.get("usage") == "2", "a bad cookie is a usage error: %s" % got)
        check(got.get("app") == "0", "gs-app: %s\n%s" % (got, state["console"][-2000:]))
        check(got.get("concurrent_a") == "0" and got.get("concurrent_b") == "0",
              "two processes at once: %s" % got)
        check(got.get("flush") == "0", "flush: %s" % got)
        check("APP available=1 ping=1 log_msg=1 flush=1 log_data=1" in state["console"],
              "gs-app's probes: %s" % state["console"][-2000:])
        state["host_trace"] = HOST.host_trace()


@case
def host_trace_has_the_events_in_order():
    vm = state["name"]
    pings = [f["cookie"] for _, f in guest.events(state["host_trace"], "KVMRT_GS_PING_HOST", vm)]
    threads = {"%#x" % (0x2000 + 0x100 * t + i) for t in range(4) for i in range(10)}
    check(pings[:2] == ["0xc0ffee1", "0xc0ffee2"], "first pings: %s" % pings[:4])
    check(pings[2:7] == ["0x%x" % c for c in range(0x1001, 0x1006)], "app pings: %s" % pings)
    check(set(pings[7:47]) == threads, "thread pings: %s" % pings[7:47])
    concurrent = {"%#x" % (base + i) for base in (0x5000, 0x6000) for i in range(20)}
    check(set(pings[47:87]) == concurrent and len(pings) == 88,
          "pings of two processes at once: %s" % pings[47:])
    check(pings[87] == "0xc0ffee3", "last ping: %s" % pings[-1:])
    data = [f["data"] for _, f in guest.events(state["host_trace"], "KVMRT_GS_LOG_DATA_HOST",
                                                 vm)]
    check(data == ["deadbeef", "616263", "".join("%02x" % (i * 17) for i in range(16))],
          "log data: %s" % data)
    flushes = guest.events(state["host_trace"], "KVMRT_GS_FLUSH_HOST", vm)
    check(len(flushes) == 1 and flushes[0][1]["scope"] == "1", "flushes: %s" % flushes)
    # The vCPU's thread ran on some host CPU: scope 1 names the VM's CPUs, not "all".
    check(re.match(r"^[0-9][0-9,-]*$", flushes[0][1]["cpus"]), "flush CPUs: %s" % flushes)
    # This kernel has no snapshot buffer: the flush stopped the instance at that point.
    snapshot = os.path.exists(os.path.join(HOST.instance_dir, "snapshot"))
    check(flushes[0][1]["method"] == ("snapshot" if snapshot else "stop"), str(flushes))
    with open(os.path.join(HOST.instance_dir, "tracing_on")) as f:
        on = f.read().strip()
    check(on == ("1" if snapshot else "0"), "tracing_on after the flush: %s" % on)
    last = guest.events(state["host_trace"])[-1]
    check(last[0] == "KVMRT_GS_FLUSH_HOST", "the trace does not end at the flush: %s" % (last,))


@case
def syslog_got_the_messages():
    got = [m.split("]: ", 1)[1] for m in HOST.receive_messages() if "]: " in m]
    vm = state["name"]
    check(got == ["%s: hello from the guest" % vm, "%s: hex bytes!" % vm,
                  "%s: app: about to start A" % vm, "%s: app: just finished A" % vm],
          "syslog received: %s" % got)
    check(all(m.startswith("<30>") for m in HOST.messages), HOST.messages)


@case
def guest_trace_has_the_pairs():
    pings = [f["cookie"] for _, f in guest.events(state["guest_trace"], "KVMRT_GS_PING_GUEST")]
    check(len(pings) == 88 and pings[0] == "0xc0ffee1", "guest pings: %s" % pings[:3])
    check(len(guest.events(state["guest_trace"], "KVMRT_GS_FLUSH_GUEST")) == 1, "guest flush")


@case
def merge_pairs_guest_and_host():
    guest_file = os.path.join(HOST.work, "guest.trace")
    host_file = os.path.join(HOST.work, "host.trace")
    with open(guest_file, "w") as f:
        f.write(state["guest_trace"])
    with open(host_file, "w") as f:
        f.write(state["host_trace"])
    proc = subprocess.run([os.path.join(CLI, "kvmrt-gs-merge"), "--vm", state["name"],
                           host_file, guest_file], capture_output=True, text=True, timeout=60)
    check(proc.returncode == 0, "kvmrt-gs-merge: %d %s" % (proc.returncode, proc.stderr))
    out = proc.stdout
    print("# " + "\n# ".join(out.splitlines()[:3]))
    # Kept next to the test logs for a reader.
    kept = os.path.join(os.environ.get("G_TEST_BUILDDIR", HOST.work), "gs-merged.txt")
    with open(kept, "w") as f:
        f.write(out)
    check(re.search(r"pairs: 96\b", out), "pairs: %s" % out[:500])
    check(re.search(r"offset: [-0-9.]+ s", out), out[:500])
    lines = [line for line in out.splitlines() if re.match(r"^\s*\d+\.\d+ ", line)]
    stamps = [float(line.split()[0]) for line in lines]
    check(stamps == sorted(stamps), "the merged listing is not in time order")
    # A guest event and its host event follow each other, guest first, host at its time.
    guest_first = [i for i, line in enumerate(lines) if "KVMRT_GS_PING_GUEST" in line
                   and "cookie=0xc0ffee1" in line]
    check(guest_first and "KVMRT_GS_PING_HOST" in lines[guest_first[0] + 1],
          "no PING_HOST after PING_GUEST:\n%s" % "\n".join(lines[:6]))
    check(re.search(r"^\s*\d+\.\d+\s+%s\s+\d+\s+KVMRT_GS_PING_GUEST" % state["name"], out, re.M)
          and re.search(r"^\s*\d+\.\d+\s+host\s+\d+\s+KVMRT_GS_PING_HOST", out, re.M),
          "merged lines name the VM and the host:\n%s" % "\n".join(lines[:6]))


@case
def flooding_guest_is_contained():
    daemon_rss = []
    with guest.Guests(HOST, "kvmrt-gs-flood", [FLOODER, PINGER]) as guests:
        HOST.write_config(list(zip(guests.uuids, guests.names)))
        HOST.sync()
        HOST.daemon.send_signal(15)
        HOST.daemon.wait(timeout=30)
        with open(os.path.join(HOST.instance_dir, "tracing_on"), "w") as f:
            f.write("1")
        # A real-time VM (never started) planned on CPU 1: its CPUs are not housekeeping
        # CPUs, so the Guest Services thread must keep off them.
        shielded = "1" in cpu_list(open("/sys/devices/system/cpu/online").read())
        if shielded:
            HOST.write_config(list(zip(guests.uuids, guests.names)),
                              extra="[%s]\nname = kvmrt-gs-fake-rt\nrt = true\ncpuset = 1\n"
                                    "nr_vcpus = 1\n\n" % FAKE_RT_UUID)
        HOST.start_daemon()
        before = None
        guests.start()
        deadline = time.monotonic() + guest.BOOT_TIMEOUT
        stats, stat, affinity = {}, None, None
        while any(libvirtd.virsh("domstate", u).strip() != "shut off" for u in guests.uuids):
            if before is not None:
                daemon_rss.append(HOST.daemon_rss_kib())
            check(time.monotonic() < deadline, "the guests did not finish in time")
            # The counters of the channels kvmrtd serves now (a stopped VM's leave).
            try:
                with open("/run/kvmrt/guest-services.json", encoding="utf-8") as f:
                    now = {vm["name"]: vm for vm in json.load(f)["vms"]}
            except (OSError, ValueError):
                now = {}
            # Memory is counted from the flood's start: the daemon's first minutes (libvirt
            # connection, host model, first tuning pass) are not the channel's.
            if before is None and now.get(guests.names[0], {}).get("bytes_read", 0) > 0:
                before = HOST.daemon_rss_kib()
            if before is not None and affinity is None:
                affinity = HOST.thread_affinity("guest-services")
            if guests.names[0] in now and now[guests.names[0]]["throttled"] > 0:
                stats = now
                if stat is None:
                    stat = subprocess.run([os.path.join(CLI, "kvmrt-stat"), "-f", HOST.config,
                                           "--json"], capture_output=True, text=True,
                                          timeout=60)
            time.sleep(0.5)
        flood = results(guests, guests.names[0])
        pings = results(guests, guests.names[1])
    check(stats, "kvmrtd never published counters with the flooder throttled:\n%s"
          % HOST.daemon_output()[-2000:])
    check(before is not None and daemon_rss, "the flood never started")
    grown = max(daemon_rss) - before
    flooder = stats[guests.names[0]]
    print("# kvmrtd RSS %d KiB before, at most %d KiB during the flood; flooder: %s bytes read, "
          "%s malformed runs, %s garbage bytes, throttled %s times; pinger: %s"
          % (before, max(daemon_rss), flooder["bytes_read"], flooder["malformed"],
             flooder["garbage_bytes"], flooder["throttled"], pings.get("pings")))
    check(flood.get("flood") == "0", "the flooder: %s" % guests.console(guests.names[0])[-1500:])
    check(re.match(r"n=\d+ fails=0$", pings.get("pings", "")),
          "the other guest's pings: %s" % pings)
    check(int(pings["pings"].split()[0][2:]) >= 5, "too few pings: %s" % pings)
    check(flooder["malformed"] > 0 and flooder["garbage_bytes"] > 0, str(flooder))
    check(flooder["throttled"] > 0, "the flooder was never throttled: %s" % flooder)
    check(grown < 2048, "kvmrtd grew by %d KiB during the flood" % grown)
    online = cpu_list(open("/sys/devices/system/cpu/online").read())
    check(affinity is not None, "kvmrtd has no guest-services thread")
    check(cpu_list(affinity) == (online - {"1"} if shielded else online),
          "the Guest Services thread may run on CPUs %s (online %s; CPU 1 planned for a "
          "real-time VM: %s)" % (affinity, sorted(online), shielded))
    check(stat.returncode == 0, stat.stderr)
    vms = {vm["name"]: vm for vm in json.loads(stat.stdout)["vms"]}
    shown = vms[guests.names[0]]["guest_services"]
    check(shown is not None and shown["connected"] and shown["malformed"] > 0
          and shown["throttled"] > 0, "kvmrt-stat --json: %s" % vms.get(guests.names[0]))


# The guest announces itself, waits for the host end to go, then calls: the calls must fail
# with ENOTCONN (exit 1), within their time limit, not hang.
ORPHAN = """
kvmrt-gs log_msg ready
sleep 5
before=$(cut -d' ' -f1 /proc/uptime)
kvmrt-gs -t 3000 ping 1
status=$?
kvmrt-gs -t 3000 available
echo "RESULT gone $status $? $before $(cut -d' ' -f1 /proc/uptime)"
"""


@case
def calls_end_when_the_host_is_gone():
    with guest.Guests(HOST, "kvmrt-gs-orphan", [ORPHAN]) as guests:
        HOST.write_config(list(zip(guests.uuids, guests.names)))
        HOST.sync()
        if HOST.daemon.poll() is None:
            HOST.daemon.send_signal(15)
            HOST.daemon.wait(timeout=30)
        HOST.messages.clear()
        HOST.receive_messages()
        HOST.start_daemon()
        guests.start()
        deadline = time.monotonic() + guest.BOOT_TIMEOUT
        while not any(m.endswith(": ready") for m in HOST.receive_messages()):
            check(time.monotonic() < deadline, "the guest never logged: %s"
                  % guests.console(guests.names[0])[-1500:])
            time.sleep(0.2)
        # kvmrtd dies (a crash: SIGTERM would shut the VM down); QEMU keeps the guest running.
        HOST.daemon.kill()
        HOST.daemon.wait()
        guests.wait_off()
        got = results(guests, guests.names[0]).get("gone", "").split()
    check(len(got) == 4, "the guest's result: %s\n%s" % (got, guests.console(guests.names[0])
                                                          [-1500:]))
    took = float(got[3]) - float(got[2])
    print("# without a host end: ping exit %s, available exit %s, both in %.2f s (guest clock)"
          % (got[0], got[1], took))
    check(got[0] == "1" and got[1] == "1", "calls without a host end: %s" % got)
    check(took < 6.5, "two calls with a 3 s limit took %.2f s" % took)
    check("Transport endpoint is not connected" in guests.console(guests.names[0])
          or "timed out" in guests.console(guests.names[0]), "no error message")


if __name__ == "__main__":
    try:
        with libvirtd.LibvirtDaemon():
            status = main()
    finally:
        HOST.close()
    sys.exit(status)
