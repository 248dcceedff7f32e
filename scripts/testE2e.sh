#!/usr/bin/env bash
# The end-to-end suite (npm run test:e2e, and the last step of npm test): installs the VS Code test
# server into its cache on first use, then runs test/e2e/ against the packaged extension in it.
# Extra arguments go to mocha (e.g. --grep Problems).
set -euo pipefail
cd "$(dirname "$0")/.."
install_dir=$(bash scripts/e2eSetup.sh | tail -n 1)
export CNN_DESIGNER_E2E_INSTALL="$install_dir"
exec npx mocha --config test/e2e/.mocharc.json "$@"
