#!/usr/bin/env bash
# Smoke test of the linux-x64 release binary: checksum, --version, check, and one record through
# the embedded default from an empty directory.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p "require('./package.json').version")
bin="dist/release/deepflow-relay-$version-linux-x64"
(cd dist/release && sha256sum -c "$(basename "$bin").sha256")
dir=$(mktemp -d)
cp "$bin" "$dir/deepflow-relay"
cd "$dir"
./deepflow-relay --version
./deepflow-relay check > /dev/null
./deepflow-relay --listen 127.0.0.1:0 > out.txt 2> err.txt &
pid=$!
for _ in $(seq 1 100); do grep -q '"deepflow-relay started"' err.txt 2>/dev/null && break; sleep 0.05; done
url=$(grep -o '"url":"[^"]*"' err.txt | head -1 | cut -d'"' -f4)
curl -sf -XPOST "${url}v1/records/flow_metrics.network.1m" -d '{"time":1715133600,"byte_tx":1}' > /dev/null
kill -TERM "$pid"
wait "$pid"
expected='{"datasource":"flow_metrics.network.1m","time":1715133600,"byte_tx":1,"time_str":"2024-05-08 02:00:00 +0000 UTC"}'
if [ "$(cat out.txt)" != "$expected" ]; then
  echo "smoke: unexpected output: $(cat out.txt)" >&2
  exit 1
fi
echo "smoke: $bin ok"
