#!/bin/sh
# Drives the real cloudabi-run: run_test.sh NAME RUN GUESTDIR SRCDIR.
# Each case asserts the exit status and the exact output.
set -u
name=$1 run=$2 guests=$3 src=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect STATUS EXPECTED-STDOUT STDERR-PATTERN -- command...
expect() {
	want_status=$1 want_out=$2 want_err=$3
	shift 4
	"$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "$status" -ne "$want_status" ]; then
		echo "FAIL $name: exit $status, expected $want_status" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
	printf '%b' "$want_out" >"$tmp/want"
	if ! cmp -s "$tmp/out" "$tmp/want"; then
		echo "FAIL $name: stdout differs" >&2
		diff "$tmp/want" "$tmp/out" >&2
		exit 1
	fi
	if [ -n "$want_err" ] && ! grep -q -- "$want_err" "$tmp/err"; then
		echo "FAIL $name: stderr lacks '$want_err':" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
}

case $name in
hello)
	expect 0 'Hello, world\nHello, world\nHello, world\n' '' -- \
		"$run" "$guests/hello" <"$src/examples/hello.yaml" ;;
hello_config_file)
	expect 0 'Hello, world\nHello, world\nHello, world\n' '' -- \
		"$run" -c "$src/examples/hello.yaml" "$guests/hello" </dev/null ;;
hello_emulate_flag)
	expect 0 'Hello, world\nHello, world\nHello, world\n' '' -- \
		"$run" -e "$guests/hello" <"$src/examples/hello.yaml" ;;
hello_stderr)
	# Output goes to the granted fd only: stderr here, stdout empty.
	printf '%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n- !fd stderr\n' >"$tmp/c.yaml"
	expect 0 '' 'Hello, world' -- "$run" -c "$tmp/c.yaml" "$guests/hello" ;;
hello_not_a_seq)
	# The program's own failure: its exit status comes through.
	printf '%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n!fd stdout\n' >"$tmp/c.yaml"
	expect 1 '' '' -- "$run" -c "$tmp/c.yaml" "$guests/hello" ;;
bad_yaml)
	printf '%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n- !sockit x\n' >"$tmp/c.yaml"
	expect 127 '' "c.yaml:3:3: " -- "$run" -c "$tmp/c.yaml" "$guests/hello" ;;
missing_executable)
	expect 127 '' "$tmp/nope: No such file" -- \
		"$run" "$tmp/nope" <"$src/examples/hello.yaml" ;;
not_cloudabi)
	expect 127 '' 'not a CloudABI executable' -- \
		"$run" /bin/true <"$src/examples/hello.yaml" ;;
usage)
	expect 127 '' 'usage: cloudabi-run' -- "$run" ;;
help)
	"$run" --help | grep -q 'usage: cloudabi-run' || { echo "FAIL help" >&2; exit 1; } ;;
*)
	echo "unknown case $name" >&2
	exit 2 ;;
esac
echo "ok $name"
