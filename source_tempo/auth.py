"""Signing in to Tempo: the two config shapes, and what the CDK's OAuth 2.0 authenticator lacks for Tempo.

The manifest picks the authenticator with a SelectiveAuthenticator on `credentials.auth_type`: a
BearerAuthenticator for `api_token`, `TempoOAuthAuthenticator` below for `oauth2.0`. Both pieces of Python
here exist because YAML cannot say what they do:

* `LegacyApiToken` reads configs written before `credentials` existed (`{"api_token": ...}`). It is a
  transformation, not a config migration, because a migration rewrites the config file, and the file is
  read-only where the connector runs as Airbyte does it (tests mount it read-only in the container).
* `TempoOAuthAuthenticator` is the CDK's single-use refresh token authenticator (which already refreshes
  under one lock across threads and stream instances, and emits the rotated config as a CONTROL message)
  plus what Tempo needs and the CDK does not do: the config file is rewritten with the rotated refresh
  token, a 401 refreshes and resends the request once, a missing access token counts as expired, the new
  refresh token is masked in output, and a refused refresh says whether the refresh token or the client
  is wrong.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from typing import Any, Mapping, MutableMapping

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.declarative.auth.oauth import DeclarativeSingleUseRefreshTokenOauth2Authenticator
from airbyte_cdk.sources.declarative.interpolation import InterpolatedString
from airbyte_cdk.sources.declarative.transformations.config_transformations.config_transformation import (
    ConfigTransformation,
)
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

LOGGER = logging.getLogger("airbyte")

API_TOKEN = "api_token"
OAUTH = "oauth2.0"


class LegacyApiToken(ConfigTransformation):
    """`{"api_token": T}` is read as `{"credentials": {"auth_type": "api_token", "api_token": T}}`.

    When `credentials` is set it wins and the top-level `api_token` is ignored. In memory only: the file
    and the platform's copy keep the shape the user wrote.
    """

    def transform(self, config: MutableMapping[str, Any]) -> None:
        if "credentials" not in config and "api_token" in config:
            config["credentials"] = {"auth_type": API_TOKEN, "api_token": config["api_token"]}


def is_legacy(config: Mapping[str, Any]) -> bool:
    return "credentials" not in config and "api_token" in config


class PersistedConfig(dict):  # type: ignore[type-arg]
    """The connector config, remembering the file it was read from so a rotated refresh token can be saved."""

    def __init__(self, config: Mapping[str, Any], path: str | None) -> None:
        super().__init__(config)
        self.path = path


def write_config_file(config: Mapping[str, Any], path: str) -> None:
    """Replaces the file atomically (a crash never leaves half a refresh token), in place when that fails
    (a bind-mounted file cannot be replaced); a read-only file only logs a warning, the CONTROL message
    is then the one copy of the new refresh token."""
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


class TempoOAuthAuthenticator(DeclarativeSingleUseRefreshTokenOauth2Authenticator):
    """OAuth 2.0 for Tempo, whose every refresh returns a new refresh token and revokes the old one at once.

    The client credentials and tokens live in `credentials` (client_id, client_secret, refresh_token,
    access_token, token_expiry_date), the CDK's default paths. See the module docstring for what is added.
    """

    config: Mapping[str, Any]
    token_refresh_endpoint: str
    parameters: Mapping[str, Any]

    def __init__(
        self, config: Mapping[str, Any], token_refresh_endpoint: str, parameters: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(
            connector_config=config,
            token_refresh_endpoint=InterpolatedString.create(token_refresh_endpoint, parameters=parameters or {}).eval(
                config
            ),
        )

    def token_has_expired(self) -> bool:
        return not self.access_token or super().token_has_expired()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request = super().__call__(request)
        request.register_hook("response", self._refresh_and_resend_on_401)
        return request

    def _refresh_and_resend_on_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        """Tempo answers 401 to an access token that expired or was revoked before its recorded expiry.

        Like requests' digest auth: refresh, then send the request once more on the same connection. Only the
        first thread to see a 401 for a given token refreshes; the others resend with the token it got. A
        second 401 is returned as it is, for the error handler to report. The answer to the resend is marked, as
        requests-cache (the session of parent streams) runs the response hooks a second time on it.
        """
        if response.status_code != 401 or response.request is None or getattr(response, "_tempo_resent", False):
            return response
        rejected = str(response.request.headers.get("Authorization", ""))
        with self._token_refresh_lock:
            if rejected == f"Bearer {self.access_token}":
                self.refresh_and_set_access_token()
        resend = response.request.copy()
        resend.headers["Authorization"] = f"Bearer {self.access_token}"
        response.content  # noqa: B018 - read the body so that the connection can be reused
        response.close()
        retried = response.connection.send(resend, **kwargs)
        retried.history.append(response)
        retried.request = resend
        retried._tempo_resent = True  # type: ignore[attr-defined]
        return retried

    def set_refresh_token(self, new_refresh_token: str) -> None:
        add_to_secrets(new_refresh_token)
        super().set_refresh_token(new_refresh_token)

    def _emit_control_message(self) -> None:
        super()._emit_control_message()
        path = getattr(self._connector_config, "path", None)
        if path:
            write_config_file(self._connector_config, path)

    def _make_handled_request(self) -> Any:
        try:
            return super()._make_handled_request()
        except requests.exceptions.HTTPError as error:
            raise self._refused(error) from None

    def _refused(self, error: requests.exceptions.HTTPError) -> AirbyteTracedException:
        response = error.response
        status = response.status_code if response is not None else None
        body = self._parse_error_response_content(response) or {}
        code = body.get("error") if isinstance(body.get("error"), str) else None
        url = self.get_token_refresh_endpoint()
        shown_code = self._truncate(self._redact_credentials(code or "not given"), 64)
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
        else:
            message = (
                f"Tempo's token endpoint refused to refresh the OAuth access token (HTTP {status} at {url}, "
                f"error {shown_code}). Authenticate the source again; if it persists, check the OAuth application "
                "in Tempo."
            )
        return AirbyteTracedException(
            message=message,
            internal_message=f"token refresh refused: HTTP {status}, error {shown_code!r}",
            failure_type=FailureType.config_error,
        )
