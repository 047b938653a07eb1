"""Regenerate the stream schemas, source_tempo/schemas/<stream>.json, from Tempo's OpenAPI document (and the
Jira streams' from the Jira Cloud OpenAPI subset, reference/jira-cloud-openapi-subset.json).

Why generated: the OpenAPI file is the authority for record shapes, and hand-copied schemas drift.
Run `python tools/generate_schemas.py` after changing STREAM_SCHEMAS or the OpenAPI file; a unit test
(unit_tests/test_schemas.py) fails when a file differs from what this script produces. The manifest's
streams load these files (`schema_loader` of `definitions.stream`).

Rules: every property of the response schema is kept; a property that the OpenAPI file does not list as
required may be null; enums are dropped (a value Tempo adds later must not fail validation); timestamps
Tempo sends as ISO strings get `format: date-time`; extra properties are allowed.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OPENAPI = ROOT / "reference" / "tempo-openapi-v4.yaml"
JIRA_OPENAPI = ROOT / "reference" / "jira-cloud-openapi-subset.json"
SCHEMAS = ROOT / "source_tempo" / "schemas"

# stream name -> OpenAPI component describing one record
STREAM_SCHEMAS = {
    "accounts": "Account",
    "customers": "Customer",
    "workload-schemes": "WorkloadScheme",
    "worklogs": "Worklog",
    "teams": "Team",
    "plans": "Plan",
    "timesheet-approvals": "TimesheetApproval",
    "holiday-schemes": "HolidayScheme",
    "holidays": "Holiday",
    "holiday-scheme-members": "User",
    "worklog-deletions": "WorklogDeletion",
    "account-categories": "Category",
    "account-category-types": "CategoryType",
    "work-attributes": "WorkAttribute",
    "roles": "Role",
    "programs": "Program",
    "generic-resources": "GenericResource",
    "skills": "Skill",
    "periods": "TimesheetApprovalPeriod",
    "global-configuration": "GlobalConfiguration",
    "team-memberships": "TeamMembership",
    "workload-scheme-members": "User",
    "account-links": "AccountLink",
    "user-schedules": "DaySchedule",
    "timesheet-approval-logs": "TimesheetApprovalLog",
    "permission-roles": "PermissionRole",
    "global-permission-roles": "PermissionRole",
    "skill-assignments": "SkillAssignment",
    "flex-plans": "FlexPlan",
    "plan-days": "PlanDayRow",
    "worklog-attribute-values": "WorklogAttributeValueRow",
}
# Records that are not one of Tempo's components, described in OpenAPI terms: worklog-deletions wraps a
# papertrail event (see source_tempo.components.transforms.WorklogDeletion); a plan-days row is one day of a plan's
# daily breakdown (PlanDay) with the plan's keys, a worklog-attribute-values row one WorkAttributeValue of a worklog
# (see source_tempo.components.rows).
DERIVED_COMPONENTS = {
    "PlanDayRow": {
        "type": "object",
        "required": ["planId", "date", "plannedSeconds", "updatedAt"],
        "properties": {
            "planId": {"type": "integer", "format": "int32"},
            "date": {"type": "string", "format": "date"},
            "plannedSeconds": {"type": "integer", "format": "int64"},
            "assigneeId": {"type": "string"},
            "assigneeType": {"type": "string"},
            "planItemId": {"type": "string"},
            "planItemType": {"type": "string"},
            "updatedAt": {"type": "string"},
        },
    },
    "WorklogAttributeValueRow": {
        "type": "object",
        "required": ["tempoWorklogId", "key", "updatedAt"],
        "properties": {
            "tempoWorklogId": {"type": "integer", "format": "int64"},
            "key": {"type": "string"},
            "value": {"type": "string"},
            "updatedAt": {"type": "string"},
        },
    },
    "WorklogDeletion": {
        "type": "object",
        "required": ["tempoWorklogId", "deletedAt", "event"],
        "properties": {
            "tempoWorklogId": {"type": "integer", "format": "int64"},
            "deletedAt": {"type": "string"},
            "author": {"type": "string"},
            "event": {"$ref": "#/components/schemas/AuditLogEvent"},
        },
    },
}
DATE_TIME_FIELDS = {"createdAt", "updatedAt", "startDateTimeUtc", "deletedAt"}
# Fields a stream adds to Tempo's record: the keys of its parent and of its period, and a cursor lifted out of a
# nested object (timesheet-approval-logs' status.updatedAt); see the manifest.
EXTRA_FIELDS: dict[str, dict] = {
    "timesheet-approvals": {
        "teamId": {"type": "integer"},
        "period_from": {"type": "string", "format": "date"},
        "userAccountId": {"type": "string"},
    },
    "holiday-scheme-members": {"schemeId": {"type": "integer"}},
    # set on the tombstone of a deleted worklog only (see source_tempo.components.tombstones.WorklogTombstones)
    "worklogs": {"_ab_cdc_deleted_at": {"type": ["null", "string"], "format": "date-time"}},
    "workload-scheme-members": {"schemeId": {"type": "integer"}},
    "account-links": {"accountKey": {"type": "string"}},
    "user-schedules": {"accountId": {"type": "string"}},
    "timesheet-approval-logs": {
        "userAccountId": {"type": "string"},
        "period_from": {"type": "string", "format": "date"},
        "updatedAt": {"type": "string", "format": "date-time"},
    },
}


# Financial Manager (cost tracking): projects, portfolios, rates and the records under each project. Every stream read
# under a project adds the project's id (`projectId`); see the manifest for the other fields each adds.
FINANCE_STREAM_SCHEMAS = {
    "projects": "Project",
    "portfolios": "Portfolio",
    "portfolio-projects": "Project",
    "project-attributes": "ProjectAttribute",
    "billing-rates-tables": "BillingRatesTable",
    "billing-rates": "GlobalBillingRate",
    "global-rates": "GlobalRate",
    "project-budgets": "Budget",
    "project-budget-milestones": "Milestone",
    "project-expenses": "Expense",
    "project-fixed-revenues": "Fixed Revenue",
    "project-labor-actuals": "LaborActuals",
    "project-expense-actuals": "ExpenseActuals",
    "project-planned-labor": "PlannedLabors",
    "project-team-member-roles": "TeamMemberRole",
    "project-team-member-rates": "TeamMemberRate",
    "project-time-approvals": "ProjectTimeApprovals",
    "project-financial-summaries": "FinancialSummaryApiBean",
    "project-scope-tasks": "Task",
    "project-timeframes": "TimeframeApiBean",
}
# Every stream named project-* but the first, project-attributes (the site's attributes, not read under a project).
PROJECT_STREAMS = [name for name in FINANCE_STREAM_SCHEMAS if name.startswith("project-")][1:]
FINANCE_EXTRA_FIELDS: dict[str, dict] = {
    **{stream: {"projectId": {"type": "string"}} for stream in PROJECT_STREAMS},
    "portfolio-projects": {"portfolioId": {"type": "string"}},
    "billing-rates": {"billingRatesTableId": {"type": "string"}, "roleId": {"type": ["null", "integer"]}},
    "global-rates": {"rateCategory": {"type": "string"}},
}
FINANCE_EXTRA_FIELDS["project-expense-actuals"]["expenseId"] = {"type": "string"}
for _stream in ("project-team-member-roles", "project-team-member-rates", "project-time-approvals"):
    FINANCE_EXTRA_FIELDS[_stream]["teamMemberId"] = {"type": "string"}
FINANCE_EXTRA_FIELDS["project-time-approvals"]["period_from"] = {"type": "string", "format": "date"}
STREAM_SCHEMAS.update(FINANCE_STREAM_SCHEMAS)
EXTRA_FIELDS.update(FINANCE_EXTRA_FIELDS)
# The Jira streams' records (source_tempo/components/jira.py: issue_record, user_record): Jira's own properties,
# picked from the Jira schemas (component, [properties]); an issue's `fields` are not typed in Jira's OpenAPI
# document (IssueBean.fields is a free map), so summary, labels and the timestamps are typed here.
_JIRA_STRING = {"type": "string"}
_JIRA_TIME = {"type": "string", "x-date-time": True}
JIRA_RECORDS = {
    "jira-issues": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": ("IssueBean", "id"),
            "key": ("IssueBean", "key"),
            "summary": _JIRA_STRING,
            "project": ("ProjectDetails", ["id", "key", "name"]),
            "issuetype": ("IssueTypeDetails", ["id", "name", "subtask", "hierarchyLevel"]),
            "status": {
                "type": "object",
                "properties": {
                    "id": ("StatusDetails", "id"),
                    "name": ("StatusDetails", "name"),
                    "statusCategory": ("StatusCategory", ["id", "key", "name"]),
                },
            },
            "parent": {
                "type": "object",
                "properties": {
                    "id": ("IssueBean", "id"),
                    "key": ("IssueBean", "key"),
                    "summary": _JIRA_STRING,
                    "issuetype": ("IssueTypeDetails", ["id", "name", "subtask", "hierarchyLevel"]),
                },
            },
            "labels": {"type": "array", "items": _JIRA_STRING},
            "created": _JIRA_TIME,
            "updated": _JIRA_TIME,
        },
    },
    "jira-users": (
        "User",
        ["accountId", "displayName", "active", "accountType", "timeZone", "emailAddress"],
        ["accountId"],
    ),
}
# With `jira.enrich_worklogs`, the worklogs stream loads this schema: Tempo's, plus the Jira fields the extractor
# adds (null when Jira does not know or show them).
WORKLOG_JIRA_FIELDS = {
    "issue": ["key", "summary", "projectKey", "parentKey"],
    "author": ["displayName"],
}


def _jira_components() -> dict:
    return json.loads(JIRA_OPENAPI.read_text())["components"]["schemas"]


def _jira_node(spec, components: dict) -> dict:
    """An OpenAPI node of a Jira record from JIRA_RECORDS' shorthand."""
    if isinstance(spec, tuple):
        component, names = spec[0], spec[1]
        properties = components[component]["properties"]
        if isinstance(names, str):
            return properties[names]
        required = spec[2] if len(spec) > 2 else []
        return {"type": "object", "required": required, "properties": {name: properties[name] for name in names}}
    if spec.get("type") == "object":
        return {**spec, "properties": {name: _jira_node(sub, components) for name, sub in spec["properties"].items()}}
    return spec


