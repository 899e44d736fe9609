# SPDX-License-Identifier: GPL-2.0-or-later
"""A real libvirtd for the integration tests and the boot benchmark: the running one when
qemu:///system answers, else virtlogd and libvirtd started here in the foreground and stopped
by their PIDs afterwards. Tiny QEMU domains (TCG, 64 MiB, no disk) to run in it.

What a test run starts is recorded in STATE (daemon PIDs with their start times, domain UUIDs),
so that the next run stops and removes what a killed run left behind: meson ends a test that
times out with SIGTERM to its process group and SIGKILL half a second later, too soon for any
cleanup. The daemons run in their own session (the group signal does not reach them), get
SIGTERM from the kernel when the test process dies (PR_SET_PDEATHSIG), and are stopped by the
test itself on a normal exit or a SIGTERM it receives."""
import ctypes
import fcntl
import grp
import json
import os
import pwd
import shutil
import signal
import struct
import subprocess
import sys
import time
import uuid

URI = "qemu:///system"
LIBVIRTD_PID_FILE = "/run/libvirtd.pid"
VIRTLOGD_PID_FILE = "/run/virtlogd.pid"
STATE_DIR = "/run/kvmrt-tests"
STATE = os.path.join(STATE_DIR, "libvirtd.json")
# Every wait on libvirt is bounded, and well inside meson's timeouts.
VIRSH_TIMEOUT = 60
START_TIMEOUT = 30
STOP_TIMEOUT = 20
PID_FILE_TIMEOUT = 30
TITLE = "kvmrt test domain"   # marks the domains defined here


def skip(reason):
    """Ends a TAP test script as skipped: meson reads a plan of 0 with SKIP as a skip (exit
    status 77 is an error to its TAP parser)."""
    print("1..0 # SKIP " + reason)
    sys.stdout.flush()
    sys.exit(0)


def skip_unless_root():
    if os.geteuid() != 0:
        skip("needs root to run libvirtd and QEMU (CI runs as root)")


def skip_unless_able():
    skip_unless_root()
    for program in ("/usr/sbin/libvirtd", "/usr/sbin/virtlogd", "/usr/bin/qemu-system-x86_64"):
        if not os.path.exists(program):
            skip("%s is missing: ./setup.sh installs libvirt-daemon-system and "
                 "qemu-system-x86" % program)


def virsh(*args, check=True, timeout=VIRSH_TIMEOUT):
    try:
        proc = subprocess.run(["virsh", "-q", "-c", URI, *args], capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError("virsh %s: no answer from libvirtd within %d s"
                           % (" ".join(args), timeout)) from None
    if check and proc.returncode != 0:
        raise RuntimeError("virsh %s: %s" % (" ".join(args), proc.stderr.strip()))
    return proc.stdout


def answers():
    try:
        proc = subprocess.run(["virsh", "-c", URI, "version"], capture_output=True,
                              timeout=10, check=False)
    except subprocess.TimeoutExpired:
        return False
    return proc.returncode == 0


# --- processes by PID -------------------------------------------------------------------

def _stat_fields(pid):
    """/proc/PID/stat after the command name: [state, ppid, ...], or None when gone."""
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _start_time(pid):
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else None


def _alive(pid, start_time=None):
    """PID runs (a zombie does not: this host's init reaps orphans late), and is the same
    process as when START_TIME was read."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return False
    return start_time is None or int(fields[19]) == start_time


def _wait_gone(pid, start_time, seconds):
    deadline = time.monotonic() + seconds
    while _alive(pid, start_time):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _stop_pid(pid, start_time, seconds=STOP_TIMEOUT):
    """SIGTERM to PID (if it is still the process started at START_TIME), SIGKILL if it has
    not exited after SECONDS."""
    for sig, wait in ((signal.SIGTERM, seconds), (signal.SIGKILL, 5)):
        if not _alive(pid, start_time):
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if _wait_gone(pid, start_time, wait):
            return


def _pid_file_holder(path):
    """The PID holding libvirt's lock on the pid file PATH (byte 0), or None."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 1, 0)
        l_type, _, _, _, l_pid = struct.unpack("hhqqi4x", fcntl.fcntl(fd, fcntl.F_GETLK, query))
        return None if l_type == fcntl.F_UNLCK else l_pid
    finally:
        os.close(fd)


# --- what a run started, for the next run -----------------------------------------------

def _load_state():
    try:
        with open(STATE, encoding="utf-8") as f:
            state = json.load(f)
    except (OSError, ValueError):
        state = {}
    state.setdefault("daemons", [])
    state.setdefault("domains", [])
    return state


def _save_state(state):
    os.makedirs(STATE_DIR, exist_ok=True)
    if not state["daemons"] and not state["domains"]:
        try:
            os.unlink(STATE)
        except FileNotFoundError:
            pass
        return
    tmp = STATE + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f)
    os.rename(tmp, STATE)


