"""Acceptance tests of source-tempo: the airbyte-cdk standard suite, plus the CAT checks it lacks.

Everything runs against one local Tempo sandbox (default data set: seed 42, 3,000 worklogs) that
this module starts for the session on 127.0.0.1:18765, the address the static configs of
acceptance-test-config.yml name (integration_tests/sample_config.json, invalid_config.json).
Set TEMPO_SANDBOX_PORT to use another port: the configs' port is then rewritten in memory (in a pytest-xdist
worker, integration_tests/conftest.py sets it to a free port of the worker's own).

* `TestSourceTempoStandardSuite` is the CDK's `SourceTestSuiteBase`, fed by the scenarios of
  acceptance-test-config.yml (spec, connection, discovery, basic_read, full_refresh). It runs
  `SourceTempo` in-process, built with the scenario's config. The file is written for Airbyte's
  Connector Acceptance Tests (CAT) at `high` strictness, whose keys the CDK suite partly rejects: it
  reads the file without `CAT_ONLY_KEYS`, and nothing else is dropped. Its Docker image tests are
  skipped here: they build the image from a metadata.yaml this repository does not have (the
  connector image is tested by integration_tests/test_docker_image.py instead).
* The module-level tests cover what CAT checked and the CDK 7.39 suite does not (it rejects
  `expect_records` and does not collect `incremental`). They run the real `source-tempo` entrypoint
  in a subprocess (integration_tests/connector_cli.py).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml
from airbyte_cdk.test.models import ConnectorTestScenario
from airbyte_cdk.test.models.scenario import SCENARIO_SECTIONS, entry_key_problems
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase

# pytest uses a module's `pytest_generate_tests`: this one parametrizes the suite's `scenario`
# argument with the scenarios of acceptance-test-config.yml (what `pytest_plugins = [...pytest_hooks]`
# would do, which pytest only allows in the root conftest.py).
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests
from boltons.typeutils import classproperty
from jsonschema import Draft7Validator, FormatChecker, validators

from integration_tests.connector_cli import Connector, Run, run
from integration_tests.regenerate_expected_records import (
    CONFIGURED_CATALOG,
    EXPECTED_RECORDS,
    PRIMARY_KEYS,
    SAMPLE_CONFIG,
    SANDBOX_SEED,
    SANDBOX_WORKLOGS,
    same_on_any_day,
)
from sandbox import TempoSandbox
from source_tempo import SourceTempo

__all__ = ["pytest_generate_tests"]

pytestmark = pytest.mark.slow
CONNECTOR_ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
INVALID_CONFIG = HERE / "invalid_config.json"
ABNORMAL_STATE = HERE / "abnormal_state.json"

ACCEPTANCE_TEST_CONFIG = yaml.safe_load((CONNECTOR_ROOT / "acceptance-test-config.yml").read_text())
BASIC_READ = ACCEPTANCE_TEST_CONFIG["acceptance_tests"]["basic_read"]["tests"][0]
# basic_read's `empty_streams`: streams whose full read may return no record (each with its reason).
EMPTY_STREAMS = {stream["name"] for stream in BASIC_READ.get("empty_streams") or []}

# The keys of acceptance-test-config.yml entries that only CAT reads, per section. The CDK standard suite
# fails collection on them; it is handed the file without them (TestSourceTempoStandardSuite), and the
# CAT checks they configure run below. Any other unknown key, a misspelt one say, still fails collection.
CAT_ONLY_KEYS = {
    "spec": {"auth_default_method"},  # the bypass of CAT's test_oauth_is_default_method
    "basic_read": {"expect_records"},  # test_full_read_returns_the_expected_records
}

CONFIG_PORT = 18765  # the port the static config files name
SANDBOX_PORT = int(os.environ.get("TEMPO_SANDBOX_PORT") or CONFIG_PORT)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

NO_IMAGE_REASON = (
    "the CDK's image tests build the connector image from metadata.yaml, which source-tempo does not have; "
    "the standard tests run in-process here, and integration_tests/test_docker_image.py tests the image"
)


def without_cat_only_keys(acceptance_test_config: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the config whose entries lack the `CAT_ONLY_KEYS` of their section."""
    sections = {}
    for section, tests in acceptance_test_config["acceptance_tests"].items():
        dropped = CAT_ONLY_KEYS.get(section, set())
        if isinstance(tests, Mapping) and isinstance(tests.get("tests"), list):
            entries = [{k: v for k, v in entry.items() if k not in dropped} for entry in tests["tests"]]
            tests = {**tests, "tests": entries}
        sections[section] = tests
    return {**acceptance_test_config, "acceptance_tests": sections}


