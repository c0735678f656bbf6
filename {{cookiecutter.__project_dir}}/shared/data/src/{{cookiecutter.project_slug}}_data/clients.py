"""The one place that builds DynamoDB clients, so every service retries the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Standard mode retries throttling with exponential backoff; adaptive would add
# client-side rate limiting, which a Lambda with one request at a time does not need.
_RETRIES = Config(retries={"mode": "standard", "max_attempts": 5})


def dynamodb_client(region: str) -> DynamoDBClient:
    """Return a DynamoDB client for `region`.

    boto3 reads `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_DYNAMODB` itself, so the same
    call reaches AWS when deployed and the local cloud in development and tests.
    """
    return boto3.client("dynamodb", region_name=region, config=_RETRIES)
