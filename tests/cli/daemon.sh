#!/bin/bash
# cloudabictl against the real cloudabid on a private socket and state
# directory, deploying real CloudABI programs: validation errors with
# file:line:col, deploy, list, status, logs (also -f and JSON), events,
# stop/start/restart, a crash loop, remove, the exit codes 3 and 4, and
# completion's service names.
# usage: daemon.sh CLOUDABID CLOUDABICTL CLOUDABI-RUN GUEST-DIR
set -u
daemon=$1 ctl=$2 runtime=$3
guests=$(cd "$4" && pwd) # service files want absolute paths
tmp=$(mktemp -d)
sock=$tmp/control.sock
dpid=
cleanup() {
	[ -n "$dpid" ] && kill -TERM "$dpid" 2>/dev/null && wait "$dpid"
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	echo "--- daemon log"; cat "$tmp/daemon.log"
	exit 1
}

# c ARGS...: cloudabictl on our socket; output in $tmp/out, $tmp/err.
c() {
	"$ctl" --socket "$sock" "$@" >"$tmp/out" 2>"$tmp/err"
}
# expect CODE ARGS...: c, and check the exit code.
expect() {
	want=$1; shift
	c "$@"; got=$?
	[ "$got" -eq "$want" ] || {
		cat "$tmp/out" "$tmp/err"
		fail "cloudabictl $* exited $got, want $want"
	}
}
# json_field NAME FIELD: a field of `status NAME -o json`.
json_field() {
	c -o json status "$1" &&
		python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
			"$tmp/out" "$2"
}
# wait_state NAME STATE: polls for up to 15 s.
wait_state() {
	for _ in $(seq 150); do
		[ "$(json_field "$1" state)" = "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 never reached $2 (last: $(json_field "$1" state))"
}
# valid_json_lines FILE: every line of FILE is one JSON object.
valid_json_lines() {
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    assert isinstance(json.loads(line), dict)
    n += 1
assert n > 0
' "$1" || fail "not JSON lines: $(cat "$1")"
}

# A service file for cli_guest: NAME LINES STATUS POLICY.
service() {
	cat >"$tmp/$1.yaml" <<EOS
%TAG ! tag:nuxi.nl,2015:cloudabi/
---
name: $1
executable: $guests/cli_guest
args: [!log, !!int $2, !!int $3]
restart:
  policy: $4
  backoff: {initial: 50ms, max: 100ms, jitter: 0}
  crash_loop: {starts: 3, within: 60s}
stop: {grace: 2s}
EOS
}

# No daemon yet: unreachable.
expect 3 list
grep -q "cloudabid is not running at $sock" "$tmp/err" || fail "message"

"$daemon" --foreground --state-dir "$tmp/state" --socket "$sock" \
	--runtime "$runtime" --stop-on-exit >"$tmp/daemon.log" 2>&1 &
dpid=$!
for _ in $(seq 100); do
	c list && break
	sleep 0.1
done
expect 0 list
[ "$(cat "$tmp/out")" = "NAME  STATE  PID  UPTIME  RESTARTS  LAST-EXIT" ] ||
	fail "empty list: $(cat "$tmp/out")"
expect 0 -o json list
[ "$(cat "$tmp/out")" = "[]" ] || fail "empty JSON list"

# An invalid file: every error with file:line:col, exit 4, nothing stored.
cat >"$tmp/bad.yaml" <<EOS
%TAG ! tag:nuxi.nl,2015:cloudabi/
---
name: bad
executable: $guests/cli_guest
args: [!sockit 3]
colour: blue
EOS
expect 4 deploy "$tmp/bad.yaml"
grep -q "^$tmp/bad.yaml:5:[0-9]*: .*sockit" "$tmp/err" ||
	fail "tag error: $(cat "$tmp/err")"
grep -q "^$tmp/bad.yaml:6:1: .*colour" "$tmp/err" ||
	fail "key error: $(cat "$tmp/err")"
grep -q "2 errors, nothing deployed" "$tmp/err" || fail "error count"
expect 4 -o json deploy "$tmp/bad.yaml"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d["ok"] and len(d["errors"]) == 2' \
	"$tmp/out" || fail "JSON validation: $(cat "$tmp/out")"
printf 'name: [unclosed\n' >"$tmp/syntax.yaml"
expect 4 deploy "$tmp/syntax.yaml"
grep -q "^$tmp/syntax.yaml:[0-9]*:[0-9]*: " "$tmp/err" ||
	fail "syntax error: $(cat "$tmp/err")"

# Dry run: checked, not stored.
service sleeper 3 -1 always
expect 0 deploy --dry-run "$tmp/sleeper.yaml"
grep -q "sleeper.yaml: ok (service sleeper)" "$tmp/out" || fail "dry run"
expect 0 -o json list
[ "$(cat "$tmp/out")" = "[]" ] || fail "dry run stored something"

expect 0 deploy "$tmp/sleeper.yaml"
grep -q "^deployed sleeper (generation [0-9]*, new)" "$tmp/out" ||
	fail "deploy: $(cat "$tmp/out")"
wait_state sleeper running
expect 0 list
grep -Eq "^sleeper +running +[0-9]+ +[0-9]+s +0 +-$" "$tmp/out" ||
	fail "list row: $(cat "$tmp/out")"
expect 0 -o json list
python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); assert len(l) == 1 and l[0]["name"] == "sleeper" and l[0]["pid"] > 0' \
	"$tmp/out" || fail "JSON list: $(cat "$tmp/out")"
