"""Overtime and comp leave (加班 / 调休): how worked time becomes credited minutes, and how the
leave ledger's credits are spent and expire.

Pure: no I/O and no clock reads; every moment and every ledger row is a parameter.

- Worked time is split at the hall's local midnights; each piece takes the day type of its
  local date (a make-up workday 调休上班 is an ordinary workday; its ordinary hours are no
  overtime).
- credited = rounding(exact) x rate(day type), nothing below the minimum per entry; the
  rounding unit and mode default to 15 min, floor; the rates to 1.0 everywhere (centres give
  调休 1:1), with Labour Law art. 44's 1.5 / 2.0 / 3.0 selectable.
- Caps per month, per year (of the work date) and on the balance: the excess is recorded on
  the entry, never credited.
- A credit expires `expiry_months` after its work date (default 12), on that local date.
- The ledger is append-only. Replaying it in order gives every credit's remainder: leave taken
  uses the oldest unexpired credit first, an expiry removes what is left of its own credit, a
  reversal (a cancelled leave) gives back what its leave took from credits still unexpired.
"""

from __future__ import annotations

import calendar as gregorian
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from clerkdesk.hall.rules.calendar import HallCalendar, day_info
from clerkdesk.hall.rules.day_types import DayType, as_utc, local_date_pieces

Span = tuple[datetime, datetime]


class Rounding(StrEnum):
    FLOOR = "floor"
    NEAREST = "nearest"
    CEIL = "ceil"


class EntryKind(StrEnum):
    """What a leave-ledger row is: accrual +, leave taken -, expiry -, adjustment +/-."""

    ACCRUAL = "accrual"
    TAKEN = "taken"
    EXPIRY = "expiry"
    ADJUSTMENT = "adjustment"


RATES_ALLOWED = (100, 150, 200, 300)
"""Rates in percent: 1:1 (the centres' practice) and Labour Law art. 44's 1.5 / 2.0 / 3.0."""


@dataclass(frozen=True, slots=True)
class LeavePolicy:
    """A hall's `[leave]` policy. ``version`` names it on every entry it credited; a change is a
    new version that applies to new entries only. Rates are percent (150 = 1.5)."""

    version: int = 0
    rate_workday: int = 100
    rate_rest_day: int = 100
    rate_holiday: int = 100
    minimum_minutes: int = 0
    unit_minutes: int = 15
    rounding: Rounding = Rounding.FLOOR
    minutes_per_day: int = 480
    expiry_months: int = 12
    monthly_cap: int | None = None
    yearly_cap: int | None = None
    balance_cap: int | None = None

    def __post_init__(self) -> None:
        for rate in (self.rate_workday, self.rate_rest_day, self.rate_holiday):
            if rate not in RATES_ALLOWED:
                raise ValueError(f"a rate is one of 1.0, 1.5, 2.0, 3.0, not {rate / 100}")
        if self.unit_minutes < 1 or self.minutes_per_day < 1 or self.expiry_months < 1:
            raise ValueError("unit, minutes per day and expiry months are positive")
        if self.minimum_minutes < 0:
            raise ValueError("the minimum per entry cannot be negative")
        for cap in (self.monthly_cap, self.yearly_cap, self.balance_cap):
            if cap is not None and cap < 0:
                raise ValueError("a cap cannot be negative")

    def rate(self, day_type: DayType) -> int:
        if day_type is DayType.STATUTORY_HOLIDAY:
            return self.rate_holiday
        if day_type is DayType.REST_DAY:
            return self.rate_rest_day
        return self.rate_workday

    def same_rules(self, other: LeavePolicy) -> bool:
        """Whether `other` credits exactly like this one (the version aside)."""
        return _rules(self) == _rules(other)


def _rules(policy: LeavePolicy) -> tuple[object, ...]:
    return (
        policy.rate_workday,
        policy.rate_rest_day,
        policy.rate_holiday,
        policy.minimum_minutes,
        policy.unit_minutes,
        policy.rounding,
        policy.minutes_per_day,
        policy.expiry_months,
        policy.monthly_cap,
        policy.yearly_cap,
        policy.balance_cap,
    )


# --- worked time into pieces ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OvertimePiece:
    """Worked time within one local date, with that date's day type."""

    local_date: date
    start: datetime
    end: datetime
    day_type: DayType

    @property
    def exact_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def day_type_of(calendar: HallCalendar, local_date: date) -> DayType:
    return day_info(calendar, local_date).day_type


def overtime_pieces(calendar: HallCalendar, start: datetime, end: datetime) -> list[OvertimePiece]:
    """``[start, end)`` split at the hall's local midnights, each piece with its day type."""
    return [
        OvertimePiece(local, piece_start, piece_end, day_type_of(calendar, local))
        for local, piece_start, piece_end in local_date_pieces(calendar.zone, start, end)
    ]


