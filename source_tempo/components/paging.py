"""Tempo's list pages, where the CDK's extractor and paginators would lose or repeat records.

Why not YAML: the manifest's DpathExtractor, OffsetIncrement and CursorPagination trust what a page says.
Tempo clamps `limit` below what was asked (OffsetIncrement would stop at the first short page), its
`metadata.next` names Tempo's public host (CursorPagination would send the token wherever it points, and miss
a proxy or the sandbox), a proxy that drops the query string repeats the first page for ever, and offsets over
worklogs that change while they are read skip records. Each class below says which of these it handles:
`TempoResultsExtractor`, `OffsetUntilNoNext`, `UpdatedAtKeysetPagination` with `DropRepeatedAnchor`, and
`YearByYear` (holidays, one year per request).
"""

from __future__ import annotations

import logging
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, MutableMapping, Union
from urllib.parse import parse_qs, urlsplit, urlunsplit

import orjson
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.extractors.record_extractor import RecordExtractor
from airbyte_cdk.sources.declarative.extractors.record_filter import RecordFilter
from airbyte_cdk.sources.declarative.interpolation import InterpolatedString
from airbyte_cdk.sources.declarative.requesters.paginators.strategies.pagination_strategy import (
    PaginationStrategy,
)
from airbyte_cdk.sources.types import Config, Record
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tempo.components.errors import forget_json_body, json_body
from source_tempo.components.transforms import to_utc_second

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
    and retried a body that is not JSON: see source_tempo/components/errors.py.)
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


def release_page(response: requests.Response) -> None:
    """Drops the parsed page from the response once the paginator has read it: its records are out by then.

    Why: the CDK keeps each response alive in a reference cycle (an exception's traceback holds the frames that
    hold it), so it is freed only by the cyclic garbage collector, some pages later. Without its parsed body
    (about 6 MB at 2500 worklogs) such a response holds only its raw bytes, and memory stays flat.
    """
    response.__dict__.pop(_BODY_ATTRIBUTE, None)
    forget_json_body(response)


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
        self.stream_name = parameters.get("name", "")

    def extract_records(self, response: requests.Response) -> Iterable[MutableMapping[Any, Any]]:
        body = tempo_body(response)
        requested = _requested_int(response, "offset") or 0
        served = (body.get("metadata") or {}).get("offset")
        if requested and served is not None and served != requested:
            limit = _requested_int(response, "limit") or 0
            if self.short_first_page_is_complete and requested < limit:
                # The first page was shorter than the limit, so it already held every record.
                LOGGER.warning(
                    f"Stream {self.stream_name}: Tempo ignored offset={requested} at {public_url(response)} and "
                    f"answered offset={served}; the first page was complete, so paging stops here."
                )
                setattr(response, _IGNORED_PAGING_ATTRIBUTE, True)
                return []
            raise AirbyteTracedException(
                message=(
                    f"Stream {self.stream_name}: Tempo ignored the paging parameters at {public_url(response)} "
                    f"(asked for offset {requested}, got offset {served}). Stopping so that no record is "
                    "duplicated; if a proxy sits in front of Tempo, make it pass the query string through."
                ),
                failure_type=FailureType.system_error,
            )
        return body["results"]


