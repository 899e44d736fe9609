#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The Tools menu's viewers as a user meets them: `kvmrt --demo` under Xvfb, driven over
AT-SPI. Each viewer opens from the main menu; booting a real-time VM turns its CPUs shielded
and the VM's in the CPU Status viewer and in the topology's owners; a sibling brought back
online in the demo's host copy is flagged; interrupts added to the copy's proc/interrupts
between two refreshes show as a rate and, on a shielded CPU, as an alert. Screenshots of
each state go to the build directory. Skips without Xvfb or AT-SPI."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import case, check, main  # noqa: E402
import kvmrt_display  # noqa: E402

APP = os.environ["KVMRT_APP"]
SHOTS = os.environ.get("KVMRT_SCREENSHOT_DIR", ".")
RT_TITLE = "Vision Inspection (RT)"
# The interrupt viewer's alert line: quiet, or the first interrupt on a shielded CPU.
ALERT_PREFIXES = ("No device interrupt", "IRQ ")
state = {}


VIEWERS = {"topology": "Host Hardware Topology", "cpu-status": "Host CPU Status",
           "interrupts": "Host Interrupt Count"}


def shot(name):
    """A screenshot with the viewer @name is about in front (its menu item presents it)."""
    os.makedirs(SHOTS, exist_ok=True)
    viewer = [title for prefix, title in VIEWERS.items() if name.startswith(prefix)]
    if viewer:
        main_menu(viewer[0])
        time.sleep(0.5)
    state["display"].screenshot(os.path.join(SHOTS, "tools-%s.png" % name))


def app():
    return state["app"]


def demo_dir():
    labels = app().texts(app().root)
    config = [t for t in labels if t.endswith("/kvmrt.cfg")]
    check(config, "no configuration path in the header: %r" % labels[:12])
    return os.path.dirname(config[0])


def host_file(*parts):
    return os.path.join(demo_dir(), "host", *parts)


def windows(title):
    return [n for n in app().find_all(name=title)
            if n.getRoleName() in ("frame", "window", "dialog")]


def window(title):
    return app().wait_for(lambda: (windows(title) or [None])[0], what="the %s window" % title)


def main_menu(label):
    a = app()
    button = a.find(name="Main Menu")
    inner = a.find_all(role="push button", root=button) or [button]
    a.press(inner[-1])
    a.press(a.find(role="menu item", name=label))


def view_menu(win, label):
    a = app()
    button = a.find(name="View", root=win)
    inner = a.find_all(role="push button", root=button) or [button]
    a.press(inner[-1])
    item = a.wait_for(lambda: [n for n in a.find_all(name=label)
                               if n.getRoleName().endswith("menu item")],
                      what="the View menu's %s" % label)
    a.press(item[0])


def label_text(win, prefix):
    """The text of the first label in @win starting with @prefix (GTK names a label by its
    text), or ""."""
    found = [t for t in app().texts(win) if t.startswith(prefix)]
    return found[0] if found else ""


def busiest_text(win):
    texts = app().texts(win)
    alert = [i for i, t in enumerate(texts) if t.startswith(ALERT_PREFIXES)]
    return texts[alert[0] + 1] if alert and alert[0] + 1 < len(texts) else ""


def pause_button(win):
    return app().wait_for(lambda: [n for n in app().find_all(name="Pause", root=win)
                                   if n.getRoleName().endswith("button")
                                   and n.queryAction().nActions > 0][0],
                          what="the Pause button")


def card_action(title, label):
    a = app()
    cards = [n for n in a.find_all(name=title) if n.getRoleName() != "label"]
    button = a.find(name="Actions for %s" % title, root=cards[0])
    inner = a.find_all(role="push button", root=button) or [button]
    a.press(inner[-1])
    a.press(a.find(role="menu item", name=label.replace("_", "")))


def cpu_rows(win):
    """The CPU Status rows shown: their label cells' texts (CPU, node and core, state, owner,
    vCPU, IRQs, tasks, foreign work, configuration findings; the load is drawn, not a
    label)."""
    cells = [app().clean_name(n.name) for n in app().find_all(role="label", root=win)]
    # The cells follow the column titles; an empty label is named after its class.
    last_title = cells.index("Foreign Work") + 1
    check(cells[last_title] == "Configuration", "the last column: %r" % cells[last_title])
    cells = ["" if c == "GtkLabel" else c for c in cells[last_title + 1:]]
    return [cells[i:i + 9] for i in range(0, len(cells) - len(cells) % 9, 9)]


