"""Local TCP ports: whether one is free, and runs of free ones for tests."""

from __future__ import annotations

import random
import socket
from contextlib import ExitStack

# Below Linux's ephemeral range (32768-60999), so client sockets of other
# processes do not grab a port between our check and our use.
_LOW, _HIGH = 20000, 32000


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if nothing listens on host:port."""
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) != 0


def free_port_run(count: int, host: str = "127.0.0.1", attempts: int = 200) -> list[int]:
    """`count` consecutive ports that could all be bound just now (the dev server numbers
    services up from a first port). Raises RuntimeError if none is found."""
    for _ in range(attempts):
        first = random.randrange(_LOW, _HIGH - count)  # noqa: S311 (not cryptographic)
        try:
            with ExitStack() as stack:
                for port in range(first, first + count):
                    sock = stack.enter_context(socket.socket())
                    sock.bind((host, port))
            return list(range(first, first + count))
        except OSError:
            continue
    raise RuntimeError(f"no run of {count} free ports on {host}")
