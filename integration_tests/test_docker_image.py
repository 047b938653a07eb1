"""The connector image, run the way the Airbyte platform runs it, against the local Tempo sandbox.

Builds the image with scripts/build_image.sh (on Airbyte's python-connector-base when Docker Hub answers,
else on the Debian bookworm base from scripts/debian_base_image.sh), then runs spec, check, discover and
read (with and without state) in containers, with config, catalog and state mounted read-only as Airbyte
does, and compares what the container delivers with the same commands run on the host.

Skipped only when no Docker daemon answers; scripts/start_docker.sh (run by .ci/run) installs and starts one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from integration_tests.conftest import Auth
from integration_tests.connector_cli import Connector, Run, assert_no_secrets, configured_catalog, run
from integration_tests.discovered import configured, ids
from sandbox import TOKEN_OTHER_REGION

# The first test waits for the image: a Debian base and a build can take minutes on a slow network (each step
# has its own subprocess timeout), so the module's deadline is longer than the suite's 300 s default.
pytestmark = [pytest.mark.image_tests, pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parent.parent
IMAGE = os.environ.get("SOURCE_TEMPO_TEST_IMAGE", "airbyte/source-tempo:dev")
DEBIAN_BASE = "local/debian-python:bookworm"


def _docker_unavailable() -> str | None:
    """Why no Docker daemon can be used, or None when one answers."""
    hint = "scripts/start_docker.sh (as root) installs Debian's docker.io and starts dockerd"
    if shutil.which("docker") is None:
        return f"no docker CLI on PATH; {hint}"
    try:
        info = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        return f"`docker info` did not answer within 30 s; {hint}"
    if info.returncode != 0:
        error = (info.stderr.strip().splitlines() or ["no output"])[-1]
        return f"no Docker daemon reachable (`docker info`: {error}); {hint}"
    return None


def _airbyte_base() -> str:
    """The Dockerfile's default BASE_IMAGE (Airbyte's python-connector-base, pinned by digest)."""
    match = re.search(r"^ARG BASE_IMAGE=(\S+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert match, "Dockerfile has no `ARG BASE_IMAGE=<default>` line"
    return match.group(1)


def _choose_base() -> tuple[str | None, str]:
    """(BASE_IMAGE for the build or None for the Dockerfile's default, why)."""
    if os.environ.get("SOURCE_TEMPO_BASE_IMAGE"):
        return os.environ["SOURCE_TEMPO_BASE_IMAGE"], "SOURCE_TEMPO_BASE_IMAGE"
    airbyte_base = _airbyte_base()
    if subprocess.run(["docker", "image", "inspect", airbyte_base], capture_output=True).returncode == 0:
        return None, "Airbyte base image present locally"
    try:
        pulled = subprocess.run(
            ["docker", "pull", "--quiet", airbyte_base], capture_output=True, text=True, timeout=300
        )
    except subprocess.TimeoutExpired:
        pulled = None
    if pulled is not None and pulled.returncode == 0:
        return None, "Airbyte base image pulled from Docker Hub"
    # scripts/build_image.sh makes this base with scripts/debian_base_image.sh when it is missing, while it builds
    # the wheels.
    return DEBIAN_BASE, "Docker Hub unreachable: Debian bookworm base from scripts/debian_base_image.sh"


@pytest.fixture(scope="module")
def image() -> str:
    reason = _docker_unavailable()
    if reason:
        pytest.skip(reason)
    base, why = _choose_base()
    env = {key: value for key, value in os.environ.items() if key != "BASE_IMAGE"}
    if base:
        env["BASE_IMAGE"] = base
    started = time.monotonic()
    build = subprocess.run(
        [str(ROOT / "scripts" / "build_image.sh"), IMAGE], capture_output=True, text=True, env=env, timeout=1500
    )
    assert build.returncode == 0, f"scripts/build_image.sh failed:\n{build.stdout}\n{build.stderr}"
    size = int(subprocess.check_output(["docker", "image", "inspect", IMAGE, "--format", "{{.Size}}"], text=True))
    print(
        f"\n{build.stdout.strip()}\nimage {IMAGE}: base {base or _airbyte_base()} ({why}), "
        f"{size / 1e6:.0f} MB, built in {time.monotonic() - started:.0f} s"
    )
    return IMAGE


def docker_run(image: str, args: list[str], mounts: dict[Path, str] | None = None, timeout: float = 300) -> Run:
    """`docker run --rm` of the image with the given connector arguments; folders mounted read-only."""
    command = ["docker", "run", "--rm", "--network", "host"]
    for source, target in (mounts or {}).items():
        command += ["-v", f"{source}:{target}:ro"]
    completed = subprocess.run(command + [image, *args], capture_output=True, text=True, timeout=timeout)
    messages = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    return Run(messages=messages, stderr=completed.stderr, returncode=completed.returncode, stdout=completed.stdout)


def readable_folder(path: Path, files: dict[str, object]) -> Path:
    """A folder of JSON files the container's non-root user can read (pytest makes tmp folders 0700)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o755)
    for name, content in files.items():
        (path / name).write_text(json.dumps(content))
        (path / name).chmod(0o644)
    return path


def final_states(result: Run) -> dict[str, dict]:
    """The last state of each stream (streams are read concurrently, so their order varies), without the clock
    time an incremental worklogs sync saves for its next audit-log read (`tombstones_from`), which differs
    between two runs by the seconds between them."""
    states = {}
    for state in result.final_state():
        stream_state = dict(state["stream"]["stream_state"])
        stream_state.pop("tombstones_from", None)
        states[state["stream"]["stream_descriptor"]["name"]] = stream_state
    return states


def assert_token_hidden(result: Run, *tokens: str) -> None:
    for token in tokens:
        assert token not in result.stdout and token not in result.stderr, f"the token {token!r} leaked into the output"


def test_spec_matches_host(image):
    in_container = docker_run(image, ["spec"])
    assert in_container.returncode == 0, in_container.stderr
    on_host = run(["spec"])
    assert in_container.of_type("SPEC")[0]["spec"] == on_host.of_type("SPEC")[0]["spec"]


def test_runs_as_non_root_with_airbyte_entrypoint(image):
    config = json.loads(subprocess.check_output(["docker", "image", "inspect", image, "--format", "{{json .Config}}"]))
    assert config["User"] not in ("", "root", "0", "0:0")
    uid = subprocess.check_output(["docker", "run", "--rm", "--entrypoint", "id", image, "-u"], text=True).strip()
    assert uid != "0"
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["AIRBYTE_ENTRYPOINT"].split() == config["Entrypoint"]
    assert config["Entrypoint"][0].endswith("/source-tempo")
    version = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE).group(1)
    assert config["Labels"]["io.airbyte.version"] == version
    assert config["Labels"]["io.airbyte.name"] == "airbyte/source-tempo"


def test_check_discover_read_match_host(image, sandbox, tmp_path):
    # The sandbox has no rate limit: the connector's own request budget need not pace these reads.
    config = {"api_token": sandbox.token, "api_url": sandbox.base_url, "requests_per_second": 100}
    secrets = readable_folder(tmp_path / "secrets", {"config.json": config})
    host = Connector(readable_folder(tmp_path / "host", {}), config)
    container_runs: list[Run] = []

    def container(args: list[str], data: Path | None = None) -> Run:
        mounts = {secrets: "/secrets", **({data: "/data"} if data else {})}
        result = docker_run(image, args, mounts)
        container_runs.append(result)
        assert result.returncode == 0 and not result.errors(), (result.errors(), result.stderr[-2000:])
        return result

    status = container(["check", "--config", "/secrets/config.json"]).of_type("CONNECTION_STATUS")
    assert status[0]["connectionStatus"]["status"] == "SUCCEEDED"

    discovered = container(["discover", "--config", "/secrets/config.json"]).of_type("CATALOG")[0]["catalog"]
    assert discovered == host.discover().of_type("CATALOG")[0]["catalog"]
    streams = {stream["name"]: stream for stream in discovered["streams"]}
    assert {"accounts", "customers", "workload-schemes", "worklogs"} <= set(streams)
    catalog = configured(discovered)
    worklogs = streams["worklogs"]

    # A first sync of every stream (incremental ones without state).
    data = readable_folder(tmp_path / "data", {"catalog.json": catalog})
    in_container = container(["read", "--config", "/secrets/config.json", "--catalog", "/data/catalog.json"], data)
    on_host = host.read(catalog)
    assert not on_host.errors()
    for stream in streams.values():
        assert ids(in_container, stream) == ids(on_host, stream), stream["name"]
    for name in ("accounts", "customers", "workload-schemes"):
        assert ids(in_container, streams[name]), f"no {name} read"
    assert len(ids(in_container, worklogs)) == len(sandbox.worklogs())
    # (worklogs only: an empty stream's state can be the end of its date window, i.e. depend on the clock)
    assert final_states(in_container)["worklogs"] == final_states(on_host)["worklogs"]

    # The next incremental sync from that state, after one worklog changed.
    state = in_container.final_state()
    edited = sandbox.worklogs()[0]["tempoWorklogId"]
    sandbox.edit_worklog(edited, description="edited between syncs")
    data = readable_folder(tmp_path / "data-incremental", {"catalog.json": catalog, "state.json": state})
    args = [
        "read",
        "--config",
        "/secrets/config.json",
        "--catalog",
        "/data/catalog.json",
        "--state",
        "/data/state.json",
    ]
    in_container = container(args, data)
    on_host = host.read(catalog, state=state)
    assert (edited,) in ids(in_container, worklogs)
    for stream in streams.values():
        assert ids(in_container, stream) == ids(on_host, stream), stream["name"]
    assert len(ids(in_container, worklogs)) < len(sandbox.worklogs())
    assert final_states(in_container)["worklogs"] == final_states(on_host)["worklogs"]
    # both read the audit log for tombstones and saved where the next read starts
    assert all(
        "tombstones_from" in run.states("worklogs")[-1]["stream"]["stream_state"] for run in (in_container, on_host)
    )

    for result in container_runs:
        assert_token_hidden(result, sandbox.token)


def test_check_with_token_of_another_region_fails_without_leaking_it(image, sandbox, tmp_path):
    secrets = readable_folder(
        tmp_path / "secrets", {"config.json": {"api_token": TOKEN_OTHER_REGION, "api_url": sandbox.base_url}}
    )
    result = docker_run(image, ["check", "--config", "/secrets/config.json"], {secrets: "/secrets"})
    status = result.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED"
    assert "HTTP 401" in status["message"]
    assert_token_hidden(result, TOKEN_OTHER_REGION, sandbox.token)


def test_oauth_in_a_container_with_a_read_only_config_rotates_and_leaks_nothing(image, sandbox, tmp_path):
    """Airbyte mounts the config read-only: the rotated tokens leave the container in a CONTROL message, the
    platform stores that config for the next run, and no other output shows a secret, through 503s and 429s
    and a 401 for an expired access token."""
    oauth = Auth("oauth2.0")
    sandbox.faults.update(fail_5xx_every=5, rate_limit_per_second=4)
    config = {**oauth.config(sandbox), "api_url": sandbox.base_url}
    data = readable_folder(tmp_path / "data", {"catalog.json": configured_catalog(["customers", "worklogs"])})

    secrets = readable_folder(tmp_path / "secrets-check", {"config.json": config})
    check = docker_run(image, ["check", "--config", "/secrets/config.json"], {secrets: "/secrets"})
    assert check.of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED", check.stderr[-2000:]
    assert any("Could not save the rotated OAuth refresh token" in line for line in check.logs("WARN"))
    assert json.loads((secrets / "config.json").read_text()) == config  # read-only: unchanged
    [stored] = check.control_configs()  # what the platform stores for the next run

    sandbox.oauth.expire_access_tokens()
    secrets = readable_folder(tmp_path / "secrets-read", {"config.json": stored})
    args = ["read", "--config", "/secrets/config.json", "--catalog", "/data/catalog.json"]
    read = docker_run(image, args, {secrets: "/secrets", data: "/data"})
    assert read.returncode == 0 and not read.errors(), (read.errors(), read.stderr[-2000:])
    assert len(read.records("worklogs")) == len(sandbox.worklogs())
    [rotated] = read.control_configs()
    assert sandbox.oauth.received_refresh_tokens == [
        config["credentials"]["refresh_token"],
        stored["credentials"]["refresh_token"],
    ]
    assert sandbox.oauth.live_refresh_tokens() == {rotated["credentials"]["refresh_token"]}
    assert sandbox.stats()["by_status"].get("503", 0) >= 1
    for result in (check, read):
        assert_no_secrets(result, oauth.secrets(sandbox))
