#!/usr/bin/python3
"""A crashing service is restarted with backoff, then parked as failed.

The guest writes "crasher start" and "crasher line 1" and exits 1; policy
on-failure, backoff initial 100ms, max 800ms, jitter 0, crash loop limit
6 starts within 60 s. Checks, from `events -f -o json` (started before
the deploy), `status -o json`, `logs` and /proc:
- every exit (code 1) is followed by backoff, then starting after at
  least the planned delay: 100, 200, 400, 800, 800 ms (doubling, capped);
  in the normal build also not much later (no timing bounds above under
  the sanitizers);
- the plan the daemon reports while in backoff (next_start_ns minus the
  exit time) is exactly that delay;
- the 6th start parks it: state failed, message "crash loop",
  restart_count 5, last exit code 1, no process left, 6 starts in the log;
- it stays failed until an operator starts it again, which runs it again.

usage: backoff.py CLOUDABID CLOUDABICTL CLOUDABI-RUN GUEST-DIR
"""
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import fail  # noqa: E402

DELAYS_MS = [100, 200, 400, 800, 800]
SANITIZED = os.environ.get("CLOUDABID_SANITIZED", "OFF") not in ("", "OFF",
                                                                 "0")


def watch_plans(env, seen, stop):
    """Records (exit time, planned start) pairs seen in backoff."""
    while not stop.is_set():
        r = env.ctl("-o", "json", "status", "crasher", check=False)
        if r.returncode == 0:
            s = json.loads(r.stdout)
            if s["state"] == "backoff" and s["last_exit"]:
                seen[s["last_exit"]["time_ns"]] = s["next_start_ns"]
        time.sleep(0.01)


def check_gaps(events):
    """Each exit -> starting gap is at least the planned delay."""
    exits = [e for e in events if e["kind"] == "exited"]
    starts = [e for e in events if e["kind"] == "state" and
              e["from_state"] == "backoff" and e["to_state"] == "starting"]
    if len(exits) != 6 or len(starts) != 5:
        fail("want 6 exits and 5 restarts, got %d and %d:\n%s" %
             (len(exits), len(starts), "\n".join(map(str, events))))
    gaps = []
    for i, want in enumerate(DELAYS_MS):
        if exits[i]["exit"] != {"code": 1, "time_ns": exits[i]["exit"]
                                ["time_ns"], "core_dumped": False}:
            fail("exit %d: %s" % (i, exits[i]["exit"]))
        gap = (starts[i]["time_ns"] - exits[i]["exit"]["time_ns"]) / 1e6
        gaps.append(gap)
        # Timers have millisecond granularity: allow 5 ms early.
        if gap < want - 5:
            fail("restart %d after %.1f ms, before its %d ms backoff" %
                 (i + 1, gap, want))
        if not SANITIZED and gap > want + 400:
            fail("restart %d after %.1f ms, planned %d ms" %
                 (i + 1, gap, want))
    print("restart gaps (ms):", ", ".join("%.1f" % g for g in gaps))
    return exits


def test(env):
    env.start_daemon()
    evpath = os.path.join(env.tmp, "events")
    with open(evpath, "w") as out:
        follower = subprocess.Popen(
            [env.ctlbin, "--socket", env.sock, "-o", "json", "events", "-f",
             "crasher"], stdout=out, stderr=subprocess.STDOUT)
    try:
        seen, stop = {}, threading.Event()
        watcher = threading.Thread(target=watch_plans,
                                   args=(env, seen, stop))
        # The follower subscribes before the deploy: no event is missed.
        time.sleep(0.5)
        watcher.start()
        env.ctl("deploy", env.service("crasher", lines=1, status=1,
                                      policy="on-failure", starts=6))
        s = env.wait_state("crasher", "failed")
        stop.set()
        watcher.join()
        harness.wait_for(lambda: open(evpath).read().count('"failed"') > 0,
                         "the failed state in events -f")
    finally:
        follower.kill()
        follower.wait()
    events = [json.loads(line) for line in open(evpath)]
    exits = check_gaps(events)

    # The plan the daemon reported, exactly doubling from the exit.
    exit_times = [e["exit"]["time_ns"] for e in exits]
    if not seen:
        fail("never saw the service in backoff with status")
    for t, nxt in seen.items():
        if t not in exit_times[:5]:
            fail("backoff after an unknown exit at %d" % t)
        want = DELAYS_MS[exit_times.index(t)]
        if abs((nxt - t) / 1e6 - want) > 1:
            fail("planned restart %.1f ms after exit, want %d" %
                 ((nxt - t) / 1e6, want))
    print("backoff plans seen:", len(seen))

    if (s["message"] != "crash loop" or s["restart_count"] != 5 or
            s["last_exit"]["code"] != 1 or s["pid"] != 0):
        fail("parked status: %s" % s)
    if events[-1]["to_state"] != "failed":
        fail("last event: %s" % events[-1])
    if env.instances("crasher"):
        fail("a parked service still has processes")
    lines = env.logs("crasher")
    if lines != ["crasher start", "crasher line 1"] * 6:
        fail("logs of six runs: %s" % lines)

    # Parked: nothing happens on its own ...
    time.sleep(1.0)
    if env.status("crasher")["state"] != "failed":
        fail("a parked service left failed on its own")
    # ... until an operator starts it again.
    env.ctl("start", "crasher")
    harness.wait_for(lambda: env.logs("crasher").count("crasher start") > 6,
                     "a start after the operator's start")
    # It still crashes: parked again, not restarted forever.
    env.wait_state("crasher", "failed")


if __name__ == "__main__":
    harness.run(test)
