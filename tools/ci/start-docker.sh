#!/usr/bin/env bash
# Starts dockerd in the background unless an engine already answers. A
# previous run's engine was killed without cleaning up, so stale pid files
# are removed first (dockerd refuses to start while they name a dead pid).
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
  if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
done
log=${DOCKERD_LOG:-/tmp/dockerd.log}
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "dockerd did not start within 60 s; last lines of $log:" >&2
tail -20 "$log" >&2
exit 1
