#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The dashboard as a user meets it: `kvmrt --demo` under Xvfb, driven over AT-SPI. The demo
VMs are listed in configuration order with their power state and real-time badges; a VM boots
and shuts down through its menu, and the host copy's tuning shows on the badge. PNG screenshots
of each state go to the build directory. Skips without Xvfb or AT-SPI."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import case, check, main  # noqa: E402
import kvmrt_display  # noqa: E402

APP = os.environ["KVMRT_APP"]
SHOTS = os.environ.get("KVMRT_SCREENSHOT_DIR", ".")
DEMO_TITLES = ["Vision Inspection (RT)", "Motion Control (RT)", "Engineering Workstation",
               "Build Server"]
state = {}


def shot(name):
    os.makedirs(SHOTS, exist_ok=True)
    state["display"].screenshot(os.path.join(SHOTS, "dashboard-%s.png" % name))


def cards(titles):
    """The cards (not their title labels) of the VMs titled @titles, in screen order."""
    app = state["app"]
    return [n for n in app.find_all(name=lambda n: n in titles) if n.getRoleName() != "label"]


def card(title):
    return state["app"].wait_for(lambda: (cards([title]) or [None])[0],
                                 what="the card of %s" % title)


def card_texts(title):
    return state["app"].texts(card(title))


def power_state(title):
    app = state["app"]
    icon = app.find(name=lambda n: n.startswith("Power state: "), root=card(title))
    return app.clean_name(icon.name)[len("Power state: "):]


def badge(title):
    app = state["app"]
    return app.find(role="push button", name=lambda n: n.startswith("Real-time"),
                    root=card(title))


def wait_state(title, wanted, timeout=30):
    state["app"].wait_for(lambda: power_state(title) == wanted, timeout=timeout,
                          what="%s to be %s" % (title, wanted))


def menu_action(title, label):
    app = state["app"]
    # GtkMenuButton: a button named for the VM, around the toggle that opens the popover.
    button = app.find(name="Actions for %s" % title, root=card(title))
    inner = app.find_all(role="push button", root=button) or [button]
    app.press(inner[-1])
    item = app.find(role="menu item", name=label.replace("_", ""))
    app.press(item)


def demo_dir():
    labels = state["app"].texts(state["app"].root)
    config = [t for t in labels if t.endswith("/kvmrt.cfg")]
    check(config, "no configuration path in the header: %r" % labels[:12])
    return os.path.dirname(config[0])


@case
def dashboard_lists_demo_vms_in_config_order():
    app = state["app"]
    app.wait_for(lambda: len(cards(DEMO_TITLES)) >= len(DEMO_TITLES), timeout=60,
                 what="the four demo cards")
    shot("start")
    rows = [app.clean_name(n.name) for n in cards(DEMO_TITLES)]
    check(rows == DEMO_TITLES, "cards %r, expected %r" % (rows, DEMO_TITLES))
    texts = card_texts("Vision Inspection (RT)")
    check(any("line-scan capture" in t for t in texts), "description missing: %r" % texts)


@case
def header_shows_host_and_config_file():
    app = state["app"]
    labels = app.texts(app.root)
    check(any("M12SWA-TF" in t for t in labels), "host name missing from %r" % labels[:12])
    check(any(t.endswith("kvmrt.cfg") for t in labels), "config path missing from %r" % labels[:12])


@case
def every_vm_starts_shut_off_with_gray_badges_on_rt_vms():
    for title in DEMO_TITLES:
        check(power_state(title) == "shut off", "%s is %s" % (title, power_state(title)))
    check(badge("Vision Inspection (RT)").name == "Real-time VM, not running",
          badge("Vision Inspection (RT)").name)
    check(not state["app"].find_all(role="push button", name=lambda n: n.startswith("Real-time"),
                                    root=card("Build Server")),
          "a VM that is not real-time has no badge")


