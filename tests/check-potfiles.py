#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""po/POTFILES.in must list, sorted, every source file with translatable text (_() or N_()),
and nothing that does not exist. Prints TAP."""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = re.compile(r"\b(N?_|C_|NC_)\s*\(\s*\"")
SOURCE_DIRS = ("core", "cli", "app", "gs")

with open(os.path.join(TOP, "po", "POTFILES.in"), encoding="utf-8") as f:
    listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]

needed = []
for d in SOURCE_DIRS:
    for root, _, files in os.walk(os.path.join(TOP, d)):
        for name in files:
            if name.endswith((".c", ".ui")):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as f:
                    if MARK.search(f.read()) or name.endswith(".ui") and "translatable" in open(path).read():
                        needed.append(os.path.relpath(path, TOP))

checks = [
    ("POTFILES.in is sorted", listed == sorted(listed)),
    ("every listed file exists", all(os.path.exists(os.path.join(TOP, p)) for p in listed)),
    ("every file with translatable text is listed: missing %s" % sorted(set(needed) - set(listed)),
     set(needed) <= set(listed)),
]
print("1..%d" % len(checks))
for n, (text, ok) in enumerate(checks, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", n, text))
sys.exit(0 if all(ok for _, ok in checks) else 1)
