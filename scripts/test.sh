#!/usr/bin/env bash
# The test command (`npm test`): every test, under Bun and under Deno.
#   1. the Debian services the integration tests talk to (scripts/install-test-deps.sh)
#   2. the house rules: the import layers of src/ (.dependency-cruiser.cjs: no circle, no import from a
#      lower layer to a higher one), `deno lint`, `deno fmt --check`; then the type checks: tsc (with
#      bun-types) for all but the Deno adapter, deno check for the Deno side
#   3. the compiled binary (the e2e tests run it)
#   4. the whole suite under `bun test`, then under `deno test` (the same node:test files), then the
#      browser test under `node --test` (test/browser/*.browser.mjs)
# JUnit reports go to test-output/{bun,deno,node}.xml; scripts/junit-summary.ts counts them.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-output
rm -f test-output/bun.xml test-output/deno.xml test-output/node.xml
bash scripts/install-test-deps.sh || exit 1
echo "== import layers (dependency-cruiser, .dependency-cruiser.cjs)"
# (its note that TypeScript 7 has no compiler API yet is cut: swc parses the sources, see the config)
node_modules/.bin/bun node_modules/.bin/depcruise --config .dependency-cruiser.cjs --output-type err src | sed '/missing-tsc-transpiler/,$d' || exit 1
echo "== deno lint, deno fmt --check"
node_modules/.bin/deno lint || exit 1
node_modules/.bin/deno fmt --check || exit 1
node_modules/.bin/tsc --noEmit -p . || exit 1
node_modules/.bin/deno check src/entry/deno.ts || exit 1
node_modules/.bin/bun run build || exit 1
status=0
echo "== bun test"
runner_failed=()
node_modules/.bin/bun test --timeout 30000 --reporter=junit --reporter-outfile=test-output/bun.xml || { status=1; runner_failed+=(--runner-failed test-output/bun.xml); }
echo "== deno test"
NO_COLOR=1 node_modules/.bin/deno test --allow-all --junit-path=test-output/deno.xml test/ || { status=1; runner_failed+=(--runner-failed test-output/deno.xml); }
echo "== node --test (the browser test: playwright-core drives Debian's chromium; Node is where playwright-core is supported)"
node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=test-output/node.xml test/browser/*.browser.mjs || { status=1; runner_failed+=(--runner-failed test-output/node.xml); }
node_modules/.bin/bun scripts/junit-summary.ts test-output/bun.xml test-output/deno.xml test-output/node.xml "${runner_failed[@]}" || status=1
exit $status
