"""The on-failure destination of a local stream mapping: an SQS queue, as Lambda's.

When an event source mapping for a DynamoDB stream gives up on records (retries
spent, or too old) and has `DestinationConfig.OnFailure`, Lambda sends the
destination one JSON document per discarded batch: where the batch is in its shard,
never the records' data. `invocation_record` writes that document in the shape
Lambda's documentation shows (requestContext, responseContext, version, timestamp,
DDBStreamBatchInfo); a consumer reads the records again from the stream with
GetShardIterator(AT_SEQUENCE_NUMBER) while they are within its 24 hours.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# What Lambda writes in `requestContext.condition` when a stream record is discarded
# after MaximumRetryAttempts (RecordAgeExceeded is the other; the local mapping has
# no maximum age).
RETRIES_EXHAUSTED = "RetryAttemptsExhausted"
LOCAL_ACCOUNT_ID = "000000000000"


@dataclass(frozen=True)
class DiscardedBatch:
    """The records a mapping gave up on, all from one shard, in stream order."""

    stream_arn: str
    shard_id: str
    records: list[dict[str, Any]]
    # True when the handler raised (Lambda's "Unhandled" function error); False when it
    # returned and reported the records failed in its partial batch response.
    handler_raised: bool
    attempts: int


def function_arn(stream_arn: str, function_name: str) -> str:
    """A function's ARN in the stream's region and the local cloud's account."""
    parts = stream_arn.split(":")
    region = parts[3] if len(parts) > 3 else "us-east-1"
    return f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT_ID}:function:{function_name}"


def invocation_record(
    batch: DiscardedBatch,
    function: str,
    now: datetime.datetime,
    request_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> dict[str, Any]:
    """What Lambda sends an on-failure destination for `batch`, invoked as `function` (an ARN)."""
    first, last = batch.records[0], batch.records[-1]
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if batch.handler_raised:
        response["functionError"] = "Unhandled"
    return {
        "requestContext": {
            "requestId": request_id(),
            "functionArn": function,
            "condition": RETRIES_EXHAUSTED,
            "approximateInvokeCount": batch.attempts,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": now.astimezone(datetime.UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
        "DDBStreamBatchInfo": {
            "shardId": batch.shard_id,
            "startSequenceNumber": _sequence(first),
            "endSequenceNumber": _sequence(last),
            "approximateArrivalOfFirstRecord": _arrival(first),
            "approximateArrivalOfLastRecord": _arrival(last),
            "batchSize": len(batch.records),
            "streamArn": batch.stream_arn,
        },
    }


class QueueDestination:
    """Sends invocation records to an SQS queue, through `sqs` (a boto3 SQS client)."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self.queue_url = queue_url

    def __call__(self, record: dict[str, Any]) -> None:
        self._sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(record))


def _sequence(record: dict[str, Any]) -> str:
    return str(record.get("dynamodb", {}).get("SequenceNumber", ""))


def _arrival(record: dict[str, Any]) -> str:
    created = record.get("dynamodb", {}).get("ApproximateCreationDateTime")
    if not isinstance(created, int | float):
        return ""
    moment = datetime.datetime.fromtimestamp(created, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
