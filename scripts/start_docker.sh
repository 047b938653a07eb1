#!/usr/bin/env bash
# Makes a Docker daemon reachable for the image tests (integration_tests/test_docker_image.py). Idempotent:
#   1. a daemon already answers `docker info`        -> nothing to do;
#   2. no dockerd binary                             -> installs Debian's docker.io (root, apt-get);
#   3. waits up to $DOCKER_START_TIMEOUT s (default 60) for `docker info`, starting `dockerd` in the
#      background (log: $DOCKERD_LOG) whenever no dockerd process runs (none yet, or one that was shutting down).
# Exit 0 when a daemon answers; otherwise 1 with the reason on stderr (the image tests then skip, saying so).
set -uo pipefail
log=${DOCKERD_LOG:-/tmp/source-tempo-dockerd.log}
timeout_s=${DOCKER_START_TIMEOUT:-60}

fail() { echo "start_docker: $*" >&2; exit 1; }

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  echo "start_docker: a Docker daemon is already running"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "dockerd is not installed and installing docker.io needs root"
  command -v apt-get >/dev/null 2>&1 || fail "dockerd is not installed and there is no apt-get to install docker.io"
  echo "start_docker: installing docker.io from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null || fail "apt-get install docker.io failed"
fi

# Wait for the daemon; (re)start dockerd whenever none is running -- also when one was still shutting down.
starts=0
for _ in $(seq 1 "$timeout_s"); do
  if docker info >/dev/null 2>&1; then
    echo "start_docker: Docker daemon ready ($(docker info --format '{{.ServerVersion}} {{.Driver}}' 2>/dev/null))"
    exit 0
  fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || fail "no dockerd is running and starting one needs root"
    [ "$starts" -lt 2 ] || fail "dockerd exited twice; last lines of $log: $(tail -n 5 "$log" 2>/dev/null | tr '\n' ' ')"
    echo "start_docker: starting dockerd (log: $log)"
    nohup dockerd >"$log" 2>&1 </dev/null &
    disown || true
    starts=$((starts + 1))
  fi
  sleep 1
done
fail "the Docker daemon did not answer within ${timeout_s} s; last lines of $log: $(tail -n 5 "$log" 2>/dev/null | tr '\n' ' ')"
