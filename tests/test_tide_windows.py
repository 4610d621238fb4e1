"""Tide windows (潮汐窗口) over HTTP: Friday 2026-12-11 in the demo hall. 张伟, the duty lead,
re-points 王芳's window 8 (综合受理) to 不动产转移登记 when its queue swells: she calls those
citizens first, tickets already called stay where they are, and every change is recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.errors import ApiError
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import Staff, TideWindow
from tests.conftest import RunningHall, local, signed_in
from tests.monitor_support import tide_hall, watch

__all__ = ["tide_hall"]


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


def tide_rows(hall: RunningHall) -> list[tuple[int, str | None, str | None, str]]:
    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session:
            rows = session.scalars(select(TideWindow).order_by(TideWindow.id)).all()
            staff = {s.id: s.staff_no for s in session.scalars(select(Staff))}
            return [
                (
                    r.id,
                    r.end_reason,
                    staff.get(r.ended_by_id) if r.ended_by_id else None,
                    staff[r.started_by_id],
                )
                for r in rows
            ]
    finally:
        engine.dispose()


async def test_wang_fang_calls_the_congested_service_first_until_zhang_wei_revokes_it(
    tide_hall: RunningHall, people: dict[str, HallClient]
) -> None:
    kiosk, wang_fang, zhang_wei = people["kiosk"], people["wang_fang"], people["zhang_wei"]
    clock = tide_hall.clock
    e001 = await kiosk.issue("biz-change")  # 09:00, for window 8's own services
    clock.advance(seconds=60)
    transfers = [await kiosk.issue("bdc-transfer") for _ in range(3)]  # A001-A003, 09:01
    before = await wang_fang.queue(8)
    assert [t.code for t in before.tickets] == ["E001"]  # window 8 does not serve transfers

    clock.advance(seconds=60)
    tide = await zhang_wei.open_tide(
        8, ["bdc-transfer"], "不动产过户排队", until=local("2026-12-11 10:00")
    )
    assert (tide.window, tide.services, tide.started_by) == (8, ["bdc-transfer"], "2001")
    counter = await wang_fang.counter(8)
    assert counter.window.tide is not None and counter.window.tide.services == ["bdc-transfer"]
    assert [t.code for t in counter.queue] == ["A001", "A002", "A003", "E001"]

    clock.advance(seconds=10)
    called = await wang_fang.call_next(8)
    assert called.code == "A001"  # the tide's service first, although E001 waited longer
    await wang_fang.start(called.id)

    clock.advance(seconds=60)
    ended = await zhang_wei.end_tide(8)
    assert (ended.end_reason, ended.ended_by) == (w.TideEnd.revoked, "2001")
    after = await wang_fang.counter(8)
    assert after.window.tide is None
    assert after.current is not None and after.current.code == "A001"  # not disturbed
    assert [t.code for t in after.queue] == ["E001"]  # back to its own services
    await wang_fang.complete(called.id)
    clock.advance(seconds=10)
    assert (await wang_fang.call_next(8)).id == e001.id
    assert [t.code for t in (await people["li_hua"].queue(1)).tickets] == ["A002", "A003"]
    assert len(transfers) == 3
    assert tide_rows(tide_hall) == [(tide.id, "revoked", "2001", "2001")]


async def test_a_tide_for_a_time_ends_by_itself_and_the_watcher_records_it(
    tide_hall: RunningHall, people: dict[str, HallClient]
) -> None:
    kiosk, wang_fang, zhang_wei = people["kiosk"], people["wang_fang"], people["zhang_wei"]
    await kiosk.issue("bdc-transfer")
    await zhang_wei.open_tide(8, ["bdc-transfer"], "上午高峰", until=local("2026-12-11 09:30"))
    assert [t.code for t in (await wang_fang.queue(8)).tickets] == ["A001"]
    tide_hall.clock.set(local("2026-12-11 09:30"))
    assert (await wang_fang.queue(8)).tickets == []  # its time is up: no longer counted
    assert (await wang_fang.counter(8)).window.tide is None
    # Two changes: the tide's end, and A001's 30 minutes of waiting (threshold 20) an alert.
    assert watch(tide_hall) == 2
    assert tide_rows(tide_hall)[0][1:3] == ("expired", None)


async def test_opening_a_reserve_window_with_a_clerk_and_replacing_a_tide(
    tide_hall: RunningHall, people: dict[str, HallClient]
) -> None:
    zhang_wei = people["zhang_wei"]
    first = await zhang_wei.open_tide(20, ["bdc-transfer"], "开潮汐窗口", clerk="1004")
    assert (first.reserve, first.clerk, first.until) == (True, "1004", None)
    second = await zhang_wei.open_tide(20, ["bdc-transfer", "bdc-mortgage"], "再加抵押")
    assert second.services == ["bdc-transfer", "bdc-mortgage"]
    assert [r[1] for r in tide_rows(tide_hall)] == ["replaced", None]
    liu_yang = await signed_in(tide_hall, "1004")
    try:
        await liu_yang.sign_in(20)
        await people["kiosk"].issue("bdc-mortgage")
        assert [t.code for t in (await liu_yang.queue(20)).tickets] == ["B001"]
    finally:
        await liu_yang.aclose()


async def test_refusals_name_what_to_do(
    tide_hall: RunningHall, people: dict[str, HallClient]
) -> None:
    zhang_wei, li_hua = people["zhang_wei"], people["li_hua"]
    with pytest.raises(ApiError) as clerk:
        await li_hua.open_tide(1, ["bdc-query"], "我想多办")
    assert clerk.value.code == "role_required"
    with pytest.raises(ApiError) as past:
        await zhang_wei.open_tide(8, ["bdc-transfer"], "x", until=local("2026-12-11 08:59"))
    assert past.value.code == "until_past"
    with pytest.raises(ApiError) as unknown:
        await zhang_wei.open_tide(8, ["no-such"], "x")
    assert unknown.value.status == 404
    with pytest.raises(ApiError) as none:
        await zhang_wei.end_tide(8)
    assert none.value.code == "no_tide"
    assert tide_rows(tide_hall) == []


async def test_the_window_list_and_the_counter_read_say_which_window_is_a_tide_window(
    tide_hall: RunningHall, people: dict[str, HallClient]
) -> None:
    """What the counter (and the window picker) need to show "tide window" at window 8."""
    await people["zhang_wei"].open_tide(8, ["bdc-transfer"], "过户排队")
    listed = {x.number: x for x in await people["wang_fang"].windows()}
    assert listed[8].tide is not None and listed[8].tide.services == ["bdc-transfer"]
    assert listed[8].services[0] == "bdc-query"  # its own list is unchanged
    assert listed[1].tide is None and listed[20].reserve
