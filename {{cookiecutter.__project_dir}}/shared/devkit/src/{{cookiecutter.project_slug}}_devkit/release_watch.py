"""What CodeDeploy is doing with a service's new versions while its stack updates.

SAM hands each function's alias update to CodeDeploy (UpdatePolicy
CodeDeployLambdaAliasUpdate); CloudFormation waits for it and rolls the stack back if
it fails or the stage's alarm stops it. CodeDeploy decides, on AWS's side, whatever
happens to the machine that started the deploy: this only reports its progress.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

APPLICATION = "ServerlessDeploymentApplication"


class ReleaseWatch:
    """Called at every poll of a service stack's update; prints each deployment's new status."""

    def __init__(
        self,
        codedeploy: Any,
        cloudformation: Any,
        stack: str,
        progress: Callable[[str], None],
        since: datetime.datetime,
    ) -> None:
        self._codedeploy = codedeploy
        self._cloudformation = cloudformation
        self._stack = stack
        self._progress = progress
        self._since = since
        self._application: str | None = None
        self._statuses: dict[str, str] = {}

    def __call__(self) -> None:
        application = self._application or self._find_application()
        if application is None:
            return
        listed = self._codedeploy.list_deployments(
            applicationName=application, createTimeRange={"start": self._since}
        )
        for deployment_id in listed.get("deployments", []):
            info = self._codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
            status = str(info.get("status", "?"))
            if self._statuses.get(deployment_id) == status:
                continue
            self._statuses[deployment_id] = status
            group = info.get("deploymentGroupName", "?")
            error = info.get("errorInformation", {}).get("message", "")
            line = f"  CodeDeploy {deployment_id} ({group}): {status}"
            self._progress(f"{line}: {error[:200]}" if error else line)

    def _find_application(self) -> str | None:
        try:
            described = self._cloudformation.describe_stack_resource(
                StackName=self._stack, LogicalResourceId=APPLICATION
            )
        except self._cloudformation.exceptions.ClientError:
            return None  # not created yet, or the stack has no canary
        physical = described["StackResourceDetail"].get("PhysicalResourceId")
        self._application = str(physical) if physical else None
        return self._application
