"""project-attributes: GET /project-attributes answers {projectAttributes: [...], self} in one piece."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.finance_builders import body, project_attribute, unpaged_request
from unit_tests.mock_server.response_builder import TEMPO_PUBLIC_API

_STREAM = "project-attributes"


def test_the_attributes_are_the_records(http_mocker: HttpMocker) -> None:
    attributes = [project_attribute("a-1", "SELECT_LIST"), project_attribute("a-2", "NUMBER")]
    request = unpaged_request("project-attributes")
    http_mocker.get(request, body({"projectAttributes": attributes, "self": f"{TEMPO_PUBLIC_API}/project-attributes"}))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == attributes
    http_mocker.assert_number_of_calls(request, 1)
