"""A stage's secrets: one JSON object of string values in AWS Secrets Manager."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

# Standard mode retries throttling and connection errors with exponential backoff.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15
)


class SecretsError(Exception):
    """The stage's secrets cannot be read or written. The message names no value."""


def secret_name(prefix: str, stage: str) -> str:
    """The Secrets Manager name of a stage's secret: project and stage, like every resource."""
    return f"{prefix}/{stage}"


def secrets_client(region: str) -> SecretsManagerClient:
    """A Secrets Manager client that honours AWS_ENDPOINT_URL (the local cloud) and retries."""
    return boto3.client("secretsmanager", region_name=region, config=CLIENT_CONFIG)


class StageSecrets:
    """Reads and writes the JSON object stored under `secret_id`."""

    def __init__(self, client: SecretsManagerClient, secret_id: str) -> None:
        self._client = client
        self._secret_id = secret_id

    @property
    def secret_id(self) -> str:
        """The secret's name or ARN."""
        return self._secret_id

    def read(self) -> dict[str, str]:
        """The secret's key/value pairs; SecretsError if it is missing, unreadable or malformed."""
        return self.read_version()[0]

    def read_version(self) -> tuple[dict[str, str], str]:
        """The secret's key/value pairs and the id of the version they come from."""
        try:
            response = self._client.get_secret_value(SecretId=self._secret_id)
            raw = response.get("SecretString")
        except ClientError as error:
            raise self._refusal(error) from None
        except EndpointConnectionError:
            raise SecretsError(f"cannot reach Secrets Manager for {self._secret_id}") from None
        except BotoCoreError as error:
            raise SecretsError(f"{self._secret_id}: {type(error).__name__}") from None
        if raw is None:
            raise SecretsError(f"{self._secret_id} holds binary data, not a JSON object")
        try:
            values = json.loads(raw)
        except ValueError:
            raise SecretsError(f"{self._secret_id} is not valid JSON") from None
        if not isinstance(values, dict):
            raise SecretsError(f"{self._secret_id} must hold a JSON object of strings")
        wrong = sorted(key for key, value in values.items() if not isinstance(value, str))
        if wrong:
            raise SecretsError(f"{self._secret_id}: not a string value for {', '.join(wrong)}")
        return values, str(response.get("VersionId", ""))

    def exists(self) -> bool:
        """True if the secret exists, whatever it holds."""
        try:
            self._client.describe_secret(SecretId=self._secret_id)
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return False
            raise self._refusal(error) from None
        return True

    def read_or_empty(self) -> dict[str, str]:
        """Like read(), but a secret that does not exist yet reads as {}."""
        try:
            return self.read()
        except SecretNotFound:
            return {}

    def write(self, values: dict[str, str]) -> None:
        """Store `values` as the secret's new version, creating the secret if needed."""
        body = json.dumps(values, sort_keys=True)
        try:
            try:
                self._client.put_secret_value(SecretId=self._secret_id, SecretString=body)
            except ClientError as error:
                if _code(error) != "ResourceNotFoundException":
                    raise
                self._client.create_secret(Name=self._secret_id, SecretString=body)
        except ClientError as error:
            raise self._refusal(error) from None
        except EndpointConnectionError:
            raise SecretsError(f"cannot reach Secrets Manager for {self._secret_id}") from None

    def _refusal(self, error: ClientError) -> SecretsError:
        code = _code(error)
        if code == "ResourceNotFoundException":
            return SecretNotFound(f"{self._secret_id} does not exist")
        if code in ("AccessDeniedException", "AccessDenied", "UnrecognizedClientException"):
            return SecretsError(f"access to {self._secret_id} denied ({code})")
        return SecretsError(f"Secrets Manager refused {self._secret_id}: {code}")


class SecretNotFound(SecretsError):
    """The secret does not exist (yet)."""


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))
