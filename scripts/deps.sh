#!/bin/sh
# Installs the Debian packages cloudabid needs to build and test, when any
# is missing. As root it runs apt-get itself; as anyone else it prints the
# exact command to run and fails, so that a build never half-starts.
# Beyond the libraries and compilers: llvm-14 and binutils (objdump and
# llvm-ar for the guest SDK and its checks), python3-grpcio (the gRPC
# interop tests), protobuf-compiler and python3-protobuf (the interop
# test's messages, generated from proto/ with protoc), curl (HTTP tests and
# the demo), groff-base (man page checks), procps (ps, in process tests).
set -eu

PACKAGES="cmake make pkg-config gcc libc6-dev \
libuv1-dev libprotobuf-c-dev protobuf-c-compiler libyaml-dev \
libsqlite3-dev libcmocka-dev libnghttp2-dev libseccomp-dev \
clang-14 lld-14 llvm-14 libclang-rt-14-dev binutils \
python3 python3-grpcio protobuf-compiler python3-protobuf curl groff-base \
procps"

missing=""
for p in $PACKAGES; do
	# dpkg-query prints "install ok installed" only for a complete install.
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages:$missing" >&2
	echo "deps.sh: run as root: apt-get install -y$missing" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# A fresh image may have no package lists at all; update only then, or when
# the first install attempt fails because the lists are stale.
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
	apt-get update
fi
echo "deps.sh: installing:$missing" >&2
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends $missing; then
	apt-get update
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing
fi
