#!/bin/sh
# Runs abigen on one malformed description and passes only when it exits
# with status 1 and prints exactly the message that the file's
# "# expect: LINE: MESSAGE" line announces, as "FILE:LINE: MESSAGE".
# usage: bad_input.sh ABIGEN FILE
abigen=$1
dir=$(dirname "$2")
name=$(basename "$2")
want="$name:$(sed -n 's/^# expect: //p' "$2")"
cd "$dir" || exit 1
got=$("$abigen" --dump "$name" 2>&1 >/dev/null)
rc=$?
if [ "$rc" -ne 1 ]; then
	echo "exit status $rc, expected 1"
	exit 1
fi
if [ "$got" != "$want" ]; then
	echo "got:      $got"
	echo "expected: $want"
	exit 1
fi
