"""jira-users: the people the synced Tempo records name by accountId, fetched in bulk after the Tempo streams
(GET /rest/api/3/user/bulk, the accountIds repeated, paged by startAt until isLast)."""

from __future__ import annotations

from airbyte_cdk.test.mock_http import HttpMocker

from unit_tests.conftest import all_output_text, assert_no_errors, read_streams, records_of
from unit_tests.mock_server.jira_builders import (
    AUTHOR,
    JIRA_TOKEN,
    TEAM_LEAD,
    jira_config,
    jira_error,
    user,
    user_bulk_request,
    users_response,
)
from unit_tests.mock_server.request_builder import TempoRequestBuilder
from unit_tests.mock_server.response_builder import TempoPageBuilder, team

_STREAM = "jira-users"
MEMBER = "712020:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
GONE = "5b10a2844c20165700ede21g"


def _teams(*leads: str):
    records = [team(n, lead={"self": "x", "accountId": lead}) for n, lead in enumerate(leads, start=1)]
    return TempoPageBuilder("teams").with_records(records).build()


def _warnings(output) -> list[str]:
    return [m.log.message for m in output.logs if m.log.level.name == "WARN"]


def test_people_named_by_the_synced_records_come_with_names_and_email_where_shown(http_mocker: HttpMocker) -> None:
    http_mocker.get(TempoRequestBuilder.teams_endpoint().with_limit(1000).build(), _teams(TEAM_LEAD, MEMBER, GONE))
    request = user_bulk_request(*sorted([MEMBER, GONE, TEAM_LEAD]))  # asked in accountId order
    private = user(MEMBER, "Bjørn Sørensen", email=None)  # the profile hides the email: no emailAddress at all
    http_mocker.get(request, users_response([private, user(TEAM_LEAD, "Ada Lovelace")]))

    output = read_streams(jira_config(), "teams", _STREAM)

    assert_no_errors(output)
    records = records_of(output, _STREAM)
    assert [r["accountId"] for r in records] == [TEAM_LEAD, MEMBER]
    assert records[0] == {
        "accountId": TEAM_LEAD,
        "displayName": "Ada Lovelace",
        "active": True,
        "accountType": "atlassian",
        "timeZone": "Europe/Oslo",
        "emailAddress": "ada@example.com",
    }
    assert records[1]["displayName"] == "Bjørn Sørensen" and records[1].get("emailAddress") is None
    assert any(w.startswith("Jira did not return 1 people") and w.endswith(GONE) for w in _warnings(output))
    http_mocker.assert_number_of_calls(request, 1)


def test_a_short_page_is_followed_by_start_at(http_mocker: HttpMocker) -> None:
    """Jira may answer fewer people than asked (its page size): the rest is asked with startAt."""
    http_mocker.get(TempoRequestBuilder.teams_endpoint().with_limit(1000).build(), _teams(TEAM_LEAD, MEMBER))
    first, second = user_bulk_request(TEAM_LEAD, MEMBER), user_bulk_request(TEAM_LEAD, MEMBER, start_at=1)
    http_mocker.get(first, users_response([user(TEAM_LEAD, "Ada Lovelace")], is_last=False, max_results=1))
    http_mocker.get(second, users_response([user(MEMBER, "Bjørn Sørensen")], start_at=1, max_results=1))

    output = read_streams(jira_config(), "teams", _STREAM)

    assert_no_errors(output)
    assert [r["displayName"] for r in records_of(output, _STREAM)] == ["Ada Lovelace", "Bjørn Sørensen"]


def test_a_403_names_the_browse_users_permission(http_mocker: HttpMocker) -> None:
    http_mocker.get(TempoRequestBuilder.teams_endpoint().with_limit(1000).build(), _teams(AUTHOR))
    http_mocker.get(user_bulk_request(AUTHOR), jira_error(403, "You do not have the permission to browse users."))

    output = read_streams(jira_config(), "teams", _STREAM, expect_failure=True)

    assert len(records_of(output, "teams")) == 1
    errors = [m.trace.error.message for m in output.errors]
    assert any(
        "Jira refused the `jira.email` user (HTTP 403" in e and "Browse users and groups" in e for e in errors
    ), errors
    assert JIRA_TOKEN not in all_output_text(output)
