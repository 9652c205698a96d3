#!/bin/sh
# cloudabi-run's exit status when its program raises a signal:
#   proc_signals.sh RUN GUEST
# A terminating signal kills cloudabi-run itself (the program runs in its
# process), so a shell sees 128 + the Linux signal number; an ignored one
# returns 0 from proc_raise; a stopped program continues on SIGCONT.
set -u
run=$1 guest=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# raise CLOUDABI-SIGNAL -> prints cloudabi-run's exit status
raise() {
	printf '%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n' >"$tmp/c.yaml"
	printf 'log: !fd stderr\nraise: !!int %s\n' "$1" >>"$tmp/c.yaml"
	"$run" -c "$tmp/c.yaml" "$guest" 2>"$tmp/err"
	echo $?
}

# expect CLOUDABI-SIGNAL STATUS NAME
expect() {
	got=$(raise "$1")
	if [ "$got" -ne "$2" ]; then
		echo "FAIL $3: raise $1 gave exit $got, expected $2" >&2
		cat "$tmp/err" >&2
		fail=1
	fi
}

expect 1 134 abrt   # SIGABRT 6
expect 10 137 kill  # SIGKILL 9
expect 13 139 segv  # SIGSEGV 11: the runtime's own handler must not catch it
expect 16 143 term  # SIGTERM 15
expect 22 138 usr1  # SIGUSR1 10
expect 7 129 hup    # SIGHUP 1
expect 4 0 chld     # ignored
expect 11 0 pipe    # ignored
expect 21 0 urg     # ignored
expect 5 0 cont     # continues: nothing to do while running
expect 0 28 zero    # EINVAL
expect 27 28 past   # EINVAL

# stop: the process stops until SIGCONT, then proc_raise returns 0.
printf '%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\nraise: !!int 14\n' >"$tmp/s.yaml"
"$run" -c "$tmp/s.yaml" "$guest" &
pid=$!
state=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
	[ "$state" = T ] && break
	sleep 0.1
done
if [ "$state" != T ]; then
	echo "FAIL stop: state '$state', expected T (stopped)" >&2
	kill -KILL "$pid" 2>/dev/null
	fail=1
fi
kill -CONT "$pid"
wait "$pid"
status=$?
if [ "$status" -ne 0 ]; then
	echo "FAIL stop: exit $status after SIGCONT, expected 0" >&2
	fail=1
fi
exit $fail
