"""A small in-process TTL cache, behind a protocol so a shared cache (e.g. Redis) can replace it."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol


class Cache(Protocol):
    """What callers need from a cache; `None` from `get` means a miss, so never store `None`."""

    def get(self, key: str) -> object | None: ...

    def set(self, key: str, value: object) -> None: ...


class TTLCache:
    """Bounded LRU cache whose entries expire `ttl` seconds after they were set.

    A lock guards every access because gunicorn threads share one instance. `clock` is
    injectable so tests can move time on without sleeping.
    """

    def __init__(
        self,
        maxsize: int = 10_000,
        ttl: float = 86_400.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if maxsize < 1 or ttl <= 0:
            raise ValueError("maxsize must be >= 1 and ttl > 0")
        self.maxsize = maxsize
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._data: OrderedDict[str, tuple[float, object]] = OrderedDict()

    def get(self, key: str) -> object | None:
        """Return the live value for `key`, or None; a hit makes the entry most recently used."""
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            expires_at, value = entry
            if self._clock() >= expires_at:
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key: str, value: object) -> None:
        """Store `value` with a fresh TTL, evicting least recently used entries when full."""
        with self._lock:
            self._data[key] = (self._clock() + self.ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        """Count stored entries, including expired ones not yet dropped."""
        with self._lock:
            return len(self._data)
