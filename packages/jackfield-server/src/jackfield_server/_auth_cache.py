"""Remembering recently checked API keys, so that a request costs no database query.

A key that authenticated is remembered for ``ttl_s`` seconds (by the SHA-256 of
the key; the key itself is not kept). Failed checks are never remembered. A
key revoked elsewhere keeps working on a server that remembers it until its
entry expires; a ``ttl_s`` of 0 checks the database on every request.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["AuthCache", "CachedKey"]


@dataclass(frozen=True, slots=True)
class CachedKey:
    """What a checked key stands for."""

    organization_id: uuid.UUID
    api_key_id: uuid.UUID


class AuthCache:
    """A small, thread-safe map from a key's hash to its organization, with expiry.

    :param ttl_s: how long a checked key is trusted without asking the database.
    :param max_entries: the oldest entries are dropped beyond this many.
    :param clock: a monotonic clock in seconds (tests pass their own).
    """

    def __init__(
        self,
        ttl_s: float,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, CachedKey]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _digest(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, key: str) -> CachedKey | None:
        """The key's organization if it was checked less than ``ttl_s`` ago."""
        if self.ttl_s <= 0:
            return None
        digest = self._digest(key)
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            expires, found = entry
            if self._clock() >= expires:
                del self._entries[digest]
                return None
            return found

    def put(self, key: str, found: CachedKey) -> None:
        """Remember that ``key`` authenticated as ``found``."""
        if self.ttl_s <= 0:
            return
        with self._lock:
            self._entries[self._digest(key)] = (self._clock() + self.ttl_s, found)
            self._entries.move_to_end(self._digest(key))
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def forget(self, api_key_id: uuid.UUID) -> None:
        """Drop every entry of one key (after revoking it in this process)."""
        with self._lock:
            for digest in [d for d, (_, f) in self._entries.items() if f.api_key_id == api_key_id]:
                del self._entries[digest]