@dataclass
class _ConfiguredPageSize(PaginationStrategy):
    """What Tempo's two paging strategies share: the page size comes from the config (validated before any stream
    is built: source_tempo/components/config.py)."""

    config: Config
    page_size: Union[str, int]
    parameters: InitVar[Mapping[str, Any]]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self.page_size_value = int(
            InterpolatedString.create(str(self.page_size), parameters=parameters).eval(self.config)
        )

    @property
    def initial_token(self) -> Any | None:
        return None

    def get_page_size(self) -> int | None:
        return self.page_size_value


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
        try:
            # What Tempo served, not what the stream made of it: a stream of rows derived from the records
            # (plan-days) yields more or fewer than the page held. For every other stream the two are the same.
            body = tempo_body(response)
            served = len(body["results"])
            if getattr(response, _IGNORED_PAGING_ATTRIBUTE, False) or served == 0:
                return None
            metadata = body.get("metadata") or {}
            if not metadata.get("next"):
                return None
            if served > (page_size_override or self.page_size_value):
                # More records than asked for: Tempo ignored `limit` and sent the whole list at once.
                return None
            return (last_page_token_value or 0) + served
        finally:
            release_page(response)


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
        try:
            body = tempo_body(response)
            records = body["results"]
            token = last_page_token_value or {}
            if self.anchor_left_its_place(records, token):
                return self.step_back(body, token, page_size_override)
            if not records or not (body.get("metadata") or {}).get("next"):
                return None
            seconds = self.ascending_seconds(records, token.get("updated_from"), response)
            return self.token_after(records, seconds, token)
        finally:
            release_page(response)

    def anchor_left_its_place(self, records: list, token: Mapping[str, Any]) -> bool:
        """Whether this page, asked to start with the anchor, does not hold it within the anchor's second."""
        return (
            token.get("anchor_id") is not None
            and token.get("offset", 0) > 0
            and self.anchor_index(records, token) is None
        )

    def step_back(
        self, body: Mapping[str, Any], token: Mapping[str, Any], page_size_override: int | None
    ) -> Mapping[str, Any]:
        """The same second again, a page further back, to find the anchor; fails after `max_step_backs` re-reads."""
        requested_from, offset, step_backs = (
            token.get("updated_from"),
            token.get("offset", 0),
            token.get("step_backs", 0),
        )
        if step_backs >= self.max_step_backs:
            raise AirbyteTracedException(
                message=(
                    f"Worklogs updated at {requested_from} kept changing while this sync read them "
                    f"({step_backs} re-reads). Every worklog delivered so far is checkpointed: run the sync "
                    "again to continue from there."
                ),
                failure_type=FailureType.transient_error,
            )
        served_limit = (body.get("metadata") or {}).get("limit") or page_size_override or self.page_size_value
        LOGGER.info(
            f"Worklogs updated at {requested_from} changed while being read; stepping back to find the "
            "last worklog delivered."
        )
        return {**token, "offset": max(0, offset - max(1, served_limit - 1)), "step_backs": step_backs + 1}

    def ascending_seconds(self, records: list, requested_from: str | None, response: requests.Response) -> list[str]:
        """Each record's updatedAt second, checked to ascend from `requested_from`: paging by it is safe only then."""
        field = self.cursor_field
        # Tempo's own form ('2024-05-01T10:00:00Z') is already a UTC second: only other forms are parsed, as the
        # cursor does (PageCheckpointingCursor.observe_text). Sorting an ordered list is one pass, in C.
        seconds = [
            value
            if type(value) is str and len(value) == 20 and value[19] == "Z" and value[10] == "T"
            else to_utc_second(value)
            for value in (record[field] for record in records)
        ]
        if seconds != sorted(seconds) or (requested_from and seconds[0] < requested_from):
            raise AirbyteTracedException(
                message=(
                    f"Tempo returned worklogs out of updatedAt order at {public_url(response)}, so the sync cannot "
                    "page through them without losing records. Please report this with the time of the sync."
                ),
                failure_type=FailureType.system_error,
            )
        return seconds

    def token_after(self, records: list, seconds: list[str], token: Mapping[str, Any]) -> Mapping[str, Any]:
        """The next page: from the last record's second, past the records of that second delivered so far."""
        requested_from, offset, step_backs = (
            token.get("updated_from"),
            token.get("offset", 0),
            token.get("step_backs", 0),
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

    def anchor_index(self, records: list, token: Mapping[str, Any]) -> int | None:
        """Where the anchor is among the records of its second that start this page (None if not there)."""
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
        self.anchor_by_slice: dict[str, tuple[Any, Any]] = {}
        self.last_by_slice: dict[str, tuple[Any, Any]] = {}

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
        first, last = self.version(page[0]), self.version(page[-1])
        anchor = self.anchor_by_slice.get(key)
        start = None
        if anchor is not None:
            # a page in order starts with the anchor: the scan past the first record is the rare case
            start = (
                1 if first == anchor else next((i + 1 for i, r in enumerate(page) if self.version(r) == anchor), None)
            )
        if start is None and first == self.last_by_slice.get(key):
            start = 1
        if start is not None or anchor is None:
            self.anchor_by_slice[key] = last
        self.last_by_slice[key] = last
        yield from page[start:] if start else page

    @staticmethod
    def version(record: Mapping[str, Any]) -> tuple[Any, Any]:
        return record.get("tempoWorklogId"), record.get("updatedAt")


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
        self.first_year = int(str(first)[:4])
        self.last_year = datetime.now(timezone.utc).year + 1

    @property
    def initial_token(self) -> Any | None:
        return self.first_year

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
        year = int(last_page_token_value if last_page_token_value is not None else self.first_year) + 1
        return year if year <= self.last_year else None
