"""A day at the counter, against a real hall service on 127.0.0.1."""

from __future__ import annotations

import pytest

from clerkdesk.api import errors
from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import Outcome, Priority, QueuePosition, TicketStatus
from tests.conftest import RunningHall, signed_in


async def test_li_hua_calls_serves_and_completes_the_first_citizen_of_the_day(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    issued = await kiosk.issue("bdc-transfer")
    assert issued.code == "A001"
    assert issued.status == TicketStatus.waiting

    hall.clock.advance(minutes=4)
    called = await li_hua.call_next(1)
    assert (called.code, called.status, called.window, called.called_by) == (
        "A001",
        TicketStatus.called,
        1,
        "1001",
    )
    hall.clock.advance(minutes=1)
    serving = await li_hua.start(called.id)
    assert serving.status == TicketStatus.serving
    hall.clock.advance(minutes=18)
    done = await li_hua.complete(called.id, Outcome.done)
    assert done.status == TicketStatus.done
    assert done.outcome == Outcome.done
    assert done.finished_at is not None and done.started_at is not None
    assert (done.finished_at - done.started_at).total_seconds() == 18 * 60

    counter = await li_hua.counter(1)
    assert counter.current is None
    assert counter.counts.served == 1
    assert counter.counts.average_service_seconds == 18 * 60


async def test_window_1_calls_its_own_services_in_its_order_then_by_issue_time(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    # Window 1 serves 不动产转移登记 (A) before 抵押登记 (B); it never calls 户籍 (F).
    b1 = await kiosk.issue("bdc-mortgage")
    hall.clock.advance(seconds=30)
    await kiosk.issue("hukou")
    hall.clock.advance(seconds=30)
    a1 = await kiosk.issue("bdc-transfer")
    hall.clock.advance(seconds=30)
    a2 = await kiosk.issue("bdc-transfer")

    queue = await li_hua.queue(1)
    assert [t.code for t in queue.tickets] == [a1.code, a2.code, b1.code]
    order = []
    for _ in range(3):
        ticket = await li_hua.call_next(1)
        order.append(ticket.code)
        await li_hua.start(ticket.id)
        await li_hua.complete(ticket.id)
        hall.clock.advance(seconds=5)
    assert order == ["A001", "A002", "B001"]
    with pytest.raises(errors.Conflict) as refused:
        await li_hua.call_next(1)
    assert refused.value.code == "queue_empty"


async def test_green_channel_and_due_appointments_go_first(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    normal = await kiosk.issue("bdc-transfer")
    later_slot = hall.clock.now().replace(hour=5)  # 13:00 local, not yet due
    appointment = await kiosk.issue(
        "bdc-mortgage", priority=Priority.appointment, appointment_at=later_slot
    )
    elderly = await kiosk.issue("bdc-mortgage", priority=Priority.green_channel)
    queue = await li_hua.queue(1)
    assert [t.code for t in queue.tickets] == [elderly.code, normal.code, appointment.code]

    hall.clock.set(later_slot)  # the slot has come: the appointment moves ahead of normal
    queue = await li_hua.queue(1)
    assert [t.code for t in queue.tickets] == [elderly.code, appointment.code, normal.code]


async def test_a_double_press_within_three_seconds_calls_only_one_citizen(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    first = await kiosk.issue("bdc-transfer")
    await kiosk.issue("bdc-transfer")
    called = await li_hua.call_next(1)
    assert called.id == first.id
    await li_hua.park(called.id, QueuePosition.back)
    hall.clock.advance(seconds=2)
    with pytest.raises(errors.TooSoon) as refused:
        await li_hua.call_next(1)
    assert refused.value.retry_after_s == 1
    hall.clock.advance(seconds=1)
    assert (await li_hua.call_next(1)).code == "A002"


async def test_calling_while_a_citizen_is_still_at_the_counter_is_refused(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    await kiosk.issue("bdc-transfer")
    current = await li_hua.call_next(1)
    hall.clock.advance(seconds=10)
    with pytest.raises(errors.Conflict) as refused:
        await li_hua.call_next(1)
    assert refused.value.code == "ticket_in_hand"
    assert refused.value.params["ticket"] == current.code


async def test_recall_counts_and_a_no_show_needs_a_reason(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    called = await li_hua.call_next(1)
    for expected in (1, 2):
        hall.clock.advance(seconds=30)
        recalled = await li_hua.recall(called.id)
        assert recalled.recall_count == expected
        assert recalled.status == TicketStatus.called
    gone = await li_hua.no_show(called.id, "叫号三次未到")
    assert gone.status == TicketStatus.no_show
    assert gone.reason == "叫号三次未到"
    assert (await li_hua.counter(1)).counts.no_shows == 1


async def test_a_no_show_waits_for_a_recall_and_a_minute_and_the_ticket_says_how_often_called(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    called = await li_hua.call_next(1)
    assert (called.times_called, called.called_at) == (1, hall.clock.now())
    hall.clock.advance(seconds=1)
    with pytest.raises(errors.Conflict) as refused:
        await li_hua.no_show(called.id, "叫号未到")
    assert refused.value.code == "no_show_too_soon"
    assert (refused.value.params["recalls_needed"], refused.value.params["seconds_left"]) == (1, 59)
    assert "recall it 1 more time" in refused.value.message

    hall.clock.advance(seconds=40)
    recalled = await li_hua.recall(called.id)
    assert (recalled.times_called, recalled.called_at) == (2, called.called_at)
    with pytest.raises(errors.Conflict) as again:  # recalled, but 41 s after the call
        await li_hua.no_show(called.id, "叫号未到")
    assert (again.value.params["recalls_needed"], again.value.params["seconds_left"]) == (0, 19)
    hall.clock.advance(seconds=29)  # called 2×, 1:10 ago
    ticket = await li_hua.ticket(called.id)
    assert ticket.times_called == 2
    assert (hall.clock.now() - ticket.called_at).total_seconds() == 70  # type: ignore[operator]
    gone = await li_hua.no_show(called.id, "叫号两次未到")
    assert gone.status == TicketStatus.no_show


async def test_a_no_show_who_comes_back_within_half_an_hour_goes_to_the_front(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    first = await kiosk.issue("bdc-transfer")
    second = await kiosk.issue("bdc-transfer")
    called = await li_hua.call_next(1)
    assert called.id == first.id
    hall.clock.advance(seconds=30)
    await li_hua.recall(called.id)
    hall.clock.advance(seconds=30)
    await li_hua.no_show(called.id, "叫号两次未到")

    hall.clock.advance(minutes=10)  # the citizen is back from the car park
    back = await li_hua.reinstate(called.id, "群众返回")
    assert (back.status, back.window, back.times_called) == (TicketStatus.waiting, None, 0)
    assert back.reason == "群众返回"
    assert [t.code for t in (await li_hua.queue(1)).tickets] == [first.code, second.code]
    hall.clock.advance(seconds=5)
    assert (await li_hua.call_next(1)).id == first.id
    with pytest.raises(errors.Conflict) as twice:
        await li_hua.reinstate(first.id, "again")
    assert (twice.value.code, twice.value.params["current"]) == ("illegal_transition", "called")

    hall.clock.advance(seconds=60)
    await li_hua.recall(first.id)
    await li_hua.no_show(first.id, "又走了")
    hall.clock.advance(minutes=30)  # too late now: a new ticket
    with pytest.raises(errors.Conflict) as late:
        await li_hua.reinstate(first.id, "群众返回")
    assert late.value.code == "reinstate_too_late"
    assert late.value.params["minutes"] == 30
    assert "issue the citizen a new ticket" in late.value.message


async def test_only_staff_of_a_serving_department_reinstate_a_no_show(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    called = await li_hua.call_next(1)
    hall.clock.advance(seconds=30)
    await li_hua.recall(called.id)
    hall.clock.advance(seconds=30)
    await li_hua.no_show(called.id, "叫号两次未到")
    chen_ming = await signed_in(hall, "1003")  # 市场监管: no window of his serves 不动产
    with pytest.raises(errors.NotFound):
        await chen_ming.reinstate(called.id, "群众返回")
    with pytest.raises(errors.Forbidden):
        await kiosk.reinstate(called.id, "群众返回")
    assert (await zhang_wei.reinstate(called.id, "群众返回")).status == TicketStatus.waiting
    await chen_ming.aclose()


async def test_the_counter_read_carries_the_policy_and_the_no_shows_still_to_reinstate(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    """李华 marks A001 a no-show at 09:01: her counter read says the hall's policy (a recall and
    60 s; 30 min to come back) and lists A001 until 09:31, when it is too late."""
    first = await kiosk.issue("bdc-transfer")
    await li_hua.call_next(1)
    hall.clock.advance(seconds=30)
    await li_hua.recall(first.id)
    hall.clock.advance(seconds=30)
    counter = await li_hua.counter(1)
    assert (counter.policy.no_show_min_recalls, counter.policy.no_show_min_seconds) == (1, 60)
    assert counter.policy.reinstate_minutes == 30 and counter.no_shows == []
    await li_hua.no_show(first.id, "叫号两次未到")
    hall.clock.advance(minutes=29, seconds=59)
    assert [t.code for t in (await li_hua.counter(1)).no_shows] == ["A001"]
    hall.clock.advance(seconds=1)
    assert (await li_hua.counter(1)).no_shows == []


async def test_a_ticket_is_found_by_the_code_the_citizen_holds_only_by_who_may_see_it(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    issued = await kiosk.issue("bdc-transfer")
    found = await li_hua.ticket_by_code("a001")
    assert (found.id, found.code, found.status) == (issued.id, "A001", TicketStatus.waiting)
    chen_ming = await signed_in(hall, "1003")  # 市场监管: not his to see, as if there were none
    with pytest.raises(errors.NotFound):
        await chen_ming.ticket_by_code("A001")
    with pytest.raises(errors.NotFound):
        await li_hua.ticket_by_code("A002")
    await chen_ming.aclose()


async def test_illegal_transitions_are_refused_naming_the_current_state(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    called = await li_hua.call_next(1)
    with pytest.raises(errors.Conflict) as refused:
        await li_hua.complete(called.id)
    assert refused.value.code == "illegal_transition"
    assert refused.value.params["current"] == "called"
    assert "called" in refused.value.message
    await li_hua.start(called.id)
    await li_hua.complete(called.id)
    with pytest.raises(errors.Conflict) as again:
        await li_hua.start(called.id)
    assert again.value.params["current"] == "done"


async def test_parked_citizen_returns_to_the_front_or_the_back(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    for _ in range(3):
        await kiosk.issue("bdc-transfer")
        hall.clock.advance(seconds=10)
    first = await li_hua.call_next(1)
    await li_hua.start(first.id)
    parked = await li_hua.park(first.id, QueuePosition.back, "去复印材料")
    assert parked.status == TicketStatus.waiting
    assert [t.code for t in (await li_hua.queue(1)).tickets] == ["A002", "A003", "A001"]

    hall.clock.advance(seconds=5)
    second = await li_hua.call_next(1)
    assert second.code == "A002"
    await li_hua.park(second.id, QueuePosition.front)
    assert [t.code for t in (await li_hua.queue(1)).tickets] == ["A002", "A003", "A001"]


async def test_back_of_the_queue_is_behind_everyone_waiting_for_the_window(
    hall: RunningHall, kiosk: HallClient, wang_fang: HallClient
) -> None:
    # Window 8 (综合受理) calls 不动产查询 (C) first and 户籍 (F) last.
    waiting_long = await kiosk.issue("hukou")
    for _ in range(3):
        await kiosk.issue("bdc-query")
    for _ in range(2):
        called = await wang_fang.call_next(8)
        await wang_fang.start(called.id)
        await wang_fang.complete(called.id)
        hall.clock.advance(seconds=5)
    c003 = await wang_fang.call_next(8)
    assert c003.code == "C003"
    hall.clock.advance(seconds=51)  # 户籍 F001 has waited since before C001
    await wang_fang.park(c003.id, QueuePosition.back, "去取材料")
    assert [t.code for t in (await wang_fang.queue(8)).tickets] == [waiting_long.code, "C003"]
    later = await kiosk.issue("hukou")  # comes afterwards for the last service: behind C003
    assert [t.code for t in (await wang_fang.queue(8)).tickets] == ["F001", "C003", later.code]
    hall.clock.advance(seconds=5)
    assert (await wang_fang.call_next(8)).code == "F001"


async def test_calling_out_of_turn_needs_a_reason(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    await kiosk.issue("bdc-transfer")
    with pytest.raises(errors.InvalidInput) as refused:
        await li_hua.call_ticket(1, "A002")
    assert refused.value.code == "reason_required"
    called = await li_hua.call_ticket(1, "a002", reason="材料已预审")
    assert called.code == "A002"


async def test_a_clerk_acts_only_at_the_window_they_hold(
    hall: RunningHall,
    kiosk: HallClient,
    li_hua: HallClient,
    wang_fang: HallClient,
    zhang_wei: HallClient,
) -> None:
    await kiosk.issue("bdc-transfer")
    called = await li_hua.call_next(1)
    with pytest.raises(errors.Forbidden) as refused:  # 张伟 sees the ticket, 李华 holds it
        await zhang_wei.start(called.id)
    assert refused.value.code == "not_your_window"
    with pytest.raises(errors.NotFound):  # 王芳 of 综合受理: not hers even to know of
        await wang_fang.start(called.id)
    with pytest.raises(errors.Forbidden):
        await wang_fang.call_next(1)


async def test_taking_over_a_held_window_needs_force_and_names_the_holder(
    hall: RunningHall, li_hua: HallClient
) -> None:
    colleague = hall.client()
    await colleague.login("1001", "demo")  # same clerk elsewhere is the same holder
    await colleague.aclose()
    zhang = hall.client()
    await zhang.login("2001", "demo")
    with pytest.raises(errors.Conflict) as held:
        await zhang.sign_in(1)
    assert held.value.code == "window_held"
    assert held.value.params["holder"] == "李华"
    taken = await zhang.sign_in(1, force=True)
    assert taken.took_over_from == "1001"
    with pytest.raises(errors.Forbidden):
        await li_hua.call_next(1)
    await zhang.aclose()


async def test_leaving_the_window_with_a_citizen_at_the_counter_is_refused(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    called = await li_hua.call_next(1)
    with pytest.raises(errors.Conflict) as refused:
        await li_hua.sign_out(1)
    assert refused.value.params["ticket"] == called.code
    await li_hua.park(called.id)
    window = await li_hua.sign_out(1)
    assert window.holder is None


async def test_a_paused_window_does_not_call(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    await kiosk.issue("bdc-transfer")
    paused = await li_hua.pause(1)
    assert paused.holder is not None and paused.holder.paused
    with pytest.raises(errors.Conflict) as refused:
        await li_hua.call_next(1)
    assert refused.value.code == "window_paused"
    await li_hua.resume(1)
    assert (await li_hua.call_next(1)).code == "A001"


async def test_numbering_restarts_each_local_day_and_widens_past_999(
    hall: RunningHall, kiosk: HallClient
) -> None:
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from clerkdesk.hall.store.engine import make_engine
    from clerkdesk.hall.store.models import TicketCounter

    assert (await kiosk.issue("hukou")).code == "F001"
    engine = make_engine(hall.database_url)
    with Session(engine) as session, session.begin():
        session.execute(update(TicketCounter).values(last_number=999))
    engine.dispose()
    assert (await kiosk.issue("hukou")).code == "F1000"
    hall.clock.advance(hours=24)  # 09:00 Saturday, the duty session: a new day, a new sign-in
    await kiosk.login("kiosk1", "demo")
    fresh = await kiosk.issue("hukou")
    assert fresh.code == "F001"
    assert str(fresh.local_date) == "2026-12-12"


async def test_a_clerk_cannot_issue_tickets_and_the_kiosk_cannot_call(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    with pytest.raises(errors.Forbidden) as refused:
        await li_hua.issue("bdc-transfer")
    assert refused.value.code == "role_required"
    with pytest.raises(errors.Forbidden):
        await kiosk.sign_in(1)


async def test_cancel_by_the_duty_lead(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    ticket = await kiosk.issue("bdc-transfer")
    cancelled = await zhang_wei.cancel(ticket.id, "群众离开")
    assert cancelled.status == TicketStatus.cancelled
    assert [t.code for t in await zhang_wei.tickets_today(TicketStatus.cancelled)] == ["A001"]
