"""A ticket handed off while the target windows call their next is called exactly once: over
HTTP against the real hall, on SQLite and on PostgreSQL (several writers at once there).

Friday 2026-12-11 from 09:00: 陈明 (window 3, 市场监管) serves a licence case and hands it to
税务's 发票领用 at the very moment 赵丽 (window 5, 税务) and 王芳 (window 8, 综合受理, which serves
发票领用 too) press "call next", a 发票领用 citizen (H) waiting as well. Eight rounds.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import TicketTransition
from tests.conftest import RunningHall, signed_in
from tests.handoff_support import ZHAO_LI, add_staff, at_window

ROUNDS = 8


async def _call(client: HallClient, window: int) -> w.TicketOut | None:
    try:
        return await client.call_next(window)
    except errors.ApiError as refused:
        assert refused.code == "queue_empty", refused
        return None


def _calls_after_arrival(database_url: str) -> Counter[int]:
    """For each ticket: how often it was called since it last entered a queue (issued or
    handed off)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.scalars(select(TicketTransition).order_by(TicketTransition.id)).all()
    finally:
        engine.dispose()
    calls: Counter[int] = Counter()
    for row in rows:
        if row.action in ("issue", "hand_off"):
            calls[row.ticket_id] = 0
        elif row.action == "call":
            calls[row.ticket_id] += 1
    return calls


async def _finish(clerk: HallClient, ticket: w.TicketOut | None) -> None:
    if ticket is not None:
        await clerk.start(ticket.id)
        await clerk.complete(ticket.id)


async def test_a_ticket_handed_off_while_the_target_windows_call_next_is_called_once(
    any_hall: RunningHall,
) -> None:
    hall = any_hall
    add_staff(hall, ZHAO_LI)
    kiosk = await signed_in(hall, "kiosk1")
    chen_ming = await at_window(hall, "1003", 3)
    zhao_li = await at_window(hall, "1005", 5)
    wang_fang = await at_window(hall, "1002", 8)
    targets = {5: zhao_li, 8: wang_fang}
    handed: list[int] = []
    try:
        for _ in range(ROUNDS):
            licence = await kiosk.issue("biz-license")
            await kiosk.issue("tax-invoice")
            assert (await chen_ming.call_next(3)).id == licence.id
            await chen_ming.start(licence.id)
            hall.clock.advance(seconds=5)  # past every window's minimum interval between calls
            moved, at_5, at_8 = await asyncio.gather(
                chen_ming.hand_off(licence.id, "营业执照已办，领发票", service="tax-invoice"),
                _call(zhao_li, 5),
                _call(wang_fang, 8),
            )
            assert moved.ticket.code == licence.code
            handed.append(licence.id)
            await _finish(zhao_li, at_5)
            await _finish(wang_fang, at_8)
            while True:  # whoever is still waiting is called by the next free window
                hall.clock.advance(seconds=5)
                again = [(clerk, await _call(clerk, n)) for n, clerk in targets.items()]
                if all(ticket is None for _, ticket in again):
                    break
                for clerk, ticket in again:
                    await _finish(clerk, ticket)
    finally:
        for client in (kiosk, chen_ming, zhao_li, wang_fang):
            await client.aclose()

    calls = _calls_after_arrival(hall.database_url)
    assert len(calls) == 2 * ROUNDS
    assert set(calls.values()) == {1}, "a ticket called twice, or never, after it arrived"
    assert all(calls[ticket_id] == 1 for ticket_id in handed)
