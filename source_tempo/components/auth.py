"""Signing in to Tempo: the two config shapes, and what the CDK's authenticators lack for Tempo.

The manifest picks the authenticator with a SelectiveAuthenticator on `credentials.auth_type`, and its error
handler answers HTTP 401 with REFRESH_TOKEN_THEN_RETRY: the CDK's HttpClient then calls the authenticator's
`refresh_and_set_access_token()` (unless another thread already replaced the refused token) and sends the request
once more itself, through the api_budget, the error handler and its logging; a second 401 fails the stream. Only
public CDK methods are overridden here. Python exists because YAML cannot say what follows:

* `LegacyApiToken` reads configs written before `credentials` existed (`{"api_token": ...}`). It is a
  transformation, not a config migration, because a migration rewrites the config file, and the file is
  read-only where the connector runs as Airbyte does it (tests mount it read-only in the container).
* `ApiTokenAuthenticator` is the CDK's BearerAuthenticator plus a refresh that fails at once: an API token cannot
  be refreshed, so its 401 is final. (Without that refresh the HttpClient would retry the 401 five times with
  backoff; the error handler cannot tell the two kinds of credentials apart, as its filters do not see the config.)
* `TempoOAuthAuthenticator` is the CDK's single-use refresh token authenticator, which refreshes under one lock
  shared by every thread and stream instance (one refresh per expiry) and emits the rotated config as a CONTROL
  message, plus what Tempo needs: a missing access token counts as expired, the new refresh token is masked in
  output, a refused refresh says whether the refresh token or the client is wrong, and the rotated config is
  saved to the config file, and the refresh request has the connector's timeouts (the CDK sends it without
  one; source_tempo/cdk_internals.py `time_out_token_refresh`). It is a CustomAuthenticator rather than the
  manifest's OAuthAuthenticator with a `refresh_token_updater`, because for that one the CDK builds its own class,
  with no place for these.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
from typing import Any, Mapping, MutableMapping

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.auth.oauth import DeclarativeSingleUseRefreshTokenOauth2Authenticator
from airbyte_cdk.sources.declarative.auth.token import BearerAuthenticator
from airbyte_cdk.sources.declarative.auth.token_provider import InterpolatedStringTokenProvider
from airbyte_cdk.sources.declarative.interpolation import InterpolatedString
from airbyte_cdk.sources.declarative.transformations.config_transformations.config_transformation import (
    ConfigTransformation,
)
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets, filter_secrets
from airbyte_cdk.utils.datetime_helpers import AirbyteDateTime
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tempo.cdk_internals import time_out_token_refresh

LOGGER = logging.getLogger("airbyte")

API_TOKEN = "api_token"
OAUTH = "oauth2.0"

# One config file write at a time; each writes the config as it is then, so the last one holds the newest tokens.
_CONFIG_FILE_LOCK = threading.Lock()


class LegacyApiToken(ConfigTransformation):
    """`{"api_token": T}` is read as `{"credentials": {"auth_type": "api_token", "api_token": T}}`.

    When `credentials` is set it wins and the top-level `api_token` is ignored. In memory only: the file
    and the platform's copy keep the shape the user wrote.
    """

    def transform(self, config: MutableMapping[str, Any]) -> None:
        if "credentials" not in config and "api_token" in config:
            config["credentials"] = {"auth_type": API_TOKEN, "api_token": config["api_token"]}


class PersistedConfig(dict):  # type: ignore[type-arg]
    """The connector config, remembering the file it was read from so a rotated refresh token can be saved."""

    def __init__(self, config: Mapping[str, Any], path: str | None) -> None:
        super().__init__(config)
        self.path = path


def write_config_file(config: Mapping[str, Any], path: str) -> None:
    """Replaces the file atomically (a crash never leaves half a refresh token), in place when that fails
    (a bind-mounted file cannot be replaced); a read-only file only logs a warning, the CONTROL message
    is then the one copy of the new refresh token."""
    with _CONFIG_FILE_LOCK:
        content = json.dumps(config)
        directory = os.path.dirname(os.path.abspath(path))
        temporary = None
        try:
            with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, suffix=".tmp") as handle:
                temporary = handle.name
                handle.write(content)
            os.replace(temporary, path)
            return
        except OSError:
            if temporary and os.path.exists(temporary):
                os.unlink(temporary)
        try:
            with open(path, "w") as handle:
                handle.write(content)
        except OSError as error:
            LOGGER.warning(
                f"Could not save the rotated OAuth refresh token to the config file ({error.strerror}); "
                "it was sent to Airbyte in a CONTROL message."
            )


class ApiTokenAuthenticator(BearerAuthenticator):
    """`Authorization: Bearer <API token>`; the refresh that the error handler asks for on a 401 fails at once.

    `url_base` is the requester's (the CDK hands it to the authenticators it builds), named in the message as the
    host that refused the token: the wrong one is the usual cause.
    """

    api_token: str
    url_base: str

    def __init__(
        self,
        api_token: str,
        config: Mapping[str, Any],
        parameters: Mapping[str, Any] | None = None,
        url_base: str | None = None,
    ) -> None:
        parameters = parameters or {}
        provider = InterpolatedStringTokenProvider(config=config, api_token=api_token, parameters=parameters)
        super().__init__(token_provider=provider, config=config, parameters=parameters)
        self.api_url = InterpolatedString.create(url_base, parameters=parameters).eval(config) if url_base else None

    def refresh_and_set_access_token(self) -> None:
        where = f" at {self.api_url}" if self.api_url else ""
        message = (
            f"Tempo rejected the API token (HTTP 401{where}): the token is wrong, expired, or belongs to another "
            "region. Check `credentials`, and set `region` to the cluster of your Tempo site (global, eu or us)."
        )
        raise AirbyteTracedException(
            message=message, internal_message="HTTP 401 with an API token", failure_type=FailureType.config_error
        )


class TempoOAuthAuthenticator(DeclarativeSingleUseRefreshTokenOauth2Authenticator):
    """OAuth 2.0 for Tempo, whose every refresh returns a new refresh token and revokes the old one at once.

    The client credentials and tokens live in `credentials` (client_id, client_secret, refresh_token,
    access_token, token_expiry_date), the CDK's default paths. See the module docstring for what is added.
    """

    # The fields the CDK's factory passes from the manifest (it reads them from these annotations).
    config: Mapping[str, Any]
    token_refresh_endpoint: str
    connect_timeout_seconds: float
    read_timeout_seconds: float
    parameters: Mapping[str, Any]

    def __init__(
        self,
        config: Mapping[str, Any],
        token_refresh_endpoint: str,
        connect_timeout_seconds: float = 10,
        read_timeout_seconds: float = 45,
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        time_out_token_refresh(float(connect_timeout_seconds), float(read_timeout_seconds))
        super().__init__(
            connector_config=config,
            token_refresh_endpoint=InterpolatedString.create(token_refresh_endpoint, parameters=parameters or {}).eval(
                config
            ),
        )
        # The dict the CDK writes the new tokens into; a PersistedConfig knows its file (see SourceTempo.__init__).
        self.config = config

    def token_has_expired(self) -> bool:
        return not self.access_token or super().token_has_expired()

    def set_refresh_token(self, new_refresh_token: str) -> None:
        add_to_secrets(new_refresh_token)
        super().set_refresh_token(new_refresh_token)

    def refresh_and_set_access_token(self) -> None:
        """The CDK's refresh (skipped when another thread has just refreshed), then the config file is saved."""
        before = self.access_token
        super().refresh_and_set_access_token()
        path = getattr(self.config, "path", None)
        if path and self.access_token != before:
            write_config_file(self.config, path)

    def refresh_access_token(self) -> tuple[str, AirbyteDateTime, str | None]:
        try:
            return super().refresh_access_token()
        except requests.exceptions.HTTPError as error:  # the CDK has retried 429 and 5xx for up to 5 minutes
            raise refused_refresh(error.response, self.get_token_refresh_endpoint()) from None
        except requests.exceptions.RequestException as error:  # timeouts and resets, also retried for 5 minutes
            raise unreachable_token_endpoint(error, self.get_token_refresh_endpoint()) from None


