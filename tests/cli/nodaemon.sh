#!/bin/sh
# cloudabictl without a daemon: exit codes 0 (help, version), 2 (usage)
# and 3 (unreachable), and messages that say what to do.
# usage: nodaemon.sh PATH-TO-CLOUDABICTL
set -u
ctl=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect CODE CMD...: runs CMD, checks its exit code, keeps its output.
expect() {
	want=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || {
		cat "$tmp/err"
		fail "$* exited $got, want $want"
	}
}

expect 0 "$ctl" help
grep -q '^usage: cloudabictl' "$tmp/out" || fail "help text"
expect 0 "$ctl" version
grep -q '^cloudabictl [0-9]' "$tmp/out" || fail "version text"
expect 0 "$ctl" -o json version
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" ||
	fail "version JSON"

expect 2 "$ctl" frobnicate
grep -q "unknown command 'frobnicate'" "$tmp/err" || fail "usage message"
[ -s "$tmp/out" ] && fail "usage error wrote to stdout"
expect 2 "$ctl" stop
expect 2 "$ctl" logs -n x web
expect 2 "$ctl" -o yaml list

# Nothing listens: exit 3, with the socket and the advice in the message.
expect 3 "$ctl" --socket "$tmp/none.sock" list
grep -q "cloudabid is not running at $tmp/none.sock: start it with \`systemctl start cloudabid\` or pass --socket" \
	"$tmp/err" || fail "unreachable message: $(cat "$tmp/err")"
CLOUDABID_SOCKET="$tmp/env.sock" expect 3 "$ctl" status web
grep -q "not running at $tmp/env.sock" "$tmp/err" || fail "CLOUDABID_SOCKET"
# A socket file with nobody behind it (a daemon that died).
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
	"$tmp/dead.sock"
expect 3 "$ctl" --socket "$tmp/dead.sock" -o json list
[ -s "$tmp/out" ] && fail "error wrote to stdout"
# Completion stays silent when there is no daemon.
expect 3 "$ctl" --socket "$tmp/none.sock" __complete services
[ -s "$tmp/err" ] && fail "__complete printed an error"
echo "ok"
