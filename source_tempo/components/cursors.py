"""The worklogs cursor: checkpoints while its one partition is read, and a first sync split into windows.

Why not YAML: the manifest's DatetimeBasedCursor (a ConcurrentCursor once built) saves state only when a
partition closes, and worklogs are one partition (Tempo has no `updatedTo` to cut them into ranges); a first
sync of all history would then keep one request in flight and restart from zero when killed. The manifest cannot
name a cursor class, so SourceTempo turns the CDK-built cursor into one of these (`enable_on`, a class swap done
by source_tempo/cdk_internals.py, which also holds every access to the cursor's private state).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor
from airbyte_cdk.sources.types import Record

from source_tempo import cdk_internals
from source_tempo.components.tombstones import TOMBSTONE_FIELD, TombstonePartition, WorklogTombstones

LOGGER = logging.getLogger("airbyte")


class PageCheckpointingCursor(ConcurrentCursor):
    """A ConcurrentCursor that also checkpoints while its single partition is still being read.

    Why: the CDK's concurrent cursor emits state only when a partition closes, and worklogs are one
    partition (Tempo has no updatedTo to cut the history into windows). A sync killed after an hour
    would restart from zero. Because records arrive in ascending updatedAt and Tempo's updatedFrom is
    inclusive, the newest updatedAt seen so far is a safe resume point at any record boundary: state is
    emitted every `page_size` records, after those records (the concurrent message repository shares
    the record queue, so the order holds). If records ever arrive out of order, intermediate
    checkpoints stop and only the final state is written.

    It also keeps the newest value as text while records stream by: Tempo's 'YYYY-MM-DDTHH:MM:SSZ'
    compares correctly as a string, and parsing every record's timestamp was a tenth of a sync's CPU.
    """

    skips_tombstones = True  # WorklogTombstones adds its partition only over a cursor that skips tombstones
    checkpoint_every: int
    observed_since_checkpoint: int
    newest_text: dict  # id(slice) -> newest updatedAt seen, as text
    slices_by_id: dict  # id(slice) -> slice; a partition's records all carry its one slice object

    @classmethod
    def enable_on(cls, cursor: ConcurrentCursor, every: int) -> None:
        """Turns an existing ConcurrentCursor (built by the CDK from the manifest) into this class."""
        cdk_internals.swap_class(cursor, cls)
        cursor.checkpoint_every = max(1, every)
        cursor.observed_since_checkpoint = 0
        cursor.newest_text = {}
        cursor.slices_by_id = {}

    def has_saved_position(self) -> bool:
        """Whether the sync resumes from a saved cursor rather than starting from the beginning."""
        return self.start > (cdk_internals.cursor_start(self) or cdk_internals.state_converter(self).zero_value)

    def observe(self, record: Record) -> None:
        if TOMBSTONE_FIELD in record.data:
            return  # a deletion's time is not worklogs progress (see WorklogTombstones)
        if not self.observe_text(record):
            super().observe(record)
        self.observed_since_checkpoint += 1
        if self.observed_since_checkpoint >= self.checkpoint_every and cdk_internals.records_in_order(self):
            self.observed_since_checkpoint = 0
            self.publish_newest()
            newest = cdk_internals.newest_per_partition(self).get(record.associated_slice)
            if newest is not None:
                self.emit_checkpoint(newest)

    def observe_text(self, record: Record) -> bool:
        """Keeps the newest updatedAt as text, keyed by the slice's identity: hashing a slice serialises it,
        which per record cost more than the rest of the bookkeeping. False for a value not in Tempo's form."""
        value = record.data.get(self.cursor_field.cursor_field_key)
        if not (type(value) is str and len(value) == 20 and value[19] == "Z" and value[10] == "T"):
            return False
        slice_id = id(record.associated_slice)
        newest = self.newest_text.get(slice_id)
        if newest is None:
            self.slices_by_id[slice_id] = record.associated_slice
            self.newest_text[slice_id] = value
        elif value > newest:
            self.newest_text[slice_id] = value
        elif value < newest:
            cdk_internals.mark_out_of_order(self)
        return True

    def close_partition(self, partition: Any) -> None:
        if isinstance(partition, TombstonePartition):
            with cdk_internals.cursor_lock(
                self
            ):  # its tombstones are all out: the next sync's deletions start after them
                legacy = cdk_internals.cursor_state(self).setdefault("legacy", {})
                if isinstance(legacy, dict):
                    legacy[WorklogTombstones.STATE_KEY] = partition.next_from
                    cdk_internals.emit_cursor_state(self)
            return
        self.publish_newest()
        super().close_partition(partition)

    def publish_newest(self) -> None:
        """Hands the newest values kept as text to the CDK's own bookkeeping, parsed."""
        for slice_id, text in list(self.newest_text.items()):  # other threads add windows meanwhile
            key = self.slices_by_id[slice_id]
            parsed = cdk_internals.state_converter(self).parse_value(text)
            current = cdk_internals.newest_per_partition(self).get(key)
            if current is None or parsed > current:
                cdk_internals.newest_per_partition(self)[key] = parsed

    def emit_checkpoint(self, newest: Any) -> None:
        """Records [start, newest] as done in the cursor's own state (so that a later failure, whose closing
        state message the CDK builds from it, keeps the checkpoint), then emits it."""
        converter = cdk_internals.state_converter(self)
        with cdk_internals.cursor_lock(self):
            cdk_internals.cursor_state(self).setdefault("slices", []).append(
                {converter.START_KEY: self.start, converter.END_KEY: newest, converter.MOST_RECENT_RECORD_KEY: newest}
            )
            cdk_internals.merge_cursor_slices(self)
            cdk_internals.emit_cursor_state(self)


