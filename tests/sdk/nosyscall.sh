#!/bin/sh
# nosyscall.sh OBJDUMP [--reject] FILE: CloudABI programs make system calls
# only through the vDSO, so their code must contain no syscall, sysenter or
# int $0x80 instruction. The disassembler decodes instructions properly (a
# byte scan for 0f 05 would also hit operands and data). Only the mnemonic
# column is matched, so symbol names like <crt0_syscall_index> do not count.
# With --reject, FILE must contain such an instruction.
set -eu
objdump=$1
shift
reject=0
if [ "$1" = "--reject" ]; then
	reject=1
	shift
fi
file=$1
dis=$("$objdump" -d --no-show-raw-insn "$file")
# A disassembly without instructions would pass trivially: insist on some.
if ! printf '%s\n' "$dis" | grep -Eq '^ *[0-9a-f]+:[[:space:]]+[a-z]'; then
	echo "$file: no instructions disassembled" >&2
	exit 1
fi
hits=$(printf '%s\n' "$dis" | grep -E \
	'^ *[0-9a-f]+:[[:space:]]+(syscall|sysenter|int[[:space:]]+\$0x80)([[:space:]]|$)' \
	|| true)
if [ "$reject" = 1 ]; then
	if [ -z "$hits" ]; then
		echo "$file: no system call instruction found, expected one" >&2
		exit 1
	fi
	echo "$file: system call instruction found as expected"
	exit 0
fi
if [ -n "$hits" ]; then
	echo "$file: system call instructions:" >&2
	printf '%s\n' "$hits" >&2
	exit 1
fi
echo "$file: no system call instructions"
