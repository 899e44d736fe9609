#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The kvmrt launcher and how it loads libkvmrt-app.so, without a display (--version loads the
module and runs the application). The module is deep-bound unless a library is preloaded; a
preloaded library must still stand in front of the module's calls, as an allocator or a
sanitizer must (tests/gui/preload-probe.c wraps g_application_run)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from kvmrt_tap import case, check, main  # noqa: E402

APP = os.environ["KVMRT_APP"]
PROBE = os.environ["KVMRT_PRELOAD_PROBE"]


def launch(*args, preload=None):
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    if preload:
        env["LD_PRELOAD"] = preload
    return subprocess.run([APP, *args], capture_output=True, text=True, env=env, timeout=60)


@case
def version_loads_the_module():
    proc = launch("--version")
    check(proc.returncode == 0 and proc.stdout.startswith("kvmrt "),
          "exit %d: %s%s" % (proc.returncode, proc.stdout, proc.stderr))


@case
def a_preloaded_library_stands_in_front_of_the_module():
    proc = launch("--version", preload=PROBE)
    check(proc.returncode == 0 and proc.stdout.startswith("kvmrt "),
          "exit %d: %s%s" % (proc.returncode, proc.stdout, proc.stderr))
    check("preload-probe: reached" in proc.stderr,
          "the module's call to g_application_run went past the preloaded library: %r"
          % proc.stderr)


@case
def no_display_is_a_clear_error():
    proc = launch()
    check(proc.returncode == 1 and "cannot open the display" in proc.stderr
          and "graphical session" in proc.stderr,
          "exit %d: %s" % (proc.returncode, proc.stderr))


if __name__ == "__main__":
    sys.exit(main())
