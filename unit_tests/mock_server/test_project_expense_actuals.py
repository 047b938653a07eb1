"""project-expense-actuals: GET /projects/{id}/actuals/expenses for every project, offset/limit paging. An actual
names its expense by URL only: `expenseId` (the URL's last segment) and `projectId` are added; a recurring expense
has an actual per date, so projectId + expenseId + date identify one."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import expense_actual, given_projects, page, paged_request

_STREAM = "project-expense-actuals"


def test_each_actual_names_its_expense_and_project(http_mocker: HttpMocker) -> None:
    given_projects(http_mocker, "p-1")
    monthly = [expense_actual("p-1", "e-1", "2024-01-15"), expense_actual("p-1", "e-1", "2024-02-15")]
    once = expense_actual("p-1", "e-2", "2024-01-20", 99.5)
    http_mocker.get(
        paged_request("projects/p-1/actuals/expenses"), page("projects/p-1/actuals/expenses", *monthly, once).build()
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    keys = [(r["projectId"], r["expenseId"], r["date"]) for r in records_of(output, _STREAM)]
    assert keys == [("p-1", "e-1", "2024-01-15"), ("p-1", "e-1", "2024-02-15"), ("p-1", "e-2", "2024-01-20")]
    assert records_of(output, _STREAM)[2] == {**once, "projectId": "p-1", "expenseId": "e-2"}
