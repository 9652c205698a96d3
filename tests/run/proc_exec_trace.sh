#!/bin/sh
# --trace survives proc_exec: proc_exec_trace.sh RUN GUEST YAML
# GUEST is conf_proc_exec; only its images after the exec (stages 2 and
# 3) look at fd 63, so those trace lines prove the new image is traced.
set -u
run=$1 guest=$2 extra=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/dir"
{
	echo '%TAG ! tag:nuxi.nl,2015:cloudabi/'
	echo '---'
	echo "tmpdir: !file {path: $tmp/dir}"
	echo 'log: !fd stderr'
	sed "s|@TMP@|$tmp|g" "$extra"
} >"$tmp/config.yaml"
"$run" -t -c "$tmp/config.yaml" "$guest" 2>"$tmp/err"
status=$?
if [ "$status" -ne 0 ]; then
	echo "FAIL: exit $status" >&2
	tail -20 "$tmp/err" >&2
	exit 1
fi
n=$(grep -c 'fd_stat_get(fd=63,' "$tmp/err")
if [ "$n" -ne 2 ]; then
	echo "FAIL: $n traced fd_stat_get(fd=63) lines, expected 2" >&2
	exit 1
fi
