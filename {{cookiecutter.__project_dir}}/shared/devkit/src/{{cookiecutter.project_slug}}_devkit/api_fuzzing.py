"""Schema-driven fuzzing of a service from its openapi.yaml, with schemathesis and Hypothesis.

`fuzz_service` sends every operation valid and invalid requests generated from
the document (stateless), then runs create-read-replace-delete sequences along
the document's links (stateful), either in-process through `chalice_wsgi` or at
a running server's URL. Each response must not be a 5xx and must match the
document: status code, content type, headers and body schema; and a request the
document forbids must not succeed. The budget is bounded and the seed fixed (derandomized), so
a run is repeatable and a failure comes back as the smallest request Hypothesis
found, with a curl line to replay it.
"""

from __future__ import annotations

import collections
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.core.result import Ok
from schemathesis.specs.openapi import checks as openapi_checks

Case = schemathesis.Case[Any]

# Every response check schemathesis has (importing its OpenAPI checks registers them),
# but max_response_time, which would make the result depend on the machine's speed.
assert openapi_checks.status_code_conformance in REGISTERED_CHECKS.get_all()
CHECKS = REGISTERED_CHECKS.get_all()
positive_data_acceptance = openapi_checks.positive_data_acceptance
# How a service's request check (its chalicelib/contract.py) words a refusal: the part of
# the request, then the rule it breaks. Schema-valid data must never get one of these.
CONTRACT_REFUSAL = re.compile(r"(?:query|path|header|body)[.\[ ]|unknown query parameters")


def refusal_beyond_schema(status: int, body: bytes) -> bool:
    """Whether an answer refuses schema-valid data for a rule the document states in words.

    A 400 the request check did not give (`x-limits`, a search syntax, `from` after
    `to`), or a 422 (an Idempotency-Key sent again with another body: only state
    tells). positive_data_acceptance lets those through, and only those.
    """
    if status == 422:
        return True
    if status != 400:
        return False
    try:
        message = json.loads(body)["Message"]
    except (ValueError, KeyError, TypeError):
        return False
    return not CONTRACT_REFUSAL.match(str(message))


@dataclass(frozen=True)
class FuzzBudget:
    """How much to try: examples per operation and generation mode, and stateful scenarios."""

    examples: int = 30
    scenarios: int = 15
    steps: int = 8


@dataclass
class FuzzReport:
    """What a run sent: cases per operation and the statuses that came back."""

    cases: collections.Counter[str] = field(default_factory=collections.Counter)
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    stateful_steps: int = 0

    @property
    def total(self) -> int:
        """Every request sent."""
        return sum(self.cases.values())

    def summary(self) -> str:
        """One line: the case count, per operation, and the statuses seen."""
        operations = ", ".join(f"{name} {count}" for name, count in sorted(self.cases.items()))
        statuses = ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items()))
        return (
            f"{self.total} cases, {self.stateful_steps} of them in linked sequences "
            f"({operations}); statuses {statuses}"
        )


def fuzz_service(
    document: Path,
    headers: Mapping[str, str],
    budget: FuzzBudget = FuzzBudget(),
    *,
    app: Callable[..., Any] | None = None,
    base_url: str | None = None,
    operation_headers: Mapping[str, Mapping[str, str]] | None = None,
    refused_beyond_schema: Callable[[int, bytes], bool] = refusal_beyond_schema,
) -> FuzzReport:
    """Fuzz every operation of `document` against `app` (WSGI) or `base_url`; raise on a failure.

    `headers` go with every request (the bearer token: the document's security
    scheme cannot be satisfied by generated values), or `operation_headers` for the
    operations it names ("GET /me": a route that wants another token).
    `refused_beyond_schema(status, body)` tells a refusal of schema-valid data for a
    rule the document states outside JSON Schema (`refusal_beyond_schema` by default).
    """
    if (app is None) == (base_url is None):
        raise ValueError("give exactly one of app and base_url")
    schema = schemathesis.openapi.from_path(document)
    schema.app = app
    call_kwargs: dict[str, Any] = {"base_url": base_url} if base_url is not None else {}
    special = {label: dict(values) for label, values in (operation_headers or {}).items()}

    def kwargs_for(case: Case) -> dict[str, Any]:
        return {**call_kwargs, "headers": special.get(case.operation.label, dict(headers))}

    report = FuzzReport()
    settings = hypothesis.settings(
        max_examples=budget.examples,
        deadline=None,
        database=None,
        # A fixed seed per test, so every run sends the same requests.
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink],
    )

    def checks_for(response: Any) -> list[Any]:
        if refused_beyond_schema(response.status_code, response.content):
            return [check for check in CHECKS if check is not positive_data_acceptance]
        return CHECKS

    def send(case: Case) -> None:
        kwargs = kwargs_for(case)
        response = case.call(**kwargs)
        report.cases[case.operation.label] += 1
        report.statuses[response.status_code] += 1
        case.validate_response(response, checks=checks_for(response), headers=kwargs["headers"])

    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            raise ValueError(f"{document}: {result.err()}")
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings
            @hypothesis.given(case=strategy)
            def each_case(case: Case) -> None:
                send(case)

            each_case()

    machine = schema.as_state_machine()

    class Scenarios(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return kwargs_for(case)

        def after_call(self, response: Any, case: Case) -> None:
            super().after_call(response, case)
            report.stateful_steps += 1
            report.cases[case.operation.label] += 1
            report.statuses[response.status_code] += 1

        def validate_response(self, response: Any, case: Case, **_: Any) -> None:
            case.validate_response(
                response,
                checks=checks_for(response),
                headers=kwargs_for(case)["headers"],
                recorder=self.recorder,
            )

    run_state_machine_as_test(
        Scenarios,
        settings=hypothesis.settings(
            settings, max_examples=budget.scenarios, stateful_step_count=budget.steps
        ),
    )
    return report
