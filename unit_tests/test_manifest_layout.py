"""The manifest's layout and the files it loads: the schemas in source_tempo/schemas/ are the ones
tools/generate_schemas.py makes from Tempo's OpenAPI file (no drift), every stream gets its own, a missing one
fails discover, every stream is defined once under `definitions.streams`, and `stream_groups` still reach their
streams."""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path

import pytest
import yaml
from airbyte_cdk.sources.declarative.concurrent_declarative_source import ConcurrentDeclarativeSource

from source_tempo import SourceTempo
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.more_data_builders import work_attributes_page, work_attributes_request

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "source_tempo" / "schemas"
MANIFEST_PATH = ROOT / "source_tempo" / "manifest.yaml"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_schemas", ROOT / "tools" / "generate_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schema_files_are_what_the_generator_makes_from_the_openapi_file():
    """Drift test: run `python tools/generate_schemas.py` after changing the OpenAPI file or the generator."""
    generated = _generator().render()
    on_disk = {path.name: path.read_text() for path in SCHEMAS.glob("*.json")}
    assert sorted(on_disk) == sorted(generated), "schema files and generated streams differ"
    drifted = sorted(name for name, text in generated.items() if on_disk[name] != text)
    assert not drifted, f"out of date, run tools/generate_schemas.py: {drifted}"


# Schema files discover gives only with the `jira` config: the Jira streams', and the enriched worklogs schema.
JIRA_ONLY = {"jira-issues", "jira-users", "worklogs-with-jira"}


def test_discover_returns_each_stream_its_schema_file(http_mocker):
    # A site without work attributes: worklogs get no attribute columns (mock_server/test_worklogs_attribute_columns.py)
    http_mocker.get(work_attributes_request(), work_attributes_page())
    config = ConfigBuilder().build()
    catalog = SourceTempo(config=config).discover(logging.getLogger("test"), config)
    discovered = {stream.name: stream.json_schema for stream in catalog.streams}
    assert len(discovered) == 51
    assert sorted(discovered) == sorted(path.stem for path in SCHEMAS.glob("*.json") if path.stem not in JIRA_ONLY)
    for name, schema in discovered.items():
        assert schema == json.loads((SCHEMAS / f"{name}.json").read_text()), name
        assert schema["properties"], name


@pytest.mark.parametrize("enrich", [True, False])
def test_discover_with_jira_adds_the_jira_streams_and_the_enriched_worklogs_schema(http_mocker, enrich):
    http_mocker.get(work_attributes_request(), work_attributes_page())
    config = {
        **ConfigBuilder().build(),
        "jira": {"site_url": "https://x.atlassian.net", "email": "a@b.c", "api_token": "t", "enrich_worklogs": enrich},
    }
    catalog = SourceTempo(config=config).discover(logging.getLogger("test"), config)
    discovered = {stream.name: stream.json_schema for stream in catalog.streams}
    assert len(discovered) == 53
    for name, schema in discovered.items():
        file = "worklogs-with-jira" if name == "worklogs" and enrich else name
        assert schema == json.loads((SCHEMAS / f"{file}.json").read_text()), name
    issue = discovered["worklogs"]["properties"]["issue"]["properties"]
    assert ("key" in issue and "projectKey" in issue) is enrich


def test_a_stream_without_a_schema_file_fails_discover_naming_the_file():
    """The CDK's default loader would answer an empty schema; the manifest's explicit path does not."""
    manifest = yaml.safe_load(MANIFEST_PATH.read_text())
    manifest["definitions"]["streams"]["customers"]["$parameters"]["name"] = "no-such-stream"
    config = ConfigBuilder().build()
    source = ConcurrentDeclarativeSource(source_config=manifest, config=config)
    with pytest.raises(FileNotFoundError, match="schemas/no-such-stream.json"):
        source.discover(logging.getLogger("test"), config)


def test_every_stream_is_one_ref_to_its_definition_of_the_same_name():
    manifest = yaml.safe_load(MANIFEST_PATH.read_text())
    defined = manifest["definitions"]["streams"]
    assert manifest["streams"] == [{"$ref": f"#/definitions/streams/{name}"} for name in defined]
    for key, stream in defined.items():
        assert stream["name"] == stream["$parameters"]["name"] == key
    resolved = SourceTempo(config=ConfigBuilder().build()).resolved_manifest["streams"]
    assert [stream["name"] for stream in resolved] == list(defined)


PROJECT_STREAMS = [
    "project-budgets",
    "project-budget-milestones",
    "project-expenses",
    "project-fixed-revenues",
    "project-labor-actuals",
    "project-expense-actuals",
    "project-planned-labor",
    "project-team-member-roles",
    "project-team-member-rates",
    "project-time-approvals",
    "project-financial-summaries",
    "project-scope-tasks",
    "project-timeframes",
]


def test_stream_groups_block_the_streams_of_each_shared_parent():
    config = ConfigBuilder().build()
    groups = {
        stream.name: stream.block_simultaneous_read
        for stream in SourceTempo(config=config).streams(config)
        if stream.block_simultaneous_read
    }
    assert groups == {
        "teams": "teams",
        "workload-schemes": "workload-schemes",
        "workload-scheme-members": "workload-schemes",
        "holiday-schemes": "holiday-schemes",
        "holidays": "holiday-schemes",
        "holiday-scheme-members": "holiday-schemes",
        # Financial Manager: every stream under a project, a portfolio or a billing rates table with its parent
        **{name: "projects" for name in PROJECT_STREAMS},
        "projects": "projects",
        "portfolios": "portfolios",
        "portfolio-projects": "portfolios",
        "billing-rates-tables": "billing-rates-tables",
        "billing-rates": "billing-rates-tables",
        "plans": "plans",  # plan-days sends the plans' requests, answered from their cache (see the manifest)
        "plan-days": "plans",
    }
