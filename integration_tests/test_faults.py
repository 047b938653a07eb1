"""Network and gateway faults, through the real `source-tempo` CLI against the sandbox (its `http_faults` and the
other switches of SandboxFaults, see sandbox/server.py).

Each case ends one of two ways, within its deadline: a transient fault that a retry gets past delivers exactly
the sandbox's records (whole records, by key) and the state of a clean sync; any other fault fails with exit
code 1 and one clear message. The read timeout is 1 s here (SOURCE_TEMPO_READ_TIMEOUT_SECONDS, documented in
docs/tempo.md) and the sandbox adds `Retry-After: 0` to its fault answers, so retries wait about a second; a
fault without an answer (a stall, a reset) waits the production backoff, 2, 3, 5, 9, 17 s.
"""

from __future__ import annotations

import socket
import time
from collections import Counter

import pytest

from integration_tests.conftest import Auth
from integration_tests.connector_cli import Connector, Run, configured_catalog, sandbox_connector
from integration_tests.test_end_to_end import records_before_last_state
from sandbox import TOKEN_OTHER_REGION

pytestmark = pytest.mark.slow  # each test runs the connector in subprocesses

WORKLOGS = 200
PAGE = 50  # 4 pages of worklogs, 1 of customers (40), 2 of accounts (60)


@pytest.fixture(autouse=True)
def one_second_read_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_TEMPO_READ_TIMEOUT_SECONDS", "1")


@pytest.fixture
def sandbox(sandbox_factory):
    return sandbox_factory(worklogs=WORKLOGS, fault_retry_after=0)


def connector(tmp_path, sandbox, **config) -> Connector:
    return sandbox_connector(tmp_path, sandbox, **{"page_size": PAGE, **config})


def read(conn: Connector, *streams: str, state: list | None = None) -> tuple[Run, float]:
    started = time.monotonic()
    result = conn.read(configured_catalog(streams), state=state)
    return result, time.monotonic() - started


def assert_exact(result: Run, sandbox, *streams: str) -> None:
    """No error, and every stream delivered exactly the sandbox's records: each key once, each record whole."""
    assert result.returncode == 0 and result.errors() == [], (result.errors(), result.stderr[-2000:])
    expected = {
        "worklogs": ("tempoWorklogId", sandbox.worklogs()),
        "customers": ("id", sandbox.customers()),
        "accounts": ("id", sandbox.accounts()),
    }
    for stream in streams:
        key, records = expected[stream]
        delivered = result.records(stream)
        repeated = [k for k, n in Counter(r[key] for r in delivered).items() if n > 1]
        assert not repeated, f"{stream}: delivered twice: {repeated[:5]}"
        assert {r[key]: r for r in delivered} == {r[key]: r for r in records}, stream
    if "worklogs" in streams:
        newest = max(w["updatedAt"] for w in sandbox.worklogs())
        assert result.states("worklogs")[-1]["stream"]["stream_state"] == {"updatedAt": newest}


def fired(sandbox, kind: str) -> int:
    return sandbox.stats()["faults_fired"].get(kind, 0)


def retry_lines(result: Run) -> list[str]:
    return [line for line in result.logs() if "; retrying in " in line]


def assert_stream_failed(result: Run, stream: str, *parts: str) -> str:
    """Exit code 1, one error of `stream` containing every part, and the sync's last error naming it (a stream's
    failure does not stop the others); no wait was called a rate limit, no log line holds a stack trace."""
    errors = [
        m["trace"]["error"]
        for m in result.of_type("TRACE")
        if m["trace"]["type"] == "ERROR" and (m["trace"]["error"].get("stream_descriptor") or {}).get("name") == stream
    ]
    assert result.returncode == 1 and len(errors) == 1, result.errors()
    message = errors[0]["message"]
    assert all(part in message for part in parts), message
    assert errors[0]["failure_type"] == "transient_error"
    assert result.errors()[-1].startswith(f"The sync did not read 1 stream(s): {stream}.")
    _assert_clean_logs(result)
    return message


