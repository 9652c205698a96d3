#!/bin/sh
# `make demo`: shows the main job as far as the project has built it.
#  1. every examples/*.yaml turned into the argdata a program receives
#     (fd table, hex bytes, decoded view), with cloudabi-argdata;
#  2. the CloudABI executables the SDK built;
#  3. examples/hello run under cloudabi-run, as in the original manual page.
set -eu
build=${1:-build}
tool="$build/runtime/cloudabi-argdata"
run="$build/runtime/cloudabi-run"

for t in "$tool" "$run"; do
	if [ ! -x "$t" ]; then
		echo "demo: $t is missing: run 'make build' first" >&2
		exit 1
	fi
done

for yaml in examples/*.yaml; do
	echo "==> $yaml"
	sed 's/^/    | /' "$yaml"
	echo
	"$tool" "$yaml"
	echo
done

for exe in "$build"/guests/hello "$build"/guests/webserver; do
	echo "==> CloudABI executable $exe"
	readelf -h "$exe" | grep -E 'Class|OS/ABI|Type|Machine|Entry'
	echo
done

echo "==> $run $build/guests/hello < examples/hello.yaml"
"$run" "$build/guests/hello" <examples/hello.yaml
