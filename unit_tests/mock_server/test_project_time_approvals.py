"""project-time-approvals: GET /projects/{id}/time-approvals for every project, with the required `from` (=
`start_date`, else 2 years ago) and `to` (= today), offset/limit paging. Each gains `teamMemberId` (user.id) and
`period_from`: projectId + teamMemberId + period_from identify a member's approval of a period."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import given_projects, page, paged_request, project_time_approval
from unit_tests.mock_server.request_builder import today, years_from

_STREAM = "project-time-approvals"


def _request(project_id: str, date_from: str):
    return paged_request(f"projects/{project_id}/time-approvals", **{"from": date_from, "to": today().isoformat()})


def test_approvals_from_the_start_date_to_today(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1")
    approvals = [
        project_time_approval("p-1", "u-1", "2024-01-01", "2024-01-31"),
        project_time_approval("p-1", "u-2", "2024-01-01", "2024-01-31"),
    ]
    http_mocker.get(_request("p-1", "2023-06-01"), page("projects/p-1/time-approvals", *approvals).build())

    output = read_streams(ConfigBuilder().with_start_date("2023-06-01").build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == [
        {**approval, "teamMemberId": approval["user"]["id"], "period_from": "2024-01-01"} for approval in approvals
    ]


def test_without_a_start_date_the_window_starts_two_years_ago(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1")
    request = _request("p-1", years_from(today(), -2).isoformat())
    http_mocker.get(request, page("projects/p-1/time-approvals").build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    http_mocker.assert_number_of_calls(request, 1)
