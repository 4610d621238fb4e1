"""Fair calling order (DESIGN.md, "Calling").

First the priority class — transferred-in, green channel (elderly, disabled), carried over from
the previous day's closing, an appointment once its slot has come — then the window's own
service order, then the time the ticket joined the queue. The store's claim query implements
the same order in SQL; a property test holds the two together.

A ticket parked at the back of a window's queue goes behind everyone then waiting for that
window, whatever their service or priority: at that window it takes the rank and service
position of the last of them (`back_of`) and joins the queue just after them, so citizens who
come later, of the same class, are still behind it. At other windows it keeps its own.

A ticket handed to a specific window (转办 to window 12) waits for that window alone, and one
handed to a specific clerk for whichever window that clerk holds (`target_window_id`,
`target_staff_id`): no other window calls it. A case returning to the clerk who asked it back
is parked "ahead of everyone" at that window: `back_rank` and `back_position` RETURN_RANK.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

PRIORITY_RANK = {
    "transferred": 0,
    "green_channel": 1,
    "carried_over": 2,  # left waiting at the previous day's closing (end-of-day rule)
    "appointment": 3,
    "normal": 4,
}
NORMAL_RANK = PRIORITY_RANK["normal"]
RETURN_RANK = -1
"""The rank and service position of a case returning to its sender's window: first there."""


@dataclass(frozen=True)
class Waiting:
    """What ordering needs to know of a waiting ticket."""

    ticket_id: int
    service_id: int
    priority: str
    queue_at: datetime
    appointment_at: datetime | None = None
    back_window_id: int | None = None
    """Parked at the back of this window's queue: there it ranks `back_rank`, `back_position`."""
    back_rank: int | None = None
    back_position: int | None = None
    target_window_id: int | None = None
    """Handed to this window: no other window calls it."""
    target_staff_id: int | None = None
    """Handed to this clerk: only a window they hold calls it."""


def callable_at(ticket: Waiting, window_id: int | None, holder_id: int | None) -> bool:
    """Window `window_id`, held by `holder_id`, may call the ticket (as far as its hand-off's
    target goes; the window must serve its service too)."""
    if ticket.target_window_id is not None and ticket.target_window_id != window_id:
        return False
    return ticket.target_staff_id is None or ticket.target_staff_id == holder_id


def effective_rank(ticket: Waiting, now: datetime) -> int:
    """An appointment counts as a priority only once its slot has come; before, it is normal."""
    if ticket.priority == "appointment" and (
        ticket.appointment_at is None or ticket.appointment_at > now
    ):
        return NORMAL_RANK
    return PRIORITY_RANK[ticket.priority]


QueueKey = tuple[int, int, datetime, int]


def queue_key(
    ticket: Waiting, service_position: dict[int, int], now: datetime, window_id: int | None = None
) -> QueueKey:
    if window_id is not None and ticket.back_window_id == window_id:
        assert ticket.back_rank is not None and ticket.back_position is not None
        return (ticket.back_rank, ticket.back_position, ticket.queue_at, ticket.ticket_id)
    return (
        effective_rank(ticket, now),
        service_position[ticket.service_id],
        ticket.queue_at,
        ticket.ticket_id,
    )


def order_for_window(
    tickets: Iterable[Waiting],
    window_services: Sequence[int],
    now: datetime,
    window_id: int | None = None,
    holder_id: int | None = None,
) -> list[Waiting]:
    """The waiting tickets window `window_id` (held by `holder_id`) may call, in the order it
    will call them.

    `window_services` are its services in its order (the positions count from 0)."""
    position = {service_id: index for index, service_id in enumerate(window_services)}
    eligible = [
        t for t in tickets if t.service_id in position and callable_at(t, window_id, holder_id)
    ]
    return sorted(eligible, key=lambda t: queue_key(t, position, now, window_id))


@dataclass(frozen=True)
class BackOfQueue:
    """Where a ticket parked at the back of a window's queue goes (see the module)."""

    rank: int | None
    position: int | None
    queue_at: datetime


STEP = timedelta(milliseconds=1)


def back_of(last: QueueKey | None, now: datetime) -> BackOfQueue:
    """Behind everyone now waiting for the window, the last of whom has the key `last`: their
    rank and service position, and a queue time just after theirs (now, or later when theirs
    is). Nobody waiting: the ticket keeps its own rank and position and joins the queue now."""
    if last is None:
        return BackOfQueue(None, None, now)
    rank, service_position, queue_at, _ = last
    return BackOfQueue(rank, service_position, max(now, queue_at + STEP))
