#!/bin/bash
# The operator policy through cloudabictl against the real cloudabid (run
# as root): a member of --group (not root) who deploys a service granting
# a file outside --allow-path, a path that leads outside through a
# symlink, or a socket not allowed by --allow-socket is refused (exit 4)
# with the resource's position and why: cloudabictl deploy validates
# first, and Validate reports policy refusals as errors; the Deploy call
# itself (sent directly through grpcio) is refused with PERMISSION_DENIED
# and the same text. A service granting only what is allowed is deployed
# and runs.
# usage: policy.sh CLOUDABID CLOUDABICTL CLOUDABI-RUN GUEST-DIR PYTHON3
set -u
daemon=$1 ctl=$2 runtime=$3 python=$5
guests=$(cd "$4" && pwd)
tmp=$(mktemp -d)
chmod 755 "$tmp"
tmp=$(realpath "$tmp")
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
gid=$(getent group nogroup | cut -d: -f3)
[ -n "$gid" ] || fail "no group nogroup"

# member WANT ARGS...: cloudabictl as uid 65534 in group nogroup.
member() {
	want=$1; shift
	setpriv --reuid=65534 --regid="$gid" --clear-groups \
		"$ctl" --socket "$sock" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || {
		cat "$tmp/out" "$tmp/err"
		fail "cloudabictl $* as a member exited $got, want $want"
	}
}

mkdir -p "$tmp/www" "$tmp/secret"
echo data >"$tmp/www/index.html"
ln -s ../secret "$tmp/www/escape"
"$daemon" --foreground --state-dir "$tmp/state" --socket "$sock" \
	--runtime "$runtime" --stop-on-exit --group nogroup \
	--allow-path "$tmp/www" --allow-socket "127.0.0.1:20000-20099" \
	>"$tmp/daemon.log" 2>&1 &
dpid=$!
for _ in $(seq 100); do
	"$ctl" --socket "$sock" list >/dev/null 2>&1 && break
	sleep 0.1
done

# svc NAME GRANT: a service file whose 4th argument is GRANT.
svc() {
	cat >"$tmp/$1.yaml" <<EOS
%TAG ! tag:nuxi.nl,2015:cloudabi/
---
name: $1
executable: $guests/cli_guest
args:
  - !log
  - !!int 1
  - !!int -1
  - $2
EOS
	chmod 644 "$tmp/$1.yaml"
}

svc out "!file {path: /etc/passwd}"
member 4 deploy "$tmp/out.yaml"
grep -q "^$tmp/out.yaml:9:5: !file /etc/passwd is not beneath a path the operator allows (cloudabid --allow-path)" \
	"$tmp/err" || fail "outside: $(cat "$tmp/err")"
# A dry run is a Validate: the refusal is an error of the file.
member 4 deploy "$tmp/out.yaml" --dry-run
grep -q "out.yaml:9:5: !file /etc/passwd is not beneath" "$tmp/err" ||
	fail "dry run: $(cat "$tmp/err")"

svc prefix "!file {path: $tmp/wwwx}"
mkdir "$tmp/wwwx"
member 4 deploy "$tmp/prefix.yaml"
grep -q "!file $tmp/wwwx is not beneath" "$tmp/err" ||
	fail "prefix boundary: $(cat "$tmp/err")"

svc link "!file {path: $tmp/www/escape}"
member 4 deploy "$tmp/link.yaml"
grep -q "!file $tmp/www/escape leads to $tmp/secret, which is not beneath" \
	"$tmp/err" || fail "symlink: $(cat "$tmp/err")"

svc port "!socket {bind: '127.0.0.1:20100'}"
member 4 deploy "$tmp/port.yaml"
grep -q "!socket bind 127.0.0.1:20100 is not an address the operator allows" \
	"$tmp/err" || fail "socket: $(cat "$tmp/err")"

# The Deploy call itself, skipping the CLI's validation first.
setpriv --reuid=65534 --regid="$gid" --clear-groups "$python" - "$sock" \
	"$tmp/out.yaml" >"$tmp/rpc" 2>&1 <<'EOP' || fail "raw Deploy: $(cat "$tmp/rpc")"
import sys
import grpc


def field(num, data):
    """A length-delimited protobuf field (lengths below 2**14)."""
    n = len(data)
    size = bytes([n]) if n < 128 else bytes([n & 127 | 128, n >> 7])
    return bytes([num << 3 | 2]) + size + data


sock, path = sys.argv[1], sys.argv[2]
req = field(1, open(path, "rb").read()) + field(2, path.encode())
ch = grpc.insecure_channel("unix:" + sock)
try:
    ch.unary_unary("/cloudabi.supervisor.v1.Supervisor/Deploy")(req, timeout=10)
    sys.exit("Deploy outside the policy succeeded")
except grpc.RpcError as e:
    want = path + ":9:5: !file /etc/passwd is not beneath a path"
    if e.code() != grpc.StatusCode.PERMISSION_DENIED or want not in e.details():
        sys.exit("got %s %r" % (e.code(), e.details()))
EOP

# Root is not restricted by the policy.
"$ctl" --socket "$sock" deploy "$tmp/out.yaml" --dry-run >/dev/null ||
	fail "root's dry run was refused"

# Nothing of the refused ones was deployed.
"$ctl" --socket "$sock" list >"$tmp/list" || fail "list"
grep -Eq "^(out|prefix|link|port) " "$tmp/list" &&
	fail "a refused service was deployed: $(cat "$tmp/list")"

# The daemon logs each refusal (handlers audit it in the store too).
grep -q "operator policy refuses 1 grant of \"out\" to uid 65534" \
	"$tmp/daemon.log" ||
	fail "no log line of the refusal"

# Inside the allowed prefix and port range: deployed, and it runs.
svc inside "!file {path: $tmp/www/index.html}"
member 0 deploy "$tmp/inside.yaml"
svc sock "!socket {bind: '127.0.0.1:20042'}"
member 0 deploy "$tmp/sock.yaml"
for _ in $(seq 50); do
	"$ctl" --socket "$sock" status inside | grep -q "^State: *running" &&
		break
	sleep 0.1
done
"$ctl" --socket "$sock" status inside | grep -q "^State: *running" ||
	fail "inside not running: $("$ctl" --socket "$sock" status inside)"
member 0 remove inside
member 0 remove sock
echo ok
