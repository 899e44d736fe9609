#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The Debian packages: dpkg-buildpackage -us -uc -b on a copy of the source tree, lintian
with no error, and each package unpacked (dpkg -x) into a scratch root holding exactly the
files README.md's "Debian packages" list gives it (documentation in /usr/share/doc aside).
Slow (a whole build): suite 'package'. Skips (77) without dpkg-buildpackage or lintian.
Prints TAP."""
import fnmatch
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kvmrt_tap import TOP, case, check, main  # noqa: E402

# What Guest Services (gs/) installs exists only in a tree that has gs/meson.build: the
# library's packages, and the files named kvmrt-gs* or kvmrt_gs* in the others.
GS_LIBRARY_PACKAGES = {"libkvmrt-gs1", "libkvmrt-gs-dev"}
GS_FILE = re.compile(r"kvmrt[-_]gs")
HAVE_GS = os.path.exists(os.path.join(TOP, "gs", "meson.build"))
workdir = tempfile.mkdtemp(prefix="kvmrt-debian-")
source = os.path.join(workdir, "kvmrt")
built = {}


def readme_lists():
    """package -> [path patterns] from the text block under "## Debian packages"."""
    with open(os.path.join(TOP, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Debian packages", 1)[1]
    block = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    lists = {}
    for line in block.splitlines():
        package, *paths = line.split()
        if HAVE_GS or package not in GS_LIBRARY_PACKAGES:
            lists.setdefault(package, []).extend(p for p in paths
                                                 if HAVE_GS or not GS_FILE.search(p))
    return lists


def expected_packages():
    return set(readme_lists())


def copy_source():
    files = subprocess.run(["git", "-C", TOP, "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = os.path.join(TOP, rel)
        if not os.path.lexists(src):
            continue
        dst = os.path.join(source, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)


@case
def packages_build():
    copy_source()
    env = dict(os.environ, LC_ALL="C.UTF-8",
               DEB_BUILD_OPTIONS="nocheck noddebs parallel=%d" % (os.cpu_count() or 1))
    for key in ("KVMRT_SYSROOT", "MALLOC_PERTURB_", "MALLOC_CHECK_"):
        env.pop(key, None)
    proc = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=source, env=env,
                          capture_output=True, text=True, check=False, timeout=3000)
    check(proc.returncode == 0, "dpkg-buildpackage failed (exit %d):\n%s" % (
        proc.returncode, "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])))
    for deb in glob.glob(os.path.join(workdir, "*.deb")):
        name = os.path.basename(deb).split("_")[0]
        if not name.endswith("-dbgsym"):
            built[name] = deb
    missing = expected_packages() - set(built)
    check(not missing, "not built: %s (built: %s)" % (sorted(missing), sorted(built)))


@case
def lintian_finds_no_error():
    changes = glob.glob(os.path.join(workdir, "*.changes"))
    check(changes, "no .changes file: the build failed")
    proc = subprocess.run(["lintian", "--fail-on", "error", "--tag-display-limit", "0",
                           changes[0]], capture_output=True, text=True, check=False,
                          timeout=900)
    for line in (proc.stdout + proc.stderr).splitlines():
        print("# " + line)
    errors = [line for line in proc.stdout.splitlines() if line.startswith("E:")]
    check(proc.returncode == 0 and not errors, "lintian errors:\n" + "\n".join(errors))


@case
def files_are_where_the_readme_says():
    check(built, "no packages: the build failed")
    lists = readme_lists()
    problems = []
    for package, deb in sorted(built.items()):
        root = os.path.join(workdir, "root-" + package)
        subprocess.run(["dpkg", "-x", deb, root], check=True)
        files = []
        for top, dirs, names in os.walk(root):
            for name in names + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
                path = "/" + os.path.relpath(os.path.join(top, name), root)
                if not path.startswith("/usr/share/doc/"):
                    files.append(path)
        patterns = lists.get(package)
        if patterns is None:
            problems.append("%s is not in README.md's list" % package)
            continue
        for pattern in patterns:
            if not any(fnmatch.fnmatchcase(f, pattern) for f in files):
                problems.append("%s: nothing at %s" % (package, pattern))
        for f in files:
            if not any(fnmatch.fnmatchcase(f, pattern) for pattern in patterns):
                problems.append("%s: %s is not in README.md's list" % (package, f))
    check(not problems, "\n".join(problems))


if shutil.which("dpkg-buildpackage") is None or shutil.which("lintian") is None:
    print("1..0 # SKIP dpkg-buildpackage or lintian is not installed (setup.sh lists them)")
    sys.exit(77)
if not os.path.isdir(os.path.join(TOP, ".git")) and not os.path.isfile(os.path.join(TOP, ".git")):
    print("1..0 # SKIP not a git checkout: the source files to package are not known")
    sys.exit(77)
try:
    status = main()
finally:
    shutil.rmtree(workdir, ignore_errors=True)
sys.exit(status)
