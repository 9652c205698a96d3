#!/usr/bin/env python3
"""Runs one escape attempt of escape_guest under cloudabi-run and checks it.

    escape_test.py [--control] [--off OPTION]... [--env NAME=VALUE]...
                   RUN GUEST MODE

The guest issues raw Linux system calls (escape_guest.c). With the sandbox
(the default), the attempt must fail -- the guest exits 3 naming the
errno, or the seccomp filter kills it (SIGSYS) -- AND nothing may have
changed outside: no file written or created, no connection seen by the
test's listeners, no signal received, no mount, no secret in the report.

Each --off OPTION is passed to cloudabi-run, each --env set in its
environment: with them a test turns layers of the sandbox off (to check
what each layer stops on its own). --control asserts the opposite: the
attempt succeeds and its effect is seen, which, with every layer off,
proves that the test can fail. Attempts that need root are skipped (status
77) in control mode without root.

Attempts that do not need privileges run as an unprivileged user (nobody
when the test starts as root, the caller otherwise), so that the uid drop
of the sandbox cannot be what stops them: only Landlock and seccomp can.
"""
import base64
import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

SKIP = 77
EXIT_BLOCKED, EXIT_ESCAPED = 3, 4
SIGSYS_STATUS = -signal.SIGSYS

# Attempts that only make sense as root: the sandbox must also stop a
# program started with every capability.
ROOT_MODES = {"kill_init", "ptrace_other", "mount", "bpf", "open_by_handle",
              "setuid", "setresuid", "unshare_user"}

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_DUMPABLE = 4


class Case:
    """The temporary tree, listeners and checks of one attempt."""

    def __init__(self, mode):
        self.mode = mode
        self.tmp = tempfile.mkdtemp(prefix="escape-")
        os.chmod(self.tmp, 0o777)
        self.secret = "SECRET-" + secrets.token_hex(8)
        self.extra = {}
        self.listener = None
        self.dgram = None
        self.signals = 0
        self.child = None
        self.mounted = False
        self._tree()

    def p(self, *names):
        return os.path.join(self.tmp, *names)

    def _tree(self):
        """granted/ (read-write grant), rodir/ (read-only grant) with
        ro.txt, secret (outside every grant), granted/link -> secret."""
        for d in ("granted", "rodir", "mnt"):
            os.mkdir(self.p(d))
            os.chmod(self.p(d), 0o777)
        self._write(self.p("secret"), self.secret + "\n")
        self._write(self.p("rodir", "ro.txt"), "ORIGINAL\n")
        os.symlink(self.p("secret"), self.p("granted", "link"))

    @staticmethod
    def _write(path, text):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o666)

    def read(self, *names):
        try:
            with open(self.p(*names)) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def setup(self):
        """Mode-specific resources; returns nothing, fills self.extra."""
        m = self.mode
        if m in ("open_abs", "open_abs_legacy"):
            self.extra["path"] = "/etc/passwd"
        elif m == "open_abs_dirfd":
            self.extra["path"] = self.p("secret")
        elif m in ("dotdot", "dotdot_create"):
            self.extra["path"] = "../secret" if m == "dotdot" else "../created"
        elif m in ("symlink", "symlink_write"):
            self.extra["path"] = "link"
        elif m == "cwd_read":
            self.extra["path"] = "secret"
        elif m == "cwd_create":
            self.extra["path"] = "created"
        elif m == "execve_sh":
            self.extra["path"] = "echo x > " + self.p("created")
        elif m == "mount":
            self.extra["path"] = self.p("mnt")
        elif m == "proc_environ":
            # The secret first: the guest reports only the first bytes.
            env = {"ESCAPE_SECRET": self.secret}
            self.child = subprocess.Popen(["/bin/sleep", "30"], env=env)
            self.extra["path"] = "/proc/%d/environ" % self.child.pid
        elif m == "ptrace_other":
            self.child = subprocess.Popen(["/bin/sleep", "30"])
            self.extra["pid"] = self.child.pid
        elif m in ("tcp_connect", "tcp_bind"):
            self._tcp()
        elif m == "unix_abstract":
            name = "cloudabid-escape-" + secrets.token_hex(6)
            self._listen(socket.AF_UNIX, "\0" + name)
            self.extra["abstract"] = name
        elif m == "unix_path":
            self._listen(socket.AF_UNIX, self.p("sock"))
            os.chmod(self.p("sock"), 0o777)
            self.extra["path"] = self.p("sock")
        elif m == "unix_dgram":
            self.dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.dgram.bind(self.p("dgram.sock"))
            os.chmod(self.p("dgram.sock"), 0o777)
            self.dgram.setblocking(False)
            self.extra["path"] = self.p("dgram.sock")
        elif m == "kill_parent":
            signal.signal(signal.SIGUSR1, self._on_signal)
        elif m == "open_by_handle":
            self.extra["handle"] = handle_of(self.p("secret"))

    def _tcp(self):
        if self.mode == "tcp_connect":
            self._listen(socket.AF_INET, ("127.0.0.1", 0))
            self.extra["port"] = self.listener.getsockname()[1]
        else:  # a port free right now, for the guest to bind
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                self.extra["port"] = s.getsockname()[1]

    def _listen(self, family, addr):
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        self.listener.bind(addr)
        self.listener.listen(4)
        self.listener.setblocking(False)

    def _on_signal(self, signum, frame):
        self.signals += 1

    def config(self):
        lines = ["%TAG ! tag:nuxi.nl,2015:cloudabi/", "---",
                 "mode: " + self.mode,
                 "log: !fd stdout",
                 "dir: !file {path: %s}" % self.p("granted"),
                 "rodir: !file {path: %s, rights: read-only}" % self.p("rodir"),
                 "rofile: !file {path: %s}" % self.p("rodir", "ro.txt")]
        for k, v in self.extra.items():
            if isinstance(v, int):
                lines.append("%s: !!int %d" % (k, v))
            elif isinstance(v, bytes):
                lines.append("%s: !!binary %s" % (k, base64.b64encode(v)
                                                  .decode()))
            else:
                lines.append("%s: '%s'" % (k, v.replace("'", "''")))
        path = self.p("config.yaml")
        self._write(path, "\n".join(lines) + "\n")
        return path

    def effects(self, out):
        """What the attempt changed or learned outside its grants: a list
        of descriptions, empty when nothing."""
        seen = []
        if self.secret in out or "root:" in out:
            seen.append("a secret reached the program")
        if self.read("rodir", "ro.txt") != "ORIGINAL\n":
            seen.append("rodir/ro.txt was changed or removed")
        if self.read("secret") != self.secret + "\n":
            seen.append("the secret file outside was changed")
        for name in ("created", "rodir/created", "rodir/newdir",
                     "granted/created"):
            if os.path.lexists(self.p(name)):
                seen.append(name + " was created")
        if self.listener is not None and self._accepted():
            seen.append("the test's listener got a connection")
        if self.dgram is not None and self._datagram():
            seen.append("the test's datagram socket got a message")
        if self.signals:
            seen.append("the test received %d signal(s)" % self.signals)
        if self._is_mounted():
            seen.append("a file system was mounted on mnt/")
        return seen

    def _accepted(self):
        try:
            conn, _ = self.listener.accept()
            conn.close()
            return True
        except BlockingIOError:
            return False

    def _datagram(self):
        try:
            self.dgram.recv(64)
            return True
        except BlockingIOError:
            return False

    def _is_mounted(self):
        with open("/proc/self/mountinfo") as f:
            return any(line.split()[4] == self.p("mnt") for line in f)

    def cleanup(self):
        if self.child is not None:
            self.child.kill()
            self.child.wait()
        if self.listener is not None:
            self.listener.close()
        if self.dgram is not None:
            self.dgram.close()
        if self._is_mounted():
            libc.umount2(self.p("mnt").encode(), 2)  # MNT_DETACH
        shutil.rmtree(self.tmp, ignore_errors=True)


