"""The __service__ service's HTTP API: routes only; the work happens in chalicelib/."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response
from chalice.app import DynamoDBEvent

from {{ cookiecutter.project_slug }}_auth import ChaliceAuth
from {{ cookiecutter.project_slug }}_data.limits import MAX_BATCH_BODY_BYTES
from {{ cookiecutter.project_slug }}_observability import report_errors

from chalicelib.changes import table_stream_arn
from chalicelib.composition import dependencies
from chalicelib.contract import RequestContract
from chalicelib.http import batch_response, created, expected_version, no_content, record_response

app = Chalice(app_name="{{ cookiecutter.__resource_prefix }}-__service__")
report_errors(app)
auth = ChaliceAuth(app, verifier=lambda: dependencies.get().verifier)
# Every route checks its request against openapi.yaml (after the token, before its code).
contract = RequestContract(app)


@app.route("/me", methods=["GET"])
@auth.required(use="id")
@contract.checked()
def me() -> dict[str, Any]:
    return auth.user().to_json()


@app.route("/__service__", methods=["POST"])
@auth.required()
@contract.checked()
def create_record() -> Response:
    request, service = contract.request(), dependencies.get()
    data = request.document()

    def create() -> Response:
        record = service.records.create(data)
        return created(f"/__service__/{record.id}", record)

    key = request.headers.get("Idempotency-Key")
    return service.idempotent.respond(key, auth.user().sub, data, create)


@app.route("/__service__/batch", methods=["POST"])
@auth.required()
@contract.checked(max_body_bytes=MAX_BATCH_BODY_BYTES)
def create_records() -> dict[str, Any]:
    items = contract.request().document()["items"]
    result = dependencies.get().records.create_batch(items)
    return batch_response(result)


@app.route("/__service__", methods=["GET"])
@auth.required()
@contract.checked()
def list_records() -> dict[str, Any]:
    query = contract.request().query
    page = dependencies.get().records.list(query["limit"], query.get("next_token"))
    return {
        "items": [record.to_json() for record in page.records],
        "next_token": page.next_token,
    }


@app.route("/__service__/stats/daily", methods=["GET"])
@auth.required()
@contract.checked()
def daily_counts() -> dict[str, Any]:
    # From the SQL projection: an aggregate over every record, which DynamoDB answers
    # only by reading the whole table.
    query = contract.request().query
    return dependencies.get().queries.daily_counts(query.get("from"), query.get("to"))


@app.route("/__service__/search", methods=["GET"])
@auth.required()
@contract.checked()
def search_records() -> dict[str, Any]:
    query = contract.request().query
    return dependencies.get().queries.search(query["q"], query["limit"], query.get("next_token"))


@app.route("/__service__/{record_id}", methods=["GET"])
@auth.required()
@contract.checked()
def get_record(record_id: str) -> Response:
    record = dependencies.get().records.get(record_id)
    return record_response(record)


@app.route("/__service__/{record_id}", methods=["PUT"])
@auth.required()
@contract.checked()
def replace_record(record_id: str) -> Response:
    request = contract.request()
    record = dependencies.get().records.replace(
        record_id, request.document(), expected_version(request.headers.get("If-Match"))
    )
    return record_response(record)


@app.route("/__service__/{record_id}", methods=["DELETE"])
@auth.required(groups=["admins"])
@contract.checked()
def delete_record(record_id: str) -> Response:
    dependencies.get().records.delete(record_id)
    return no_content()


@app.on_dynamodb_record(stream_arn=table_stream_arn(), batch_size=100, starting_position="LATEST")
def on_record_change(event: DynamoDBEvent) -> dict[str, Any]:
    # Chalice hands the return value back to Lambda: a partial batch response, which
    # the event source mapping reads (ReportBatchItemFailures, set by the deploy's
    # template; `invoke dev`'s stream delivery reads it the same way). The raw event
    # goes on, as DynamoDBEvent's iterator raises on the first malformed record.
    return dependencies.get().changes.handle(event.to_dict())
