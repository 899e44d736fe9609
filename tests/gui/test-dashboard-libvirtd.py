#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The dashboard on a real libvirtd (qemu:///system) with real QEMU processes: two tiny TCG
domains (64 MiB, no disk, not real-time) imported with kvmrt-import, the window under Xvfb
driven over AT-SPI. A VM boots from its card's menu; virsh destroy and virsh start from
outside show on the card at once (libvirt's lifecycle events: the latency is printed); the
Runtime Details window lists the QEMU threads; Shut Down All with power off stops both.
PNG screenshots of each state go to KVMRT_SCREENSHOT_DIR. Skips without root, libvirtd,
QEMU, Xvfb or AT-SPI. The libvirtd started here (when none answers), the domains and the app
are stopped or removed afterwards."""
import contextlib
import functools
import os
import re
import shutil
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, TESTS)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TESTS, "libvirt"))
import libvirtd  # noqa: E402
import kvmrt_display  # noqa: E402
import kvmrt_tap  # noqa: E402
from kvmrt_tap import check, main, run  # noqa: E402

APP = os.environ["KVMRT_APP"]
SHOTS = os.environ.get("KVMRT_SCREENSHOT_DIR", ".")
TITLES = ["Tiny Guest A", "Tiny Guest B"]
# The lifecycle event reaches the card well inside this; the 2 s poll alone could take up
# to 2 s plus a refresh, so a latency near it means events are not followed.
EVENT_LATENCY_S = 1.5
state = {}


def shot(name):
    os.makedirs(SHOTS, exist_ok=True)
    state["display"].screenshot(os.path.join(SHOTS, "dashboard-libvirtd-%s.png" % name))


def card(title):
    app = state["app"]

    def probe():
        found = [n for n in app.find_all(name=title) if n.getRoleName() != "label"]
        return found[0] if found else None
    return app.wait_for(probe, what="the card of %s" % title)


def power_state(title):
    app = state["app"]
    icon = app.find(name=lambda n: n.startswith("Power state: "), root=card(title))
    return app.clean_name(icon.name)[len("Power state: "):]


def wait_state(title, wanted, timeout=30):
    state["app"].wait_for(lambda: power_state(title) == wanted, timeout=timeout,
                          what="%s to be %s (it is %s)" % (title, wanted, power_state(title)))


def menu_action(title, label):
    app = state["app"]
    button = app.find(name="Actions for %s" % title, root=card(title))
    inner = app.find_all(role="push button", root=button) or [button]
    app.press(inner[-1])
    # The popover is the menu button's child: not another card's menu, still in the tree.
    app.press(app.find(role="menu item", name=label.replace("_", ""), root=button))


def case(func):
    """kvmrt_tap's @case, with the line of this file where a case failed."""
    @functools.wraps(func)
    def wrapper():
        try:
            func()
        except Exception as error:
            frames = [f for f in traceback.extract_tb(error.__traceback__)
                      if f.filename == __file__]
            where = " (line %d: %s)" % (frames[-1].lineno, frames[-1].line) if frames else ""
            raise AssertionError("%s%s" % (error, where)) from error
    return kvmrt_tap.case(wrapper)


def click(node):
    """A pointer click in the middle of @node (XTest through the accessibility registry).
    Xvfb has no window manager: every window sits at 0,0, where GTK 4 puts the origin of the
    coordinates it reports."""
    import pyatspi
    x, y, width, height = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    pyatspi.Registry.generateMouseEvent(x + min(width // 2, 10), y + height // 2, "b1c")


def window_extents(title_prefix):
    import pyatspi
    window = state["app"].find(role="frame", name=lambda n: n.startswith(title_prefix))
    return window.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)


def domain(index):
    return state["domains"].uuids[index]


def wait_qemu(index, running, timeout=30):
    deadline = time.monotonic() + timeout
    while (libvirtd.qemu_pid(domain(index)) is not None) != running:
        check(time.monotonic() < deadline, "QEMU of %s still %s after %d s"
              % (TITLES[index], "missing" if running else "there", timeout))
        time.sleep(0.1)
    return libvirtd.qemu_pid(domain(index))


def timed_wait_state(title, wanted, timeout=15):
    """Waits for the card to show @wanted; the seconds it took."""
    start = time.monotonic()
    app = state["app"]
    icon = app.find(name=lambda n: n.startswith("Power state: "), root=card(title))
    app.wait_for(lambda: app.clean_name(icon.name) == "Power state: " + wanted,
                 timeout=timeout, what="%s to be %s" % (title, wanted))
    return time.monotonic() - start


@case
def both_cards_show_shut_off():
    app = state["app"]
    for title in TITLES:
        card(title)
    shot("start")
    for title in TITLES:
        check(power_state(title) == "shut off", "%s is %s" % (title, power_state(title)))
    labels = app.texts(app.root)
    check(any(t == state["cfg"] or t.endswith(os.path.basename(state["cfg"])) for t in labels),
          "the configuration path is not in the header: %r" % labels[:12])
    check(not app.find_all(role="push button", name=lambda n: n.startswith("Real-time"),
                           root=card(TITLES[0])), "a VM that is not real-time has no badge")


@case
def boot_from_the_menu_starts_qemu():
    menu_action(TITLES[0], "_Boot")
    wait_state(TITLES[0], "running", timeout=60)
    pid = wait_qemu(0, True)
    check(pid is not None, "no QEMU process for %s" % TITLES[0])
    out = libvirtd.virsh("domstate", domain(0)).strip()
    check(out == "running", "virsh domstate says %r" % out)
    texts = state["app"].texts(card(TITLES[0]))
    check(any(t.startswith("Started") for t in texts), "no boot result on the card: %r" % texts)
    check(power_state(TITLES[1]) == "shut off", "the other VM is %s" % power_state(TITLES[1]))
    shot("booted")


@case
def virsh_destroy_shows_at_once():
    app = state["app"]
    icon = app.find(name=lambda n: n.startswith("Power state: "), root=card(TITLES[0]))
    check(app.clean_name(icon.name) == "Power state: running", icon.name)
    libvirtd.virsh("destroy", domain(0))
    latency = timed_wait_state(TITLES[0], "shut off")
    print("# virsh destroy -> card shows shut off: %.2f s" % latency)
    check(latency < EVENT_LATENCY_S, "the card took %.2f s: libvirt's lifecycle event was not "
          "followed (the 2 s poll found it)" % latency)
    wait_qemu(0, False)
    shot("destroyed")


@case
def virsh_start_shows_at_once():
    libvirtd.virsh("start", domain(0))
    latency = timed_wait_state(TITLES[0], "running")
    print("# virsh start -> card shows running: %.2f s" % latency)
    check(latency < EVENT_LATENCY_S, "the card took %.2f s to show the start" % latency)
    check(wait_qemu(0, True) is not None, "no QEMU process after virsh start")
    shot("started-by-virsh")


@case
def runtime_details_lists_qemu_threads():
    app = state["app"]
    pid = wait_qemu(0, True)
    names = set(libvirtd.thread_names(pid).values())
    check("CPU 0/TCG" in names, "QEMU's threads: %r" % sorted(names))
    menu_action(TITLES[0], "Runtime _Details")
    # The details window belongs to the same application: its labels are under app.root.
    app.find(role="frame", name=lambda n: n.startswith("Runtime Details"), timeout=20)
    cell = app.find(role="label", name="CPU 0/TCG", timeout=20)
    check(cell is not None, "no CPU 0/TCG row")
    labels = app.texts(app.root)
    check("PID %d" % pid in labels, "the QEMU PID %d is not shown: %r" % (pid, labels[:60]))
    tids = [tid for tid, name in libvirtd.thread_names(pid).items() if name == "CPU 0/TCG"]
    check(any(str(tid) in labels for tid in tids),
          "the thread ID of CPU 0/TCG (%r) is not listed" % tids)
    # Down to the thread list for the screenshot: the pointer's wheel over the window.
    import pyatspi
    x, y, width, height = window_extents("Runtime Details")
    for _ in range(15):
        pyatspi.Registry.generateMouseEvent(x + width // 2, y + height // 2, "b5c")
        time.sleep(0.05)
    time.sleep(0.5)
    shot("details")
    # Close it again (Escape would need a keyboard: the window's close button).
    window = app.find(role="frame", name=lambda n: n.startswith("Runtime Details"))
    close = app.find_all(role="push button", name="Close", root=window)
    if close:
        app.press(close[0])


@case
def shut_down_all_with_power_off_stops_both():
    import pyatspi   # (only once the display is up: it reads the bus address on import)
    app = state["app"]
    menu_action(TITLES[1], "_Boot")
    wait_state(TITLES[1], "running", timeout=60)
    wait_qemu(1, True)
    app.press(app.find(role="push button", name="Shut Down All…"))
    # GTK 4.8 names a check button by its mnemonic label as is ("_Power off ..."), and
    # gives it no action over AT-SPI: it is clicked with the pointer.
    force = app.find(role="check box",
                     name=lambda n: n.replace("_", "").startswith("Power off VMs still running"))
    click(force)
    app.wait_for(lambda: force.getState().contains(pyatspi.STATE_CHECKED),
                 what="the power-off box to be checked")
    shot("shutdown-all")
    start = time.monotonic()
    app.press(app.find(role="push button", name="Shut Down"))
    # The guests have no OS to answer ACPI: they are powered off after the app's timeout.
    for title in TITLES:
        wait_state(title, "shut off", timeout=SHUTDOWN_TIMEOUT_S + 30)
    print("# Shut Down All with power off: %.1f s" % (time.monotonic() - start))
    for index in range(2):
        wait_qemu(index, False)
        out = libvirtd.virsh("domstate", domain(index)).strip()
        check(out == "shut off", "virsh domstate %s says %r" % (TITLES[index], out))
    shot("all-shut-off")


def app_shutdown_timeout():
    """SHUTDOWN_TIMEOUT_S of app/kvmrt-window-actions.c: how long Shut Down All waits."""
    path = os.path.join(os.path.dirname(TESTS), "app", "kvmrt-window-actions.c")
    with open(path, encoding="utf-8") as f:
        found = re.search(r"#define SHUTDOWN_TIMEOUT_S (\d+)", f.read())
    return int(found.group(1)) if found else 60


SHUTDOWN_TIMEOUT_S = app_shutdown_timeout()


def make_config(work, domains):
    cfg = os.path.join(work, "kvmrt.cfg")
    status, out, err = run("kvmrt-import", "-f", cfg, "-c", libvirtd.URI, *domains.uuids)
    if status != 0:
        raise RuntimeError("kvmrt-import exit %d: %s" % (status, err))
    with open(cfg, encoding="utf-8") as f:
        text = f.read()
    sections = re.split(r"(?m)^(?=\[)", text)
    out = []
    for section in sections:
        for index, domain_uuid in enumerate(domains.uuids):
            if section.lower().startswith("[%s]" % domain_uuid.lower()):
                section = re.sub(r"(?m)^title =.*$", "title = " + TITLES[index], section)
                section = re.sub(r"(?m)^rt =.*$", "rt = false", section)
                section = re.sub(r"(?m)^autostart =.*$",
                                 "autostart = %s" % ("true" if index == 0 else "false"),
                                 section)
        out.append(section)
    text = "".join(out)
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(text)
    for index in range(2):
        check(("title = " + TITLES[index]) in text, "no title line in:\n" + text)
    check(not re.search(r"(?m)^rt = (true|yes)", text), "a VM stayed real-time:\n" + text)
    return cfg


@contextlib.contextmanager
def stdout_to_stderr():
    """Programs started meanwhile (the accessibility registry says hello on its standard
    output) write to stderr, not into the TAP stream."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@contextlib.contextmanager
def quietly(manager):
    with stdout_to_stderr():
        entered = manager.__enter__()
    try:
        yield entered
    except BaseException:
        if not manager.__exit__(*sys.exc_info()):
            raise
    else:
        manager.__exit__(None, None, None)


def run_all():
    work = tempfile.mkdtemp(prefix="kvmrt-gui-libvirtd-")
    try:
        with quietly(kvmrt_display.Display()) as display:
            state["display"] = display
            with libvirtd.LibvirtDaemon():
                with libvirtd.TinyDomains("kvmrt-gui", 2, directory=work) as domains:
                    state["domains"] = domains
                    state["cfg"] = make_config(work, domains)
                    print("# shutdown timeout of the app: %d s" % SHUTDOWN_TIMEOUT_S)
                    argv = [APP, "-c", libvirtd.URI, "-f", state["cfg"]]
                    with quietly(kvmrt_display.App(display, argv)) as app:
                        state["app"] = app
                        status = main()
                        if status:
                            print("# kvmrt's output:\n# "
                                  + app.output().replace("\n", "\n# "))
                    return status
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    libvirtd.skip_unless_able()
    try:
        sys.exit(run_all())
    except kvmrt_display.Unavailable as e:
        libvirtd.skip(str(e))
