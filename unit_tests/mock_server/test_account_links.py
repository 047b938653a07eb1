"""account-links: GET /accounts/{key}/links for every account (archived ones too: accounts come from POST
/accounts/search with every status), offset/limit paging. A link names its account by URL only, so each record gains
`accountKey`. The accounts search is a POST, which the CDK does not cache: with both streams selected it is read
twice."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.reporting_builders import account_link, account_links_request
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, account, error_response

_STREAM = "account-links"


def _page(account_key: str, *links: dict, limit: int = 1000, offset: int = 0) -> TempoPageBuilder:
    return TempoPageBuilder(f"accounts/{account_key}/links").with_records(links).with_limit(limit).with_offset(offset)


def _given_accounts(http_mocker: HttpMocker, *accounts: dict, limit: int = 1000):
    request = TempoRequestBuilder.accounts_endpoint().with_limit(limit).build()
    http_mocker.post(request, TempoPageBuilder.accounts().with_records(accounts).build())
    return request


def test_links_of_every_account_carry_the_account_key(http_mocker: HttpMocker) -> None:
    _given_accounts(http_mocker, account(1), account(2, status="ARCHIVED"))
    http_mocker.get(account_links_request("ACCOUNT_1"), _page("ACCOUNT_1", account_link(11, "ACCOUNT_1")).build())
    http_mocker.get(
        account_links_request("ACCOUNT_2"),
        _page("ACCOUNT_2", account_link(21, "ACCOUNT_2"), account_link(22, "ACCOUNT_2", 10001, False)).build(),
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    links = sorted((record["accountKey"], record["id"]) for record in records_of(output, _STREAM))
    assert links == [("ACCOUNT_1", 11), ("ACCOUNT_2", 21), ("ACCOUNT_2", 22)]
    link = next(record for record in records_of(output, _STREAM) if record["id"] == 22)
    assert link == {**account_link(22, "ACCOUNT_2", 10001, False), "accountKey": "ACCOUNT_2"}


def test_links_of_one_account_are_paged_by_offset(http_mocker: HttpMocker) -> None:
    _given_accounts(http_mocker, account(1), limit=2)
    first = _page("ACCOUNT_1", account_link(1, "ACCOUNT_1"), account_link(2, "ACCOUNT_1"), limit=2)
    http_mocker.get(account_links_request("ACCOUNT_1", 2), first.with_next_page().build())
    http_mocker.get(
        account_links_request("ACCOUNT_1", 2, offset=2),
        _page("ACCOUNT_1", account_link(3, "ACCOUNT_1"), limit=2, offset=2).build(),
    )

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]


def test_an_account_deleted_during_the_sync_is_skipped(http_mocker: HttpMocker) -> None:
    _given_accounts(http_mocker, account(1), account(2))
    http_mocker.get(account_links_request("ACCOUNT_1"), error_response(404, "Account cannot be found in the system"))
    http_mocker.get(account_links_request("ACCOUNT_2"), _page("ACCOUNT_2", account_link(5, "ACCOUNT_2")).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [5]
    assert output.is_in_logs("Stream account-links: Tempo answered 404 Not Found")


def test_the_accounts_search_is_read_by_each_stream(http_mocker: HttpMocker) -> None:
    accounts = _given_accounts(http_mocker, account(1))
    http_mocker.get(account_links_request("ACCOUNT_1"), _page("ACCOUNT_1").build())

    output = read_streams(ConfigBuilder().build(), "accounts", _STREAM)

    assert_no_errors(output)
    assert ids_of(output, "accounts") == [1] and records_of(output, _STREAM) == []
    http_mocker.assert_number_of_calls(accounts, 2)  # POST: not served from the CDK's cache
