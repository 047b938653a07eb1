"""The connector as users get it from PyPI: the wheel, installed into a fresh venv, and driven by PyAirbyte.

1. The wheel is built with the project's tool (`uv build --wheel`, else `pip wheel --no-deps`), installed
   with pip into a new `python -m venv` (dependencies from PyPI at the versions of uv.lock), and its
   `source-tempo` console script answers `spec` and `discover` the same as the repository's code (discover
   reads the stream schemas from the wheel's source_tempo/schemas/).
2. PyAirbyte (`airbyte` 0.71.3, in its own venv .venv-pyairbyte made by scripts/setup_pyairbyte.sh) runs that
   installed `source-tempo` as a local executable, reads every stream of the sandbox into a DuckDB cache, and
   finds there as many rows per stream as the sandbox holds (and as distinct primary keys as the same read
   delivers on the host). Skipped only when that venv cannot be created.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from integration_tests.connector_cli import Connector, run
from integration_tests.discovered import configured, ids

# A test's fixtures build the wheel, pip-install it with its dependencies from PyPI and create PyAirbyte's venv,
# minutes on a slow network (each step has its own subprocess timeout): longer than the suite's 300 s default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parent.parent
VERSION = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE).group(1)
UV = ROOT / ".tools" / "bin" / "uv"
PYAIRBYTE_VENV = ROOT / ".venv-pyairbyte"

# Runs inside .venv-pyairbyte: reads every stream into a DuckDB cache and prints the row count of each table.
PYAIRBYTE_SCRIPT = """
import json, sys
from pathlib import Path

import airbyte as ab
from airbyte.caches import DuckDBCache

