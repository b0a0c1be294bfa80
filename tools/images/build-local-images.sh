#!/usr/bin/env bash
# Builds, from this host's binaries, the base images the test suites and the
# app images need when the official ones cannot be pulled (machines with no
# container registry). Where the registry works, nothing here is needed: the
# suites use the official images named by REDIS_IMAGE (default
# redis:7.4-alpine) and POSTGRES_IMAGE (default postgres:17-alpine), and the
# app Dockerfiles default to node:24-slim.
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

# PostgreSQL 15 from Debian's packages (postgresql-15). The server refuses to
# run as root, so the image runs as `postgres` (uid 999, as in the official
# image) and runs initdb itself on first start, into a data directory that
# survives `docker restart`. Its binaries stay at Debian's paths: postgres
# finds its share/ and lib/ relative to its own location.
pg_version=15
pg_home=/usr/lib/postgresql/$pg_version
postgres_image=${LOCAL_POSTGRES_IMAGE:-routemcp-local/postgres:$pg_version}
if ! docker image inspect "$postgres_image" >/dev/null 2>&1; then
  [ -x "$pg_home/bin/postgres" ] || { echo "no PostgreSQL at $pg_home (apt-get install -y postgresql-$pg_version)" >&2; exit 1; }
  rootfs=$work/postgres/rootfs
  mkdir -p "$rootfs/usr/lib/postgresql" "$rootfs/usr/share/postgresql" "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/var/lib/postgresql/data"
  cp -a "$pg_home" "$rootfs/usr/lib/postgresql/"
  cp -a "/usr/share/postgresql/$pg_version" "$rootfs/usr/share/postgresql/"
  # Debian builds with the system's time zone database.
  mkdir -p "$rootfs/usr/share" && cp -a /usr/share/zoneinfo "$rootfs/usr/share/"
  # initdb runs the bootstrap backend through /bin/sh; the entrypoint is a sh script too.
  "$here/copy-binaries.sh" "$rootfs" sh
  cp "$rootfs/usr/bin/sh" "$rootfs/bin/sh"
  for exe in "$rootfs$pg_home"/bin/* "$rootfs$pg_home"/lib/*.so; do
    ldd "$exe" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\/[^ ]* \(/{print $1}' | while read -r lib; do
      [ -e "$rootfs$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
    done
  done
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\npostgres:x:999:999::/var/lib/postgresql:/bin/sh\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\npostgres:x:999:\n' > "$rootfs/etc/group"
  cat > "$rootfs/usr/local-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
# Like the official image: POSTGRES_USER (default postgres) with POSTGRES_PASSWORD
# over TCP (scram-sha-256), a database named after the user, listening on all addresses.
set -e
user=${POSTGRES_USER:-postgres}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}" > /tmp/pwfile
  initdb -D "$PGDATA" -U "$user" --pwfile=/tmp/pwfile --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C >/dev/null
  : > /tmp/pwfile
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$user" != postgres ]; then
    echo "CREATE DATABASE \"$user\"" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
ENTRYPOINT
  chmod 0755 "$rootfs/usr/local-entrypoint.sh"
  cat > "$work/postgres/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
COPY --chown=999:999 rootfs/var/lib/postgresql /var/lib/postgresql
ENV PATH=$pg_home/bin:/usr/bin:/bin PGDATA=/var/lib/postgresql/data
USER 999:999
EXPOSE 5432
ENTRYPOINT ["/usr/local-entrypoint.sh"]
DOCKERFILE
  docker build -q -t "$postgres_image" "$work/postgres" >&2
fi
echo "export POSTGRES_IMAGE=$postgres_image"

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
