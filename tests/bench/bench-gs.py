#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest Services inside a real guest (root only, else skipped; TCG, Debian's kernel): the
round trip of kvmrt_gs_ping() (median and 99th percentile of 500) and the kvmrt_gs_log_msg()
calls per second one guest sustains for 5 s, timed by the guest's own clock. kvmrtd runs with
a rate limit far above what one guest can do, so the figures are the channel's; with the
default limit (1000 requests a second) log_msg is held to that. TCG runs guest code 10 to 50
times slower than KVM and each request crosses the guest kernel, QEMU's virtio-serial device
and kvmrtd, so on a KVM host these are upper bounds. Asserts only that every ping was
answered."""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "libvirt"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "gs"))
import guest  # noqa: E402
import libvirtd  # noqa: E402

PINGS = 500
SECONDS = 5


def main():
    libvirtd.skip_unless_able()
    guest.guest_programs()
    guest.kernel()
    host = guest.Host("kvmrt-gs-bench-%d" % os.getpid())
    try:
        with libvirtd.LibvirtDaemon():
            payload = "gs-bench %d %d\necho \"RESULT bench $?\"\n" % (PINGS, SECONDS)
            with guest.Guests(host, "kvmrt-gs-bench", [payload]) as guests:
                host.write_config([(guests.uuids[0], guests.names[0])])
                host.sync()
                host.start_daemon(["--gs-rate", "1000000", "--gs-burst", "1000000"])
                guests.start()
                guests.wait_off()
                console = guests.console(guests.names[0])
    finally:
        host.close()
    print("1..1")
    match = re.search(r"^BENCH (.*)$", console, re.M)
    if not match:
        print("not ok 1 - gs-bench printed no figures")
        print("# " + "\n# ".join(console[-2000:].splitlines()))
        return 1
    figures = dict(item.split("=") for item in match.group(1).split())
    print("# ping round trip in a TCG guest: median %s us, p99 %s us, mean %s us (%s pings)"
          % (figures["ping_median_us"], figures["ping_p99_us"], figures["ping_mean_us"],
             figures["pings"]))
    print("# log_msg sustained in a TCG guest: %s calls/s for %d s (%s failed)"
          % (figures["log_msg_per_s"], SECONDS, figures["log_msg_failed"]))
    print("# TCG runs guest code 10-50x slower than KVM: on a KVM host expect these as upper "
          "bounds (the host side, kvmrtd and QEMU's device, runs at native speed either way)")
    print("ok 1 - every ping was answered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
