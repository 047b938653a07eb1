"""metadata.yaml, the registry entry Airbyte ships the connector with, agrees with the rest of the repository."""

from __future__ import annotations

import ast
import re
import uuid
from datetime import date
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest
import tomllib
import yaml
from airbyte_cdk.models.connector_metadata import ConnectorLanguage, MetadataFile

from source_tempo import SourceTempo

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
METADATA = yaml.safe_load((ROOT / "metadata.yaml").read_text())
DATA = METADATA["data"]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
MANIFEST = yaml.safe_load((ROOT / "source_tempo" / "manifest.yaml").read_text())
# Streams as the CDK sees them: $refs resolved and $parameters (e.g. a stream's `name`) propagated.
STREAMS = SourceTempo().resolved_manifest["streams"]
SPEC = MANIFEST["spec"]["connection_specification"]


def test_has_the_keys_airbyte_requires():
    assert METADATA["metadataSpecVersion"] == "1.0"
    required = {
        "name", "definitionId", "connectorType", "dockerRepository", "dockerImageTag", "license",
        "documentationUrl", "githubIssueLabel", "connectorSubtype", "releaseStage",
    }  # fmt: skip
    assert required <= DATA.keys()
    assert uuid.UUID(DATA["definitionId"]) == uuid.UUID("d1aa448b-7c54-498e-ad95-263cbebcd2db")
    assert DATA["connectorType"] == "source" and DATA["connectorSubtype"] == "api"
    assert DATA["dockerRepository"] == "airbyte/source-tempo" and DATA["name"] == "Tempo"
    assert DATA["releaseStage"] in {"alpha", "beta", "generally_available", "custom"}
    assert DATA["supportLevel"] in {"community", "certified", "archived"}
    assert DATA["license"] == PYPROJECT["project"]["license"]["text"] == "MIT"
    assert DATA["registryOverrides"] == {"cloud": {"enabled": True}, "oss": {"enabled": True}}
    assert {"cdk:low-code", "language:python"} <= set(DATA["tags"])
    # The CDK's own reader of metadata.yaml (used by `airbyte-cdk image build`) accepts it.
    assert MetadataFile.from_file(ROOT / "metadata.yaml").data.language == ConnectorLanguage.PYTHON


def test_versions_agree():
    """One version everywhere: the image tag, the PyPI package and the installed package."""
    version = PYPROJECT["project"]["version"]
    assert DATA["dockerImageTag"] == version
    assert installed_version("airbyte-source-tempo") == version, "the installed package is stale: run scripts/setup.sh"
    # The manifest's top-level `version` is the declarative-manifest (CDK) version, not the connector's.
    locked_cdk = re.search(r'name = "airbyte-cdk"\nversion = "([^"]+)"', (ROOT / "uv.lock").read_text()).group(1)
    assert MANIFEST["version"] == locked_cdk
    connector_version = (MANIFEST.get("metadata") or {}).get("version")
    assert connector_version in (None, version)


def test_pypi_package_is_the_pyproject_one():
    assert DATA["remoteRegistries"]["pypi"] == {"enabled": True, "packageName": PYPROJECT["project"]["name"]}
    assert PYPROJECT["project"]["name"] == "airbyte-source-tempo"
    assert PYPROJECT["project"]["scripts"]["source-tempo"] == "source_tempo.run:run"


def test_allowed_hosts_are_the_hosts_of_the_spec_regions():
    url_base = MANIFEST["definitions"]["base_requester"]["url_base"]
    region_urls = dict(re.findall(r"'(\w+)': '(https://[^']+)'", url_base))
    assert set(region_urls) == set(SPEC["properties"]["region"]["enum"])
    hosts = sorted(re.match(r"https://([^/:]+)", url).group(1) for url in region_urls.values())
    assert sorted(DATA["allowedHosts"]["hosts"]) == hosts


