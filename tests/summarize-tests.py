#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Counts the results of meson's test logs and prints the closing line CI reads:
'N passed, N failed, N skipped'. A log that is missing (its build failed before any test ran)
counts as one failure. Exits 1 if anything failed or no test ran."""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        log = open(path, encoding="utf-8")
    except FileNotFoundError:
        print(f"{path}: no test log (the build or run before it failed)", file=sys.stderr)
        failed += 1
        continue
    with log:
        for line in log:
            if not line.strip():
                continue
            result = json.loads(line)["result"]
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1

print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
