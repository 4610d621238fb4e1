"""Fair calling order (DESIGN.md, "Calling").

First the priority class — transferred-in, green channel (elderly, disabled), carried over from
the previous day's closing, an appointment once its slot has come — then the window's own
service order, then the time the ticket joined the queue. The store's claim query implements
the same order in SQL; a property test holds the two together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

PRIORITY_RANK = {
    "transferred": 0,
    "green_channel": 1,
    "carried_over": 2,  # left waiting at the previous day's closing (end-of-day rule)
    "appointment": 3,
    "normal": 4,
}
NORMAL_RANK = PRIORITY_RANK["normal"]


@dataclass(frozen=True)
class Waiting:
    """What ordering needs to know of a waiting ticket."""

    ticket_id: int
    service_id: int
    priority: str
    queue_at: datetime
    appointment_at: datetime | None = None


def effective_rank(ticket: Waiting, now: datetime) -> int:
    """An appointment counts as a priority only once its slot has come; before, it is normal."""
    if ticket.priority == "appointment" and (
        ticket.appointment_at is None or ticket.appointment_at > now
    ):
        return NORMAL_RANK
    return PRIORITY_RANK[ticket.priority]


def queue_key(
    ticket: Waiting, service_position: dict[int, int], now: datetime
) -> tuple[int, int, datetime, int]:
    return (
        effective_rank(ticket, now),
        service_position[ticket.service_id],
        ticket.queue_at,
        ticket.ticket_id,
    )


def order_for_window(
    tickets: Iterable[Waiting], window_services: Sequence[int], now: datetime
) -> list[Waiting]:
    """The waiting tickets this window may call, in the order it will call them."""
    position = {service_id: index for index, service_id in enumerate(window_services)}
    eligible = [t for t in tickets if t.service_id in position]
    return sorted(eligible, key=lambda t: queue_key(t, position, now))
