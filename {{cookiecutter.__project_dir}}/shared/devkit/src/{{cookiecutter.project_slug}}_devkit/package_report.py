"""What a user pays for each deployment zip, pair by pair against a fair reference.

`invoke package --report` calls it after packaging. The reference is a bare `chalice
new-project` app whose app.py builds `boto3.client("dynamodb")` at import, as every
service builds one, packaged by Chalice in the same run. Each bundle is unzipped and
run ROUNDS times, alternating with the reference, in an interpreter that holds only
boto3 compiled to bytecode (what the Lambda runtime adds), with `-B` (Lambda's code
folder is read-only: what the zip does not ship as bytecode is compiled every time):

- cold init: from process start to the app imported and its dependencies built
  (the service's composition root, `chalicelib.composition.dependencies`);
- first request: one API Gateway proxy event through the Lambda handler, `app.app(event,
  context)`. Both routes touch no DynamoDB item: the reference's only route (GET /), and
  the service's cheapest guarded one (GET /me) with a valid id token, so the figure
  includes what a first guarded request pays: the JWKS fetch (from a server on
  127.0.0.1) and the RS256 check. Every service has /me; no service has an open route;
- the zip's size, against the budget of invoke.yaml's `cold_start`.

Numbers are medians with their ratio to the reference's median, printed, never judged.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .bundle_bytecode import running_python
from .cold_start_budget import ColdStartBudget

ROUNDS = 9
MB = 1024 * 1024
# Issue 17's budget, before SQLAlchemy: each MB above it is reported with what it costs.
BASELINE_BYTES = MB
REFERENCE = "reference"
# What the reference adds to `chalice new-project`: the client each service builds.
REFERENCE_CLIENT = '\n\nimport boto3\n\ndynamodb = boto3.client("dynamodb")\n'
REGION = "us-east-1"
POOL_ID = f"{REGION}_report"
CLIENT_ID = "report-client"
# Run once per measurement in a fresh interpreter. argv: the parent's monotonic clock
# just before it started the process (CLOCK_MONOTONIC is system-wide), and the event.
_RUN = """
import json, sys, time
started = float(sys.argv[1])
import app
composition = sys.modules.get("chalicelib.composition")
provider = getattr(composition, "dependencies", None)
if provider is not None:
    provider.get()
ready = time.monotonic()

class Context:
    function_name = "report"
    memory_limit_in_mb = 128
    aws_request_id = "report"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:report"

    def get_remaining_time_in_millis(self):
        return 30000

response = app.app(json.loads(sys.argv[2]), Context())
done = time.monotonic()
print(json.dumps({"init": ready - started, "request": done - ready,
                  "status": response["statusCode"], "body": response.get("body", "")[:300]}))
"""


@dataclass(frozen=True)
class BundleFigures:
    """One bundle: zip size in bytes, medians of cold init and first request in seconds."""

    name: str
    zip_bytes: int
    init_seconds: float
    request_seconds: float
    bytecode: bool

    @property
    def total_seconds(self) -> float:
        """What the first caller waits for, besides Lambda's own start."""
        return self.init_seconds + self.request_seconds


def lambda_like_python(folder: Path) -> Path:
    """A virtual environment in `folder` with boto3 (this project's version) and nothing else.

    boto3 is compiled to bytecode, as the Lambda runtime ships it: compiling it on
    every measured run would charge half a second that Lambda never spends.
    """
    python = folder / "bin" / "python"
    uv = str(Path(sys.executable).with_name("uv"))
    if not python.exists():
        subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(folder)], check=True)
    boto3 = f"boto3=={importlib.metadata.version('boto3')}"
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python), boto3],
        check=True,
    )
    return python


