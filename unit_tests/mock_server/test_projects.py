"""projects: GET /projects, offset/limit paging. A token without Financial Manager (projects) access gets 403 on
this stream only: the others are read, and the sync's last error names it."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import page, paged_request, project
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoResultsBuilder, catalog_record, error_response

_STREAM = "projects"


def test_projects_are_read_whole(http_mocker: HttpMocker) -> None:
    records = [project("p-1", status="COMPLETED"), project("p-2", type="TIME_BASED")]
    http_mocker.get(paged_request("projects"), page("projects", *records).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == records


def test_projects_are_paged_by_offset(http_mocker: HttpMocker) -> None:
    first = page("projects", project("p-1"), project("p-2"), limit=2).with_next_page()
    http_mocker.get(paged_request("projects", 2), first.build())
    http_mocker.get(paged_request("projects", 2, offset=2), page("projects", project("p-3"), limit=2, offset=2).build())

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == ["p-1", "p-2", "p-3"]


def test_without_financial_manager_access_only_this_stream_fails(http_mocker: HttpMocker) -> None:
    http_mocker.get(paged_request("projects"), error_response(403, "Forbidden"))
    http_mocker.get(
        TempoRequestBuilder("get", "roles").build(),
        TempoResultsBuilder("roles").with_records([catalog_record("roles", id=1)]).build(),
    )

    output = read_streams(ConfigBuilder().build(), _STREAM, "roles", expect_failure=True)

    assert ids_of(output, "roles") == [1] and ids_of(output, _STREAM) == []
    final = output.errors[-1].trace.error.message
    assert final.startswith("The sync did not read 1 stream(s): projects.")
    assert "Stream projects: the Tempo token lacks the permission or scope" in final and "HTTP 403" in final
