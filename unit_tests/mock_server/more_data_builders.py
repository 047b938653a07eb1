"""Requests and records of permission-roles, global-permission-roles, skill-assignments, flex-plans, plan-days and
worklog-attribute-values (and the work attributes that become worklogs columns), built like request_builder.py's and
response_builder.py's.

Kept in their own module so that streams added in parallel do not edit the same lines of those two.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable

from unit_tests.mock_server.request_builder import FIRST_SYNC_UPDATED_FROM, TempoRequestBuilder, today, years_from
from unit_tests.mock_server.response_builder import TEMPO_PUBLIC_API, TempoPageBuilder, plan, record_template

NEXT_YEAR = years_from(today(), 1)


# ---- requests --------------------------------------------------------------------------------------------
def permission_roles_request(path: str = "permission-roles", limit: int = 1000, offset: int | None = None):
    request = TempoRequestBuilder("get", path).with_limit(limit)
    return (request.with_offset(offset) if offset is not None else request).build()


def skill_assignments_request(assignees: Iterable[tuple[str, str]], limit: int = 1000, offset: int | None = None):
    """POST /skill-assignments/search for these (assigneeId, assigneeType), in this order."""
    body = {"assignees": [{"assigneeId": ident, "assigneeType": kind} for ident, kind in assignees]}
    request = TempoRequestBuilder("post", "skill-assignments/search").with_limit(limit).with_body(body)
    return (request.with_offset(offset) if offset is not None else request).build()


def generic_resources_request(limit: int = 1000):
    """POST /generic-resources/search: an empty filter, offset and limit in the body."""
    return TempoRequestBuilder("post", "generic-resources/search").with_body({"limit": limit}).build()


def flex_plans_request(date_from: Any, date_to: Any = NEXT_YEAR):
    body = {"from": str(date_from), "to": str(date_to)}
    return TempoRequestBuilder("post", "flex-plans/search").with_body(body).build()


def plan_days_request(
    date_from: Any, updated_from: str = FIRST_SYNC_UPDATED_FROM, limit: int = 1000, offset: int | None = None
):
    """The plans stream's GET /plans (with the daily breakdown)."""
    request = TempoRequestBuilder.plans_endpoint(date_from, NEXT_YEAR, updated_from).with_limit(limit)
    return (request.with_offset(offset) if offset is not None else request).build()


def work_attributes_request(limit: int = 1000):
    return TempoRequestBuilder("get", "work-attributes").with_limit(limit).build()


# ---- records ---------------------------------------------------------------------------------------------
def permission_role(role_id: int, access_type: str = "TEAM", **fields: Any) -> Dict[str, Any]:
    record = record_template("permission_roles")
    record.update(id=role_id, name=f"Role {role_id}", accessType=access_type)
    record["self"] = f"{TEMPO_PUBLIC_API}/permission-roles/{role_id}"
    if access_type == "GLOBAL":
        record["accessEntities"] = []
    record.update(fields)
    return record


def skill_assignment(assignee_id: str, assignee_type: str = "USER", *skill_ids: int) -> Dict[str, Any]:
    record = record_template("skill_assignments")
    record.update(assigneeId=assignee_id, assigneeType=assignee_type)
    record["self"] = f"{TEMPO_PUBLIC_API}/skill-assignments/{assignee_id}/{assignee_type}"
    record["skills"] = [{"self": f"{TEMPO_PUBLIC_API}/skills/{n}", "id": n, "name": f"Skill {n}"} for n in skill_ids]
    return record


def flex_plan(flex_plan_id: int, **fields: Any) -> Dict[str, Any]:
    record = record_template("flex_plans")
    record.update(id=flex_plan_id, title=f"Flex plan {flex_plan_id}")
    record["self"] = f"{TEMPO_PUBLIC_API}/flex-plans/{flex_plan_id}"
    record.update(fields)
    return record


def plan_with_days(plan_id: int, updated_at: str, *days: tuple[str, int]) -> Dict[str, Any]:
    """A plan as GET /plans?plannedTimeBreakdown=DAILY sends it: `plannedTime.days` lists (date, plannedSeconds)."""
    record = plan(plan_id, updated_at)
    record["plannedTime"]["days"] = {
        "count": len(days),
        "values": [{"date": day, "plannedSeconds": seconds} for day, seconds in days],
    }
    return record


def work_attribute(key: str, kind: str) -> Dict[str, Any]:
    return {"self": f"{TEMPO_PUBLIC_API}/work-attributes/{key}", "key": key, "name": key.strip("_"), "type": kind,
            "required": False}  # fmt: skip


def work_attributes_page(*attributes: Dict[str, Any]):
    return TempoPageBuilder("work-attributes").with_records(attributes).build()
