#!/usr/bin/env bash
# The main job in one command: install the locked environment, start the local Tempo sandbox, sync it
# (check, discover, full and incremental read) into demo.duckdb and print a report.
# With TEMPO_API_TOKEN (and TEMPO_REGION) set, or secrets/config.json present, it syncs that Tempo site.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m demo "$@"
