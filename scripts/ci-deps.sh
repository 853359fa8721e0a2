#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (headless Chromium for the
# HTML report check). Idempotent; a no-op when they are already present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "ci-deps: chromium missing and not root; browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