def test_base_image_is_the_dockerfile_default():
    dockerfile = (ROOT / "Dockerfile").read_text()
    default = re.search(r"^ARG BASE_IMAGE=(\S+)$", dockerfile, re.MULTILINE).group(1)
    assert DATA["connectorBuildOptions"]["baseImage"] == default
    assert re.fullmatch(r"docker\.io/airbyte/python-connector-base:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}", default)


def test_documentation_url_is_the_spec_one_and_the_docs_exist():
    assert DATA["documentationUrl"] == MANIFEST["spec"]["documentation_url"]
    assert DATA["documentationUrl"] == "https://docs.airbyte.com/integrations/sources/tempo"
    docs = (ROOT / "docs" / "tempo.md").read_text()
    # Airbyte's docs carry a changelog row for the released version.
    assert re.search(rf"^\|\s*{re.escape(DATA['dockerImageTag'])}\s*\|", docs, re.MULTILINE)


def test_icon_is_an_svg():
    icon = (ROOT / DATA["icon"]).read_text()
    assert icon.lstrip().startswith("<svg") and "viewBox" in icon and icon.rstrip().endswith("</svg>")


@pytest.mark.parametrize("release", sorted(DATA["releases"]["breakingChanges"]))
def test_breaking_changes_are_well_formed(release):
    change = DATA["releases"]["breakingChanges"][release]
    assert re.fullmatch(r"\d+\.\d+\.\d+", release)
    assert tuple(map(int, release.split("."))) <= tuple(map(int, DATA["dockerImageTag"].split(".")))
    assert set(change) <= {"upgradeDeadline", "message", "migrationDocumentationUrl", "scopedImpact", "deadlineAction"}
    date.fromisoformat(change["upgradeDeadline"])
    assert change["message"].strip()
    streams = {stream["name"] for stream in STREAMS} | set(UPSTREAM_STREAMS)
    for scope in change["scopedImpact"]:
        assert scope["scopeType"] == "stream" and scope["impactedScopes"]
        assert set(scope["impactedScopes"]) <= streams
    # The migration guide (docs/tempo-migrations.md, published at <documentationUrl>-migrations) covers it.
    assert change.get("migrationDocumentationUrl", f"{DATA['documentationUrl']}-migrations#{release}") == (
        f"{DATA['documentationUrl']}-migrations#{release}"
    )
    migrations = (ROOT / "docs" / "tempo-migrations.md").read_text()
    assert re.search(rf"^## Upgrading to {re.escape(release)}$", migrations, re.MULTILINE)


# The streams of the last upstream release (0.4.x, manifest-only): (primary key, cursor).
UPSTREAM_STREAMS = {
    "accounts": (["id"], None),
    "customers": (["id"], None),
    "worklogs": (["tempoWorklogId"], "startDate"),
    "workload-schemes": (["id"], None),
    "plans": (["id"], "updatedAt"),
    "teams": (["id"], None),
    "timesheet-approvals": (["self"], "period_from"),
    "holiday-schemes": (["id"], None),
    "holidays": (["id"], None),
    "holiday-scheme-members": (["accountId"], None),
}


def test_breaking_change_scope_is_every_upstream_stream_that_changed_keys_or_went():
    """A stream whose primary key or cursor differs from 0.x, or that is gone, breaks connections that sync it."""
    current = {}
    for stream in STREAMS:
        primary_key = stream["primary_key"] if isinstance(stream["primary_key"], list) else [stream["primary_key"]]
        current[stream["name"]] = (primary_key, (stream.get("incremental_sync") or {}).get("cursor_field"))
    changed = {name for name, keys in UPSTREAM_STREAMS.items() if current.get(name) != keys}
    scoped = {
        stream
        for scope in DATA["releases"]["breakingChanges"]["1.0.0"]["scopedImpact"]
        for stream in scope["impactedScopes"]
    }
    assert scoped == changed
    message = DATA["releases"]["breakingChanges"]["1.0.0"]["message"]
    assert all(name in message for name in changed)


