#!/usr/bin/env bash
# Builds the enclave seccomp filters from source: compiles src/main/c/seccomp-filter.c with gcc
# against libseccomp and runs it to write target/seccomp/enclave.bpf (AF_UNIX sockets only)
# and target/seccomp/enclave-inet.bpf (also AF_INET/AF_INET6, for enclaves with egress,
# which reach the egress proxy through socat on their own loopback); neither is committed.
# Rebuilds only when the source is newer than a filter. Installs bubblewrap, socat, gcc and
# libseccomp-dev with apt-get first when run as root and they are missing.
# usage: scripts/seccomp.sh            prints the path of the filter (the inet one is beside it)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$here/src/main/c/seccomp-filter.c"
out="$here/target/seccomp"
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/include/seccomp.h ] || need+=(libseccomp-dev)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bulwark: installing ${need[*]} with apt-get ..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
  else
    echo "bulwark: enclaves need ${need[*]} (apt-get install ${need[*]})" >&2
    exit 1
  fi
fi
if [ ! -s "$out/enclave.bpf" ] || [ "$src" -nt "$out/enclave.bpf" ] \
    || [ ! -s "$out/enclave-inet.bpf" ] || [ "$src" -nt "$out/enclave-inet.bpf" ]; then
  mkdir -p "$out"
  gcc -O2 -Wall -Werror -o "$out/seccomp-filter" "$src" -lseccomp
  "$out/seccomp-filter" "$out/enclave.bpf.tmp"
  "$out/seccomp-filter" --inet "$out/enclave-inet.bpf.tmp"
  mv "$out/enclave.bpf.tmp" "$out/enclave.bpf"
  mv "$out/enclave-inet.bpf.tmp" "$out/enclave-inet.bpf"
fi
echo "$out/enclave.bpf"
