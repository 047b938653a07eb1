"""billing-rates-tables: GET /billing-rates-tables, offset/limit paging (the tables without their rates: see
billing-rates)."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import billing_rates_table, page, paged_request

_STREAM = "billing-rates-tables"


def test_tables_are_paged_by_offset(http_mocker: HttpMocker) -> None:
    first = page(_STREAM, billing_rates_table("t-1"), billing_rates_table("t-2"), limit=2).with_next_page()
    http_mocker.get(paged_request(_STREAM, 2), first.build())
    http_mocker.get(
        paged_request(_STREAM, 2, offset=2), page(_STREAM, billing_rates_table("t-3"), limit=2, offset=2).build()
    )

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == ["t-1", "t-2", "t-3"]
