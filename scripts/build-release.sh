#!/usr/bin/env bash
# Release binaries for the usual edge targets, each with a SHA-256 file, into dist/release/:
# linux-x64 (glibc), linux-x64-musl, linux-arm64. Bun fetches the cross runtimes from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p "require('./package.json').version")
out=dist/release
rm -rf "$out" && mkdir -p "$out"
for target in linux-x64 linux-x64-musl linux-arm64; do
  file="$out/deepflow-relay-$version-$target"
  node_modules/.bin/bun build --compile --minify --keep-names --bytecode --format=esm --compile-jit-policy=1000 --compile-exec-argv=--no-warnings --bytecode-order=build/bytecode/prometheus.order,build/bytecode/stdout.order,build/bytecode/kafka.order --target="bun-$target" src/entry/bun.ts --outfile "$file" >&2
  (cd "$out" && sha256sum "$(basename "$file")" > "$(basename "$file").sha256")
  echo "$file $(cut -d' ' -f1 < "$file.sha256")"
done
