"""The one module that touches private attributes of the Airbyte CDK, each because no public API does the job.

airbyte-cdk is pinned exactly (pyproject.toml), and unit_tests/test_cdk_internals.py fails, naming the attribute,
when one listed in `PRIVATE_ATTRIBUTES` is missing in the installed CDK: an upgrade then breaks that test instead
of, say, silently no longer saving rotated OAuth refresh tokens.

Private attributes touched here, and why:

* `ConcurrentDeclarativeSource._config` (an instance attribute, read by `components_config`, rebound by
  `use_components_config`): the config dict from which the source builds every component, the OAuth authenticator
  included, which writes the rotated tokens into it. SourceTempo rebinds it to a `PersistedConfig` (the same
  content plus the path of the config file) so that the authenticator can save a rotated refresh token to the file
  the source was started with. The CDK writes that file only for config migrations, at start-up, and hands a
  component neither the path nor the source; the constructor's `config` cannot carry the path either, as the CDK
  copies it into a plain dict.
* `ConcurrentDeclarativeSource._spec_component` (an instance attribute, read by `spec_component`): the Spec component
  the CDK builds from the manifest's `spec`, holding `config_normalization_rules.validations`. The CDK runs them only
  when it builds streams, after its own JSON-schema check of the config, whose message does not name the field;
  `SourceTempo.validate_config` runs them first (source_tempo/config.py).
"""

from __future__ import annotations

from typing import Any, Mapping

from airbyte_cdk.sources.declarative.concurrent_declarative_source import ConcurrentDeclarativeSource
from airbyte_cdk.sources.declarative.spec import Spec

# (owner, attribute, whether it is set on instances rather than on the class): what the unit test checks.
PRIVATE_ATTRIBUTES: list[tuple[type, str, bool]] = [
    (ConcurrentDeclarativeSource, "_config", True),
    (ConcurrentDeclarativeSource, "_spec_component", True),
]


def components_config(source: ConcurrentDeclarativeSource) -> Mapping[str, Any]:
    """The config dict the source builds its components (streams, requesters, authenticators) with."""
    return source._config  # type: ignore[no-any-return]


def use_components_config(source: ConcurrentDeclarativeSource, config: Mapping[str, Any]) -> None:
    """Makes the source build its components with `config` (same content as before, e.g. a PersistedConfig)."""
    source._config = config


def spec_component(source: ConcurrentDeclarativeSource) -> Spec:
    """The Spec component the source built from the manifest's `spec` (its config transformations and validations)."""
    return source._spec_component  # type: ignore[return-value]