def assert_sync_stopped(result: Run, *parts: str) -> str:
    """Exit code 1 and exactly one error trace, containing every part (an error every stream would meet)."""
    errors = result.errors()
    assert result.returncode == 1 and len(errors) == 1, errors
    assert all(part in errors[0] for part in parts), errors[0]
    _assert_clean_logs(result)
    return errors[0]


def _assert_clean_logs(result: Run) -> None:
    assert not [line for line in result.logs() if "Rate limit exceeded" in line or "Traceback" in line]


# --- stalls: no byte for longer than the read timeout ----------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("at", ["headers", "body"])
def test_a_stalled_answer_times_out_and_is_read_again(tmp_path, sandbox, at):
    sandbox.faults.update(
        http_faults=[{"kind": "stall", "path": "/4/worklogs/search", "times": 1, "seconds": 300, "at": at}]
    )

    result, _ = read(connector(tmp_path, sandbox), "worklogs", "customers")

    assert_exact(result, sandbox, "worklogs", "customers")
    assert fired(sandbox, "stall") == 1
    assert retry_lines(result) == [
        f"No answer for 1 s (read timeout) at {sandbox.base_url}/worklogs/search; retrying in 2 s (attempt 2 of 6)."
    ]


@pytest.mark.timeout(60)
def test_every_third_request_stalling_loses_nothing(tmp_path, sandbox):
    sandbox.faults.update(http_faults=[{"kind": "stall", "every": 3, "seconds": 300, "at": "body"}])

    result, _ = read(connector(tmp_path, sandbox), "worklogs", "accounts")

    assert_exact(result, sandbox, "worklogs", "accounts")
    assert fired(sandbox, "stall") >= 2


@pytest.mark.timeout(120)
def test_an_answer_that_never_comes_fails_the_stream_naming_the_url_and_the_silence(tmp_path, sandbox):
    """The one slow case: 6 attempts of 1 s and the production backoff between them (2+3+5+9+17 s)."""
    sandbox.faults.update(http_faults=[{"kind": "stall", "path": "/4/customers", "seconds": 300}])

    result, seconds = read(connector(tmp_path, sandbox), "customers", "accounts")

    message = assert_stream_failed(
        result,
        "customers",
        f"Tempo sent no answer for 1 s at {sandbox.base_url}/customers (read timeout)",
        "6 attempts failed",
    )
    assert "?" not in message.split(" (read timeout)")[0]  # the URL without its query string
    assert {a["id"] for a in result.records("accounts")} == {a["id"] for a in sandbox.accounts()}
    assert fired(sandbox, "stall") == 6
    assert len(retry_lines(result)) == 5
    assert 36 <= seconds < 100


# --- broken bodies: retried like a 5xx ------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "reset"},
        {"kind": "truncate", "honest_length": True},
        {"kind": "truncate", "honest_length": False},
        {"kind": "html_200"},
        {"kind": "gateway", "status": 502},
        {"kind": "gateway", "status": 504},
    ],
    ids=["reset", "truncated", "truncated-length-matches", "html-200", "502-page", "504-page"],
)
def test_a_broken_answer_twice_is_retried_and_nothing_is_lost(tmp_path, sandbox, fault):
    sandbox.faults.update(http_faults=[{**fault, "path": "/4/worklogs/search", "times": 2}])

    result, _ = read(connector(tmp_path, sandbox), "worklogs")

    assert_exact(result, sandbox, "worklogs")
    assert fired(sandbox, fault["kind"]) == 2
    assert len(retry_lines(result)) == 2


@pytest.mark.timeout(60)
def test_a_body_that_stays_broken_fails_naming_the_url_and_what_was_wrong(tmp_path, sandbox):
    """Every window of a first worklogs sync fails the same way: the stream reports it once."""
    sandbox.faults.update(http_faults=[{"kind": "html_200", "path": "/4/worklogs/search"}])

    result, _ = read(connector(tmp_path, sandbox), "worklogs")

    assert_stream_failed(
        result,
        "worklogs",
        f"not valid JSON for {sandbox.base_url}/worklogs/search (HTTP 200, content type 'text/html; charset=utf-8')",
        "an HTML page, likely from a proxy or gateway in between",
        "(6 attempts failed: Tempo sent a body that is not JSON at",
    )
    assert fired(sandbox, "html_200") > 6  # several windows, 6 attempts each


