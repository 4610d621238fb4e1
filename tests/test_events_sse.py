"""Live events on one hall service: a screen hears of a change within seconds, catches up exactly
after a reconnect, is told to reload when its place in the stream no longer exists, and never
sees events out of order. Real uvicorn on 127.0.0.1 (httpx's ASGI transport buffers SSE)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from clerkdesk.api import errors
from clerkdesk.api.client import HallClient
from clerkdesk.api.events import EventSubscription
from clerkdesk.api.schemas import EventKind, EventOut
from clerkdesk.clock import ManualClock
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import Event, Hall
from tests.conftest import RunningHall, signed_in, start_hall
from tests.load_helpers import (
    KIOSK,
    LEAD,
    LOAD_HALL,
    LOAD_PASSWORD,
    SERVICES,
    Follower,
    clerk_no,
    seed_load_hall,
)

FAST_RETRY = (0.1, 0.2, 0.5)


def _codes(events: list[EventOut]) -> list[tuple[EventKind, str | None]]:
    return [(e.kind, e.ticket.code if e.ticket else None) for e in events]


def _event_ids(database_url: str, hall_code: str, after: int) -> list[int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            hall_id = conn.scalar(select(Hall.id).where(Hall.code == hall_code))
            return list(
                conn.scalars(
                    select(Event.id)
                    .where(Event.hall_id == hall_id, Event.id > after)
                    .order_by(Event.id)
                )
            )
    finally:
        engine.dispose()


async def test_the_hall_display_shows_a_new_ticket_as_soon_as_the_kiosk_issues_it(
    kiosk: HallClient, zhang_wei: HallClient
) -> None:
    display = await Follower(EventSubscription(zhang_wei)).start()
    try:
        ticket = await kiosk.issue("bdc-transfer")
        event = await display.next(timeout=10)
        assert event.kind == EventKind.ticket_issued
        assert event.ticket is not None and (event.ticket.id, event.ticket.code) == (
            ticket.id,
            "A001",
        )
    finally:
        await display.close()


async def test_a_screen_that_reconnects_gets_exactly_what_it_missed_in_order(
    kiosk: HallClient, li_hua: HallClient, zhang_wei: HallClient
) -> None:
    screen = await Follower(EventSubscription(zhang_wei)).start()
    await kiosk.issue("bdc-transfer")
    last_seen = await screen.next()
    await screen.close()

    # While the screen is away: two tickets, and 李华 calls and starts the first one.
    await kiosk.issue("bdc-mortgage")
    await kiosk.issue("hukou")
    called = await li_hua.call_next(1)
    await li_hua.start(called.id)

    back = await Follower(EventSubscription(zhang_wei, after=last_seen.id)).start()
    try:
        missed = await back.take(4)
        assert _codes(missed) == [
            (EventKind.ticket_issued, "B001"),
            (EventKind.ticket_issued, "F001"),
            (EventKind.ticket_called, "A001"),
            (EventKind.ticket_started, "A001"),
        ]
        ids = [last_seen.id, *(e.id for e in missed)]
        assert ids == sorted(set(ids))
        # Nothing more was replayed: the next event is the next change.
        marker = await kiosk.issue("bdc-query")
        following = await back.next()
        assert following.ticket is not None and following.ticket.id == marker.id
    finally:
        await back.close()


async def test_the_subscription_rides_out_a_server_restart_and_misses_nothing(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    screen = await Follower(EventSubscription(zhang_wei, backoff=FAST_RETRY)).start()
    try:
        for _ in range(2):
            await kiosk.issue("bdc-transfer")
        await screen.take(2)
        port = hall.server.port
        hall.server.stop()
        # The same database behind a new server process on the same port; changes are made
        # before and after the screen finds its way back.
        app = create_app(HallSettings(hall.database_url, clock=hall.clock, poll_interval=0.2))
        hall.server = ServerThread(app, port=port).start()
        kiosk_again = await signed_in(hall, "kiosk1")
        during = [await kiosk_again.issue("hukou") for _ in range(3)]
        await asyncio.wait_for(_reconnected(screen), timeout=10)
        after = [await kiosk_again.issue("hukou") for _ in range(2)]
        await kiosk_again.aclose()
        newest = _event_ids(hall.database_url, "huainan", 0)[-1]
        received = await screen.until(newest)
        codes = [e.ticket.code for e in screen.received if e.ticket]
        assert codes == ["A001", "A002", "F001", "F002", "F003", "F004", "F005"]
        assert [e.id for e in screen.received] == sorted({e.id for e in screen.received})
        assert received[-1].ticket is not None and received[-1].ticket.id == after[-1].id
        assert during[0].code == "F001"
        assert screen.statuses[0].connected and not screen.statuses[1].connected
    finally:
        await screen.close()


async def _reconnected(screen: Follower) -> None:
    while sum(s.connected for s in screen.statuses) < 2:
        await asyncio.sleep(0.05)


async def test_a_place_in_a_replaced_database_gets_a_reset_first(
    tmp_path: Path,
    clock: ManualClock,
    _seeded_sqlite_file: Path,
    kiosk: HallClient,
    zhang_wei: HallClient,
) -> None:
    screen = await Follower(EventSubscription(zhang_wei)).start()
    for _ in range(3):
        await kiosk.issue("bdc-transfer")
    seen = await screen.take(3)
    await screen.close()

    # The hall's database is replaced by a fresh copy: its newest event is older than ours.
    fresh = tmp_path / "replaced.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, fresh)
    replaced = start_hall(sqlite_url(fresh), clock, seeded=True)
    try:
        lead = await signed_in(replaced, "2001")
        other_kiosk = await signed_in(replaced, "kiosk1")
        back = await Follower(EventSubscription(lead, after=seen[-1].id)).start()
        reset = await back.next()
        newest = _event_ids(replaced.database_url, "huainan", 0)[-1]
        assert (reset.kind, reset.id) == (EventKind.reset, newest)
        assert reset.id < seen[-1].id
        ticket = await other_kiosk.issue("hukou")
        live = await back.next()
        assert live.ticket is not None and live.ticket.id == ticket.id and live.id > reset.id
        await back.close()
        await lead.aclose()
        await other_kiosk.aclose()
    finally:
        replaced.server.stop()


async def test_the_event_stream_needs_a_sign_in(hall: RunningHall, kiosk: HallClient) -> None:
    async with httpx.AsyncClient(base_url=hall.url) as http:
        anonymous = await http.get("/events")
        assert anonymous.status_code == 401
        body = anonymous.json()["error"]
        assert body["code"] == "token_missing"
        assert "Sign in first" in body["message"] and "Authorization: Bearer" in body["message"]

        garbled = await http.get(
            "/events", headers={**kiosk.auth_headers(), "Last-Event-ID": "yesterday"}
        )
        assert garbled.status_code == 422
        assert "Last-Event-ID must be the numeric id" in garbled.json()["error"]["message"]

    # A subscription with a token the hall does not know stops and says why (no endless retry).
    stranger = HallClient(hall.url, token="not-a-token")
    with pytest.raises(errors.Unauthorized) as refused:
        await Follower(EventSubscription(stranger)).start()
    assert refused.value.code == "token_unknown"
    assert "sign in again" in refused.value.message
    await stranger.aclose()


async def test_concurrent_writers_reach_each_display_in_strictly_increasing_order(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    """Four clerks and a kiosk in a second hall, the demo hall's kiosk at the same time: each
    hall's display gets exactly its own hall's events, once each, in id order."""
    seed_load_hall(hall.database_url, hall.clock.now(), windows=4)
    load_lead, load_kiosk = await signed_in(hall, LEAD, LOAD_PASSWORD), hall.client()
    await load_kiosk.login(KIOSK, LOAD_PASSWORD)
    clerks = [await signed_in(hall, clerk_no(n), LOAD_PASSWORD) for n in range(1, 5)]
    for window, clerk in enumerate(clerks, start=1):
        await clerk.sign_in(window)
    start = {
        code: (_event_ids(hall.database_url, code, 0) or [0])[-1] for code in ("huainan", LOAD_HALL)
    }
    load_display = await Follower(EventSubscription(load_lead)).start()
    demo_display = await Follower(EventSubscription(zhang_wei)).start()
    issuing = asyncio.Event()

    async def load_kiosk_issues() -> None:
        for n in range(60):
            await load_kiosk.issue(SERVICES[n % 3])
        issuing.set()

    async def clerk_serves(clerk: HallClient, window: int) -> None:
        while True:
            try:
                ticket = await clerk.call_next(window)
            except errors.Conflict as refused:
                assert refused.code == "queue_empty", refused.message
                if issuing.is_set():
                    return
                await asyncio.sleep(0.005)
                continue
            await clerk.start(ticket.id)
            await clerk.complete(ticket.id)

    async def demo_kiosk_issues() -> None:
        for _ in range(20):
            await kiosk.issue("hukou")

    try:
        await asyncio.gather(
            load_kiosk_issues(),
            demo_kiosk_issues(),
            *(clerk_serves(c, n) for n, c in enumerate(clerks, start=1)),
        )
        for display, code in ((load_display, LOAD_HALL), (demo_display, "huainan")):
            expected = _event_ids(hall.database_url, code, start[code])
            got = await display.until(expected[-1])
            assert [e.id for e in got] == expected
        assert len(_event_ids(hall.database_url, LOAD_HALL, start[LOAD_HALL])) == 60 * 4
    finally:
        await load_display.close()
        await demo_display.close()
        for client in (load_lead, load_kiosk, *clerks):
            await client.aclose()


DEED_NOTE = "房产继承，材料三份"
HUKOU_NOTE = "新生儿落户，父母均到场"
NO_SHOW_REASON = "叫号两次未到，电话 138xxxx"
PERSONAL = (DEED_NOTE, HUKOU_NOTE, NO_SHOW_REASON, "printer jammed")


def _notes(events: list[EventOut]) -> dict[str, set[str]]:
    """What each ticket's notes and reasons read, as a reader received them."""
    seen: dict[str, set[str]] = {}
    for event in events:
        if event.ticket is not None:
            texts = {event.ticket.notes, event.ticket.reason or ""} - {""}
            if texts:
                seen.setdefault(event.ticket.code, set()).update(texts)
    return seen


