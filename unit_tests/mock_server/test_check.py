"""check: the core stream (worklogs) must be readable; every other stream is probed once and a 403 is logged,
not failed on. See SourceTempo.check."""

from __future__ import annotations

from airbyte_cdk.models import Level, Status
from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import run_check
from unit_tests.mock_server.config import API_TOKEN, ConfigBuilder
from unit_tests.mock_server.probes import mock_check, probe_requests
from unit_tests.mock_server.response_builder import error_response


def _status(output):
    return output.connection_status_messages[-1].connectionStatus


def _warnings(output):
    return [m.log.message for m in output.logs if m.log.level == Level.WARN]


def test_check_reads_one_worklog_and_probes_every_other_stream_once(http_mocker: HttpMocker) -> None:
    probes = mock_check(http_mocker)

    output = run_check(ConfigBuilder().build())

    assert _status(output).status == Status.SUCCEEDED
    assert _warnings(output) == []
    for request in probes:
        http_mocker.assert_number_of_calls(request, 1)


def test_check_succeeds_and_logs_the_streams_the_token_cannot_read(http_mocker: HttpMocker) -> None:
    forbidden = error_response(403, "Forbidden")
    mock_check(http_mocker, answers={"skills": forbidden, "periods": forbidden})

    output = run_check(ConfigBuilder().build())

    status = _status(output)
    assert status.status == Status.SUCCEEDED
    assert "skills" in status.message and "periods" in status.message and "403" in status.message
    warnings = _warnings(output)
    assert len(warnings) == 2
    assert any("Stream skills" in w and "permission or scope" in w and "/4/skills" in w for w in warnings)
    assert any("Stream periods" in w and "permission or scope" in w for w in warnings)
    assert API_TOKEN not in str(warnings) + status.message


def test_check_fails_when_the_token_cannot_read_worklogs(http_mocker: HttpMocker) -> None:
    mock_check(http_mocker, core=error_response(403, "Forbidden"), with_probes=False)  # no probe after a failure

    output = run_check(ConfigBuilder().build())

    status = _status(output)
    assert status.status == Status.FAILED
    assert "Stream worklogs" in status.message and "permission or scope" in status.message


def test_probes_ignore_answers_other_than_403(http_mocker: HttpMocker) -> None:
    mock_check(http_mocker, answers={"generic-resources": error_response(400, "Bad request")})

    output = run_check(ConfigBuilder().build())

    assert _status(output).status == Status.SUCCEEDED
    assert _warnings(output) == []


def test_every_top_level_stream_outside_the_check_is_probed() -> None:
    """A stream added to the manifest must be added to the probes too (children need a parent's id, and a stream
    that sends another one's requests is probed by that one's probe: not probed; the Jira streams' check is Jira's
    /myself, see test_jira_check.py)."""
    from source_tempo import SourceTempo
    from source_tempo.components.jira import JIRA_STREAMS
    from source_tempo.source import SAME_REQUESTS_AS

    manifest = SourceTempo(config=ConfigBuilder().build()).resolved_manifest
    top_level = (
        {s["name"] for s in manifest["streams"] if not (s.get("retriever") or {}).get("partition_router")}
        - set(manifest["check"]["stream_names"])
        - set(SAME_REQUESTS_AS)
        - set(JIRA_STREAMS)
    )
    assert top_level == set(probe_requests())


def test_check_fails_when_tombstones_are_on_and_the_token_cannot_read_the_audit_log(http_mocker: HttpMocker) -> None:
    """Tombstones (on by default) read the audit log in every incremental worklogs sync, which would then fail."""
    mock_check(http_mocker, answers={"worklog-deletions": error_response(403, "Forbidden")})

    output = run_check(ConfigBuilder().build())

    status = _status(output)
    assert status.status == Status.FAILED
    assert "audit log (HTTP 403)" in status.message and "set `worklog_tombstones` to false" in status.message


def test_without_tombstones_an_unreadable_audit_log_is_only_logged(http_mocker: HttpMocker) -> None:
    mock_check(http_mocker, answers={"worklog-deletions": error_response(403, "Forbidden")})

    output = run_check(ConfigBuilder().without_tombstones().build())

    assert _status(output).status == Status.SUCCEEDED
    assert any("Stream worklog-deletions" in warning for warning in _warnings(output))


def _dumps(output) -> list[str]:
    """Log lines that dump a failed request's body or a response's headers (the CDK's HttpClient writes one)."""
    return [m.log.message for m in output.logs if "Request (body)" in m.log.message or "(headers)" in m.log.message]


def test_a_rejected_token_fails_the_check_with_the_advice_alone(http_mocker: HttpMocker) -> None:
    mock_check(http_mocker, core=error_response(401, "Unauthorized"), with_probes=False)

    output = run_check(ConfigBuilder().build())

    status = _status(output)
    assert status.status == Status.FAILED
    # the message itself, not its Python repr in quotes
    assert status.message.startswith("Stream worklogs is not available: Tempo rejected the API token (HTTP 401 at ")
    assert status.message.endswith("set `region` to the cluster of your Tempo site (global, eu or us).")
    assert _dumps(output) == []


def test_a_forbidden_core_stream_fails_the_check_without_dumping_the_request(http_mocker: HttpMocker) -> None:
    mock_check(http_mocker, core=error_response(403, "Forbidden"), with_probes=False)

    output = run_check(ConfigBuilder().build())

    status = _status(output)
    assert status.message.startswith("Stream worklogs is not available: Stream worklogs: the Tempo token lacks")
    assert not status.message.endswith(("'", '"'))
    assert _dumps(output) == []
    assert any("permission or scope" in line for line in _warnings(output))  # the advice stays
