"""The signed-in user as handlers see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CurrentUser:
    """Who made the request, taken from a verified token's claims."""

    sub: str
    username: str
    email: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> CurrentUser:
        """Read an id or access token's claims (Cognito names the username differently in each)."""
        username = claims.get("cognito:username") or claims.get("username") or claims["sub"]
        return cls(
            sub=str(claims["sub"]),
            username=str(username),
            email=claims.get("email"),
            groups=frozenset(claims.get("cognito:groups") or ()),
            scopes=frozenset(str(claims.get("scope") or "").split()),
        )

    def in_any_group(self, *groups: str) -> bool:
        """True if the user belongs to at least one of `groups`."""
        return not self.groups.isdisjoint(groups)

    def to_json(self) -> dict[str, Any]:
        """The user as GET /me returns it."""
        return {
            "sub": self.sub,
            "username": self.username,
            "email": self.email,
            "groups": sorted(self.groups),
        }
