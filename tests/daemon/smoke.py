#!/usr/bin/python3
"""Smoke test of the real cloudabid binary on a private socket and state dir.

Checks: READY=1 over $NOTIFY_SOCKET, Health.Check through grpcio (a client
no one here wrote), the socket's mode, a second daemon on the same state
dir refused, PERMISSION_DENIED for a caller who may not mutate (when run
as root: a child as nobody), SIGTERM -> STOPPING=1 and a clean exit with
the socket removed, no wake-ups while idle, --group (socket ownership,
members may mutate), SIGHUP reopening the log file, the detaching mode,
and socket activation (fd 3).

usage: smoke.py CLOUDABID CLOUDABI_RUN
"""
import grp
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

import grpc

CLOUDABID, RUNTIME = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="cloudabid-smoke-")
os.chmod(TMP, 0o755)
STATE = os.path.join(TMP, "state")
SOCK = os.path.join(TMP, "control.sock")
NOTIFY = os.path.join(TMP, "notify")
NOBODY = 65534


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def notify_socket():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(NOTIFY)
    s.settimeout(15)
    return s


def wait_datagram(s, want):
    """Reads datagrams until one holds the line `want`."""
    deadline = time.time() + 15
    while time.time() < deadline:
        data = s.recv(4096).decode()
        if want in data.split("\n"):
            return data
    fail("no %s from the daemon" % want)


def call(method, req=b"", sock=SOCK):
    ch = grpc.insecure_channel("unix:" + sock)
    try:
        fn = ch.unary_unary(method)
        return fn(req, timeout=10)
    finally:
        ch.close()


def name_request(name):
    b = name.encode()
    return b"\x0a" + bytes([len(b)]) + b


def daemon(*extra, env=None, **kw):
    args = [CLOUDABID, "--state-dir", STATE, "--socket", SOCK,
            "--runtime", RUNTIME] + list(extra)
    return subprocess.Popen(args, env=env, stderr=subprocess.PIPE, **kw)


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(15)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("SIGTERM did not stop the daemon")
    err = p.stderr.read().decode()
    if rc != 0:
        fail("exit status %d after SIGTERM:\n%s" % (rc, err))
    return err