def _update_state(key, add=(), remove=()):
    state = _load_state()
    state[key] = [item for item in state[key] if item not in remove] + list(add)
    _save_state(state)


def _forget_domain_everywhere(domain_uuid):
    virsh("destroy", domain_uuid, check=False, timeout=30)
    virsh("undefine", domain_uuid, check=False, timeout=30)


def _clean_leftovers():
    """Stops the daemons and removes the domains a killed run left behind. Daemons first go
    through libvirt (destroy, undefine), so their QEMU processes do not outlive them."""
    state = _load_state()
    live = [d for d in state["daemons"] if _alive(d["pid"], d["start"])]
    if live and state["domains"] and answers():
        for domain_uuid in state["domains"]:
            _forget_domain_everywhere(domain_uuid)
        state["domains"] = []
    for daemon in sorted(live, key=lambda d: d["name"] != "libvirtd"):   # libvirtd first
        print("# stopping %s %d left by an earlier run" % (daemon["name"], daemon["pid"]))
        _stop_pid(daemon["pid"], daemon["start"])
    state["daemons"] = []
    _save_state(state)
    return state["domains"]


# --- /dev/kvm -----------------------------------------------------------------------------

def _qemu_user():
    """The user and group libvirt runs QEMU as (qemu.conf; Debian's default libvirt-qemu)."""
    user, group = "libvirt-qemu", None
    try:
        with open("/etc/libvirt/qemu.conf", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition("=")
                if key.strip() == "user":
                    user = value.strip().strip('"')
                elif key.strip() == "group":
                    group = value.strip().strip('"')
    except OSError:
        pass
    return user, group


def _kvm_needs_hiding():
    """True when /dev/kvm exists but the QEMU user may not open it (no udev here to apply
    Debian's 0660 root:kvm rule). libvirt 9.0 then re-probes QEMU on every capabilities
    lookup, each probe taking seconds ("KVM was enabled when probing ..., but it is not
    available now": its probe keeps root's capabilities and gets KVM, its check runs as the
    QEMU user and does not), so defining or starting one domain took from 5 s to minutes."""
    if not os.path.exists("/dev/kvm"):
        return False
    user, group = _qemu_user()
    if user in ("root", "+0", "0"):
        return False
    try:
        pw = pwd.getpwnam(user.lstrip("+"))
        gid = grp.getgrnam(group.lstrip("+")).gr_gid if group else pw.pw_gid
    except KeyError:
        return False
    proc = subprocess.run(["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % gid,
                           "--init-groups", "test", "-r", "/dev/kvm", "-a", "-w", "/dev/kvm"],
                          capture_output=True, timeout=10, check=False)
    return proc.returncode != 0


def _hide_kvm(argv):
    """ARGV run in a mount namespace of its own where /dev/kvm is an empty file: libvirt's
    probe then gets TCG, its capabilities stay valid, and the domains run in TCG as they would
    anyway. There libvirt runs QEMU without a private /dev (qemu.conf namespaces = [], through
    a copy of qemu.conf): it would try to carry the /dev/kvm mount into it, and fails."""
    os.makedirs(STATE_DIR, exist_ok=True)
    mask = os.path.join(STATE_DIR, "kvm-hidden")
    with open(mask, "w"):
        pass
    os.chmod(mask, 0o600)
    conf = os.path.join(STATE_DIR, "qemu.conf")
    with open("/etc/libvirt/qemu.conf", encoding="utf-8") as f:
        lines = [line for line in f if line.partition("=")[0].strip() != "namespaces"]
    with open(conf, "w", encoding="utf-8") as f:
        f.writelines(lines)
        f.write("\n# kvmrt tests: /dev/kvm is hidden from this daemon\nnamespaces = []\n")
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
            'mount --bind "$0" /dev/kvm && mount --bind "$1" /etc/libvirt/qemu.conf && shift '
            '&& exec "$@"', mask, conf] + argv


