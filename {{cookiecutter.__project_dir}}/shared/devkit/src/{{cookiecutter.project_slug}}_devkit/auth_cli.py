"""The commands behind `invoke auth.*`: tokens and users of a stage's Cognito user pool.

Run as `python -m <project>_devkit.auth_cli ACTION --stage S --user U ...`. Against
the running local cloud by default, against AWS (your credentials) with --aws. A
password always arrives on standard input, never on a command line. Failures are
one line on stderr and exit code 1; no password or token is ever in them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from .local_cloud_state import LocalCloudNotRunning, require_running
from .local_users import create_user, made_up_password
from .project_config import LocalUser, ProjectConfig, load_project_config


class AuthCliError(Exception):
    """The action cannot be done; the message says why."""


def _cognito(args: argparse.Namespace, project: ProjectConfig) -> Any:
    region = project.stages[args.stage].region
    if args.aws:
        return boto3.client("cognito-idp", region_name=region)
    try:
        state = require_running(Path(args.state_dir))
    except LocalCloudNotRunning as error:
        raise AuthCliError(f"{error} (or pass --aws for the stage on AWS)") from None
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
        raise AuthCliError(f"no user pool {pool_name}: provision the stage first (local.up)")
    clients = [
        app_client["ClientId"]
        for page in cognito.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pools[0], MaxResults=60
        )
        for app_client in page["UserPoolClients"]
        if app_client["ClientName"] == client_name
    ]
    if not clients:
        raise AuthCliError(f"user pool {pool_name} has no app client {client_name}")
    return pools[0], clients[0]


def _password(allow_empty: bool) -> str:
    password = sys.stdin.read().rstrip("\n")
    if not password and not allow_empty:
        raise AuthCliError("no password on standard input")
    return password


def token(args: argparse.Namespace, project: ProjectConfig, cognito: Any) -> str:
    """Sign the user in (USER_PASSWORD_AUTH) and return the asked-for token."""
    _, client_id = _pool_and_client(cognito, project, args.stage)
    password = _password(allow_empty=False)
    try:
        result = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": args.user, "PASSWORD": password},
        )
    except cognito.exceptions.NotAuthorizedException:
        raise AuthCliError(f"sign-in refused for {args.user}: wrong user or password") from None
    except cognito.exceptions.UserNotFoundException:
        raise AuthCliError(f"sign-in refused for {args.user}: wrong user or password") from None
    if "AuthenticationResult" not in result:
        challenge = result.get("ChallengeName", "a challenge")
        raise AuthCliError(f"{args.user} must answer {challenge} first (e.g. set a new password)")
    key = "IdToken" if args.use == "id" else "AccessToken"
    return str(result["AuthenticationResult"][key])


def add(args: argparse.Namespace, project: ProjectConfig, cognito: Any) -> str:
    """Create a confirmed user with the given or a made-up password, in the given groups."""
    pool_id, _ = _pool_and_client(cognito, project, args.stage)
    given = _password(allow_empty=True)
    password = given or made_up_password()
    user = LocalUser(args.user, args.email, tuple(args.group))
    try:
        create_user(cognito, pool_id, user, password)
    except cognito.exceptions.UsernameExistsException:
        raise AuthCliError(f"user {args.user} exists in {args.stage}") from None
    groups = f" in {', '.join(args.group)}" if args.group else ""
    shown = "" if given else f"; password (shown once): {password}"
    return f"added {args.user}{groups} to {args.stage}{shown}"


def remove(args: argparse.Namespace, project: ProjectConfig, cognito: Any) -> str:
    """Delete the user from the stage's pool."""
    pool_id, _ = _pool_and_client(cognito, project, args.stage)
    try:
        cognito.admin_delete_user(UserPoolId=pool_id, Username=args.user)
    except cognito.exceptions.UserNotFoundException:
        raise AuthCliError(f"no user {args.user} in {args.stage}") from None
    return f"removed {args.user} from {args.stage}"


ACTIONS = {"token": token, "add": add, "remove": remove}


def main(argv: list[str] | None = None) -> int:
    """Run one action; print its result, or one line of error on stderr."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=sorted(ACTIONS))
    parser.add_argument("--stage", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--use", choices=("access", "id"), default="access")
    parser.add_argument("--email", default="")
    parser.add_argument("--group", action="append", default=[])
    parser.add_argument("--aws", action="store_true", help="the stage on AWS, not the local cloud")
    parser.add_argument("--state-dir", default=".local-cloud")
    args = parser.parse_args(argv)
    try:
        project = load_project_config()
        if args.stage not in project.stages:
            raise AuthCliError(f"unknown stage {args.stage!r}")
        print(ACTIONS[args.action](args, project, _cognito(args, project)))
    except AuthCliError as error:
        print(f"auth {args.action}: {error}", file=sys.stderr)
        return 1
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        print(f"auth {args.action}: Cognito refused ({code})", file=sys.stderr)
        return 1
    except BotoCoreError as error:
        print(f"auth {args.action}: {type(error).__name__}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
