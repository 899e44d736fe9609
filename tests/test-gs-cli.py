#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""kvmrt-gs and libkvmrt-gs on this machine, without a guest: the port is a UNIX socket
(KVMRT_GS_PORT) served by a stand-in host written here from the wire format's description
(docs/contracts.md), so the test holds the library to the format, not to kvmrtd's code. It
checks the frames each command sends, the guest events written to KVMRT_GS_TRACE_MARKER with
the same sequence numbers, the exit status and errno of every failure (no port, nobody
listening, a host that never answers within the time limit, a host that refuses), that a reply
is found behind garbage and stale replies, and that a command line is checked whole before
anything is sent."""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from kvmrt_tap import case, check, main  # noqa: E402

GS = os.path.join(os.path.dirname(os.environ["KVMRT_CLI_DIR"]), "gs", "kvmrt-gs")
WORK = tempfile.mkdtemp(prefix="kvmrt-gs-cli-")
HELLO, PING, LOG_MSG, FLUSH, LOG_DATA, REPLY = 1, 2, 3, 4, 5, 0x80
EAGAIN = 11


def frame(kind, seq, payload=b"", vcpu=0):
    header = struct.pack("<BBBBHHI", 0xFF, ord("G"), 1, kind, len(payload), vcpu, seq)
    return header + struct.pack("<I", zlib.crc32(header + payload)) + payload


def read_frame(conn):
    header = b""
    while len(header) < 16:
        chunk = conn.recv(16 - len(header))
        if not chunk:
            return None
        header += chunk
    sync, magic, version, kind, length, vcpu, seq, crc = struct.unpack("<BBBBHHII", header)
    payload = b""
    while len(payload) < length:
        payload += conn.recv(length - len(payload))
    check((sync, magic, version) == (0xFF, ord("G"), 1), "bad header %r" % header)
    check(zlib.crc32(header[:12] + payload) == crc, "bad CRC in %r" % header)
    return {"kind": kind, "vcpu": vcpu, "seq": seq, "payload": payload}


class StandIn:
    """A host end on a UNIX socket: answers each request with ANSWER(request) -> bytes to
    send (None: say nothing)."""

    made = 0

    def __init__(self, answer):
        # A count, not id(self): Python reuses the id of a stand-in already freed, whose socket
        # file is still there, and the bind then fails.
        StandIn.made += 1
        self.path = os.path.join(WORK, "port-%d" % StandIn.made)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(8)
        self.answer = answer
        self.requests = []
        self.connections = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                while True:
                    request = read_frame(conn)
                    if request is None:
                        break
                    self.requests.append(request)
                    reply = self.answer(request)
                    if reply is not None:
                        conn.sendall(reply)

    def close(self):
        # Wake the accept() and wait for the thread before the descriptor is freed: a thread
        # that had read the old descriptor number but not yet entered accept() would
        # otherwise accept on the next stand-in's socket, which reuses that number, and answer
        # with this stand-in's capabilities.
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(timeout=10)
        check(not self.thread.is_alive(), "a stand-in host did not stop")
        self.server.close()


def ok_reply(caps=0xF):
    def answer(request):
        value = caps if request["kind"] == HELLO else len(request["payload"])
        return frame(REPLY, request["seq"], struct.pack("<II", 0, value), request["vcpu"])
    return answer


def gs(*args, port=None, marker="", timeout=30):
    env = dict(os.environ, KVMRT_GS_PORT=port or "/nonexistent/port",
               KVMRT_GS_TRACE_MARKER=marker, LC_ALL="C")
    began = time.monotonic()
    proc = subprocess.run([GS, *args], capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - began


@case
def usage_is_checked_whole():
    host = StandIn(ok_reply())
    for args in ([], ["bogus"], ["ping"], ["ping", "1", "ping"], ["ping", "-1"],
                 ["ping", "12abc"], ["log_msg", "0xabc"], ["xtrace_log_data", "0xzz"],
                 ["xtrace_flush", "3"], ["ping", "1", "available", "nonsense"]):
        code, _, err, _ = gs(*args, port=host.path)
        check(code == 2, "%s: exit %d (%s)" % (args, code, err))
        check(err.startswith("kvmrt-gs: "), "%s: %s" % (args, err))
    # Not even "ping 1 ping" or "ping 1 available nonsense" sent their valid first command.
    time.sleep(0.2)
    check(host.connections == 0, "a bad command line sent %s" % host.requests)
    code, out, _, _ = gs("--help")
    check(code == 0, "--help")
    for command in ("available", "ping_available", "ping", "log_msg_available", "log_msg",
                    "xtrace_flush_available", "xtrace_flush", "xtrace_log_data_available",
                    "xtrace_log_data", "--timeout", "--verbose", "--version"):
        check(command in out, "--help does not mention %s" % command)
    host.close()


@case
def commands_send_the_frames():
    host = StandIn(ok_reply())
    marker = os.path.join(WORK, "marker")
    open(marker, "w").close()
    code, out, err, _ = gs("-v", "ping", "0x10", "log_msg", "hi there", "xtrace_log_data",
                           "0x0102ff", "xtrace_flush", "2", "log_msg", "0x41ff00", "ping", "7",
                           port=host.path, marker=marker)
    check(code == 0, "exit %d: %s %s" % (code, out, err))
    got = [(r["kind"], r["payload"]) for r in host.requests]
    check(got == [(PING, struct.pack("<Q", 0x10)), (LOG_MSG, b"hi there"),
                  (LOG_DATA, b"\x01\x02\xff"), (FLUSH, struct.pack("<I", 2)),
                  (LOG_MSG, b"A\xff"), (PING, struct.pack("<Q", 7))], "frames: %s" % got)
    seqs = [r["seq"] for r in host.requests]
    check(len(set(seqs)) == len(seqs), "sequence numbers repeat: %s" % seqs)
    check(host.connections == 6, "the port is opened once per call: %d" % host.connections)
    with open(marker, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    check(len(lines) == 6, "guest events: %s" % lines)
    check(lines[0] == "KVMRT_GS_PING_GUEST seq=%d vcpu=%d cookie=0x10"
          % (seqs[0], host.requests[0]["vcpu"]), lines[0])
    check(lines[2].startswith("KVMRT_GS_LOG_DATA_GUEST seq=%d " % seqs[2])
          and lines[2].endswith("size=3 data=0102ff"), lines[2])
    check(lines[3].startswith("KVMRT_GS_FLUSH_GUEST seq=%d " % seqs[3])
          and lines[3].endswith("scope=2"), lines[3])
    check("ping: ok" in out and "log_msg: ok (8)" in out, out)
    host.close()


@case
def probes_follow_the_host():
    host = StandIn(ok_reply(caps=0x3))   # ping and log_msg only
    for command, expected in (("available", 0), ("ping_available", 0),
                              ("log_msg_available", 0), ("xtrace_flush_available", 1),
                              ("xtrace_log_data_available", 1)):
        code, _, err, _ = gs(command, port=host.path)
        check(code == expected, "%s: exit %d, not %d" % (command, code, expected))
        check(err == "", "%s printed %s" % (command, err))
    host.close()


@case
def failures_are_bounded_and_named():
    marker = os.path.join(WORK, "marker-no-port")
    open(marker, "w").close()
    code, _, err, _ = gs("ping", "1", marker=marker)
    check(code == 1 and "No such device" in err and "guest_services" in err,
          "no port: %d %s" % (code, err))
    check(os.path.getsize(marker) == 0, "a guest event without a request")
    code, _, err, _ = gs("available")
    check(code == 1 and err == "", "available without a port: %d %s" % (code, err))
    # A socket nobody listens on: the host side is gone.
    gone = os.path.join(WORK, "gone")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(gone)
    s.close()
    code, _, err, took = gs("ping", "1", port=gone)
    check(code == 1 and "not connected" in err and took < 5,
          "nobody listening: %d %s (%.1f s)" % (code, err, took))
    # A host that reads but never answers: the call ends at its time limit.
    silent = StandIn(lambda request: None)
    code, _, err, took = gs("-t", "300", "ping", "1", port=silent.path)
    check(code == 1 and "timed out" in err, "silent host: %d %s" % (code, err))
    check(0.25 < took < 3, "a 300 ms limit took %.2f s" % took)
    silent.close()
    # A host that refuses (rate limited): its errno.
    refusing = StandIn(lambda r: frame(REPLY, r["seq"], struct.pack("<II", EAGAIN, 0)))
    code, _, err, _ = gs("ping", "1", port=refusing.path)
    check(code == 1 and "temporarily unavailable" in err, "refused: %d %s" % (code, err))
    refusing.close()


@case
def reply_found_behind_garbage():
    def noisy(request):
        stale = frame(REPLY, request["seq"] ^ 0x5A5A, struct.pack("<II", EAGAIN, 0))
        broken = bytearray(frame(REPLY, request["seq"], struct.pack("<II", EAGAIN, 0)))
        broken[12] ^= 1   # a bad CRC: must not be taken for the answer
        good = frame(REPLY, request["seq"], struct.pack("<II", 0, 0))
        return b"\xff\xffG garbage \x00\xff" + stale + bytes(broken) + b"\xff" * 40 + good
    host = StandIn(noisy)
    code, _, err, _ = gs("ping", "3", "ping", "4", port=host.path)
    check(code == 0, "exit %d: %s" % (code, err))
    host.close()


def trace_line(task, cpu, us, text):
    return "%16s-%-5d [%03d] ..... %d.%06d: tracing_mark_write: %s\n" % (
        task, 100 + cpu, cpu, us // 1000000, us % 1000000, text)


@case
def merge_estimates_the_offset():
    # The guest's clock is 1000 s behind; its three requests took 5, 7 and 100 us to arrive.
    host = "# tracer: nop\n#\n"
    guest = "# tracer: nop\n"
    base = 5000 * 1000000
    for seq, (at, latency) in enumerate(((0, 5), (2000, 7), (4000, 100))):
        guest += trace_line("app", 0, base - 1000 * 1000000 + at,
                            "KVMRT_GS_PING_GUEST seq=%d vcpu=0 cookie=0x%x" % (seq, seq))
        host += trace_line("guest-services", 1, base + at + latency,
                           "KVMRT_GS_PING_HOST vm=vm1 seq=%d vcpu=0 cookie=0x%x" % (seq, seq))
    host += trace_line("other", 1, base + 3000, "KVMRT_GS_PING_HOST vm=vm2 seq=1 vcpu=0 cookie=0x1")
    guest += trace_line("app", 0, base - 1000 * 1000000 + 1000, "some guest event")
    paths = {}
    for name, text in (("host", host), ("guest", guest)):
        paths[name] = os.path.join(WORK, name + ".trace")
        with open(paths[name], "w") as f:
            f.write(text)
    merge = os.path.join(os.environ["KVMRT_CLI_DIR"], "kvmrt-gs-merge")
    proc = subprocess.run([merge, paths["host"], "vm1=" + paths["guest"]], capture_output=True,
                          text=True, timeout=30)
    check(proc.returncode == 0, proc.stderr)
    out = proc.stdout.splitlines()
    check(out[:3] == ["# vm1: pairs: 3",
                      "# vm1: offset: 1000.000005 s (host time = guest time + offset)",
                      "# vm1: spread: 0.000095 s (median 0.000002 s above the offset)"],
          "\n".join(out[:3]))
    listing = [line.split(None, 3) for line in out[3:]]
    check([(l[0], l[1]) for l in listing[:3]] == [("5000.000005", "vm1"), ("5000.000005", "host"),
                                                  ("5000.001005", "vm1")], str(listing[:3]))
    check(listing[2][3] == "some guest event", str(listing[2]))
    check(len(listing) == 8, "every event of both traces: %s" % listing)
    # A guest without a pair cannot be placed: it is left out, and the exit status says so.
    proc = subprocess.run([merge, paths["host"], "vm3=" + paths["guest"]], capture_output=True,
                          text=True, timeout=30)
    check(proc.returncode == 1 and "vm=vm3" in proc.stderr, proc.stderr)
    proc = subprocess.run([merge, paths["host"]], capture_output=True, text=True, timeout=30)
    check(proc.returncode == 2, "one file: %d" % proc.returncode)


sys.exit(main())
