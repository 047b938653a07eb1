"""Streams whose rows are parts of another stream's records: plan-days (a plan's days) and worklog-attribute-values
(a worklog's work attribute values), read from the very pages of plans and worklogs.

Why not YAML: an extractor or transformation of the manifest yields one record per record of the page; these
streams yield several rows per record (none for a plan without planned days or a worklog without attributes), and
each row keeps keys of its record (the plan's id and assignee, the worklog's id and updatedAt).

Why the same pages rather than other endpoints: a warehouse needs these rows exactly as current as the records they
come from, so they follow the same cursor (updatedAt) and requests. Tempo has no endpoint for plan days without
their plans, and /4/worklogs/work-attribute-values/search needs the worklog ids first (a worklogs read) and has no
change filter of its own. What each costs in requests is in the manifest, by each stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, MutableMapping

import requests

from source_tempo.components.paging import DropRepeatedAnchor, TempoResultsExtractor


def plan_day_rows(plan: Mapping[str, Any]) -> Iterable[MutableMapping[str, Any]]:
    """One row per day of the plan's daily breakdown (`plannedTime.days`, sent when `plannedTimeBreakdown=DAILY`)."""
    days = ((plan.get("plannedTime") or {}).get("days") or {}).get("values") or []
    assignee = plan.get("assignee") or {}
    item = plan.get("planItem") or {}
    for day in days:
        yield {
            "planId": plan.get("id"),
            "date": day.get("date"),
            "plannedSeconds": day.get("plannedSeconds"),
            "assigneeId": assignee.get("id"),
            "assigneeType": assignee.get("type"),
            "planItemId": item.get("id"),
            "planItemType": item.get("type"),
            "updatedAt": plan.get("updatedAt"),
        }


@dataclass
class PlanDays(TempoResultsExtractor):
    """The rows of every plan of a page of GET /plans: planId + date identify a row.

    The page checks of TempoResultsExtractor apply to the plans first. The offset paginator counts the plans Tempo
    served (OffsetUntilNoNext), not these rows, so paging is the plans stream's.
    """

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        for plan in super().extract_records(response):
            yield from plan_day_rows(plan)


def attribute_value_rows(worklog: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """One row per value in the worklog's `attributes.values`: tempoWorklogId + key identify a row."""
    for value in (worklog.get("attributes") or {}).get("values") or []:
        if isinstance(value, Mapping) and value.get("key") is not None:
            yield {
                "tempoWorklogId": worklog.get("tempoWorklogId"),
                "key": value["key"],
                "value": value.get("value"),
                "updatedAt": worklog.get("updatedAt"),
            }


@dataclass
class WorklogAttributeValueRows(DropRepeatedAnchor):
    """The worklogs of a page of POST /worklogs/search that DropRepeatedAnchor passes on, as attribute value rows.

    A filter rather than an extractor: the repeated anchor of the keyset paging is recognised on whole worklogs
    (their tempoWorklogId and updatedAt), so the rows are made after that, from the worklogs that are new.
    """

    def filter_records(
        self,
        records: Iterable[Mapping[str, Any]],
        stream_state: Mapping[str, Any],
        stream_slice: Any | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        for worklog in super().filter_records(records, stream_state, stream_slice, next_page_token):
            yield from attribute_value_rows(worklog)
