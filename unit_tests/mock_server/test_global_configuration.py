"""global-configuration: GET /globalconfiguration answers one object, which is the stream's one record."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import body_response, record_template

_STREAM = "global-configuration"


def test_the_whole_configuration_is_one_record(http_mocker: HttpMocker) -> None:
    request = TempoRequestBuilder("get", "globalconfiguration").build()
    configuration = record_template("global_configuration")
    http_mocker.get(request, body_response(configuration))

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == [configuration]
    http_mocker.assert_number_of_calls(request, 1)
