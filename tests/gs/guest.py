# SPDX-License-Identifier: GPL-2.0-or-later
"""Real guests for the Guest Services tests and benchmark: Debian's stock kernel (downloaded
once with apt-get and unpacked, not installed, into the build tree) with a busybox initramfs
that loads the virtio console modules, runs a payload script next to statically linked guest
programs, prints the guest's own ftrace buffer to the serial console and powers off. The
domains run in TCG on a real libvirtd; their Guest Services channel is added by
kvmrt-sync-config, and kvmrtd serves it from a private tracefs mount."""
import ctypes
import glob
import gzip
import io
import lzma
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "libvirt"))
import libvirtd  # noqa: E402

CLI = os.environ["KVMRT_CLI_DIR"]
MODULES = ["drivers/virtio/virtio_ring", "drivers/virtio/virtio",
           "drivers/virtio/virtio_pci_modern_dev", "drivers/virtio/virtio_pci_legacy_dev",
           "drivers/virtio/virtio_pci", "drivers/char/virtio_console"]
TRACE_BEGIN = "==GUEST-TRACE-BEGIN=="
TRACE_END = "==GUEST-TRACE-END=="
BOOT_TIMEOUT = 240


def skip(reason):
    libvirtd.skip(reason)


def guest_programs():
    """The statically linked guest programs meson built, or a skip."""
    names = {"kvmrt-gs": "KVMRT_GS_CLI_STATIC", "gs-app": "KVMRT_GS_APP",
             "gs-flood": "KVMRT_GS_FLOOD", "gs-bench": "KVMRT_GS_BENCH"}
    programs = {}
    for name, var in names.items():
        path = os.environ.get(var)
        if not path or not os.path.exists(path):
            skip("no statically linked %s (glibc's static libraries, libc6-dev, are needed "
                 "to build the guest programs)" % name)
        programs[name] = path
    return programs


def _run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False,
                          **kwargs)


def kernel():
    """(vmlinuz, modules dir) of the kernel linux-image-amd64 depends on, unpacked under the
    build tree (fetched once); skips when the package cannot be fetched."""
    depends = _run(["apt-cache", "depends", "linux-image-amd64"])
    match = re.search(r"Depends: (linux-image-[0-9][^\s]*-amd64)", depends.stdout)
    if not match:
        skip("apt-cache knows no linux-image-amd64 (is Debian's package list there?)")
    package = match.group(1)
    cache = os.path.join(os.environ.get("G_TEST_BUILDDIR", "/tmp"), "gs-guest", package)
    tree = os.path.join(cache, "tree")
    if not os.path.isdir(os.path.join(tree, "boot")):
        os.makedirs(cache, exist_ok=True)
        download = _run(["apt-get", "download", package], cwd=cache)
        debs = glob.glob(os.path.join(cache, package + "_*.deb"))
        if not debs:
            skip("cannot fetch %s: %s" % (package, (download.stderr or download.stdout).strip()
                                          .splitlines()[-1:]))
        scratch = tree + ".new"
        shutil.rmtree(scratch, ignore_errors=True)
        unpack = _run(["dpkg", "-x", debs[0], scratch])
        if unpack.returncode != 0:
            raise RuntimeError("dpkg -x %s: %s" % (debs[0], unpack.stderr))
        os.rename(scratch, tree)
        for deb in debs:   # the tree is what is kept
            os.unlink(deb)
    vmlinuz = glob.glob(os.path.join(tree, "boot", "vmlinuz-*"))
    modules = glob.glob(os.path.join(tree, "lib", "modules", "*", "kernel"))
    if not vmlinuz or not modules:
        raise RuntimeError("%s holds no kernel or modules" % tree)
    return vmlinuz[0], modules[0]


def _cpio_entry(out, name, mode, data=b""):
    # newc: a 110-byte ASCII header, the name, padding to 4, the data, padding to 4.
    header = "070701" + "".join("%08X" % v for v in (
        0, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0))
    out.write(header.encode() + name.encode() + b"\0")
    out.write(b"\0" * ((4 - (110 + len(name) + 1) % 4) % 4))
    out.write(data)
    out.write(b"\0" * ((4 - len(data) % 4) % 4))


INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t devtmpfs none /dev
mount -t proc none /proc
mount -t sysfs none /sys
for m in %(modules)s; do insmod /lib/modules/$m.ko; done
mount -t tracefs nodev /sys/kernel/tracing
PORT=
for i in $(seq 100); do
  for p in /sys/class/virtio-ports/*; do
    [ "$(cat $p/name 2>/dev/null)" = org.kvmrt.gs.0 ] && PORT=/dev/${p##*/}
  done
  [ -n "$PORT" ] && break
  sleep 0.1
