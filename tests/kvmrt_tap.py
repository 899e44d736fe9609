# SPDX-License-Identifier: GPL-2.0-or-later
"""What the Python test scripts share: running the built tools, golden files under tests/cli/
(KVMRT_UPDATE_GOLDEN=1 rewrites them), and a small TAP runner (@case registers a test)."""
import os
import subprocess
import sys

SRC = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(SRC)
CLI = os.environ["KVMRT_CLI_DIR"]
HOSTS = os.environ["KVMRT_TEST_HOSTS_DIR"]
DEMO_HOST = os.path.join(HOSTS, "m12swa-tf")
DEMO_CFG = os.path.join(TOP, "data", "demo", "kvmrt.cfg")
FIG58_CFG = os.path.join(SRC, "configs", "fig5-8.cfg")
UPDATE = os.environ.get("KVMRT_UPDATE_GOLDEN") == "1"

results = []


def run(tool, *args, env=None, stdin=subprocess.DEVNULL, timeout=60):
    full_env = dict(os.environ)
    full_env.pop("KVMRT_SYSROOT", None)
    full_env["LC_ALL"] = "C"
    full_env.update(env or {})
    proc = subprocess.run([os.path.join(CLI, tool), *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, check=False, stdin=stdin)
    return proc.returncode, proc.stdout, proc.stderr


def editor_script(directory, python_body):
    """An $EDITOR command that runs python_body with `text` holding the file being edited
    (and `re` imported), then writes `text` back."""
    script = os.path.join(directory, "editor.py")
    with open(script, "w", encoding="utf-8") as f:
        f.write("import re, sys\npath = sys.argv[1]\ntext = open(path).read()\n")
        f.write(python_body)
        f.write("\nopen(path, 'w').write(text)\n")
    return "%s %s" % (sys.executable, script)


def golden(name, text):
    """Compares text with tests/cli/NAME, paths of this checkout replaced by @TOP@/@HOSTS@."""
    text = text.replace(HOSTS, "@HOSTS@").replace(TOP, "@TOP@")
    path = os.path.join(SRC, "cli", name)
    if UPDATE:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    with open(path, encoding="utf-8") as f:
        expected = f.read()
    if text != expected:
        import difflib
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                            "expected/" + name, "actual/" + name))
        raise AssertionError("output differs from tests/cli/%s:\n%s" % (name, diff))


def case(func):
    results.append(func)
    return func


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def main():
    print("1..%d" % len(results))
    failed = 0
    for number, func in enumerate(results, 1):
        try:
            func()
            print("ok %d - %s" % (number, func.__name__))
        except Exception as error:  # report every failure, keep going
            failed += 1
            print("not ok %d - %s" % (number, func.__name__))
            for line in str(error).splitlines() or [repr(error)]:
                print("# " + line)
    sys.stdout.flush()
    return 1 if failed else 0


