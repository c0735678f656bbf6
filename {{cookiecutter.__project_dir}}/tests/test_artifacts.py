"""The artifact bucket: the Slack notifier's zip the same for the same code, and every artifact
uploaded once, under its digest, to a private bucket."""

from __future__ import annotations

import io
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest

from {{ cookiecutter.project_slug }}_devkit import ProjectConfig
from {{ cookiecutter.project_slug }}_devkit.artifacts import artifact_bucket, notifier_zip, upload_notifier


def test_the_zip_is_the_same_each_time_and_imports_with_the_standard_library_only(
    project: ProjectConfig, tmp_path: Path
) -> None:
    archive = notifier_zip(project)
    assert notifier_zip(project) == archive
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        names = opened.namelist()
        opened.extractall(tmp_path)
    assert f"{project.slug}_observability/slack_notifier.py" in names
    assert not [name for name in names if "__pycache__" in name]
    # -S: no site-packages, so nothing but the zip and the standard library.
    imported = subprocess.run(
        [sys.executable, "-S", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r}); "
         f"import {project.slug}_observability.slack_notifier as n; print(n.handler.__name__)"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert imported.stdout.strip() == "handler", imported.stderr


@pytest.mark.integration
def test_it_is_uploaded_once_to_a_private_bucket_under_its_digest(
    project: ProjectConfig, local_cloud: str
) -> None:
    s3 = boto3.client("s3", region_name=project.region)
    bucket = artifact_bucket(project, uuid.uuid4().hex[:12], project.region)
    archive = notifier_zip(project)
    try:
        key = upload_notifier(s3, bucket, project.region, archive)
        assert upload_notifier(s3, bucket, project.region, archive) == key
        (stored,) = s3.list_objects_v2(Bucket=bucket)["Contents"]
        assert stored["Key"] == key
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == archive
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values())
        assert upload_notifier(s3, bucket, project.region, archive + b"\0") != key
    finally:
        for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
        s3.delete_bucket(Bucket=bucket)
