"""A gate for the hall's writers: at most N inside, let in in order of arrival."""

from __future__ import annotations

import threading
from collections import deque


class FairGate:
    """At most `slots` holders at a time, let in in order of arrival: a release hands the slot
    straight to the longest waiter, so a newcomer never overtakes (a plain semaphore lets it,
    and under load an unlucky write can be overtaken again and again: the tail of the latency).
    """

    def __init__(self, slots: int) -> None:
        self._lock = threading.Lock()
        self._queued = threading.Condition(self._lock)
        self._free = slots
        self._waiting: deque[threading.Lock] = deque()

    def __enter__(self) -> FairGate:
        with self._lock:
            if self._free > 0:
                self._free -= 1
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
            self._queued.notify_all()
        turn.acquire()  # released by the holder that hands us its slot
        return self

    def wait_until_queued(self, count: int, timeout: float) -> bool:
        """Whether `count` writers came to wait within `timeout` seconds (for tests, probes)."""
        with self._lock:
            return self._queued.wait_for(lambda: len(self._waiting) >= count, timeout)

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1
