"""Keeps the saved cursor of every incremental stream at or before the moment its sync started.

Why: the CDK's cursors save the newest cursor value they observe, whatever it is. One worklog whose `updatedAt`
lay years ahead (a wrong clock at Tempo, an import with a made-up time) became the saved state, and every later
sync asked Tempo for changes after that future time: the edits made meanwhile were never read, and the syncs
succeeded. Neither the manifest nor the CDK can bound an observed value, so `CursorCeiling` sits in front of a
stream's cursor: a record whose cursor value is later than the sync's start is delivered unchanged, but the cursor
observes the sync's start instead. The next sync then reads from there (Tempo's `updatedFrom` is inclusive): it
reads that record again, and every change made since.

A value later than the sync's start is normal for a record changed while the sync runs, and a little ahead for a
Tempo clock ahead of this one; only a value more than an hour ahead of the clock here is from the future, and is
logged as a warning naming the stream and the record's key (the first ten records of a stream; then one line).
A saved state from the future (written by an earlier version) is left as it is (a sync must not move a state
back on its own) but is logged as a warning saying how to recover the records it skips.

How it is applied: `apply_to` replaces the `observe` method of the one cursor object of a CDK-built stream (the
concurrent read calls `stream.cursor.observe(record)` for every record, after queueing the record itself). Every
cursor type the streams use (ConcurrentCursor, the per-partition cursor, the worklogs cursors of cursors.py)
keeps its own bookkeeping; no private attribute is touched.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from airbyte_cdk.sources.types import Record

from source_tempo.components.transforms import to_utc_second

LOGGER = logging.getLogger("airbyte")

CLOCK_TOLERANCE = timedelta(hours=1)  # how far Tempo's clock may be ahead of this one before a value is "future"
NAMED_RECORDS = 10  # future records named per stream; any more are summed up in one line


def _second(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_utc_text(value: Any) -> str | None:
    """A cursor value as 'YYYY-MM-DD' (a day) or 'YYYY-MM-DDTHH:MM:SSZ' (UTC), or None when it is neither.

    Tempo's form ('...:SSZ', what UpdatedAtInUtc and WorklogDeletion write) is taken as it is: this runs for
    every record, and parsing each timestamp cost a tenth of a worklogs sync's CPU."""
    if type(value) is not str:
        return None
    if len(value) == 20 and value[10] == "T" and value[19] == "Z" or len(value) == 10 and value[4] == "-":
        return value
    try:
        return to_utc_second(value)
    except ValueError:
        return None  # a value the cursor cannot read either: it logs it


class CursorCeiling:
    """Caps what one stream's cursor observes at the sync's start, and warns about records from the future."""

    def __init__(self, stream: str, cursor_field: str, key: Iterable[str], started: datetime) -> None:
        self._stream = stream
        self._field = cursor_field
        self._key = list(key)
        self._second = _second(started)
        self._day = self._second[:10]
        self._future_records = 0
        self._lock = threading.Lock()  # the partitions of a stream are read by several threads

    @classmethod
    def apply_to(cls, stream: Any, started: datetime, saved_state: Mapping[str, Any] | None = None) -> None:
        """Puts a ceiling in front of the cursor of a CDK-built stream that has a cursor field."""
        cursor_field = getattr(stream, "cursor_field", None)
        cursor = getattr(stream, "cursor", None)
        if not cursor_field or cursor is None:
            return
        key = [path[0] for path in (stream.as_airbyte_stream().source_defined_primary_key or []) if path]
        ceiling = cls(stream.name, cursor_field, key, started)
        ceiling.warn_about_saved_state(saved_state or {})
        observe = type(cursor).observe  # the class's own, whatever the instance was given

        def observe_below_ceiling(record: Record) -> None:
            observe(cursor, ceiling.capped(record))

        cursor.observe = observe_below_ceiling

    def capped(self, record: Record) -> Record:
        """The record as the cursor should observe it: itself, or a copy whose cursor value is the sync's start."""
        value = _as_utc_text(record.data.get(self._field))
        if value is None:
            return record
        if len(value) == 10:
            if value <= self._day:
                return record
            ceiling = self._day
        elif value <= self._second:
            return record
        else:
            ceiling = self._second
        self._warn_if_future(record, value)
        return Record(
            data={**record.data, self._field: ceiling},
            stream_name=record.stream_name,
            associated_slice=record.associated_slice,
            file_reference=record.file_reference,
        )

    def _warn_if_future(self, record: Record, value: str) -> None:
        limit = _second(datetime.now(timezone.utc) + CLOCK_TOLERANCE)
        if value <= (limit[:10] if len(value) == 10 else limit):
            return  # changed during the sync, or stamped by a clock a little ahead: not worth a warning
        with self._lock:
            self._future_records += 1
            count = self._future_records
        if count <= NAMED_RECORDS:
            key = ", ".join(f"{name}={record.data.get(name)!r}" for name in self._key) or "without a primary key"
            LOGGER.warning(
                f"Stream {self._stream}: the record {key} has {self._field} {value}, which is in the future. It is "
                f"synced, but the saved state stays at this sync's start ({self._second}), so that the next sync "
                "still reads every change made from now on (and this record again)."
            )
        elif count == NAMED_RECORDS + 1:
            LOGGER.warning(
                f"Stream {self._stream}: more records have their {self._field} in the future; only the first "
                f"{NAMED_RECORDS} are named. They are synced too, and the saved state stays at this sync's start."
            )

    def warn_about_saved_state(self, state: Mapping[str, Any]) -> None:
        """A saved cursor from the future skips every change made before that time, in every sync."""
        nested = state.get("state")
        saved = state.get(self._field) or (nested.get(self._field) if isinstance(nested, Mapping) else None)
        value = _as_utc_text(saved)
        limit = _second(datetime.now(timezone.utc) + CLOCK_TOLERANCE)
        if value is not None and value > (limit[:10] if len(value) == 10 else limit):
            LOGGER.warning(
                f"Stream {self._stream}: the saved state's {self._field} {value} is in the future, so records "
                "changed before then are not read. It was probably saved from a record dated in the future by "
                "an earlier version of the connector: reset this stream (or clear its state) to read them."
            )
