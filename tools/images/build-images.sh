#!/usr/bin/env bash
# Builds the app images (routemcp/{proxy,keystore,api}:dev by default) from
# their Dockerfiles, from the repository root as context.
#
# Base image: BASE_IMAGE / BUILD_IMAGE if set; else the official node:24-slim
# if it is present or can be pulled; else (no registry) the local FROM-scratch
# Node 24 images from build-local-images.sh.
#
# Prints `export PROXY_IMAGE=…`, `KEYSTORE_IMAGE`, `API_IMAGE` (and the
# base-image lines) on stdout, like build-local-images.sh:
#   eval "$(tools/images/build-images.sh)"
# usage: build-images.sh [proxy|keystore|api]...   (default: all three)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tag=${IMAGE_TAG:-dev}
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(proxy keystore api)

official=node:24-slim
if [ -z "${BASE_IMAGE:-}" ]; then
  if docker image inspect "$official" >/dev/null 2>&1 || docker pull -q "$official" >/dev/null 2>&1; then
    BASE_IMAGE=$official
  else
    echo "cannot pull $official: building the Node 24 base from this host's binary" >&2
    eval "$("$here/build-local-images.sh")"
    BASE_IMAGE=$NODE_BASE_IMAGE
    BUILD_IMAGE=${BUILD_IMAGE:-$NODE_BUILD_IMAGE}
    echo "export REDIS_IMAGE=$REDIS_IMAGE"
  fi
fi
BUILD_IMAGE=${BUILD_IMAGE:-$BASE_IMAGE}
echo "export NODE_BASE_IMAGE=$BASE_IMAGE"

for app in "${apps[@]}"; do
  image=routemcp/$app:$tag
  start=$(date +%s)
  docker build -q -f "$root/apps/$app/Dockerfile" \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "BUILD_IMAGE=$BUILD_IMAGE" \
    --label "org.opencontainers.image.source=routemcp-gateway" \
    -t "$image" "$root" >/dev/null
  size=$(docker image inspect -f '{{.Size}}' "$image")
  echo "built $image in $(( $(date +%s) - start ))s, $(( size / 1000000 )) MB" >&2
  echo "export $(echo "$app" | tr '[:lower:]' '[:upper:]')_IMAGE=$image"
done
