"""The signed-in user as handlers see it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CurrentUser:
    """Who made the request, taken from a verified token's claims."""

    sub: str
    username: str
    email: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)

    def in_any_group(self, *groups: str) -> bool:
        """True if the user belongs to at least one of `groups`."""
        return not self.groups.isdisjoint(groups)
