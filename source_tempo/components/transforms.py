"""Record transformations the manifest's AddFields/RemoveFields cannot do without changing values.

Why not YAML: AddFields renders every value to text and parses it back, so it cannot convert a timestamp's
offset to UTC reliably (`UpdatedAtInUtc`) nor make a record of a whole audit event without flattening it
(`WorklogDeletion`). `to_utc_second` is the one timestamp normaliser every module uses.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping, MutableMapping

from airbyte_cdk.sources.declarative.transformations import RecordTransformation
from airbyte_cdk.sources.types import Config

LOGGER = logging.getLogger("airbyte")


_UTC_SECOND = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?Z?$")


def to_utc_second(value: str) -> str:
    """Tempo's timestamps to 'YYYY-MM-DDTHH:MM:SSZ' in UTC, the precision updatedFrom understands."""
    utc = _UTC_SECOND.match(value)
    if utc:
        return utc.group(1) + "Z"
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class UpdatedAtInUtc(RecordTransformation):
    """Rewrites an `updatedAt` that carries a UTC offset into UTC ('...Z').

    Why: the cursor formats its state with a literal 'Z'; a value like '10:30:00+02:00' would be saved
    as '10:30:00Z', two hours ahead, and the next sync would skip those two hours of edits. Tempo sends
    UTC today, so this is a cheap check that almost never rewrites anything.
    """

    field_name: str = "updatedAt"

    def transform(
        self,
        record: MutableMapping[str, Any],
        config: Config | None = None,
        stream_state: Mapping[str, Any] | None = None,
        stream_slice: Any | None = None,
    ) -> None:
        value = record.get(self.field_name)
        if isinstance(value, str) and not value.endswith("Z"):
            try:
                record[self.field_name] = to_utc_second(value)
            except ValueError:
                pass  # left as sent; the cursor logs a record whose cursor value it cannot read


@dataclass
class WorklogDeletion(RecordTransformation):
    """Turns a papertrail `Deleted` event of a worklog into a worklog-deletions record.

    The record is `{tempoWorklogId, deletedAt, author, event}`: the worklog's id as an integer (the event's
    entityId is a string), the event time in UTC seconds ('...Z', the cursor's format), who deleted it, and
    the whole event as Tempo sent it. Why not AddFields: it renders every value to text and parses it back,
    so a copy of the whole event would be re-parsed from its repr, and the event's own fields would stay at
    the top level (fields Tempo adds later too) unless each were removed by name.
    """

    def transform(
        self,
        record: MutableMapping[str, Any],
        config: Config | None = None,
        stream_state: Mapping[str, Any] | None = None,
        stream_slice: Any | None = None,
    ) -> None:
        event = dict(record)
        record.clear()
        record["tempoWorklogId"] = int(event["entityId"])
        record["deletedAt"] = to_utc_second(event["timestamp"])
        record["author"] = event.get("author")
        record["event"] = event