@case
def tools_menu_opens_the_topology_viewer():
    a = app()
    a.wait_for(lambda: any(t.endswith("kvmrt.cfg") for t in a.texts(a.root)), timeout=60,
               what="the demo to load")
    main_menu("Host Hardware Topology")
    win = window("Host Hardware Topology")
    owners = a.wait_for(lambda: [t for t in a.texts(win) if t.startswith("Host, CPUs")],
                        what="the owners pane")
    check("0-63" in owners[0], "every demo CPU is the host's while nothing runs: %r" % owners)
    shot("topology")


@case
def tools_menu_opens_the_cpu_status_viewer():
    main_menu("Host CPU Status")
    win = window("Host CPU Status")
    summary = app().wait_for(lambda: label_text(win, "64 CPUs").startswith("64 CPUs"),
                             what="the CPU summary")
    check(summary, "summary")
    text = label_text(win, "64 CPUs")
    check("Shielded: none" in text, "nothing is shielded yet: %r" % text)
    shot("cpu-status")


@case
def tools_menu_opens_the_interrupt_viewer():
    main_menu("Host Interrupt Count")
    win = window("Host Interrupt Count")
    app().wait_for(lambda: "No device interrupt" in label_text(win, ALERT_PREFIXES),
                   what="the interrupt viewer's first refresh")
    shot("interrupts")


@case
def booting_a_realtime_vm_shields_its_cpus_in_every_viewer():
    card_action(RT_TITLE, "_Boot")
    a = app()
    win = window("Host CPU Status")
    a.wait_for(lambda: "Shielded: 16-23" in label_text(win, "64 CPUs"), timeout=60,
               what="CPUs 16-23 to show shielded")
    # The CPU rows of the VM, by the View menu's one-VM filter.
    view_menu(win, RT_TITLE)
    rows = a.wait_for(lambda: [r for r in cpu_rows(win) if r[0] == "16"], what="CPU 16's row")
    check(rows[0][2] == "shielded" and rows[0][3] == RT_TITLE,
          "CPU 16 is shielded for the VM: %r" % rows[0])
    offline = [r for r in cpu_rows(win) if r[0] == "48"]
    check(offline and offline[0][2] == "offline", "CPU 48 went offline: %r" % offline)
    shot("cpu-status-booted")
    topology = window("Host Hardware Topology")
    owners = a.wait_for(lambda: [t for t in a.texts(topology) if t.startswith("rh84-vision-rt")],
                        what="the VM in the owners pane")
    check("CPUs 16-23" in owners[0] and "shielded 16-23" in owners[0], owners[0])
    check("0000:21:00.1" in owners[0], "its devices are listed: %r" % owners[0])
    shot("topology-booted")


@case
def a_sibling_back_online_is_flagged():
    path = host_file("sys", "devices", "system", "cpu", "cpu48", "online")
    check(open(path).read().strip() == "0", "CPU 48 should be offline while the VM runs")
    with open(path, "w") as f:
        f.write("1\n")
    a = app()
    win = window("Host CPU Status")
    a.wait_for(lambda: re.search(r"Foreign work on real-time CPUs: [^n]*48",
                                 label_text(win, "64 CPUs")), timeout=15,
               what="CPU 48 to be flagged")
    rows = [r for r in cpu_rows(win) if r[0] == "48"]
    check(rows and "Online again" in rows[0][7], "the flag says why: %r" % rows)
    shot("cpu-status-sibling")


@case
def an_irq_allowed_on_a_shielded_cpu_is_flagged():
    # The operator lets an NVMe queue's interrupt reach CPU 17 again (the tuner had moved it).
    path = host_file("proc", "irq", "166", "smp_affinity_list")
    with open(path, "w") as f:
        f.write("17\n")
    a = app()
    win = window("Host CPU Status")
    rows = a.wait_for(lambda: [r for r in cpu_rows(win) if r[0] == "17" and "IRQ 166" in r[7]],
                      timeout=15, what="CPU 17 to be flagged for IRQ 166")
    check("nvme0q0" in rows[0][7] and "affinity includes this CPU" in rows[0][7], rows[0][7])
    check(rows[0][5].startswith("1:") or "166" in rows[0][5], "IRQs allowed: %r" % rows[0][5])
    shot("cpu-status-irq")


