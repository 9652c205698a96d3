#!/bin/sh
# `make demo`: the main job, end to end.
#  1. examples' launcher YAML turned into the argdata a program receives
#     (fd table, hex bytes, decoded view), with cloudabi-argdata;
#  2. examples/hello under cloudabi-run, as in the original manual page;
#  3. cloudabid on a private state directory, examples/webserver.yaml
#     deployed with cloudabictl, the service list, a page fetched from the
#     service, and a clean stop of the service and the daemon.
set -eu
build=${1:-build}
tool="$build/runtime/cloudabi-argdata"
run="$build/runtime/cloudabi-run"
daemon="$build/daemon/cloudabid"
ctl="$build/cli/cloudabictl"

for t in "$tool" "$run" "$daemon" "$ctl"; do
	if [ ! -x "$t" ]; then
		echo "demo: $t is missing: run 'make build' first" >&2
		exit 1
	fi
done

step() {
	printf '\n==> %s\n' "$*"
}

for yaml in examples/hello.yaml examples/webserver.run.yaml; do
	step "cloudabi-argdata $yaml"
	sed 's/^/    | /' "$yaml"
	echo
	"$tool" "$yaml"
done

step "cloudabi-run $build/guests/hello < examples/hello.yaml"
"$run" "$build/guests/hello" <examples/hello.yaml

# The daemon: a private state directory and socket, stopped on any exit.
state=$(mktemp -d "${TMPDIR:-/tmp}/cloudabid-demo.XXXXXX")
sock="$state/control.sock"
dpid=
cleanup() {
	if [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null; then
		"$ctl" --socket "$sock" remove webserver >/dev/null 2>&1 || true
		kill -TERM "$dpid" 2>/dev/null || true
		wait "$dpid" 2>/dev/null || true
	fi
	rm -rf "$state"
}
trap cleanup EXIT INT TERM
ctl() {
	echo "\$ cloudabictl $*"
	"$ctl" --socket "$sock" "$@"
}

step "cloudabid --foreground --state-dir $state (private)"
"$daemon" --foreground --state-dir "$state/state" --socket "$sock" \
	--runtime "$run" 2>"$state/daemon.log" &
dpid=$!
for _ in $(seq 100); do
	"$ctl" --socket "$sock" list >/dev/null 2>&1 && break
	sleep 0.1
done
"$ctl" --socket "$sock" list >/dev/null || {
	cat "$state/daemon.log" >&2
	exit 1
}
echo "cloudabid is running (pid $dpid)"

step "deploy the webserver service"
sed 's/^/    | /' examples/webserver.yaml
ctl deploy examples/webserver.yaml
for _ in $(seq 100); do
	"$ctl" --socket "$sock" -o json status webserver 2>/dev/null |
		grep -q '"state": *"running"' && break
	sleep 0.1
done
ctl list

step "curl http://127.0.0.1:8080/"
curl --silent --show-error --max-time 5 http://127.0.0.1:8080/

step "stop cleanly"
ctl stop webserver
ctl remove webserver
kill -TERM "$dpid"
wait "$dpid"
dpid=
echo "cloudabid stopped; its log:"
sed 's/^/    | /' "$state/daemon.log"
