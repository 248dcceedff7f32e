#!/usr/bin/env bash
# The end-to-end suite in a desktop VS Code (npm run test:e2e:electron), for machines that can
# download VS Code; not part of npm test. Runs the same tests as the code-server runner. Needs
# @vscode/test-electron, which is deliberately not a dependency (installing it downloads nothing,
# but running it downloads VS Code): `npm install --no-save @vscode/test-electron` first.
# CNN_DESIGNER_E2E_VSCODE_VERSION picks the VS Code release (default: stable).
# On a machine without a display, run it under xvfb-run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! node -e 'require.resolve("@vscode/test-electron")' 2>/dev/null; then
  echo "test:e2e:electron needs @vscode/test-electron: npm install --no-save @vscode/test-electron" >&2
  exit 1
fi
export CNN_DESIGNER_E2E_RUNNER=electron
exec npx mocha --config test/e2e/.mocharc.json "$@"