def _date_times(schema: dict, node: dict) -> None:
    for name, sub in (node.get("properties") or {}).items():
        if sub.get("x-date-time"):
            schema["properties"][name]["format"] = "date-time"


def jira_schemas() -> dict:
    components = _jira_components()
    schemas = {}
    for stream, spec in JIRA_RECORDS.items():
        node = _jira_node(spec, components)
        schema = to_json_schema(node, components)
        _date_times(schema, node)
        schemas[stream] = {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
    return schemas


def worklogs_with_jira(worklogs: dict) -> dict:
    schema = copy.deepcopy(worklogs)
    for parent, names in WORKLOG_JIRA_FIELDS.items():
        for name in names:
            schema["properties"][parent]["properties"][name] = {"type": ["null", "string"]}
    return schema


def _components() -> dict:
    return {**yaml.safe_load(OPENAPI.read_text())["components"]["schemas"], **DERIVED_COMPONENTS}


def _nullable(schema: dict) -> dict:
    schema = dict(schema)
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = ["null", kind]
    return schema


def to_json_schema(node: dict, components: dict, name: str = "") -> dict:
    """Converts one OpenAPI schema node into a draft-07 JSON schema for Airbyte records."""
    if "$ref" in node:
        return to_json_schema(components[node["$ref"].rsplit("/", 1)[1]], components, name)
    node = copy.deepcopy(node)
    variants = node.pop("oneOf", None) or node.pop("anyOf", None) or []
    for variant in variants:  # a union of object shapes becomes one object with every property
        resolved = components[variant["$ref"].rsplit("/", 1)[1]] if "$ref" in variant else variant
        node.setdefault("properties", {}).update(resolved.get("properties", {}))
        node["type"] = "object"
    kind = node.get("type", "object" if "properties" in node else None)
    if kind == "object":
        required = set(node.get("required", []))
        properties = {}
        for prop, sub in node.get("properties", {}).items():
            converted = to_json_schema(sub, components, prop)
            properties[prop] = converted if prop in required else _nullable(converted)
        return {"type": "object", "additionalProperties": True, "properties": properties}
    if kind == "array":
        return {"type": "array", "items": to_json_schema(node.get("items", {}), components)}
    out: dict = {"type": kind} if kind else {}
    if kind == "string":
        if node.get("format") == "date":
            out["format"] = "date"
        elif name in DATE_TIME_FIELDS:
            out["format"] = "date-time"
    if kind == "integer" and node.get("format") == "int64":
        out["airbyte_type"] = "integer"
    return out


def stream_schemas() -> dict:
    components = _components()
    schemas = {}
    for stream, component in STREAM_SCHEMAS.items():
        schema = to_json_schema(components[component], components)
        schema["properties"].update(EXTRA_FIELDS.get(stream, {}))
        schemas[stream] = {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
    schemas.update(jira_schemas())
    return schemas


def schema_files() -> dict:
    """File stem -> schema: one per stream, and worklogs-with-jira (the worklogs schema with `jira.enrich_worklogs`)."""
    schemas = stream_schemas()
    return {**schemas, "worklogs-with-jira": worklogs_with_jira(schemas["worklogs"])}


def render() -> dict[str, str]:
    """File name -> content of every schema file: sorted keys, so that a regeneration rewrites a file only when
    the schema changes."""
    return {
        f"{stream}.json": json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        for stream, schema in schema_files().items()
    }


def main() -> int:
    files = render()
    SCHEMAS.mkdir(exist_ok=True)
    for stale in sorted(set(path.name for path in SCHEMAS.glob("*.json")) - set(files)):
        (SCHEMAS / stale).unlink()  # a stream taken out of STREAM_SCHEMAS
    for name, text in files.items():
        (SCHEMAS / name).write_text(text)
    print(json.dumps({stream: len(s["properties"]) for stream, s in stream_schemas().items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