# --- Retry-After ---------------------------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "retry_after", "seconds": 0, "times": 3},
        {"kind": "retry_after", "seconds": 3, "http_date": True, "times": 1},
        {"kind": "retry_after", "seconds": 2, "status": 503, "times": 1},
    ],
    ids=["zero", "http-date", "seconds-503"],
)
def test_retry_after_is_honoured(tmp_path, sandbox, fault):
    sandbox.faults.update(http_faults=[{**fault, "path": "/4/worklogs/search"}])

    result, _ = read(connector(tmp_path, sandbox), "worklogs")

    assert_exact(result, sandbox, "worklogs")
    waits = [int(line.split("; retrying in ")[1].split(" s ")[0]) for line in retry_lines(result)]
    assert len(waits) == fault["times"]
    low = 1 + fault["seconds"] - (1 if fault.get("http_date") else 0)  # an HTTP-date counts whole seconds
    assert all(low <= wait <= 2 + fault["seconds"] for wait in waits), waits


@pytest.mark.timeout(60)
def test_a_huge_retry_after_stops_the_stream_at_once_with_what_was_read_checkpointed(tmp_path, sandbox):
    """Tempo asks for an hour on the third page: no hour of silence; pages 1-2 are kept and the next sync goes on."""
    sandbox.faults.update(
        http_faults=[{"kind": "retry_after", "path": "/4/worklogs/search", "every": 3, "times": 1, "seconds": 3600}]
    )
    conn = connector(tmp_path, sandbox, num_workers=1)

    stopped, seconds = read(conn, "worklogs")

    assert_stream_failed(
        stopped, "worklogs", "Tempo asked to wait 3600 s (Retry-After: 3600, HTTP 429)", "/4/worklogs/search"
    )
    assert seconds < 30
    checkpoint = stopped.states("worklogs")[-1]
    committed = {r["tempoWorklogId"] for r in records_before_last_state(stopped, "worklogs")}
    assert PAGE < len(committed) < WORKLOGS  # two pages (keyset paging reads the last one's anchor again)

    resumed, _ = read(conn, "worklogs", state=[checkpoint])

    assert resumed.returncode == 0, resumed.errors()
    assert committed | {r["tempoWorklogId"] for r in resumed.records("worklogs")} == {
        w["tempoWorklogId"] for w in sandbox.worklogs()
    }


# --- duplicates, compression ---------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_a_record_repeated_at_the_start_of_the_next_page_is_kept_whole_and_nothing_is_lost(tmp_path, sandbox):
    """Offset paging on a changing list repeats a record across pages; the primary key dedupes it downstream.
    The connector must deliver every record, each repeat identical to the first."""
    sandbox.faults.update(duplicate_page_start_paths=["/4/customers", "/4/accounts/search", "/4/worklogs/search"])

    result, _ = read(connector(tmp_path, sandbox, page_size=15), "customers", "accounts", "worklogs")

    assert result.returncode == 0, result.errors()
    repeats = 0
    for stream, key, records in [
        ("customers", "id", sandbox.customers()),
        ("accounts", "id", sandbox.accounts()),
        ("worklogs", "tempoWorklogId", sandbox.worklogs()),
    ]:
        expected = {r[key]: r for r in records}
        delivered = result.records(stream)
        assert {r[key] for r in delivered} == set(expected), stream
        assert all(r == expected[r[key]] for r in delivered), stream
        repeats += len(delivered) - len(expected)
    assert repeats > 0  # the fault was served


@pytest.mark.timeout(60)
def test_gzip_encoded_answers_are_read(tmp_path, sandbox):
    sandbox.faults.update(gzip_paths=["/4/worklogs/search", "/4/customers"])

    result, _ = read(connector(tmp_path, sandbox), "worklogs", "customers")

    assert_exact(result, sandbox, "worklogs", "customers")


