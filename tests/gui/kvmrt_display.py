# SPDX-License-Identifier: GPL-2.0-or-later
"""A private X display with a session bus and the accessibility bus, for driving the kvmrt
window the way a user would: find widgets by their accessible names over AT-SPI, press them,
read labels back, and take screenshots. Everything started here is stopped by its PID."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

AT_SPI_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"


class Unavailable(Exception):
    """The display suite cannot run here (no Xvfb, no AT-SPI): the test skips."""


def _need(program):
    path = shutil.which(program) or (program if os.path.exists(program) else None)
    if path is None:
        raise Unavailable("%s is not installed" % program)
    return path


class Display:
    """Xvfb + dbus-daemon (session) + at-spi-bus-launcher. Use as a context manager; env is
    the environment for programs on this display."""

    def __init__(self, width=1400, height=1000):
        self.size = "%dx%dx24" % (width, height)
        self.processes = []
        self.env = None
        self.tmp = tempfile.mkdtemp(prefix="kvmrt-display-")

    def _start(self, argv, env=None, **kw):
        p = subprocess.Popen(argv, env=env, **kw)
        self.processes.append(p)
        return p

    def _start_xvfb(self, xvfb):
        """Starts a server on a free display; its number, or None if it did not stay up."""
        r, w = os.pipe()
        # -noreset: like a desktop's server, it keeps its state when the last client leaves,
        # instead of recompiling the keymap (xkbcomp) just as the next program starts.
        server = self._start([xvfb, "-displayfd", str(w), "-screen", "0", self.size,
                              "-nolisten", "tcp", "-ac", "-noreset"],
                             pass_fds=(w,), stderr=subprocess.DEVNULL)
        os.close(w)
        number = b""
        deadline = time.monotonic() + 20
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            chunk = os.read(r, 16)
            if not chunk:
                break
            number += chunk
        os.close(r)
        if number.strip() and not self._accepts(number.decode().strip(), server):
            number = b""
        if not number.strip() or server.poll() is not None:
            if server.poll() is None:
                server.terminate()
                server.wait()
            return None
        return number.decode().strip()

    @staticmethod
    def _accepts(number, server, seconds=5):
        """Whether the server on :number takes connections on its socket (bounded wait)."""
        import socket
        path = "/tmp/.X11-unix/X%s" % number
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(path)
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def __enter__(self):
        xvfb = _need("Xvfb")
        dbus = _need("dbus-daemon")
        _need(AT_SPI_LAUNCHER)
        number = None
        # Two servers starting at once may pick the same free number; the loser exits. Try
        # again then.
        for _ in range(3):
            number = self._start_xvfb(xvfb)
            if number is not None:
                break
        if number is None:
            # Installed but not starting is a failure, not a reason to skip.
            self.__exit__(None, None, None)
            raise RuntimeError("Xvfb is installed but did not start three times")
        env = dict(os.environ)
        env.update({
            "DISPLAY": ":" + number,
            "XDG_RUNTIME_DIR": self.tmp,
            "GDK_BACKEND": "x11",
            "GTK_A11Y": "atspi",
            "NO_AT_BRIDGE": "0",
            "GSETTINGS_BACKEND": "memory",
            "LC_ALL": "C.UTF-8",
        })
        env.pop("WAYLAND_DISPLAY", None)
        bus = self._start([dbus, "--session", "--nofork", "--print-address=1"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        # Its registry daemon prints a line on the stdout it inherits: not into our TAP.
        self._start([AT_SPI_LAUNCHER, "--launch-immediately"], env=env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.env = env
        # pyatspi reads the bus address from the process environment when it is imported.
        os.environ.update({k: env[k] for k in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
                                               "XDG_RUNTIME_DIR")})
        time.sleep(0.5)
        return self

    def screenshot(self, path):
        subprocess.run(["import", "-display", self.env["DISPLAY"], "-window", "root", path],
                       check=True, env=self.env, timeout=30)

    def __exit__(self, *exc):
        for p in reversed(self.processes):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return False


class App:
    """A running kvmrt on a Display, found over AT-SPI."""

    def __init__(self, display, argv, name="kvmrt"):
        try:
            import pyatspi  # noqa: F401  (system python3-pyatspi)
        except ImportError as e:
            raise Unavailable("python3-pyatspi is missing (%s)" % e)
        self.display = display
        self.argv = argv
        self.name = name
        self.process = None
        self.root = None

    def __enter__(self):
        self.started = time.monotonic()
        self.log = open(os.path.join(self.display.tmp, "app.log"), "w+")
        self.process = subprocess.Popen(self.argv, env=self.display.env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self.root = self.wait_for(lambda: self._find_app(), timeout=60,
                                  what="the application on the accessibility bus")
        return self

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def _find_app(self):
        import pyatspi
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.get_process_id() == self.process.pid:
                return app
        return None

    def wait_for(self, probe, timeout=30, what="a condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError("kvmrt exited with %s while waiting for %s:\n%s"
                                     % (self.process.returncode, what, self.output()))
            try:
                found = probe()
            except Exception:  # the tree changes under us: try again
                found = None
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError("timed out after %d s waiting for %s" % (timeout, what))

    # Finding nodes -----------------------------------------------------------------------

    @staticmethod
    def clean_name(name):
        """GTK 4.8 names a button with a mnemonic "_Boot All… Boot All…": its label twice, the
        first with the underscore. Gives "Boot All…"."""
        name = name or ""
        plain = name.replace("_", "")
        half = (len(plain) - 1) // 2
        if len(plain) % 2 == 1 and plain[half] == " " and plain[:half] == plain[half + 1:]:
            return plain[:half]
        return name

    def find_all(self, role=None, name=None, root=None, visible=True):
        import pyatspi
        found = []

        def match(node):
            if node is None:
                return False
            if role is not None and node.getRoleName() != role:
                return False
            node_name = self.clean_name(node.name)
            if name is not None and not (node_name == name or
                                         (callable(name) and name(node_name))):
                return False
            # GTK 4.8 sets no "showing" state; "visible" is the widget's own flag.
            if visible and not node.getState().contains(pyatspi.STATE_VISIBLE):
                return False
            return True

        stack = [root or self.root]
        while stack:
            node = stack.pop()
            if node is None:
                continue
            if match(node):
                found.append(node)
            try:
                stack.extend(node.getChildAtIndex(i) for i in range(node.childCount - 1, -1, -1))
            except Exception:
                pass
        return found

    def find(self, role=None, name=None, root=None, timeout=20):
        what = "%s %r" % (role or "node", name)
        return self.wait_for(lambda: (self.find_all(role, name, root) or [None])[0],
                             timeout=timeout, what=what)

    def press(self, node):
        action = node.queryAction()
        for i in range(action.nActions):
            if action.getName(i) in ("click", "press", "activate", "toggle"):
                action.doAction(i)
                return
        action.doAction(0)

    def texts(self, root):
        """Every label's text below @root."""
        return [self.clean_name(n.name) for n in self.find_all(role="label", root=root) if n.name]

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return False