@case
def interrupts_on_a_shielded_cpu_stand_out():
    path = host_file("proc", "interrupts")
    with open(path) as f:
        lines = f.read().split("\n")
    columns = lines[0].split()
    column = columns.index("CPU16")
    # A host device's IRQ (not the VM's): the first numbered row with a handler name.
    for i, line in enumerate(lines[1:], 1):
        fields = line.split()
        if fields and fields[0].rstrip(":").isdigit() and "vfio" not in line:
            row = i
            break
    fields = lines[row].split()
    name = fields[0].rstrip(":")
    a = app()
    win = window("Host Interrupt Count")
    a.wait_for(lambda: "No device interrupt" in label_text(win, ALERT_PREFIXES),
               timeout=15, what="a quiet interval")
    # Count columns follow the name: add 500 to CPU 16's.
    counts = re.match(r"(\s*\S+:)((?:\s+\d+){%d})(.*)" % (len(columns)), lines[row])
    numbers = counts.group(2).split()
    width = len(counts.group(2)) // len(numbers)
    numbers[column] = str(int(numbers[column]) + 500)
    lines[row] = counts.group(1) + "".join(n.rjust(width) for n in numbers) + counts.group(3)
    # In place, as the kernel's file changes (the viewer keeps it open).
    with open(path, "w") as f:
        f.write("\n".join(lines))
    alert = a.wait_for(lambda: [t for t in label_text(win, "IRQ ").split("\n")
                                if t.startswith("IRQ %s " % name)], timeout=15,
                       what="IRQ %s on CPU 16 to stand out" % name)
    check("shielded CPU 16" in alert[0] and "500 times" in alert[0], alert[0])
    busiest = busiest_text(win)
    check(re.search(r"\b%s\b[^;]*: \d+/s" % re.escape(name), busiest),
          "the rate shows among the busiest: %r" % busiest)
    # Paused, the view keeps what it shows (the next interval would be quiet again).
    a.press(pause_button(win))
    time.sleep(2.5)
    check(label_text(win, "IRQ %s " % name), "the alert stays while paused")
    shot("interrupts-shielded")
    a.press(pause_button(win))
    a.wait_for(lambda: "No device interrupt" in label_text(win, ALERT_PREFIXES), timeout=15,
               what="the view to refresh again after Pause")


@case
def counts_since_reset_start_from_zero():
    a = app()
    win = window("Host Interrupt Count")
    view_menu(win, "Counts Since Reset")
    # Before any reset: the counts since the host started (the fixture's timer has some).
    a.wait_for(lambda: re.search(r"\d+$", busiest_text(win).split(";")[0]), timeout=15,
               what="counts since boot")
    check(not busiest_text(win).endswith("/s"), busiest_text(win))
    a.press(a.find(name="Reset", root=win))
    a.wait_for(lambda: busiest_text(win) == "No interrupt fired.", timeout=15,
               what="the counts to start over")
    shot("interrupts-reset")
    view_menu(win, "Counts Since Reset")


@case
def shutting_the_vm_down_gives_its_cpus_back():
    card_action(RT_TITLE, "_Shut Down")
    a = app()
    win = window("Host CPU Status")
    a.wait_for(lambda: "Shielded: none" in label_text(win, "64 CPUs"), timeout=90,
               what="the shield to go with the VM")
    topology = window("Host Hardware Topology")
    a.wait_for(lambda: any(t.startswith("Host, CPUs 0-63") for t in a.texts(topology)),
               timeout=30, what="every CPU back with the host in the topology")
    shot("cpu-status-shut-down")


@case
def nothing_above_went_with_a_gtk_warning_or_critical():
    bad = [line for line in app().output().splitlines()
           if re.search(r"\b(Gtk|GLib|GLib-GObject|Gdk|Adwaita|kvmrt)-(WARNING|CRITICAL) \*\*",
                        line)]
    check(not bad, "kvmrt printed %d warnings, the first: %s" % (len(bad), bad[:1]))


if __name__ == "__main__":
    try:
        with kvmrt_display.Display() as display:
            state["display"] = display
            with kvmrt_display.App(display, [APP, "--demo"]) as application:
                state["app"] = application
                status = main()
                if status:
                    print("# kvmrt's output:\n# " + application.output().replace("\n", "\n# "))
                sys.exit(status)
    except kvmrt_display.Unavailable as e:
        print("1..0 # SKIP %s" % e)
        sys.exit(0)
