"""Each window's serving time of the day, kept as cases finish (served_day, migration 0013), is
always what the tickets' own columns give: Friday 2026-12-11 in the demo hall, 李华 at window 1
(不动产登记) and 王芳 at window 8 (综合受理) serve, park, hand on and cancel; the hall monitor's
busy shares come from the kept sums."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, delete

from clerkdesk.api.client import HallClient
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import ServedDay
from clerkdesk.hall.tickets import served
from tests.conftest import RunningHall, local, signed_in
from tests.monitor_support import any_tide_hall

__all__ = ["any_tide_hall"]


def kept_and_counted(engine: Engine) -> tuple[dict[object, object], dict[object, object]]:
    with engine.connect() as conn:
        return dict(served.kept(conn)), dict(served.from_tickets(conn))


async def a_morning(hall: RunningHall) -> None:
    kiosk = await signed_in(hall, "kiosk1")
    li_hua, wang_fang = await signed_in(hall, "1001"), await signed_in(hall, "1002")
    zhang_wei = await signed_in(hall, "2001")
    clock = hall.clock
    try:
        await li_hua.sign_in(1)
        await wang_fang.sign_in(8)
        a001, a002, a003 = [await kiosk.issue("bdc-transfer") for _ in range(3)]
        e001 = await kiosk.issue("biz-change")

        # 09:01 李华 serves A001 for twelve minutes.
        clock.set(local("2026-12-11 09:01"))
        await li_hua.start((await li_hua.call_next(1)).id)
        clock.set(local("2026-12-11 09:13"))
        await li_hua.complete(a001.id)

        # 09:14 A002 is started, then parked at the back: it was not served yet.
        clock.set(local("2026-12-11 09:14"))
        await li_hua.start((await li_hua.call_next(1)).id)
        clock.set(local("2026-12-11 09:16"))
        await li_hua.park(a002.id, position="back")

        # 09:16 A003 is started and handed on to 王芳's window for what is missing there.
        await li_hua.start((await li_hua.call_next(1)).id)
        clock.set(local("2026-12-11 09:20"))
        await li_hua.hand_off(a003.id, "查询档案后办理", service="bdc-query")

        # 09:20 王芳 serves A003 first (a case handed on waits ahead of new arrivals) for
        # eight minutes, then E001 for five.
        called = await wang_fang.call_next(8)
        assert called.id == a003.id
        await wang_fang.start(a003.id)
        clock.set(local("2026-12-11 09:28"))
        await wang_fang.complete(a003.id)
        await wang_fang.start((await wang_fang.call_next(8)).id)
        clock.set(local("2026-12-11 09:33"))
        await wang_fang.complete(e001.id)
        # and cancels the one she called after it: the citizen gave up.
        e002 = await kiosk.issue("biz-change")
        await wang_fang.call_next(8)
        await wang_fang.cancel(e002.id, "群众放弃办理")
        await _monitor_reads(zhang_wei)
    finally:
        for client in (kiosk, li_hua, wang_fang, zhang_wei):
            await client.aclose()


async def _monitor_reads(zhang_wei: HallClient) -> None:
    seen = await zhang_wei.hall_monitor()
    shares = {x.number: x.busy_share for x in seen.windows}
    # Window 1 since 09:00: A001 12 min, A002 2 min (then parked), A003 4 min (handed on):
    # served as the tickets say now, A001 only (12 of 33 minutes); A002 and A003 count
    # where they are finished.
    assert shares[1] == 12 / 33
    # Window 8: A003 8 min and E001 5 min of 33.
    assert shares[8] == 13 / 33


async def test_the_kept_sums_are_the_tickets_own_after_a_busy_morning(
    any_tide_hall: RunningHall,
) -> None:
    """On SQLite and PostgreSQL (the upsert is each dialect's)."""
    await a_morning(any_tide_hall)
    engine = make_engine(any_tide_hall.database_url)
    try:
        kept, counted = kept_and_counted(engine)
    finally:
        engine.dispose()
    assert kept == counted
    assert sorted((window, ms, cases) for (_h, _d, window, _s), (ms, cases) in kept.items()) == [
        (1, 12 * 60_000, 1),
        (8, 5 * 60_000, 1),
        (8, 8 * 60_000, 1),
    ]


async def test_a_hall_migrated_to_0013_has_the_sums_of_the_tickets_served_before(
    any_tide_hall: RunningHall,
) -> None:
    await a_morning(any_tide_hall)
    engine = make_engine(any_tide_hall.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(ServedDay))  # as if the day had been served before 0013
        config = migrate.alembic_config()
        before = ScriptDirectory.from_config(config).get_revision("0013").down_revision
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, str(before))
            command.upgrade(config, "head")
        kept, counted = kept_and_counted(engine)
    finally:
        engine.dispose()
    assert kept == counted and len(kept) == 3
