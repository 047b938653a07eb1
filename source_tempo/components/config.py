"""The connector config: tidied as it is loaded, then checked field by field before any request, and its secrets
masked in every form they can be printed in.

The spec's `config_normalization_rules` (manifest.yaml) name the two components here, and the CDK applies them
to every config it loads: the transformation as the source is built, the validations before streams are built.
`SourceTempo.validate_config` runs the same validations earlier where the CDK would otherwise answer first (the
`source-tempo` command line before the CDK's JSON-schema check, `check` before its streams): one set of rules,
one set of messages, whatever the command.

* `TidyConfig` (a config transformation). Why: values typed by hand arrive as text with whitespace around.
  - The whitespace around every text value is stripped. A token pasted with its trailing newline made an invalid
    `Authorization` header, and requests' error message then printed the token escaped (`\\n`), where the
    CDK's secret filter, which masks exact strings, did not see it.
  - A whole number given as text ("100") becomes a number, and "true"/"false" a boolean, for the fields the
    spec types so: every reader of a value (the concurrency level, the request budget, the paginators, the
    worklogs windows) then gets the same one. Text that is not a number is left for the validation to refuse.
  - A config without any sign-in gets an empty `credentials`, so that the validation names the missing field.
* `ValidField` (a validation strategy, one per spec field). Why not the CDK's `ValidateAdheresToSchema` or its
  JSON-schema check of the whole config: both print the raw JSON-schema error ("'2024-13-01' does not match
  '^[0-9]{4}...'", and for `credentials` only "is not valid under any of the given schemas"), without the field's
  name, and quote a wrong secret. `config_problem` says which field is wrong and what it should look like, never
  shows a secret, and also refuses what the schema cannot say: a `start_date` after today (plans and periods
  would fail on it, and worklogs would read nothing), an `api_url` without Tempo's `/4`, a secret with a line
  break inside.
* `register_secrets`. Why: the CDK's secret filter masks a secret only where it appears verbatim, but a secret
  is printed escaped in an exception's repr or a JSON string, and URL-encoded in a form body or a URL: every
  such form is registered too.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, MutableMapping
from urllib.parse import quote, quote_plus

import yaml
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.transformations.config_transformations.config_transformation import (
    ConfigTransformation,
)
from airbyte_cdk.sources.declarative.validators.validation_strategy import ValidationStrategy
from airbyte_cdk.utils.airbyte_secrets_utils import get_secret_paths, update_secrets
from airbyte_cdk.utils.datetime_helpers import ab_datetime_try_parse
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

MANIFEST = Path(__file__).parent.parent / "manifest.yaml"
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_TYPE_WORDS = {
    "integer": "a whole number",
    "boolean": "true or false",
    "string": "text",
    "object": "an object",
}


class _NoSkippedFieldNotice(logging.Filter):
    """Drops the notice the CDK's DpathValidator logs for each optional field a config leaves out ("Validation
    skipped. Key not found: ['start_date']"), several times per command: a field left out is valid, and a dozen
    such lines in every log would only hide the lines that matter."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("Validation skipped. Key not found"))


logging.getLogger("airbyte").addFilter(_NoSkippedFieldNotice())  # the logger DpathValidator logs to


