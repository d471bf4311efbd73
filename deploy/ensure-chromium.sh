#!/usr/bin/env bash
# The browser tests open Sinergi's pages in Debian's headless Chromium. A fresh
# machine may not have it: install it from Debian's packages when we can.
set -euo pipefail
CHROMIUM=${SINERGI_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "The browser tests need Chromium at $CHROMIUM: install Debian's 'chromium'" \
         "package (or set SINERGI_CHROMIUM to a Chromium binary)." >&2
    exit 1
fi
echo "installing Debian's chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || {
    apt-get update >/dev/null
    apt-get install -y --no-install-recommends chromium >/dev/null
}