def on_sandbox_port(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config with a local `api_url` moved to the port the sandbox listens on."""
    config = dict(config)
    url = config.get("api_url")
    if SANDBOX_PORT != CONFIG_PORT and isinstance(url, str):
        parts = urlsplit(url)
        if parts.hostname in LOCAL_HOSTS:
            config["api_url"] = urlunsplit(parts._replace(netloc=f"{parts.hostname}:{SANDBOX_PORT}"))
    return config


def load_config(path: Path) -> dict[str, Any]:
    return on_sandbox_port(json.loads(path.read_text()))


@pytest.fixture(scope="session", autouse=True)
def acceptance_sandbox() -> Iterator[TempoSandbox]:
    """The sandbox the static configs point at, for every test of this module."""
    sandbox = TempoSandbox(worklogs=SANDBOX_WORKLOGS, seed=SANDBOX_SEED, port=SANDBOX_PORT)
    try:
        sandbox.start()
    except OSError as error:
        pytest.fail(
            f"cannot start the Tempo sandbox on 127.0.0.1:{SANDBOX_PORT} ({error}); free the port or set "
            "TEMPO_SANDBOX_PORT to a free one"
        )
    try:
        yield sandbox
    finally:
        sandbox.stop()


# ---------------------------------------------------------------------------------------------
# The CDK standard suite
# ---------------------------------------------------------------------------------------------
def _skip_image_tests(cls: type) -> type:
    """Replaces every inherited Docker image test (marked `image_tests`) with a skipped one.

    The CDK skips them only when no docker CLI is installed; with one, they would try to build an
    image from a metadata.yaml this repository does not have, and fail.
    """
    for name in dir(cls):
        test = getattr(cls, name)
        if name.startswith("test_") and any(mark.name == "image_tests" for mark in getattr(test, "pytestmark", [])):

            def skipped(self: Any) -> None:
                pytest.skip(NO_IMAGE_REASON)

            skipped.__name__ = skipped.__qualname__ = name
            skipped.__doc__ = f"Skipped: {NO_IMAGE_REASON}"
            setattr(cls, name, pytest.mark.image_tests(pytest.mark.skip(reason=NO_IMAGE_REASON)(skipped)))
    return cls


@_skip_image_tests
class TestSourceTempoStandardSuite(SourceTestSuiteBase):
    """spec, check, discover and full-refresh read of SourceTempo, per acceptance-test-config.yml."""

    connector_name = "source-tempo"  # the CDK would use the folder's name (this checkout's)

    @classmethod
    def get_connector_root_dir(cls) -> Path:
        return CONNECTOR_ROOT

    @classproperty
    def acceptance_test_config(cls) -> dict[str, Any]:
        """acceptance-test-config.yml as the CDK suite reads it: without the `CAT_ONLY_KEYS` of its entries."""
        return without_cat_only_keys(ACCEPTANCE_TEST_CONFIG)

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        scenarios = super().get_scenarios()
        if SANDBOX_PORT == CONFIG_PORT:
            return scenarios
        moved = []
        for scenario in scenarios:
            config = scenario.get_config_dict(connector_root=CONNECTOR_ROOT, empty_if_missing=True)
            moved.append(scenario.model_copy(update={"config_dict": on_sandbox_port(config)}) if config else scenario)
        return moved

    @classmethod
    def create_connector(cls, scenario: ConnectorTestScenario | None) -> SourceTempo:
        """SourceTempo built as its entrypoint builds it: with the config it will be run with."""
        config = scenario.get_config_dict(connector_root=CONNECTOR_ROOT, empty_if_missing=True) if scenario else {}
        return SourceTempo(config=config or None)

    def test_config_matches_spec(self, scenario: ConnectorTestScenario) -> None:
        """The CDK's test, minus a CDK 7.39.1 bug: `run_test_job` passes `--catalog <the scenario's
        configured_catalog_path>` to every verb but check/discover, `spec` included, and `spec` exits
        with "unrecognized arguments: --catalog" (SystemExit 2). A config listed under `spec` and a read
        section with a catalog (ours) always hits it, so the catalog is dropped for this spec-only test."""
        super().test_config_matches_spec(scenario.model_copy(update={"configured_catalog_path": None}))


def test_the_standard_suite_collects_every_section() -> None:
    """acceptance-test-config.yml, less its CAT-only keys, parses (no key the CDK rejects) into the scenarios
    we mean; the file itself sets exactly those keys, so dropping them is needed and hides nothing else."""
    raw_problems = [
        problem
        for section in SCENARIO_SECTIONS  # the sections the suite collects (not `incremental`)
        for entry in ACCEPTANCE_TEST_CONFIG["acceptance_tests"][section]["tests"]
        for problem in entry_key_problems(entry, (section,))
    ]
    assert {re.match(r"`(\w+)`", problem).group(1) for problem in raw_problems} == set().union(*CAT_ONLY_KEYS.values())
    assert len(raw_problems) == sum(map(len, CAT_ONLY_KEYS.values()))  # each set once, in its section

    scenarios = {scenario.id: scenario for scenario in TestSourceTempoStandardSuite.get_scenarios()}
    assert sorted(scenarios) == ["invalid_config", "sample_config"]
    sample, invalid = scenarios["sample_config"], scenarios["invalid_config"]
    assert set(sample.sections) == {"spec", "connection", "discovery", "basic_read", "full_refresh"}
    assert sample.status == "succeed" and sample.commands == {"spec", "check", "discover", "read"}
    # basic_read names no catalog (CAT's rule at `high`), so the suite reads every discovered stream
    assert sample.configured_catalog_path is None
    assert {stream.name for stream in sample.empty_streams} == EMPTY_STREAMS
    assert sample.is_basic_read_config and sample.validate_schema and sample.test_strictness_level == "high"
    assert invalid.sections == ("connection",) and invalid.status == "failed"
    assert sample.get_config_dict(connector_root=CONNECTOR_ROOT, empty_if_missing=False)["api_url"] == (
        f"http://127.0.0.1:{SANDBOX_PORT}/4"
    )
    image_tests = [name for name in dir(TestSourceTempoStandardSuite) if name.startswith("test_docker_image")]
    assert len(image_tests) >= 6
    for name in image_tests:
        marks = {mark.name for mark in getattr(getattr(TestSourceTempoStandardSuite, name), "pytestmark", [])}
        assert {"skip", "image_tests"} <= marks, f"{name} is not skipped"


# ---------------------------------------------------------------------------------------------
# What CAT checked and the CDK 7.39 suite does not
# ---------------------------------------------------------------------------------------------
StreamRecords = dict[str, Counter]


def canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def records_by_stream(records: Iterable[tuple[str, Mapping[str, Any]]]) -> StreamRecords:
    """stream -> multiset of records (as canonical JSON): order-insensitive, duplicates count."""
    by_stream: StreamRecords = defaultdict(Counter)
    for stream, data in records:
        by_stream[stream][canonical(data)] += 1
    return dict(by_stream)


def read_records(result: Run) -> StreamRecords:
    return records_by_stream((m["record"]["stream"], m["record"]["data"]) for m in result.of_type("RECORD"))


def assert_same_records(actual: StreamRecords, expected: StreamRecords, what: str) -> None:
    """Per stream: the same records, each as many times. A failure names records by primary key."""
    problems = []
    for stream in sorted(set(actual) | set(expected)):
        got, want = actual.get(stream, Counter()), expected.get(stream, Counter())
        if got == want:
            continue
        key = PRIMARY_KEYS.get(stream, "id")
        missing, extra = want - got, got - want
        keys = [json.loads(record).get(key) for record in list(missing)[:5]]
        extra_keys = [json.loads(record).get(key) for record in list(extra)[:5]]
        problems.append(
            f"{stream}: {sum(got.values())} records, expected {sum(want.values())}; "
            f"{sum(missing.values())} expected but not read (e.g. {key} {keys}), "
            f"{sum(extra.values())} read but not expected (e.g. {key} {extra_keys})"
        )
    assert not problems, f"{what}:\n" + "\n".join(problems)


def assert_read_succeeded(result: Run) -> None:
    assert result.returncode == 0 and not result.errors(), (
        f"exit code {result.returncode}, errors {result.errors()}, stderr {result.stderr[-2000:]}"
    )


def full_refresh(catalog: dict) -> dict:
    """The catalog with every stream in full_refresh/overwrite mode."""
    streams = []
    for configured in catalog["streams"]:
        configured = {k: v for k, v in configured.items() if k != "cursor_field"}
        streams.append({**configured, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"})
    return {**catalog, "streams": streams}


def incremental_only(catalog: dict) -> dict:
    return {**catalog, "streams": [s for s in catalog["streams"] if s["sync_mode"] == "incremental"]}


@pytest.fixture(scope="module")
def connector(tmp_path_factory: pytest.TempPathFactory) -> Connector:
    return Connector(tmp_path_factory.mktemp("acceptance"), load_config(SAMPLE_CONFIG))


@pytest.fixture(scope="module")
def configured_catalog() -> dict:
    return json.loads(CONFIGURED_CATALOG.read_text())


@pytest.fixture(scope="module")
def basic_read(connector: Connector, configured_catalog: dict) -> Run:
    """A read with integration_tests/configured_catalog.json as given and no state: every record."""
    result = connector.read(configured_catalog)
    assert_read_succeeded(result)
    return result


@pytest.fixture(scope="module")
def discovered_schemas(connector: Connector) -> dict[str, dict]:
    result = connector.discover()
    assert result.returncode == 0 and result.of_type("CATALOG"), result.stderr[-2000:]
    return {stream["name"]: stream["json_schema"] for stream in result.of_type("CATALOG")[0]["catalog"]["streams"]}


def test_acceptance_config_meets_cat_high_strictness(discovered_schemas: dict[str, dict]) -> None:
    """What CAT refuses at `test_strictness_level: high`, checked on acceptance-test-config.yml: basic_read reads
    the discovered catalog (no custom one) less `empty_streams`, each with a reason, and expects records of every
    other discovered stream from a file; incremental has a future state; a bypassed test says why."""
    tests = ACCEPTANCE_TEST_CONFIG["acceptance_tests"]
    assert ACCEPTANCE_TEST_CONFIG["test_strictness_level"] == "high"
    assert {"spec", "connection", "discovery", "basic_read", "full_refresh", "incremental"} <= set(tests)
    for entry in tests["basic_read"]["tests"]:
        assert "configured_catalog_path" not in entry and entry.get("validate_schema", True)
        assert all(stream.get("bypass_reason") for stream in entry.get("empty_streams") or [])
        expect = entry["expect_records"]
        assert set(expect) <= {"path", "exact_order", "bypass_reason"} and "bypass_reason" not in expect
        assert CONNECTOR_ROOT / expect["path"] == EXPECTED_RECORDS
    expected_streams = {json.loads(line)["stream"] for line in EXPECTED_RECORDS.read_text().splitlines() if line}
    assert expected_streams == set(discovered_schemas) - EMPTY_STREAMS
    for entry in tests["incremental"]["tests"]:
        assert (CONNECTOR_ROOT / entry["future_state"]["future_state_path"]).exists()

    # CAT's test_oauth_is_default_method wants OAuth as the first `credentials` option; it is the second, so the
    # test is bypassed, with its reason.
    spec = run(["spec"]).of_type("SPEC")[0]["spec"]
    first_option = spec["connectionSpecification"]["properties"]["credentials"]["oneOf"][0]
    assert first_option["properties"]["auth_type"]["const"] != spec["advanced_auth"]["predicate_value"]
    bypass = tests["spec"]["tests"][0]["auth_default_method"]
    assert bypass["oauth"] is False and bypass["bypass_reason"].strip()


def test_spec_is_the_manifest_spec_block() -> None:
    """CAT spec `spec_path: source_tempo/manifest.yaml`: the spec the connector prints equals the manifest's
    `spec` block (its connection specification, documentation URL and advanced_auth), nothing filled in."""
    (entry,) = ACCEPTANCE_TEST_CONFIG["acceptance_tests"]["spec"]["tests"]
    block = yaml.safe_load((CONNECTOR_ROOT / entry["spec_path"]).read_text())["spec"]
    printed = run(["spec"]).of_type("SPEC")[0]["spec"]
    assert printed.pop("supportsNormalization", False) is False and printed.pop("supportsDBT", False) is False
    assert printed == {
        "connectionSpecification": block["connection_specification"],
        "documentationUrl": block["documentation_url"],
        "advanced_auth": block["advanced_auth"],
    }


def test_full_read_returns_the_expected_records(basic_read: Run, configured_catalog: dict) -> None:
    """CAT basic_read `expect_records`: the records equal integration_tests/expected_records.jsonl.

    Compared per stream as multisets of `data`, ignoring order and `emitted_at`, leaving out the records whose
    presence depends on the day of the read (`same_on_any_day`). Regenerate the file with
    `python -m integration_tests.regenerate_expected_records` when the data set changes on purpose.
    """
    assert CONNECTOR_ROOT / BASIC_READ["expect_records"]["path"] == EXPECTED_RECORDS
    lines = [json.loads(line) for line in EXPECTED_RECORDS.read_text().splitlines() if line.strip()]
    assert all(set(line) == {"stream", "data", "emitted_at"} for line in lines)
    expected = records_by_stream((line["stream"], line["data"]) for line in lines)
    assert sorted(expected) == sorted(
        s["stream"]["name"] for s in configured_catalog["streams"] if s["stream"]["name"] not in EMPTY_STREAMS
    )
    assert sum(expected["worklogs"].values()) == SANDBOX_WORKLOGS
    read = records_by_stream(
        (m["record"]["stream"], m["record"]["data"])
        for m in basic_read.of_type("RECORD")
        if same_on_any_day(m["record"]["stream"], m["record"]["data"])
    )
    assert_same_records(read, expected, "the full read differs from expected_records.jsonl")


def test_two_full_refreshes_return_identical_records(connector: Connector, configured_catalog: dict) -> None:
    """CAT full_refresh: two consecutive full-refresh reads return the same records."""
    catalog = full_refresh(configured_catalog)
    first = connector.read(catalog)
    assert_read_succeeded(first)
    second = connector.read(catalog)
    assert_read_succeeded(second)
    first_records = read_records(first)
    assert set(first_records) >= {
        s["stream"]["name"] for s in catalog["streams"] if s["stream"]["name"] not in EMPTY_STREAMS
    }
    assert_same_records(read_records(second), first_records, "the second full refresh differs from the first")


def _parsed_state_values(states: list[dict], cursor: str) -> list[datetime]:
    """The cursor value of each state: at the top, or the oldest one of a per-partition state (per team)."""
    values = []
    for state in states:
        stream_state = state["stream"].get("stream_state") or {}
        found = [stream_state.get(cursor), (stream_state.get("state") or {}).get(cursor)]
        found += [entry["cursor"].get(cursor) for entry in stream_state.get("states") or []]
        found = [value for value in found if value]
        if found:
            values.append(min(datetime.fromisoformat(v.replace("Z", "+00:00")).replace(tzinfo=None) for v in found))
    return values


def test_incremental_read_from_abnormal_state_returns_nothing(connector: Connector, configured_catalog: dict) -> None:
    """CAT incremental `future_state`: from a state in 2100, no records, and no stream's state moves back."""
    abnormal = json.loads(ABNORMAL_STATE.read_text())
    catalog = incremental_only(configured_catalog)
    cursors = {s["stream"]["name"]: s["cursor_field"][0] for s in catalog["streams"]}
    assert list(cursors) == [
        "worklogs",
        "plans",
        "timesheet-approvals",
        "worklog-deletions",
        "user-schedules",
        "timesheet-approval-logs",
        "plan-days",
        "worklog-attribute-values",
    ]
    assert sorted(state["stream"]["stream_descriptor"]["name"] for state in abnormal) == sorted(cursors)

    result = connector.read(catalog, state=abnormal)

    assert_read_succeeded(result)
    assert result.records() == []
    for stream, cursor in cursors.items():
        given = _parsed_state_values(
            [s for s in abnormal if s["stream"]["stream_descriptor"]["name"] == stream], cursor
        )
        assert len(given) == 1 and given[0].year == 2100, stream
        states = result.states(stream)
        assert states, f"the read emitted no {stream} state"
        emitted = _parsed_state_values(states, cursor)
        assert len(emitted) == len(states), f"{stream} states without {cursor}: {states}"
        assert all(value >= given[0] for value in emitted), f"the {stream} state moved back: {states}"


# jsonschema checks `date-time` only when the optional rfc3339-validator is installed (it is not
# here), so both temporal formats are checked explicitly, strictly (RFC 3339 full-date/date-time).
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
RECORD_FORMATS = FormatChecker(formats=())


@RECORD_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_FULL_DATE.match(value)) and date.fromisoformat(value) is not None


@RECORD_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


# Like the CDK's read check: 1.0 is not an integer for a destination, True is not one either.
StrictDraft7Validator = validators.extend(
    Draft7Validator,
    type_checker=Draft7Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)


def test_the_format_checker_is_strict() -> None:
    schema = {"properties": {"d": {"type": "string", "format": "date"}, "t": {"type": "string", "format": "date-time"}}}
    validator = StrictDraft7Validator(schema, format_checker=RECORD_FORMATS)
    assert validator.is_valid({"d": "2024-02-29", "t": "2024-02-29T23:59:59Z"})
    assert validator.is_valid({"t": "2024-02-29T23:59:59.123+02:00"})
    for bad in ({"d": "2023-02-29"}, {"d": "2024-1-01"}, {"t": "2024-01-01 10:00:00Z"}, {"t": "2024-01-01T10:00:00"}):
        assert not validator.is_valid(bad), bad


def test_records_match_discovered_schemas(basic_read: Run, discovered_schemas: dict[str, dict]) -> None:
    """CAT basic_read schema validation: every record of a full read validates against its stream's schema
    from discover (Draft 7, strict integers, strict date and date-time formats)."""
    formats = {stream: json.dumps(schema).count('"format"') for stream, schema in discovered_schemas.items()}
    assert formats["worklogs"] >= 4, "the worklogs schema no longer declares its date/date-time formats"
    validators_by_stream = {
        stream: StrictDraft7Validator(schema, format_checker=RECORD_FORMATS)
        for stream, schema in discovered_schemas.items()
    }
    for schema in discovered_schemas.values():
        Draft7Validator.check_schema(schema)

    failures: dict[str, list[str]] = defaultdict(list)
    counts: Counter = Counter()
    for message in basic_read.of_type("RECORD"):
        stream, data = message["record"]["stream"], message["record"]["data"]
        counts[stream] += 1
        assert stream in validators_by_stream, f"records of undiscovered stream {stream!r}"
        for error in validators_by_stream[stream].iter_errors(data):
            key = PRIMARY_KEYS.get(stream, "id")
            failures[stream].append(
                f"{key}={data.get(key)} at {'/'.join(map(str, error.absolute_path)) or '<record>'}: {error.message}"
            )
    assert set(discovered_schemas) >= set(counts) >= set(discovered_schemas) - EMPTY_STREAMS, (
        f"streams without records: {set(discovered_schemas) - EMPTY_STREAMS - set(counts)}"
    )
    assert not failures, "records not matching their schema:\n" + "\n".join(
        f"{stream}: {len(errors)} errors, e.g. {errors[:5]}" for stream, errors in failures.items()
    )


def test_outputs_never_contain_the_token(connector: Connector, basic_read: Run, tmp_path: Path) -> None:
    """No command prints the api_token: spec, check (valid and invalid token), discover, read.

    The CDK suite's own leak check searches only secrets of 8+ characters that contain a digit, so it
    never looks for `sandbox-token`; this test looks for both tokens verbatim and JSON-escaped.
    """
    valid_token = load_config(SAMPLE_CONFIG)["api_token"]
    invalid_config = load_config(INVALID_CONFIG)
    invalid_token = invalid_config["api_token"]
    assert valid_token != invalid_token
    invalid = Connector(tmp_path, invalid_config)

    spec = run(["spec"])
    assert spec.of_type("SPEC"), spec.stderr[-2000:]
    check = connector.check()
    assert check.of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"
    failed_check = invalid.check()
    status = failed_check.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED" and "401" in status["message"]
    discover = connector.discover()
    assert discover.of_type("CATALOG"), discover.stderr[-2000:]

    runs = {"spec": spec, "check": check, "check (invalid token)": failed_check, "discover": discover}
    runs["read"] = basic_read
    leaks = [
        f"{name} printed {label}"
        for name, result in runs.items()
        for label, token in (("the valid token", valid_token), ("the invalid token", invalid_token))
        for form in {token, json.dumps(token)[1:-1]}
        if form in result.stdout or form in result.stderr
    ]
    assert not leaks, leaks