def handle_of(path):
    """struct file_handle of `path` (name_to_handle_at), as raw bytes."""
    buf = ctypes.create_string_buffer(8 + 128)
    ctypes.c_uint32.from_buffer(buf).value = 128
    mount_id = ctypes.c_int()
    if libc.name_to_handle_at(-100, path.encode(), buf,
                              ctypes.byref(mount_id), 0) != 0:
        raise OSError(ctypes.get_errno(), "name_to_handle_at " + path)
    size = ctypes.c_uint32.from_buffer(buf).value
    return buf.raw[:8 + size]


def drop_to_nobody():
    """Runs the rest of the test unprivileged, still traceable by its
    own uid (a uid change clears the dumpable flag)."""
    nobody = pwd.getpwnam("nobody")
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)


def verdict(case, control, rc, out):
    """0 when the run is what the mode expects, else 1 with a message."""
    seen = case.effects(out)
    escaped = rc == EXIT_ESCAPED or (case.mode == "execve_sh" and rc == 0)
    if control:
        if escaped and (seen or not has_effect_check(case.mode)):
            return 0
        print("FAIL: without the sandbox the attempt should succeed "
              "(status %d, effects %s)" % (rc, seen or "none"))
        return 1
    if rc not in (EXIT_BLOCKED, SIGSYS_STATUS):
        print("FAIL: the attempt was not stopped (status %d)" % rc)
        return 1
    if seen:
        print("FAIL: effects outside the grants: " + "; ".join(seen))
        return 1
    return 0


def has_effect_check(mode):
    """Whether effects() can see this attempt's success from outside."""
    return mode not in {"tcp_bind", "kill_init", "ptrace_parent",
                        "ptrace_other", "mmap_wx", "mprotect_wx", "io_uring",
                        "bpf", "setuid", "setresuid", "unshare_user"}


def main(argv):
    control = "--control" in argv
    argv = [a for a in argv if a != "--control"]
    off, env = [], dict(os.environ)
    while argv and argv[0] in ("--off", "--env"):
        if argv[0] == "--off":
            off.append(argv[1])
        else:
            name, _, value = argv[1].partition("=")
            env[name] = value
        argv = argv[2:]
    run, guest, mode = argv
    if mode in ROOT_MODES and os.geteuid() != 0 and control:
        print("skipped: the control run of %s needs root" % mode)
        return SKIP
    if mode not in ROOT_MODES and os.geteuid() == 0:
        drop_to_nobody()
    case = Case(mode)
    try:
        case.setup()
        cmd = [run] + off + ["-c", case.config(), guest]
        proc = subprocess.run(cmd, cwd=case.tmp, env=env,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)
        out = proc.stdout.decode(errors="replace")
        print("$ " + " ".join(cmd))
        print("status %d" % proc.returncode)
        sys.stdout.write(out + proc.stderr.decode(errors="replace"))
        return verdict(case, control, proc.returncode, out)
    finally:
        case.cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
