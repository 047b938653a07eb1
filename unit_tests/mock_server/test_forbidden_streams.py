"""A stream whose endpoint the token may not read (403): the other streams are read to the end and checkpointed,
and the sync ends failed with a last error that names the stream and the missing permission (see SourceTempo.read).
"""

from __future__ import annotations

from airbyte_cdk.models import AirbyteStreamStatus, FailureType
from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import error_messages, ids_of, read_streams, states_of, stream_error_messages
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import (
    TempoPageBuilder,
    TempoResultsBuilder,
    catalog_record,
    error_response,
)


def _read_roles_and_forbidden_skills(http_mocker: HttpMocker):
    http_mocker.get(TempoRequestBuilder("get", "skills").with_limit(1000).build(), error_response(403, "Forbidden"))
    roles = [catalog_record("roles", id=1), catalog_record("roles", id=2)]
    http_mocker.get(
        TempoRequestBuilder("get", "roles").build(), TempoResultsBuilder("roles").with_records(roles).build()
    )
    return read_streams(ConfigBuilder().build(), "skills", "roles", expect_failure=True)


def test_the_readable_stream_is_delivered_complete_and_checkpointed(http_mocker: HttpMocker) -> None:
    output = _read_roles_and_forbidden_skills(http_mocker)

    assert ids_of(output, "roles") == [1, 2]
    assert output.get_stream_statuses("roles")[-1] == AirbyteStreamStatus.COMPLETE
    assert states_of(output, "roles")  # checkpointed, so the platform keeps it
    assert ids_of(output, "skills") == []
    assert output.get_stream_statuses("skills")[-1] == AirbyteStreamStatus.INCOMPLETE


def test_the_forbidden_stream_is_named_with_the_permission_in_its_own_and_the_final_error(
    http_mocker: HttpMocker,
) -> None:
    output = _read_roles_and_forbidden_skills(http_mocker)

    own = stream_error_messages(output, "skills")
    assert own and "Stream skills" in own[0] and "permission or scope" in own[0] and "HTTP 403" in own[0]
    final = output.errors[-1].trace.error
    assert final.stream_descriptor is None  # the sync's own error, the one a user sees first
    assert final.message.startswith("The sync did not read 1 stream(s): skills.")
    assert "Stream skills: the Tempo token lacks the permission or scope" in final.message
    assert "Read completely: roles." in final.message
    assert "Response (body)" not in final.message  # not the raw HTTP log line the CDK would quote
    assert final.failure_type == FailureType.config_error


def test_a_sync_without_failures_has_no_final_error(http_mocker: HttpMocker) -> None:
    http_mocker.get(
        TempoRequestBuilder("get", "skills").with_limit(1000).build(),
        TempoPageBuilder("skills").with_records([catalog_record("skills", id=1)]).build(),
    )

    output = read_streams(ConfigBuilder().build(), "skills")

    assert error_messages(output) == []