async def _raw_replay(hall: RunningHall, client: HallClient, after: int, upto: int) -> str:
    """The stream's text exactly as sent, replayed from Last-Event-ID up to event `upto`."""
    text = ""
    headers = {**client.auth_headers(), "Last-Event-ID": str(after)}
    async with (
        httpx.AsyncClient(base_url=hall.url, timeout=10) as http,
        http.stream("GET", "/events", headers=headers) as response,
    ):
        assert response.status_code == 200
        async for line in response.aiter_lines():
            text += line + "\n"
            if line == f"id: {upto}":
                return text
    raise AssertionError("the replay ended early")


async def test_through_a_day_the_kiosk_and_other_departments_never_get_a_citizens_notes(
    hall: RunningHall,
    kiosk: HallClient,
    li_hua: HallClient,
    wang_fang: HallClient,
    zhang_wei: HallClient,
) -> None:
    """The kiosk issues three tickets with notes; 李华 (不动产登记, window 1) serves the deed
    transfer, 王芳 (综合受理, window 8) calls the hukou case, marks a no-show with a reason; the
    kiosk voids a ticket whose print jammed. Live and on replay from Last-Event-ID, the kiosk
    and 陈明 (市场监管, serving none of these) never receive a note or a reason; 李华 gets the
    notes of her department's ticket and 王芳 those of the tickets window 8 serves; the duty
    lead gets them all."""
    chen_ming = await signed_in(hall, "1003")
    first = _event_ids(hall.database_url, "huainan", 0)[-1]
    readers = {
        "kiosk": kiosk,
        "陈明": chen_ming,
        "李华": li_hua,
        "王芳": wang_fang,
        "张伟": zhang_wei,
    }
    live = {
        name: await Follower(EventSubscription(client)).start() for name, client in readers.items()
    }
    try:
        deed = await kiosk.issue("bdc-transfer", notes=DEED_NOTE)  # A001: 不动产登记's
        hukou = await kiosk.issue("hukou", notes=HUKOU_NOTE)  # F001: 公安户政's, window 8 too
        jammed = await kiosk.issue("id-card")  # 公安户政's, window 4 only
        await kiosk.cancel(jammed.id, "printer jammed")
        assert (await li_hua.call_next(1)).id == deed.id
        await li_hua.start(deed.id)
        await li_hua.complete(deed.id)
        assert (await wang_fang.call_next(8)).id == hukou.id
        hall.clock.advance(seconds=30)
        await wang_fang.recall(hukou.id)  # the hall's policy: one recall and a minute first
        hall.clock.advance(seconds=60)
        await wang_fang.no_show(hukou.id, NO_SHOW_REASON)
        day = _event_ids(hall.database_url, "huainan", first)
        assert len(day) >= 9

        received = {name: await follower.until(day[-1]) for name, follower in live.items()}
        for name in ("kiosk", "陈明"):
            assert [e.id for e in received[name]] == day, name
            assert _notes(received[name]) == {}, name
        assert all(
            (e.ticket.called_by, e.ticket.priority, e.ticket.outcome) == (None, "normal", None)
            for e in received["kiosk"]
            if e.ticket is not None
        )
        assert _notes(received["李华"]) == {"A001": {DEED_NOTE}}
        assert _notes(received["王芳"]) == {"F001": {HUKOU_NOTE, NO_SHOW_REASON}}
        assert _notes(received["张伟"]) == {
            "A001": {DEED_NOTE},
            "F001": {HUKOU_NOTE, NO_SHOW_REASON},
            jammed.code: {"printer jammed"},
        }

        # A screen that reconnects replays the day: projected in the same way, to the byte.
        for name in ("kiosk", "陈明"):
            text = await _raw_replay(hall, readers[name], first, day[-1])
            assert text.count("\nid: ") + text.startswith("id: ") >= len(day)
            assert not [note for note in PERSONAL if note in text], name
        replayed = await _raw_replay(hall, li_hua, first, day[-1])
        assert DEED_NOTE in replayed and HUKOU_NOTE not in replayed
        back = await Follower(EventSubscription(chen_ming, after=first)).start()
        try:
            assert _notes(await back.until(day[-1])) == {}
        finally:
            await back.close()
    finally:
        for follower in live.values():
            await follower.close()
        await chen_ming.aclose()