def unreachable_token_endpoint(error: requests.exceptions.RequestException, url: str) -> AirbyteTracedException:
    """The token endpoint did not answer (a timeout, a reset connection) through the CDK's retries."""
    cause = "read timeout" if isinstance(error, requests.exceptions.ReadTimeout) else type(error).__name__
    return AirbyteTracedException(
        message=(
            f"Tempo's token endpoint did not answer at {url} ({cause}) through 5 minutes of retries, so the OAuth "
            "access token could not be refreshed. This is usually temporary: run the sync again later."
        ),
        internal_message=f"token refresh failed: {type(error).__name__}",
        failure_type=FailureType.transient_error,
    )


def refused_refresh(response: requests.Response | None, url: str) -> AirbyteTracedException:
    """What the token endpoint's refusal means for the user: the refresh token, the client, or a passing fault.

    Only the OAuth `error` code of the answer is quoted, when it looks like one: the body may echo a secret.
    """
    status = response.status_code if response is not None else None
    try:
        body = response.json() if response is not None else None
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    code = error if isinstance(error, str) and re.fullmatch(r"[\w.-]{1,64}", error) else None
    shown_code = filter_secrets(code or "not given")
    failure_type = FailureType.config_error
    if code == "invalid_grant":
        message = (
            f"Tempo refused the OAuth refresh token (invalid_grant at {url}): it was revoked, already used by "
            "another sync, or has expired. Authenticate the source again (the OAuth consent in Airbyte, or a new "
            "`credentials.refresh_token`)."
        )
    elif code in ("invalid_client", "unauthorized_client") or status == 401:
        message = (
            f"Tempo refused the OAuth client (HTTP {status} at {url}): check `credentials.client_id` and "
            "`credentials.client_secret` against your OAuth application in Tempo > Settings > OAuth 2.0 "
            "applications, and set `region` to your Tempo site's cluster."
        )
    elif status is not None and (status == 429 or status >= 500):
        failure_type = FailureType.transient_error
        message = (
            f"Tempo's token endpoint kept answering HTTP {status} at {url} for 5 minutes of retries, so the OAuth "
            "access token could not be refreshed. This is usually temporary: run the sync again later."
        )
    else:
        message = (
            f"Tempo's token endpoint refused to refresh the OAuth access token (HTTP {status} at {url}, "
            f"error {shown_code}). Authenticate the source again; if it persists, check the OAuth application "
            "in Tempo."
        )
    return AirbyteTracedException(
        message=message,
        internal_message=f"token refresh refused: HTTP {status}, error {shown_code!r}",
        failure_type=failure_type,
    )