def reference_zip(folder: Path) -> Path:
    """`chalice new-project` plus a DynamoDB client at import, packaged as Chalice packages it."""
    chalice = str(Path(sys.executable).with_name("chalice"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    subprocess.run([chalice, "new-project", REFERENCE], cwd=folder, check=True, capture_output=True)
    project = folder / REFERENCE
    with (project / "app.py").open("a", encoding="utf-8") as app:
        app.write(REFERENCE_CLIENT)
    subprocess.run(
        [chalice, "package", "out"], cwd=project, check=True, capture_output=True,
        env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": REGION, "HOME": str(folder)},
    )  # fmt: skip
    return project / "out" / "deployment.zip"


def proxy_event(path: str, headers: dict[str, str]) -> dict[str, Any]:
    """An API Gateway (REST, proxy) GET event, as Lambda hands it to Chalice's handler."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": "GET",
            "path": f"/api{path}",
            "stage": "api",
            "requestId": "report",
        },
        "body": None,
        "isBase64Encoded": False,
    }


class _Signer:
    """A made-up user pool: its key signs the id token, its JWKS is served on 127.0.0.1."""

    def __init__(self) -> None:
        # Development-only imports: the report signs; the bundles only verify.
        from joserfc.jwk import RSAKey

        from .user_tokens import forge

        key = RSAKey.generate_key(2048, parameters={"kid": "report"})
        now = int(time.time())
        self.jwks = json.dumps({"keys": [key.as_dict(private=False)]}).encode()
        self.id_token = forge(
            {
                "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}",
                "sub": "report-user",
                "aud": CLIENT_ID,
                "token_use": "id",
                "cognito:username": "report",
                "iat": now,
                "exp": now + 3600,
            },
            key,
        )

    @contextmanager
    def serving(self) -> Iterator[str]:
        """Serve the JWKS on a free port of 127.0.0.1; yields the endpoint URL."""
        body = self.jwks

        class Jwks(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


@dataclass(frozen=True)
class _Subject:
    name: str
    archive: Path
    root: Path
    event: dict[str, Any]


def _run_once(python: Path, subject: _Subject, environ: dict[str, str]) -> tuple[float, float]:
    started = time.monotonic()
    result = subprocess.run(
        [str(python), "-B", "-c", _RUN, repr(started), json.dumps(subject.event)],
        cwd=subject.root, capture_output=True, text=True, check=False, env=environ,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{subject.name}: the measured run failed: {result.stderr.strip()}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["status"] != 200:
        raise RuntimeError(
            f"{subject.name}: the measured request got {figures['status']}: {figures['body']}"
        )
    return float(figures["init"]), float(figures["request"])


def _ships_bytecode(archive: Path) -> bool:
    tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}.pyc"
    with zipfile.ZipFile(archive) as bundle:
        return any(name.endswith(tag) for name in bundle.namelist())


def collect(
    stage_dir: Path, scratch: Path, rounds: int = ROUNDS
) -> tuple[BundleFigures, list[BundleFigures]]:
    """Figures of the reference app and of each service packaged under `stage_dir`."""
    services = sorted(path.parents[1].name for path in stage_dir.glob("*/package/deployment.zip"))
    if not services:
        raise FileNotFoundError(f"no */package/deployment.zip under {stage_dir}")
    python = lambda_like_python(scratch / "lambda-python")
    signer = _Signer()
    token = {"Authorization": f"Bearer {signer.id_token}", "Host": "report.example"}
    archives = {REFERENCE: reference_zip(scratch / "reference")} | {
        name: stage_dir / name / "package" / "deployment.zip" for name in services
    }
    with tempfile.TemporaryDirectory(prefix="report-") as unpacked, signer.serving() as endpoint:
        subjects = []
        for name, archive in archives.items():
            root = Path(unpacked) / name
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(root)
            event = proxy_event("/", {"Host": "report.example"}) if name == REFERENCE else (
                proxy_event("/me", token))  # fmt: skip
            subjects.append(_Subject(name, archive, root, event))
        environ = _environment(endpoint)
        samples: dict[str, list[tuple[float, float]]] = {subject.name: [] for subject in subjects}
        for round_number in range(rounds):
            # Pair by pair, alternating who goes first, so drift in load hits all alike.
            order = subjects if round_number % 2 == 0 else subjects[::-1]
            for subject in order:
                samples[subject.name].append(_run_once(python, subject, environ))
    figures = [
        BundleFigures(
            subject.name,
            subject.archive.stat().st_size,
            statistics.median(init for init, _ in samples[subject.name]),
            statistics.median(request for _, request in samples[subject.name]),
            _ships_bytecode(subject.archive),
        )
        for subject in subjects
    ]
    return figures[0], figures[1:]


def _environment(jwks_endpoint: str) -> dict[str, str]:
    """What Lambda and the stage would set: region, settings, and where the pool's keys are."""
    return {
        "PATH": "/usr/bin:/bin",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "report",
        "AWS_SECRET_ACCESS_KEY": "report",  # pragma: allowlist secret (a fake credential)
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": jwks_endpoint,
        "APP_STAGE": "dev",
        "APP_SERVICE": "report",
        "APP_REGION": REGION,
        "APP_TABLE_NAME": "report",
        "APP_USER_POOL_ID": POOL_ID,
        "APP_USER_POOL_CLIENT_IDS": CLIENT_ID,
    }


def format_report(
    reference: BundleFigures, bundles: list[BundleFigures], budget: ColdStartBudget | None = None
) -> list[str]:
    """A table of each bundle beside the reference (ratios), then what is over budget."""
    budget = budget or ColdStartBudget()
    lines = [
        f"{'bundle':<12} {'zip bytes':>11} {'x ref':>7} {'init ms':>8} {'x ref':>6} "
        f"{'1st req ms':>10} {'x ref':>6} {'total ms':>9} {'x ref':>6}  bytecode"
    ]
    for figures in [reference, *bundles]:
        lines.append(
            f"{figures.name:<12} {figures.zip_bytes:>11,} "
            f"{figures.zip_bytes / reference.zip_bytes:>7.2f} "
            f"{figures.init_seconds * 1000:>8.1f} "
            f"{figures.init_seconds / reference.init_seconds:>6.2f} "
            f"{figures.request_seconds * 1000:>10.1f} "
            f"{figures.request_seconds / reference.request_seconds:>6.2f} "
            f"{figures.total_seconds * 1000:>9.1f} "
            f"{figures.total_seconds / reference.total_seconds:>6.2f}  "
            f"{'yes' if figures.bytecode else 'no'}"
        )
    lines.append(f"zip budget (invoke.yaml cold_start): {budget.zip_budget_bytes:,} bytes")
    for figures in bundles:
        over = figures.zip_bytes - budget.zip_budget_bytes
        above = figures.zip_bytes - BASELINE_BYTES
        if over <= 0 and above <= 0:
            continue
        # Per MB the bundle adds to the reference: what the heavy libraries cost a cold start.
        extra_mb = max((figures.zip_bytes - reference.zip_bytes) / MB, 1 / 1024)
        extra_ms = (figures.init_seconds - reference.init_seconds) * 1000
        cost = f"its init costs {extra_ms / extra_mb:.0f} ms per MB above the reference"
        if over > 0:
            lines.append(f"{figures.name}: {over / MB:.2f} MB over budget; {cost}")
        else:
            lines.append(f"{figures.name}: {above / MB:.2f} MB above 1 MB (within budget); {cost}")
    if not all(figures.bytecode for figures in bundles):
        lines.append(
            "bundles marked 'no' ship no bytecode and compile their modules on every cold start; "
            f"packaging adds it when it runs the runtime's Python (this is {running_python()})"
        )
    return lines
