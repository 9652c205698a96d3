#!/bin/sh
# `make demo`: shows the main job as far as the project has built it.
# Today: every examples/*.yaml turned into the argdata a program receives
# (fd table, hex bytes, decoded view), and the CloudABI executables the SDK
# built for those examples.
set -eu
build=${1:-build}
tool="$build/runtime/cloudabi-argdata"

if [ ! -x "$tool" ]; then
	echo "demo: $tool is missing: run 'make build' first" >&2
	exit 1
fi

for yaml in examples/*.yaml; do
	echo "==> $yaml"
	sed 's/^/    | /' "$yaml"
	echo
	"$tool" "$yaml"
	echo
done

for exe in "$build"/guests/*; do
	[ -f "$exe" ] || continue
	echo "==> CloudABI executable $exe"
	readelf -h "$exe" | grep -E 'Class|OS/ABI|Type|Machine|Entry'
	echo
done
