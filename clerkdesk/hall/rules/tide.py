"""Tide windows (潮汐窗口): which services a window calls while a lead has re-pointed it.

A tide adds the congested services to the window's own, first in its order (the tide's own
order among them); a service the window already served moves up to the tide's place. A tide is
in force from its start until its `until` (None: until revoked) or its recorded end. Tickets
already called are not touched: the tide changes only who may call the waiting ones.

The claim query (`tickets.sql`) implements the same order with service positions: a tide's
services count from `TIDE_FIRST` (below every window's own, which count from 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

TIDE_FIRST = -1000
"""Service position of a tide's first service in the claim query (the window's own from 0)."""


def in_force(
    started_at: datetime, until: datetime | None, ended_at: datetime | None, now: datetime
) -> bool:
    """Whether a tide counts at `now`."""
    return started_at <= now and ended_at is None and (until is None or until > now)


def services_with_tide(own: Sequence[int], tide: Sequence[int]) -> list[int]:
    """The window's calling order with the tide's services first (each service once)."""
    first = list(dict.fromkeys(tide))
    return first + [s for s in own if s not in first]


def tide_position(index: int) -> int:
    """The claim query's service position of the tide's `index`-th service."""
    return TIDE_FIRST + index
