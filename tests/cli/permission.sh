#!/bin/bash
# Who may do what, through cloudabictl, against the real cloudabid (run
# as root): a user who cannot open the socket gets exit 3 and a hint; one
# who can but is neither root nor in the control group may read (exit 0)
# and is refused changes with PERMISSION_DENIED (exit 4).
# usage: permission.sh CLOUDABID CLOUDABICTL CLOUDABI-RUN GUEST-DIR
set -u
daemon=$1 ctl=$2 runtime=$3
guests=$(cd "$4" && pwd)
tmp=$(mktemp -d)
chmod 755 "$tmp"
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
[ "$(id -u)" -eq 0 ] || fail "must run as root (registered only then)"

# nobody WANT ARGS...: cloudabictl as uid/gid 65534, checking the code.
nobody() {
	want=$1; shift
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$ctl" --socket "$sock" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || {
		cat "$tmp/out" "$tmp/err"
		fail "cloudabictl $* as nobody exited $got, want $want"
	}
}

"$daemon" --foreground --state-dir "$tmp/state" --socket "$sock" \
	--runtime "$runtime" --stop-on-exit >"$tmp/daemon.log" 2>&1 &
dpid=$!
for _ in $(seq 100); do
	"$ctl" --socket "$sock" list >/dev/null 2>&1 && break
	sleep 0.1
done
cat >"$tmp/svc.yaml" <<EOS
%TAG ! tag:nuxi.nl,2015:cloudabi/
---
name: svc
executable: $guests/cli_guest
args: [!log, !!int 1, !!int -1]
EOS
chmod 644 "$tmp/svc.yaml"
"$ctl" --socket "$sock" deploy "$tmp/svc.yaml" >/dev/null ||
	fail "root could not deploy"

# The socket is 0660 root:root: nobody cannot even connect.
nobody 3 list
grep -q "no permission to connect to $sock" "$tmp/err" ||
	fail "EACCES message: $(cat "$tmp/err")"

# Opened up: reading works, changing is refused.
chmod 0666 "$sock"
nobody 0 list
grep -q "^svc " "$tmp/out" || fail "nobody's list: $(cat "$tmp/out")"
nobody 0 status svc
for args in "stop svc" "remove svc" "restart svc" "deploy $tmp/svc.yaml"; do
	# shellcheck disable=SC2086
	nobody 4 $args
	grep -q "PERMISSION_DENIED: uid 65534 may not .*(changes need root" \
		"$tmp/err" || fail "$args: $(cat "$tmp/err")"
done
# Nothing changed: the service still wants to run.
"$ctl" --socket "$sock" status svc | grep -q "^Desired: *running$" ||
	fail "a refused stop changed the service"
"$ctl" --socket "$sock" remove svc >/dev/null || fail "root remove"
echo ok
