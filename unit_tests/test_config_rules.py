"""The config rules of source_tempo/components/config.py against the spec they read: every field is validated, by
rules that refuse at least what the spec's JSON schema refuses, so that the CDK's own JSON-schema check of the
config (which runs after them, and names no field) never has anything left to refuse."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import jsonschema
import pytest

from source_tempo import SourceTempo
from source_tempo.cdk_internals import spec_component
from source_tempo.components.config import ValidField, config_problem, connection_specification

SPEC = connection_specification()
# The JSON-schema keywords config_problem understands (and the annotations it may ignore).
UNDERSTOOD = {"type", "enum", "minimum", "maximum", "minLength", "pattern", "format", "oneOf", "required", "const",
              "properties", "airbyte_secret"}  # fmt: skip
ANNOTATIONS = {"title", "description", "order", "examples", "default", "pattern_descriptor", "airbyte_hidden",
               "additionalProperties", "$schema"}  # fmt: skip


def _keywords(schema: Any) -> Iterator[str]:
    if isinstance(schema, Mapping):
        for key, value in schema.items():
            yield key
            if key == "properties":
                for field_schema in value.values():
                    yield from _keywords(field_schema)
            elif key == "oneOf":
                for branch in value:
                    yield from _keywords(branch)


def test_every_field_of_the_spec_is_validated_in_the_order_that_names_it_as_written() -> None:
    validators = spec_component(SourceTempo()).config_validations
    fields = [validator.strategy.field for validator in validators if isinstance(validator.strategy, ValidField)]
    assert sorted(fields) == sorted(SPEC["properties"])
    # a config of the older shape derives `credentials` from `api_token`: that one's problem is named as written
    assert fields.index("api_token") < fields.index("credentials")


def test_the_spec_uses_no_keyword_the_rules_do_not_understand() -> None:
    used = set(_keywords(SPEC["properties"]["credentials"])) | {
        key for schema in SPEC["properties"].values() for key in _keywords(schema)
    }
    assert used <= UNDERSTOOD | ANNOTATIONS, sorted(used - UNDERSTOOD - ANNOTATIONS)


_OAUTH = {"auth_type": "oauth2.0", "client_id": "a", "client_secret": "b", "refresh_token": "c"}
_VALUES = [None, True, 0, -1, 1, 7, 5000, 5001, 43201, 2.5, "", " ", "text", "global", "mars", "2024-01-01",
           "2024-02-30", "24-01-01", "https://tempo-proxy.example.com/4", "http://127.0.0.1:8765/4",
           "http://example.com/4", [], {}, {"auth_type": "api_token"}, {"auth_type": "api_token", "api_token": "t-1"},
           {"auth_type": "api_token", "api_token": ""}, _OAUTH, {**_OAUTH, "client_id": 1},
           {**_OAUTH, "jira_url": "http://site"}, {"auth_type": "basic"}]  # fmt: skip


@pytest.mark.parametrize("field", sorted(SPEC["properties"]))
def test_a_value_the_json_schema_refuses_is_refused_by_the_rules(field: str) -> None:
    schema = SPEC["properties"][field]
    for value in _VALUES:
        if not jsonschema.Draft7Validator(schema).is_valid(value):
            assert config_problem(field, value, schema), f"{field}={value!r} passes the rules but not the spec"


def test_the_spec_component_is_where_the_cdk_keeps_it() -> None:
    assert spec_component(SourceTempo()).config_validations
