#!/usr/bin/env bash
# The one test command (npm test): installs what the tests need on a fresh machine, builds every
# bundle, type-checks, then runs all suites. A second run reuses what is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensureSystemDeps.sh
node esbuild.config.mjs
npx tsc --noEmit -p .
npx mocha
# Last: the end-to-end suite in a real VS Code (installs its test server on first use).
bash scripts/testE2e.sh
