"""billing-rates: GET /billing-rates-tables/{id} for every table, whose `rates` are the records (one per role). Each
gains the table's id (`billingRatesTableId`) and the role's (`roleId`), which identify it."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import (
    billing_rate,
    billing_rates_table,
    body,
    page,
    paged_request,
    unpaged_request,
)

_STREAM = "billing-rates"


def test_the_rates_of_every_table_carry_the_table_and_role(http_mocker: HttpMocker) -> None:
    tables = page("billing-rates-tables", billing_rates_table("t-1"), billing_rates_table("t-2"))
    http_mocker.get(paged_request("billing-rates-tables"), tables.build())
    http_mocker.get(
        unpaged_request("billing-rates-tables/t-1"),
        body(billing_rates_table("t-1", billing_rate(1, 100.0), billing_rate(2, 120.0))),
    )
    http_mocker.get(
        unpaged_request("billing-rates-tables/t-2"), body(billing_rates_table("t-2", billing_rate(1, 90.0)))
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    rates = sorted(
        (record["billingRatesTableId"], record["roleId"], record["rate"]["value"])
        for record in records_of(output, _STREAM)
    )
    assert rates == [("t-1", 1, 100.0), ("t-1", 2, 120.0), ("t-2", 1, 90.0)]
    record = next(record for record in records_of(output, _STREAM) if record["billingRatesTableId"] == "t-2")
    assert record == {**billing_rate(1, 90.0), "billingRatesTableId": "t-2", "roleId": 1}
