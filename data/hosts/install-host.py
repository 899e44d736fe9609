#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Meson install script: copies a generated host tree into the installation as it is. A host
tree is mostly symbolic links (the kernel's layout), which meson's own directory install would
turn into copies or empty directories.

    install-host.py BUILT_TREE DESTINATION     (DESTINATION relative to the prefix, or absolute)
"""
import os
import shutil
import sys

MARKER = ".kvmrt-sysroot"


def main(argv):
    source, target = argv
    destdir = os.environ.get("DESTDIR", "")
    if os.path.isabs(target):
        dest = os.path.join(destdir, target.lstrip("/")) if destdir else target
    else:
        dest = os.path.join(os.environ["MESON_INSTALL_DESTDIR_PREFIX"], target)
    if not os.path.exists(os.path.join(source, MARKER)):
        print("install-host.py: %s is not a generated host tree; build the project first"
              % source, file=sys.stderr)
        return 1
    if os.environ.get("MESON_INSTALL_DRY_RUN"):
        print("Would install %s to %s" % (source, dest))
        return 0
    if os.path.lexists(dest):
        if not os.path.exists(os.path.join(dest, MARKER)):
            print("install-host.py: %s exists and is not a host tree; not replacing it" % dest,
                  file=sys.stderr)
            return 1
        shutil.rmtree(dest)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copytree(source, dest, symlinks=True)
    if not os.environ.get("MESON_INSTALL_QUIET"):
        print("Installing %s to %s" % (source, dest))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
