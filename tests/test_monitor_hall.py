"""The hall monitor over HTTP (GET /hall/monitor) and congestion alerts raised and cleared by the
hall's watcher: Friday 2026-12-11 in the demo hall with reserve window 20 and an alert on
不动产转移登记 at 5 waiting or 20 minutes (cleared below 80 %)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.errors import ApiError
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import Event
from tests.conftest import RunningHall, local, signed_in
from tests.monitor_support import any_tide_hall, tide_hall, watch

__all__ = ["any_tide_hall", "tide_hall"]


@pytest.fixture
async def people(tide_hall: RunningHall) -> AsyncIterator[dict[str, HallClient]]:
    clients = {
        "kiosk": await signed_in(tide_hall, "kiosk1"),
        "li_hua": await signed_in(tide_hall, "1001"),
        "wang_fang": await signed_in(tide_hall, "1002"),
        "zhang_wei": await signed_in(tide_hall, "2001"),
    }
    await clients["li_hua"].sign_in(1)
    await clients["wang_fang"].sign_in(8)
    yield clients
    for client in clients.values():
        await client.aclose()


def events_of(hall: RunningHall, *kinds: w.EventKind) -> list[dict[str, object]]:
    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session:
            rows = session.scalars(
                select(Event).where(Event.kind.in_([k.value for k in kinds])).order_by(Event.id)
            ).all()
            return [{"kind": r.kind, **r.payload} for r in rows]
    finally:
        engine.dispose()


async def test_at_half_past_nine_zhang_wei_sees_queues_windows_and_busy_shares(
    any_tide_hall: RunningHall,
) -> None:
    """On SQLite and PostgreSQL (the day's sums are SQL of each)."""
    people = await _people(any_tide_hall)
    try:
        await _half_past_nine(any_tide_hall, people)
    finally:
        for client in people.values():
            await client.aclose()


async def _people(hall: RunningHall) -> dict[str, HallClient]:
    clients = {
        "kiosk": await signed_in(hall, "kiosk1"),
        "li_hua": await signed_in(hall, "1001"),
        "wang_fang": await signed_in(hall, "1002"),
        "zhang_wei": await signed_in(hall, "2001"),
    }
    await clients["li_hua"].sign_in(1)
    await clients["wang_fang"].sign_in(8)
    return clients


async def _half_past_nine(tide_hall: RunningHall, people: dict[str, HallClient]) -> None:
    kiosk, li_hua = people["kiosk"], people["li_hua"]
    clock = tide_hall.clock
    for _ in range(5):
        await kiosk.issue("bdc-transfer")  # A001-A005 at 09:00
    clock.set(local("2026-12-11 09:10"))
    a001 = await li_hua.call_next(1)
    await li_hua.start(a001.id)
    clock.set(local("2026-12-11 09:20"))
    await li_hua.complete(a001.id)  # ten minutes
    clock.set(local("2026-12-11 09:25"))
    a002 = await li_hua.call_next(1)
    clock.set(local("2026-12-11 09:30"))

    seen = await people["zhang_wei"].hall_monitor()

    transfer = next(s for s in seen.services if s.service == "bdc-transfer")
    assert (transfer.waiting, transfer.longest_wait_s, transfer.open_windows) == (3, 1800, 1)
    assert transfer.estimated_wait_s == 3 * 600  # three ahead, ten minutes each, one window
    windows = {x.number: x for x in seen.windows}
    one, eight, two = windows[1], windows[8], windows[2]
    assert (one.state, one.clerk, one.clerk_name) == (w.WindowState.calling, "1001", "李华")
    assert (one.ticket, one.ticket_since) == (a002.code, local("2026-12-11 09:25"))
    assert one.busy_share == pytest.approx(10 / 30)
    assert (eight.state, eight.busy_share) == (w.WindowState.idle, 0.0)
    assert (two.state, two.busy_share, two.clerk) == (w.WindowState.closed, None, None)
    assert windows[20].reserve and windows[20].state is w.WindowState.closed
    assert seen.spread.windows == 2
    assert seen.spread.spread == pytest.approx(1 / 3)
    assert seen.spread.std_dev == pytest.approx(1 / 6)


async def test_the_alert_comes_on_at_five_waiting_and_goes_off_only_below_four(
    tide_hall: RunningHall, people: dict[str, HallClient]
) -> None:
    kiosk, li_hua, zhang_wei = people["kiosk"], people["li_hua"], people["zhang_wei"]
    clock = tide_hall.clock
    for _ in range(4):
        await kiosk.issue("bdc-transfer")
    assert watch(tide_hall) == 0  # four waiting: quiet
    await kiosk.issue("bdc-transfer")
    assert watch(tide_hall) == 1  # five: on
    seen = await zhang_wei.hall_monitor()
    assert [a.service for a in seen.alerts] == ["bdc-transfer"]
    assert seen.alerts[0].candidates == [8, 20]  # 王芳 is idle; window 20 is in reserve
    clock.advance(seconds=60)
    first = await li_hua.call_next(1)
    assert watch(tide_hall) == 0  # four again: still on (not below 80 % of five)
    await li_hua.start(first.id)
    clock.advance(seconds=60)
    await li_hua.complete(first.id)
    await li_hua.call_next(1)
    assert watch(tide_hall) == 1  # three: off
    assert (await zhang_wei.hall_monitor()).alerts == []
    kinds = [
        e["kind"] for e in events_of(tide_hall, w.EventKind.alert_raised, w.EventKind.alert_cleared)
    ]
    assert kinds == ["alert.raised", "alert.cleared"]


async def test_the_monitor_is_for_leads_and_admins(
    tide_hall: RunningHall, people: dict[str, HallClient]
) -> None:
    with pytest.raises(ApiError) as refused:
        await people["li_hua"].hall_monitor()
    assert (refused.value.status, refused.value.code) == (403, "role_required")
