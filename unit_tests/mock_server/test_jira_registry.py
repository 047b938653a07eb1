"""The Jira enrichment's Python on its own (source_tempo/components/jira.py): the compact id ranges of the
jira-issues state, the bounded cache, each id asked once while threads share it, the Jira streams waiting
for the Tempo streams of the sync, and an unreachable Jira named by `jira.site_url`."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tempo.components.jira import JiraDirectory, JiraSync, decode_ids, encode_ids, send


class _Jira:
    """A bulkfetch requester that answers every id but `missing`, slowly, counting what it was asked."""

    def __init__(self, missing: frozenset[str] = frozenset(), delay: float = 0.0) -> None:
        self.asked: list[list[str]] = []
        self.missing, self.delay = missing, delay
        self._lock = threading.Lock()

    def send_request(self, path: str, request_body_json: dict[str, Any]) -> Any:
        ids = request_body_json["issueIdsOrKeys"]
        with self._lock:
            self.asked.append(list(ids))
        time.sleep(self.delay)
        issues = [{"id": i, "key": f"K-{i}", "fields": {"summary": i}} for i in ids if i not in self.missing]
        return _Response({"issues": issues, "issueErrors": []})


class _Response:
    def __init__(self, body: dict) -> None:
        self._body, self.url = body, "https://site/rest/api/3/issue/bulkfetch"

    def json(self) -> dict:
        return self._body


def test_ids_are_kept_as_ranges_and_read_back() -> None:
    ids = {10000, 10001, 10002, 10005, 10007, 10008}
    assert encode_ids(ids) == "10000-10002,10005,10007-10008"
    assert decode_ids(encode_ids(ids)) == ids
    assert decode_ids(encode_ids(range(10000, 15000))) == set(range(10000, 15000))
    assert len(encode_ids(range(10000, 15000))) == len("10000-14999")
    assert decode_ids(None) == set() and decode_ids("x,12,3-") == {12}


def test_each_id_is_asked_once_in_bulk_and_a_missing_one_is_remembered() -> None:
    jira, directory = _Jira(missing=frozenset({"3"})), JiraDirectory()
    ids = [str(i) for i in range(1, 251)]

    first = directory.issues(ids, jira)
    again = directory.issues(["1", "3", "250"], jira)

    assert [len(chunk) for chunk in jira.asked] == [100, 100, 50]
    assert first["3"] is None and first["1"]["key"] == "K-1"
    assert again == {"1": first["1"], "3": None, "250": first["250"]}


def test_threads_asking_the_same_ids_share_one_request() -> None:
    jira, directory = _Jira(delay=0.2), JiraDirectory()
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(directory.issues(["7", "8"], jira))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert jira.asked == [["7", "8"]]
    assert len(results) == 4 and all(result["8"]["key"] == "K-8" for result in results)


def test_the_cache_is_bounded_and_an_evicted_issue_is_asked_again() -> None:
    jira, directory = _Jira(), JiraDirectory(size=100)
    found = directory.issues([str(i) for i in range(300)], jira)
    assert len(found) == 300 and found["0"]["key"] == "K-0"  # a lookup larger than the cache gets every answer
    assert len(jira.asked) == 3  # once each
    assert len(directory._issues.items) == 100  # the bound, whatever the number of ids

    directory.issues(["0", "299"], jira)

    assert jira.asked[-1] == ["0"] and len(jira.asked) == 4  # 299 was still cached


@pytest.mark.timeout(10)
def test_jira_streams_wait_until_every_selected_tempo_stream_has_ended() -> None:
    sync = JiraSync()
    sync.begin(["worklogs", "teams"], previous_state=None)
    waited = threading.Event()
    waiter = threading.Thread(target=lambda: (sync.wait_for_tempo(), waited.set()))
    waiter.start()

    sync.note_record("worklogs", {"issue": {"id": 124}, "author": {"accountId": "a-1"}})
    sync.note_record("teams", {"lead": {"accountId": "a-2"}, "members": [{"user": {"accountId": "a-3"}}]})
    sync.stream_done("worklogs")
    assert not waited.wait(0.3)
    sync.stream_done("teams")

    assert waited.wait(5)
    assert sync.issue_ids == {124} and sync.account_ids == {"a-1", "a-2", "a-3"}


class _Unreachable:
    config = {"jira": {"site_url": "https://down.atlassian.net/", "email": "a@b.c", "api_token": "jira-secret-1"}}

    def __init__(self, error: Exception) -> None:
        self.error = error

    def send_request(self, **request: Any) -> Any:
        raise self.error


@pytest.mark.parametrize(
    "error, cause",
    [
        (requests.ConnectionError("Connection refused"), "ConnectionError"),
        (
            AirbyteTracedException(
                message="Exhausted available request attempts.",
                internal_message="Exception: ConnectionError: [Errno 111] Connection refused",
            ),
            "Connection refused",
        ),
    ],
)
def test_an_unreachable_jira_is_named_by_its_site_url(error: Exception, cause: str) -> None:
    with pytest.raises(AirbyteTracedException) as raised:
        send(_Unreachable(error), path="myself")

    assert raised.value.message.startswith(
        f"Could not reach Jira at `jira.site_url` (https://down.atlassian.net): {cause}, also after the retries."
    )


def test_jiras_own_answers_pass_as_they_are() -> None:
    refused = AirbyteTracedException(message="Jira refused the `jira` credentials (HTTP 401, https://x)")
    with pytest.raises(AirbyteTracedException) as raised:
        send(_Unreachable(refused), path="myself")
    assert raised.value is refused


def test_retries_used_up_on_jiras_answers_fail_with_the_manifests_message() -> None:
    exhausted = AirbyteTracedException(
        message="Exhausted available request attempts. Please see logs for more details.",
        internal_message="Exhausted available request attempts. Exception: Jira answered with a server error at x",
    )
    with pytest.raises(AirbyteTracedException) as raised:
        send(_Unreachable(exhausted), path="myself")
    assert raised.value.message == "Jira answered with a server error at x"
