"""portfolios: GET /portfolios, offset/limit paging."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import page, paged_request, portfolio

_STREAM = "portfolios"


def test_portfolios_are_read_whole_across_pages(http_mocker: HttpMocker) -> None:
    first = page("portfolios", portfolio("f-1"), limit=1).with_next_page()
    http_mocker.get(paged_request("portfolios", 1), first.build())
    http_mocker.get(
        paged_request("portfolios", 1, offset=1), page("portfolios", portfolio("f-2"), limit=1, offset=1).build()
    )

    output = read_streams(ConfigBuilder().with_page_size(1).build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == [portfolio("f-1"), portfolio("f-2")]