def intersect(a: Span, b: Span) -> Span | None:
    """The overlap of two spans, or ``None`` when they do not overlap."""
    start, end = max(as_utc(a[0]), as_utc(b[0])), min(as_utc(a[1]), as_utc(b[1]))
    return (start, end) if start < end else None


def ordinary_hours(calendar: HallCalendar, local_date: date) -> list[Span]:
    """A workday's ordinary hours (a make-up workday's too), as UTC spans; none on other days.
    Duty sessions are not ordinary hours."""
    info = day_info(calendar, local_date)
    if info.day_type is not DayType.WORKDAY:
        return []
    return [
        interval.on(local_date, calendar.zone) for interval in calendar.weekly.for_workday(info)
    ]


def minus(span: Span, holes: Iterable[Span]) -> list[Span]:
    """`span` without the parts covered by `holes`."""
    pieces = [(as_utc(span[0]), as_utc(span[1]))]
    for hole_start, hole_end in holes:
        hole = (as_utc(hole_start), as_utc(hole_end))
        rest: list[Span] = []
        for start, end in pieces:
            if hole[1] <= start or end <= hole[0]:
                rest.append((start, end))
                continue
            if start < hole[0]:
                rest.append((start, hole[0]))
            if hole[1] < end:
                rest.append((hole[1], end))
        pieces = rest
    return pieces


def duty_time(calendar: HallCalendar, worked: Span, rostered: Span) -> list[OvertimePiece]:
    """Overtime of a rostered duty session: the worked time inside the rostered interval (the
    roster bounds it), without any ordinary workday hours it covers, split at midnight."""
    inside = intersect(worked, rostered)
    if inside is None:
        return []
    pieces: list[OvertimePiece] = []
    for piece in overtime_pieces(calendar, *inside):
        ordinary = ordinary_hours(calendar, piece.local_date)
        for start, end in minus((piece.start, piece.end), ordinary):
            pieces.append(OvertimePiece(piece.local_date, start, end, piece.day_type))
    return pieces


# --- crediting ------------------------------------------------------------------------------


def rounded(exact: int, unit: int, mode: Rounding) -> int:
    """`exact` minutes rounded to whole `unit`s."""
    if exact <= 0:
        return 0
    units, rest = divmod(exact, unit)
    up = rest > 0 if mode is Rounding.CEIL else mode is Rounding.NEAREST and rest * 2 >= unit
    units += 1 if up else 0
    return units * unit


def credited_minutes(exact: int, day_type: DayType, policy: LeavePolicy) -> int:
    """rounding(exact) x rate(day type); nothing below the minimum per entry."""
    if exact < policy.minimum_minutes:
        return 0
    return rounded(exact, policy.unit_minutes, policy.rounding) * policy.rate(day_type) // 100


@dataclass(frozen=True, slots=True)
class CapUsage:
    """What a staff member already has, for the caps: credited in the entry's month and year,
    and the balance now."""

    month: int = 0
    year: int = 0
    balance: int = 0


@dataclass(frozen=True, slots=True)
class Credit:
    credited: int
    excess: int


def capped(credited: int, used: CapUsage, policy: LeavePolicy) -> Credit:
    """The part of `credited` the caps allow; the rest is the excess (recorded, not credited)."""
    room = credited
    for cap, already in (
        (policy.monthly_cap, used.month),
        (policy.yearly_cap, used.year),
        (policy.balance_cap, used.balance),
    ):
        if cap is not None:
            room = min(room, max(0, cap - already))
    room = max(0, room)
    return Credit(room, credited - room)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, gregorian.monthrange(year, month)[1]))


def expires_on(work_date: date, policy: LeavePolicy) -> date:
    """The local date on which what is left of a credit expires."""
    return add_months(work_date, policy.expiry_months)


