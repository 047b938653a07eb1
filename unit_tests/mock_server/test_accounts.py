"""accounts: POST /accounts/search with every status, so ARCHIVED accounts are read too."""

from __future__ import annotations

import pytest
from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, error_messages, ids_of, read_streams
from unit_tests.mock_server.config import REGION_API_URLS, ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, account

_STREAM = "accounts"


def _request(limit: int = 1000, offset: int | None = None) -> TempoRequestBuilder:
    request = TempoRequestBuilder.accounts_endpoint().with_limit(limit)
    return request.with_offset(offset) if offset is not None else request


def test_search_asks_for_open_closed_and_archived_accounts(http_mocker: HttpMocker) -> None:
    request = _request().build()  # body {"statuses": ["OPEN", "CLOSED", "ARCHIVED"]}
    http_mocker.post(
        request,
        TempoPageBuilder.accounts()
        .with_records([account(1, "OPEN"), account(2, "CLOSED"), account(3, "ARCHIVED")])
        .build(),
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]
    assert [record.record.data["status"] for record in output.records] == ["OPEN", "CLOSED", "ARCHIVED"]
    http_mocker.assert_number_of_calls(request, 1)


def test_nested_objects_are_passed_through(http_mocker: HttpMocker) -> None:
    http_mocker.post(_request().build(), TempoPageBuilder.accounts().with_records([account(7)]).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    record = output.records[0].record.data
    assert record["lead"]["accountId"] == "123456:01234567-89ab-cdef-0123-456789abcdef"
    assert record["category"]["type"] == {"name": "BILLABLE"}
    assert record["customer"]["id"] == 234


def test_paging_sends_the_same_body_with_the_next_offset(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_page_size(2).build()
    first, second = _request(2).build(), _request(2, offset=2).build()
    http_mocker.post(
        first, TempoPageBuilder.accounts().with_limit(2).with_records([account(1), account(2)]).with_next_page().build()
    )
    http_mocker.post(
        second, TempoPageBuilder.accounts().with_limit(2).with_offset(2).with_records([account(3, "ARCHIVED")]).build()
    )

    output = read_streams(config, _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]
    http_mocker.assert_number_of_calls(first, 1)
    http_mocker.assert_number_of_calls(second, 1)


@pytest.mark.parametrize("region", ["global", "eu", "us"])
def test_region_selects_the_tempo_cluster(http_mocker: HttpMocker, region: str) -> None:
    request = _request().with_base_url(REGION_API_URLS[region]).build()
    http_mocker.post(request, TempoPageBuilder.accounts().with_records([account(1)]).build())

    output = read_streams(ConfigBuilder().with_region(region).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1]
    http_mocker.assert_number_of_calls(request, 1)


def test_api_url_overrides_the_region(http_mocker: HttpMocker) -> None:
    proxy = "https://tempo-proxy.example.com/tempo/4"
    request = _request().with_base_url(proxy).build()
    http_mocker.post(request, TempoPageBuilder.accounts().with_records([account(1)]).build())

    output = read_streams(ConfigBuilder().with_region("eu").with_api_url(proxy + "/").build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1]


def test_ignored_offset_fails_the_stream_naming_it(http_mocker: HttpMocker) -> None:
    config = ConfigBuilder().with_page_size(2).build()
    http_mocker.post(
        _request(2).build(),
        TempoPageBuilder.accounts().with_limit(2).with_records([account(1), account(2)]).with_next_page().build(),
    )
    http_mocker.post(
        _request(2, offset=2).build(),
        TempoPageBuilder.accounts()
        .with_limit(2)
        .with_offset(2)
        .with_served_offset(0)
        .with_records([account(1), account(2)])
        .with_next_page()
        .build(),
    )

    output = read_streams(config, _STREAM, expect_failure=True)

    assert ids_of(output, _STREAM) == [1, 2]
    assert any("Stream accounts" in m and "ignored the paging parameters" in m for m in error_messages(output))