# --- an unreachable host, a rejected token: the sync stops at once with one message -------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("cause", ["dns", "refused", "tls"])
def test_an_unreachable_host_fails_the_sync_once_naming_the_cause_and_api_url(tmp_path, sandbox, cause):
    api_url = {
        "dns": "https://tempo.invalid/4",
        "refused": f"http://127.0.0.1:{_closed_port()}/4",
        "tls": f"https://127.0.0.1:{sandbox.port}/4",  # the sandbox speaks plain HTTP
    }[cause]
    expected = {
        "dns": "Could not reach Tempo: DNS name not found: tempo.invalid does not resolve",
        "refused": "Could not reach Tempo: connection refused by 127.0.0.1:",
        "tls": f"Could not reach Tempo: TLS error with 127.0.0.1:{sandbox.port}",
    }[cause]

    result, seconds = read(connector(tmp_path, sandbox, api_url=api_url), "customers", "accounts", "worklogs")

    message = assert_sync_stopped(result, expected, "Check `api_url`", "The sync stopped at this error")
    assert f"{api_url}/" in message and "limit=" not in message
    assert seconds < 30  # no retries


@pytest.mark.timeout(60)
def test_a_rejected_token_stops_the_sync_with_one_short_message(tmp_path, sandbox):
    """Every stream would get the same 401: the first one ends the sync (403s, per stream, do not)."""
    catalog = configured_catalog(
        [
            "customers",
            "accounts",
            "workload-schemes",
            "worklogs",
            "teams",
            "plans",
            "holiday-schemes",
            "holidays",
            "roles",
            "skills",
            "work-attributes",
            "programs",
            "periods",
            "team-memberships",
            "user-schedules",
        ]
    )
    conn = Connector(
        tmp_path, {"api_token": TOKEN_OTHER_REGION, "api_url": sandbox.base_url, "start_date": "2022-01-01"}
    )

    result = conn.read(catalog)

    message = assert_sync_stopped(result, "Tempo rejected the API token (HTTP 401 at", "`region`", "The sync stopped")
    assert len(message) < 400
    # the streams under way when it came got their 401 (at most one per worker: 8 by default); the others were not
    # started (no request at all)
    assert len(sandbox.stats()["by_path"]) <= 8 < len(catalog["streams"]), sandbox.stats()["by_path"]


def oauth_connector(tmp_path, sandbox) -> Connector:
    config = {**Auth("oauth2.0").config(sandbox), "api_url": sandbox.base_url, "start_date": "2022-01-01"}
    return Connector(tmp_path, {**config, "page_size": PAGE})


@pytest.mark.timeout(90)
def test_a_token_endpoint_that_stalls_once_is_asked_again_and_the_sync_completes(tmp_path, sandbox):
    """The CDK sends the OAuth refresh without a timeout: without the connector's, this sync would never end."""
    sandbox.faults.update(http_faults=[{"kind": "stall", "path": "/oauth/token/", "times": 1, "seconds": 300}])

    result, seconds = read(oauth_connector(tmp_path, sandbox), "customers")

    assert_exact(result, sandbox, "customers")
    assert fired(sandbox, "stall") == 1
    assert sandbox.oauth.refresh_calls == 1  # the stalled request never reached the endpoint; the retry did
    assert seconds < 60


@pytest.mark.timeout(90)
def test_a_refresh_answer_lost_after_the_token_rotated_fails_asking_to_authenticate_again(tmp_path, sandbox):
    """Tempo's refresh tokens are single-use: when the answer is lost after Tempo rotated the token, the retry
    can only present the revoked one. The sync ends at once with what to do, instead of hanging."""
    sandbox.faults.update(
        http_faults=[{"kind": "stall", "path": "/oauth/token/", "times": 1, "seconds": 300, "at": "body"}]
    )

    result, seconds = read(oauth_connector(tmp_path, sandbox), "customers")

    assert_sync_stopped(result, "Tempo refused the OAuth refresh token (invalid_grant at", "Authenticate the source")
    assert seconds < 60
