"""Retries are safe: every POST carries an Idempotency-Key, and a repeat returns the first answer
and changes nothing (kiosk double taps, client retries after a dropped connection, two copies of
one request racing on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from sqlalchemy import text

from clerkdesk.api import errors
from clerkdesk.api.client import HallClient, tls_for
from clerkdesk.api.schemas import ErrorResponse, TicketOut, TicketStatus
from clerkdesk.demo import DEMO_PASSWORD
from clerkdesk.hall.store.engine import make_engine
from tests.conftest import RunningHall, signed_in
from tests.test_write_path import context_of

# Sign-in itself is the exception: a login's answer is a secret that must not be stored for
# replay (a retry just signs in again), and a logout is idempotent by nature.
NO_KEY = {"/auth/login", "/auth/logout"}
BODIES = {
    "/tickets": {"service": "bdc-transfer"},
    "/windows/{number}/call": {"ticket": "A001"},
    "/tickets/{ticket_id}/no-show": {"reason": "not here"},
    "/tickets/{ticket_id}/cancel": {"reason": "left"},
}


def count(hall: RunningHall, sql: str) -> int:
    engine = make_engine(hall.database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def tickets(hall: RunningHall) -> int:
    return count(hall, "SELECT count(*) FROM ticket")


def events(hall: RunningHall) -> int:
    return count(hall, "SELECT count(*) FROM event")


def raw(hall: RunningHall, client: HallClient) -> httpx.AsyncClient:
    """Plain HTTP with the client's token, to see the bytes on the wire."""
    return httpx.AsyncClient(
        base_url=hall.url, headers=client.auth_headers(), verify=tls_for(hall.url)
    )


@asynccontextmanager
async def window_held(hall: RunningHall, copies: int) -> AsyncIterator[None]:
    """On PostgreSQL, keep window 1's row locked until all `copies` requests are inside the
    server waiting on a lock, so that they truly overlap. (SQLite needs no help: every write
    transaction there starts with BEGIN IMMEDIATE, before the answer is looked up.)"""
    if not hall.database_url.startswith("postgresql"):
        yield
        return
    engine = make_engine(hall.database_url)
    try:
        with engine.connect() as holder, engine.connect() as watcher:
            holder.execute(text('SELECT id FROM "window" WHERE number = 1 FOR UPDATE'))
            yield
            waiting = 0
            for _ in range(500):  # bounded: at most ~5 s
                waiting = watcher.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND state = 'active' AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
                watcher.rollback()  # the activity view is a snapshot per transaction
                if waiting >= copies:
                    break
                await asyncio.sleep(0.01)
            assert waiting >= copies, f"only {waiting} of {copies} copies arrived"
            holder.rollback()
    finally:
        engine.dispose()


class DropsFirstAnswer(httpx.AsyncBaseTransport):
    """Delivers the request and lets the server commit, then loses the answer once, as when the
    connection dies on the way back."""

    def __init__(self, path: str) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._path = path
        self.keys: list[str] = []
        self.dropped = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if request.url.path != self._path:
            return response
        self.keys.append(request.headers["Idempotency-Key"])
        if not self.dropped:
            self.dropped = True
            await response.aread()
            await response.aclose()
            raise httpx.ReadError("connection reset while reading the answer", request=request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


# --- the key is required --------------------------------------------------------------------


async def test_every_post_but_sign_in_needs_an_idempotency_key(
    hall: RunningHall, li_hua: HallClient
) -> None:
    schema = hall.openapi()
    posts = [path for path, ops in schema["paths"].items() if "post" in ops]
    assert len(posts) >= 14
    async with raw(hall, li_hua) as http:
        for path in posts:
            if path in NO_KEY:
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)  # window 1, ticket 1, …
            for headers in ({}, {"Idempotency-Key": ""}, {"Idempotency-Key": "k" * 129}):
                response = await http.post(url, json=BODIES.get(path, {}), headers=headers)
                assert response.status_code == 422, (path, headers, response.text)
                error = ErrorResponse.model_validate_json(response.content).error
                assert error.code == "invalid_input"
                assert error.params["problems"][0]["field"] == "header.Idempotency-Key"
                assert "Idempotency-Key" in error.message
    assert tickets(hall) == 0


# --- a repeat returns the first answer ------------------------------------------------------


