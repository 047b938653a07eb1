"""The few behaviours of source-tempo that the declarative manifest cannot express.

Each class says why YAML is not enough. Everything else (requests, auth, retries, rate budget,
the cursor) lives in manifest.yaml, and the record schemas in schemas/.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping, MutableMapping, Union
from urllib.parse import parse_qs, urlsplit, urlunsplit

import orjson
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.extractors.record_extractor import RecordExtractor
from airbyte_cdk.sources.declarative.extractors.record_filter import RecordFilter
from airbyte_cdk.sources.declarative.interpolation import InterpolatedString
from airbyte_cdk.sources.declarative.migrations.state_migration import StateMigration
from airbyte_cdk.sources.declarative.requesters.paginators.strategies.pagination_strategy import (
    PaginationStrategy,
)
from airbyte_cdk.sources.declarative.transformations import RecordTransformation
from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.streams.concurrent.partitions.partition_generator import PartitionGenerator
from airbyte_cdk.sources.types import Config, Record, StreamSlice
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tempo.http_faults import json_body

LOGGER = logging.getLogger("airbyte")

_BODY_ATTRIBUTE = "_tempo_body"
_IGNORED_PAGING_ATTRIBUTE = "_tempo_ignored_paging"


def public_url(response: requests.Response) -> str:
    """The request URL without query string or user info, safe to show in an error message."""
    parts = urlsplit(response.url or "")
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))


def tempo_body(response: requests.Response) -> Mapping[str, Any]:
    """Parses a Tempo list response once and keeps it on the response for the paginator.

    The extractor and the pagination strategy both need the body; parsing a 5000-record page twice
    costs more than everything else the connector does with it. (The error handler has already parsed it,
    and retried a body that is not JSON: see source_tempo/http_faults.py.)
    """
    body = getattr(response, _BODY_ATTRIBUTE, None)
    if body is None:
        try:
            body = json_body(response)
        except orjson.JSONDecodeError:
            raise AirbyteTracedException(
                message=(
                    f"Tempo returned a response that is not valid JSON for {public_url(response)} "
                    f"(HTTP {response.status_code}, content type {response.headers.get('Content-Type', 'unknown')!r}). "
                    "This is usually a temporary fault of Tempo or of a proxy in between: run the sync again."
                ),
                internal_message=f"invalid JSON body from {public_url(response)}",
                failure_type=FailureType.transient_error,
            ) from None
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise AirbyteTracedException(
                message=(
                    f"Tempo returned an unexpected body for {public_url(response)}: expected an object with a "
                    "'results' list. Check that `api_url` points at Tempo's REST API v4 (it ends in /4)."
                ),
                internal_message=f"unexpected body from {public_url(response)}",
                failure_type=FailureType.system_error,
            )
        setattr(response, _BODY_ATTRIBUTE, body)
    return body


def _requested_int(response: requests.Response, name: str) -> int | None:
    """A paging parameter as sent: from the query string, or from the JSON body (generic-resources pages there)."""
    if response.request is None:
        return None
    values: list[Any] | None = parse_qs(urlsplit(response.request.url or "").query).get(name)
    if not values and response.request.body:
        try:
            body = orjson.loads(response.request.body)
        except orjson.JSONDecodeError:
            body = None
        values = [body[name]] if isinstance(body, dict) and name in body else None
    try:
        return int(values[0]) if values else None
    except (TypeError, ValueError):
        return None


@dataclass
class TempoResultsExtractor(RecordExtractor):
    """Yields `results` of a Tempo list page, refusing a page that would duplicate records.

    Why not a DpathExtractor: a server (or proxy) that ignores `offset` answers every page with the first
    page again while `metadata.next` still promises more. Records are emitted before the paginator sees
    the response, so the check must happen here, before any record of that page leaves.
    """

    config: Config
    parameters: InitVar[Mapping[str, Any]]
    # With plain offset paging, a first page shorter than the limit held the whole list. With keyset
    # paging (worklogs) the offset counts from updatedFrom, so that shortcut would drop records.
    short_first_page_is_complete: bool = True

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._stream = parameters.get("name", "")

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        body = tempo_body(response)
        requested = _requested_int(response, "offset") or 0
        served = (body.get("metadata") or {}).get("offset")
        if requested and served is not None and served != requested:
            limit = _requested_int(response, "limit") or 0
            if self.short_first_page_is_complete and requested < limit:
                # The first page was shorter than the limit, so it already held every record.
                LOGGER.warning(
                    f"Stream {self._stream}: Tempo ignored offset={requested} at {public_url(response)} and "
                    f"answered offset={served}; the first page was complete, so paging stops here."
                )
                setattr(response, _IGNORED_PAGING_ATTRIBUTE, True)
                return []
            raise AirbyteTracedException(
                message=(
                    f"Stream {self._stream}: Tempo ignored the paging parameters at {public_url(response)} "
                    f"(asked for offset {requested}, got offset {served}). Stopping so that no record is "
                    "duplicated; if a proxy sits in front of Tempo, make it pass the query string through."
                ),
                failure_type=FailureType.system_error,
            )
        return body["results"]


@dataclass
class _ConfiguredPageSize(PaginationStrategy):
    """What Tempo's two paging strategies share: the page size comes from the config (validated before any stream
    is built: source_tempo/config.py)."""

    config: Config
    page_size: Union[str, int]
    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._page_size = int(InterpolatedString.create(str(self.page_size), parameters=parameters).eval(self.config))

    @property
    def initial_token(self) -> Any | None:
        return None

    def get_page_size(self) -> int | None:
        return self._page_size


@dataclass
class OffsetUntilNoNext(_ConfiguredPageSize):
    """offset/limit paging that ends when Tempo's `metadata.next` is absent.

    Why not OffsetIncrement: it stops at the first page shorter than the requested limit, which loses
    records when Tempo clamps `limit` below what was asked (pages of 1000 when 5000 were requested).
    And why not CursorPagination on `next`: that URL names Tempo's public host (wrong behind a proxy or
    in the sandbox) and the CDK would send the bearer token to whatever host it names. So the next
    offset is computed from what was actually received, against the configured host.
    """

    def next_page_token(
        self,
        response: requests.Response,
        last_page_size: int,
        last_record: Record | None,
        last_page_token_value: Any | None,
        page_size_override: int | None = None,
    ) -> Any | None:
        if getattr(response, _IGNORED_PAGING_ATTRIBUTE, False) or last_page_size == 0:
            return None
        metadata = tempo_body(response).get("metadata") or {}
        if not metadata.get("next"):
            return None
        if last_page_size > (page_size_override or self._page_size):
            # More records than asked for: Tempo ignored `limit` and sent the whole list at once.
            return None
        return (last_page_token_value or 0) + last_page_size


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
class UpdatedAtKeysetPagination(_ConfiguredPageSize):
    """Pages through worklogs in updatedAt order by advancing `updatedFrom`, not by offset alone.

    Why: offset paging over a set that changes while it is read skips records. An edit moves a worklog
    to the end of UPDATED order; with plain offsets every later record shifts one place to the front
    and the record at the page boundary is never seen. Tempo has no updatedTo, so date slices would
    re-read everything after their start. Design:

    * Every request asks POST /worklogs/search for `updatedFrom=T` (inclusive, second precision),
      ordered by UPDATED ascending, with `offset=k-1`, where T is the updatedAt second of the last
      record delivered (the anchor) and k is how many records of second T have been delivered so far.
      Memory is a few numbers, however many records share one second (a bulk import gives thousands).
    * So each page should start with the anchor, which DropRepeatedAnchor keeps from being emitted
      twice. If it does not, records of second T left it while we paged (edited, so moved to a later
      updatedAt, or deleted) and the unseen ones slid in front of our offset: the next request steps
      back by a page (still `updatedFrom=T`) until a page holds the anchor again, and the filter
      passes on only what comes after it. If the anchor itself left, second T is read again from
      offset 0. Either way records can repeat (the destination deduplicates on tempoWorklogId), but
      none is skipped. After `max_step_backs` re-reads within one second the stream fails as a transient
      error (everything before is checkpointed) rather than page forever.
    * Edits made while the sync runs move worklogs to a later updatedAt, so this sync meets them again
      further on, or the next sync (state <= their new updatedAt) does.
    * The stream ends when Tempo's `metadata.next` is absent. Records out of updatedAt order fail the
      stream, since neither this paging nor the page checkpoints would then be safe.

    Assumes Tempo orders records of one second in a stable order, with new worklogs last (the sandbox:
    by id). The position lives in the page token, not on the instance, as one strategy serves every thread.
    """

    max_step_backs: int = 10
    cursor_field: str = field(default="updatedAt")
    id_field: str = field(default="tempoWorklogId")

    def next_page_token(
        self,
        response: requests.Response,
        last_page_size: int,
        last_record: Record | None,
        last_page_token_value: Any | None,
        page_size_override: int | None = None,
    ) -> Mapping[str, Any] | None:
        body = tempo_body(response)
        records = body["results"]
        token = last_page_token_value or {}
        requested_from = token.get("updated_from")
        offset = token.get("offset", 0)

        step_backs = token.get("step_backs", 0)
        if token.get("anchor_id") is not None and offset > 0 and self._anchor_index(records, token) is None:
            if step_backs >= self.max_step_backs:
                raise AirbyteTracedException(
                    message=(
                        f"Worklogs updated at {requested_from} kept changing while this sync read them "
                        f"({step_backs} re-reads). Every worklog delivered so far is checkpointed: run the sync "
                        "again to continue from there."
                    ),
                    failure_type=FailureType.transient_error,
                )
            served_limit = (body.get("metadata") or {}).get("limit") or page_size_override or self._page_size
            LOGGER.info(
                f"Worklogs updated at {requested_from} changed while being read; stepping back to find the "
                "last worklog delivered."
            )
            return {**token, "offset": max(0, offset - max(1, served_limit - 1)), "step_backs": step_backs + 1}

        if not records or not (body.get("metadata") or {}).get("next"):
            return None

        seconds = [to_utc_second(record[self.cursor_field]) for record in records]
        if any(earlier > later for earlier, later in zip(seconds, seconds[1:])) or (
            requested_from and seconds[0] < requested_from
        ):
            raise AirbyteTracedException(
                message=(
                    f"Tempo returned worklogs out of updatedAt order at {public_url(response)}, so the sync cannot "
                    "page through them without losing records. Please report this with the time of the sync."
                ),
                failure_type=FailureType.system_error,
            )
        last_second = seconds[-1]
        delivered_at_last_second = len(seconds) - seconds.index(last_second)
        if last_second == requested_from:
            delivered_at_last_second += offset  # the records before this page's offset were all of this second too
        return {
            "updated_from": last_second,
            "offset": delivered_at_last_second - 1,
            "anchor_id": records[-1][self.id_field],
            # re-reads are bounded per second: a second whose order never settles must not page forever
            "step_backs": step_backs if last_second == requested_from else 0,
        }

    def _anchor_index(self, records: list, token: Mapping[str, Any]) -> int | None:
        for index, record in enumerate(records):
            if to_utc_second(record[self.cursor_field]) != token["updated_from"]:
                return None
            if record.get(self.id_field) == token["anchor_id"]:
                return index
        return None


@dataclass
class DropRepeatedAnchor(RecordFilter):
    """Passes on only the worklogs that come after the last one delivered, when a page repeats it.

    UpdatedAtKeysetPagination asks every page to start with the anchor (the last record of the last page
    that was in order), and after an edit under it, steps back to a page that holds the anchor further in.
    The records up to and including the anchor were delivered already. This filter mirrors the paginator,
    per slice (one slice is read by one thread at a time; the CDK does not hand the page token to filters):
    * a page holding the anchor: drop it and what precedes it; the page's last record is the new anchor;
    * a page without it, starting with the last record passed on: drop that one repeat (the paginator gave
      up an anchor that left its second and went on from the page after);
    * any other page (records slid in front of the offset): pass everything, keep the anchor, since the
      paginator steps back to it. Dropping up to the last record passed on instead would skip the worklogs
      between the anchor and that record.
    A record is the anchor only if both tempoWorklogId and updatedAt match, so a newer version of it is
    never dropped.
    """

    condition: str = ""

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        super().__post_init__(parameters)
        self._anchor_by_slice: dict[str, tuple[Any, Any]] = {}
        self._last_by_slice: dict[str, tuple[Any, Any]] = {}

    def filter_records(
        self,
        records: Iterable[Mapping[str, Any]],
        stream_state: Mapping[str, Any],
        stream_slice: Any | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        key = repr(stream_slice)
        page = list(records)
        if not page:
            return
        versions = [(record.get("tempoWorklogId"), record.get("updatedAt")) for record in page]
        anchor = self._anchor_by_slice.get(key)
        start = None
        if anchor is not None and anchor in versions:
            start = versions.index(anchor) + 1
        elif versions[0] == self._last_by_slice.get(key):
            start = 1
        if start is not None or anchor is None:
            self._anchor_by_slice[key] = versions[-1]
        self._last_by_slice[key] = versions[-1]
        yield from page[start or 0 :]


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

    _checkpoint_every: int
    _observed_since_checkpoint: int
    _newest_text: dict  # id(slice) -> newest updatedAt seen, as text
    _slices: dict  # id(slice) -> slice; a partition's records all carry its one slice object

    @classmethod
    def enable_on(cls, cursor: ConcurrentCursor, every: int) -> None:
        """Turns an existing ConcurrentCursor (built by the CDK from the manifest) into this class."""
        cursor.__class__ = cls
        cursor._checkpoint_every = max(1, every)
        cursor._observed_since_checkpoint = 0
        cursor._newest_text = {}
        cursor._slices = {}

    def has_saved_position(self) -> bool:
        """Whether the sync resumes from a saved cursor rather than starting from the beginning."""
        return self.start > (self._start or self._connector_state_converter.zero_value)

    def observe(self, record: Record) -> None:
        if TOMBSTONE_FIELD in record.data:
            return  # a deletion's time is not worklogs progress (see WorklogTombstones)
        if not self._observe_text(record):
            super().observe(record)
        self._observed_since_checkpoint += 1
        if self._observed_since_checkpoint >= self._checkpoint_every and self._is_ascending_order:
            self._observed_since_checkpoint = 0
            self._publish_newest()
            newest = self._most_recent_cursor_value_per_partition.get(record.associated_slice)
            if newest is not None:
                self._emit_checkpoint(newest)

    def _observe_text(self, record: Record) -> bool:
        """Keeps the newest updatedAt as text, keyed by the slice's identity: hashing a slice serialises it,
        which per record cost more than the rest of the bookkeeping. False for a value not in Tempo's form."""
        value = record.data.get(self.cursor_field.cursor_field_key)
        if not (type(value) is str and len(value) == 20 and value[19] == "Z" and value[10] == "T"):
            return False
        slice_id = id(record.associated_slice)
        newest = self._newest_text.get(slice_id)
        if newest is None:
            self._slices[slice_id] = record.associated_slice
            self._newest_text[slice_id] = value
        elif value > newest:
            self._newest_text[slice_id] = value
        elif value < newest:
            self._is_ascending_order = False
        return True

    def close_partition(self, partition: Any) -> None:
        if isinstance(partition, TombstonePartition):
            with self._lock:  # its tombstones are all out: the next sync's deletions start after them
                legacy = self._concurrent_state.setdefault("legacy", {})
                if isinstance(legacy, dict):
                    legacy[WorklogTombstones.STATE_KEY] = partition.next_from
                    self._emit_state_message()
            return
        self._publish_newest()
        super().close_partition(partition)

    def _publish_newest(self) -> None:
        """Hands the newest values kept as text to the CDK's own bookkeeping, parsed."""
        for slice_id, text in list(self._newest_text.items()):  # other threads add windows meanwhile
            key = self._slices[slice_id]
            parsed = self._connector_state_converter.parse_value(text)
            current = self._most_recent_cursor_value_per_partition.get(key)
            if current is None or parsed > current:
                self._most_recent_cursor_value_per_partition[key] = parsed

    def _emit_checkpoint(self, newest: Any) -> None:
        """Records [start, newest] as done in the cursor's own state (so that a later failure, whose closing
        state message the CDK builds from it, keeps the checkpoint), then emits it."""
        converter = self._connector_state_converter
        with self._lock:
            self._concurrent_state.setdefault("slices", []).append(
                {converter.START_KEY: self.start, converter.END_KEY: newest, converter.MOST_RECENT_RECORD_KEY: newest}
            )
            self._merge_partitions()
            self._emit_state_message()


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

    _windows: dict
    _slice_windows: dict
    _started_at: str
    _newest_seen: str | None
    _windows_lock: threading.Lock

    @classmethod
    def enable_on(  # type: ignore[override]
        cls, cursor: ConcurrentCursor, every: int, windows: int = 6, start_date: str | None = None
    ) -> None:
        super().enable_on(cursor, every)
        cursor._slice_windows, cursor._newest_seen, cursor._windows_lock = {}, None, threading.Lock()
        saved = cursor._legacy_state().get(cls.STATE_KEY)
        if isinstance(saved, dict) and isinstance(saved.get("windows"), dict):
            cursor._windows, cursor._started_at = dict(saved["windows"]), str(saved.get("started_at"))
        elif windows > 1 and not cursor.has_saved_position():
            now = datetime.now(timezone.utc)
            cursor._windows = {
                f"{low or ''}..{high or ''}": None for low, high in startdate_windows(start_date, now.date(), windows)
            }
            cursor._started_at = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            cursor._windows = {}

    def _legacy_state(self) -> dict:
        legacy = self._concurrent_state.setdefault("legacy", {})
        return legacy if isinstance(legacy, dict) else {}

    def stream_slices(self) -> Iterable[Any]:
        if not self._windows:
            yield from super().stream_slices()
            return
        start_key = self._slice_boundary_fields_wrapper[self._START_BOUNDARY]
        for whole in super().stream_slices():
            for key, progress in list(self._windows.items()):
                if progress == self.DONE:
                    continue
                low, _, high = key.partition("..")
                window = {name: value for name, value in (("from", low), ("to", high)) if value}
                cursor_slice = {**whole.cursor_slice, **({start_key: progress} if progress else {})}
                piece = type(whole)(partition=window, cursor_slice=cursor_slice)
                self._slice_windows[piece] = key
                yield piece

    def observe(self, record: Record) -> None:
        if not self._windows:
            super().observe(record)
            return
        self._observe_text(record)  # order is checked per window; a value not in Tempo's form is not progress
        self._observed_since_checkpoint += 1
        if self._observed_since_checkpoint >= self._checkpoint_every:
            self._observed_since_checkpoint = 0
            self._checkpoint_windows()

    def close_partition(self, partition: Any) -> None:
        if not self._windows:
            super().close_partition(partition)
            return
        self._checkpoint_windows(finished=self._slice_windows.get(partition.to_slice()))
        self._has_closed_at_least_one_slice = True

    def _checkpoint_windows(self, finished: str | None = None) -> None:
        with self._windows_lock:
            for slice_id, text in list(self._newest_text.items()):
                key = self._slice_windows.get(self._slices.get(slice_id))
                progress = self._windows.get(key)
                if key is not None and progress != self.DONE and (progress is None or text > progress):
                    self._windows[key] = text
                if self._newest_seen is None or text > self._newest_seen:
                    self._newest_seen = text
            for progress in self._windows.values():
                if progress not in (None, self.DONE) and (self._newest_seen is None or progress > self._newest_seen):
                    self._newest_seen = progress
            if finished is not None:
                self._windows[finished] = self.DONE
            open_progress = [progress for progress in self._windows.values() if progress != self.DONE]
            legacy = self._legacy_state()
            # Worklogs of windows already read may be edited later: their new updatedAt is after the start,
            # so no resume point may pass it, while windows are open or once all are done.
            started = datetime.strptime(self._started_at, "%Y-%m-%dT%H:%M:%SZ")
            ceiling = (started - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            if open_progress:
                legacy[self.STATE_KEY] = {"started_at": self._started_at, "windows": dict(self._windows)}
                resume_at = None if None in open_progress else min(min(open_progress), ceiling)
            else:
                legacy.pop(self.STATE_KEY, None)
                resume_at = min(self._newest_seen, ceiling) if self._newest_seen else None
            if resume_at is None:
                self._emit_state_message()
            else:
                self._emit_checkpoint(self._connector_state_converter.parse_value(resume_at))


TOMBSTONE_FIELD = "_ab_cdc_deleted_at"


def partition_factory(stream: Any) -> Any | None:
    """The DeclarativePartitionFactory behind a CDK-built DefaultStream (its retriever reads each partition), or
    None when the stream is not built that way. CDK 7 keeps it private; this is the one place that reaches it."""
    return getattr(getattr(stream, "_stream_partition_generator", None), "_partition_factory", None)


class WorklogTombstones(PartitionGenerator):
    """Adds to an incremental worklogs sync one more partition: the worklogs deleted since its cursor, as tombstones.

    Why: Tempo's worklog search returns only worklogs that exist, so a deleted worklog would stay in the
    destination for ever. Its deletion is in Tempo's audit log (what the worklog-deletions stream reads). Sent
    in the worklogs stream as `{tempoWorklogId, updatedAt, _ab_cdc_deleted_at}`, it makes Append + Deduped
    destinations drop the row: they keep the record with the newest cursor per key and delete the key when
    that record has `_ab_cdc_deleted_at`. `updatedAt` is the deletion time, so that the tombstone is the newest
    (one without a cursor value would lose to the live row). Why Python: a manifest stream reads one endpoint;
    the audit-log requests reuse the worklog-deletions stream's retriever (paging, retries, the event filter).

    The window starts where the previous sync's audit-log read ended, less an hour for the difference between
    Tempo's clock and this one: the state keeps it as `tombstones_from`, written when the tombstones are all
    sent. Without it (the first incremental sync) the window starts where the worklogs partition starts (the
    saved cursor less the lookback): a deletion before that was in the audit log when the previous sync ran.
    Tempo keeps audit events 180 days: an older start is moved up to `oldest_from`, with a warning. A first sync
    (no saved cursor, or one read in startDate windows) has no tombstones: it reads only worklogs that exist,
    and deletions during it are after its start, which the next sync's window covers. Tombstones never move
    the worklogs cursor (PageCheckpointingCursor skips them): the audit log is read alongside the worklogs, and
    a deletion newer than the last worklog read would otherwise push the cursor past worklogs edited in between.
    """

    STATE_KEY = "tombstones_from"

    def __init__(
        self,
        worklogs: PartitionGenerator,
        cursor: ConcurrentCursor,
        deletions: Any,
        oldest_from: str,
        stream_name: str = "worklogs",
    ) -> None:
        self._worklogs = worklogs
        self._cursor = cursor
        self._deletions = deletions  # the worklog-deletions stream's DeclarativePartitionFactory
        self._oldest_from = to_utc_second(oldest_from)
        self._stream_name = stream_name

    @classmethod
    def enable_on(cls, stream: Any, deletions_stream: Any, oldest_from: str) -> None:
        """Wraps the partitions of a CDK-built DefaultStream (CDK 7 has no hook to add a partition).

        Only over a PageCheckpointingCursor, the cursor that knows to skip tombstones."""
        if not isinstance(stream.cursor, PageCheckpointingCursor):
            return
        deletions = partition_factory(deletions_stream)
        if deletions is None:  # a CDK that builds streams otherwise: fail at start, not silently without tombstones
            raise RuntimeError(f"Stream {deletions_stream.name} has no partition factory to read deletions with")
        stream._stream_partition_generator = cls(
            stream._stream_partition_generator,
            stream.cursor,
            deletions,
            oldest_from,
            stream.name,
        )

    def generate(self) -> Iterable[Partition]:
        cursor = self._cursor
        first_sync = getattr(cursor, "_windows", None) or not cursor.has_saved_position()
        start_key = cursor._slice_boundary_fields_wrapper[cursor._START_BOUNDARY]
        starts = []
        for partition in self._worklogs.generate():
            starts.append(str((partition.to_slice() or {}).get(start_key) or ""))
            yield partition
        if first_sync or not all(starts) or not starts:
            return
        saved = cursor._concurrent_state.get("legacy")
        saved_from = saved.get(self.STATE_KEY) if isinstance(saved, dict) else None
        since = to_utc_second(min(starts))
        if saved_from:
            try:
                since = to_utc_second(str(saved_from))
            except ValueError:
                pass  # not a timestamp: read from the worklogs' start, as without one
        clock = datetime.now(timezone.utc)
        now = clock.strftime("%Y-%m-%dT%H:%M:%SZ")
        if since > now:
            return  # a cursor ahead of this clock: nothing can have been deleted since
        if since < self._oldest_from:
            LOGGER.warning(
                f"Stream {self._stream_name}: deletions are read from {since}, older than the 180 days Tempo keeps "
                f"them for. Worklogs deleted before {self._oldest_from} get no tombstone; if the destination holds "
                "any, run a full refresh of worklogs (with a destination that replaces its data) to drop them."
            )
            since = self._oldest_from
        deletions_slice = StreamSlice(partition={}, cursor_slice={"start_time": since, "end_time": now})
        next_from = (clock - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        yield TombstonePartition(self._deletions.create(deletions_slice), self._stream_name, since, next_from)


class TombstonePartition(Partition):
    """The worklog deletions of one window, read from the audit log, as tombstones of the worklogs stream."""

    def __init__(self, deletions: Partition, stream_name: str, since: str, next_from: str) -> None:
        self._deletions = deletions
        self._stream_name = stream_name
        self._since = since
        self.next_from = next_from  # where the next sync's window starts once every tombstone here is sent

    def read(self) -> Iterable[Record]:
        tombstone_slice = self._deletions.to_slice()
        try:
            for record in self._deletions.read():
                deleted_at = record.data["deletedAt"]
                yield Record(
                    data={
                        "tempoWorklogId": record.data["tempoWorklogId"],
                        "updatedAt": deleted_at,
                        TOMBSTONE_FIELD: deleted_at,
                    },
                    stream_name=self._stream_name,
                    associated_slice=tombstone_slice,
                )
        except AirbyteTracedException as error:
            message = (
                f"Stream {self._stream_name}: reading the worklogs deleted since {self._since} (for tombstones) "
                f"failed: {error.message} To sync worklogs without tombstones, set `worklog_tombstones` to false."
            )
            raise AirbyteTracedException(
                message=message, internal_message=error.internal_message, failure_type=error.failure_type
            ) from error

    def to_slice(self) -> Mapping[str, Any] | None:
        return self._deletions.to_slice()

    def stream_name(self) -> str:
        return self._stream_name

    def __hash__(self) -> int:
        return hash((self._stream_name, "tombstones", self._since))


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


@dataclass
class UpstreamStartDateStateMigration(StateMigration):
    """Accepts a worklogs state saved by the upstream connector (0.3.x/0.4.x): `{"startDate": "2024-05-01"}`.

    Why: upstream's cursor was the worklog's startDate, which misses edits to old worklogs. Its state
    becomes `updatedFrom` of that date, so the first sync after the upgrade reads everything updated
    since then instead of crashing or starting over.
    """

    config: Config = None  # type: ignore[assignment]
    parameters: InitVar[Mapping[str, Any]] = None  # type: ignore[assignment]

    def should_migrate(self, stream_state: Mapping[str, Any]) -> bool:
        return bool(stream_state) and "startDate" in stream_state and "updatedAt" not in stream_state

    def migrate(self, stream_state: Mapping[str, Any]) -> Mapping[str, Any]:
        value = str(stream_state["startDate"])[:10]
        try:
            datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            LOGGER.warning(f"Ignoring the worklogs state {dict(stream_state)!r}: its startDate is not a date.")
            return {}
        LOGGER.info(
            f"Migrated the upstream worklogs state startDate={value} to updatedAt={value}T00:00:00Z. "
            "The old connector's cursor missed edits to worklogs dated before its state: run one full refresh "
            "of worklogs to repair them."
        )
        return {"updatedAt": f"{value}T00:00:00Z"}


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


@dataclass
class DeletionsStateWithinRetention(StateMigration):
    """Drops a worklog-deletions state older than Tempo's 180-day audit retention, with a warning.

    Why: Tempo refuses a papertrail `from` older than 180 days (HTTP 400), and the deletions before that
    are gone from Tempo anyway. Such a state (the connector did not run for half a year) would fail every
    sync; dropped, the stream reads from `oldest_from` (the manifest's `deletions_oldest_from`), and the user
    is told that deletions in between may have been missed. A state that is not a timestamp is dropped too.
    """

    oldest_from: str = ""
    config: Config = None  # type: ignore[assignment]
    parameters: InitVar[Mapping[str, Any]] = None  # type: ignore[assignment]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self._oldest_from = InterpolatedString.create(self.oldest_from, parameters=parameters or {})

    def should_migrate(self, stream_state: Mapping[str, Any]) -> bool:
        if not stream_state:
            return False
        saved = stream_state.get("deletedAt")
        try:
            return to_utc_second(str(saved)) < self._oldest()
        except ValueError:
            return True

    def migrate(self, stream_state: Mapping[str, Any]) -> Mapping[str, Any]:
        oldest = self._oldest()
        LOGGER.warning(
            f"Stream worklog-deletions: the saved state {dict(stream_state)!r} is older than the 180 days Tempo keeps "
            f"deletions for. Worklogs deleted between then and {oldest} may have been missed; reading from {oldest}. "
            "Run a full refresh of worklogs (with a destination that replaces its data) to drop them."
        )
        return {}

    def _oldest(self) -> str:
        return to_utc_second(str(self._oldest_from.eval(self.config or {})))


@dataclass
class YearByYear(PaginationStrategy):
    """Pages through a list one calendar year per request: from the year of `first_day` to next year.

    Why: Tempo answers holidays for one `year` per request. As a partition router (a year list crossed with
    the holiday schemes) the list would have to be computed in Jinja, which has no range() in the CDK, and
    the CDK warns on every command about a substream inside a cartesian product. As pages, each scheme is
    one partition whose pages are its years: the page token is the year, sent as `year`.
    """

    config: Config
    parameters: InitVar[Mapping[str, Any]]
    first_day: str = ""

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        first = InterpolatedString.create(self.first_day, parameters=parameters).eval(self.config)
        self._first_year = int(str(first)[:4])
        self._last_year = datetime.now(timezone.utc).year + 1

    @property
    def initial_token(self) -> Any | None:
        return self._first_year

    def get_page_size(self) -> int | None:
        return None

    def next_page_token(
        self,
        response: requests.Response,
        last_page_size: int,
        last_record: Record | None,
        last_page_token_value: Any | None,
        page_size_override: int | None = None,
    ) -> Any | None:
        year = int(last_page_token_value if last_page_token_value is not None else self._first_year) + 1
        return year if year <= self._last_year else None
