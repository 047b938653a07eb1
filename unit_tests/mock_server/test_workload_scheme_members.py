"""workload-scheme-members: GET /workload-schemes/{id}/members for every workload scheme, offset/limit paging.

Each record gains `schemeId`: a user's membership is identified by the scheme and the accountId together.
workload-schemes is read once when both streams are selected."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.reporting_builders import user, workload_scheme_members_request
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, error_response, workload_scheme

_STREAM = "workload-scheme-members"


def _page(scheme_id: int, *account_ids: str, limit: int = 1000, offset: int = 0) -> TempoPageBuilder:
    page = TempoPageBuilder(f"workload-schemes/{scheme_id}/members").with_limit(limit).with_offset(offset)
    return page.with_records(user(account_id) for account_id in account_ids)


def _given_schemes(http_mocker: HttpMocker, *scheme_ids: int, limit: int = 1000):
    request = TempoRequestBuilder.workload_schemes_endpoint().with_limit(limit).build()
    records = [workload_scheme(scheme_id) for scheme_id in scheme_ids]
    http_mocker.get(request, TempoPageBuilder.workload_schemes().with_records(records).build())
    return request


def test_members_of_every_scheme_carry_the_scheme_id(http_mocker: HttpMocker) -> None:
    _given_schemes(http_mocker, 1, 4)
    http_mocker.get(workload_scheme_members_request(1), _page(1, "a1", "a2").build())
    http_mocker.get(workload_scheme_members_request(4), _page(4, "a3").build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    members = sorted((record["schemeId"], record["accountId"]) for record in records_of(output, _STREAM))
    assert members == [(1, "a1"), (1, "a2"), (4, "a3")]
    assert records_of(output, _STREAM)[0]["self"].endswith("accountId=a1")


def test_members_of_one_scheme_are_paged_by_offset(http_mocker: HttpMocker) -> None:
    _given_schemes(http_mocker, 1, limit=2)
    http_mocker.get(workload_scheme_members_request(1, 2), _page(1, "a1", "a2", limit=2).with_next_page().build())
    http_mocker.get(workload_scheme_members_request(1, 2, offset=2), _page(1, "a3", limit=2, offset=2).build())

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert [record["accountId"] for record in records_of(output, _STREAM)] == ["a1", "a2", "a3"]


def test_a_scheme_deleted_during_the_sync_is_skipped(http_mocker: HttpMocker) -> None:
    _given_schemes(http_mocker, 1, 2)
    http_mocker.get(
        workload_scheme_members_request(1), error_response(404, "Workload scheme cannot be found in the system")
    )
    http_mocker.get(workload_scheme_members_request(2), _page(2, "a9").build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert [record["accountId"] for record in records_of(output, _STREAM)] == ["a9"]
    assert output.is_in_logs("Stream workload-scheme-members: Tempo answered 404 Not Found")


def test_workload_schemes_are_read_once_for_both_streams(http_mocker: HttpMocker) -> None:
    schemes = _given_schemes(http_mocker, 1)
    http_mocker.get(workload_scheme_members_request(1), _page(1, "a1").build())

    output = read_streams(ConfigBuilder().build(), "workload-schemes", _STREAM)

    assert_no_errors(output)
    assert len(records_of(output, "workload-schemes")) == 1 and len(records_of(output, _STREAM)) == 1
    http_mocker.assert_number_of_calls(schemes, 1)