@case
def boot_from_the_menu_runs_and_tunes_the_vm():
    menu_action("Vision Inspection (RT)", "_Boot")
    wait_state("Vision Inspection (RT)", "running")
    app = state["app"]
    app.wait_for(lambda: badge("Vision Inspection (RT)").name == "Real-time tuning in force",
                 what="the badge to say tuned")
    texts = card_texts("Vision Inspection (RT)")
    check(any("tuned for real time" in t for t in texts), "no boot result in %r" % texts)
    # The tuning went into the demo's copy of the host: the sibling of CPU 16 is offline.
    online = os.path.join(demo_dir(), "host", "sys", "devices", "system", "cpu", "cpu48",
                          "online")
    check(open(online).read().strip() == "0", "CPU 48 is still online in the demo host")
    shot("booted")


def console_windows(title):
    # The window, not its header's title label of the same name.
    return [n for n in state["app"].find_all(name="Console — %s" % title)
            if n.getRoleName() in ("frame", "window", "dialog")]


@case
def open_console_from_the_menu_loads_the_console_window():
    # The console lives in a module of its own, loaded here for the first time.
    title = "Vision Inspection (RT)"
    menu_action(title, "Open _Console")
    app = state["app"]
    console = app.wait_for(lambda: (console_windows(title) or [None])[0],
                           what="the console window of %s" % title)
    shot("console")
    # A second Open Console presents the same window rather than another.
    menu_action(title, "Open _Console")
    time.sleep(0.5)
    check(len(console_windows(title)) == 1,
          "%d console windows for one VM" % len(console_windows(title)))
    app.press(app.find(role="push button", name="Close", root=console))
    app.wait_for(lambda: not console_windows(title), what="the console window to close")


@case
def drift_turns_the_badge_orange_and_retune_repairs_it():
    # The operator (or another program) brings a sibling the VM needs offline back online,
    # in the demo's private host copy (beside the configuration the header names).
    path = os.path.join(demo_dir(), "host", "sys", "devices", "system", "cpu", "cpu48", "online")
    check(open(path).read().strip() == "0", "CPU 48 should be offline while the VM runs")
    with open(path, "w") as f:
        f.write("1\n")
    app = state["app"]
    app.wait_for(lambda: badge("Vision Inspection (RT)").name.startswith("Real-time tuning "
                                                                          "disturbed"),
                 timeout=15, what="the badge to show drift")
    texts = card_texts("Vision Inspection (RT)")
    check(any("48" in t for t in texts), "the drift text names CPU 48: %r" % texts)
    shot("drift")
    app.press(badge("Vision Inspection (RT)"))
    app.wait_for(lambda: badge("Vision Inspection (RT)").name == "Real-time tuning in force",
                 timeout=15, what="the retune to put the tuning back")
    check(open(path).read().strip() == "0", "retune took CPU 48 offline again")


@case
def shut_down_from_the_menu():
    menu_action("Vision Inspection (RT)", "_Shut Down")
    wait_state("Vision Inspection (RT)", "shut off")
    app = state["app"]
    app.wait_for(lambda: badge("Vision Inspection (RT)").name == "Real-time VM, not running",
                 what="the badge to turn gray")
    shot("shut-down")


@case
def boot_all_boots_the_autostart_vms():
    app = state["app"]
    app.press(app.find(role="push button", name="Boot All…"))
    app.press(app.find(role="push button", name="Boot"))
    for title in ("Vision Inspection (RT)", "Motion Control (RT)", "Engineering Workstation"):
        wait_state(title, "running")
    check(power_state("Build Server") == "shut off", "Build Server has no autostart")
    shot("boot-all")


@case
def shut_down_all_stops_every_vm():
    app = state["app"]
    app.press(app.find(role="push button", name="Shut Down All…"))
    app.press(app.find(role="push button", name="Shut Down"))
    for title in DEMO_TITLES:
        wait_state(title, "shut off")