@lru_cache(maxsize=1)
def connection_specification() -> Mapping[str, Any]:
    """The spec's JSON schema, as manifest.yaml declares it (the components here are built without it)."""
    with MANIFEST.open() as manifest:
        return yaml.load(manifest, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["spec"][
            "connection_specification"
        ]


def _tidy(value: Any, declared_type: str | None) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if declared_type == "integer" and _WHOLE_NUMBER.fullmatch(value):
            return int(value)
        if declared_type == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif declared_type == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class TidyConfig(ConfigTransformation):
    """Strips text values, turns numbers and booleans given as text into their type, and gives a config without
    sign-in an empty `credentials` (see the module docstring). In memory only, like every config transformation;
    the OAuth authenticator saves the tidied values when it rotates the refresh token."""

    def transform(self, config: MutableMapping[str, Any]) -> None:
        properties = connection_specification()["properties"]
        for name, value in list(config.items()):
            config[name] = _tidy(value, (properties.get(name) or {}).get("type"))
        credentials = config.get("credentials")
        if isinstance(credentials, Mapping):
            # a new object: the one given may be the caller's (the config is copied one level deep only)
            config["credentials"] = {name: _tidy(value, None) for name, value in credentials.items()}
        elif "credentials" not in config:
            config["credentials"] = {}


def _fields_problem(name: str, value: Mapping[str, Any], properties: Mapping[str, Any]) -> str | None:
    """The first problem of the fields of an object in the config (`credentials`, `jira`), each named `name.field`."""
    for field, field_schema in properties.items():
        problem = config_problem(f"{name}.{field}", value[field], field_schema) if field in value else None
        if problem:
            return problem
    return None


def config_problem(
    name: str,
    value: Any,
    schema: Mapping[str, Any],
    not_after_today: bool = False,
    path_ends_with: str = "",
) -> str | None:
    """The problem of one config value against its spec, as one sentence naming the field; None when it is valid.

    `name` is the field as a user writes it (`credentials.api_token`). Understands the keywords the spec uses:
    type, enum, minimum, maximum, minLength, pattern, format (date, date-time), and `credentials`' oneOf of
    objects told apart by their `auth_type` const; unit_tests/test_config_rules.py fails when the spec uses
    another one.
    """
    kinds = {
        branch["properties"]["auth_type"]["const"]: branch
        for branch in schema.get("oneOf", [])
        if "auth_type" in branch.get("properties", {})
    }
    shown = "(hidden)" if schema.get("airbyte_secret") or kinds else repr(value)  # `credentials` holds secrets
    if kinds and isinstance(value, Mapping):
        if not value:
            return f"Config field `{name}` is required: {schema.get('description', '')}".strip()
        kind = value.get("auth_type")
        if kind not in kinds:
            return f"Config field `{name}.auth_type` must be one of {', '.join(kinds)}, got {kind!r}."
        branch = kinds[kind]
        for required in branch.get("required", []):
            if required not in value:
                description = branch["properties"].get(required, {}).get("description", "")
                return f"Config field `{name}.{required}` is required: {description}".strip()
        return _fields_problem(name, value, branch["properties"])

    expected = schema.get("type") or ("object" if kinds else None)
    if expected and not _has_type(value, expected):
        return f"Config field `{name}` must be {_TYPE_WORDS.get(expected, expected)}, got {shown}."
    if expected == "object" and "properties" in schema:  # an object of fields (`jira`): each named `name.field`
        for required in schema.get("required", []):
            if value.get(required) in (None, ""):
                description = schema["properties"].get(required, {}).get("description", "")
                return f"Config field `{name}.{required}` is required when `{name}` is set: {description}".strip()
        return _fields_problem(name, value, schema["properties"])
    if "enum" in schema and value not in schema["enum"]:
        return f"Config field `{name}` must be one of {', '.join(map(str, schema['enum']))}, got {shown}."
    low, high = schema.get("minimum"), schema.get("maximum")
    if (low is not None and value < low) or (high is not None and value > high):
        return f"Config field `{name}` must be between {low} and {high}, got {shown}."
    if not isinstance(value, str):
        return None
    if len(value) < schema.get("minLength", 0):
        return f"Config field `{name}` must not be empty."
    if schema.get("airbyte_secret") and re.search(r"\s", value):
        return (
            f"Config field `{name}` has a space or a line break inside, which no Tempo secret has: copy it again "
            "without them."
        )
    if "pattern" in schema and not re.search(schema["pattern"], value):
        looks = schema.get("pattern_descriptor", schema["pattern"])
        return f"Config field `{name}` must look like {looks}, got {shown}."
    if schema.get("format") == "date":
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            return f"Config field `{name}` must be a real calendar date in YYYY-MM-DD form, got {shown}."
        today = datetime.now(timezone.utc).date()
        if not_after_today and day > today:
            return (
                f"Config field `{name}` must not be after today ({today.isoformat()} in UTC), got {shown}: nothing "
                "dated after today can be read yet. Set it to today or earlier, or leave it empty."
            )
    if schema.get("format") == "date-time" and ab_datetime_try_parse(value) is None:
        return f"Config field `{name}` must be a date and time (ISO 8601, e.g. 2026-01-31T12:00:00Z), got {shown}."
    if path_ends_with and not value.rstrip("/").endswith(path_ends_with):
        return (
            f"Config field `{name}` must end with {path_ends_with}, the version of Tempo's REST API that the "
            f"connector reads (e.g. https://tempo-proxy.example.com{path_ends_with}), got {shown}."
        )
    return None


def _has_type(value: Any, expected: str) -> bool:
    if expected == "integer":  # a bool is an int to Python, not to JSON schema
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "string":
        return isinstance(value, str)
    if expected == "object":
        return isinstance(value, Mapping)
    return True


@dataclass
class ValidField(ValidationStrategy):
    """Refuses a config value with `config_problem`'s sentence as a config error.

    Used by one `DpathValidator` per spec field (the CDK hands a strategy the value, not its name): `field` names
    it and finds its schema in the spec; `not_after_today` and `path_ends_with` add the rules the schema cannot
    express.
    """

    field: str
    not_after_today: bool = False
    path_ends_with: str = ""

    def validate(self, value: Any) -> None:
        schema = connection_specification()["properties"][self.field]
        problem = config_problem(self.field, value, schema, self.not_after_today, self.path_ends_with)
        if problem:
            raise AirbyteTracedException(
                message=problem, internal_message=problem, failure_type=FailureType.config_error
            )


_ESCAPES = (
    lambda text: text,
    lambda text: json.dumps(text)[1:-1],  # in a JSON string, as the CDK writes a debug log line
    lambda text: json.dumps(text, ensure_ascii=False)[1:-1],
    lambda text: repr(text)[1:-1],  # in a Python repr: an exception's, or a response body's in the CDK's messages
)
_URL_ENCODINGS = (quote, lambda text: quote(text, safe=""), quote_plus)


def secret_forms(secret: str) -> set[str]:
    """Every form a secret can be printed in: as it is and without the whitespace around it; URL-encoded (in a
    path, a query, a form body); and escaped up to three times over, which is how deep the CDK's messages nest
    it: Tempo's JSON body quoting it, the CDK's repr of that body in its error message, the repr of that error in
    its summary of failed streams (or the JSON of a debug log line). Only a secret with quotes, backslashes or
    control characters has more than one or two forms."""
    forms: set[str] = set()
    for value in {secret, secret.strip()}:
        forms |= {third(second(first(value))) for first in _ESCAPES for second in _ESCAPES for third in _ESCAPES}
        forms |= {encode(value) for encode in _URL_ENCODINGS}
    return {form for form in forms if form}


def register_secrets(config: Mapping[str, Any], extra: Iterable[str] = ()) -> None:
    """Makes the CDK's secret filter (logs, traces, connection statuses) mask every form of the config's secrets.

    Replaces the CDK's list, which holds the same secrets verbatim only: called once the CDK has set up its own,
    at the start of each command. The longest forms go first, so that no part of one is left after a shorter one
    is masked."""
    secrets = list(extra)
    for path in get_secret_paths(connection_specification().get("properties", {})):
        value: Any = config
        for part in path:  # like the CDK's get_secrets, but a config of the wrong shape is not an error here
            value = value.get(part) if isinstance(value, Mapping) else None
        if value not in (None, ""):
            secrets.append(value)
    forms = set().union(*(secret_forms(str(secret)) for secret in secrets))
    update_secrets(sorted(forms, key=len, reverse=True))
