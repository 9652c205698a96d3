#!/usr/bin/python3
"""Interop: Python's grpcio (a gRPC client nobody here wrote) against
rpc_server, over a UNIX socket. Usage: grpcio_interop.py RPC_TESTSERVER.

Messages are encoded by hand (a few protobuf fields), so only grpcio is
needed. Exits non-zero on the first failed check."""
import os
import socket
import subprocess
import sys
import tempfile
import time

import grpc

SUP = "/cloudabi.supervisor.v1.Supervisor/"


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data


def field_varint(num, value):
    return varint(num << 3) + varint(value)


def parse(data):
    """Decodes a flat message into {field: [values]} (varint or bytes)."""
    fields, i = {}, 0
    while i < len(data):
        key, i = read_varint(data, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = read_varint(data, i)
        elif wt == 2:
            n, i = read_varint(data, i)
            val, i = data[i:i + n], i + n
        else:
            raise ValueError("wire type %d" % wt)
        fields.setdefault(num, []).append(val)
    return fields


def read_varint(data, i):
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


def unary(ch, method):
    return ch.unary_unary(method, request_serializer=lambda b: b,
                          response_deserializer=lambda b: b)


def stream(ch, method):
    return ch.unary_stream(method, request_serializer=lambda b: b,
                           response_deserializer=lambda b: b)


def expect_error(fn, code, what):
    try:
        fn()
    except grpc.RpcError as e:
        check(e.code() == code, "%s -> %s (got %s: %s)" %
              (what, code.name, e.code().name, e.details()))
        return e
    check(False, "%s -> %s (call succeeded)" % (what, code.name))


def run(path):
    ch = grpc.insecure_channel("unix:" + path)
    grpc.channel_ready_future(ch).result(timeout=10)

    resp = parse(unary(ch, SUP + "Get")(field_bytes(1, b"web"), timeout=5))
    check(resp[1] == [b"web"], "Get echoes the name")
    check(resp[14] == [os.getuid()] if os.getuid() else 14 not in resp,
          "Get sees the caller's uid (SO_PEERCRED)")
    check(resp[4] == [os.getpid()], "Get sees the caller's pid")

    e = expect_error(lambda: unary(ch, SUP + "Get")(
        field_bytes(1, b"missing"), timeout=5),
        grpc.StatusCode.NOT_FOUND, "Get missing")
    check(e.details() == 'service "missing": 100% gone\n\u00e9',
          "grpc-message is percent-decoded to the exact text")

    expect_error(lambda: unary(ch, SUP + "Nope")(b"", timeout=5),
                 grpc.StatusCode.UNIMPLEMENTED, "unknown method")

    chunks = list(stream(ch, SUP + "Logs")(field_varint(3, 4), timeout=5))
    check([parse(c)[1][0] for c in chunks] ==
          [b"line %d\n" % i for i in range(4)], "Logs streams 4 lines")

    it = stream(ch, SUP + "Logs")(field_varint(2, 1) + field_varint(3, 1),
                                  timeout=10)
    got = [next(it) for _ in range(3)]
    it.cancel()
    check(len(got) == 3, "follow delivers lines until cancelled")
    for _ in range(100):
        r = parse(unary(ch, SUP + "Get")(field_bytes(1, b"x"), timeout=5))
        if r.get(6, [0])[0] >= 1:
            break
        time.sleep(0.01)
    check(r.get(6, [0])[0] >= 1, "the server saw the cancel")

    resp = parse(unary(ch, "/grpc.health.v1.Health/Check")(b"", timeout=5))
    check(resp.get(1) == [1], "Health.Check -> SERVING")
    expect_error(lambda: unary(ch, "/grpc.health.v1.Health/Check")(
        field_bytes(1, b"nope"), timeout=5),
        grpc.StatusCode.NOT_FOUND, "Health.Check of an unknown service")

    expect_error(lambda: unary(ch, SUP + "Get")(b"\xff\xff", timeout=5),
                 grpc.StatusCode.INTERNAL, "request that does not parse")
    expect_error(lambda: unary(ch, SUP + "Get")(
        field_bytes(1, b"a" * 100000), timeout=5),
        grpc.StatusCode.RESOURCE_EXHAUSTED, "oversize request")
    expect_error(lambda: unary(ch, SUP + "Get")(
        field_bytes(1, b"z" * 2000), timeout=5,
        compression=grpc.Compression.Gzip),
        grpc.StatusCode.UNIMPLEMENTED, "compressed request")

    # Garbage on a raw connection: closed, and the server keeps serving.
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    s.sendall(b"\x00garbage that is no HTTP/2 preface at all\r\n\r\n" * 4)
    while s.recv(4096):
        pass
    s.close()
    check(True, "garbage connection closed by the server")
    resp = parse(unary(ch, SUP + "Get")(field_bytes(1, b"still"), timeout=5))
    check(resp[1] == [b"still"], "server still serves after garbage")
    ch.close()

    ch2 = grpc.insecure_channel("unix:" + path)
    resp = parse(unary(ch2, SUP + "Get")(field_bytes(1, b"new"), timeout=5))
    check(resp[1] == [b"new"], "a new channel is served")
    ch2.close()


def main():
    tmp = tempfile.mkdtemp(prefix="rpc-grpcio-")
    path = os.path.join(tmp, "control.sock")
    srv = subprocess.Popen([sys.argv[1], path])
    try:
        for _ in range(500):
            if os.path.exists(path):
                break
            time.sleep(0.01)
        run(path)
    finally:
        srv.terminate()
        rc = srv.wait(timeout=10)
        os.rmdir(tmp) if not os.path.exists(path) else None
    check(rc == 0, "test server exits cleanly on SIGTERM (rc %d)" % rc)


if __name__ == "__main__":
    main()
