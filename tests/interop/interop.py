#!/usr/bin/python3
"""Interop: Debian's python3-grpcio (a gRPC client no one here wrote) with
messages from Debian's protoc + python3-protobuf, generated at build time
from proto/*.proto, against a real cloudabid over its UNIX socket.

Services deployed through cloudabictl: alpha (running), beta (deployed,
then stopped), gamma (crashes, parked as failed). Checks:
- List: the names, states, desired states, pids, restart counts, last
  exits, generations, executables and policies equal `cloudabictl -o json
  list`; each running pid is the one process in /proc running it;
- Get: every field equals `cloudabictl -o json status`, the stored spec
  is the deployed file; Get of an unknown name is NOT_FOUND;
- Health.Check of the server ("") is SERVING;
- Watch (all services, replay): a snapshot of each service with its
  current state, then, after `cloudabictl restart alpha`, an operation
  event with the caller's uid and state events of alpha that end in
  running with the new pid that List reports.

usage: interop.py PYGEN-DIR CLOUDABID CLOUDABICTL CLOUDABI-RUN GUEST-DIR
"""
import os
import queue
import sys
import time
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import harness  # noqa: E402
import health_pb2  # noqa: E402
import supervisor_pb2 as pb  # noqa: E402
from harness import fail  # noqa: E402

SUP = "/cloudabi.supervisor.v1.Supervisor/"


def enum_word(enum, value, prefix):
    """SERVICE_STATE_RUNNING -> "running", as cloudabictl prints it."""
    return enum.Name(value)[len(prefix):].lower()


def exit_json(e):
    """An ExitStatus as cloudabictl's JSON shows it (None if absent)."""
    how = e.WhichOneof("how")
    if how is None:
        return None
    return {how: getattr(e, how), "time_ns": e.time_ns}


def as_cli(st):
    """The fields of a ServiceStatus that cloudabictl's JSON carries."""
    return {
        "name": st.name,
        "state": enum_word(pb.ServiceState, st.state, "SERVICE_STATE_"),
        "desired": enum_word(pb.DesiredState, st.desired, "DESIRED_STATE_"),
        "pid": st.pid, "start_time_ns": st.start_time_ns,
        "state_since_ns": st.state_since_ns,
        "restart_count": st.restart_count,
        "last_exit": exit_json(st.last_exit) if st.HasField("last_exit")
        else None,
        "next_start_ns": st.next_start_ns, "generation": st.generation,
        "executable": st.executable, "restart_policy": st.restart_policy,
        "message": st.message, "uid": st.uid, "gid": st.gid,
        "deployed_ns": st.deployed_ns,
    }


def trim_cli(d):
    """cloudabictl's JSON reduced to the fields as_cli() compares."""
    d = dict(d)
    d.pop("spec_yaml", None)
    if d["last_exit"] is not None:
        e = d["last_exit"]
        how = "code" if "code" in e else "signal"
        d["last_exit"] = {how: e[how], "time_ns": e["time_ns"]}
    return d


class Client:
    def __init__(self, sock):
        self.ch = grpc.insecure_channel("unix:" + sock)

    def unary(self, method, req, resp_type):
        fn = self.ch.unary_unary(method,
                                 request_serializer=type(req).SerializeToString,
                                 response_deserializer=resp_type.FromString)
        return fn(req, timeout=harness.WAIT)

    def stream(self, method, req, resp_type):
        fn = self.ch.unary_stream(method,
                                  request_serializer=type(req).SerializeToString,
                                  response_deserializer=resp_type.FromString)
        return fn(req, timeout=5 * harness.WAIT)


def check_list(env, c):
    got = c.unary(SUP + "List", pb.ListRequest(), pb.ListResponse)
    cli = env.ctl_json("list")
    mine = [as_cli(s) for s in got.services]
    if [s["name"] for s in mine] != ["alpha", "beta", "gamma"]:
        fail("List names: %s" % [s["name"] for s in mine])
    if mine != [trim_cli(s) for s in cli]:
        fail("List differs from cloudabictl:\n%s\n%s" % (mine, cli))
    for s in mine:
        want = [s["pid"]] if s["pid"] else []
        if env.instances(s["name"]) != want:
            fail("%s: List says pid %d, /proc has %s" %
                 (s["name"], s["pid"], env.instances(s["name"])))
    states = {s["name"]: (s["state"], s["desired"]) for s in mine}
    if states != {"alpha": ("running", "running"),
                  "beta": ("stopped", "stopped"),
                  "gamma": ("failed", "running")}:
        fail("List states: %s" % states)
    return got


