#!/usr/bin/env bash
# Sourced before an npm install that must not see the npm running this script. npm passes its own
# configuration to the scripts it runs as npm_config_* (and npm_package_*, npm_lifecycle_*, ...)
# variables; a nested `npm install` reads them as if they were its own. One of them,
# npm_config_user_agent, names the outer Node version, and code-server's install reads the Node
# version from it: under `npm test` (Node 20) it refused to install for Node 24.
# Where the registry is and how to reach it is kept, whichever way it was configured.
for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p'); do
  lower=$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]')
  case "$lower" in
    npm_config_registry | npm_config_*:registry | npm_config_*_registry | npm_config_cafile | npm_config_ca | \
      npm_config_strict_ssl | npm_config_proxy | npm_config_https_proxy | npm_config_noproxy | npm_config_cache) ;;
    npm_* | init_cwd) unset "$name" ;;
  esac
done
