#!/bin/sh
# Runs one conformance guest under the real cloudabi-run:
#   run_conformance.sh RUN GUEST [EXTRA.yaml]
# The guest gets a fresh empty directory as "tmpdir" and stderr as "log";
# lines of EXTRA.yaml (with @TMP@ replaced by that directory) are added
# to the configuration map. The guest's exit status is the result.
set -u
run=$1 guest=$2 extra=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/dir"
# As root, cloudabi-run runs the program as nobody (docs/security.md):
# the program's directory must be writable by it.
[ "$(id -u)" -ne 0 ] || chmod 0777 "$tmp/dir"
{
	echo '%TAG ! tag:nuxi.nl,2015:cloudabi/'
	echo '---'
	echo "tmpdir: !file {path: $tmp/dir}"
	echo 'log: !fd stderr'
	[ -n "$extra" ] && sed "s|@TMP@|$tmp|g" "$extra"
} >"$tmp/config.yaml"
"$run" -c "$tmp/config.yaml" "$guest"
