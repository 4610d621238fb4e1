"""Hand-offs between departments (转办): where a handed-off ticket enters its new queue, whether
a service may receive one now, when a ticket is flagged for handing on too often, and how a
case's day is counted.

Pure: no I/O and no clock reads; the moment is a parameter. The defaults are the hall file's
`[policy]`: handed-off tickets go to the front of the target queue, a ticket handed on more than
3 times is flagged to the duty lead, and a citizen reaches another counter within 10 minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

TRANSFERRED = "transferred"


class Placement(StrEnum):
    front = "front"
    """Ahead of everyone waiting who was not handed over too (priority class transferred-in);
    among handed-over tickets, in the order they were handed over."""
    issue_time = "issue_time"
    """As if it had queued there from its issue: its own priority class, its issue time."""


@dataclass(frozen=True)
class HandoffPolicy:
    placement: Placement = Placement.front
    flag_after: int = 3
    """A ticket handed on more than this many times is flagged to the duty lead."""
    arrival_minutes: int = 10
    """How long a citizen takes to reach another counter: a service opening within this many
    minutes may receive a hand-off now."""


@dataclass(frozen=True)
class QueuePlace:
    priority: str
    queue_at: datetime


def place_in_target_queue(
    policy: HandoffPolicy, priority: str, issued_at: datetime, now: datetime
) -> QueuePlace:
    """Where a ticket of `priority`, issued at `issued_at`, enters the target queue at `now`:
    in either case ahead of everyone who arrives after it."""
    if policy.placement is Placement.issue_time:
        return QueuePlace(priority, issued_at)
    return QueuePlace(TRANSFERRED, now)


@dataclass(frozen=True)
class Admission:
    """May a service receive a hand-off now; if not, when it opens next (None: not within the
    calendar's horizon)."""

    accepted: bool
    next_opening: datetime | None
    arrives_by: datetime


def admission(
    policy: HandoffPolicy, open_now: bool, next_opening: datetime | None, now: datetime
) -> Admission:
    """Open now, or opening before the citizen could get there (now + the arrival minutes)."""
    arrives_by = now + timedelta(minutes=policy.arrival_minutes)
    if open_now:
        return Admission(True, None, arrives_by)
    opens_in_time = next_opening is not None and next_opening <= arrives_by
    return Admission(opens_in_time, next_opening, arrives_by)


def flagged(policy: HandoffPolicy, times_handed_on: int) -> bool:
    return times_handed_on > policy.flag_after


def waited_seconds(
    handed_at: datetime, called_at: datetime | None, ended_at: datetime | None, now: datetime
) -> int:
    """How long a hand-off waited for its receiver: until the target first called the
    citizen, else until it ended (sent back, handed on, cancelled), else until now."""
    until = called_at or ended_at or now
    return max(0, int((until - handed_at).total_seconds()))


def seconds_in_hall(issued_at: datetime, finished_at: datetime | None, now: datetime) -> int:
    """The citizen's whole time in the hall, every department's queue and counter included."""
    return max(0, int(((finished_at or now) - issued_at).total_seconds()))


@dataclass(frozen=True)
class FinishedCase:
    """One row per ticket finished on the day (several rows of one ticket count once)."""

    ticket_id: int
    issued_at: datetime
    finished_at: datetime
    handed_on: int


@dataclass(frozen=True)
class SameDayCompletion:
    """当日办结: cases issued and finished on the service day, each counted once however many
    departments it passed through, with their time in the hall."""

    completed: int
    after_hand_offs: int
    average_seconds_in_hall: float | None
    longest_seconds_in_hall: int | None


def same_day_completion(cases: Iterable[FinishedCase]) -> SameDayCompletion:
    by_ticket = {case.ticket_id: case for case in cases}
    durations = [
        seconds_in_hall(c.issued_at, c.finished_at, c.finished_at) for c in by_ticket.values()
    ]
    return SameDayCompletion(
        completed=len(by_ticket),
        after_hand_offs=sum(1 for c in by_ticket.values() if c.handed_on > 0),
        average_seconds_in_hall=sum(durations) / len(durations) if durations else None,
        longest_seconds_in_hall=max(durations) if durations else None,
    )
