"""Ratings (好差评) over HTTP: after a case is completed the kiosk (or the rating screen at the
counter) sends the citizen's 1-5; a case is rated once, a chain of hand-offs being one case;
the day report shows the ratings per window and per service.

Friday 2026-12-11 in the demo hall, 李华 at window 1 (不动产登记), 王芳 at window 8 (综合受理),
陈明 at window 3 (市场监管):

    09:00 kiosk: A001, A002 不动产转移登记, F001 户籍业务, D001 营业执照办理, B001 抵押登记
    李华 serves A001 -> rated 5 (quick) and A002 -> rated 3 (long wait)
    王芳 serves F001 -> rated 4
    陈明 calls D001 and hands it to window 1; 李华 finishes it -> rated 2 (asked to come again)
    B001 is still waiting: not rateable

By hand: 不动产转移登记 (A001, A002 and D001, handed to window 1's first service) 3 ratings,
average (5 + 3 + 2) / 3 = 3.33; 户籍业务 1, 4.0; the hall 4, 3.5. Window 1: 3, 3.33; window 8:
1, 4.0; window 3 handed its case on: no rating.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy.orm import Session

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.appointment_schemas import RatingOut, RatingReason
from clerkdesk.api.appointments import AppointmentsClient
from clerkdesk.api.client import HallClient
from clerkdesk.cli import report as report_cli
from clerkdesk.hall.monitor.day_report import read_day
from clerkdesk.hall.store.engine import make_engine
from tests.conftest import RunningHall, local, signed_in


async def refused(call: object) -> errors.ApiError:
    try:
        await call  # type: ignore[misc]
    except errors.ApiError as refusal:
        return refusal
    raise AssertionError("it was not refused")


async def serve(clerk: HallClient, window: int, hall: RunningHall) -> w.TicketOut:
    hall.clock.advance(seconds=10)  # past the window's minimum interval between calls
    ticket = await clerk.call_next(window)
    await clerk.start(ticket.id)
    return await clerk.complete(ticket.id)


async def test_a_day_of_ratings_and_the_report(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, wang_fang: HallClient
) -> None:
    chen_ming = await signed_in(hall, "1003")
    await chen_ming.sign_in(3)
    pad = AppointmentsClient(kiosk)
    try:
        a001 = await kiosk.issue("bdc-transfer")
        a002 = await kiosk.issue("bdc-transfer")
        f001 = await kiosk.issue("hukou")
        d001 = await kiosk.issue("biz-license")
        b001 = await kiosk.issue("bdc-mortgage")

        assert (await serve(li_hua, 1, hall)).id == a001.id
        five = await pad.rate(a001.id, 5, RatingReason.quick)
        assert (five.ticket, five.window, five.service, five.score) == (
            "A001",
            1,
            "bdc-transfer",
            5,
        )
        assert (await serve(li_hua, 1, hall)).id == a002.id
        await pad.rate(a002.id, 3, RatingReason.long_wait, "等了四十分钟")
        assert (await serve(wang_fang, 8, hall)).id == f001.id
        await pad.rate(f001.id, 4)

        assert (await chen_ming.call_next(3)).id == d001.id
        await chen_ming.hand_off(d001.id, "需先办不动产证明", window=1)
        assert (await refused(pad.rate(d001.id, 5))).code == "not_completed"  # handed on
        assert (await serve(li_hua, 1, hall)).id == d001.id
        two = await pad.rate(d001.id, 2, RatingReason.come_again)
        assert (two.window, two.service) == (1, "bdc-transfer")

        again = await refused(pad.rate(d001.id, 5, key=uuid.uuid4().hex))
        assert (again.status, again.code) == (409, "already_rated")
        waiting = await refused(pad.rate(b001.id, 1))
        assert (waiting.status, waiting.code, waiting.params["status"]) == (
            409,
            "not_completed",
            "waiting",
        )
        clerk = await refused(AppointmentsClient(li_hua).rate(a001.id, 5))
        assert (clerk.status, clerk.code) == (403, "role_required")
        nobody = await refused(pad.rate(999_999, 5))
        assert (nobody.status, nobody.code) == (404, "ticket_not_found")
    finally:
        await chen_ming.aclose()

    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session:
            report = read_day(session, 1, local("2026-12-11 00:00").date(), hall.clock.now())
    finally:
        engine.dispose()
    services = {r.key: (r.ratings, r.rating_avg) for r in report.services}
    assert services["bdc-transfer"] == (3, pytest.approx(10 / 3))
    assert services["hukou"] == (1, 4.0)
    assert services["bdc-mortgage"] == (0, None)
    assert services["*"] == (4, 3.5)
    windows = {r.key: (r.ratings, r.rating_avg) for r in report.windows}
    assert windows == {"1": (3, pytest.approx(10 / 3)), "8": (1, 4.0), "3": (0, None)}
    table = report_cli.as_table(report)
    assert "Ratings" in table and "3.33" in table and "3.50" in table


async def test_a_rating_sent_from_two_devices_at_once_counts_once(any_hall: RunningHall) -> None:
    """The citizen taps 5 on the counter's pad while the kiosk sends the 4 of the same case:
    one rating is kept, the other is refused as already rated, on SQLite and PostgreSQL."""
    hall = any_hall
    kiosk = await signed_in(hall, "kiosk1")
    pad = await signed_in(hall, "kiosk1")
    li_hua = await signed_in(hall, "1001")
    try:
        await li_hua.sign_in(1)
        for _ in range(5):
            await kiosk.issue("bdc-transfer")
            done = await serve(li_hua, 1, hall)
            answers = await asyncio.gather(
                AppointmentsClient(pad).rate(done.id, 5),
                AppointmentsClient(kiosk).rate(done.id, 4),
                return_exceptions=True,
            )
            kept = [a for a in answers if isinstance(a, RatingOut)]
            refusals = [a for a in answers if isinstance(a, errors.ApiError)]
            assert len(kept) == 1 and [r.code for r in refusals] == ["already_rated"], answers
    finally:
        for client in (kiosk, pad, li_hua):
            await client.aclose()
