"""Overtime that logs itself and comp leave (调休) that accrues from it, over HTTP against a real
hall service on 127.0.0.1: DESIGN.md's worked examples end to end, leave requests and their
decisions, the expiry job, and two leads (or two requests) racing for the same minutes.

The demo hall opens Monday to Friday 09:00-17:30 and on Saturdays 09:00-12:00 (周六值班); its
duty lead is 张伟 (2001, no department: the whole hall)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from clerkdesk import ledger_cli
from clerkdesk.api import errors
from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.hall.ledger.jobs import expire_all
from clerkdesk.hall.ledger.overtime import record
from clerkdesk.hall.rules.accrual import LeavePolicy, OvertimePiece
from clerkdesk.hall.rules.day_types import DayType
from clerkdesk.hall.setup.leave_policy import store_policy
from clerkdesk.hall.store.models import Staff
from clerkdesk.hall.store.models.ledger import LeaveLedgerEntry
from tests.conftest import RunningHall, local, signed_in
from tests.test_closing_day import add_session, hall_database, hall_id


async def ledger_of(hall: RunningHall, staff_no: str) -> LedgerClient:
    return LedgerClient(await signed_in(hall, staff_no))


def add_lead(hall: RunningHall, staff_no: str, name: str, department: str | None = None) -> None:
    """Another duty lead with the demo password (copied: hashing is slow)."""
    with hall_database(hall) as session:
        demo = session.scalars(select(Staff).where(Staff.staff_no == "2001")).one()
        department_id = None
        if department is not None:
            clerk = session.scalars(select(Staff).where(Staff.staff_no == department)).one()
            department_id = clerk.department_id
        session.add(
            Staff(
                hall_id=demo.hall_id,
                staff_no=staff_no,
                name=name,
                department_id=department_id,
                roles="clerk,lead",
                password_hash=demo.password_hash,
            )
        )


async def credit_by_claim(
    hall: RunningHall, clerk: LedgerClient, lead: LedgerClient, start: str, end: str
) -> lw.ClaimOut:
    """Back-office work after hours, claimed and approved."""
    claim = await clerk.claim(local(start), local(end), "整理归档不动产登记材料")
    return await lead.approve_claim(claim.id)


# --- DESIGN.md's worked examples ------------------------------------------------------------


async def test_friday_extension_to_1815_closed_at_1805_credits_30_of_35_minutes(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 17:00"))
    asked = await ClosingClient(li_hua).request_extension(1, 45, "三位群众仍在等候")
    approved = await ClosingClient(zhang_wei).approve_extension(asked.id)
    assert approved.ends_at == local("2026-12-11 18:15")

    hall.clock.set(local("2026-12-11 18:05"))
    await ClosingClient(li_hua).close_window(1)

    mine = LedgerClient(li_hua)
    (entry,) = await mine.overtime("2026-12")
    assert (entry.origin, entry.local_date, entry.day_type) == (
        lw.OvertimeOrigin.extension,
        date(2026, 12, 11),
        "workday",
    )
    assert (entry.starts_at, entry.ends_at) == (
        local("2026-12-11 17:30"),
        local("2026-12-11 18:05"),
    )
    assert (entry.exact_minutes, entry.credited_minutes, entry.policy_version) == (35, 30, 0)
    leave = await mine.my_leave()
    assert (leave.balance_minutes, leave.balance_days) == (30, 0.06)
    (accrual,) = leave.ledger
    assert (accrual.kind, accrual.minutes, accrual.source) == (
        lw.LedgerKind.accrual,
        30,
        entry.source,
    )
    assert accrual.expires_on == date(2027, 12, 11)
    # the lead sees the same figures for 李华
    seen = await LedgerClient(zhang_wei).staff_leave("1001")
    assert seen.balance_minutes == 30


async def test_saturday_duty_0855_to_1220_counts_the_rostered_three_hours_only(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    lead = LedgerClient(zhang_wei)
    (duty,) = (await lead.assign_duty("1002", date(2026, 12, 12))).duties
    assert (duty.starts_at, duty.ends_at, duty.label) == (
        local("2026-12-12 09:00"),
        local("2026-12-12 12:00"),
        "周六值班",
    )
    hall.clock.set(local("2026-12-12 08:55"))
    wang_fang = await signed_in(hall, "1002")
    await wang_fang.sign_in(8)
    liu_yang = await signed_in(hall, "1004")  # works too, but is not rostered
    await liu_yang.sign_in(9)
    assert [d.staff.staff_no for d in (await LedgerClient(wang_fang).my_leave()).duties] == ["1002"]

    hall.clock.set(local("2026-12-12 12:20"))
    closed = await ClosingClient(wang_fang).close_window(8)
    await ClosingClient(liu_yang).close_window(9)
    assert closed.overrun is not None and closed.overrun.minutes == 20

    (entry,) = await LedgerClient(wang_fang).overtime("2026-12")
    assert (entry.origin, entry.day_type, entry.exact_minutes, entry.credited_minutes) == (
        lw.OvertimeOrigin.duty,
        "rest_day",
        180,
        180,
    )
    assert await LedgerClient(liu_yang).overtime("2026-12") == []
    # the 20 minutes past 12:00 count only once the lead confirms the overrun
    saturday_lead = await signed_in(hall, "2001")
    await ClosingClient(saturday_lead).confirm_overrun(closed.overrun.id)
    minutes = sorted(e.exact_minutes for e in await LedgerClient(wang_fang).overtime("2026-12"))
    assert minutes == [20, 180]
    assert (await LedgerClient(wang_fang).my_leave()).balance_minutes == 195  # 180 + floor(20)
    for client in (wang_fang, liu_yang, saturday_lead):
        await client.aclose()


async def test_make_up_workday_ordinary_hours_are_no_overtime_and_have_no_duty(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    # Saturday 2026-02-14 is an official working Saturday (调休上班): Friday's hours.
    with pytest.raises(errors.Conflict) as refused:
        await LedgerClient(zhang_wei).assign_duty("1002", date(2026, 2, 14))
    assert refused.value.code == "no_duty_session"
    hall.clock.set(local("2026-02-14 09:00"))
    clerk = await signed_in(hall, "1002")
    await clerk.sign_in(8)
    hall.clock.set(local("2026-02-14 17:30"))
    await ClosingClient(clerk).close_window(8)
    mine = LedgerClient(clerk)
    assert await mine.overtime("2026-02") == []
    assert (await mine.my_leave()).balance_minutes == 0
    await clerk.aclose()


async def test_national_day_duty_takes_the_holiday_rate_of_the_policy_then_in_force(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    add_session(hall, date(2026, 10, 1), "09:00", "12:00", "国庆值班")
    with hall_database(hall) as session:
        version = store_policy(
            session, hall_id(session), LeavePolicy(rate_holiday=300), local("2026-09-01 09:00")
        )
    assert version == 1
    await LedgerClient(zhang_wei).assign_duty("1002", date(2026, 10, 1))
    hall.clock.set(local("2026-10-01 08:58"))
    clerk = await signed_in(hall, "1002")
    await clerk.sign_in(8)
    hall.clock.set(local("2026-10-01 12:00"))
    await ClosingClient(clerk).close_window(8)
    (entry,) = await LedgerClient(clerk).overtime("2026-10")
    assert (entry.day_type, entry.exact_minutes, entry.credited_minutes) == (
        "statutory_holiday",
        180,
        540,
    )
    assert entry.policy_version == 1
    await clerk.aclose()


# --- leave: asking, deciding, cancelling, expiring -------------------------------------------


async def test_leave_beyond_the_balance_is_refused_with_the_balance_in_the_answer(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    clerk, lead = LedgerClient(li_hua), LedgerClient(zhang_wei)
    await credit_by_claim(hall, clerk, lead, "2026-12-10 18:00", "2026-12-10 20:00")
    with pytest.raises(errors.Conflict) as refused:
        await clerk.request_leave(date(2026, 12, 14))  # a whole workday: 480 minutes
    assert refused.value.code == "not_enough_leave"
    assert refused.value.params["balance_minutes"] == 120
    assert refused.value.params["wanted_minutes"] == 480

    asked = await clerk.request_leave(date(2026, 12, 14), hours=2, reason="孩子家长会")
    assert (asked.status, asked.minutes, asked.by_hours) == (lw.DecisionStatus.pending, 120, True)
    assert (await clerk.my_leave()).pending_minutes == 120
    with pytest.raises(errors.Forbidden) as own:
        await clerk.approve_leave(asked.id)
    assert own.value.code == "role_required"

    approved = await lead.approve_leave(asked.id)
    assert (approved.status, approved.decided_by) == (lw.DecisionStatus.approved, "张伟")
    leave = await clerk.my_leave()
    assert leave.balance_minutes == sum(e.minutes for e in leave.ledger) == 0
    assert [e.kind for e in leave.ledger] == [lw.LedgerKind.accrual, lw.LedgerKind.taken]

    cancelled = await clerk.cancel_leave(asked.id, "家长会改期")
    assert cancelled.status == lw.DecisionStatus.cancelled
    leave = await clerk.my_leave()
    assert leave.balance_minutes == 120
    assert leave.ledger[-1].kind == lw.LedgerKind.adjustment and leave.ledger[-1].minutes == 120


async def test_nobody_decides_their_own_claim_or_leave(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    lead = LedgerClient(zhang_wei)
    claim = await lead.claim(local("2026-12-10 18:00"), local("2026-12-10 19:00"), "值班巡查")
    with pytest.raises(errors.Forbidden) as refused:
        await lead.approve_claim(claim.id)
    assert refused.value.code == "own_request"


async def test_a_claim_that_ends_before_it_starts_is_refused_saying_so(
    hall: RunningHall, li_hua: HallClient
) -> None:
    with pytest.raises(errors.Conflict) as refused:
        await LedgerClient(li_hua).claim(
            local("2026-12-10 19:00"), local("2026-12-10 18:00"), "整理归档"
        )
    assert refused.value.code == "claim_ends_first"
    assert (await LedgerClient(li_hua).claims()) == []


async def test_a_clerk_sees_no_one_elses_leave(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    with pytest.raises(errors.NotFound) as hidden:
        await LedgerClient(li_hua).staff_leave("1002")
    assert hidden.value.code == "staff_not_found"
    add_lead(hall, "2002", "赵敏", department="1003")  # 市场监管's lead
    other = await ledger_of(hall, "2002")
    with pytest.raises(errors.NotFound):
        await other.staff_leave("1001")
    assert (await other.staff_leave("1003")).staff.name == "陈明"
    await other.client.aclose()


async def test_expiry_removes_what_is_left_once_even_when_run_late_and_twice(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    clerk, lead = LedgerClient(li_hua), LedgerClient(zhang_wei)
    await credit_by_claim(hall, clerk, lead, "2026-12-10 18:00", "2026-12-10 20:00")
    asked = await clerk.request_leave(date(2026, 12, 14), hours=0.5)
    await lead.approve_leave(asked.id)
    # the server was down on 2027-12-10: the hall's job runs on the 15th, then again
    hall.clock.set(local("2027-12-15 03:00"))
    job = hall.server.server.config.app.state.hall
    assert [expire_all(job), expire_all(job)] == [90, 0]
    a_year_on = await ledger_of(hall, "1001")  # 李华 signs in again
    leave = await a_year_on.my_leave()
    assert [(e.kind, e.minutes, e.local_date) for e in leave.ledger][-1] == (
        lw.LedgerKind.expiry,
        -90,
        date(2027, 12, 10),
    )
    assert leave.balance_minutes == 0
    await a_year_on.client.aclose()


# --- races ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rounds", [3])
async def test_two_leads_approving_one_request_at_once_take_it_once(
    any_hall: RunningHall, rounds: int
) -> None:
    hall = any_hall
    add_lead(hall, "2002", "赵敏")
    clerk, first, second = [await ledger_of(hall, n) for n in ("1001", "2001", "2002")]
    await credit_by_claim(hall, clerk, first, "2026-12-10 17:30", "2026-12-10 21:30")
    for n in range(rounds):
        asked = await clerk.request_leave(date(2026, 12, 14 + n), hours=1)
        results = await asyncio.gather(
            first.approve_leave(asked.id), second.approve_leave(asked.id), return_exceptions=True
        )
        approved = [r for r in results if isinstance(r, lw.LeaveRequestOut)]
        refused = [r for r in results if isinstance(r, errors.Conflict)]
        assert len(approved) == 1 and len(refused) == 1, results
        assert refused[0].code == "leave_request_decided"
    with hall_database(hall) as session:
        taken = session.scalar(
            select(func.count())
            .where(LeaveLedgerEntry.kind == "taken")
            .select_from(LeaveLedgerEntry)
        )
    assert taken == rounds
    assert (await clerk.my_leave()).balance_minutes == 240 - 60 * rounds
    for c in (clerk, first, second):
        await c.client.aclose()


async def test_two_requests_for_the_same_last_hours_only_one_gets_them(
    any_hall: RunningHall,
) -> None:
    """李华 asks from two workstations at once, four times over, each time for the last 2 hours."""
    hall = any_hall
    clerk, lead = await ledger_of(hall, "1001"), await ledger_of(hall, "2001")
    other_screen = await ledger_of(hall, "1001")
    for n in range(4):
        await credit_by_claim(
            hall, clerk, lead, f"2026-12-0{n + 1} 18:00", f"2026-12-0{n + 1} 20:00"
        )
        results = await asyncio.gather(
            clerk.request_leave(date(2026, 12, 14 + n), hours=2),
            other_screen.request_leave(date(2026, 12, 21 + n), hours=2),
            return_exceptions=True,
        )
        asked = [r for r in results if isinstance(r, lw.LeaveRequestOut)]
        refused = [r for r in results if isinstance(r, errors.Conflict)]
        assert len(asked) == 1 and len(refused) == 1, results
        assert refused[0].code == "not_enough_leave"
        assert refused[0].params["pending_minutes"] == 120
        await lead.approve_leave(asked[0].id)
        assert (await clerk.my_leave()).balance_minutes == 0
    for c in (clerk, lead, other_screen):
        await c.client.aclose()


# --- the HR export and the balance everywhere -----------------------------------------------


async def test_the_export_opens_in_excel_and_agrees_with_the_balance(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient, tmp_path: Path
) -> None:
    clerk, lead = LedgerClient(li_hua), LedgerClient(zhang_wei)
    await credit_by_claim(hall, clerk, lead, "2026-12-10 18:00", "2026-12-10 19:50")
    out = tmp_path / "overtime.csv"
    args = ["export", "overtime", "--month", "2026-12", "--db", hall.database_url, "--out"]
    parser = argparse.ArgumentParser()
    ledger_cli.add_parser(parser.add_subparsers(dest="command"))
    assert ledger_cli.run(parser.parse_args([*args, str(out)])) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    (row,) = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert (row["staff_no"], row["name"], row["department"]) == ("1001", "李华", "不动产登记")
    assert (row["exact_minutes"], row["credited_minutes"]) == ("110", "105")
    leave_out = tmp_path / "leave.csv"
    leave_args = ["export", "leave", "--month", "2026-12", "--db", hall.database_url, "--out"]
    assert ledger_cli.run(parser.parse_args([*leave_args, str(leave_out)])) == 0
    rows = list(csv.DictReader(io.StringIO(leave_out.read_text("utf-8-sig"))))
    exported = sum(int(r["minutes"]) for r in rows if r["staff_no"] == "1001")
    assert exported == (await clerk.my_leave()).balance_minutes == 105


# --- a long ledger, a page at a time -----------------------------------------------------------


def evenings_worked(hall: RunningHall, staff_no: str, first: date, count: int) -> None:
    """`count` Thursday evenings of 95 minutes from `first` on, credited as the hall credits an
    approved claim (written straight into the store: a long history, quickly)."""
    with hall_database(hall) as session:
        staff = session.scalars(select(Staff).where(Staff.staff_no == staff_no)).one()
        for week in range(count):
            day = first + timedelta(weeks=week)
            end = local(f"{day} 19:35")
            piece = OvertimePiece(day, end - timedelta(minutes=95), end, DayType.WORKDAY)
            record(session, staff.hall_id, staff.id, "claim", f"history-{week}", [piece], end)


async def test_a_long_ledger_comes_a_page_at_a_time_and_adds_up_to_the_balance(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    evenings_worked(hall, "1001", date(2025, 12, 18), 51)  # to 2026-12-10: 51 × 90 credited
    clerk = LedgerClient(li_hua)
    asked = await clerk.request_leave(date(2026, 12, 14), hours=2)
    await LedgerClient(zhang_wei).approve_leave(asked.id)

    first = await clerk.my_leave()
    assert (first.balance_minutes, first.ledger_total) == (51 * 90 - 120, 52)
    assert len(first.ledger) == 50 and first.ledger[-1].source == f"leave:{asked.id}"
    assert first.older_before == first.ledger[0].id
    older = await clerk.my_leave(limit=20, before=first.older_before)
    assert [e.local_date for e in older.ledger] == [date(2025, 12, 18), date(2025, 12, 25)]
    assert older.older_before is None and older.balance_minutes == first.balance_minutes

    whole = await clerk.my_whole_leave()
    assert whole.ledger == older.ledger + first.ledger
    assert sum(e.minutes for e in whole.ledger) == whole.balance_minutes == 51 * 90 - 120
    assert whole.older_before is None
    assert (await LedgerClient(zhang_wei).staff_whole_leave("1001")).ledger == whole.ledger
    # two hours on Monday took 2025-12-18's 90 minutes and 30 of 2025-12-25's (oldest first)
    soonest = [(c.work_date, c.expires_on, c.remaining) for c in first.expiring_soon]
    assert soonest == [
        (date(2025, 12, 25), date(2026, 12, 25), 60),
        (date(2026, 1, 1), date(2027, 1, 1), 90),
        (date(2026, 1, 8), date(2027, 1, 8), 90),
    ]
