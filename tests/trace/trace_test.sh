#!/bin/sh
# Drives cloudabi-run --trace: trace_test.sh NAME RUN GUESTDIR SRCDIR.
# The program's output must stay as it is; the trace goes to stderr.
set -u
name=$1 run=$2 guests=$3 src=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hello='Hello, world\nHello, world\nHello, world\n'

fail() {
	echo "FAIL $name: $*" >&2
	echo "--- stderr:" >&2
	cat "$tmp/err" >&2
	exit 1
}

# run STATUS EXPECTED-STDOUT -- command...: checks status and stdout.
run() {
	want_status=$1 want_out=$2
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	[ "$status" -eq "$want_status" ] ||
		fail "exit $status, expected $want_status"
	printf '%b' "$want_out" >"$tmp/want"
	cmp -s "$tmp/out" "$tmp/want" || fail "stdout differs: $(cat "$tmp/out")"
}

# has PATTERN: stderr holds a line matching the basic regex PATTERN.
has() {
	grep -q -- "$1" "$tmp/err" || fail "no trace line matching '$1'"
}

# The three writes of hello (the three !fd stdout share fd 0), then the
# exit.
check_hello_trace() {
	line='^\[[0-9]*\] fd_write(fd=0, iovs=0x[0-9a-f]*, iovs_len=1, nwritten=\[13\]) = ESUCCESS$'
	[ "$(grep -c -- "$line" "$tmp/err")" -eq 3 ] ||
		fail "expected 3 lines matching '$line'"
	[ "$(grep -c 'fd_write' "$tmp/err")" -eq 3 ] ||
		fail "expected exactly 3 fd_write lines"
	has '^\[[0-9]*\] proc_exit(rval=0) \.\.\.$'
}

case $name in
trace_long)
	run 0 "$hello" -- "$run" --trace "$guests/hello" \
		<"$src/examples/hello.yaml"
	check_hello_trace ;;
trace_short)
	run 0 "$hello" -- "$run" -t -c "$src/examples/hello.yaml" \
		"$guests/hello"
	check_hello_trace ;;
no_trace)
	# Without the option nothing at all is logged.
	run 0 "$hello" -- "$run" "$guests/hello" <"$src/examples/hello.yaml"
	[ ! -s "$tmp/err" ] || fail "stderr not empty without --trace" ;;
error_name)
	# A read-only file: the write fails, the trace names the errno and
	# shows the out pointer as an address, as nothing was written.
	printf '%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n- !file {path: /dev/null}\n' \
		>"$tmp/c.yaml"
	run 1 '' -- "$run" --trace -c "$tmp/c.yaml" "$guests/hello"
	has '^\[[0-9]*\] fd_write(fd=0, iovs=0x[0-9a-f]*, iovs_len=1, nwritten=0x[0-9a-f]*) = ENOTCAPABLE$'
	has '^\[[0-9]*\] proc_exit(rval=1) \.\.\.$' ;;
*)
	echo "unknown case $name" >&2
	exit 2 ;;
esac
echo "ok $name"
