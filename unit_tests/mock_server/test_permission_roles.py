"""permission-roles: GET /permission-roles, every permission role (who may see and approve what), offset/limit
paging; read in full every sync (Tempo has no change filter for it)."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import assert_no_errors, ids_of, read_streams, records_of
from unit_tests.mock_server.config import ConfigBuilder
from unit_tests.mock_server.more_data_builders import permission_role, permission_roles_request
from unit_tests.mock_server.response_builder import TempoPageBuilder

_STREAM = "permission-roles"


def _page(*roles: dict, offset: int = 0) -> TempoPageBuilder:
    return TempoPageBuilder("permission-roles").with_records(roles).with_limit(2).with_offset(offset)


def test_permission_roles_are_paged_by_offset_with_their_teams_users_and_permissions(http_mocker: HttpMocker) -> None:
    http_mocker.get(
        permission_roles_request(limit=2), _page(permission_role(1), permission_role(2)).with_next_page().build()
    )
    http_mocker.get(permission_roles_request(limit=2, offset=2), _page(permission_role(3, "GLOBAL"), offset=2).build())

    output = read_streams(ConfigBuilder().with_page_size(2).build(), _STREAM)

    assert_no_errors(output)
    assert ids_of(output, _STREAM) == [1, 2, 3]
    first = records_of(output, _STREAM)[0]
    assert first == permission_role(1)  # nested as Tempo sends it
    assert [p["key"] for p in first["permissions"]] == ["permissions.worklog.view", "permissions.approval.manage"]
    assert records_of(output, _STREAM)[2]["accessEntities"] == []
