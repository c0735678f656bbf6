"""The __service__ service's HTTP API: routes only; the work happens in chalicelib/."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response
from chalice.app import DynamoDBEvent

from {{ cookiecutter.project_slug }}_auth import ChaliceAuth
from {{ cookiecutter.project_slug }}_observability import report_errors

from chalicelib.changes import table_stream_arn
from chalicelib.composition import dependencies
from chalicelib.http import (
    batch_items,
    batch_response,
    created,
    current_request,
    expected_version,
    idempotency_key,
    json_body,
    no_content,
    page_params,
    record_response,
)

app = Chalice(app_name="{{ cookiecutter.__resource_prefix }}-__service__")
report_errors(app)
auth = ChaliceAuth(app, verifier=lambda: dependencies.get().verifier)


@app.route("/me", methods=["GET"])
@auth.required(use="id")
def me() -> dict[str, Any]:
    return auth.user().to_json()


@app.route("/__service__", methods=["POST"])
@auth.required()
def create_record() -> Response:
    request, service = current_request(app), dependencies.get()
    data = json_body(request)

    def create() -> Response:
        record = service.records.create(data)
        return created(f"/__service__/{record.id}", record)

    key = idempotency_key(request.headers.get("idempotency-key"))
    return service.idempotent.respond(key, auth.user().sub, data, create)


@app.route("/__service__/batch", methods=["POST"])
@auth.required()
def create_records() -> dict[str, Any]:
    result = dependencies.get().records.create_batch(batch_items(current_request(app)))
    return batch_response(result)


@app.route("/__service__", methods=["GET"])
@auth.required()
def list_records() -> dict[str, Any]:
    limit, page_token = page_params(current_request(app).query_params)
    page = dependencies.get().records.list(limit, page_token)
    return {
        "items": [record.to_json() for record in page.records],
        "next_token": page.next_token,
    }


@app.route("/__service__/stats/daily", methods=["GET"])
@auth.required()
def daily_counts() -> dict[str, Any]:
    # From the SQL projection: an aggregate over every record, which DynamoDB answers
    # only by reading the whole table.
    return dependencies.get().queries.daily_counts(current_request(app).query_params)


@app.route("/__service__/search", methods=["GET"])
@auth.required()
def search_records() -> dict[str, Any]:
    return dependencies.get().queries.search(current_request(app).query_params)


@app.route("/__service__/{record_id}", methods=["GET"])
@auth.required()
def get_record(record_id: str) -> Response:
    record = dependencies.get().records.get(record_id)
    return record_response(record)


@app.route("/__service__/{record_id}", methods=["PUT"])
@auth.required()
def replace_record(record_id: str) -> Response:
    request = current_request(app)
    record = dependencies.get().records.replace(
        record_id, json_body(request), expected_version(request.headers.get("if-match"))
    )
    return record_response(record)


@app.route("/__service__/{record_id}", methods=["DELETE"])
@auth.required(groups=["admins"])
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
