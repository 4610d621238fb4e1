"""A tide window re-pointed while the target queue is being called: every citizen is called
exactly once. Over HTTP (uvicorn on 127.0.0.1, the hall's writer threads): 李华 at window 1
calls 不动产转移登记 tickets one after another while 张伟 re-points 王芳's window 8 to the same
service and she starts calling too."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clerkdesk.api.client import HallClient
from clerkdesk.api.errors import Conflict
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import TicketTransition
from tests.conftest import RunningHall, signed_in
from tests.monitor_support import tide_hall

__all__ = ["tide_hall"]
TICKETS = 24


async def serve_until_empty(
    clerk: HallClient, window: int, called: list[int], go: asyncio.Event
) -> None:
    await go.wait()
    while True:
        try:
            ticket = await clerk.call_next(window)
        except Conflict as refused:
            assert refused.code == "queue_empty", refused.message
            return
        called.append(ticket.id)
        await clerk.start(ticket.id)
        await clerk.complete(ticket.id)


async def test_every_citizen_is_called_once_while_a_window_is_re_pointed_to_their_queue(
    tide_hall: RunningHall,
) -> None:
    kiosk = await signed_in(tide_hall, "kiosk1")
    li_hua = await signed_in(tide_hall, "1001")
    wang_fang = await signed_in(tide_hall, "1002")
    zhang_wei = await signed_in(tide_hall, "2001")
    try:
        await li_hua.sign_in(1)
        await wang_fang.sign_in(8)
        issued = [(await kiosk.issue("bdc-transfer")).id for _ in range(TICKETS)]
        at_1: list[int] = []
        at_8: list[int] = []
        li_hua_starts, tide_opened = asyncio.Event(), asyncio.Event()

        async def lead() -> None:
            while len(at_1) < 2:  # the queue is being called at window 1
                await asyncio.sleep(0)
            await zhang_wei.open_tide(8, ["bdc-transfer"], "过户排队长")
            tide_opened.set()

        li_hua_starts.set()
        await asyncio.gather(
            serve_until_empty(li_hua, 1, at_1, li_hua_starts),
            serve_until_empty(wang_fang, 8, at_8, tide_opened),
            lead(),
        )
    finally:
        for client in (kiosk, li_hua, wang_fang, zhang_wei):
            await client.aclose()

    assert sorted(at_1 + at_8) == sorted(issued)  # everyone, once
    assert at_8, "window 8 took part of the queue once re-pointed"
    engine = make_engine(tide_hall.database_url)
    try:
        with Session(engine) as session:
            calls = Counter(
                dict(
                    session.execute(
                        select(TicketTransition.ticket_id, func.count())
                        .where(TicketTransition.action == "call")
                        .group_by(TicketTransition.ticket_id)
                    ).all()
                )
            )
    finally:
        engine.dispose()
    assert set(calls) == set(issued) and set(calls.values()) == {1}
