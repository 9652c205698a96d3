#!/usr/bin/python3
"""stop, start, restart and remove through cloudabictl; logs stream; remove
releases the granted resources.

Services: "ticker" (integ_guest writing "ticker tick N" every 100 ms,
policy always) and two examples/webserver services, on a UNIX socket path
and on 127.0.0.1:PORT. Checks:
- after deploy each runs as exactly one process, the pid `status` shows;
- `logs -f` sees lines written after it started, and a restart's
  "ticker start";
- stop: state stopped, desired stopped, pid 0, no process, still stopped a
  while later despite policy always; start: one new process;
- restart: a different pid, the old process gone, one process;
- remove: soon status gives exit 4 (NOT_FOUND), the service is not listed, no
  process is left, the UNIX socket file is gone, and the TCP port can be
  bound again by someone else.

usage: lifecycle.py CLOUDABID CLOUDABICTL CLOUDABI-RUN GUEST-DIR
"""
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import fail  # noqa: E402


def one_instance(env, name):
    """The service runs as exactly one process, the one status shows."""
    s = env.wait_state(name, "running")
    pids = harness.wait_for(lambda: env.instances(name),
                            "a process of %s" % name)
    if pids != [s["pid"]]:
        fail("%s: processes %s, status says pid %d" % (name, pids, s["pid"]))
    return s["pid"]


def ticks(text):
    return [int(n) for n in re.findall(r"^ticker tick (\d+)$", text, re.M)]


def follow_check(env):
    """logs -f shows new lines, also those of the next instance."""
    path = os.path.join(env.tmp, "follow")
    with open(path, "w") as out:
        f = subprocess.Popen([env.ctlbin, "--socket", env.sock, "logs", "-f",
                              "-n", "1", "ticker"], stdout=out,
                             stderr=subprocess.STDOUT)
    try:
        harness.wait_for(lambda: ticks(open(path).read()),
                         "a tick in logs -f")
        first = ticks(open(path).read())[0]
        harness.wait_for(lambda: max(ticks(open(path).read())) >= first + 3,
                         "three new ticks in logs -f")
        env.ctl("restart", "ticker")
        harness.wait_for(lambda: "ticker start" in open(path).read(),
                         "the restarted program's first line in logs -f")
        harness.wait_for(lambda: open(path).read().split("ticker start")[1]
                         .count("ticker tick") >= 2,
                         "the restarted program's ticks in logs -f")
    finally:
        f.kill()
        f.wait()


def stop_start_restart(env, name):
    pid = one_instance(env, name)
    r = env.ctl("stop", name)
    if not r.stdout.startswith("stop %s: desired stopped" % name):
        fail("stop said %r" % r.stdout)
    s = env.wait_state(name, "stopped")
    if s["desired"] != "stopped" or s["pid"] != 0:
        fail("stopped status: %s" % s)
    harness.wait_for(lambda: not env.instances(name),
                     "%s's process to end" % name)
    time.sleep(1.0)  # policy always must not bring it back
    if env.status(name)["state"] != "stopped" or env.instances(name):
        fail("%s came back after stop" % name)
    env.ctl("start", name)
    pid2 = one_instance(env, name)
    if pid2 == pid:
        fail("start kept the old pid")
    env.ctl("restart", name)
    pid3 = harness.wait_for(lambda: env.status(name)["pid"] not in (0, pid2)
                            and env.status(name)["pid"], "a new pid")
    if one_instance(env, name) != pid3:
        fail("restart: pid changed again")
    if harness.proc_state(pid2) not in (None, "Z", "X"):
        fail("the old process %d outlived the restart" % pid2)


def port_free(port):
    s = socket.socket()
    # As any server would: TIME_WAIT leftovers do not count, a listener does.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        s.listen(1)
        return True
    except OSError:
        return False
    finally:
        s.close()


def remove_check(env, name):
    env.ctl("remove", name)
    # The call returns once recorded; the service goes once it stopped.
    r = harness.wait_for(lambda: (lambda r: r.returncode == 4 and r)(
        env.ctl("status", name, check=False)), "%s to be gone" % name)
    if "NOT_FOUND" not in r.stderr:
        fail("status after remove: %r" % r.stderr)
    if name in env.names():
        fail("%s still listed" % name)
    harness.wait_for(lambda: not env.instances(name),
                     "%s's process to end after remove" % name)


def test(env):
    env.start_daemon()
    env.ctl("deploy", env.service("ticker", period=100))
    path = os.path.join(env.tmp, "http.sock")
    env.ctl("deploy", env.service(
        "web-unix", guest="webserver",
        extra_args="{socket: !socket {bind: '%s'}}" % path))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env.ctl("deploy", env.service(
        "web-tcp", guest="webserver",
        extra_args="{socket: !socket {bind: '127.0.0.1:%d'}}" % port))
    if env.names() != ["ticker", "web-tcp", "web-unix"]:
        fail("list: %s" % env.names())

    follow_check(env)
    for name in ("ticker", "web-unix", "web-tcp"):
        stop_start_restart(env, name)

    # While deployed, the resources are held: the port is taken.
    if port_free(port):
        fail("port %d is free while web-tcp is deployed" % port)
    if not os.path.exists(path):
        fail("socket file missing while web-unix is deployed")
    for name in ("ticker", "web-unix", "web-tcp"):
        remove_check(env, name)
    if os.path.exists(path):
        fail("the UNIX socket file outlived remove")
    harness.wait_for(lambda: port_free(port),
                     "port %d to be free after remove" % port)
    if env.ctl_json("list") != []:
        fail("list after removing all: %s" % env.ctl_json("list"))


if __name__ == "__main__":
    harness.run(test)
