"""flex-plans: POST /flex-plans/search for the flex plans overlapping the plans' window [`start_date` (else two years
ago), one year from today], one answer `{flexPlans, issueIds}` without paging; read in full every sync."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.more_data_builders import flex_plan, flex_plans_request
from unit_tests.mock_server.request_builder import today, years_from
from unit_tests.mock_server.response_builder import body_response

_STREAM = "flex-plans"


def test_flex_plans_of_the_window_are_the_records(http_mocker: HttpMocker) -> None:
    unassigned = flex_plan(2, description="")
    del unassigned["issueId"], unassigned["teamId"]  # a flex plan of neither an issue nor a team
    plans = [flex_plan(1), unassigned]
    http_mocker.post(flex_plans_request("2024-01-01"), body_response({"flexPlans": plans, "issueIds": [10001]}))

    output = read_streams(ConfigBuilder().with_start_date("2024-01-01").build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == plans


def test_without_a_start_date_the_window_starts_two_years_ago(http_mocker: HttpMocker) -> None:
    request = flex_plans_request(years_from(today(), -2))
    http_mocker.post(request, body_response({"flexPlans": [], "issueIds": []}))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == []
    http_mocker.assert_number_of_calls(request, 1)
