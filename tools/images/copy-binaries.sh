#!/usr/bin/env bash
# Copies executables and every shared library they load into a root
# filesystem folder, for `FROM scratch` images built from this host's own
# binaries (used where no container registry is reachable).
# usage: copy-binaries.sh <rootfs-dir> <executable>...
set -euo pipefail
root=$1; shift
for exe in "$@"; do
  real=$(readlink -f "$(command -v "$exe")")
  install -D -m 0755 "$real" "$root/usr/bin/$(basename "$exe")"
  # ldd prints "name => /path (addr)" or "/path (addr)" for the loader.
  ldd "$real" | awk '/=> \//{print $3} /^[ \t]*\/[^ ]* \(/{print $1}' | while read -r lib; do
    [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
done
