"""The change log projection without a local cloud: what it writes, and which errors it keeps."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from {{ cookiecutter.project_slug }}_data import Change, ChangeLog, MalformedChange
from {{ cookiecutter.project_slug }}_data.change_log import sort_key


def _record(**dynamodb: Any) -> dict[str, Any]:
    body = {"Keys": {"id": {"S": "r1"}}, "SequenceNumber": "900", **dynamodb}
    return {"eventID": "e1", "eventName": "MODIFY", "dynamodb": body}


def test_a_change_is_read_from_lambdas_record_and_repr_shows_no_data() -> None:
    image = {"id": {"S": "r1"}, "version": {"N": "3"}, "data": {"S": "personal"}}
    change = Change.from_stream_record(
        _record(NewImage=image, ApproximateCreationDateTime=1_795_000_000.0)
    )
    assert (change.record_id, change.kind, change.sequence_number, change.event_id) == (
        "r1",
        "MODIFY",
        "900",
        "e1",
    )
    assert change.changed_at == "2026-11-18T11:06:40Z"
    assert "personal" not in repr(change)


@pytest.mark.parametrize(
    "record",
    [
        None,
        {"eventName": "MODIFY"},
        {**_record(), "eventName": "UPSERT"},
        _record(Keys={"id": {"N": "1"}}),
        _record(SequenceNumber="not-a-number"),
    ],
    ids=["not-an-object", "no-dynamodb", "unknown-event", "number-key", "bad-sequence"],
)
def test_what_is_no_change_is_refused(record: Any) -> None:
    with pytest.raises(MalformedChange):
        Change.from_stream_record(record)


def test_sort_keys_order_sequence_numbers_as_numbers() -> None:
    numbers = ["9", "10", "123456789012345678901", "99999999999999999999"]
    assert sorted(numbers, key=sort_key) == sorted(numbers, key=int)


def _put_request(version: str | None) -> dict[str, Any]:
    item = {
        "id": {"S": "r1"},
        "sequence": {"S": sort_key("900")},
        "change": {"S": "MODIFY"},
        "event_id": {"S": "e1"},
        "changed_at": {"S": ""},
    }
    if version is not None:
        item["version"] = {"N": version}
    return {"TableName": "log", "Item": item, "ConditionExpression": ANY,
            "ExpressionAttributeNames": ANY}  # fmt: skip


def test_an_entry_already_there_is_kept_and_other_errors_are_raised() -> None:
    client = boto3.client("dynamodb", region_name="eu-west-1")
    change = Change.from_stream_record(_record(NewImage={"version": {"N": "4"}}))
    with Stubber(client) as stub:
        stub.add_response("put_item", {}, _put_request("4"))
        stub.add_client_error("put_item", "ConditionalCheckFailedException",
                              expected_params=_put_request("4"))  # fmt: skip
        stub.add_client_error("put_item", "ProvisionedThroughputExceededException")
        log = ChangeLog(client, "log")
        log.apply(change)
        log.apply(change)  # a replay: written once, nothing raised
        with pytest.raises(ClientError, match="ProvisionedThroughputExceeded"):
            log.apply(change)  # the stream handler reports the record; Lambda retries it
        stub.assert_no_pending_responses()
