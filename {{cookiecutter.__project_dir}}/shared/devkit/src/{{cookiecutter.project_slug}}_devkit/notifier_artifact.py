"""The Slack notifier's code for AWS: the observability package, zipped, in the artifact bucket.

infra/stage.yaml deploys the notifier from `<prefix>-artifacts-<account>-<region>`
under the key passed as NotifierCodeKey. The zip is built the same way each time
(sorted entries, fixed timestamps), so its key, named after its digest, only
changes when the code does, and a deploy with nothing changed uploads nothing.
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


def upload_notifier(s3: Any, bucket: str, region: str, archive: bytes) -> str:
    """Put `archive` in `bucket` (made private if new) unless it is there; return its key."""
    key = f"slack-notifier/{hashlib.sha256(archive).hexdigest()[:20]}.zip"
    existing = {item["Name"] for item in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        location = {} if region == "us-east-1" else {"LocationConstraint": region}
        s3.create_bucket(
            Bucket=bucket, **({"CreateBucketConfiguration": location} if location else {})
        )
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])
    if not any(item["Key"] == key for item in listed):
        s3.put_object(Bucket=bucket, Key=key, Body=archive)
    return key
