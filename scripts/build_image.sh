#!/usr/bin/env bash
# Builds the connector image the way Airbyte ships Python connectors, with no network inside `docker build`:
#   1. wheels of the connector (build/wheels/connector) and of its dependencies at the versions locked in
#      uv.lock (build/wheels/deps), built here with `pip wheel` on Python 3.11, the Python of both base images;
#   2. `docker build` of Dockerfile, which installs them with `pip install --no-index --find-links`.
# Usage: scripts/build_image.sh [TAG]                 (default TAG: airbyte/source-tempo:dev)
# Env:   BASE_IMAGE  passed as --build-arg BASE_IMAGE (default: the Dockerfile's Airbyte base). Where Docker Hub is
#                    unreachable: BASE_IMAGE=local/debian-python:bookworm scripts/build_image.sh  -- that base, when
#                    missing, is made by scripts/debian_base_image.sh while the wheels are built (both take minutes)
#        PYTHON      the Python 3.11 interpreter that builds the wheels (default: python3.11)
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-airbyte/source-tempo:dev}
python=${PYTHON:-python3.11}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -n 1)
start=$(date +%s)

"$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null \
  || { echo "build_image: $python is not Python 3.11, the Python of the base images; set PYTHON" >&2; exit 1; }

# 0. The Debian stand-in base, when it is the one asked for and missing: built in the background, during step 1.
debian_base=${DEBIAN_BASE_IMAGE:-local/debian-python:bookworm}
base_job=""
if [ "${BASE_IMAGE:-}" = "$debian_base" ] && ! docker image inspect "$debian_base" >/dev/null 2>&1; then
  scripts/debian_base_image.sh &
  base_job=$!
fi

# 1. Wheels. The lock, exported as constraints, pins every dependency; a fresh folder keeps stale wheels out.
uv=""
for candidate in .tools/bin/uv .venv/bin/uv "$(command -v uv || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then uv=$candidate; break; fi
done
rm -rf build/wheels build/constraints.txt
mkdir -p build/wheels/deps build/wheels/connector
constraints=()
if [ -n "$uv" ]; then
  "$uv" export --frozen --no-dev --no-emit-project --no-hashes --format requirements-txt --quiet -o build/constraints.txt
  constraints=(-c build/constraints.txt)
else
  echo "build_image: uv not found (run scripts/setup.sh); dependencies are resolved without uv.lock" >&2
fi
# (grep drops the warnings pip prints for every file:// index of a machine-wide pip.conf that lacks a package)
"$python" -m pip wheel --quiet --disable-pip-version-check -w build/wheels/deps "${constraints[@]}" . \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
mv build/wheels/deps/airbyte_source_tempo-"$version"-*.whl build/wheels/connector/
echo "build_image: $(ls build/wheels/deps | wc -l) dependency wheels + $(ls build/wheels/connector) ($(( $(date +%s) - start )) s)"

if [ -n "$base_job" ] && ! wait "$base_job"; then
  echo "build_image: scripts/debian_base_image.sh failed to build $debian_base (see above)" >&2
  exit 1
fi

# 2. The image. Plain `docker build` (Debian's docker.io has no buildx, so the classic builder).
build_args=()
if [ -n "${BASE_IMAGE:-}" ]; then build_args=(--build-arg "BASE_IMAGE=$BASE_IMAGE"); fi
if ! DOCKER_BUILDKIT=0 docker build --quiet "${build_args[@]}" \
  --label "io.airbyte.name=airbyte/source-tempo" --label "io.airbyte.version=$version" \
  -t "$tag" . 2> >(grep -v -e "legacy builder is deprecated" -e "BuildKit is currently disabled" \
                      -e "environment-variable" -e "^ *$" >&2) >/dev/null; then
  if [ -z "${BASE_IMAGE:-}" ]; then
    echo "build_image: docker build failed. If Docker Hub is unreachable, build on the Debian base instead:" >&2
    echo "  BASE_IMAGE=local/debian-python:bookworm scripts/build_image.sh $tag" >&2
  fi
  exit 1
fi
size=$(docker image inspect "$tag" --format '{{.Size}}' | awk '{printf "%.0f MB", $1 / 1e6}')
echo "build_image: built $tag (version $version, base ${BASE_IMAGE:-from Dockerfile}, $size) in $(( $(date +%s) - start )) s"