class FirstSyncPartitioningCursor(PageCheckpointingCursor):
    """Reads a first sync of worklogs as several startDate windows at once; later syncs as one.

    Why: keyset paging is sequential (each page starts where the last ended), so one partition keeps one
    request in flight, and Tempo's latency (~0.6 s) then leaves most of the 5 requests/second unused. A
    first sync reads all history, so it is split into `from`/`to` windows of startDate, each paged by
    updatedAt on its own, several in flight under the one api_budget. Incremental syncs stay one partition:
    they are small, and one request per window would cost more than it saves.

    State: `updatedAt` stays the one resume point other syncs use: while windows are open it is the least
    progress among them (the start, while one has delivered nothing). Beside it, `first_sync` records each
    window's own progress, so a first sync that is killed resumes every window where it stopped rather than
    from the slowest one. When every window is done, `first_sync` goes and `updatedAt` becomes the newest
    updatedAt seen, but never later than an hour before the first sync started: a worklog edited during the
    sync can move to a window already read (its startDate changed), and it then has an updatedAt after the
    start, which the next sync reads. The hour covers a clock difference between Tempo and this machine.
    """

    STATE_KEY = "first_sync"
    DONE = "done"

    windows: dict
    slice_windows: dict
    started_at: str
    newest_seen: str | None
    windows_lock: threading.Lock

    @classmethod
    def enable_on(  # type: ignore[override]
        cls, cursor: ConcurrentCursor, every: int, windows: int = 6, start_date: str | None = None
    ) -> None:
        super().enable_on(cursor, every)
        cursor.slice_windows, cursor.newest_seen, cursor.windows_lock = {}, None, threading.Lock()
        saved = cursor.legacy_state().get(cls.STATE_KEY)
        if isinstance(saved, dict) and isinstance(saved.get("windows"), dict):
            cursor.windows, cursor.started_at = dict(saved["windows"]), str(saved.get("started_at"))
        elif windows > 1 and not cursor.has_saved_position():
            now = datetime.now(timezone.utc)
            cursor.windows = {
                f"{low or ''}..{high or ''}": None for low, high in startdate_windows(start_date, now.date(), windows)
            }
            cursor.started_at = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            cursor.windows = {}

    def legacy_state(self) -> dict:
        legacy = cdk_internals.cursor_state(self).setdefault("legacy", {})
        return legacy if isinstance(legacy, dict) else {}

    def stream_slices(self) -> Iterable[Any]:
        if not self.windows:
            yield from super().stream_slices()
            return
        start_key = cdk_internals.slice_start_key(self)
        for whole in super().stream_slices():
            for key, progress in list(self.windows.items()):
                if progress == self.DONE:
                    continue
                low, _, high = key.partition("..")
                window = {name: value for name, value in (("from", low), ("to", high)) if value}
                cursor_slice = {**whole.cursor_slice, **({start_key: progress} if progress else {})}
                piece = type(whole)(partition=window, cursor_slice=cursor_slice)
                self.slice_windows[piece] = key
                yield piece

    def observe(self, record: Record) -> None:
        if not self.windows:
            super().observe(record)
            return
        self.observe_text(record)  # order is checked per window; a value not in Tempo's form is not progress
        self.observed_since_checkpoint += 1
        if self.observed_since_checkpoint >= self.checkpoint_every:
            self.observed_since_checkpoint = 0
            self.checkpoint_windows()

    def close_partition(self, partition: Any) -> None:
        if not self.windows:
            super().close_partition(partition)
            return
        self.checkpoint_windows(finished=self.slice_windows.get(partition.to_slice()))
        cdk_internals.mark_slice_closed(self)

    def checkpoint_windows(self, finished: str | None = None) -> None:
        with self.windows_lock:
            for slice_id, text in list(self.newest_text.items()):
                key = self.slice_windows.get(self.slices_by_id.get(slice_id))
                progress = self.windows.get(key)
                if key is not None and progress != self.DONE and (progress is None or text > progress):
                    self.windows[key] = text
                if self.newest_seen is None or text > self.newest_seen:
                    self.newest_seen = text
            for progress in self.windows.values():
                if progress not in (None, self.DONE) and (self.newest_seen is None or progress > self.newest_seen):
                    self.newest_seen = progress
            if finished is not None:
                self.windows[finished] = self.DONE
            open_progress = [progress for progress in self.windows.values() if progress != self.DONE]
            legacy = self.legacy_state()
            # Worklogs of windows already read may be edited later: their new updatedAt is after the start,
            # so no resume point may pass it, while windows are open or once all are done.
            started = datetime.strptime(self.started_at, "%Y-%m-%dT%H:%M:%SZ")
            ceiling = (started - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            if open_progress:
                legacy[self.STATE_KEY] = {"started_at": self.started_at, "windows": dict(self.windows)}
                resume_at = None if None in open_progress else min(min(open_progress), ceiling)
            else:
                legacy.pop(self.STATE_KEY, None)
                resume_at = min(self.newest_seen, ceiling) if self.newest_seen else None
            if resume_at is None:
                cdk_internals.emit_cursor_state(self)
            else:
                self.emit_checkpoint(cdk_internals.state_converter(self).parse_value(resume_at))


def startdate_windows(start_date: str | None, today: Any, count: int) -> list[tuple[str | None, str | None]]:
    """`count` equal startDate windows from start_date (else five years back) to today, inclusive bounds.

    Without a start_date, one more window takes everything older; the last window is open-ended, so
    worklogs dated in the future are read too.
    """
    lower = datetime.strptime(start_date, "%Y-%m-%d").date() if start_date else today - timedelta(days=5 * 365)
    span = (today - lower).days
    count = max(1, min(count, span))
    edges = [lower + timedelta(days=span * index // count) for index in range(count)]
    windows: list[tuple[str | None, str | None]] = []
    if not start_date:
        windows.append((None, (edges[0] - timedelta(days=1)).isoformat()))
    for index, edge in enumerate(edges):
        upper = edges[index + 1] - timedelta(days=1) if index + 1 < len(edges) else None
        windows.append((edge.isoformat(), upper.isoformat() if upper else None))
    return windows
