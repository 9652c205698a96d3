#!/usr/bin/python3
"""SIGKILL of cloudabid at many moments; each daemon started again brings
back exactly the desired state.

A model of what the operator asked for is kept beside the daemon. Each
round starts cloudabid, fires one cloudabictl operation in the background
(deploy of a new service, stop, start, restart or remove of an existing
one), and SIGKILLs the daemon after a random delay: before, during or
after the call, while services start, run or wait in backoff. Some rounds
kill the daemon while it is still starting up (re-adopting). An operation
whose cloudabictl exited 0 was acknowledged and must hold; one that did
not may have happened or not, and the daemon's answer decides (it must be
one of the two). After each kill, and after the next start:
- no service ever runs twice (counted in /proc by the program's file);
- `list` holds exactly the acknowledged services (plus possibly the
  unacknowledged new one, minus possibly the unacknowledged removal; a
  remove killed before its process ended is finished by the next daemon);
- each service's desired state is the one asked for;
- every service that should run runs exactly once, as the pid `status`
  shows; a service running before the kill and left alone keeps its
  process (re-adopted, not started again); every stopped or removed
  service has no process;
- the crashing service (backoff, no crash-loop limit) has at most one.
The daemon's processes are ended at the end: a last daemon with
--stop-on-exit and SIGTERM stops every service, and none is left.

The seed is printed; set SEED to replay a run.

usage: sigkill.py CLOUDABID CLOUDABICTL CLOUDABI-RUN GUEST-DIR
"""
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import fail  # noqa: E402

ROUNDS = 20
CRASHER = "crash"


class Model:
    """What the operator asked for: name -> "running" or "stopped"."""

    def __init__(self):
        self.desired = {}
        self.next_id = 0

    def new_name(self):
        self.next_id += 1
        return "svc%d" % self.next_id


def no_twins(env, when):
    """No service has two processes."""
    for name, pids in env.all_instances().items():
        if len(pids) > 1:
            fail("%s: %s runs twice: %s" % (when, name, pids))


def pick_op(rng, model):
    """An operation and its target, never on the crasher's desired state
    (it keeps crashing so that kills land in its backoff)."""
    names = sorted(n for n in model.desired if n != CRASHER)
    ops = ["deploy"] + (["stop", "start", "restart", "remove"] if names
                        else [])
    op = rng.choice(ops)
    if op == "deploy" or len(names) < 3 and op == "remove":
        return "deploy", model.new_name()
    return op, rng.choice(names)


def outcomes(model, op, name):
    """The desired states name may have after op if it was done, and if it
    was not. None stands for "not deployed". An acknowledged remove may
    still be finishing when the daemon is back (its process ending): the
    service must then disappear shortly, never stay (settle() waits)."""
    before = model.desired.get(name)
    after = {"deploy": {"running"}, "stop": {"stopped"},
             "start": {"running"}, "restart": {"running"},
             "remove": {None, "stopped"}}[op]
    # "stopped" after a remove only while it finishes (see settle()).
    return after, {before}


