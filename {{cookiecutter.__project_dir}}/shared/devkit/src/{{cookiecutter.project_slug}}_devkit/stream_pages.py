"""GetRecords pages of a DynamoDB stream that survive a record botocore cannot parse.

A local cloud can return a record DynamoDB never would (moto drops empty map keys, so
`{"M": {"": {"N": "1"}}}` comes back as `{"M": {"N": "1"}}`), and botocore then fails
to parse the whole page: no record of it, no next iterator, the same failure at every
poll. `PageReader` keeps the raw body of each GetRecords answer (botocore's
`before-parse` event) and, when parsing fails, parses the records one by one, so the
unreadable ones can be skipped by sequence number and the stream moves on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from botocore.parsers import create_parser

_OPERATION = "GetRecords"


@dataclass(frozen=True)
class Page:
    """One GetRecords answer: records as boto3 returns them, the sequence numbers of the
    records that could not be parsed ("" when a record has none), and the next iterator."""

    records: list[dict[str, Any]]
    next_iterator: str | None
    unreadable: list[str] = field(default_factory=list)


class PageReader:
    """GetRecords through `streams` (a boto3 `dynamodbstreams` client)."""

    def __init__(self, streams: Any) -> None:
        self._streams = streams
        self._raw: bytes | None = None
        service_id = streams.meta.service_model.service_id.hyphenize()
        streams.meta.events.register(f"before-parse.{service_id}.{_OPERATION}", self._keep)

    def read(self, iterator: str, limit: int) -> Page:
        """The page at `iterator`; raises what GetRecords raises, unless only parsing failed."""
        self._raw = None
        try:
            page = self._streams.get_records(ShardIterator=iterator, Limit=limit)
        except ClientError:
            raise
        except Exception:
            raw = self._kept()
            if raw is None:
                raise  # no answer to salvage: a connection error, a stubbed client
            return self._salvage(raw)
        return Page(page["Records"], page.get("NextShardIterator"))

    def _kept(self) -> bytes | None:
        # (A method: after `self._raw = None`, mypy would take the attribute for None.)
        return self._raw

    def _keep(self, response_dict: dict[str, Any], **_: Any) -> None:
        if response_dict.get("status_code") == 200:
            self._raw = response_dict.get("body")

    def _salvage(self, raw: bytes) -> Page:
        body = json.loads(raw)
        output = self._streams.meta.service_model.operation_model(_OPERATION).output_shape
        parser = create_parser(self._streams.meta.service_model.resolved_protocol)
        records, unreadable = [], []
        for item in body.get("Records") or []:
            alone = json.dumps({"Records": [item]}).encode()
            try:
                parsed = parser.parse({"body": alone, "headers": {}, "status_code": 200}, output)
                records.append(parsed["Records"][0])
            except Exception:
                unreadable.append(_sequence_number(item))
        return Page(records, body.get("NextShardIterator"), unreadable)


def _sequence_number(item: Any) -> str:
    change = item.get("dynamodb") if isinstance(item, dict) else None
    sequence = change.get("SequenceNumber") if isinstance(change, dict) else None
    return sequence if isinstance(sequence, str) else ""