def check_get(env, c):
    for name in ("alpha", "beta", "gamma"):
        st = c.unary(SUP + "Get", pb.GetRequest(name=name),
                     pb.ServiceStatus)
        cli = env.status(name)
        if as_cli(st) != trim_cli(cli):
            fail("Get %s differs:\n%s\n%s" % (name, as_cli(st), cli))
        with open(os.path.join(env.tmp, name + ".yaml")) as f:
            if st.spec_yaml != f.read() or st.spec_yaml != cli["spec_yaml"]:
                fail("Get %s: spec_yaml is not the deployed file" % name)
    gamma = c.unary(SUP + "Get", pb.GetRequest(name="gamma"),
                    pb.ServiceStatus)
    if gamma.last_exit.code != 3 or gamma.message != "crash loop":
        fail("gamma: %s" % gamma)
    try:
        c.unary(SUP + "Get", pb.GetRequest(name="ghost"), pb.ServiceStatus)
        fail("Get of an unknown service succeeded")
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.NOT_FOUND:
            fail("Get ghost: %s %s" % (e.code(), e.details()))


def check_watch(env, c, listed):
    call = c.stream(SUP + "Watch", pb.WatchRequest(replay=True), pb.Event)
    events = queue.Queue()

    def reader():
        try:
            for ev in call:
                events.put(ev)
        except grpc.RpcError as e:
            events.put(e)
    t = threading.Thread(target=reader)
    t.start()
    try:
        def next_event():
            try:
                ev = events.get(timeout=harness.WAIT)
            except queue.Empty:
                fail("Watch: no event in %ds" % harness.WAIT)
            if isinstance(ev, Exception):
                fail("Watch ended: %s" % ev)
            return ev
        snaps = {}
        for _ in range(3):
            ev = next_event()
            if ev.kind != pb.EVENT_KIND_SNAPSHOT:
                fail("Watch: want a snapshot first, got %s" % ev)
            snaps[ev.service] = ev.to_state
        want = {s.name: s.state for s in listed.services}
        if snaps != want:
            fail("Watch snapshots %s, List %s" % (snaps, want))

        old = env.status("alpha")["pid"]
        env.ctl("restart", "alpha")
        seen, last_seq = [], 0
        while True:
            ev = next_event()
            if ev.sequence <= last_seq:
                fail("Watch: sequence %d after %d" % (ev.sequence, last_seq))
            last_seq = ev.sequence
            if ev.service != "alpha":
                fail("Watch: an event of %s: %s" % (ev.service, ev))
            seen.append(ev)
            if ev.kind == pb.EVENT_KIND_STATE and \
                    ev.to_state == pb.SERVICE_STATE_RUNNING:
                break
        op = [e for e in seen if e.kind == pb.EVENT_KIND_OPERATION]
        if not op or op[0].message != "Restart" or \
                op[0].caller_uid != os.getuid():
            fail("Watch: no Restart operation by uid %d: %s" %
                 (os.getuid(), seen))
        if not any(e.kind == pb.EVENT_KIND_EXITED for e in seen):
            fail("Watch: the old process's exit was not reported: %s" % seen)
        new = env.wait_state("alpha", "running")["pid"]
        # "running" comes as the runtime starts: it maps the program a
        # moment later, and only then does /proc show it as alpha's.
        deadline = time.monotonic() + harness.WAIT
        while env.instances("alpha") != [new] and \
                time.monotonic() < deadline:
            time.sleep(0.02)
        if new in (0, old) or env.instances("alpha") != [new]:
            fail("alpha after restart: pid %d (old %d), /proc %s" %
                 (new, old, env.instances("alpha")))
        print("Watch: %d snapshots, %d events of the restart" %
              (len(snaps), len(seen)))
    finally:
        call.cancel()
        t.join(harness.WAIT)


def test(env):
    env.start_daemon()
    env.ctl("deploy", env.service("alpha"))
    env.ctl("deploy", env.service("beta"))
    env.ctl("deploy", env.service("gamma", lines=1, status=3,
                                  policy="on-failure", initial="10ms",
                                  starts=2))
    env.wait_state("alpha", "running")
    env.wait_state("beta", "running")
    env.ctl("stop", "beta")
    env.wait_state("beta", "stopped")
    env.wait_state("gamma", "failed")
    # alpha's program is mapped a moment after it reports running.
    deadline = time.monotonic() + harness.WAIT
    while not env.instances("alpha") and time.monotonic() < deadline:
        time.sleep(0.02)

    c = Client(env.sock)
    health = c.unary("/grpc.health.v1.Health/Check",
                     health_pb2.HealthCheckRequest(service=""),
                     health_pb2.HealthCheckResponse)
    if health.status != health_pb2.HealthCheckResponse.SERVING:
        fail("Health.Check: %s" % health)
    listed = check_list(env, c)
    check_get(env, c)
    check_watch(env, c, listed)
    c.ch.close()


if __name__ == "__main__":
    sys.argv = sys.argv[1:]
    harness.run(test)
