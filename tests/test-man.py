#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The manual pages in data/man/: each passes mandoc's lint (warnings count), each is listed in
data/man/meson.build (so it is installed), every program given on the command line has a page
(NAME.1 or NAME.8), and that page mentions every option the program's --help lists. Prints
TAP."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import TOP, case, check, main  # noqa: E402

MAN_DIR = os.path.join(TOP, "data", "man")
PAGES = sorted(name for name in os.listdir(MAN_DIR) if re.fullmatch(r"[\w.+-]+\.[1-8]", name))
PROGRAMS = sys.argv[1:]
# An option in --help: "  -f, --config=FILE   ..." or "  --json   ...".
OPTION = re.compile(r"^\s+(?:(-\w), )?(--[\w-]+)", re.MULTILINE)


def alias_target(page):
    """For a page that only includes another (".so man3/kvmrt_gs.3", one name of a page that
    documents several), the page it includes; None for a page of its own."""
    with open(os.path.join(MAN_DIR, page), encoding="utf-8") as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith(('.\\"', "'\\\""))]
    if len(lines) == 1 and lines[0].startswith(".so "):
        return lines[0].split(None, 1)[1]
    return None


def rendered(page):
    """The page as text, as man shows it (overstrike for bold and underline removed)."""
    proc = subprocess.run(["mandoc", "-Tascii", os.path.join(MAN_DIR, page)],
                          capture_output=True, text=True, check=True)
    return re.sub(r".\x08", "", proc.stdout)


def page_of(program):
    name = os.path.basename(program)
    for section in ("1", "8"):
        if name + "." + section in PAGES:
            return name + "." + section
    return None


@case
def mandoc_is_installed():
    check(shutil.which("mandoc") is not None,
          "mandoc is not installed (apt-get install mandoc; setup.sh lists it)")


@case
def alias_pages_point_at_pages():
    missing = ["%s includes %s, which is not in data/man" % (page, alias_target(page))
               for page in PAGES
               if alias_target(page) and os.path.basename(alias_target(page)) not in PAGES]
    check(not missing, "\n".join(missing))


@case
def pages_pass_lint():
    problems = []
    # An alias page's ".so" names the installed folder (man3/...), not this one.
    for page in [p for p in PAGES if alias_target(p) is None]:
        proc = subprocess.run(["mandoc", "-Tlint", "-Wwarning", page], cwd=MAN_DIR,
                              capture_output=True, text=True, check=False)
        problems += (proc.stdout + proc.stderr).splitlines()
    check(not problems, "mandoc -Tlint -Wwarning:\n" + "\n".join(problems))


@case
def pages_are_installed():
    with open(os.path.join(MAN_DIR, "meson.build"), encoding="utf-8") as f:
        listed = set(re.findall(r"'([^']+\.[1-8])'", f.read()))
    check(set(PAGES) == listed,
          "data/man/meson.build lists %s; the folder has %s" % (sorted(listed), PAGES))


@case
def pages_have_the_usual_sections():
    missing = []
    for page in [p for p in PAGES if alias_target(p) is None]:
        text = rendered(page)
        for section in ("NAME", "DESCRIPTION", "SEE ALSO"):
            if not re.search(r"^%s$" % section, text, re.MULTILINE):
                missing.append("%s: no %s section" % (page, section))
    check(not missing, "\n".join(missing))


@case
def every_program_has_a_page():
    check(PROGRAMS, "no programs given (tests/meson.build passes the installed ones)")
    missing = [os.path.basename(p) for p in PROGRAMS if page_of(p) is None]
    check(not missing, "no page in data/man/ for: " + ", ".join(missing))


@case
def pages_mention_every_option():
    problems = []
    env = dict(os.environ, LC_ALL="C")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    for program in PROGRAMS:
        page = page_of(program)
        if page is None:
            continue
        proc = subprocess.run([program, "--help"], capture_output=True, text=True, env=env,
                              check=False, timeout=60)
        options = OPTION.findall(proc.stdout)
        if proc.returncode != 0 or not options:
            problems.append("%s --help: exit %d, %d options" % (program, proc.returncode,
                                                                len(options)))
            continue
        text = rendered(page)
        for short, long in options:
            for option in filter(None, (short, long)):
                if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(option), text):
                    problems.append("%s does not mention %s" % (page, option))
    check(not problems, "\n".join(problems))


sys.exit(main())