async def test_a_kiosk_double_tap_issues_one_ticket(hall: RunningHall, kiosk: HallClient) -> None:
    before = events(hall)
    async with raw(hall, kiosk) as http:
        tap = {"Idempotency-Key": "tap-0907"}
        first = await http.post("/tickets", json={"service": "hukou"}, headers=tap)
        hall.clock.advance(seconds=1)
        second = await http.post("/tickets", json={"service": "hukou"}, headers=tap)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content  # byte for byte
    assert second.headers["Idempotent-Replay"] == "true"
    assert "Idempotent-Replay" not in first.headers
    assert tickets(hall) == 1
    assert events(hall) == before + 1
    # The number was not consumed either: the next citizen gets F002.
    assert (await kiosk.issue("hukou")).code == "F002"


async def test_a_repeated_call_next_returns_the_same_ticket_and_calls_nobody_else(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    a1 = await kiosk.issue("bdc-transfer")
    a2 = await kiosk.issue("bdc-transfer")
    async with raw(hall, li_hua) as http:
        press = {"Idempotency-Key": "press-1"}
        first = await http.post("/windows/1/call-next", headers=press)
        after_first = events(hall)
        hall.clock.advance(seconds=10)  # past the minimum interval: a new key would call A002
        second = await http.post("/windows/1/call-next", headers=press)
        await li_hua.start(a1.id)
        third = await http.post("/windows/1/call-next", headers=press)
    assert first.status_code == second.status_code == third.status_code == 200
    assert second.content == first.content == third.content
    assert TicketOut.model_validate_json(first.content).code == a1.code
    assert (await li_hua.ticket(a2.id)).status == TicketStatus.waiting
    assert events(hall) == after_first + 1  # only the start


async def test_the_same_key_for_a_different_request_is_refused(
    hall: RunningHall, kiosk: HallClient
) -> None:
    await kiosk.issue("hukou", key="k-1")
    for retry in (kiosk.issue("id-card", key="k-1"), kiosk.cancel(1, "left", key="k-1")):
        try:
            await retry
        except errors.Conflict as refused:
            assert refused.code == "idempotency_key_reused"
            assert "new key" in refused.message
        else:
            raise AssertionError("a reused key for another request was accepted")
    assert tickets(hall) == 1


async def test_the_fingerprint_is_the_route_its_window_and_its_body(
    hall: RunningHall, li_hua: HallClient
) -> None:
    """李华 pauses window 1 with key p-1. Window 01 with p-1 is the same request (replayed); a
    resume of window 1 with p-1 is another route, and a pause of window 2 another window."""
    async with raw(hall, li_hua) as http:
        key = {"Idempotency-Key": "p-1"}
        first = await http.post("/windows/1/pause", headers=key)
        again = await http.post("/windows/01/pause", headers=key)
        resume = await http.post("/windows/1/resume", headers=key)
        other = await http.post("/windows/2/pause", headers=key)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replay"] == "true"
    for refused in (resume, other):
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "idempotency_key_reused"


def answers_of(hall: RunningHall, staff_no: str) -> int:
    return count(
        hall,
        "SELECT count(*) FROM idempotent_response JOIN staff ON staff.id = staff_id "
        f"WHERE staff.staff_no = '{staff_no}'",
    )


async def test_a_clerk_sending_key_after_key_keeps_only_her_newest_answers(
    hall: RunningHall, li_hua: HallClient, kiosk: HallClient
) -> None:
    """李华 pauses and resumes window 1 thirty times, each with a new key (issue 10 item 7:
    9,000 answers in 55 s). The hall keeps her newest answers only (here 8, pruned every 4th
    answer); her newest key still replays, and the kiosk's answers are not hers to prune."""
    context = context_of(hall)
    context.answers_per_staff, context.prune_every = 8, 4
    await kiosk.issue("hukou", key="kiosk-1")
    async with raw(hall, li_hua) as http:
        for n in range(30):
            action = "pause" if n % 2 == 0 else "resume"
            sent = await http.post(f"/windows/1/{action}", headers={"Idempotency-Key": f"n-{n}"})
            assert sent.status_code == 200
        assert answers_of(hall, "1001") <= 8 + 4
        again = await http.post("/windows/1/resume", headers={"Idempotency-Key": "n-29"})
    assert again.headers["Idempotent-Replay"] == "true"
    assert answers_of(hall, "kiosk1") == 1


async def test_expired_answers_go_at_the_next_pruning(
    hall: RunningHall, li_hua: HallClient
) -> None:
    """Answers older than their keeping time (a day; here an hour) are dropped with the next
    pruning of their staff member's answers (here every third): 李华's sign-in and first pause
    at 09:00, then two more presses at 11:00."""
    context = context_of(hall)
    context.answers_kept, context.prune_every = timedelta(hours=1), 3
    async with raw(hall, li_hua) as http:
        sent = [await http.post("/windows/1/pause", headers={"Idempotency-Key": "old-1"})]
        hall.clock.advance(seconds=2 * 3600)
        for key in ("new-1", "new-2"):
            sent.append(await http.post("/windows/1/resume", headers={"Idempotency-Key": key}))
    assert [s.status_code for s in sent] == [200, 200, 200]
    assert answers_of(hall, "1001") == 2  # the sign-in and old-1 expired; new-1, new-2 kept


async def test_keys_belong_to_one_staff_member(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    by_kiosk = await kiosk.issue("hukou", key="same-key")
    by_lead = await zhang_wei.issue("hukou", key="same-key")
    assert (by_kiosk.code, by_lead.code) == ("F001", "F002")


async def test_a_refusal_is_not_remembered(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    """A refused request changed nothing, so the same key may try again once things change."""
    try:
        await li_hua.call_next(1, key="press-9")
    except errors.Conflict as refused:
        assert refused.code == "queue_empty"
    issued = await kiosk.issue("bdc-transfer")
    assert (await li_hua.call_next(1, key="press-9")).id == issued.id


# --- retries after a dropped connection -----------------------------------------------------


async def test_a_kiosk_retry_after_a_lost_answer_issues_once(hall: RunningHall) -> None:
    transport = DropsFirstAnswer("/tickets")
    kiosk = HallClient(hall.url, transport=transport, retry_delays=(0.01,))
    await kiosk.login("kiosk1", DEMO_PASSWORD)
    ticket = await kiosk.issue("bdc-transfer")

    assert transport.dropped and len(transport.keys) == 2
    assert transport.keys[0] == transport.keys[1]
    assert ticket.code == "A001"
    assert tickets(hall) == 1
    assert count(hall, "SELECT count(*) FROM event WHERE kind = 'ticket.issued'") == 1
    await kiosk.aclose()


async def test_a_clerk_retry_after_a_lost_answer_calls_once(
    hall: RunningHall, kiosk: HallClient
) -> None:
    a1 = await kiosk.issue("bdc-transfer")
    a2 = await kiosk.issue("bdc-transfer")
    transport = DropsFirstAnswer("/windows/1/call-next")
    li_hua = HallClient(hall.url, transport=transport, retry_delays=(0.01,))
    await li_hua.login("1001", DEMO_PASSWORD)
    await li_hua.sign_in(1)

    called = await li_hua.call_next(1)
    assert transport.dropped and transport.keys[0] == transport.keys[1]
    assert called.id == a1.id
    assert (await li_hua.ticket(a2.id)).status == TicketStatus.waiting
    assert count(hall, "SELECT count(*) FROM event WHERE kind = 'ticket.called'") == 1
    await li_hua.aclose()


# --- the same request twice at the same moment ----------------------------------------------


async def test_copies_of_one_request_racing_in_change_things_once(any_hall: RunningHall) -> None:
    """A kiosk tap and a clerk's press, each sent four times at the same moment: each copy waits
    for the first to commit and then answers as it did; none sees "ticket in hand" or "too soon",
    and nobody else is called."""
    kiosk = await signed_in(any_hall, "kiosk1")
    li_hua = await signed_in(any_hall, "1001")
    await li_hua.sign_in(1)
    async with raw(any_hall, kiosk) as http:
        taps = await asyncio.gather(
            *(
                http.post(
                    "/tickets", json={"service": "bdc-transfer"}, headers={"Idempotency-Key": "t"}
                )
                for _ in range(4)
            )
        )
    assert [a.status_code for a in taps] == [201] * 4, [a.text for a in taps]
    assert len({a.content for a in taps}) == 1
    assert tickets(any_hall) == 1
    first = TicketOut.model_validate_json(taps[0].content)
    second = await kiosk.issue("bdc-transfer")

    async with raw(any_hall, li_hua) as http:
        async with window_held(any_hall, copies=4):
            sent = [
                asyncio.create_task(
                    http.post("/windows/1/call-next", headers={"Idempotency-Key": "p"})
                )
                for _ in range(4)
            ]
        presses = await asyncio.gather(*sent)
    assert [a.status_code for a in presses] == [200] * 4, [a.text for a in presses]
    assert len({a.content for a in presses}) == 1
    assert TicketOut.model_validate_json(presses[0].content).id == first.id
    assert (await li_hua.ticket(second.id)).status == TicketStatus.waiting
    assert count(any_hall, "SELECT count(*) FROM event WHERE kind = 'ticket.called'") == 1
    await kiosk.aclose()
    await li_hua.aclose()
