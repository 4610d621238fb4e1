"""Appointments (预约): slots, places and check-in, as pure rules (time passed in).

Slots follow the hall calendar. On a hall-local date the kind of day decides whether a service
takes bookings (its rule's `sessions`): a workday (a make-up workday, 调休上班, included) is
`ordinary`, a rest day's duty session `weekend`, a statutory holiday's `holiday`. Its slots run
through each of the date's open intervals from the interval's start, `slot_minutes` each; a slot
that would run past the interval's end is not offered. A night session past midnight belongs to
the date it opened, as the service day does.

A booking holds a place of its slot while it is checked in, or booked and not yet missed. It is
missed once `check_in_until` has passed: `grace` after the later of the slot's start and the
moment it was booked (a place freed by a missed booking may be booked again until the slot
ends, and that citizen gets the same grace to check in). The kiosk checks it in from `early`
before the slot's start until then; the ticket it gets counts as an appointment from the slot's
start (`queue_order.effective_rank`), so an early check-in waits as a normal ticket until then.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from clerkdesk.hall.rules.calendar import HallCalendar, day_info, opening_intervals
from clerkdesk.hall.rules.day_types import DayType, as_utc

ORDINARY, WEEKEND, HOLIDAY = "ordinary", "weekend", "holiday"
SESSION_KINDS = (ORDINARY, WEEKEND, HOLIDAY)
KIND_OF_DAY = {
    DayType.WORKDAY: ORDINARY,
    DayType.REST_DAY: WEEKEND,
    DayType.STATUTORY_HOLIDAY: HOLIDAY,
}
BOOKED, CHECKED_IN, CANCELLED, MISSED = "booked", "checked_in", "cancelled", "missed"


@dataclass(frozen=True, slots=True)
class SlotRule:
    """A service's appointments: slot length, places per slot, the kinds of day it takes."""

    slot_minutes: int
    capacity: int
    sessions: frozenset[str]

    def __post_init__(self) -> None:
        if self.slot_minutes < 1 or self.capacity < 1:
            raise ValueError("a slot lasts at least a minute and has at least one place")
        unknown = self.sessions - set(SESSION_KINDS)
        if unknown:
            raise ValueError(f"unknown session kinds: {sorted(unknown)}")


@dataclass(frozen=True, slots=True)
class Policy:
    """The hall's check-in window and how far ahead it books."""

    early_minutes: int = 30
    grace_minutes: int = 10
    days_ahead: int = 14

    @property
    def early(self) -> timedelta:
        return timedelta(minutes=self.early_minutes)

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.grace_minutes)


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    """UTC."""
    end: datetime
    local_date: date
    kind: str


def kind_of(calendar: HallCalendar, local_date: date) -> str:
    return KIND_OF_DAY[day_info(calendar, local_date).day_type]


def slots_on(calendar: HallCalendar, local_date: date, rule: SlotRule) -> list[Slot]:
    """The service's slots on a hall-local date, in order (none on a kind of day it does not
    take)."""
    kind = kind_of(calendar, local_date)
    if kind not in rule.sessions:
        return []
    length = timedelta(minutes=rule.slot_minutes)
    found = []
    for start, end in opening_intervals(calendar, local_date):
        moment = start
        while moment + length <= end:
            found.append(Slot(as_utc(moment), as_utc(moment + length), local_date, kind))
            moment += length
    return found


def slots_between(
    calendar: HallCalendar, first: date, last: date, rule: SlotRule
) -> Iterator[Slot]:
    """The slots of every date from `first` to `last`, both included, in order."""
    day = first
    while day <= last:
        yield from slots_on(calendar, day, rule)
        day += timedelta(days=1)


def find_slot(calendar: HallCalendar, start_utc: datetime, rule: SlotRule) -> Slot | None:
    """The slot starting at `start_utc` (on its local date, or the date before for a night
    session past midnight), or None."""
    start = as_utc(start_utc)
    local = start.astimezone(calendar.zone).date()
    for day in (local, local - timedelta(days=1)):
        for slot in slots_on(calendar, day, rule):
            if slot.start == start:
                return slot
    return None


def last_bookable_date(today: date, policy: Policy) -> date:
    return today + timedelta(days=policy.days_ahead)


def check_in_from(slot_start: datetime, policy: Policy) -> datetime:
    return slot_start - policy.early


def check_in_until(slot_start: datetime, booked_at: datetime, policy: Policy) -> datetime:
    """When the booking is missed: `grace` after the slot's start, or after the booking when
    it was made once the slot had started."""
    return max(slot_start, booked_at) + policy.grace


def status_at(status: str, until: datetime, now: datetime) -> str:
    """The booking's status as shown: a booking not checked in by `until` is missed."""
    return MISSED if status == BOOKED and now >= until else status


def holds_place(status: str, until: datetime, now: datetime) -> bool:
    return status_at(status, until, now) in (BOOKED, CHECKED_IN)


def bookable(slot: Slot, now: datetime, last_date: date) -> bool:
    """Not over yet, and within the days one may book ahead (the places are counted apart)."""
    return as_utc(now) < slot.end and slot.local_date <= last_date


class CheckIn(StrEnum):
    ok = "ok"
    too_early = "too_early"
    missed = "missed"


def check_in_verdict(
    slot_start: datetime, until: datetime, now: datetime, policy: Policy
) -> CheckIn:
    if now < check_in_from(slot_start, policy):
        return CheckIn.too_early
    if now >= until:
        return CheckIn.missed
    return CheckIn.ok


def next_free(
    slots: Iterable[Slot], held: dict[datetime, int], capacity: int, now: datetime, count: int = 3
) -> list[Slot]:
    """The first `count` slots not over with a place left (`held`: places held per UTC
    start)."""
    found = []
    for slot in slots:
        if slot.end > now and held.get(slot.start, 0) < capacity:
            found.append(slot)
            if len(found) == count:
                break
    return found


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits of a long number, else the last two."""
    if len(phone) >= 9:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(0, len(phone) - 2) + phone[-2:]


def mask_name(name: str) -> str:
    """王* / 王** / J***: the first character and a star for each other."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def normal_phone(phone: str) -> str:
    """The number without spaces and dashes (what is stored and compared)."""
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")