expect 0 status sleeper
grep -q "^State: *running since " "$tmp/out" || fail "status"
grep -q "^Executable: *$guests/cli_guest$" "$tmp/out" || fail "status exe"

# Logs: all, the last line, JSON, and following across a restart.
for _ in $(seq 50); do
	c logs sleeper && grep -q "line 3" "$tmp/out" && break
	sleep 0.1
done
[ "$(cat "$tmp/out")" = "$(printf 'line 1\nline 2\nline 3')" ] ||
	fail "logs: $(cat "$tmp/out")"
expect 0 logs -n 1 sleeper
[ "$(cat "$tmp/out")" = "line 3" ] || fail "logs -n 1: $(cat "$tmp/out")"
expect 0 -o json logs sleeper
valid_json_lines "$tmp/out"
"$ctl" --socket "$sock" logs -f -n 1 sleeper >"$tmp/follow" 2>&1 &
fpid=$!
sleep 0.5
expect 0 restart sleeper
grep -q "^restart sleeper: desired running" "$tmp/out" || fail "restart"
for _ in $(seq 100); do
	[ "$(grep -c '^line' "$tmp/follow")" -ge 4 ] && break
	sleep 0.1
done
kill "$fpid"; wait "$fpid" 2>/dev/null
[ "$(grep -c '^line' "$tmp/follow")" -ge 4 ] ||
	fail "logs -f saw no new output: $(cat "$tmp/follow")"

# Events: current state, as text and JSON lines.
expect 0 events sleeper
grep -q "sleeper .* snapshot .*running" "$tmp/out" || fail "events: $(cat "$tmp/out")"
expect 0 -o json events
valid_json_lines "$tmp/out"

# Stop and start.
wait_state sleeper running
expect 0 stop sleeper
grep -q "^stop sleeper: desired stopped" "$tmp/out" || fail "stop"
wait_state sleeper stopped
expect 0 list
grep -Eq "^sleeper +stopped +- +- +[0-9]+ +SIG" "$tmp/out" ||
	fail "stopped row: $(cat "$tmp/out")"
expect 0 start sleeper
wait_state sleeper running

# A program that always fails is restarted, then parked as failed.
service crasher 1 3 on-failure
expect 0 deploy "$tmp/crasher.yaml"
wait_state crasher failed
[ "$(json_field crasher restart_count)" -ge 1 ] || fail "no restarts"
expect 0 list
grep -Eq "^crasher +failed +- +- +[0-9]+ +exit 3$" "$tmp/out" ||
	fail "crasher row: $(cat "$tmp/out")"

# examples/hello: ends on its own, policy never: exited.
cat >"$tmp/hello.yaml" <<EOS
%TAG ! tag:nuxi.nl,2015:cloudabi/
---
name: hello
executable: $guests/hello
args:
  - !log
restart: {policy: never}
EOS
expect 0 deploy "$tmp/hello.yaml"
wait_state hello exited
expect 0 logs hello
[ "$(cat "$tmp/out")" = "Hello, world" ] || fail "hello logs"

# Completion asks for the names.
expect 0 __complete services
[ "$(cat "$tmp/out" | tr '\n' ' ')" = "crasher hello sleeper " ] ||
	fail "complete: $(cat "$tmp/out")"

# Unknown services are refused: exit 4, NOT_FOUND.
for cmd in status start stop restart remove logs events; do
	expect 4 "$cmd" nosuch
	grep -q "NOT_FOUND" "$tmp/err" || fail "$cmd nosuch: $(cat "$tmp/err")"
done

# Remove: gone from the list.
for s in sleeper crasher hello; do
	expect 0 remove "$s"
done
expect 4 status sleeper
expect 0 -o json list
[ "$(cat "$tmp/out")" = "[]" ] || fail "after remove: $(cat "$tmp/out")"

# The daemon stops while a follower waits: it ends with 3 and a hint;
# then the daemon is unreachable.
service last 1 -1 always
expect 0 deploy "$tmp/last.yaml"
"$ctl" --socket "$sock" events -f last >"$tmp/follow" 2>"$tmp/follow.err" &
fpid=$!
for _ in $(seq 50); do
	grep -q snapshot "$tmp/follow" && break
	sleep 0.1
done
kill -TERM "$dpid"; wait "$dpid"; dpid=
wait "$fpid"; rc=$?
[ "$rc" -eq 3 ] || fail "events -f ended with $rc when the daemon stopped"
grep -Eq "lost the connection to cloudabid at $sock|UNAVAILABLE" \
	"$tmp/follow.err" ||
	fail "follow message: $(cat "$tmp/follow.err")"
expect 3 list
echo ok