def as_nobody(want=grpc.StatusCode.PERMISSION_DENIED):
    """In a child as nobody: Stop gets `want`; reading is allowed."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
            try:
                call("/cloudabi.supervisor.v1.Supervisor/Stop",
                     name_request("web"))
                code = 3
            except grpc.RpcError as e:
                if e.code() != want:
                    print("nobody's Stop:", e.code(), e.details())
                    code = 4
            call("/cloudabi.supervisor.v1.Supervisor/List")
        except Exception as e:  # report anything, never continue the test
            print("nobody:", repr(e))
            code = 5
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        fail("caller as nobody: child status %d" % os.waitstatus_to_exitcode(status))


def wakeups(pid):
    """Context switches of every thread of pid so far."""
    n = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
            for line in f:
                if "ctxt_switches:" in line:
                    n += int(line.split()[-1])
    return n


def idle_check(pid):
    """Idle means no wake-ups: no polling timers, nothing to switch to."""
    time.sleep(0.3)
    before = wakeups(pid)
    time.sleep(1.5)
    after = wakeups(pid)
    if after != before:
        fail("idle daemon woke up %d times in 1.5 s" % (after - before))


def options():
    for opt in ("--version", "--help"):
        r = subprocess.run([CLOUDABID, opt], capture_output=True, timeout=10)
        if r.returncode != 0 or not r.stdout:
            fail("%s: %d" % (opt, r.returncode))
    r = subprocess.run([CLOUDABID, "--bogus"], capture_output=True, timeout=10)
    if r.returncode != 2 or b"usage:" not in r.stderr:
        fail("a bad option: %d %r" % (r.returncode, r.stderr))


def foreground_run():
    ns = notify_socket()
    env = dict(os.environ, NOTIFY_SOCKET=NOTIFY)
    p = daemon("--foreground", env=env)
    ready = wait_datagram(ns, "READY=1")
    if "STATUS=serving on %s, 0 services" % SOCK not in ready:
        fail("READY without STATUS: %r" % ready)
    if call("/grpc.health.v1.Health/Check") != b"\x08\x01":
        fail("Health.Check is not SERVING")
    idle_check(p.pid)
    mode = stat.S_IMODE(os.stat(SOCK).st_mode)
    if mode != 0o660:
        fail("socket mode %o" % mode)
    st = os.stat(os.path.join(STATE))
    if stat.S_IMODE(st.st_mode) != 0o700:
        fail("state dir mode %o" % stat.S_IMODE(st.st_mode))
    # A second daemon on the same state dir is refused.
    second = subprocess.run([CLOUDABID, "--foreground", "--state-dir", STATE,
                             "--socket", SOCK + "2", "--runtime", RUNTIME],
                            stderr=subprocess.PIPE, timeout=15)
    if second.returncode != 1 or b"another cloudabid" not in second.stderr:
        fail("second daemon: %d %r" % (second.returncode, second.stderr))
    if os.geteuid() == 0:
        os.chmod(SOCK, 0o666)  # let nobody connect, not mutate
        as_nobody()
    try:
        call("/cloudabi.supervisor.v1.Supervisor/Get", name_request("ghost"))
        fail("Get of a missing service succeeded")
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.NOT_FOUND:
            fail("Get ghost: %s" % e.code())
    err = stop(p)
    wait_datagram(ns, "STOPPING=1")
    ns.close()
    os.unlink(NOTIFY)
    if os.path.exists(SOCK):
        fail("socket left behind")
    for line in err.splitlines():
        if not (line.startswith("<") and ">" in line[:4]):
            fail("log line without a priority: %r" % line)
    if "<6>main: stopped" not in err:
        fail("no clean stop logged:\n" + err)


def group_run():
    """--group: the socket is group-owned, members may mutate."""
    gid = grp.getgrnam("nogroup").gr_gid
    p = daemon("--foreground", "--group", "nogroup")
    for _ in range(100):
        if os.path.exists(SOCK):
            break
        time.sleep(0.1)
    call("/grpc.health.v1.Health/Check")
    st = os.stat(SOCK)
    if st.st_gid != gid or stat.S_IMODE(st.st_mode) != 0o660:
        fail("socket gid %d mode %o" % (st.st_gid, stat.S_IMODE(st.st_mode)))
    # nobody's primary group is nogroup: allowed, so the answer is that
    # there is no such service rather than a refusal.
    as_nobody(grpc.StatusCode.NOT_FOUND)
    stop(p)


def detached_run():
    r = subprocess.run([CLOUDABID, "--state-dir", STATE, "--socket", SOCK,
                        "--runtime", RUNTIME], timeout=20)
    if r.returncode != 0:
        fail("detaching start: %d" % r.returncode)
    # Ready when the parent returned: answer at once.
    if call("/grpc.health.v1.Health/Check") != b"\x08\x01":
        fail("detached daemon not serving")
    with open(os.path.join(STATE, "cloudabid.lock")) as f:
        pid = int(f.read().strip())
    # SIGHUP after a rotation: the daemon writes to a new file.
    log = os.path.join(STATE, "cloudabid.log")
    os.rename(log, log + ".1")
    os.kill(pid, signal.SIGHUP)
    for _ in range(100):
        if os.path.exists(log):
            break
        time.sleep(0.1)
    with open(log) as f:
        if "log files reopened" not in f.read():
            fail("no log line in the reopened file")
    os.kill(pid, signal.SIGTERM)
    for _ in range(150):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        fail("detached daemon did not stop")
    with open(os.path.join(STATE, "cloudabid.log")) as f:
        if "<6>main: stopped" not in f.read():
            fail("detached daemon's log file lacks the stop")


def activated_run():
    """systemd socket activation: the listening socket arrives as fd 3."""
    path = os.path.join(TMP, "activated.sock")
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(8)
    pid = os.fork()
    if pid == 0:
        if ls.fileno() != 3:
            os.dup2(ls.fileno(), 3)
        os.set_inheritable(3, True)
        env = dict(os.environ, LISTEN_PID=str(os.getpid()), LISTEN_FDS="1")
        os.execve(CLOUDABID, [CLOUDABID, "--foreground", "--state-dir", STATE,
                              "--socket", os.path.join(TMP, "unused.sock"),
                              "--runtime", RUNTIME], env)
    ls.close()
    ok = False
    for _ in range(100):
        try:
            ok = call("/grpc.health.v1.Health/Check", sock=path) == b"\x08\x01"
            break
        except grpc.RpcError:
            time.sleep(0.1)
    os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    if not ok:
        fail("activated socket not served")
    if os.waitstatus_to_exitcode(status) != 0:
        fail("activated daemon exit %d" % os.waitstatus_to_exitcode(status))
    if os.path.exists(os.path.join(TMP, "unused.sock")):
        fail("--socket bound despite activation")


options()
foreground_run()
if os.geteuid() == 0:
    group_run()
detached_run()
activated_run()
subprocess.run(["rm", "-rf", TMP])
print("ok")
