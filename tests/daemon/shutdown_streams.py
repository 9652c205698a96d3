#!/usr/bin/python3
"""Open streams end with a status when cloudabid gets SIGTERM.

Two Watch streams (every service, and a name not deployed, which waits)
are open through grpcio when the daemon is told to stop: each must end
with UNAVAILABLE "cloudabid is shutting down", not with a cut connection.

usage: shutdown_streams.py CLOUDABID CLOUDABI_RUN
"""
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import grpc

CLOUDABID, RUNTIME = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="cloudabid-streams-")
SOCK = os.path.join(TMP, "control.sock")
WATCH = "/cloudabi.supervisor.v1.Supervisor/Watch"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def watch_request(name):
    b = name.encode()
    return b"\x0a" + bytes([len(b)]) + b if b else b""


def follow(ch, name, out):
    """Reads a Watch stream to its end; out gets (code, details)."""
    try:
        for _ in ch.unary_stream(WATCH)(watch_request(name), timeout=30):
            pass
        out.append(("OK", ""))
    except grpc.RpcError as e:
        out.append((e.code(), e.details()))


p = subprocess.Popen([CLOUDABID, "--foreground", "--state-dir",
                      os.path.join(TMP, "state"), "--socket", SOCK,
                      "--runtime", RUNTIME], stderr=subprocess.PIPE)
for _ in range(150):
    if os.path.exists(SOCK):
        break
    time.sleep(0.1)
else:
    fail("no socket")
results = {"": [], "ghost": []}
channels, threads = [], []
for name, out in results.items():
    ch = grpc.insecure_channel("unix:" + SOCK)
    grpc.channel_ready_future(ch).result(timeout=15)
    t = threading.Thread(target=follow, args=(ch, name, out))
    t.start()
    channels.append(ch)
    threads.append(t)
time.sleep(1)  # both calls reach the daemon
p.send_signal(signal.SIGTERM)
for t in threads:
    t.join(20)
    if t.is_alive():
        fail("a stream did not end after SIGTERM")
if p.wait(15) != 0:
    fail("exit status %d:\n%s" % (p.returncode, p.stderr.read().decode()))
for name, out in results.items():
    want = (grpc.StatusCode.UNAVAILABLE, "cloudabid is shutting down")
    if out != [want]:
        fail("Watch %r ended with %r, wanted %r" % (name, out, want))
for ch in channels:
    ch.close()
subprocess.run(["rm", "-rf", TMP])
print("ok")
