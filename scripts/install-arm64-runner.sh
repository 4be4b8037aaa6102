#!/usr/bin/env bash
# What the linux-arm64 release binary needs to run on an x86-64 Debian machine, installed when
# missing: qemu-aarch64-static (user-mode emulation; the smoke test calls it explicitly, so
# binfmt_misc need not be registered) and the arm64 C runtime from Debian's arm64 foreign
# architecture (libc6:arm64 for /lib/ld-linux-aarch64.so.1, libstdc++6:arm64).
# Fails loudly when something cannot be installed, like scripts/install-test-deps.sh.
set -euo pipefail
need=()
command -v qemu-aarch64-static > /dev/null || need+=(qemu-user-static)
for pkg in libc6:arm64 libstdc++6:arm64; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2> /dev/null)" = installed ] || need+=("$pkg")
done
add_arch=
dpkg --print-foreign-architectures | grep -qx arm64 || add_arch=1
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "the linux-arm64 smoke test needs: ${need[*]}; install them with:" >&2
    [ -z "$add_arch" ] || echo "  sudo dpkg --add-architecture arm64 && sudo apt-get update" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
    exit 1
  fi
  if [ -n "$add_arch" ]; then
    echo "adding the arm64 foreign architecture" >&2
    dpkg --add-architecture arm64
  fi
  echo "installing the arm64 runner from Debian: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
qemu-aarch64-static --version | head -1
