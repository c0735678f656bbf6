"""A lazily built value that tests can replace: the seam between app.py and its dependencies."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class Provider(Generic[T]):
    """Builds its value with `factory` on first `get()` and returns the same value after.

    Building on first use (not at import) keeps a function's cold import cheap and
    lets a module be imported where no AWS settings exist, such as a packaging check.
    """

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        """Return the value, building it once if needed."""
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._factory()
        return self._value

    @contextmanager
    def override(self, value: T) -> Iterator[T]:
        """Hand out `value` instead for the duration of the block, then restore."""
        with self._lock:
            previous, self._value = self._value, value
        try:
            yield value
        finally:
            with self._lock:
                self._value = previous
