"""Live ledger events: 李华's claim and leave requests, 张伟's decisions and the credited
overtime reach the event stream in the same transaction as the change, each naming whose it is
(staff number and department) so the stream can be restricted to them, their leads and admins.
A refused request writes nothing, its event included."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import func, select

from clerkdesk.api import errors
from clerkdesk.api.client import HallClient
from clerkdesk.api.events import EventSubscription
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.api.schemas import LEDGER_EVENT_KINDS, EventKind, EventOut, LedgerEventOut
from clerkdesk.hall.ledger.jobs import expire_all
from clerkdesk.hall.store.models import Event
from tests.conftest import RunningHall, local, signed_in
from tests.test_closing_day import hall_database


def last_event_id(hall: RunningHall) -> int:
    with hall_database(hall) as session:
        return int(session.scalar(select(func.coalesce(func.max(Event.id), 0))) or 0)


async def ledger_events(client: HallClient, after: int, count: int) -> list[EventOut]:
    """The next `count` ledger events after `after`, as a screen following the stream gets them."""
    seen: list[EventOut] = []

    async def follow() -> None:
        async for item in EventSubscription(client, after, backoff=(0.1,)):
            if isinstance(item, EventOut) and item.kind in LEDGER_EVENT_KINDS:
                seen.append(item)
                if len(seen) == count:
                    return

    await asyncio.wait_for(follow(), 30)  # a guard against a hang, not a timed assertion
    return seen


def about(event: EventOut) -> tuple[EventKind, LedgerEventOut | None]:
    return event.kind, event.ledger


async def test_a_claim_and_a_leave_request_from_asking_to_cancelling_reach_the_stream(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    clerk, lead = LedgerClient(li_hua), LedgerClient(zhang_wei)
    start = last_event_id(hall)
    hall.clock.set(local("2026-12-10 21:00"))
    claim = await clerk.claim(local("2026-12-10 18:00"), local("2026-12-10 20:00"), "整理归档材料")
    await lead.approve_claim(claim.id)
    asked = await clerk.request_leave(date(2026, 12, 14), hours=2, reason="孩子家长会")
    await lead.approve_leave(asked.id)
    await clerk.cancel_leave(asked.id, "家长会改期")
    again = await clerk.request_leave(date(2026, 12, 15), hours=1)
    await lead.deny_leave(again.id, "当天人手不足")

    events = await ledger_events(zhang_wei, start, 8)

    li = {"staff_no": "1001", "department": "budongchan"}
    assert [about(e) for e in events] == [
        (EventKind.claim_requested, LedgerEventOut(**li, claim=claim.id, status="pending")),
        (EventKind.overtime_credited, LedgerEventOut(**li, minutes=120)),
        (EventKind.claim_decided, LedgerEventOut(**li, claim=claim.id, status="approved")),
        (
            EventKind.leave_requested,
            LedgerEventOut(**li, leave_request=asked.id, status="pending", minutes=120),
        ),
        (
            EventKind.leave_decided,
            LedgerEventOut(**li, leave_request=asked.id, status="approved", minutes=120),
        ),
        (
            EventKind.leave_cancelled,
            LedgerEventOut(**li, leave_request=asked.id, status="cancelled", minutes=120),
        ),
        (
            EventKind.leave_requested,
            LedgerEventOut(**li, leave_request=again.id, status="pending", minutes=60),
        ),
        (
            EventKind.leave_decided,
            LedgerEventOut(**li, leave_request=again.id, status="denied", minutes=60),
        ),
    ]


async def test_a_refused_leave_request_writes_no_event(
    hall: RunningHall, li_hua: HallClient
) -> None:
    clerk = LedgerClient(li_hua)
    hall.clock.set(local("2026-12-10 21:00"))
    before = last_event_id(hall)
    with pytest.raises(errors.Conflict) as refused:
        await clerk.request_leave(date(2026, 12, 14))
    assert refused.value.code == "not_enough_leave"
    assert last_event_id(hall) == before


async def test_the_expiry_job_tells_li_hua_and_her_lead_what_expired(
    hall: RunningHall, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    """李华's two hours of 2026-12-10, half an hour of it taken, expire on 2027-12-10: the job
    (run late, on the 15th) writes one `leave.expired` with the 90 minutes, which her "My leave"
    and her lead's balances board follow; a second run finds nothing and says nothing."""
    clerk, lead = LedgerClient(li_hua), LedgerClient(zhang_wei)
    hall.clock.set(local("2026-12-10 21:00"))
    claim = await clerk.claim(local("2026-12-10 18:00"), local("2026-12-10 20:00"), "整理归档材料")
    await lead.approve_claim(claim.id)
    asked = await clerk.request_leave(date(2026, 12, 14), hours=0.5)
    await lead.approve_leave(asked.id)
    start = last_event_id(hall)
    hall.clock.set(local("2027-12-15 03:00"))
    job = hall.server.server.config.app.state.hall
    assert [expire_all(job), expire_all(job)] == [90, 0]

    for staff_no in ("1001", "2001"):  # signed in again: a year on, the old sign-ins ended
        client = await signed_in(hall, staff_no)
        events = await ledger_events(client, start, 1)
        li = {"staff_no": "1001", "department": "budongchan"}
        assert [about(e) for e in events] == [
            (EventKind.leave_expired, LedgerEventOut(**li, minutes=90))
        ]
        await client.aclose()
    assert last_event_id(hall) == start + 1
