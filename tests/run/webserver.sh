#!/bin/sh
# Serves real HTTP with examples/webserver under cloudabi-run:
#   webserver.sh CASE RUN GUESTDIR SRCDIR
# tcp:  the shipped examples/webserver.run.yaml, its port replaced by a free one;
# unix: a UNIX socket path in a private directory.
# Each case makes two requests with curl, a connection that closes without
# a request, then a third request: every answer must be the exact body,
# and the server must still be running at the end (it serves forever).
set -u
name=$1 run=$2 guests=$3 src=$4
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "FAIL webserver.$name: $*" >&2
	[ -s "$tmp/err" ] && cat "$tmp/err" >&2
	exit 1
}

case $name in
tcp)
	# A port the kernel just handed out and released: free in practice.
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	sed "s/127\.0\.0\.1:8080/127.0.0.1:$port/" \
		"$src/examples/webserver.run.yaml" >"$tmp/c.yaml"
	grep -q ":$port" "$tmp/c.yaml" || fail "examples/webserver.run.yaml has no 127.0.0.1:8080"
	set -- http://127.0.0.1:$port/
	addr="('127.0.0.1', $port)" family=AF_INET ;;
unix)
	printf '%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\nsocket: !socket {bind: %s}\n' \
		"$tmp/http.sock" >"$tmp/c.yaml"
	set -- --unix-socket "$tmp/http.sock" http://localhost/
	addr="'$tmp/http.sock'" family=AF_UNIX ;;
*)
	echo "unknown case $name" >&2
	exit 2 ;;
esac

"$run" -c "$tmp/c.yaml" "$guests/webserver" >"$tmp/out" 2>"$tmp/err" &
pid=$!

# The launcher binds before the program starts; wait for it to listen.
i=0
until curl -s -o "$tmp/body" --max-time 5 "$@" 2>/dev/null; do
	kill -0 "$pid" 2>/dev/null || fail "cloudabi-run exited early"
	i=$((i + 1))
	[ $i -lt 50 ] || fail "no answer after 5 s"
	sleep 0.1
done

# request N: one GET whose body must be exactly "Hello, world\n".
request() {
	printf 'Hello, world\n' >"$tmp/want"
	cmp -s "$tmp/body" "$tmp/want" || fail "request $1: body '$(cat "$tmp/body")'"
	kill -0 "$pid" 2>/dev/null || fail "server gone after request $1"
}
request 1
curl -s -o "$tmp/body" --max-time 5 "$@" || fail "request 2: curl failed"
request 2
# A client that connects and leaves without a word must not stop it.
python3 -c "import socket; s = socket.socket(socket.$family); s.connect($addr); s.close()" ||
	fail "bare connection failed"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 5 "$@") ||
	fail "request 3: curl failed"
[ "$status" = 200 ] || fail "request 3: status $status"
request 3
echo "ok webserver.$name"