def test_worklogs_breaking_change_describes_the_cursor_and_the_state_migration():
    message = DATA["releases"]["breakingChanges"]["1.0.0"]["message"]
    assert "updatedAt" in message and "startDate" in message and "updatedFrom" in message
    assert "full refresh" in message
    worklogs = next(stream for stream in STREAMS if stream["name"] == "worklogs")
    assert worklogs["incremental_sync"]["cursor_field"] == "updatedAt"


# docs/tempo.md is what users read: it must keep up with the spec, the streams and the error messages.
DOCS_LINES = (ROOT / "docs" / "tempo.md").read_text().splitlines()
DOCS = " ".join(" ".join(DOCS_LINES).split())


def _message_text(node: ast.AST) -> str | None:
    """A message expression as text, with `{…}` for every interpolated value."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{…}" for part in node.values)
    if isinstance(node, ast.BinOp):
        left, right = _message_text(node.left), _message_text(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "strip":
        return _message_text(node.func.value)
    return None


def user_facing_messages() -> list[str]:
    """Every error message the connector can print: the manifest's error_message entries, the messages of
    AirbyteTracedException in source_tempo/ (components/ included), config_problem's sentences and run.py's start-up
    failure."""
    messages: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "error_message" and isinstance(value, str):
                    messages.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(MANIFEST)
    for path in sorted((ROOT / "source_tempo").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "AirbyteTracedException":
                    messages += [_message_text(kw.value) for kw in node.keywords if kw.arg == "message"]
                elif name == "_fail" and len(node.args) > 1:
                    messages.append(_message_text(node.args[1]))
            elif isinstance(node, ast.FunctionDef) and node.name == "config_problem":
                messages += [_message_text(ret.value) for ret in ast.walk(node) if isinstance(ret, ast.Return)]
    return [message for message in messages if message]


def _fragments(message: str) -> list[str]:
    """The literal parts of a message, between its placeholders (Jinja or f-string)."""
    parts = re.split(r"\{\{.*?\}\}|\{%.*?%\}|\{…\}", " ".join(message.split()))
    return [part.strip(" `'\"") for part in parts if len(part.strip(" `'\"")) >= 12]


def test_docs_quote_every_error_message():
    messages = user_facing_messages()
    assert len(messages) >= 15
    missing = {fragment for message in messages for fragment in _fragments(message) if fragment not in DOCS}
    assert not missing, f"docs/tempo.md Troubleshooting lacks these error message texts: {sorted(missing)}"


def test_docs_list_every_config_field_with_its_default():
    rows = {re.match(r"\| `(\w+)` \|", line).group(1): line for line in DOCS_LINES if re.match(r"\| `\w+` \|", line)}
    for name, field in SPEC["properties"].items():
        assert name in rows, f"docs/tempo.md has no row for config field `{name}`"
        if "default" in field:
            default = field["default"]
            shown = str(default).lower() if isinstance(default, bool) else default  # as JSON writes it
            assert f"`{shown}`" in rows[name], f"docs/tempo.md does not give the default of `{name}`"


def test_docs_list_every_stream_with_its_keys():
    for stream in STREAMS:
        row = next((line for line in DOCS_LINES if line.startswith(f"| `{stream['name']}` |")), None)
        assert row, f"docs/tempo.md has no row for stream {stream['name']}"
        primary_key = stream["primary_key"] if isinstance(stream["primary_key"], list) else [stream["primary_key"]]
        cursor = (stream.get("incremental_sync") or {}).get("cursor_field")
        assert all(f"`{key}`" in row for key in primary_key), f"{stream['name']}: primary key {primary_key}"
        assert cursor is None or f"`{cursor}`" in row, f"{stream['name']}: cursor {cursor}"
        assert ("Incremental" in row) == (cursor is not None), f"{stream['name']}: sync modes"
