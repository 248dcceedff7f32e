#!/usr/bin/env bash
# The end-to-end suite (npm run test:e2e, and the last step of npm test): installs the VS Code test
# server into its cache on first use, then runs test/e2e/ against the packaged extension in it.
# Extra arguments go to mocha (e.g. --grep Problems).
#
# With CI=true (and no CNN_DESIGNER_E2E_CACHE), the test server is installed into a new empty
# folder, removed afterwards, so that every CI run proves what a new machine does: a cache left by
# an earlier run once hid an install that failed on every fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CI:-}" = "true" ] && [ -z "${CNN_DESIGNER_E2E_CACHE:-}" ]; then
  CNN_DESIGNER_E2E_CACHE=$(mktemp -d -t cnn-designer-e2e-ci.XXXXXX)
  export CNN_DESIGNER_E2E_CACHE
  trap 'rm -rf "$CNN_DESIGNER_E2E_CACHE"' EXIT
  echo "e2e: CI=true, installing the test server into the empty folder $CNN_DESIGNER_E2E_CACHE" >&2
fi
install_dir=$(bash scripts/e2eSetup.sh | tail -n 1)
export CNN_DESIGNER_E2E_INSTALL="$install_dir"
npx mocha --config test/e2e/.mocharc.json "$@"
