#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives it; its own
# browser download is not reachable). Installs it with apt when missing and we are root; otherwise
# says so: the browser tests then skip locally, and fail under CI=true.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Chromium not installed: installing Debian's chromium package (about a minute)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    exit 0
fi
echo "Chromium is not installed and cannot be installed here (not root or no apt-get):" \
     "browser tests will skip (CI=true makes them fail)" >&2
