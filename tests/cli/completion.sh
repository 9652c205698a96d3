#!/bin/bash
# The bash completion script: commands, options per command, output
# formats, and service names from `__complete services` of the daemon the
# line's --socket names (a stand-in cloudabictl answers here; the real
# command is covered by the integration test).
# usage: completion.sh PATH-TO-cloudabictl.bash-completion
set -u
shopt -s extglob
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat >"$tmp/ctl" <<'EOS'
#!/bin/sh
echo "$*" >>"${0%/*}/calls"
[ "$#" -ge 2 ] && [ "$(eval echo \${$(($#-1))})" = __complete ] &&
	printf 'web\nworker\ndb\n'
EOS
chmod +x "$tmp/ctl"
# shellcheck source=/dev/null
source "$1"

# complete WORD...: completes the last word; the reply is in $got.
complete_line() {
	COMP_WORDS=("$tmp/ctl" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_cloudabictl
	got="${COMPREPLY[*]}"
}

complete_line ""
[ "$got" = "deploy list status start stop restart remove logs events version help" ] ||
	fail "commands: $got"
complete_line "re"
[ "$got" = "restart remove" ] || fail "re: $got"
complete_line "-o" ""
[ "$got" = "table json" ] || fail "-o: $got"
complete_line "--so"
[ "$got" = "--socket" ] || fail "--so: $got"
complete_line "stop" "w"
[ "$got" = "web worker" ] || fail "stop w: $got"
complete_line "--socket" "/tmp/x.sock" "-o" "json" "status" ""
[ "$got" = "web worker db" ] || fail "status: $got"
grep -qx -- "--socket /tmp/x.sock __complete services" "$tmp/calls" ||
	fail "socket not passed: $(cat "$tmp/calls")"
complete_line "logs" "-"
[ "$got" = "-f --follow -n --lines" ] || fail "logs -: $got"
complete_line "events" "--f"
[ "$got" = "--follow" ] || fail "events --f: $got"
complete_line "deploy" "--d"
[ "$got" = "--dry-run" ] || fail "deploy --d: $got"
mkdir "$tmp/svc" && touch "$tmp/svc/a.yaml" "$tmp/svc/b.txt"
complete_line "deploy" "$tmp/svc/"
[ "$got" = "$tmp/svc/a.yaml" ] || fail "deploy files: $got"
complete_line "list" ""
[ -z "$got" ] || fail "list takes nothing: $got"
echo ok
