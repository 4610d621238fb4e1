"""Extensions, overruns and the end of the day at the counter: who may decide, what the clerk
hears, what is recorded, and what happens to citizens still waiting when the hall closes.

Friday 2026-12-11: the demo hall closes at 17:30 and reopens on Saturday 09:00 (周六值班).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.closing import ClosingClient
from clerkdesk.hall.rules.ticket_states import Action
from clerkdesk.hall.store.models import Staff, TicketTransition, Window
from tests.conftest import RunningHall, local, signed_in
from tests.test_closing_day import (
    at_window,
    give_demo_password,
    hall_database,
    live,
    serve_next,
    set_policy,
)


async def two_waiting(kiosk: HallClient) -> list[w.TicketOut]:
    return [await kiosk.issue("bdc-transfer"), await kiosk.issue("bdc-mortgage")]


async def test_a_denied_request_keeps_the_closing_time_and_the_clerk_hears_why(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 17:05"))
    await two_waiting(kiosk)
    clerk, lead = ClosingClient(li_hua), ClosingClient(zhang_wei)
    hall.clock.set(local("2026-12-11 17:10"))
    asked = await clerk.request_extension(1, 20, "两位群众等候")

    clerk_screen = await live(li_hua, 1)
    try:
        denied = await lead.deny_extension(asked.id, "2号窗口可接办，请引导群众")
        heard = await clerk_screen.next(w.EventKind.extension_decided)
    finally:
        await clerk_screen.close()
    assert heard.extension is not None
    assert (heard.extension.status, heard.extension.decision_reason) == (
        w.ExtensionStatus.denied,
        "2号窗口可接办，请引导群众",
    )
    assert denied.decided_by is not None and denied.decided_by.name == "张伟"

    banner = await clerk.closing(1)
    assert banner.window_end == local("2026-12-11 17:30")
    assert banner.extension is not None and banner.extension.status == w.ExtensionStatus.denied
    assert await lead.extensions(w.ExtensionStatus.pending) == []
    with pytest.raises(errors.Conflict) as again:
        await lead.approve_extension(asked.id)
    assert (again.value.code, again.value.params["status"]) == ("extension_decided", "denied")


async def test_working_past_the_end_without_an_extension_is_an_overrun_for_the_lead(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 17:05"))
    await kiosk.issue("bdc-transfer")
    hall.clock.set(local("2026-12-11 17:15"))
    await serve_next(li_hua, 1, hall, 25)  # the citizen at the counter is served: 17:40
    clerk, lead = ClosingClient(li_hua), ClosingClient(zhang_wei)
    banner = await clerk.closing(1)
    assert (banner.phase, banner.minutes_left, banner.notice) == (
        w.WindowPhase.overrunning,
        -10,
        True,
    )

    lead_screen = await live(zhang_wei, 1)
    try:
        hall.clock.set(local("2026-12-11 17:42"))
        closed = await clerk.close_window(1)
        recorded = await lead_screen.next(w.EventKind.overrun_recorded)
    finally:
        await lead_screen.close()
    assert closed.overrun is not None
    assert (closed.overrun.minutes, closed.overrun.status) == (12, w.OverrunStatus.pending)
    assert recorded.overrun is not None and recorded.overrun.id == closed.overrun.id
    assert [o.id for o in await clerk.overruns()] == [closed.overrun.id]  # the clerk's own

    with pytest.raises(errors.Forbidden) as refused:
        await clerk.confirm_overrun(closed.overrun.id)
    assert refused.value.code == "role_required"
    [pending] = await lead.overruns(w.OverrunStatus.pending)
    confirmed = await lead.confirm_overrun(pending.id, "群众材料复杂")
    assert confirmed.status == w.OverrunStatus.confirmed
    with pytest.raises(errors.Conflict) as twice:
        await lead.reject_overrun(pending.id, "改主意")
    assert twice.value.code == "overrun_decided"


async def test_a_clerk_never_approves_their_own_request_even_as_duty_lead(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    with hall_database(hall) as session:  # 陈明 of 市场监管 is also his department's lead
        chen_row = session.scalars(select(Staff).where(Staff.staff_no == "1003")).one()
        chen_row.roles = "clerk,lead"
    give_demo_password(hall, "admin")
    await zhang_wei.sign_in(2)  # 张伟 (clerk and lead) works window 2 himself
    hall.clock.set(local("2026-12-11 17:05"))
    await kiosk.issue("bdc-transfer")
    own = await ClosingClient(zhang_wei).request_extension(2, 20, "一位群众等候")

    for decide in (
        ClosingClient(zhang_wei).approve_extension(own.id),
        ClosingClient(zhang_wei).deny_extension(own.id, "不批"),
    ):
        with pytest.raises(errors.Forbidden) as refused:
            await decide
        assert refused.value.code == "own_request"
        assert "another duty lead" in refused.value.message

    chen, admin = await signed_in(hall, "1003"), await signed_in(hall, "admin")
    with pytest.raises(errors.Forbidden) as elsewhere:
        await ClosingClient(chen).approve_extension(own.id)
    assert elsewhere.value.code == "other_department"
    assert await ClosingClient(chen).extensions() == []  # not in 陈明's department

    approved = await ClosingClient(admin).approve_extension(own.id, minutes=15)
    assert (approved.status, approved.ends_at) == (
        w.ExtensionStatus.approved,
        local("2026-12-11 17:45"),
    )
    for client in (chen, admin):
        await client.aclose()


async def test_one_request_at_a_time_and_a_retried_request_is_the_same_request(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 17:00"))
    await two_waiting(kiosk)
    clerk = ClosingClient(li_hua)
    first = await clerk.request_extension(1, 20, "两位群众等候", key="ask-1")
    again = await clerk.request_extension(1, 20, "两位群众等候", key="ask-1")
    assert again == first
    with pytest.raises(errors.Conflict) as refused:
        await clerk.request_extension(1, 30, "再延长")
    assert (refused.value.code, refused.value.params["extension"]) == (
        "extension_pending",
        first.id,
    )
    with pytest.raises(errors.InvalidInput):
        await li_hua._send("POST", "/windows/1/extensions", json={"minutes": 0, "reason": "无"})


async def test_the_hall_may_approve_short_extensions_itself(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    set_policy(hall, auto_approve_minutes=15)
    hall.clock.set(local("2026-12-11 17:05"))
    await two_waiting(kiosk)
    clerk = ClosingClient(li_hua)
    short = await clerk.request_extension(1, 10, "一位群众办理中")
    assert (short.status, short.auto_approved, short.decided_by) == (
        w.ExtensionStatus.approved,
        True,
        None,
    )
    assert short.ends_at == local("2026-12-11 17:40")
    longer = await clerk.request_extension(1, 30, "还有一位")
    assert longer.status == w.ExtensionStatus.pending
    assert longer.base_end == local("2026-12-11 17:40")  # it adds to the extended end


async def test_a_request_left_undecided_is_withdrawn_by_an_early_close_or_covers_an_overrun(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    clerk, lead = ClosingClient(li_hua), ClosingClient(zhang_wei)
    hall.clock.set(local("2026-12-11 17:10"))
    early = await clerk.request_extension(1, 15, "可能有群众")
    hall.clock.set(local("2026-12-11 17:20"))
    closed = await clerk.close_window(1)  # nobody came: closed before the end
    assert closed.overrun is None
    assert (await lead.extension(early.id)).extension.status == w.ExtensionStatus.withdrawn

    await li_hua.sign_in(1)
    await zhang_wei.issue("bdc-transfer")  # past the kiosk cutoff: the lead's exception
    late = await clerk.request_extension(1, 30, "一位群众材料多")
    await serve_next(li_hua, 1, hall, 30)  # 17:50, the lead has not answered
    closed = await clerk.close_window(1)
    assert closed.overrun is not None and closed.overrun.minutes == 20
    approved = await lead.approve_extension(late.id)
    assert approved.ends_at == local("2026-12-11 18:00")
    [covered] = await lead.overruns(w.OverrunStatus.covered)
    assert (covered.id, covered.minutes) == (closed.overrun.id, 0)


# --- the end of the day ---------------------------------------------------------------------


async def test_serve_all_keeps_the_last_window_open_while_citizens_wait(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    hall.clock.set(local("2026-12-11 17:00"))
    waiting = await two_waiting(kiosk)
    hall.clock.set(local("2026-12-11 17:35"))
    with pytest.raises(errors.Conflict) as refused:
        await ClosingClient(li_hua).close_window(1)
    assert refused.value.code == "citizens_still_waiting"
    assert refused.value.params["tickets"] == [t.code for t in waiting]

    await zhang_wei.sign_in(2)  # window 2 serves them too: window 1 may close
    closed = await ClosingClient(li_hua).close_window(1)
    assert (closed.leftover_tickets, closed.end_of_day_rule) == ([], None)
    assert [t.status for t in await zhang_wei.tickets_today()] == [w.TicketStatus.waiting] * 2


async def test_carry_over_puts_yesterdays_citizens_first_on_the_next_opening(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    set_policy(hall, end_of_day="carry_over")
    hall.clock.set(local("2026-12-11 17:00"))
    waiting = await two_waiting(kiosk)
    hall.clock.set(local("2026-12-11 17:35"))
    closed = await ClosingClient(li_hua).close_window(1)
    assert closed.end_of_day_rule == w.EndOfDayRule.carry_over
    assert closed.leftover_tickets == [t.code for t in waiting]

    hall.clock.set(local("2026-12-12 09:00"))  # the Saturday session
    kiosk_sat, clerk = await signed_in(hall, "kiosk1"), await at_window(hall, "1001", 1)
    fresh = await kiosk_sat.issue("bdc-transfer")
    queue = await clerk.queue(1)
    assert [t.id for t in queue.tickets] == [waiting[0].id, waiting[1].id, fresh.id]
    assert [t.priority for t in queue.tickets[:2]] == [w.Priority.carried_over] * 2
    assert queue.tickets[0].local_date.isoformat() == "2026-12-11"
    with pytest.raises(errors.InvalidInput):
        await kiosk_sat.issue("bdc-transfer", priority=w.Priority.carried_over)
    for client in (kiosk_sat, clerk):
        await client.aclose()


async def test_the_end_of_day_rule_records_who_where_and_when_like_any_other_transition(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    """李华 closes window 1 at 17:35 with two citizens waiting (carry-over): each ticket's history
    gains a carry-over by 李华 at window 1 at 17:35, an action the state machine knows."""
    set_policy(hall, end_of_day="carry_over")
    hall.clock.set(local("2026-12-11 17:00"))
    waiting = await two_waiting(kiosk)
    hall.clock.set(local("2026-12-11 17:35"))
    await ClosingClient(li_hua).close_window(1)
    with hall_database(hall) as session:
        li_hua_id = session.scalars(select(Staff.id).where(Staff.staff_no == "1001")).one()
        window_1 = session.scalars(select(Window.id).where(Window.number == 1)).one()
        history = session.execute(select(TicketTransition).order_by(TicketTransition.id)).scalars()
        rows = [
            (
                t.ticket_id,
                Action(t.action),
                t.from_status,
                t.to_status,
                t.staff_id,
                t.window_id,
                t.at,
            )
            for t in history
        ]
    carried = [row for row in rows if row[1] is Action.carry_over]
    assert carried == [
        (
            ticket.id,
            Action.carry_over,
            "waiting",
            "waiting",
            li_hua_id,
            window_1,
            local("2026-12-11 17:35"),
        )
        for ticket in waiting
    ]


async def test_cancel_with_notice_tells_the_citizens_when_to_come_back(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    set_policy(hall, end_of_day="cancel_with_notice")
    hall.clock.set(local("2026-12-11 17:00"))
    await two_waiting(kiosk)
    hall.clock.set(local("2026-12-11 17:35"))
    closed = await ClosingClient(li_hua).close_window(1)
    assert closed.end_of_day_rule == w.EndOfDayRule.cancel_with_notice
    cancelled = await zhang_wei.tickets_today(w.TicketStatus.cancelled)
    assert len(cancelled) == 2
    assert all("2026-12-12 09:00" in (t.reason or "") for t in cancelled)


@pytest.mark.postgres
async def test_the_closing_day_on_postgresql(pg_hall: RunningHall) -> None:
    """Request, approval, overrun and the end-of-day rule on the PostgreSQL store."""
    set_policy(pg_hall, end_of_day="carry_over")
    pg_hall.clock.set(local("2026-12-11 17:00"))
    kiosk, li_hua = await signed_in(pg_hall, "kiosk1"), await at_window(pg_hall, "1001", 1)
    zhang = await signed_in(pg_hall, "2001")
    waiting = await two_waiting(kiosk)
    clerk, lead = ClosingClient(li_hua), ClosingClient(zhang)
    asked = await clerk.request_extension(1, 20, "两位群众等候")
    approved = await lead.approve_extension(asked.id, minutes=10)
    assert approved.ends_at == local("2026-12-11 17:40")
    assert (await clerk.closing(1)).window_end == local("2026-12-11 17:40")
    await serve_next(li_hua, 1, pg_hall, 45)  # 17:45
    closed = await clerk.close_window(1)
    assert closed.overrun is not None and closed.overrun.minutes == 5
    assert closed.leftover_tickets == [waiting[1].code]
    assert (await zhang.ticket(waiting[1].id)).priority == w.Priority.carried_over
    for client in (kiosk, li_hua, zhang):
        await client.aclose()
