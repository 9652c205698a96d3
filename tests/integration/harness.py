"""Shared helpers of the integration tests: a real cloudabid on a private
socket and state directory, driven through the real cloudabictl.

Every test script is run as
    SCRIPT CLOUDABID CLOUDABICTL CLOUDABI-RUN GUEST-DIR
and builds one Env from sys.argv. Env owns a private temporary directory;
each service gets its own copy of the guest executable under ENV/bin/NAME,
so that the processes of a service can be told apart in /proc by the file
their program is mapped from. Env.close() (also run at exit) kills every
daemon it started and every process still running one of its services, so
that nothing outlives a test.
"""
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

# Waits are bounded; sanitizer builds of the daemon are slow, so generous.
WAIT = 60


class TestFailure(Exception):
    pass


def fail(msg):
    raise TestFailure(msg)


def wait_for(pred, what, timeout=WAIT, step=0.05):
    """Polls pred() until it returns a true value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            fail("timed out after %gs waiting for %s" % (timeout, what))
        time.sleep(step)


def proc_state(pid):
    """The one-letter state of pid, or None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


class Env:
    def __init__(self, argv=None):
        argv = argv or sys.argv
        if len(argv) != 5:
            print("usage: %s CLOUDABID CLOUDABICTL CLOUDABI-RUN GUEST-DIR"
                  % argv[0])
            sys.exit(2)
        self.cloudabid, self.ctlbin = argv[1], argv[2]
        self.runtime = os.path.realpath(argv[3])
        self.guests = os.path.realpath(argv[4])
        self.tmp = tempfile.mkdtemp(prefix="cloudabid-integ-")
        os.chmod(self.tmp, 0o755)
        self.state = os.path.join(self.tmp, "state")
        self.sock = os.path.join(self.tmp, "control.sock")
        self.daemon = None
        self.generation = 0  # of the daemon log files
        os.mkdir(os.path.join(self.tmp, "bin"))
        atexit.register(self.close)

    # --- the daemon

    def start_daemon(self, *extra, wait=True):
        """Starts cloudabid in the foreground; returns once it answers
        (or at once, without wait)."""
        if self.daemon is not None:
            fail("a daemon is already running")
        self.generation += 1
        log = open(os.path.join(self.tmp, "daemon.%d.log" % self.generation),
                   "wb")
        self.daemon = subprocess.Popen(
            [self.cloudabid, "--foreground", "--state-dir", self.state,
             "--socket", self.sock, "--runtime", self.runtime] + list(extra),
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        if not wait:
            return self.daemon

        def ready():
            if self.daemon.poll() is not None:
                fail("cloudabid exited with %d:\n%s" %
                     (self.daemon.returncode, self.daemon_log()))
            return self.ctl("list", check=False).returncode == 0
        wait_for(ready, "cloudabid to answer")
        return self.daemon

    def kill_daemon(self):
        """SIGKILL: the daemon gets no chance to clean up."""
        self.daemon.kill()
        self.daemon.wait(WAIT)
        self.daemon = None

    def stop_daemon(self):
        """SIGTERM, and a clean exit within the bound."""
        self.daemon.send_signal(signal.SIGTERM)
        try:
            rc = self.daemon.wait(WAIT)
        except subprocess.TimeoutExpired:
            fail("cloudabid did not stop on SIGTERM")
        self.daemon = None
        if rc != 0:
            fail("cloudabid exited with %d on SIGTERM" % rc)

    def daemon_log(self):
        out = []
        for g in range(1, self.generation + 1):
            p = os.path.join(self.tmp, "daemon.%d.log" % g)
            with open(p, errors="replace") as f:
                out.append("--- daemon run %d\n%s" % (g, f.read()))
        return "".join(out)

    # --- the CLI

    def ctl(self, *args, check=True, want=0, timeout=WAIT):
        """Runs cloudabictl on our socket; with check, wants exit `want`."""
        r = subprocess.run([self.ctlbin, "--socket", self.sock] +
                           [str(a) for a in args],
                           capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != want:
            fail("cloudabictl %s: exit %d, want %d\nstdout: %s\nstderr: %s"
                 % (" ".join(map(str, args)), r.returncode, want, r.stdout,
                    r.stderr))
        return r

    def ctl_json(self, *args):
        return json.loads(self.ctl("-o", "json", *args).stdout)

    def status(self, name):
        return self.ctl_json("status", name)

    def names(self):
        return sorted(s["name"] for s in self.ctl_json("list"))

    def wait_state(self, name, state, timeout=WAIT):
        last = {}

        def reached():
            last["s"] = self.status(name)
            return last["s"]["state"] == state and last["s"]
        try:
            return wait_for(reached, "%s to be %s" % (name, state), timeout)
        except TestFailure:
            fail("%s never reached %s; last status: %s" %
                 (name, state, last.get("s")))

    def logs(self, name):
        return self.ctl("logs", name).stdout.splitlines()

    # --- services

    def exe(self, name):
        return os.path.join(self.tmp, "bin", name)

    def service(self, name, lines=0, status=-1, period=0, policy="always",
                initial="100ms", maximum="800ms", starts=5, within="60s",
                grace="5s", extra_args=None, tag=None, guest="integ_guest"):
        """Writes NAME.yaml for a guest and returns its path.

        The default guest is integ_guest: args [!log, tag, lines, status,
        period]. With extra_args, args are given as is (a YAML text).
        """
        if not os.path.exists(self.exe(name)):
            shutil.copy(os.path.join(self.guests, guest), self.exe(name))
        args = extra_args or "[!log, %s, !!int %d, !!int %d, !!int %d]" % (
            json.dumps(tag or name), lines, status, period)
        text = ("%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n"
                "name: %s\nexecutable: %s\nargs: %s\n"
                "restart:\n  policy: %s\n"
                "  backoff: {initial: %s, max: %s, jitter: 0}\n"
                "  crash_loop: {starts: %d, within: %s}\n"
                "stop: {grace: %s}\n" %
                (name, self.exe(name), args, policy, initial, maximum,
                 starts, within, grace))
        path = os.path.join(self.tmp, name + ".yaml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def instances(self, name):
        """Pids of live runtime processes whose program is NAME's copy."""
        exe = self.exe(name)
        pids = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            pid = int(d)
            try:
                if os.readlink("/proc/%d/exe" % pid) != self.runtime:
                    continue
                with open("/proc/%d/maps" % pid) as f:
                    mapped = any(line.rstrip("\n").endswith(" " + exe)
                                 for line in f)
            except (FileNotFoundError, ProcessLookupError,
                    PermissionError):
                continue
            if mapped and proc_state(pid) not in (None, "Z", "X"):
                pids.append(pid)
        return sorted(pids)

    def all_instances(self):
        """Every live process running a program from our bin/."""
        out = {}
        for name in os.listdir(os.path.join(self.tmp, "bin")):
            out[name] = self.instances(name)
        return out

    # --- cleanup

    def close(self):
        """Kills the daemon and every service process; removes the tmp."""
        if self.tmp is None:
            return
        if self.daemon is not None:
            self.daemon.kill()
            self.daemon.wait()
            self.daemon = None
        for _ in range(50):
            left = [p for ps in self.all_instances().values() for p in ps]
            if not left:
                break
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None


def run(test):
    """Runs test(env) with an Env from argv; exit 0 on success, 1 on
    failure with the daemon's log."""
    env = Env()
    try:
        test(env)
    except Exception as e:  # any error is a failure, with the daemon's log
        if isinstance(e, TestFailure):
            print("FAIL:", e)
        else:
            print("FAIL:", "".join(traceback.format_exception(e)))
        print(env.daemon_log())
        env.close()
        sys.exit(1)
    env.close()
    print("ok")