done
echo "GUEST port=$PORT"
export KVMRT_GS_PORT=$PORT
# kvmrtd connects within a second or two of the start.
for i in $(seq 120); do kvmrt-gs -t 500 available && break; sleep 0.5; done
echo "GUEST served after $i tries"
. /payload.sh
echo %(begin)s
cat /sys/kernel/tracing/trace
echo %(end)s
poweroff -f
"""


def initramfs(path, modules_dir, programs, payload):
    """A gzip'ed newc initramfs at PATH: busybox, the virtio console modules, PROGRAMS
    (name -> path) in /bin, /init and PAYLOAD as /payload.sh."""
    out = io.BytesIO()
    for d in ("bin", "dev", "proc", "sys", "lib", "lib/modules"):
        _cpio_entry(out, d, stat.S_IFDIR | 0o755)
    with open("/bin/busybox", "rb") as f:
        _cpio_entry(out, "bin/busybox", stat.S_IFREG | 0o755, f.read())
    names = []
    for module in MODULES:
        name = os.path.basename(module)
        candidates = glob.glob(os.path.join(modules_dir, module + ".ko*"))
        if not candidates:
            raise RuntimeError("the kernel has no %s module" % module)
        with open(candidates[0], "rb") as f:
            data = f.read()
        if candidates[0].endswith(".xz"):
            data = lzma.decompress(data)
        _cpio_entry(out, "lib/modules/%s.ko" % name, stat.S_IFREG | 0o644, data)
        names.append(name)
    for name, program in programs.items():
        with open(program, "rb") as f:
            _cpio_entry(out, "bin/" + name, stat.S_IFREG | 0o755, f.read())
    init = INIT % {"modules": " ".join(names), "begin": TRACE_BEGIN, "end": TRACE_END}
    _cpio_entry(out, "init", stat.S_IFREG | 0o755, init.encode())
    _cpio_entry(out, "payload.sh", stat.S_IFREG | 0o644, payload.encode())
    _cpio_entry(out, "TRAILER!!!", 0)
    with gzip.open(path, "wb") as f:
        f.write(out.getvalue())


def domain_xml(name, domain_uuid, vmlinuz, initrd, serial):
    """A TCG domain booting VMLINUZ with INITRD. no_timer_check: on a loaded host TCG's timer
    can miss the kernel's early IO-APIC check, which then panics; panic=1 and on_reboot
    destroy end a domain whose kernel panicked anyway, instead of leaving it hanging."""
    return """<domain type='qemu'>
  <name>%s</name>
  <uuid>%s</uuid>
  <title>%s</title>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>console=ttyS0 quiet no_timer_check panic=1</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>%s</emulator>
    <serial type='file'><source path='%s'/><target port='0'/></serial>
  </devices>
</domain>
""" % (name, domain_uuid, libvirtd.TITLE, vmlinuz, initrd,
       shutil.which("qemu-system-x86_64"), serial)


# --- a private tracefs ---------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNS = 0x00020000
_MS_REC = 0x4000
_MS_PRIVATE = 1 << 18


def private_tracefs(directory):
    """Puts this process (and what it starts) in a mount namespace of its own and mounts
    tracefs on DIRECTORY there; the host's mount table is left alone."""
    if _libc.unshare(_CLONE_NEWNS) != 0:
        skip("cannot make a private mount namespace: %s" % os.strerror(ctypes.get_errno()))
    if _libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
        skip("cannot make / private: %s" % os.strerror(ctypes.get_errno()))
    os.makedirs(directory, exist_ok=True)
    if _libc.mount(b"nodev", directory.encode(), b"tracefs", 0, None) != 0:
        skip("cannot mount tracefs: %s" % os.strerror(ctypes.get_errno()))


