#!/usr/bin/env bash
# Builds, from this host's binaries, the base images the test suites and the
# app images need when the official ones cannot be pulled (machines with no
# container registry). Where the registry works, nothing here is needed: the
# suites use the official images named by REDIS_IMAGE (default
# redis:7.4-alpine) and the app Dockerfiles default to node:24-slim.
#
# Prints `export` lines for the images it built, e.g.
#   eval "$(tools/images/build-local-images.sh)"
# libs/testing's global setup parses these lines; keep them on stdout and
# everything else on stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

redis_image=${LOCAL_REDIS_IMAGE:-routemcp-local/redis:7}
if ! docker image inspect "$redis_image" >/dev/null 2>&1; then
  command -v redis-server >/dev/null || { echo "redis-server not installed (apt-get install -y redis-server)" >&2; exit 1; }
  mkdir -p "$work/redis/rootfs/data" "$work/redis/rootfs/tmp"
  "$here/copy-binaries.sh" "$work/redis/rootfs" redis-server redis-cli
  cat > "$work/redis/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/bin
WORKDIR /data
EXPOSE 6379
# Same defaults as the official image: reachable from other containers, no persistence.
ENTRYPOINT ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
DOCKERFILE
  docker build -q -t "$redis_image" "$work/redis" >&2
fi
echo "export REDIS_IMAGE=$redis_image"

# Node 24: the binary the repo pins through its `node` devDependency (the npm
# package's bin is a symlink on some installs, hence readlink -f).
node_bin=$(readlink -f "$root/node_modules/node/bin/node")
[ -x "$node_bin" ] || { echo "no Node binary at $root/node_modules/node/bin/node (run npm ci first)" >&2; exit 1; }
node_version=$("$node_bin" --version)
node_version=${node_version#v}
node_image=${LOCAL_NODE_IMAGE:-routemcp-local/node:$node_version}
node_build_image=${LOCAL_NODE_BUILD_IMAGE:-routemcp-local/node:$node_version-build}
if ! docker image inspect "$node_image" >/dev/null 2>&1 || ! docker image inspect "$node_build_image" >/dev/null 2>&1; then
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  ca=/etc/ssl/certs/ca-certificates.crt
  [ -f "$ca" ] || { echo "no CA bundle at $ca (apt-get install -y ca-certificates)" >&2; exit 1; }
  runtime=$work/node/runtime
  mkdir -p "$runtime/tmp" "$runtime/etc/ssl/certs" "$runtime/home/node"
  "$here/copy-binaries.sh" "$runtime" "$node_bin"
  mkdir -p "$runtime/usr/local/bin" && mv "$runtime/usr/bin/node" "$runtime/usr/local/bin/node"
  cp "$ca" "$runtime/etc/ssl/certs/ca-certificates.crt"
  # World-writable with the sticky bit, as on any Linux (COPY keeps modes).
  chmod 1777 "$runtime/tmp"
  # Same user as the official image: `node`, uid/gid 1000.
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000::/home/node:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' > "$runtime/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' > "$runtime/etc/group"
  # The build stage runs npm (its bin starts with `#!/usr/bin/env node`) and
  # may spawn `sh` for lifecycle scripts.
  build=$work/node/build
  mkdir -p "$build/usr/local/lib/node_modules" "$build/usr/local/bin"
  "$here/copy-binaries.sh" "$build" env sh
  cp -a "$npm_dir" "$build/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$build/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$build/usr/local/bin/npx"
  cat > "$work/node/Dockerfile" <<'DOCKERFILE'
FROM scratch AS runtime
COPY runtime/ /
COPY --chown=1000:1000 runtime/home/node /home/node
ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]

FROM runtime AS build
COPY build/ /
DOCKERFILE
  (cd "$work/node" && docker build -q --target runtime -t "$node_image" . >&2 && docker build -q --target build -t "$node_build_image" . >&2)
fi
echo "export NODE_BASE_IMAGE=$node_image"
echo "export NODE_BUILD_IMAGE=$node_build_image"
