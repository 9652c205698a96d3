#!/usr/bin/env python3
"""Checks that the TLS-free system calls (runtime/sys.h) never touch %fs.

The trampoline runs these calls on the program's %fs, so the machine code
of each, and of every function it calls inside cloudabi-run, must not use
%fs and must not call into a shared library (glibc wrappers may read
thread-local state). Usage: check_fsfree.py OBJDUMP CLOUDABI-RUN ROOT...
Exit status 0 when clean, 1 naming each offending instruction.
"""
import re
import subprocess
import sys


def functions(objdump, binary):
    """Maps each function symbol to its list of instruction lines."""
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", binary],
                         check=True, capture_output=True, text=True).stdout
    funcs, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
        if m:
            cur = m.group(1)
            funcs[cur] = []
        elif cur and line.strip():
            funcs[cur].append(line.strip())
    return funcs


def main():
    objdump, binary, roots = sys.argv[1], sys.argv[2], sys.argv[3:]
    funcs = functions(objdump, binary)
    seen, todo, bad = set(), list(roots), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in funcs:
            bad.append(f"{name}: not found in {binary}")
            continue
        for insn in funcs[name]:
            if "%fs" in insn:
                bad.append(f"{name}: uses %fs: {insn}")
            m = re.search(r"\b(call|jmp)\w*\s+(?:0x)?[0-9a-f]+ <([^>+]+)(\+0x[0-9a-f]+)?>",
                          insn)
            if not m:
                if re.search(r"\bcall\w*\s+\*", insn):
                    bad.append(f"{name}: indirect call: {insn}")
                continue
            target = m.group(2)
            if "@plt" in target:
                bad.append(f"{name}: calls a shared library: {insn}")
            elif m.group(3) is None and target != name:
                todo.append(target)
    for b in bad:
        print("FAIL", b)
    print(f"checked {len(seen)} functions from {', '.join(roots)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