class Host:
    """The host side of a run: work directory, tracefs, a syslog receiver, and kvmrtd."""

    def __init__(self, instance):
        self.work = tempfile.mkdtemp(prefix="kvmrt-gs-")
        os.chmod(self.work, 0o755)   # QEMU's user reads the kernel and writes the serial log
        self.tracefs = os.path.join(self.work, "tracing")
        private_tracefs(self.tracefs)
        self.instance = instance
        self.instance_dir = os.path.join(self.tracefs, "instances", instance)
        self.log_path = os.path.join(self.work, "log.sock")
        self.log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.log.bind(self.log_path)
        self.log.setblocking(False)
        self.config = os.path.join(self.work, "kvmrt.cfg")
        self.daemon = None
        self.messages = []

    def write_config(self, vms, extra=""):
        """VMS: [(uuid, name)], each with guest_services = true; then EXTRA."""
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(extra)
            for domain_uuid, name in vms:
                f.write("[%s]\nname = %s\ntitle = %s\nnr_vcpus = 1\nguest_services = true\n\n"
                        % (domain_uuid, name, libvirtd.TITLE))

    def sync(self):
        proc = _run([os.path.join(CLI, "kvmrt-sync-config"), "-f", self.config])
        if proc.returncode != 0:
            raise RuntimeError("kvmrt-sync-config failed (%d): %s%s"
                               % (proc.returncode, proc.stdout, proc.stderr))
        return proc.stdout

    def start_daemon(self, extra=()):
        self.daemon_log = open(os.path.join(self.work, "kvmrtd.log"), "w")
        self.daemon = subprocess.Popen(
            [os.path.join(CLI, "kvmrtd"), "-f", self.config, "--no-boot", "--interval", "1",
             "--gs-tracefs", self.tracefs, "--gs-instance", self.instance,
             "--gs-log", "syslog:" + self.log_path, *extra],
            stdout=self.daemon_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not os.path.exists(os.path.join(self.instance_dir, "trace")):
            if self.daemon.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("kvmrtd did not open its trace instance: %s"
                                   % self.daemon_output())
            time.sleep(0.1)

    def daemon_output(self):
        self.daemon_log.flush()
        with open(os.path.join(self.work, "kvmrtd.log"), encoding="utf-8") as f:
            return f.read()

    def thread_affinity(self, name):
        """Cpus_allowed_list of kvmrtd's thread NAME, or None."""
        for tid in os.listdir("/proc/%d/task" % self.daemon.pid):
            try:
                with open("/proc/%d/task/%s/comm" % (self.daemon.pid, tid)) as f:
                    if f.read().strip() != name:
                        continue
                with open("/proc/%d/task/%s/status" % (self.daemon.pid, tid)) as f:
                    for line in f:
                        if line.startswith("Cpus_allowed_list:"):
                            return line.split()[1]
            except OSError:
                continue
        return None

    def daemon_rss_kib(self):
        with open("/proc/%d/status" % self.daemon.pid, encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def receive_messages(self):
        while True:
            try:
                self.messages.append(self.log.recv(65536).decode("utf-8", "replace"))
            except BlockingIOError:
                return self.messages

    def host_trace(self):
        with open(os.path.join(self.instance_dir, "trace"), encoding="utf-8") as f:
            return f.read()

    def close(self):
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        try:
            os.rmdir(self.instance_dir)   # tracefs instances are global: remove ours
        except OSError:
            pass
        subprocess.run(["umount", self.tracefs], check=False, capture_output=True)
        self.log.close()


class Guests:
    """Domains NAME-PREFIX-i running PAYLOADS, defined, synced, started and always removed."""

    def __init__(self, host, prefix, payloads):
        self.host = host
        self.names = ["%s-%d" % (prefix, i) for i in range(len(payloads))]
        self.uuids = [str(uuid.uuid4()) for _ in payloads]
        self.payloads = payloads
        self.serials = [os.path.join(host.work, name + ".serial") for name in self.names]

    def __enter__(self):
        vmlinuz, modules = kernel()
        programs = guest_programs()
        try:
            for name, domain_uuid, payload, serial in zip(self.names, self.uuids, self.payloads,
                                                          self.serials):
                initrd = os.path.join(self.host.work, name + ".img")
                initramfs(initrd, modules, programs, payload)
                kernel_copy = os.path.join(self.host.work, "vmlinuz")
                if not os.path.exists(kernel_copy):
                    shutil.copy(vmlinuz, kernel_copy)
                path = os.path.join(self.host.work, name + ".xml")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(domain_xml(name, domain_uuid, kernel_copy, initrd, serial))
                libvirtd._remove_stale_test_domain(name)
                libvirtd._update_state("domains", add=[domain_uuid])
                libvirtd.virsh("define", path)
        except BaseException:
            self.__exit__()
            raise
        return self

    def start(self):
        for domain_uuid in self.uuids:
            libvirtd.virsh("start", domain_uuid)

    def wait_off(self, timeout=BOOT_TIMEOUT):
        deadline = time.monotonic() + timeout
        for domain_uuid, name in zip(self.uuids, self.names):
            while libvirtd.virsh("domstate", domain_uuid).strip() != "shut off":
                if time.monotonic() > deadline:
                    raise RuntimeError("%s did not power off within %d s; its console:\n%s"
                                       % (name, timeout, self.console(name)[-3000:]))
                time.sleep(0.5)

    def console(self, name):
        try:
            with open(self.serials[self.names.index(name)], encoding="utf-8",
                      errors="replace") as f:
                return f.read().replace("\r", "")
        except OSError:
            return ""

    def guest_trace(self, name):
        text = self.console(name)
        if TRACE_BEGIN not in text or TRACE_END not in text:
            raise RuntimeError("%s printed no trace; its console:\n%s" % (name, text[-3000:]))
        return text.split(TRACE_BEGIN + "\n", 1)[1].split(TRACE_END, 1)[0]

    def __exit__(self, *exc):
        for domain_uuid in self.uuids:
            libvirtd.virsh("destroy", domain_uuid, check=False)
            libvirtd.virsh("undefine", domain_uuid, check=False)
        libvirtd._update_state("domains", remove=self.uuids)


EVENT = re.compile(r"^\s*(?P<task>.+?)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]\s+\S+\s+"
                   r"(?P<ts>\d+\.\d+):\s+tracing_mark_write:\s+(?P<event>KVMRT_GS_\w+)"
                   r"(?P<fields>.*)$")


def events(trace, kind=None, vm=None):
    """The KVMRT_GS_* events of an ftrace text listing: [(event, {field: value})]."""
    found = []
    for line in trace.splitlines():
        match = EVENT.match(line)
        if not match:
            continue
        fields = dict(item.split("=", 1) for item in match.group("fields").split()
                      if "=" in item)
        if kind is not None and match.group("event") != kind:
            continue
        if vm is not None and fields.get("vm") != vm:
            continue
        found.append((match.group("event"), fields))
    return found
