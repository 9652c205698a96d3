#!/usr/bin/python3
"""A service's listening socket stays open across restarts: clients queue
instead of being refused.

examples/webserver is deployed twice: with `!socket {bind: PATH}` (a UNIX
socket) and with `!socket {bind: 127.0.0.1:PORT}`; policy always, backoff
initial 3s so that a crashed program stays down for a while. For each:
- `cloudabictl restart` while a client loop keeps connecting: no connect
  is refused, every client that connected after the old program had ended
  got the full answer (tried until at least one such client happened);
  one the old program had accepted when it was stopped may be lost;
- the program is killed with SIGKILL; while the service is in backoff (no
  process), clients connect and send their request: the connect succeeds;
  the status is still backoff afterwards; once the program is back every
  one of them gets the full answer;
- the socket is the same one throughout: the inode the program holds (and
  for the UNIX socket the inode of the socket file) does not change.

usage: socket_keep.py CLOUDABID CLOUDABICTL CLOUDABI-RUN GUEST-DIR
"""
import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import fail  # noqa: E402

REQUEST = b"GET / HTTP/1.0\r\nHost: test\r\n\r\n"


class Client:
    """One HTTP exchange, split so that a test can act between steps."""

    def __init__(self, addr):
        self.addr = addr
        fam = socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        self.s.settimeout(harness.WAIT)

    def connect(self):
        self.s.connect(self.addr)

    def send(self):
        self.s.sendall(REQUEST)

    def answer(self):
        data = b""
        try:
            while True:
                b = self.s.recv(4096)
                if not b:
                    break
                data += b
        finally:
            self.s.close()
        return data


def good(data):
    return data.startswith(b"HTTP/1.1 200 ") and data.endswith(
        b"\r\n\r\nHello, world\n")


def get(addr):
    c = Client(addr)
    c.connect()
    c.send()
    return c.answer()


def socket_inode(pid):
    """The inode of the listening socket the program holds (its fd 0)."""
    try:
        link = os.readlink("/proc/%d/fd/0" % pid)
    except OSError as e:
        fail("the program %d is gone: %r" % (pid, e))
    if not link.startswith("socket:["):
        fail("fd 0 of %d is %s, not a socket" % (pid, link))
    return link


def restart_under_load(env, name, addr):
    """Restarts while clients keep coming; returns how many got through."""
    for attempt in range(5):
        old = env.status(name)["pid"]
        results, stop = [], threading.Event()

        def loop():
            while not stop.is_set():
                # Checked before connecting: if the old program is gone
                # already, it cannot be the one that accepted.
                after = harness.proc_state(old) in (None, "Z", "X")
                c = Client(addr)
                try:
                    c.connect()
                except OSError as e:
                    c.s.close()
                    results.append((after, "refused: %r" % e))
                    continue
                # A connection the old program accepted and then died
                # with (no signal handlers in CloudABI) is lost: allowed
                # only for clients that came while it still ran.
                try:
                    c.send()
                    results.append((after, c.answer()))
                except OSError as e:
                    c.s.close()
                    results.append((after, "no answer: %r" % e))
                time.sleep(0.005)
        t = threading.Thread(target=loop)
        t.start()
        try:
            time.sleep(0.2)
            env.ctl("restart", name)
            harness.wait_for(lambda: env.status(name)["pid"] not in (0, old)
                             and env.status(name)["state"] == "running",
                             "%s running again" % name)
            time.sleep(0.3)
        finally:
            stop.set()
            t.join()
        for after, r in results:
            if isinstance(r, str) and r.startswith("refused"):
                fail("%s: a client was refused during restart: %s" %
                     (name, r))
        downtime = [r for after, r in results if after]
        bad = [r for r in downtime if not (isinstance(r, bytes) and good(r))]
        if bad:
            fail("%s: clients that came after the old program ended got "
                 "%r" % (name, bad[:3]))
        if downtime:
            return len(results), len(downtime)
    fail("%s: no client ever connected after the old program ended" % name)


def crash_window(env, name, addr):
    """Clients that connect while the service is down are served later."""
    pid = env.status(name)["pid"]
    os.kill(pid, signal.SIGKILL)
    env.wait_state(name, "backoff")
    clients = [Client(addr) for _ in range(5)]
    for c in clients:
        c.connect()  # queued by the kernel on the socket the daemon holds
        c.send()
    s = env.status(name)
    if s["state"] != "backoff" or s["pid"] != 0 or env.instances(name):
        fail("%s: the window closed before the clients connected (%s); "
             "the backoff is too short for this machine" % (name, s))
    env.wait_state(name, "running")
    for i, c in enumerate(clients):
        try:
            a = c.answer()
        except OSError as e:
            fail("%s: client %d queued during backoff: %r" % (name, i, e))
        if not good(a):
            fail("%s: client %d queued during backoff got %r" % (name, i, a))


def check(env, name, bind, addr):
    args = "{socket: !socket {bind: '%s'}}" % bind
    env.ctl("deploy", env.service(name, guest="webserver", extra_args=args,
                                  initial="3s", maximum="3s", starts=10))
    env.wait_state(name, "running")
    harness.wait_for(lambda: good(get(addr)), "%s to answer" % name)
    s = env.wait_state(name, "running")
    inode = socket_inode(s["pid"])
    file_inode = os.stat(addr).st_ino if isinstance(addr, str) else None

    n, during = restart_under_load(env, name, addr)
    print("%s: %d clients during restart, %d after the old program ended"
          % (name, n, during))
    crash_window(env, name, addr)

    s = env.status(name)
    if socket_inode(s["pid"]) != inode:
        fail("%s: the program holds another socket after restarts" % name)
    if file_inode is not None and os.stat(addr).st_ino != file_inode:
        fail("%s: the socket file was replaced" % name)
    if s["restart_count"] < 1:
        fail("%s: the crash was not counted: %s" % (name, s))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test(env):
    env.start_daemon()
    path = os.path.join(env.tmp, "http.sock")
    check(env, "web-unix", path, path)
    port = free_port()
    check(env, "web-tcp", "127.0.0.1:%d" % port, ("127.0.0.1", port))


if __name__ == "__main__":
    harness.run(test)
