#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs a test program (argv) with a libvirtd answering at qemu:///system: the running one, or
one started for it and stopped afterwards (tests/libvirt/libvirtd.py). Without root the
program runs alone and skips its real-libvirtd cases itself."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "libvirt"))
import libvirtd  # noqa: E402


def main():
    if os.geteuid() != 0 or not os.path.exists("/usr/sbin/libvirtd"):
        return subprocess.call(sys.argv[1:])
    with libvirtd.LibvirtDaemon():
        return subprocess.call(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
