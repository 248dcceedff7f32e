#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: PyTorch (to run exported code and as
# the speed reference), Chromium (webview tests) and the Kerberos headers (building VS Code's test
# server). Run as root on Debian; elsewhere it only reports what is missing. Idempotent.
set -euo pipefail
packages=(python3-torch python3-torchvision python3-onnx chromium libkrb5-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${packages[*]})"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "system packages missing: ${missing[*]} (install them with apt-get as root; the tests that need them will say so)" >&2
  exit 0
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
