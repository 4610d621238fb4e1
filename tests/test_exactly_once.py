"""Exactly once: ten clerks call from ten windows that all serve the same services while the kiosk
issues 2,000 tickets (and cancels a few, and double-taps some). Afterwards no ticket was called
twice, none was lost, the per-window and per-clerk counts add up, and the event log and its SSE
stream hold exactly one event per transition, in order. A real hall service process on 127.0.0.1,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine

from clerkdesk.api import errors
from clerkdesk.api.client import HallClient, new_key
from clerkdesk.api.events import EventSubscription
from clerkdesk.api.schemas import EventOut, Outcome, Priority, QueuePosition, TicketStatus
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from tests.load_helpers import (
    HALL_START,
    KIOSK,
    LEAD,
    LOAD_PASSWORD,
    SERVICES,
    Audit,
    ServerProcess,
    audit_hall,
    clerk_no,
    seed_load_hall,
)

WINDOWS = 10
TICKETS = int(os.environ.get("CLERKDESK_EXACTLY_ONCE_TICKETS", "2000"))  # fewer: quick check
ISSUERS = 6  # concurrent kiosk requests: the queue grows while ten clerks work it
CANCEL_EVERY = 40  # the duty lead cancels a recent ticket after every 40th issue
DOUBLE_TAP_EVERY = 50  # the kiosk sends every 50th issue twice with one Idempotency-Key


@dataclass
class ClerkTally:
    window: int
    staff_no: str
    calls: list[int] = field(default_factory=list)
    parked: list[int] = field(default_factory=list)
    done: int = 0
    no_shows: int = 0
    cancelled_at_counter: int = 0


@dataclass
class KioskTally:
    issued: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    cancel_refused: int = 0
    double_taps: int = 0


async def _serve(clerk: HallClient, ticket_id: int, rng: random.Random, tally: ClerkTally) -> None:
    """What happens at the counter: mostly served; sometimes parked, or a no-show."""
    roll = rng.random()
    if roll < 0.04:
        position = rng.choice([QueuePosition.front, QueuePosition.back])
        await clerk.park(ticket_id, position, reason="材料不全，先去复印")
        tally.parked.append(ticket_id)
        return
    if roll < 0.08:
        if rng.random() < 0.5:
            recalled = await clerk.recall(ticket_id)
            assert recalled.recall_count == 1
        await clerk.no_show(ticket_id, reason="叫号未到")
        tally.no_shows += 1
        return
    await clerk.start(ticket_id)
    if roll < 0.10:
        await clerk.park(ticket_id, QueuePosition.back, reason="等待补充材料")
        tally.parked.append(ticket_id)
        return
    outcome = Outcome.done if roll < 0.9 else rng.choice(list(Outcome))
    finished = await clerk.complete(ticket_id, outcome)
    assert finished.status == TicketStatus.done
    tally.done += 1


async def _clerk_day(
    clerk: HallClient, tally: ClerkTally, seed: int, kiosk_done: asyncio.Event
) -> None:
    rng = random.Random(seed)
    while True:
        try:
            ticket = await clerk.call_next(tally.window)
        except errors.Conflict as refused:
            assert refused.code == "queue_empty", refused.message
            if kiosk_done.is_set():
                return
            await asyncio.sleep(0.02)  # the kiosk is still issuing
            continue
        assert (ticket.status, ticket.window, ticket.called_by) == (
            TicketStatus.called,
            tally.window,
            tally.staff_no,
        )
        tally.calls.append(ticket.id)
        try:
            await _serve(clerk, ticket.id, rng, tally)
        except errors.Conflict as refused:
            # The kiosk cancelled the ticket while it was called to this window.
            assert refused.code == "illegal_transition", refused.message
            assert refused.params["current"] == "cancelled", refused.message
            tally.cancelled_at_counter += 1


async def _kiosk_day(kiosk: HallClient, lead: HallClient, tally: KioskTally, seed: int) -> None:
    """The kiosk issues; now and then the duty lead cancels a recent ticket (the citizen left),
    racing the clerks who may be calling or serving it."""
    rng = random.Random(seed)
    numbers = iter(range(1, TICKETS + 1))

    async def issue_one(n: int) -> None:
        service = SERVICES[n % len(SERVICES)]
        priority = Priority.green_channel if rng.random() < 0.05 else Priority.normal
        if n % DOUBLE_TAP_EVERY == 0:
            key = new_key()
            first, second = await asyncio.gather(
                kiosk.issue(service, priority, key=key), kiosk.issue(service, priority, key=key)
            )
            assert first == second, "a double tap issued two tickets"
            tally.double_taps += 1
            tally.issued.append(first.id)
        else:
            tally.issued.append((await kiosk.issue(service, priority)).id)
        if n % CANCEL_EVERY == 0:
            victim = rng.choice(tally.issued[-30:])
            try:
                cancelled = await lead.cancel(victim, reason="群众放弃办理")
            except errors.Conflict as refused:
                assert refused.code == "illegal_transition", refused.message
                tally.cancel_refused += 1
            else:
                assert cancelled.status == TicketStatus.cancelled
                tally.cancelled.append(victim)

    async def issuer() -> None:
        for n in numbers:
            await issue_one(n)

    await asyncio.gather(*(issuer() for _ in range(ISSUERS)))


async def _follow(subscription: EventSubscription, seen: list[EventOut]) -> None:
    async for item in subscription:
        if isinstance(item, EventOut):
            seen.append(item)


async def _wait_for_event(seen: list[EventOut], last_id: int, timeout: float = 20.0) -> None:
    async def arrived() -> None:
        while not seen or seen[-1].id < last_id:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(arrived(), timeout)


def _client(url: str, token: str | None = None) -> HallClient:
    return HallClient(url, token, retry_delays=(0.01, 0.05))


async def _sign_in_clerks(url: str) -> list[tuple[HallClient, ClerkTally]]:
    """Ten clerks, each at their own window. Half come warm (a connection open and used); the
    other half get a fresh connection pool, so their first call opens a connection while the
    others are already calling."""

    async def one(window: int) -> tuple[HallClient, ClerkTally]:
        staff_no = clerk_no(window)
        first = _client(url)
        await first.login(staff_no, LOAD_PASSWORD)
        await first.sign_in(window)
        if window % 2:
            await first.ping()
            return first, ClerkTally(window, staff_no)
        await first.aclose()
        return _client(url, first.token), ClerkTally(window, staff_no)

    return list(await asyncio.gather(*(one(n) for n in range(1, WINDOWS + 1))))


def _check_database(audit: Audit, clerks: list[ClerkTally], kiosk: KioskTally) -> None:
    assert audit.problems == [], "\n".join(audit.problems[:20])
    assert audit.double_calls == 0
    assert audit.lost == 0
    # Every ticket the kiosk was given exists once; nothing else was issued.
    assert sorted(kiosk.issued) == sorted(set(kiosk.issued))
    assert len(kiosk.issued) == TICKETS == audit.tickets
    # The clerks drained the queue: every ticket ended in exactly one terminal state.
    assert audit.by_status[TicketStatus.waiting] == 0
    assert audit.terminal == TICKETS
    assert audit.by_status[TicketStatus.cancelled] == len(kiosk.cancelled)
    # No ticket reached a counter twice without having been parked in between, as the clerks saw.
    calls = Counter(t for c in clerks for t in c.calls)
    parked = Counter(t for c in clerks for t in c.parked)
    assert all(calls[t] <= parked[t] + 1 for t in calls), "a ticket was called twice"
    assert calls == +audit.calls, "the database counts calls the clerks never received"
    # Per window: completions + no-shows add up to the finished tickets.
    for clerk in clerks:
        assert audit.finished_by_window[clerk.window] == clerk.done + clerk.no_shows
        assert audit.done_by_staff[clerk.staff_no] == clerk.done
        assert audit.no_show_by_staff[clerk.staff_no] == clerk.no_shows
    finished = sum(c.done + c.no_shows for c in clerks)
    assert sum(audit.finished_by_window.values()) == finished
    assert finished + len(kiosk.cancelled) == audit.terminal
    # One event per transition, ids strictly increasing.
    assert audit.ticket_events == audit.transitions
    assert all(a < b for a, b in zip(audit.event_ids, audit.event_ids[1:], strict=False))


async def _check_api(
    clerks: list[tuple[HallClient, ClerkTally]], lead: HallClient, audit: Audit
) -> None:
    for client, tally in clerks:
        counter = await client.counter(tally.window)
        assert counter.current is None and counter.queue == []
        assert (counter.counts.served, counter.counts.no_shows) == (tally.done, tally.no_shows)
    listed = await lead.tickets_today()
    assert Counter(t.status.value for t in listed) == audit.by_status


async def _day_in_the_load_hall(url: str, database_url: str) -> None:
    kiosk, lead = _client(url), _client(url)
    await kiosk.login(KIOSK, LOAD_PASSWORD)
    await lead.login(LEAD, LOAD_PASSWORD)
    clerks = await _sign_in_clerks(url)
    engine: Engine = make_engine(database_url)
    seen: list[EventOut] = []
    try:
        follower = asyncio.create_task(_follow(EventSubscription(kiosk, after=0), seen))
        kiosk_tally = KioskTally()
        kiosk_done = asyncio.Event()

        async def kiosk_day() -> None:
            try:
                await _kiosk_day(kiosk, lead, kiosk_tally, seed=7)
            finally:
                kiosk_done.set()

        await asyncio.gather(
            kiosk_day(),
            *(_clerk_day(c, t, seed=t.window, kiosk_done=kiosk_done) for c, t in clerks),
        )
        audit = await asyncio.to_thread(audit_hall, engine)
        _check_database(audit, [t for _, t in clerks], kiosk_tally)
        await _check_api(clerks, lead, audit)
        # The SSE stream delivered every event of the hall once, in the table's order.
        await _wait_for_event(seen, audit.event_ids[-1])
        assert [e.id for e in seen] == audit.event_ids
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower
    finally:
        engine.dispose()
        for client in (kiosk, lead, *(c for c, _ in clerks)):
            await client.aclose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def load_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh SQLite file or PostgreSQL database holding the load hall."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "load-hall.sqlite3")
    else:
        url = request.getfixturevalue("pg_url")
    seed_load_hall(url, HALL_START, WINDOWS)
    return url


@pytest.mark.slow
async def test_ten_clerks_and_a_busy_kiosk_call_every_ticket_exactly_once(
    load_database: str, tmp_path: Path
) -> None:
    # The hall service runs in its own process, as in production: the clients here do not
    # share its GIL, and the claims really race across processes' connections.
    server = ServerProcess.start(load_database, tmp_path / "server.log")
    try:
        await _day_in_the_load_hall(server.url, load_database)
    finally:
        server.stop()
