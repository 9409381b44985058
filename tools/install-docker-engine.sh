#!/usr/bin/env bash
# Part of `npm run setup`: a Docker engine, buildx and a registry for the real-build tests, from Debian packages,
# unpacked (dpkg -x, not installed) into .tools/docker so nothing on the system changes and no daemon starts.
#   engine:   trixie's docker.io 26 + docker-cli + containerd, bookworm's runc and tini (trixie's need glibc 2.38) (BuildKit in the 26 engine has the OCI and
#             docker exporters with the docker driver; bookworm's 20.10 does not)
#   buildx:   trixie's docker-buildx, into the CLI plugins folder
#   registry: bookworm's docker-registry (distribution 2.8)
#   busybox-static (bookworm): a static shell that test Dockerfiles COPY into `FROM scratch` images, since no
#             base image can be pulled
# Trixie is reached with a private APT configuration under .tools/apt (same mirror host as the system's sources,
# signed-by the Debian archive keyring); the system's sources and package database are left alone.
# Skips what is already there. Tests start the engine themselves (@pr-pod/test-docker-engine).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$PWD/.tools/docker"
marker="$prefix/.installed"
if [ -x "$prefix/usr/sbin/dockerd" ] && [ -x "$prefix/usr/libexec/docker/cli-plugins/docker-buildx" ] &&
  [ -x "$prefix/usr/bin/docker-registry" ] && [ -x "$prefix/bin/busybox" ] && [ -f "$marker" ]; then
  echo "setup: docker engine, buildx and registry already in .tools/docker"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
  echo "setup: no apt-get/dpkg here: the real-build tests will skip (they need dockerd 26, docker-buildx and docker-registry; see README: Real image builds)" >&2
  exit 0
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ ! -f "$keyring" ]; then
  echo "setup: $keyring is missing (install debian-archive-keyring): the real-build tests will skip" >&2
  exit 0
fi

# The mirror host the system already uses (deb822 .sources or one-line sources.list), default deb.debian.org.
mirror=$(grep -h -o -E 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
  grep -v -- '-security' | head -n 1 | tr -d ' ' || true)
mirror=${mirror%/}
mirror=${mirror:-http://deb.debian.org/debian}

apt_dir="$PWD/.tools/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
cat > "$apt_dir/sources.list" <<EOF
deb [signed-by=$keyring] $mirror trixie main
deb [signed-by=$keyring] $mirror bookworm main
EOF
apt_private=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Default-Release=trixie"
  -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
echo "setup: fetching docker.io, docker-cli, docker-buildx, containerd (trixie), runc and docker-registry (bookworm)"
apt-get "${apt_private[@]}" update -qq
(
  cd "$apt_dir/debs"
  rm -f ./*.deb
  apt-get "${apt_private[@]}" download -qq docker.io/trixie docker-cli/trixie docker-buildx/trixie \
    containerd/trixie runc/bookworm tini/bookworm docker-registry/bookworm busybox-static/bookworm
)
rm -rf "$prefix"
mkdir -p "$prefix"
for deb in "$apt_dir"/debs/*.deb; do dpkg -x "$deb" "$prefix"; done
# The CLI finds plugins in ~/.docker/cli-plugins or DOCKER_CONFIG; tests set DOCKER_CONFIG. Keep the plugin
# where Debian puts it and link it into the private config folder's plugin dir.
mkdir -p "$prefix/config/cli-plugins"
ln -sf "$prefix/usr/libexec/docker/cli-plugins/docker-buildx" "$prefix/config/cli-plugins/docker-buildx"
"$prefix/usr/sbin/dockerd" --version
"$prefix/usr/bin/docker" --version
DOCKER_CONFIG="$prefix/config" "$prefix/usr/bin/docker" buildx version
"$prefix/usr/bin/docker-registry" --version
date -u +%FT%TZ > "$marker"
echo "setup: docker engine, buildx and registry unpacked into .tools/docker"