# --- the ledger -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One row of the append-only leave ledger, as the rules need it. ``source`` names what the
    row is about (an overtime entry, a leave request, an adjustment); an expiry's source is the
    source of the credit it expires; a reversal's ``reverses`` is the source of the leave taken
    it gives back."""

    kind: EntryKind
    minutes: int
    local_date: date
    source: str
    expires_on: date | None = None
    reverses: str | None = None


@dataclass(slots=True)
class CreditLeft:
    source: str
    work_date: date
    expires_on: date | None
    credited: int
    remaining: int
    expired: bool = False


@dataclass(slots=True)
class LedgerState:
    """What the ledger's rows add up to: each credit's remainder, which credits each leave took
    from, the balance. `replay` builds it from every row; the store keeps it up to date one row
    at a time (`apply`) on the part of it a row touches."""

    credits: list[CreditLeft] = field(default_factory=list)
    allocations: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    balance: int = 0
    unallocated: int = 0
    """Leave taken that no credit covered (never, when requests are checked): kept visible."""
    by_source: dict[str, CreditLeft] = field(default_factory=dict)

    def add_credit(self, credit: CreditLeft) -> None:
        self.credits.append(credit)
        self.by_source[credit.source] = credit

    def apply(self, row: LedgerRow) -> list[tuple[str, int]]:
        """The state after one more row; returns what a leave (or a negative adjustment) took
        from which credits.

        Applied to a part of the state, the result is the same as on the whole provided that
        part holds what the row can touch: for leave taken, every credit with something left and
        not expired (in the order written); for an expiry, its credit; for a reversal, the
        allocations of the leave it reverses and their credits."""
        self.balance += row.minutes
        if creates_credit(row):
            self.add_credit(
                CreditLeft(row.source, row.local_date, row.expires_on, row.minutes, row.minutes)
            )
        elif row.kind is EntryKind.EXPIRY:
            credit = self.by_source[row.source]
            credit.remaining += row.minutes
            credit.expired = True
        elif row.reverses is not None:
            _give_back(self, self.by_source, row)
        else:  # leave taken, or a negative adjustment: the oldest live credit first
            taken = _take(self, -row.minutes, row.local_date)
            self.allocations[row.source] = taken
            return taken
        return []

    def available(self, on: date) -> int:
        """What can be spent on `on`: the remainders of credits not expired by then."""
        return sum(c.remaining for c in self.credits if not c.expired and _alive(c, on))

    def due_expiries(self, today: date) -> list[CreditLeft]:
        """Credits whose date has come with something left and no expiry row yet."""
        return [
            c
            for c in self.credits
            if not c.expired
            and c.expires_on is not None
            and c.expires_on <= today
            and c.remaining > 0
        ]

    def expiring_within(self, today: date, days: int) -> list[CreditLeft]:
        return [
            c
            for c in self.credits
            if not c.expired
            and c.remaining > 0
            and c.expires_on is not None
            and (c.expires_on - today).days <= days
        ]


def _alive(credit: CreditLeft, on: date) -> bool:
    return credit.expires_on is None or on < credit.expires_on


class NotEnoughLeave(ValueError):
    def __init__(self, wanted: int, available: int) -> None:
        super().__init__(f"{wanted} minutes wanted, {available} available")
        self.wanted = wanted
        self.available = available


def creates_credit(row: LedgerRow) -> bool:
    """An accrual, or a positive adjustment that gives back no leave: a credit of its own."""
    return row.kind is EntryKind.ACCRUAL or (
        row.kind is EntryKind.ADJUSTMENT and row.minutes > 0 and row.reverses is None
    )


def replay(rows: Sequence[LedgerRow]) -> LedgerState:
    """The ledger's state after its rows, in the order they were written."""
    state = LedgerState()
    for row in rows:
        state.apply(row)
    return state


def _take(state: LedgerState, minutes: int, on: date) -> list[tuple[str, int]]:
    taken: list[tuple[str, int]] = []
    for credit in sorted(state.credits, key=lambda c: (c.work_date, c.expires_on or date.max)):
        if minutes <= 0:
            break
        if credit.expired or credit.remaining <= 0 or not _alive(credit, on):
            continue
        part = min(credit.remaining, minutes)
        credit.remaining -= part
        minutes -= part
        taken.append((credit.source, part))
    state.unallocated += max(0, minutes)
    return taken


def _give_back(state: LedgerState, by_source: dict[str, CreditLeft], row: LedgerRow) -> None:
    assert row.reverses is not None
    left = row.minutes
    for source, part in state.allocations.pop(row.reverses, []):
        credit = by_source[source]
        if credit.expired or not _alive(credit, row.local_date):
            continue  # gone with its credit: `reversible` left it out
        back = min(part, left)
        credit.remaining += back
        left -= back
    state.unallocated -= max(0, left)


def plan_taking(state: LedgerState, minutes: int, on: date) -> None:
    """Refuse leave beyond what is available on `on`."""
    available = state.available(on)
    if minutes > available:
        raise NotEnoughLeave(minutes, available)


def reversible(state: LedgerState, source: str, on: date) -> int:
    """What cancelling the leave `source` gives back on `on`: what it took from credits still
    unexpired then (an expired credit's part is gone)."""
    by_source = {c.source: c for c in state.credits}
    return sum(
        part
        for credit_source, part in state.allocations.get(source, [])
        if not by_source[credit_source].expired and _alive(by_source[credit_source], on)
    )


def leave_minutes(day_types: Sequence[DayType], policy: LeavePolicy) -> int:
    """Leave for whole dates: one leave day per workday among them; rest days and holidays
    cost nothing."""
    return sum(policy.minutes_per_day for t in day_types if t is DayType.WORKDAY)
