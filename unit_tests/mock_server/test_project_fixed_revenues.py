"""project-fixed-revenues: GET /projects/{id}/fixed-revenues for every project, offset/limit paging; each fixed
revenue gains `projectId`."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import fixed_revenue, given_projects, page, paged_request

_STREAM = "project-fixed-revenues"


def test_fixed_revenues_of_every_project_carry_its_id(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1", "p-2")
    revenues = [fixed_revenue("r-1", "p-1", 5000), fixed_revenue("r-2", "p-1", 7500)]
    http_mocker.get(
        paged_request("projects/p-1/fixed-revenues"), page("projects/p-1/fixed-revenues", *revenues).build()
    )
    http_mocker.get(paged_request("projects/p-2/fixed-revenues"), page("projects/p-2/fixed-revenues").build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == [{**revenue, "projectId": "p-1"} for revenue in revenues]
