"""Every private CDK attribute that source_tempo/cdk_internals.py lists exists in the installed CDK.

A CDK upgrade that renames one fails here, naming it, rather than as a connector that quietly stops doing
something (e.g. saving a rotated OAuth refresh token to the config file).
"""

from __future__ import annotations

from typing import Any

import pytest
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource

from source_tempo import SourceTempo
from source_tempo.auth import PersistedConfig
from source_tempo.cdk_internals import PRIVATE_ATTRIBUTES, components_config
from source_tempo.source import MANIFEST
from unit_tests.mock_server.config import ConfigBuilder


def _instance_of(owner: type) -> Any:
    """A plain CDK instance of `owner`, built without SourceTempo, so that nothing of ours sets the attribute."""
    source = YamlDeclarativeSource(path_to_yaml=str(MANIFEST), config=ConfigBuilder().with_oauth().build())
    assert isinstance(source, owner), f"no way to build a {owner.__name__} in this test: add one"
    return source


@pytest.mark.parametrize(
    "owner, attribute, on_instance",
    PRIVATE_ATTRIBUTES,
    ids=[f"{owner.__name__}.{attribute}" for owner, attribute, _ in PRIVATE_ATTRIBUTES],
)
def test_every_listed_private_attribute_exists_in_the_installed_cdk(owner: type, attribute: str, on_instance: bool):
    holder = _instance_of(owner) if on_instance else owner
    assert hasattr(holder, attribute), (
        f"The installed airbyte-cdk has no {owner.__name__}.{attribute}, which source_tempo/cdk_internals.py "
        "relies on: find its replacement in the CDK and update cdk_internals.py and its docstring."
    )


def test_the_components_are_built_from_the_config_the_source_was_given():
    """`_config` is the CDK's config as the constructor transformed it, not something else under that name."""
    config = ConfigBuilder().with_oauth().build()

    source = SourceTempo(config=dict(config), config_path="/somewhere/config.json")

    built_from = components_config(source)
    assert isinstance(built_from, PersistedConfig) and built_from.path == "/somewhere/config.json"
    assert dict(built_from) == config
