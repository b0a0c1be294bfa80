#!/usr/bin/env bash
# Builds, from this host's binaries, the base images the test suites need when
# the official ones cannot be pulled (machines with no container registry).
# Where the registry works, nothing here is needed: the suites use the
# official images named by REDIS_IMAGE (default redis:7.4-alpine).
#
# Prints `export` lines for the images it built, e.g.
#   eval "$(tools/images/build-local-images.sh)"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
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
