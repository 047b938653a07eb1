"""portfolio-projects: GET /portfolios/{id}/projects for every portfolio, offset/limit paging. A project may be in
several portfolios: each record gains `portfolioId`, and portfolioId + id identify it."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import page, paged_request, portfolio, project
from unit_tests.mock_server.response_builder import error_response

_STREAM = "portfolio-projects"


def _given_portfolios(http_mocker: HttpMocker, *portfolio_ids: str) -> None:
    records = [portfolio(portfolio_id) for portfolio_id in portfolio_ids]
    http_mocker.get(paged_request("portfolios"), page("portfolios", *records).build())


def test_a_project_in_two_portfolios_is_a_record_of_each(http_mocker: HttpMocker) -> None:
    _given_portfolios(http_mocker, "f-1", "f-2")
    http_mocker.get(paged_request("portfolios/f-1/projects"), page("portfolios/f-1/projects", project("p-1")).build())
    http_mocker.get(
        paged_request("portfolios/f-2/projects"),
        page("portfolios/f-2/projects", project("p-1"), project("p-2")).build(),
    )

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    keys = sorted((record["portfolioId"], record["id"]) for record in records_of(output, _STREAM))
    assert keys == [("f-1", "p-1"), ("f-2", "p-1"), ("f-2", "p-2")]
    assert records_of(output, _STREAM)[0] == {**project("p-1"), "portfolioId": "f-1"}


def test_a_portfolio_deleted_during_the_sync_is_skipped(http_mocker: HttpMocker) -> None:
    _given_portfolios(http_mocker, "f-1", "f-2")
    http_mocker.get(paged_request("portfolios/f-1/projects"), error_response(404, "Portfolio cannot be found"))
    http_mocker.get(paged_request("portfolios/f-2/projects"), page("portfolios/f-2/projects", project("p-9")).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert [record["id"] for record in records_of(output, _STREAM)] == ["p-9"]
    assert output.is_in_logs("Stream portfolio-projects: Tempo answered 404 Not Found")