_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Terminated(SystemExit):
    """Raised by the SIGTERM handler, so that every `with` block cleans up."""


def _on_sigterm(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)   # one unwinding, not a second one inside
    raise Terminated(128 + signal.SIGTERM)


class LibvirtDaemon:
    """Uses the running daemon, or starts one and stops exactly what it started."""

    def __init__(self):
        self.started = []   # (name, Popen, start time), in start order
        self.log_dir = None
        self.old_sigterm = None

    def __enter__(self):
        self.old_sigterm = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            leftover_domains = _clean_leftovers()
            if not answers():
                self._start_daemons()
            for domain_uuid in leftover_domains:
                _forget_domain_everywhere(domain_uuid)
            _update_state("domains", remove=leftover_domains)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_pid_file(self, path):
        """Waits (bounded) until no process holds PATH: a daemon someone else started and is
        still shutting down (or starting: then it answers and is used)."""
        deadline = time.monotonic() + PID_FILE_TIMEOUT
        while True:
            holder = _pid_file_holder(path)
            if holder is None:
                return True
            if path == LIBVIRTD_PID_FILE and answers():
                return False
            if time.monotonic() > deadline:
                raise RuntimeError("%s is still held by PID %d after %d s (a daemon that "
                                   "neither answers nor exits)" % (path, holder,
                                                                    PID_FILE_TIMEOUT))
            time.sleep(0.2)

    def _start_daemons(self):
        # Next to the test logs under meson (G_TEST_BUILDDIR is the build's tests/).
        self.log_dir = os.path.join(os.environ.get("G_TEST_BUILDDIR", "/tmp"),
                                    "libvirtd-test-logs")
        os.makedirs(self.log_dir, exist_ok=True)
        if self._wait_pid_file(VIRTLOGD_PID_FILE):
            self._start("virtlogd", ["/usr/sbin/virtlogd"])
        if not self._wait_pid_file(LIBVIRTD_PID_FILE):
            return   # another daemon came up meanwhile: use it
        argv = ["/usr/sbin/libvirtd"]
        if _kvm_needs_hiding():
            argv = _hide_kvm(argv)
            print("# /dev/kvm is not usable by QEMU's user: hidden from the libvirtd "
                  "started here")
        self._start("libvirtd", argv)
        deadline = time.monotonic() + START_TIMEOUT
        while not answers():
            if time.monotonic() > deadline:
                raise RuntimeError("libvirtd did not answer within %d s; see %s"
                                   % (START_TIMEOUT, self.log_dir))
            for name, proc, _ in self.started:
                if proc.poll() is not None:
                    raise RuntimeError("%s exited with %d; see %s"
                                       % (name, proc.returncode, self.log_dir))
            time.sleep(0.2)

    def _start(self, name, argv):
        with open(os.path.join(self.log_dir, name + ".log"), "w") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    preexec_fn=_die_with_parent)
        started = _start_time(proc.pid)
        self.started.append((name, proc, started))
        _update_state("daemons", add=[{"name": name, "pid": proc.pid, "start": started}])

    def stop(self):
        for name, proc, started in reversed(self.started):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            _update_state("daemons", remove=[{"name": name, "pid": proc.pid,
                                              "start": started}])
        self.started = []

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            if self.old_sigterm is not None:
                signal.signal(signal.SIGTERM, self.old_sigterm)
                self.old_sigterm = None


def tiny_domain_xml(name, domain_uuid, vcpus=1, extra=""):
    """EXTRA: domain elements (memoryBacking, cputune, ...) placed before <devices>."""
    return """<domain type='qemu'>
  <name>%s</name>
  <uuid>%s</uuid>
  <title>%s</title>
  <memory unit='MiB'>64</memory>
  <vcpu>%d</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
%s  <devices>
    <emulator>%s</emulator>
    <serial type='pty'/>
    <console type='pty'/>
  </devices>
</domain>
""" % (name, domain_uuid, TITLE, vcpus, extra, shutil.which("qemu-system-x86_64"))


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
                _remove_stale_test_domain(name)
                _update_state("domains", add=[domain_uuid])
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
        _update_state("domains", remove=self.uuids)


def _remove_stale_test_domain(name):
    """A test domain NAME that a killed run left defined (one this helper did not record)."""
    if virsh("desc", "--title", name, check=False).strip() == TITLE:
        _forget_domain_everywhere(name)
