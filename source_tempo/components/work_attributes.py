"""Work attributes as columns of worklogs: `attribute_<key>` (e.g. `attribute__Account_`), one typed, nullable
column per work attribute of the site, filled from the worklog's `attributes.values` (which stays as it is).

How: `discover` reads the work-attributes stream (GET /4/work-attributes, with its requester: auth, rate limit,
retries) and adds one column per attribute to the worklogs schema, typed from the attribute's type. A `read`
fills the columns that the configured catalog's worklogs schema declares, from each worklog record, cast to the
declared type. So a sync sends exactly the columns the destination created at discover, and reads no work attribute
at all: an attribute created later gets its column when the connection's schema is refreshed.

Why not the manifest's schema loader (a DynamicSchemaLoader, or a custom one composed with the schema file): the CDK
loads a stream's schema for every partition it reads (DeclarativePartition.read), so the worklogs sync would
request /work-attributes on every run, fill columns the destination may not have, and fail (or silently lose the
columns) whenever that endpoint does. And neither the loader nor a record transformation can cast a worklog's
attribute value, which Tempo always sends as text, without the attribute's type: the configured catalog carries it.

A token that may not read work attributes (HTTP 403) gets the plain worklogs schema, with a warning; any other
failure of that request fails discover with the request's own message.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Callable, Iterable, Mapping, MutableMapping

COLUMN_PREFIX = "attribute_"
# Tempo's work attribute types (CreateWorkAttributeInput.type) -> the column's JSON schema type. A type Tempo adds
# later (or DYNAMIC_DROPDOWN, which the API documents elsewhere) is text: Tempo sends every value as text.
_TYPES = {
    "ACCOUNT": "string",
    "STATIC_LIST": "string",
    "INPUT_FIELD": "string",
    "INPUT_NUMERIC": "number",
    "CHECKBOX": "boolean",
}

LOGGER = logging.getLogger("airbyte")


def column_name(key: str) -> str:
    """The worklogs column of the work attribute `key`: `_Account_` -> `attribute__Account_`."""
    return f"{COLUMN_PREFIX}{key}"


def attribute_columns(attributes: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The JSON schema properties of the attribute columns for the site's work attributes."""
    columns: dict[str, dict[str, Any]] = {}
    for attribute in attributes:
        key = attribute.get("key")
        if isinstance(key, str) and key:
            columns[column_name(key)] = {"type": ["null", _TYPES.get(str(attribute.get("type")), "string")]}
    return columns


def with_attribute_columns(schema: Mapping[str, Any], attributes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The worklogs schema with the attribute columns added (a column never replaces one of Tempo's fields)."""
    extended = copy.deepcopy(dict(schema))
    properties = extended.setdefault("properties", {})
    for name, column in attribute_columns(attributes).items():
        properties.setdefault(name, column)
    return extended


def _number(text: str) -> int | float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _boolean(text: str) -> bool | None:
    return {"true": True, "false": False}.get(text.strip().lower())


def _casts() -> dict[str, Callable[[str], Any]]:
    return {"number": _number, "integer": _number, "boolean": _boolean}


class AttributeColumnFiller:
    """Fills the attribute columns a configured worklogs schema declares, from each record's `attributes.values`.

    A value that does not read as its column's type (text in a numeric attribute) leaves the column null; the value
    as Tempo sent it stays in `attributes.values`. A null column is left out of the record, as the CDK leaves out
    every top-level null field when it writes a record: setting it would only cost time (this runs for every
    worklog; `fill` looks each of the record's values up by its Tempo key, and checks `dict` by type, since
    `isinstance` against typing's Mapping cost more than the rest).
    """

    def __init__(self, schema: Mapping[str, Any] | None) -> None:
        casts = _casts()
        self.columns: dict[str, Callable[[str], Any] | None] = {}
        for name, column in ((schema or {}).get("properties") or {}).items():
            if not name.startswith(COLUMN_PREFIX):
                continue
            kinds = column.get("type") if isinstance(column, Mapping) else None
            kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
            kind = next((k for k in kinds if k != "null"), "string")
            self.columns[name] = casts.get(kind)
        # Tempo's attribute key -> (column, cast)
        self.by_key = {name[len(COLUMN_PREFIX) :]: (name, cast) for name, cast in self.columns.items()}

    def __bool__(self) -> bool:
        return bool(self.columns)

    def fill(self, record: MutableMapping[str, Any]) -> None:
        attributes = record.get("attributes")
        if type(attributes) is not dict:
            return  # a tombstone of a deleted worklog: only its id and deletion time
        by_key = self.by_key
        for value in attributes.get("values") or ():
            if type(value) is not dict:
                continue
            column = by_key.get(value.get("key"))
            raw = value.get("value")
            if column is None or raw is None:
                continue
            name, cast = column
            if cast is None:
                record[name] = raw if type(raw) is str else str(raw)
            else:
                record[name] = cast(str(raw))
