#!/bin/sh
# Checks that the project's cloudabi.txt declares exactly the reference
# ABI: the canonical dumps (no prose, every name, value, layout and
# parameter) must be identical. Without the reference the test reports
# SKIPPED (exit 77), never a pass.
# usage: equivalence.sh ABIGEN OURS REFERENCE WORKDIR
abigen=$1
ours=$2
ref=$3
work=$4
if [ ! -f "$ref" ]; then
	echo "reference $ref not found: skipped"
	exit 77
fi
mkdir -p "$work" || exit 1
"$abigen" --dump "$ours" >"$work/ours.dump" || exit 1
"$abigen" --dump "$ref" >"$work/reference.dump" || exit 1
# Guard against an empty or truncated dump comparing equal to another.
grep -qx 'syscalls 49' "$work/ours.dump" || {
	echo "dump of $ours does not end with 49 syscalls"
	exit 1
}
diff -u "$work/reference.dump" "$work/ours.dump"
