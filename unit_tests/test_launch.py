"""source_tempo/launch.py writes record messages itself (for speed): the bytes must be the CDK's own."""

from __future__ import annotations

import orjson
import pytest
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, AirbyteRecordMessage, Type

from source_tempo.launch import record_line


@pytest.mark.parametrize(
    "data",
    [
        {"tempoWorklogId": 1, "timeSpentSeconds": 3600, "billableSeconds": 0.5, "description": 'Ünïcode ✓ "quoted"'},
        # a top-level null (an empty attribute column, a field Tempo sent as null): the CDK leaves it out
        {"tempoWorklogId": 2, "attribute__Account_": None, "description": None, "issue": {"id": 7}},
        # nested nulls stay, as in the CDK's output
        {"tempoWorklogId": 3, "issue": {"id": 7, "key": None}, "values": [None, {"value": None}], "flag": False},
        {},
    ],
)
def test_a_record_line_is_byte_for_byte_what_the_cdk_writes(data: dict) -> None:
    message = AirbyteMessage(
        type=Type.RECORD, record=AirbyteRecordMessage(stream="worklogs", data=dict(data), emitted_at=1767225600000)
    )

    assert record_line("worklogs", data, 1767225600000) == orjson.dumps(AirbyteMessageSerializer.dump(message))
