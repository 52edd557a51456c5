"""The in-process caches: recent workflows by instance, parsed specs by version.

Both are only caches. A workflow is trusted only while its instance row's `lock_version` is the
one it was cached with; with `EngineSettings(caches=False)` nothing is kept and every load
reads the database (the tests run the process suites that way too).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A small thread-safe LRU map; size 0 keeps nothing."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def pop(self, key: K) -> V | None:
        with self._lock:
            return self._items.pop(key, None)

    def put(self, key: K, value: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def put_unless_newer(self, key: K, value: V, newer: Callable[[V, V], bool]) -> None:
        """Put `value` back unless the entry already there is newer (a writer committed meanwhile)."""
        with self._lock:
            current = self._items.get(key)
            if current is not None and newer(current, value):
                return
        self.put(key, value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class WorkflowCache:
    """Workflows by instance id, each with the `lock_version` it is current for.

    A transaction *takes* the workflow out (nobody else can use it meanwhile) and it is put back
    only after the commit; readers borrow one and put it back unless a newer one arrived.
    """

    def __init__(self, size: int) -> None:
        self._items: LRU[int, tuple[int, Any]] = LRU(size)

    def take(self, instance_id: int, lock_version: int) -> Any | None:
        cached = self._items.pop(instance_id)
        if cached is not None and cached[0] == lock_version:
            return cached[1]
        return None

    def put(self, instance_id: int, lock_version: int, workflow: Any) -> None:
        self._items.put(instance_id, (lock_version, workflow))

    def put_back(self, instance_id: int, lock_version: int, workflow: Any) -> None:
        """Return a borrowed workflow, unless a newer one was cached meanwhile."""
        self._items.put_unless_newer(
            instance_id, (lock_version, workflow), lambda have, ours: have[0] > ours[0]
        )

    def evict(self, instance_id: int) -> None:
        self._items.pop(instance_id)
