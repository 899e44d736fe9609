# SPDX-License-Identifier: GPL-2.0-or-later
"""A real libvirtd for the integration tests and the boot benchmark: the running one when
qemu:///system answers, else virtlogd and libvirtd started here in the foreground and stopped
by their PIDs afterwards. Tiny QEMU domains (TCG, 64 MiB, no disk) to run in it."""
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

URI = "qemu:///system"
VIRTLOGD_SOCKET = "/run/libvirt/virtlogd-sock"


def skip(reason):
    """Ends a TAP test script as skipped (exit 77, meson's skip)."""
    print("1..0 # SKIP " + reason)
    sys.stdout.flush()
    sys.exit(77)


def skip_unless_root():
    if os.geteuid() != 0:
        skip("needs root to run libvirtd and QEMU (CI runs as root)")


def skip_unless_able():
    skip_unless_root()
    for program in ("/usr/sbin/libvirtd", "/usr/sbin/virtlogd", "/usr/bin/qemu-system-x86_64"):
        if not os.path.exists(program):
            skip("%s is missing: ./setup.sh installs libvirt-daemon-system and "
                 "qemu-system-x86" % program)


def virsh(*args, check=True):
    proc = subprocess.run(["virsh", "-q", "-c", URI, *args], capture_output=True, text=True,
                          timeout=120, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError("virsh %s: %s" % (" ".join(args), proc.stderr.strip()))
    return proc.stdout


def answers():
    proc = subprocess.run(["virsh", "-c", URI, "version"], capture_output=True, timeout=30,
                          check=False)
    return proc.returncode == 0


class LibvirtDaemon:
    """Uses the running daemon, or starts one and stops exactly what it started."""

    def __init__(self):
        self.started = []   # Popen objects, in start order
        self.log_dir = None

    def __enter__(self):
        if answers():
            return self
        # Next to the test logs under meson (G_TEST_BUILDDIR is the build's tests/).
        self.log_dir = os.path.join(os.environ.get("G_TEST_BUILDDIR", "/tmp"),
                                    "libvirtd-test-logs")
        os.makedirs(self.log_dir, exist_ok=True)
        try:
            if not os.path.exists(VIRTLOGD_SOCKET):
                self._start("/usr/sbin/virtlogd")
            self._start("/usr/sbin/libvirtd")
            deadline = time.monotonic() + 30
            while not answers():
                if time.monotonic() > deadline:
                    raise RuntimeError("libvirtd did not answer within 30 s; see %s"
                                       % self.log_dir)
                for proc in self.started:
                    if proc.poll() is not None:
                        raise RuntimeError("%s exited with %d; see %s"
                                           % (proc.args[0], proc.returncode, self.log_dir))
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, program):
        log = open(os.path.join(self.log_dir, os.path.basename(program) + ".log"), "w")
        self.started.append(subprocess.Popen([program], stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL))

    def stop(self):
        for proc in reversed(self.started):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.started = []

    def __exit__(self, *exc):
        self.stop()


def tiny_domain_xml(name, domain_uuid, vcpus=1, extra=""):
    """EXTRA: domain elements (memoryBacking, cputune, ...) placed before <devices>."""
    return """<domain type='qemu'>
  <name>%s</name>
  <uuid>%s</uuid>
  <title>kvmrt test domain</title>
  <memory unit='MiB'>64</memory>
  <vcpu>%d</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
%s  <devices>
    <emulator>%s</emulator>
    <serial type='pty'/>
    <console type='pty'/>
  </devices>
</domain>
""" % (name, domain_uuid, vcpus, extra, shutil.which("qemu-system-x86_64"))


def qemu_pid(domain_uuid):
    """The PID of the QEMU process started with -uuid DOMAIN_UUID, or None."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:   # gone meanwhile
            continue
        if b"-uuid" in argv[:-1] and argv[argv.index(b"-uuid") + 1] == domain_uuid.encode():
            return int(entry)
    return None


def thread_names(pid):
    """TID -> comm of every thread of PID."""
    names = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid), encoding="utf-8") as f:
                names[int(tid)] = f.read().strip()
        except OSError:
            continue
    return names


class TinyDomains:
    """Defines tiny domains NAME-PREFIX-0.. and always removes them again."""

    def __init__(self, prefix, count, vcpus=1, directory="/tmp", extra=""):
        self.names = ["%s-%d" % (prefix, i) for i in range(count)]
        self.uuids = [str(uuid.uuid4()) for _ in range(count)]
        self.vcpus = vcpus
        self.directory = directory
        self.extra = extra

    def __enter__(self):
        try:
            for name, domain_uuid in zip(self.names, self.uuids):
                path = os.path.join(self.directory, name + ".xml")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(tiny_domain_xml(name, domain_uuid, self.vcpus, self.extra))
                virsh("define", path)
        except BaseException:
            self.__exit__()
            raise
        return self

    # By UUID: a test may have renamed them.
    def destroy_all(self):
        for domain_uuid in self.uuids:
            virsh("destroy", domain_uuid, check=False)

    def __exit__(self, *exc):
        self.destroy_all()
        for domain_uuid in self.uuids:
            virsh("undefine", domain_uuid, check=False)
