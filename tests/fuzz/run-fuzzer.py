#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the libFuzzer target for KVMRT_FUZZ_SECONDS (default 60) from a seed corpus of the
repository's configurations, and reports the executions. A crash, leak, sanitizer report or
failed round trip fails the test and leaves the input in the build directory. Prints TAP."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

FUZZER = sys.argv[1]
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECONDS = int(os.environ.get("KVMRT_FUZZ_SECONDS", "60"))


def main():
    corpus = tempfile.mkdtemp(prefix="kvmrt-fuzz-")
    seeds = glob.glob(os.path.join(TOP, "tests", "configs", "*.cfg"))
    seeds += [os.path.join(TOP, "data", "demo", "kvmrt.cfg")]
    for seed in seeds:
        shutil.copy(seed, corpus)
    artifacts = os.path.dirname(os.path.abspath(FUZZER)) + os.sep
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    proc = subprocess.run([FUZZER, "-max_total_time=%d" % SECONDS, "-print_final_stats=1",
                           "-max_len=8192", "-timeout=10", "-rss_limit_mb=2048",
                           "-artifact_prefix=" + artifacts, corpus],
                          capture_output=True, text=True, env=env, check=False)
    shutil.rmtree(corpus)
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", proc.stderr)
    print("1..1")
    if proc.returncode != 0 or runs is None:
        print("not ok 1 - fuzzing the INI reader and edit round trip (exit %d)" % proc.returncode)
        for line in proc.stderr.splitlines()[-40:]:
            print("# " + line)
        return 1
    print("ok 1 - %s executions of the INI reader and edit round trip in %d s, %d seeds, "
          "no failure" % (runs.group(1), SECONDS, len(seeds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
