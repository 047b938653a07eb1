#!/usr/bin/env bash
# Installs the locked environment into .venv (and uv itself into .tools) from PyPI. Idempotent.
# Usage: scripts/setup.sh [python-version]   e.g. scripts/setup.sh 3.12  (default: the machine's python3)
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
if [ ! -x .tools/bin/uv ] || ! .tools/bin/uv --version | grep -q "$UV_VERSION"; then
  python3 -m venv .tools
  .tools/bin/pip install --quiet "uv==$UV_VERSION"
fi
python_version="${1:-}"
if [ -n "$python_version" ]; then
  interpreter=$(ls -d /root/.pyenv/versions/"$python_version"*/bin/python"$python_version" 2>/dev/null | head -1 || true)
  interpreter=${interpreter:-python$python_version}
  export UV_PROJECT_ENVIRONMENT=".venv-$python_version"
  .tools/bin/uv sync --frozen --all-extras --python "$interpreter" --quiet
else
  .tools/bin/uv sync --frozen --all-extras --python "$(command -v python3)" --quiet
fi
