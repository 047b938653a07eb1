"""skills: GET /skills, offset/limit paging."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, catalog_record

_STREAM = "skills"


def test_skills_are_paged_by_offset(http_mocker: HttpMocker) -> None:
    first = TempoRequestBuilder("get", "skills").with_limit(2).build()
    second = TempoRequestBuilder("get", "skills").with_limit(2).with_offset(2).build()
    page = TempoPageBuilder(_STREAM).with_limit(2)
    http_mocker.get(
        first,
        page.with_records([catalog_record(_STREAM, id=1), catalog_record(_STREAM, id=2)]).with_next_page().build(),
    )
    http_mocker.get(
        second,
        TempoPageBuilder(_STREAM).with_limit(2).with_offset(2).with_records([catalog_record(_STREAM, id=3)]).build(),
    )

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]
