"""The hall's counter policy: when a called citizen may be marked a no-show (过号), and how long
a no-show may still be reinstated when the citizen comes back.

Pure: no I/O and no clock reads; the moment is a parameter. The defaults are the hall file's
(`[policy]`): at least one recall and 60 seconds since the first call before a no-show; a
no-show reinstated within 30 minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CounterPolicy:
    no_show_min_recalls: int = 1
    no_show_min_seconds: int = 60
    reinstate_minutes: int = 30


@dataclass(frozen=True)
class NoShowWait:
    """What is still missing before a no-show: recalls and whole seconds."""

    recalls_needed: int
    seconds_left: int


def no_show_wait(
    policy: CounterPolicy, recall_count: int, called_at: datetime, now: datetime
) -> NoShowWait | None:
    """``None`` when the citizen called at `called_at` and recalled `recall_count` times may be
    marked a no-show at `now`; else what is still missing."""
    recalls = max(0, policy.no_show_min_recalls - recall_count)
    waited = (now - called_at).total_seconds()
    seconds = max(0, math.ceil(policy.no_show_min_seconds - waited))
    if recalls == 0 and seconds == 0:
        return None
    return NoShowWait(recalls, seconds)


def reinstate_until(policy: CounterPolicy, marked_at: datetime) -> datetime:
    """The last moment a no-show marked at `marked_at` may be reinstated (exclusive)."""
    return marked_at + timedelta(minutes=policy.reinstate_minutes)
