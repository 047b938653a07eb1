#!/usr/bin/env bash
# Creates .venv-pyairbyte, the venv of PyAirbyte (`airbyte` 0.71.3) that integration_tests/test_packaging.py
# drives the connector with. Separate from .venv on purpose: installed next to airbyte-cdk 7 it downgrades
# packages the connector needs (cryptography, protobuf, rich, ...). About 1 min and 780 MB the first time;
# reused afterwards (idempotent). Usage: scripts/setup_pyairbyte.sh   Env: PYTHON (default python3.11)
# One run at a time per checkout (a lock on this script): a second run waits for the first, then reuses its venv.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9<scripts/setup_pyairbyte.sh
flock 9
AIRBYTE_VERSION=0.71.3
venv=.venv-pyairbyte
python=${PYTHON:-python3.11}

installed() {  # the version only: importing airbyte takes seconds (its Google clients)
  [ -x "$venv/bin/python" ] && "$venv/bin/python" -c \
    "import importlib.metadata as m, sys; sys.exit(m.version('airbyte') != '$AIRBYTE_VERSION')" 2>/dev/null
}
if installed; then
  echo "setup_pyairbyte: $venv has airbyte $AIRBYTE_VERSION, reusing it"
  exit 0
fi

start=$(date +%s)
rm -rf "$venv"
uv=""
for candidate in .tools/bin/uv .venv/bin/uv "$(command -v uv || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then uv=$candidate; break; fi
done
if [ -n "$uv" ]; then
  "$uv" venv --quiet --python "$(command -v "$python")" "$venv"
  "$uv" pip install --quiet --python "$venv/bin/python" "airbyte==$AIRBYTE_VERSION"
else
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "airbyte==$AIRBYTE_VERSION"
fi
"$venv/bin/python" -W ignore -c "import airbyte" \
  || { rm -rf "$venv"; echo "setup_pyairbyte: airbyte $AIRBYTE_VERSION installed but does not import" >&2; exit 1; }
echo "setup_pyairbyte: installed airbyte $AIRBYTE_VERSION into $venv in $(( $(date +%s) - start )) s ($(du -sm "$venv" | cut -f1) MB)"
