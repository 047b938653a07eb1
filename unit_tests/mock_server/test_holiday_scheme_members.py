"""holiday-scheme-members: GET /holiday-schemes/{id}/members for every holiday scheme, offset/limit paging.

Each record gains `schemeId`: a user's membership is identified by the scheme and the accountId together.
"""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import (
    TempoPageBuilder,
    TempoResultsBuilder,
    error_response,
    holiday_scheme,
    scheme_member,
)

_STREAM = "holiday-scheme-members"


def _members_request(scheme_id: int, limit: int = 1000, offset: int | None = None):
    request = TempoRequestBuilder.holiday_scheme_members_endpoint(scheme_id).with_limit(limit)
    return (request.with_offset(offset) if offset is not None else request).build()


def _page(scheme_id: int, *account_ids: str, limit: int = 1000, offset: int = 0) -> TempoPageBuilder:
    page = TempoPageBuilder(f"holiday-schemes/{scheme_id}/members").with_limit(limit).with_offset(offset)
    return page.with_records(scheme_member(account_id) for account_id in account_ids)


def _given_schemes(http_mocker: HttpMocker, *scheme_ids: int) -> None:
    records = [holiday_scheme(scheme_id) for scheme_id in scheme_ids]
    http_mocker.get(
        TempoRequestBuilder.holiday_schemes_endpoint().build(),
        TempoResultsBuilder("holiday-schemes").with_records(records).build(),
    )


def test_members_of_every_scheme_carry_the_scheme_id(http_mocker: HttpMocker) -> None:
    _given_schemes(http_mocker, 1, 4)
    http_mocker.get(_members_request(1), _page(1, "a1", "a2").build())
    http_mocker.get(_members_request(4), _page(4, "a3").build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    members = sorted((record["schemeId"], record["accountId"]) for record in records_of(output, _STREAM))
    assert members == [(1, "a1"), (1, "a2"), (4, "a3")]


def test_members_of_one_scheme_are_paged_by_offset(http_mocker: HttpMocker) -> None:
    _given_schemes(http_mocker, 1)
    http_mocker.get(_members_request(1, 2), _page(1, "a1", "a2", limit=2).with_next_page().build())
    http_mocker.get(_members_request(1, 2, offset=2), _page(1, "a3", limit=2, offset=2).build())

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert [record["accountId"] for record in records_of(output, _STREAM)] == ["a1", "a2", "a3"]


def test_a_scheme_deleted_during_the_sync_is_skipped(http_mocker: HttpMocker) -> None:
    _given_schemes(http_mocker, 1, 2)
    http_mocker.get(_members_request(1), error_response(404, "Holiday scheme cannot be found in the system"))
    http_mocker.get(_members_request(2), _page(2, "a9").build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert [record["accountId"] for record in records_of(output, _STREAM)] == ["a9"]
    assert output.is_in_logs("Stream holiday-scheme-members: Tempo answered 404 Not Found")
