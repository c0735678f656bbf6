"""Users of a local user pool: created with a made-up password that is shown once."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from typing import Any

from .project_config import LocalUser


def made_up_password() -> str:
    """A password that meets the pool's policy: 20 characters with every class it asks for."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(16))
    return f"{body}aZ7-"


def create_user(cognito: Any, pool_id: str, user: LocalUser, password: str) -> None:
    """Create `user` confirmed, with a verified e-mail and a permanent password, in its groups.

    Raises the pool's UsernameExistsException when the name is taken.
    """
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=user.username,
        UserAttributes=[
            {"Name": "email", "Value": user.email},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=user.username, Password=password, Permanent=True
    )
    for group in user.groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=user.username, GroupName=group)


def ensure_users(
    cognito: Any, pool_id: str, users: Iterable[LocalUser], made: dict[str, str] | None = None
) -> list[str]:
    """Create each user that does not exist yet, confirmed, in its groups.

    Returns one line per user; a new user's line holds its password, which the
    caller prints once. `made`, when given, also receives each new user's password
    by user name (`local.up` records them for `auth.token`).
    """
    lines = []
    for user in users:
        try:
            cognito.admin_get_user(UserPoolId=pool_id, Username=user.username)
        except cognito.exceptions.UserNotFoundException:
            password = made_up_password()
            create_user(cognito, pool_id, user, password)
            if made is not None:
                made[user.username] = password
            groups = f" (groups: {', '.join(user.groups)})" if user.groups else ""
            lines.append(f"user {user.username}{groups} password: {password}")
        else:
            lines.append(f"user {user.username} exists (password as printed when it was made)")
    return lines
