"""Overtime from the facts the hall already has (issue 11, item 1), where the facts come in an
order the first version missed: a rostered clerk who signs out of a duty session early (no
window closing at all), and an extension the duty lead approves after the window has closed.

The demo hall opens Monday to Friday 09:00-17:30; its duty lead is 张伟 (2001)."""

from __future__ import annotations

from datetime import date

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.ledger import LedgerClient
from tests.conftest import RunningHall, local, signed_in
from tests.test_closing_day import add_session


def spans(entries: list[lw.OvertimeEntryOut]) -> list[tuple[str, str, str, int, int]]:
    return sorted(
        (
            e.origin.value,
            f"{e.starts_at.astimezone(local('2026-12-01 00:00').tzinfo):%H:%M}",
            f"{e.ends_at.astimezone(local('2026-12-01 00:00').tzinfo):%H:%M}",
            e.exact_minutes,
            e.credited_minutes,
        )
        for e in entries
    )


# --- a rostered duty counts from sign-in to sign-out ------------------------------------------


async def test_wang_fang_signs_out_of_saturday_duty_at_noon_and_gets_three_hours(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    """Saturday 2026-12-19 has an all-day duty session 09:00-17:00 and 王芳 is rostered for it.
    She signs in at 08:58 and signs out at 12:00 (a sign-out, not the window's closing: the
    window stays open until 17:00): the three hours count at once. She comes back 13:00-17:00
    and closes the window: four hours more, and the morning is not counted again. 刘洋 works
    the next window all day without being rostered: nothing."""
    add_session(hall, date(2026, 12, 19), "09:00", "17:00", "周六全天值班")
    await LedgerClient(zhang_wei).assign_duty("1002", date(2026, 12, 19), hours="09:00-17:00")
    hall.clock.set(local("2026-12-19 08:58"))
    wang_fang, liu_yang = await signed_in(hall, "1002"), await signed_in(hall, "1004")
    await wang_fang.sign_in(8)
    await liu_yang.sign_in(9)

    hall.clock.set(local("2026-12-19 12:00"))
    await wang_fang.sign_out(8)
    mine = LedgerClient(wang_fang)
    assert spans(await mine.overtime("2026-12")) == [("duty", "09:00", "12:00", 180, 180)]
    assert (await mine.my_leave()).balance_minutes == 180

    hall.clock.set(local("2026-12-19 13:00"))
    await wang_fang.sign_in(8)
    hall.clock.set(local("2026-12-19 17:00"))
    await ClosingClient(wang_fang).close_window(8)
    await ClosingClient(liu_yang).close_window(9)
    assert spans(await mine.overtime("2026-12")) == [
        ("duty", "09:00", "12:00", 180, 180),
        ("duty", "13:00", "17:00", 240, 240),
    ]
    assert (await mine.my_leave()).balance_minutes == 420
    assert await LedgerClient(liu_yang).overtime("2026-12") == []
    for client in (wang_fang, liu_yang):
        await client.aclose()


async def test_a_duty_clerk_taken_over_at_eleven_gets_her_two_hours(
    hall: RunningHall, zhang_wei: HallClient
) -> None:
    """王芳 is rostered for Saturday 2026-12-12 09:00-12:00; at 11:00 张伟 takes the window over
    (she was called away): her sign-in ends there, and the two hours count for her only."""
    await LedgerClient(zhang_wei).assign_duty("1002", date(2026, 12, 12))
    hall.clock.set(local("2026-12-12 09:00"))
    wang_fang = await signed_in(hall, "1002")
    await wang_fang.sign_in(8)
    hall.clock.set(local("2026-12-12 11:00"))
    saturday_lead = await signed_in(hall, "2001")
    await saturday_lead.sign_in(8, force=True)
    assert spans(await LedgerClient(wang_fang).overtime("2026-12")) == [
        ("duty", "09:00", "11:00", 120, 120)
    ]
    hall.clock.set(local("2026-12-12 12:00"))
    await ClosingClient(saturday_lead).close_window(8)
    seen_by_the_lead = await LedgerClient(saturday_lead).overtime("2026-12")
    assert [e.staff.staff_no for e in seen_by_the_lead] == ["1002"]  # none of his: not rostered
    for client in (wang_fang, saturday_lead):
        await client.aclose()


# --- an extension approved after the window closed ----------------------------------------------


async def test_an_extension_approved_after_the_close_credits_its_time_once(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    """Friday 2026-12-11: 李华 asks at 17:20 for 45 more minutes; the lead is busy; she serves
    the last citizens and closes at 18:05 (35 minutes past 17:30: a pending overrun). At 18:30
    张伟 approves the extension: the 35 minutes are the extension's, credited 30 (floor 15), and
    the overrun is covered; approving changes nothing more when repeated."""
    hall.clock.set(local("2026-12-11 17:20"))
    asked = await ClosingClient(li_hua).request_extension(1, 45, "三位群众仍在等候")
    hall.clock.set(local("2026-12-11 18:05"))
    closed = await ClosingClient(li_hua).close_window(1)
    assert closed.overrun is not None and closed.overrun.minutes == 35
    mine = LedgerClient(li_hua)
    assert await mine.overtime("2026-12") == []

    hall.clock.set(local("2026-12-11 18:30"))
    lead = ClosingClient(zhang_wei)
    await lead.approve_extension(asked.id, key="late-approval")
    await lead.approve_extension(asked.id, key="late-approval")  # a retry: the same answer

    assert spans(await mine.overtime("2026-12")) == [("extension", "17:30", "18:05", 35, 30)]
    (overrun,) = await lead.overruns()
    assert (overrun.status, overrun.minutes) == (w.OverrunStatus.covered, 0)
    assert (await mine.my_leave()).balance_minutes == 30


async def test_a_shorter_extension_approved_late_leaves_the_rest_to_the_overrun(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    """The same evening, but 张伟 approves only 20 minutes (to 17:50) at 18:30: the extension
    credits 17:30-17:50, and the overrun keeps 17:50-18:05, which he then confirms. Each minute
    is counted once: 20 + 15 exact, 15 + 15 credited."""
    hall.clock.set(local("2026-12-11 17:20"))
    asked = await ClosingClient(li_hua).request_extension(1, 45, "三位群众仍在等候")
    hall.clock.set(local("2026-12-11 18:05"))
    await ClosingClient(li_hua).close_window(1)
    hall.clock.set(local("2026-12-11 18:30"))
    lead = ClosingClient(zhang_wei)
    await lead.approve_extension(asked.id, minutes=20)
    (overrun,) = await lead.overruns()
    assert (overrun.status, overrun.minutes) == (w.OverrunStatus.pending, 15)
    await lead.confirm_overrun(overrun.id)

    mine = LedgerClient(li_hua)
    assert spans(await mine.overtime("2026-12")) == [
        ("extension", "17:30", "17:50", 20, 15),
        ("overrun", "17:50", "18:05", 15, 15),
    ]
    assert (await mine.my_leave()).balance_minutes == 30


async def test_an_overrun_confirmed_before_the_late_approval_is_not_credited_twice(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    """张伟 confirms the 35-minute overrun first, then approves the extension too: the minutes
    are already the overrun's, so the extension adds nothing."""
    hall.clock.set(local("2026-12-11 17:20"))
    asked = await ClosingClient(li_hua).request_extension(1, 45, "三位群众仍在等候")
    hall.clock.set(local("2026-12-11 18:05"))
    closed = await ClosingClient(li_hua).close_window(1)
    assert closed.overrun is not None
    lead = ClosingClient(zhang_wei)
    await lead.confirm_overrun(closed.overrun.id)
    await lead.approve_extension(asked.id)

    mine = LedgerClient(li_hua)
    assert spans(await mine.overtime("2026-12")) == [("overrun", "17:30", "18:05", 35, 30)]
    assert (await mine.my_leave()).balance_minutes == 30
