"""Which Cognito user pool a service trusts, and where that pool's signing keys are."""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

# boto3's variables, in the order boto3 itself honours them for cognito-idp.
_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL")


@dataclass(frozen=True)
class UserPool:
    """A user pool and the app clients whose tokens a service accepts."""

    region: str
    pool_id: str
    client_ids: frozenset[str]

    @property
    def issuer(self) -> str:
        """The `iss` of every token the pool signs, on AWS and on the local cloud alike."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    def jwks_url(self, environ: Mapping[str, str] | None = None) -> str:
        """Where the pool publishes its keys: always `<issuer>/.well-known/jwks.json`,
        except that an emulator on this machine (a loopback endpoint in boto3's
        variables) serves them itself.

        Nothing else can move it: an endpoint on any other host is ignored, so no
        configuration can make a deployed service trust keys the pool did not publish.
        """
        env = os.environ if environ is None else environ
        for name in _ENDPOINT_VARIABLES:
            endpoint = env.get(name, "")
            if endpoint and _is_loopback(endpoint):
                return f"{endpoint.rstrip('/')}/{self.pool_id}/.well-known/jwks.json"
        return f"{self.issuer}/.well-known/jwks.json"


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