@case
def the_dashboard_follows_what_the_cli_writes():
    # The CLI edits the demo's configuration (kvmrt-edit-config with a scripted editor): the
    # window shows the new title without being told.
    import subprocess
    import tempfile
    from kvmrt_tap import CLI, TOP, editor_script
    config = os.path.join(demo_dir(), "kvmrt.cfg")
    with tempfile.TemporaryDirectory(prefix="kvmrt-edit-") as work:
        editor = editor_script(work, "text = text.replace('title = Build Server', "
                                     "'title = Build Server (nightly)')")
        env = dict(os.environ, EDITOR=editor, VISUAL="")
        proc = subprocess.run([os.path.join(CLI, "kvmrt-edit-config"), "-f", config,
                               "--sysroot", os.path.join(demo_dir(), "host"),
                               "-c", "test://" + os.path.join(TOP, "data", "demo",
                                                              "libvirt-node.xml")],
                              env=env, capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
    check(proc.returncode == 0, "kvmrt-edit-config failed: %s %s" % (proc.stdout, proc.stderr))
    state["app"].find(name="Build Server (nightly)", timeout=15)
    shot("cli-edit")


@case
def a_second_kvmrt_hands_over_and_offers_to_create_its_file():
    # Another `kvmrt` for a file that does not exist yet: it hands its command line to the
    # running instance and exits; that instance opens a window on the welcome page.
    import subprocess
    import tempfile
    app = state["app"]
    work = tempfile.mkdtemp(prefix="kvmrt-welcome-")
    path = os.path.join(work, "kvmrt.cfg")
    second = subprocess.run([APP, "-f", path, "-c", "test:///default"], env=state["display"].env,
                            capture_output=True, text=True, timeout=60)
    check(second.returncode == 0, "the second kvmrt failed: %s" % second.stderr)
    create = app.find(role="push button", name="Create %s" % path, timeout=30)
    shot("welcome")
    # Creating it opens the editor on libvirt's VMs to import, and writes nothing yet.
    app.press(create)
    app.find(name="Import VMs", timeout=30)
    check(not os.path.exists(path), "a new configuration is written only by Apply")
    shot("welcome-import")


@case
def import_hands_named_vms_to_the_configuration_dialog():
    # The hand-off from VM builders: `kvmrt --import VM` opens the editor with VM imported
    # into the configuration (a new one at -f), unapplied.
    import subprocess
    import tempfile
    app = state["app"]
    path = os.path.join(tempfile.mkdtemp(prefix="kvmrt-import-"), "kvmrt.cfg")
    second = subprocess.run([APP, "-f", path, "-c", "test:///default", "--import", "test"],
                            env=state["display"].env, capture_output=True, text=True,
                            timeout=60)
    check(second.returncode == 0, "kvmrt --import failed: %s" % second.stderr)
    # The dialog's title names the file; its sidebar and page show the imported VM.
    app.find(name=lambda n: "Edit Configuration" in n and path in n, timeout=30)
    app.find(role="label", name="test", timeout=30)
    check(not os.path.exists(path), "an import is written only by Apply")
    shot("import")


@case
def nothing_above_went_with_a_gtk_warning_or_critical():
    # A warning is a bug a user would see in their terminal (an action without its target, a
    # widget used after it went away); the cases above pass without looking at them.
    import re
    bad = [line for line in state["app"].output().splitlines()
           if re.search(r"\b(Gtk|GLib|GLib-GObject|Gdk|Adwaita|kvmrt)-(WARNING|CRITICAL) \*\*", line)]
    check(not bad, "kvmrt printed %d warnings, the first: %s" % (len(bad), bad[:1]))


if __name__ == "__main__":
    try:
        with kvmrt_display.Display() as display:
            state["display"] = display
            with kvmrt_display.App(display, [APP, "--demo"]) as app:
                state["app"] = app
                status = main()
                if status:
                    print("# kvmrt's output:\n# " + app.output().replace("\n", "\n# "))
                sys.exit(status)
    except kvmrt_display.Unavailable as e:
        # meson reads a TAP plan of 0 with SKIP as a skipped test.
        print("1..0 # SKIP %s" % e)
        sys.exit(0)
