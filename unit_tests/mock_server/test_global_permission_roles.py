"""global-permission-roles: GET /permission-roles/global, the GLOBAL roles (no access entities), offset/limit paging;
read in full every sync (no change filter)."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, error_messages, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.more_data_builders import permission_role, permission_roles_request
from unit_tests.mock_server.response_builder import TempoPageBuilder, error_response

_STREAM = "global-permission-roles"
_PATH = "permission-roles/global"


def test_global_permission_roles_are_read_whole(http_mocker: HttpMocker) -> None:
    roles = [permission_role(7, "GLOBAL", name="Tempo administrators"), permission_role(8, "GLOBAL")]
    http_mocker.get(permission_roles_request(_PATH), TempoPageBuilder(_PATH).with_records(roles).build())

    output = read_streams(ConfigBuilder().build(), _STREAM)

    assert_no_errors(output)
    assert records_of(output, _STREAM) == roles


def test_a_token_without_the_permission_fails_the_stream_naming_it(http_mocker: HttpMocker) -> None:
    http_mocker.get(permission_roles_request(_PATH), error_response(403, "Forbidden"))

    output = read_streams(ConfigBuilder().build(), _STREAM, expect_failure=True)

    assert records_of(output, _STREAM) == []
    assert any(
        "Stream global-permission-roles: the Tempo token lacks the permission" in message and "(HTTP 403)" in message
        for message in error_messages(output)
    ), error_messages(output)
