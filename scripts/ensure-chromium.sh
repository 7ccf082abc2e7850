#!/usr/bin/env bash
# Make sure the browser tests can run: Debian's Chromium at /usr/bin/chromium, driven headless
# by playwright-core (which downloads no browser of its own). Idempotent: installs only when
# missing. Usage: bash scripts/ensure-chromium.sh   (from anywhere; needs root for apt-get when
# missing; CI runs as root)
set -euo pipefail

CHROMIUM=/usr/bin/chromium

have_chromium() {
  [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1
}

if ! have_chromium; then
  echo "ensure-chromium: installing chromium with apt-get" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-chromium: $CHROMIUM is missing and this is not root; install Debian's chromium first (apt-get install chromium)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends chromium
  have_chromium || { echo "ensure-chromium: $CHROMIUM still does not run after apt-get" >&2; exit 1; }
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null)" >&2
