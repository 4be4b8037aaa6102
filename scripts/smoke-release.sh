#!/usr/bin/env bash
# Smoke test of one release binary: checksum, --version, check, and one record through the embedded
# default from an empty directory, its stdout line compared byte for byte.
#   bash scripts/smoke-release.sh [linux-x64|linux-arm64]     (default linux-x64)
# linux-arm64 runs through qemu-aarch64-static (user-mode emulation, no binfmt_misc needed; install
# it with scripts/install-arm64-runner.sh). linux-x64-musl is not smoke-tested: it needs a musl
# libstdc++ and libgcc (Alpine's `apk add libstdc++ libgcc`), which a Debian machine does not have.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-linux-x64}
case "$target" in
  linux-x64) run=() ;;
  linux-arm64)
    if ! command -v qemu-aarch64-static > /dev/null; then
      echo "smoke $target: qemu-aarch64-static is missing: run scripts/install-arm64-runner.sh" >&2
      exit 1
    fi
    run=(qemu-aarch64-static)
    ;;
  *)
    echo "smoke: unknown target '$target' (linux-x64 or linux-arm64)" >&2
    exit 2
    ;;
esac
# Emulated startup takes about 1.5 s (native: under 0.1 s); every wait allows this many seconds.
limit=30
version=$(node -p "require('./package.json').version")
bin="dist/release/deepflow-relay-$version-$target"
(cd dist/release && sha256sum -c "$(basename "$bin").sha256")

dir=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then kill -KILL "$pid" 2> /dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "smoke $target: FAILED: $*" >&2
  if [ -s "$dir/err.txt" ]; then echo "--- the relay's stderr:" >&2 && cat "$dir/err.txt" >&2; fi
  if [ -s "$dir/out.txt" ]; then echo "--- the relay's stdout:" >&2 && cat "$dir/out.txt" >&2; fi
  exit 1
}

cp "$bin" "$dir/deepflow-relay"
cd "$dir"
relay() { timeout "$limit" ${run[@]+"${run[@]}"} ./deepflow-relay "$@"; }
relay --version || fail "--version exited $?"
relay check > /dev/null 2> err.txt || fail "check exited $?"
: > err.txt

${run[@]+"${run[@]}"} ./deepflow-relay --listen 127.0.0.1:0 > out.txt 2> err.txt &
pid=$!
for ((i = 0; i < limit * 20; i++)); do
  grep -q '"deepflow-relay started"' err.txt 2> /dev/null && break
  kill -0 "$pid" 2> /dev/null || fail "the relay exited before it started"
  sleep 0.05
done
grep -q '"deepflow-relay started"' err.txt || fail "the relay did not log \"deepflow-relay started\" within ${limit}s"
url=$(grep -o '"url":"[^"]*"' err.txt | head -1 | cut -d'"' -f4)
[ -n "$url" ] || fail "no url in the started line"
curl -sSf --max-time "$limit" -XPOST "${url}v1/records/flow_metrics.network.1m" -d '{"time":1715133600,"byte_tx":1}' > /dev/null ||
  fail "POST ${url}v1/records/flow_metrics.network.1m failed"
kill -TERM "$pid"
for ((i = 0; i < limit * 20; i++)); do
  kill -0 "$pid" 2> /dev/null || break
  sleep 0.05
done
if kill -0 "$pid" 2> /dev/null; then fail "the relay did not exit within ${limit}s of SIGTERM"; fi
status=0 && wait "$pid" || status=$?
pid=
[ "$status" = 0 ] || fail "the relay exited $status after SIGTERM"
expected='{"datasource":"flow_metrics.network.1m","time":1715133600,"byte_tx":1,"time_str":"2024-05-08 02:00:00 +0000 UTC"}'
[ "$(cat out.txt)" = "$expected" ] || fail "unexpected output (expected: $expected)"
echo "smoke: $bin ok${run[0]+ (through ${run[0]})}"
