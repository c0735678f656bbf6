"""Tokens and users of a stage's Cognito user pool: what `invoke auth.*` does.

Against the running local cloud, or against AWS (your credentials) when asked.
Each function takes the pool's client and a checked stage, and returns the line to
print. What cannot be done raises AuthError (or botocore's errors) with a message
that never holds a password or a token.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3

from .local_cloud_state import LocalCloudNotRunning, require_running
from .local_users import create_user, made_up_password
from .project_config import LocalUser, ProjectConfig


class AuthError(Exception):
    """The action cannot be done; the message says why."""


def cognito_client(project: ProjectConfig, stage: str, state_dir: Path, aws: bool) -> Any:
    """The stage's Cognito client: on AWS with `aws`, else on the local cloud of `state_dir`."""
    region = project.stages[stage].region
    if aws:
        return boto3.client("cognito-idp", region_name=region)
    try:
        state = require_running(state_dir)
    except LocalCloudNotRunning as error:
        raise AuthError(f"{error} (or pass --aws for the stage on AWS)") from None
    return state.endpoints.client("cognito-idp", region)


def _pool_and_client(cognito: Any, project: ProjectConfig, stage: str) -> tuple[str, str]:
    """The stage's pool and API client, found by the names infra/stage.yaml gives them."""
    pool_name, client_name = f"{project.prefix}-{stage}", f"{project.prefix}-{stage}-api"
    pools = [
        pool["Id"]
        for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60)
        for pool in page["UserPools"]
        if pool["Name"] == pool_name
    ]
    if not pools:
        raise AuthError(f"no user pool {pool_name}: provision the stage first (local.up)")
    clients = [
        app_client["ClientId"]
        for page in cognito.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pools[0], MaxResults=60
        )
        for app_client in page["UserPoolClients"]
        if app_client["ClientName"] == client_name
    ]
    if not clients:
        raise AuthError(f"user pool {pool_name} has no app client {client_name}")
    return pools[0], clients[0]


def _password(given: str, allow_empty: bool) -> str:
    # `echo password | ...` adds one newline that is not part of it.
    password = given.rstrip("\n")
    if not password and not allow_empty:
        raise AuthError("no password on standard input")
    return password


def token(
    cognito: Any, project: ProjectConfig, stage: str, user: str, password: str, use: str = "access"
) -> str:
    """Sign the user in (USER_PASSWORD_AUTH) and return the asked-for token (access or id)."""
    _, client_id = _pool_and_client(cognito, project, stage)
    password = _password(password, allow_empty=False)
    try:
        result = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user, "PASSWORD": password},
        )
    except cognito.exceptions.NotAuthorizedException:
        raise AuthError(f"sign-in refused for {user}: wrong user or password") from None
    except cognito.exceptions.UserNotFoundException:
        raise AuthError(f"sign-in refused for {user}: wrong user or password") from None
    if "AuthenticationResult" not in result:
        challenge = result.get("ChallengeName", "a challenge")
        raise AuthError(f"{user} must answer {challenge} first (e.g. set a new password)")
    key = "IdToken" if use == "id" else "AccessToken"
    return str(result["AuthenticationResult"][key])


def add_user(
    cognito: Any, project: ProjectConfig, stage: str, user: str, email: str,
    groups: Sequence[str], password: str,
) -> str:  # fmt: skip
    """Create a confirmed user in `groups`; an empty password is made up and shown once."""
    pool_id, _ = _pool_and_client(cognito, project, stage)
    given = _password(password, allow_empty=True)
    password = given or made_up_password()
    try:
        create_user(cognito, pool_id, LocalUser(user, email, tuple(groups)), password)
    except cognito.exceptions.UsernameExistsException:
        raise AuthError(f"user {user} exists in {stage}") from None
    joined = f" in {', '.join(groups)}" if groups else ""
    shown = "" if given else f"; password (shown once): {password}"
    return f"added {user}{joined} to {stage}{shown}"


def remove_user(cognito: Any, project: ProjectConfig, stage: str, user: str) -> str:
    """Delete the user from the stage's pool."""
    pool_id, _ = _pool_and_client(cognito, project, stage)
    try:
        cognito.admin_delete_user(UserPoolId=pool_id, Username=user)
    except cognito.exceptions.UserNotFoundException:
        raise AuthError(f"no user {user} in {stage}") from None
    return f"removed {user} from {stage}"