def launch(env, op, name):
    """Starts cloudabictl for op in the background."""
    args = ["deploy", env.service(name, tag=name)] if op == "deploy" else \
        [op, name]
    return subprocess.Popen([env.ctlbin, "--socket", env.sock] + args,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def settle(env, model, pending, before_pids, touched=None):
    """Checks the restarted daemon against the model, after resolving the
    round's operation from what the daemon says (within what is allowed:
    an acknowledged operation must have happened); touched is the service
    the round's operation was about (its process may have changed)."""
    listed = {s["name"]: s for s in env.ctl_json("list")}
    if pending:
        op, name, allowed, acked = pending
        got = listed[name]["desired"] if name in listed else None
        if got not in allowed:
            fail("after %s %s %s: desired %s, want one of %s" %
                 ("an acknowledged" if acked else "an unacknowledged", op,
                  name, got, allowed))
        if acked and op == "remove" and got is not None:
            # The restarted daemon finishes the remove the killed one
            # acknowledged: the service must go (bounded wait).
            for _ in range(100):
                listed = {s["name"]: s for s in env.ctl_json("list")}
                if name not in listed:
                    break
                time.sleep(0.1)
            got = listed[name]["desired"] if name in listed else None
            if got is not None:
                fail("an acknowledged remove of %s was lost: still %s"
                     % (name, got))
        if got is None:
            model.desired.pop(name, None)
        else:
            model.desired[name] = got
    if set(listed) != set(model.desired):
        fail("list %s, want %s" % (sorted(listed), sorted(model.desired)))
    for name, want in model.desired.items():
        if listed[name]["desired"] != want:
            fail("%s: desired %s, want %s" %
                 (name, listed[name]["desired"], want))

    def converged():
        no_twins(env, "after restart")
        for name, want in model.desired.items():
            s = env.status(name)
            pids = env.instances(name)
            if name == CRASHER:
                continue
            if want == "stopped":
                if s["state"] != "stopped" or pids:
                    return False
            elif s["state"] != "running" or pids != [s["pid"]]:
                return False
        return True
    try:
        harness.wait_for(converged, "the desired state", step=0.1)
    except harness.TestFailure:
        fail("not converged: %s; processes %s" % (
            [(s["name"], s["desired"], s["state"], s["pid"])
             for s in env.ctl_json("list")], env.all_instances()))
    # Left alone and alive across the kill: re-adopted, same process.
    for name, pid in before_pids.items():
        if name == touched or name == CRASHER:
            continue
        if model.desired.get(name) == "running" and \
                env.status(name)["pid"] != pid:
            fail("%s: pid %d before the kill, %d after: started again "
                 "instead of re-adopted; status %s" %
                 (name, pid, env.status(name)["pid"], env.status(name)))
    gone = set(os.listdir(os.path.join(env.tmp, "bin"))) - set(model.desired)
    for name in gone:
        if env.instances(name):
            fail("%s is not deployed but runs" % name)


def running_pids(env, model):
    """Pids of the services that run now, alone, as status shows."""
    out = {}
    for name, pids in env.all_instances().items():
        if name in model.desired and len(pids) == 1:
            out[name] = pids[0]
    return out


def test(env):
    seed = int(os.environ.get("SEED", random.randrange(1 << 30)))
    print("seed", seed)
    rng = random.Random(seed)
    model = Model()

    env.start_daemon()
    env.ctl("deploy", env.service(CRASHER, lines=1, status=1,
                                  policy="on-failure", initial="200ms",
                                  maximum="1s", within="0"))
    model.desired[CRASHER] = "running"
    # Three services log only when they start; a fourth logs every 200 ms,
    # also while no daemon is there: it must survive that (its log FIFO
    # always has a reader) and keep its pid across the kills.
    for _ in range(3):
        name = model.new_name()
        env.ctl("deploy", env.service(name))
        model.desired[name] = "running"
    name = model.new_name()
    env.ctl("deploy", env.service(name, period=200))
    model.desired[name] = "running"
    settle(env, model, None, {})

    for rnd in range(ROUNDS):
        if env.daemon is None:
            env.start_daemon()
        before = running_pids(env, model)
        op, name = pick_op(rng, model)
        proc = launch(env, op, name)
        # A call takes milliseconds: most kills land near it, before the
        # client connects, within the call or just after; the rest later.
        delay = rng.uniform(0, rng.choice([0.008, 0.03, 0.4]))
        time.sleep(delay)
        env.kill_daemon()
        try:
            out = proc.communicate(timeout=harness.WAIT)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            fail("cloudabictl %s %s hangs after the daemon died" % (op, name))
        done, undone = outcomes(model, op, name)
        acked = proc.returncode == 0
        print("round %d: %s %s, kill after %.0f ms: %s" %
              (rnd, op, name, delay * 1000,
               "acknowledged" if acked else "not acknowledged (%d)" %
               proc.returncode))
        if proc.returncode not in (0, 3):
            fail("cloudabictl %s %s: exit %d: %s" %
                 (op, name, proc.returncode, out))
        no_twins(env, "daemon dead")
        pending = (op, name, done if acked else done | undone, acked)
        # Sometimes kill it again while it starts up and re-adopts.
        if rng.random() < 0.3:
            env.start_daemon(wait=False)
            time.sleep(rng.uniform(0, 0.15))
            env.kill_daemon()
            no_twins(env, "killed while starting")
        env.start_daemon()
        settle(env, model, pending, before, touched=name)

    # The end: every service stopped by a clean stop, nothing left.
    env.kill_daemon()
    env.start_daemon("--stop-on-exit")
    settle(env, model, None, {})
    env.stop_daemon()
    harness.wait_for(lambda: not any(env.all_instances().values()),
                     "every service to end after --stop-on-exit")


if __name__ == "__main__":
    harness.run(test)
