"""What the sandbox's endpoint modules share: Tempo's error, its parameter parsing and its list bodies.

``server.py`` and the endpoint modules (``catalogs.py``, ``org.py``, ``reporting.py``) import these from here,
so none of the endpoint modules imports ``server.py``, which itself imports them to assemble ``TempoSandbox``.
A raised ``ApiError`` becomes Tempo's JSON error body (``{"errors": [{"message": ...}]}``) with its status.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
from typing import Any

from . import seed as _seed


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class NoContent(Exception):
    """A successful answer without a body: 204 No Content (a project's budget or timeframe when it has none)."""


_UPDATED_FROM_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2})(?:\.\d{1,9})?(Z|[+-]00:?00)?)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$")


def parse_updated_from(value: str) -> str:
    """Tempo ``updatedFrom`` -> canonical ``YYYY-MM-DDTHH:MM:SSZ`` (raises ApiError 400)."""
    m = _UPDATED_FROM_RE.match(value or "")
    if m:
        date_part, time_part = m.group(1), m.group(2) or "00:00:00"
        try:
            _dt.datetime.strptime(f"{date_part}T{time_part}", "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            pass
        else:
            return f"{date_part}T{time_part}Z"
    raise ApiError(400, f"Invalid date format for updatedFrom: {value}")


def parse_date(value: str, name: str) -> str:
    if _DATE_RE.match(value or ""):
        try:
            _dt.date.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise ApiError(400, f"Invalid date format for {name}: {value}. Expected format: yyyy-MM-dd")


def required_date_window(q: dict[str, str]) -> tuple[str, str]:
    """The `from` and `to` query parameters that plans, periods and user schedules require, as dates."""
    for name in ("from", "to"):
        if q.get(name) in (None, ""):
            raise ApiError(400, f"'{name}' is required")
    date_from, date_to = parse_date(q["from"], "from"), parse_date(q["to"], "to")
    if date_from > date_to:
        raise ApiError(400, f"'from' ({date_from}) must be before or equal to 'to' ({date_to})")
    return date_from, date_to


def parse_datetime_epoch(value: Any, name: str) -> int:
    """ISO 8601 date-time (a time part is required) -> Unix seconds (fraction truncated)."""
    if isinstance(value, str):
        m = _DATETIME_RE.match(value)
        if m:
            date_part, time_part, _frac, zone = m.groups()
            if len(time_part) == 5:
                time_part += ":00"
            try:
                d = _dt.datetime.strptime(f"{date_part}T{time_part}", "%Y-%m-%dT%H:%M:%S")
            except ValueError:
                d = None
            if d is not None:
                offset = 0
                if zone and zone != "Z":
                    sign = -1 if zone[0] == "-" else 1
                    digits = zone[1:].replace(":", "")
                    offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
                return int(d.replace(tzinfo=_dt.timezone.utc).timestamp()) - offset
    raise ApiError(400, f"Invalid date-time format for {name}: {value}. Expected ISO 8601, e.g. 2024-01-31T10:00:00Z")


def normalize_timestamp(value: Any, name: str) -> str:
    """Any accepted timestamp form -> ``YYYY-MM-DDTHH:MM:SSZ`` (for sandbox edits)."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return _seed.fmt_epoch(int(value.timestamp()))
    if isinstance(value, str) and _DATE_RE.match(value):
        return parse_updated_from(value)
    try:
        return _seed.fmt_epoch(parse_datetime_epoch(value, name))
    except ApiError as exc:
        raise ValueError(exc.message) from None


def _int_param(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"Invalid value for {name}: '{value}'. It must be an integer") from None


def _envelope(host: str, path: str, query: str, meta: dict[str, Any], items: list[bytes]) -> bytes:
    """A Tempo list body {self, metadata, results} from records already serialized to JSON bytes."""
    self_url = f"{host}{path}?{query}" if query else f"{host}{path}"
    return b"".join(
        (
            b'{"self":',
            _seed.dumps(self_url),
            b',"metadata":',
            _seed.dumps(meta),
            b',"results":[' + b",".join(items) + b"]}",
        )
    )


def _encode_token(ts: int, seq: int) -> str:
    return base64.urlsafe_b64encode(f"pt1:{ts}:{seq}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        tag, ts, seq = raw.split(":")
        if tag != "pt1":
            raise ValueError(tag)
        return int(ts), int(seq)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, f"Invalid nextPageToken: {token}") from None
