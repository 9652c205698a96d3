#!/bin/sh
# cloudabi-run's sandbox from the outside: --sandbox-check, the refusal
# to run without a required layer (simulated with the test-only variable
# CLOUDABI_SANDBOX_SIMULATE_MISSING), --insecure, and bad options.
#   check.sh RUN GUESTDIR SRCDIR
set -u
run=$1 guests=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	sed 's/^/  | /' "$tmp/out" "$tmp/err" >&2
	fails=$((fails + 1))
}

# runs WANT_STATUS command...; output in $tmp/out and $tmp/err
expect() {
	want=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	[ "$got" -eq "$want" ] || fail "exit $got, expected $want: $*"
}

has() { grep -q -- "$2" "$tmp/$1" || fail "$1 lacks '$2'"; }

# The report: every layer named; exit 0 exactly when nothing is missing.
"$run" --sandbox-check >"$tmp/out" 2>"$tmp/err"
st=$?
for layer in no_new_privs uid/gid capabilities rlimits landlock seccomp \
	fsgsbase result; do
	has out "^$layer:"
done
if grep -q MISSING "$tmp/out"; then
	[ "$st" -eq 1 ] || fail "missing layer but exit $st"
else
	[ "$st" -eq 0 ] || fail "nothing missing but exit $st"
	has out "every required layer is available"
fi
has out "core=0"

# Each simulated gap makes the report fail and names it.
for gap in landlock landlock-net landlock-scope seccomp; do
	expect 1 env CLOUDABI_SANDBOX_SIMULATE_MISSING=$gap \
		"$run" --sandbox-check
	has out "MISSING"
	has out "result:         missing"
done
expect 1 env CLOUDABI_SANDBOX_SIMULATE_MISSING=seccomp "$run" --sandbox-check
has out "^seccomp:        MISSING"

# Options show up in the report.
expect 0 "$run" --limit-nofile 64 --limit-as unlimited --sandbox-check
has out "nofile=64"
has out "as=unlimited"

# Without a required layer the program does not start: status 127, a
# message naming the layer, none of the program's output.
expect 127 env CLOUDABI_SANDBOX_SIMULATE_MISSING=seccomp \
	"$run" -c "$src/examples/hello.yaml" "$guests/hello"
has err "lacks seccomp filters"
has err "refusing"
[ ! -s "$tmp/out" ] || fail "the program ran without its sandbox"
expect 127 env CLOUDABI_SANDBOX_SIMULATE_MISSING=landlock-scope \
	"$run" -c "$src/examples/hello.yaml" "$guests/hello"
has err "Landlock scopes"

# --insecure runs it anyway, never silently.
expect 0 env CLOUDABI_SANDBOX_SIMULATE_MISSING=seccomp \
	"$run" --insecure -c "$src/examples/hello.yaml" "$guests/hello"
has out "Hello, world"
has err "warning: --insecure: running without seccomp"

# The normal path still runs the program, sandboxed.
expect 0 "$run" -c "$src/examples/hello.yaml" "$guests/hello"
has out "Hello, world"

# Bad options stop the launcher before anything runs.
expect 127 "$run" --user no-such-user-xyz -c "$src/examples/hello.yaml" \
	"$guests/hello"
has err "no such user"
expect 127 "$run" --group no-such-group-xyz -c "$src/examples/hello.yaml" \
	"$guests/hello"
has err "no such group"
expect 127 "$run" --limit-nofile 12x -c "$src/examples/hello.yaml" \
	"$guests/hello"
has err "bad --limit-nofile"

# A small fd limit still lets the program start: it is set once the
# launcher's own fds are in place.
expect 0 "$run" --limit-nofile 16 -c "$src/examples/hello.yaml" \
	"$guests/hello"
has out "Hello, world"

# As root, the program runs as nobody by default, or as --user: the
# files it creates in a world-writable grant say who it was.
owner_of_created() {
	rm -rf "$tmp/d" && mkdir -m 0777 "$tmp/d"
	printf '%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n%s\n%s\n%s\n' \
		"tmpdir: !file {path: $tmp/d}" \
		"ro: !file {path: $tmp/d, rights: read-only}" \
		'log: !fd stderr' >"$tmp/c.yaml"
	"$run" "$@" -c "$tmp/c.yaml" "$guests/conf_file_open" \
		>"$tmp/out" 2>"$tmp/err" </dev/null ||
		fail "conf_file_open failed with $*"
	stat -c %U "$tmp/d/a"
}
if [ "$(id -u)" -eq 0 ]; then
	[ "$(owner_of_created)" = nobody ] || fail "not run as nobody"
	[ "$(owner_of_created --user daemon)" = daemon ] ||
		fail "--user daemon ignored"
else
	echo "not root: the uid change is not exercised here"
	[ "$(owner_of_created)" = "$(id -un)" ] || fail "uid changed"
fi

[ "$fails" -eq 0 ] || exit 1
echo "sandbox checks: ok"
