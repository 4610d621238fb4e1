"""Overtime into comp leave (调休), as pure rules: DESIGN.md's worked examples, the policy's knobs,
and the ledger's invariants under any sequence of accruals, leave and expiries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerkdesk.hall.rules.accrual import (
    CapUsage,
    Credit,
    EntryKind,
    LeavePolicy,
    LedgerRow,
    NotEnoughLeave,
    Rounding,
    add_months,
    capped,
    credited_minutes,
    duty_time,
    expires_on,
    leave_minutes,
    overtime_pieces,
    plan_taking,
    replay,
    reversible,
    rounded,
)
from clerkdesk.hall.rules.calendar import DutySession, HallCalendar, OpeningInterval, WeeklySchedule
from clerkdesk.hall.rules.day_types import DayType

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT = LeavePolicy()
LABOUR_LAW = LeavePolicy(version=2, rate_workday=150, rate_rest_day=200, rate_holiday=300)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def hours(start: str, end: str) -> OpeningInterval:
    return OpeningInterval(time.fromisoformat(start), time.fromisoformat(end))


# The demo hall: Monday to Friday 09:00-17:30, Saturdays 09:00-12:00 (周六值班).
HALL = HallCalendar(
    "Asia/Shanghai",
    WeeklySchedule.workdays([hours("09:00", "17:30")]),
    (DutySession(None, 5, (hours("09:00", "12:00"),), "周六值班"),),
)


def credit_of(start: str, end: str, policy: LeavePolicy = DEFAULT) -> list[tuple[date, int, int]]:
    return [
        (p.local_date, p.exact_minutes, credited_minutes(p.exact_minutes, p.day_type, policy))
        for p in overtime_pieces(HALL, local(start), local(end))
    ]


# --- DESIGN.md's worked examples ------------------------------------------------------------


def test_friday_extension_closed_at_1805_is_35_minutes_exact_and_30_credited() -> None:
    # Workday 2026-12-11, scheduled end 17:30, extension approved to 18:15, closed 18:05.
    assert credit_of("2026-12-11 17:30", "2026-12-11 18:05") == [(date(2026, 12, 11), 35, 30)]


def test_saturday_duty_counts_only_the_rostered_three_hours() -> None:
    # 2026-12-12 duty session 09:00-12:00; 王芳 worked 08:55-12:20.
    pieces = duty_time(
        HALL,
        (local("2026-12-12 08:55"), local("2026-12-12 12:20")),
        (local("2026-12-12 09:00"), local("2026-12-12 12:00")),
    )
    assert [(p.local_date, p.day_type, p.exact_minutes) for p in pieces] == [
        (date(2026, 12, 12), DayType.REST_DAY, 180)
    ]
    assert credited_minutes(180, DayType.REST_DAY, DEFAULT) == 180
    assert credited_minutes(180, DayType.REST_DAY, LABOUR_LAW) == 360


def test_make_up_workday_ordinary_hours_are_no_overtime() -> None:
    # Saturday 2026-02-14 is a make-up workday (调休上班): its Friday hours are ordinary.
    worked = (local("2026-02-14 09:00"), local("2026-02-14 17:30"))
    assert duty_time(HALL, worked, worked) == []
    later = duty_time(HALL, (local("2026-02-14 09:00"), local("2026-02-14 18:00")), worked)
    assert later == []  # the roster bounds it, and inside the roster all is ordinary
    piece = overtime_pieces(HALL, local("2026-02-14 17:30"), local("2026-02-14 18:00"))[0]
    assert piece.day_type is DayType.WORKDAY  # past its end: workday overtime, workday rate


def test_national_day_duty_takes_the_holiday_rate() -> None:
    # 2026-10-01 is a statutory holiday.
    pieces = duty_time(
        HALL,
        (local("2026-10-01 09:00"), local("2026-10-01 12:00")),
        (local("2026-10-01 09:00"), local("2026-10-01 12:00")),
    )
    assert [p.day_type for p in pieces] == [DayType.STATUTORY_HOLIDAY]
    assert credited_minutes(pieces[0].exact_minutes, pieces[0].day_type, DEFAULT) == 180
    assert credited_minutes(pieces[0].exact_minutes, pieces[0].day_type, LABOUR_LAW) == 540


def test_night_work_across_midnight_is_credited_to_each_calendar_date() -> None:
    # Wednesday 2026-09-30 22:00 to Thursday 2026-10-01 01:00 (the holiday starts at midnight).
    pieces = overtime_pieces(HALL, local("2026-09-30 22:00"), local("2026-10-01 01:00"))
    assert [(p.local_date, p.day_type, p.exact_minutes) for p in pieces] == [
        (date(2026, 9, 30), DayType.WORKDAY, 120),
        (date(2026, 10, 1), DayType.STATUTORY_HOLIDAY, 60),
    ]
    assert sum(p.exact_minutes for p in pieces) == 180


# --- the policy's knobs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exact", "mode", "expected"),
    [(35, Rounding.FLOOR, 30), (35, Rounding.NEAREST, 30), (38, Rounding.NEAREST, 45),
     (31, Rounding.CEIL, 45), (30, Rounding.CEIL, 30), (0, Rounding.CEIL, 0)],
)  # fmt: skip
def test_rounding_to_whole_units(exact: int, mode: Rounding, expected: int) -> None:
    assert rounded(exact, 15, mode) == expected


def test_an_entry_below_the_minimum_credits_nothing() -> None:
    policy = LeavePolicy(minimum_minutes=30, unit_minutes=1)
    assert credited_minutes(29, DayType.WORKDAY, policy) == 0
    assert credited_minutes(30, DayType.WORKDAY, policy) == 30


def test_rates_outside_the_law_are_refused() -> None:
    with pytest.raises(ValueError, match=r"1\.0, 1\.5, 2\.0, 3\.0"):
        LeavePolicy(rate_rest_day=250)


def test_caps_record_the_excess_without_crediting_it() -> None:
    policy = LeavePolicy(monthly_cap=600, yearly_cap=6000, balance_cap=2400)
    assert capped(120, CapUsage(month=540, year=1000, balance=0), policy) == Credit(60, 60)
    assert capped(120, CapUsage(month=0, year=5990, balance=0), policy) == Credit(10, 110)
    assert capped(120, CapUsage(month=0, year=0, balance=2400), policy) == Credit(0, 120)
    assert capped(120, CapUsage(month=700, year=0, balance=0), policy) == Credit(0, 120)


def test_credits_expire_twelve_months_after_the_work_date() -> None:
    assert expires_on(date(2026, 12, 11), DEFAULT) == date(2027, 12, 11)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_leave_for_dates_costs_one_day_per_workday() -> None:
    days = [DayType.WORKDAY, DayType.REST_DAY, DayType.STATUTORY_HOLIDAY, DayType.WORKDAY]
    assert leave_minutes(days, DEFAULT) == 960


# --- the ledger -----------------------------------------------------------------------------


def accrual(source: str, minutes: int, on: date) -> LedgerRow:
    return LedgerRow(EntryKind.ACCRUAL, minutes, on, source, expires_on(on, DEFAULT))


def test_leave_uses_the_oldest_credit_and_expiry_removes_only_what_is_left() -> None:
    rows = [
        accrual("overtime:1", 120, date(2026, 1, 10)),
        accrual("overtime:2", 180, date(2026, 6, 6)),
        LedgerRow(EntryKind.TAKEN, -150, date(2026, 7, 1), "leave:1"),
    ]
    state = replay(rows)
    assert [(c.source, c.remaining) for c in state.credits] == [
        ("overtime:1", 0),
        ("overtime:2", 150),
    ]
    assert state.due_expiries(date(2027, 1, 10)) == []
    (due,) = state.due_expiries(date(2027, 6, 6))
    assert (due.source, due.remaining) == ("overtime:2", 150)
    rows.append(LedgerRow(EntryKind.EXPIRY, -150, date(2027, 6, 6), "overtime:2"))
    after = replay(rows)
    assert after.balance == 0 and after.due_expiries(date(2027, 6, 7)) == []


def test_a_cancelled_leave_gives_back_to_the_credits_it_took_from() -> None:
    rows = [
        accrual("overtime:1", 60, date(2026, 12, 11)),
        LedgerRow(EntryKind.TAKEN, -60, date(2026, 12, 14), "leave:7"),
    ]
    state = replay(rows)
    assert state.available(date(2026, 12, 15)) == 0
    assert reversible(state, "leave:7", date(2026, 12, 15)) == 60
    rows.append(LedgerRow(EntryKind.ADJUSTMENT, 60, date(2026, 12, 15), "leave:7", None, "leave:7"))
    assert replay(rows).credits[0].remaining == 60


def test_leave_beyond_the_balance_is_refused_with_the_balance() -> None:
    state = replay([accrual("overtime:1", 90, date(2026, 12, 11))])
    with pytest.raises(NotEnoughLeave) as refused:
        plan_taking(state, 120, date(2026, 12, 14))
    assert (refused.value.wanted, refused.value.available) == (120, 90)
    with pytest.raises(NotEnoughLeave):  # on its expiry date the credit is gone
        plan_taking(state, 30, date(2027, 12, 11))


# --- invariants under any sequence ----------------------------------------------------------

Step = tuple[str, int, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(["accrue", "accrue", "take", "cancel", "expire"]),
        st.integers(min_value=0, max_value=600),
        st.integers(min_value=0, max_value=500),
    ),
    max_size=40,
)


def run(sequence: list[Step]) -> tuple[list[LedgerRow], int]:
    """Drive the ledger as the services do: every leave checked, every expiry from the state."""
    rows: list[LedgerRow] = []
    today = date(2026, 1, 1)
    refused = 0
    for n, (action, minutes, days) in enumerate(sequence):
        today += timedelta(days=days % 40)
        state = replay(rows)
        if action == "accrue":
            credited = credited_minutes(minutes, DayType.WORKDAY, DEFAULT)
            rows.append(accrual(f"overtime:{n}", credited, today))
        elif action == "take":
            try:
                plan_taking(state, minutes, today)
            except NotEnoughLeave:
                refused += 1
                continue
            rows.append(LedgerRow(EntryKind.TAKEN, -minutes, today, f"leave:{n}"))
        elif action == "cancel" and state.allocations:
            source = sorted(state.allocations)[minutes % len(state.allocations)]
            back = reversible(state, source, today)
            rows.append(LedgerRow(EntryKind.ADJUSTMENT, back, today, source, None, source))
        for credit in state.due_expiries(today) if action == "expire" else ():
            rows.append(LedgerRow(EntryKind.EXPIRY, -credit.remaining, today, credit.source))
    return rows, refused


@settings(max_examples=150, deadline=None)
@given(steps)
def test_the_balance_is_the_sum_of_the_entries_and_never_below_zero(sequence: list[Step]) -> None:
    rows, _ = run(sequence)
    running = 0
    for n in range(len(rows)):
        running += rows[n].minutes
        state = replay(rows[: n + 1])
        assert state.balance == running >= 0
        assert state.unallocated == 0
        assert sum(c.remaining for c in state.credits) == state.balance
        assert all(c.remaining >= 0 for c in state.credits)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_no_source_is_credited_or_expired_twice(sequence: list[Step]) -> None:
    rows, _ = run(sequence)
    keys = [(r.source, r.kind, r.reverses is not None) for r in rows if r.kind != EntryKind.TAKEN]
    assert len(keys) == len(set(keys))
    # expiry runs again on the same day: nothing more is due
    state = replay(rows)
    last = max((r.local_date for r in rows), default=date(2026, 1, 1))
    for credit in state.due_expiries(last):
        rows.append(LedgerRow(EntryKind.EXPIRY, -credit.remaining, last, credit.source))
    assert replay(rows).due_expiries(last) == []


def test_a_utc_instant_lands_on_the_hall_local_date() -> None:
    # 16:30 UTC on 2026-12-11 is 00:30 on Saturday the 12th in Shanghai.
    start = datetime(2026, 12, 11, 15, 30, tzinfo=UTC)
    pieces = overtime_pieces(HALL, start, start + timedelta(hours=1))
    assert [(p.local_date, p.day_type) for p in pieces] == [
        (date(2026, 12, 11), DayType.WORKDAY),
        (date(2026, 12, 12), DayType.REST_DAY),
    ]
