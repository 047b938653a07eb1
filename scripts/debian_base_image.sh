#!/usr/bin/env bash
# Builds the offline stand-in for Airbyte's python-connector-base image, for machines where Docker Hub is
# unreachable: a minimal Debian bookworm (python3 = 3.11, like the Airbyte base) made with debootstrap from
# the Debian mirror apt already uses here, imported as local/debian-python:bookworm.
# Usage: scripts/debian_base_image.sh [--force]    (reuses the image when it exists, unless --force)
# Runs one at a time on a machine (a lock): a second run waits for the first, then reuses its image.
set -euo pipefail
IMAGE=${DEBIAN_BASE_IMAGE:-local/debian-python:bookworm}
SUITE=bookworm

exec 9>"${TMPDIR:-/tmp}/source-tempo-debian-base-image.lock"
flock 9
if [ "${1:-}" != "--force" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "debian_base_image: $IMAGE exists, reusing it"
  exit 0
fi

# The mirror apt uses for the main archive of this suite (deb822 *.sources first, then one-line sources.list).
mirror=$(
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk -v suite="$SUITE" '
        /^[[:space:]]*$/ { if (uris != "" && suites ~ "(^| )" suite "( |$)") { print uris; done = 1; exit } uris = ""; suites = ""; next }
        tolower($1) == "uris:" { uris = $2 }
        tolower($1) == "suites:" { $1 = ""; suites = $0 " " }
        END { if (!done && uris != "" && suites ~ "(^| )" suite "( |$)") print uris }
      ' "$f"
    done
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk -v suite="$SUITE" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == suite) print $i }'
  } | grep -v -- '-security' | head -n 1 || true
)
[ -n "$mirror" ] || { echo "debian_base_image: no Debian mirror for $SUITE found in /etc/apt/sources.list*" >&2; exit 1; }

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "debian_base_image: installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
fi

root=$(mktemp -d /tmp/debian-python-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "debian_base_image: debootstrap $SUITE from $mirror"
start=$(date +%s)
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates "$SUITE" "$root" "$mirror" >"$root.log" 2>&1 \
  || { tail -n 20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
# Keep the image small: apt caches and lists, documentation and translations are not needed at run time.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
tar -C "$root" -c . | docker import - "$IMAGE" >/dev/null
echo "debian_base_image: built $IMAGE in $(( $(date +%s) - start )) s ($(docker image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'))"