config, executable, folder = json.loads(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
source = ab.get_source("source-tempo", config=config, local_executable=executable)
source.check()
source.select_all_streams()
cache = DuckDBCache(db_path=folder / "pyairbyte_cache.duckdb", schema_name="main")
result = source.read(cache=cache)
counts = {}
with cache.get_sql_engine().connect() as connection:
    for name in result.streams:
        table = cache.processor.get_sql_table_name(name)
        counts[name] = connection.exec_driver_sql(f'SELECT COUNT(*) FROM main."{table}"').scalar()
print("COUNTS " + json.dumps(counts))
"""


def _locked_constraints(folder: Path) -> list[str]:
    """`-c <file>` pinning every dependency to uv.lock, when uv is there to export it."""
    uv = UV if UV.exists() else ROOT / ".venv" / "bin" / "uv"
    if not uv.exists():
        return []
    path = folder / "constraints.txt"
    subprocess.run(
        [str(uv), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet", "-o", str(path)],
        cwd=ROOT,
        check=True,
    )
    return ["-c", str(path)]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `source-tempo` console script of the wheel, pip-installed into a fresh venv."""
    folder = tmp_path_factory.mktemp("packaging")
    dist = folder / "dist"
    if UV.exists():
        build = [str(UV), "build", "--wheel", "--out-dir", str(dist), str(ROOT)]
    else:
        build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)]
    subprocess.run(build, cwd=ROOT, check=True, capture_output=True, text=True)
    wheels = list(dist.glob("*.whl"))
    assert [wheel.name for wheel in wheels] == [f"airbyte_source_tempo-{VERSION}-py3-none-any.whl"]

    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
        dist_info = f"airbyte_source_tempo-{VERSION}.dist-info"
        entry_points = wheel.read(f"{dist_info}/entry_points.txt").decode()
        metadata = wheel.read(f"{dist_info}/METADATA").decode()
    assert {"source_tempo/manifest.yaml", "source_tempo/run.py"} <= set(names)
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "source_tempo").rglob("*.py")}
    assert "source_tempo/components/paging.py" in modules and modules <= set(names)  # the components package too
    schemas = {f"source_tempo/schemas/{path.name}" for path in (ROOT / "source_tempo" / "schemas").glob("*.json")}
    assert len(schemas) == 54 and schemas <= set(names)  # 51 streams, the 2 Jira streams' and worklogs-with-jira
    not_shipped = ("unit_tests", "integration_tests", "sandbox", "secrets")
    assert not [name for name in names if name.split("/")[0] in not_shipped]
    assert re.search(r"^source-tempo = source_tempo\.run:run$", entry_points, re.MULTILINE)
    assert "Name: airbyte-source-tempo" in metadata and f"Version: {VERSION}" in metadata
    assert re.search(r"^Requires-Dist: airbyte-cdk", metadata, re.MULTILINE)

    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    completed = subprocess.run(
        install + _locked_constraints(folder) + [str(wheels[0])], capture_output=True, text=True, timeout=900
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return venv / "bin" / "source-tempo"


def test_wheel_installed_in_a_fresh_venv_answers_spec(installed):
    location = subprocess.check_output(
        [str(installed.parent / "python"), "-c", "import source_tempo; print(source_tempo.__file__)"],
        text=True,
        cwd=installed.parent,
    )
    assert Path(location).is_relative_to(installed.parent.parent), "not the wheel's copy of source_tempo"
    completed = subprocess.run([str(installed), "spec"], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    messages = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    spec = [message["spec"] for message in messages if message["type"] == "SPEC"]
    assert spec == [run(["spec"]).of_type("SPEC")[0]["spec"]]


def test_wheel_installed_in_a_fresh_venv_discovers_the_stream_schemas(installed, sandbox, tmp_path):
    """Run outside the repository, discover can only find the schemas in the wheel (its one request, the work
    attributes for the worklogs' columns, goes to the sandbox)."""
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps({"api_token": sandbox.token, "api_url": sandbox.base_url}))
    config = ["--config", str(config_file)]
    completed = subprocess.run(
        [str(installed), "discover", *config], capture_output=True, text=True, timeout=120, cwd=installed.parent
    )
    assert completed.returncode == 0, completed.stderr
    messages = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    catalog = [message["catalog"] for message in messages if message["type"] == "CATALOG"]
    assert catalog == [run(["discover", *config]).of_type("CATALOG")[0]["catalog"]]
    assert all(stream["json_schema"]["properties"] for stream in catalog[0]["streams"])


@pytest.fixture(scope="module")
def pyairbyte_python() -> Path:
    setup = subprocess.run([str(ROOT / "scripts" / "setup_pyairbyte.sh")], capture_output=True, text=True, timeout=900)
    if setup.returncode != 0:
        pytest.skip(f"cannot create {PYAIRBYTE_VENV.name} with PyAirbyte: {(setup.stderr or setup.stdout)[-1500:]}")
    return PYAIRBYTE_VENV / "bin" / "python"


def test_pyairbyte_reads_the_sandbox_into_duckdb(pyairbyte_python, installed, sandbox, tmp_path):
    # The sandbox has no rate limit: the connector's own request budget need not pace these reads.
    config = {"api_token": sandbox.token, "api_url": sandbox.base_url, "requests_per_second": 100}
    env = {**os.environ, "AIRBYTE_OFFLINE_MODE": "1", "DO_NOT_TRACK": "1", "NO_COLOR": "1"}
    completed = subprocess.run(
        [str(pyairbyte_python), "-c", PYAIRBYTE_SCRIPT, json.dumps(config), str(installed), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert completed.returncode == 0, (completed.stdout[-3000:], completed.stderr[-3000:])
    counts = json.loads(completed.stdout.split("COUNTS ", 1)[1].splitlines()[0])
    assert sandbox.token not in completed.stdout and sandbox.token not in completed.stderr

    # Every stream lands in the cache, one row per primary key: as many as the sandbox holds ...
    assert {
        "accounts": len(sandbox.accounts()),
        "customers": len(sandbox.customers()),
        "workload-schemes": len(sandbox.workload_schemes()),
        "worklogs": len(sandbox.worklogs()),
    }.items() <= counts.items()
    # ... and, for every stream, as many as distinct primary keys the connector delivers on the host.
    host = Connector(tmp_path, config)
    catalog = host.discover().of_type("CATALOG")[0]["catalog"]
    on_host = host.read(configured(catalog))
    assert counts == {stream["name"]: len(set(ids(on_host, stream))) for stream in catalog["streams"]}
