"""global-rates: GET /global-rates/by-role once per rate category (BILLING, COST: `rateCategory` is required), one
record per role with its rates and the category added. The default role's record has no roleId."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import body, global_rate, unpaged_request

_STREAM = "global-rates"


def test_billing_and_cost_rates_are_read_with_their_category(http_mocker: HttpMocker) -> None:
    billing = unpaged_request("global-rates/by-role", rateCategory="BILLING")
    cost = unpaged_request("global-rates/by-role", rateCategory="COST")
    http_mocker.get(billing, body({"results": [global_rate(None, 100.0), global_rate(1, 120.0, 130.0)]}))
    http_mocker.get(cost, body({"results": [global_rate(1, 70.0)]}))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    records = sorted(records_of(output, _STREAM), key=lambda r: (r["rateCategory"], r.get("roleId") or 0))
    assert records == [
        {**global_rate(None, 100.0), "rateCategory": "BILLING"},
        {**global_rate(1, 120.0, 130.0), "rateCategory": "BILLING"},
        {**global_rate(1, 70.0), "rateCategory": "COST"},
    ]
    http_mocker.assert_number_of_calls(billing, 1)
    http_mocker.assert_number_of_calls(cost, 1)
