"""The project's artifact bucket: deployment zips and templates, stored under their digest.

`<prefix>-artifacts-<account>-<region>` holds what the stacks deploy from: each
service's deployment.zip and its template (too large to pass inline), and the Slack
notifier's zip that infra/stage.yaml reads under the key passed as NotifierCodeKey.
Keys are named after the content's digest, so a deploy with nothing changed uploads
nothing and its templates do not change. The notifier's zip is built the same way
each time (sorted entries, fixed timestamps) for the same reason.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

from .project_config import ProjectConfig

# zip's earliest date: timestamps say nothing about the code.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def notifier_zip(project: ProjectConfig) -> bytes:
    """The observability package's modules, zipped as Lambda imports them."""
    package = f"{project.slug}_observability"
    source = project.root / "shared" / "observability" / "src" / package
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                entry = zipfile.ZipInfo(str(Path(package) / path.relative_to(source)), _FIXED_TIME)
                entry.external_attr = 0o644 << 16
                archive.writestr(entry, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def artifact_bucket(project: ProjectConfig, account: str, region: str) -> str:
    """The bucket infra/stage.yaml reads the notifier from; the stages of a project share it."""
    return f"{project.prefix}-artifacts-{account}-{region}"


def zip_digest(data: bytes) -> str:
    """A digest of a zip's entries (names and contents), not of its bytes.

    Packaging the same code twice makes zips that differ only in file times; keyed by
    this, the second upload is skipped and the stack's template does not change.
    """
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            digest.update(name.encode() + b"\0" + archive.read(name) + b"\0")
    return digest.hexdigest()


def upload_artifact(
    s3: Any, bucket: str, region: str, folder: str, name: str, data: bytes, digest: str = ""
) -> str:
    """Put `data` in `bucket` (made private if new) unless it is there; return its key.

    The key is `<folder>/<digest>/<name>` (the digest of `data` unless given), so the
    same content is stored once.
    """
    key = f"{folder}/{(digest or hashlib.sha256(data).hexdigest())[:20]}/{name}"
    _ensure_bucket(s3, bucket, region)
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])
    if not any(item["Key"] == key for item in listed):
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    return key


def object_url(bucket: str, region: str, key: str) -> str:
    """The HTTPS URL CloudFormation reads a template from."""
    return f"https://{bucket}.s3.{region}.amazonaws.com/{key}"


def upload_notifier(s3: Any, bucket: str, region: str, archive: bytes) -> str:
    """Put the notifier's zip in `bucket` unless it is there; return its key."""
    return upload_artifact(s3, bucket, region, "slack-notifier", "notifier.zip", archive)


def _ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    existing = {item["Name"] for item in s3.list_buckets().get("Buckets", [])}
    if bucket in existing:
        return
    location = {} if region == "us-east-1" else {"LocationConstraint": region}
    s3.create_bucket(Bucket=bucket, **({"CreateBucketConfiguration": location} if location else {}))
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
