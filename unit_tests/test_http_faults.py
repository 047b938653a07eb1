"""The pieces of source_tempo/components/errors.py on their own; their effect on a sync is in
unit_tests/mock_server/test_network_errors.py and integration_tests/test_faults.py."""

from __future__ import annotations

import email.utils
import time

import pytest

from source_tempo.components.errors import retry_after_seconds, stops_the_sync


@pytest.mark.parametrize(
    "value, low, high",
    [("0", 0, 0), ("7", 7, 7), ("2.5", 2.5, 2.5), ("-3", 0, 0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0, 0)],
    ids=["zero", "seconds", "fraction", "negative", "date-in-the-past"],
)
def test_retry_after_values(value: str, low: float, high: float) -> None:
    assert low <= retry_after_seconds(value) <= high


def test_retry_after_as_a_future_http_date_counts_from_now() -> None:
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 58 <= retry_after_seconds(in_a_minute) <= 60


@pytest.mark.parametrize("value", ["", "soon", "Someday, 99 Nov 20xx"])
def test_an_unreadable_retry_after_leaves_the_wait_to_the_next_strategy(value: str) -> None:
    assert retry_after_seconds(value) is None


@pytest.mark.parametrize(
    "message, stops",
    [
        ("Tempo rejected the API token (HTTP 401 at https://api.tempo.io/4/customers): ...", True),
        ("Could not reach Tempo: DNS name not found: tempo.invalid does not resolve (...)", True),
        ("Stream customers: the Tempo token lacks the permission ... (HTTP 403). ...", False),
        ("Tempo sent no answer for 45 s at https://api.tempo.io/4/customers (read timeout). ...", False),
        (None, False),
    ],
)
def test_only_errors_every_stream_would_meet_stop_the_sync(message, stops: bool) -> None:
    assert stops_the_sync(message) is stops
