"""Staff sign-in and role checks, against a real hall service on 127.0.0.1.

The hall clock starts on Friday 2026-12-11 at 09:00 in Shanghai and moves only when a test moves
it. The staff are the demo hall's: 李华 (1001, 不动产登记 clerk at window 1), 王芳 (1002, 综合受理
clerk at window 8), 张伟 (2001, the hall-wide duty lead), the kiosk, and the admin.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session
from starlette.routing import Route

from clerkdesk.api import errors
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import ErrorResponse, TicketStatus
from clerkdesk.clock import ScaledClock
from clerkdesk.demo import DEMO_PASSWORD
from clerkdesk.hall.access.principal import hash_password
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.server import ServerThread
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import Department, Hall, Staff
from tests.conftest import RunningHall, local, signed_in, start_hall

PUBLIC = {("POST", "/auth/login"), ("GET", "/healthz"), ("GET", "/clock"), ("GET", "/t/{token}")}
DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


# --- helpers --------------------------------------------------------------------------------


def _session(hall: RunningHall) -> Iterator[Session]:
    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def add_staff(hall: RunningHall, staff_no: str, name: str, department: str, roles: str) -> None:
    """A staff member the demo hall does not have (e.g. a lead of one department)."""
    for session in _session(hall):
        hall_row = session.scalars(select(Hall)).one()
        dept = session.scalars(select(Department).where(Department.code == department)).one()
        session.add(
            Staff(
                hall_id=hall_row.id,
                staff_no=staff_no,
                name=name,
                department_id=dept.id,
                roles=roles,
                password_hash=hash_password(DEMO_PASSWORD),
                failed_logins=0,
                active=True,
            )
        )


def set_password(hall: RunningHall, staff_no: str, password: str) -> None:
    for session in _session(hall):
        session.execute(
            update(Staff)
            .where(Staff.staff_no == staff_no)
            .values(password_hash=hash_password(password))
        )


def openapi_operations(hall: RunningHall) -> list[tuple[str, str]]:
    schema = hall.openapi()
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    ]


def concrete(path: str) -> str:
    """Window 1, ticket 1, 2026-12-11: the token is refused before anything is looked up."""
    path = path.replace("/appointments/by-code/{code}", "/appointments/by-code/123456")
    return re.sub(r"\{[^}]+\}", "1", path.replace("{local_date}", "2026-12-11"))


# A well-formed body for every POST that takes one: the token must be what is refused.
# GET /metrics is there only for admins and the scraper with its token: to anyone else, signed
# in or not, it answers as an unknown path does (tests/test_metrics.py).
HIDDEN = {("GET", "/metrics")}
# A well-formed query for every GET that needs one, for the same reason.
QUERIES = {"/appointments/slots": {"service": "hukou"}}
BODIES = {
    "/appointments": {
        "service": "hukou",
        "start": "2026-12-12T09:00:00+08:00",
        "phone": "13800138001",
    },
    "/appointments/check-in": {"code": "123456"},
    "/tickets/{ticket_id}/rating": {"score": 5},
    "/tickets": {"service": "bdc-transfer"},
    "/windows/{number}/call": {"ticket": "A001"},
    "/tickets/{ticket_id}/no-show": {"reason": "not here"},
    "/tickets/{ticket_id}/cancel": {"reason": "left"},
    "/tickets/{ticket_id}/reinstate": {"reason": "came back"},
    "/admin/calendar/confirm-year": {"year": 2027},
    "/windows/{number}/extensions": {"minutes": 20, "reason": "citizens waiting"},
    "/extensions/{extension_id}/deny": {"reason": "no"},
    "/overruns/{overrun_id}/reject": {"reason": "no"},
    "/overtime/claims": {
        "starts_at": "2026-12-10T18:00:00+08:00",
        "ends_at": "2026-12-10T19:00:00+08:00",
        "reason": "back office",
    },
    "/overtime/claims/{claim_id}/deny": {"reason": "no"},
    "/leave-requests": {"first_date": "2026-12-14"},
    "/leave-requests/{request_id}/deny": {"reason": "no"},
    "/duty-roster": {"staff_no": "1002", "date": "2026-12-12"},
    "/tickets/{ticket_id}/hand-off": {"service": "tax-register", "note": "licence done"},
    "/tickets/{ticket_id}/send-back": {"reason": "papers missing"},
    "/windows/{number}/tide": {"services": ["bdc-query"], "reason": "查询排队"},
}


async def refused(call: object) -> errors.ApiError:
    with pytest.raises(errors.ApiError) as caught:
        await call  # type: ignore[misc]
    return caught.value


# --- sign-in --------------------------------------------------------------------------------


async def test_login_gives_an_opaque_token_and_the_database_keeps_only_its_sha256(
    hall: RunningHall,
) -> None:
    client = await signed_in(hall, "1001")
    token = client.token
    assert token is not None and len(token) >= 32 and "1001" not in token

    for session in _session(hall):
        rows = session.execute(text("SELECT * FROM auth_token")).mappings().all()
    assert len(rows) == 1
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in rows[0].values())
    await client.aclose()


async def test_a_morning_sign_in_lasts_12_hours(hall: RunningHall) -> None:
    client = hall.client()
    answer = await client.login("1001", DEMO_PASSWORD)
    assert answer.expires_at == local("2026-12-11 21:00")

    hall.clock.advance(hours=11, minutes=59)
    assert (await client.me()).staff.staff_no == "1001"
    hall.clock.advance(minutes=1)
    error = await refused(client.me())
    assert (error.status, error.code) == (401, "token_expired")
    assert "sign in again" in error.message
    await client.aclose()


async def test_an_afternoon_sign_in_ends_at_local_midnight(hall: RunningHall) -> None:
    hall.clock.set(local("2026-12-11 15:00"))
    client = hall.client()
    answer = await client.login("1002", DEMO_PASSWORD)
    assert answer.expires_at == local("2026-12-12 00:00")  # not 03:00: the day has ended

    hall.clock.set(local("2026-12-11 23:59"))
    await client.ping()
    hall.clock.set(local("2026-12-12 00:00"))
    assert (await refused(client.ping())).code == "token_expired"
    await client.aclose()


async def test_logout_ends_the_sign_in_and_a_retried_logout_is_fine(hall: RunningHall) -> None:
    client = await signed_in(hall, "1001")
    token = client.token
    await client.logout()
    assert client.token is None

    again = HallClient(hall.url, token)
    assert (await refused(again.me())).status == 401
    # The answer to a logout may be lost on the way: sending it again is not an error.
    retry = httpx.post(f"{hall.url}/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert retry.status_code == 204
    await again.aclose()


async def test_wrong_passwords_count_down_then_wait_longer_each_time(hall: RunningHall) -> None:
    """李华 mistypes: each answer says how many tries are left; the fifth starts a one-minute
    wait, and each wrong password after a wait doubles it, up to 15 minutes."""
    client = hall.client()
    for left in (4, 3, 2, 1):
        error = await refused(client.login("1001", "wrong"))
        assert (error.status, error.code, error.params) == (
            401,
            "bad_credentials",
            {"tries_left": left},
        )
        assert f"{left} {'try' if left == 1 else 'tries'} left before a wait" in error.message

    fifth = await refused(client.login("1001", "wrong"))
    assert (fifth.status, fifth.code) == (401, "bad_credentials")
    assert fifth.params == {"tries_left": 0, "retry_after_s": 60, "retry_after_min": 1}
    assert "try again in 1 minute." in fifth.message

    hall.clock.advance(seconds=20)
    during = await refused(client.login("1001", DEMO_PASSWORD))  # the right password, too soon
    assert (during.status, during.code) == (429, "too_many_tries")
    assert during.params == {"tries_left": 0, "retry_after_s": 40, "retry_after_min": 1}
    assert "try again in 40 seconds" in during.message

    waits = []
    hall.clock.advance(seconds=40)
    for _ in range(6):
        again = await refused(client.login("1001", "wrong"))
        waits.append(again.params["retry_after_min"])
        hall.clock.advance(seconds=again.params["retry_after_s"])
    assert waits == [2, 4, 8, 15, 15, 15]
    assert "try again in 15 minutes." in again.message
    assert (await client.login("1001", DEMO_PASSWORD)).staff.name == "李华"
    await client.aclose()


async def test_a_correct_password_clears_the_count_of_wrong_ones(hall: RunningHall) -> None:
    client = hall.client()
    for _ in range(4):
        await refused(client.login("1002", "wrong"))
    await client.login("1002", DEMO_PASSWORD)
    for left in (4, 3, 2, 1):
        error = await refused(client.login("1002", "wrong"))
        assert (error.code, error.params["tries_left"]) == ("bad_credentials", left)
    await client.aclose()


async def test_an_unknown_staff_number_gets_the_same_answers_as_a_wrong_password(
    hall: RunningHall,
) -> None:
    """Guessing at a staff number that does not exist reads exactly like guessing at 李华's
    password, through the tries and the waits: the answers never tell which staff exist."""
    client = hall.client()
    for step in range(8):
        unknown = await refused(client.login("9999", DEMO_PASSWORD))
        wrong = await refused(client.login("1001", "wrong"))
        assert (unknown.status, unknown.code, unknown.message, unknown.params) == (
            wrong.status,
            wrong.code,
            wrong.message,
            wrong.params,
        ), step
        if step == 6:
            assert wrong.code == "too_many_tries"
            hall.clock.advance(seconds=wrong.params["retry_after_s"])
    await client.aclose()


async def test_wrong_passwords_sent_at_once_all_count(any_hall: RunningHall) -> None:
    clients = [any_hall.client() for _ in range(5)]
    answers = await asyncio.gather(
        *(c.login("1003", "wrong") for c in clients), return_exceptions=True
    )
    assert all(isinstance(a, errors.Unauthorized) for a in answers)
    left = sorted(a.params["tries_left"] for a in answers if isinstance(a, errors.ApiError))
    assert left == [0, 1, 2, 3, 4]
    assert (await refused(clients[0].login("1003", DEMO_PASSWORD))).code == "too_many_tries"
    for c in clients:
        await c.aclose()


async def test_guesses_sent_at_once_beyond_the_free_tries_are_held_back(
    hall: RunningHall,
) -> None:
    """Eight guesses at once, with three tries left: three are checked, five must come back."""
    client = hall.client()
    for _ in range(2):
        await refused(client.login("1003", "wrong"))
    answers = await asyncio.gather(
        *(client.login("1003", f"guess-{n}") for n in range(8)), return_exceptions=True
    )
    codes = sorted(a.code for a in answers if isinstance(a, errors.ApiError))
    assert codes.count("bad_credentials") == 3 and codes.count("too_many_tries") == 5
    await client.aclose()


# --- no token, no answer --------------------------------------------------------------------


def test_every_endpoint_but_login_and_health_answers_401_without_a_token(
    hall: RunningHall,
) -> None:
    operations = openapi_operations(hall)
    assert len(operations) >= 20
    assert set(operations) >= PUBLIC
    with httpx.Client(base_url=hall.url) as http:
        for method, path in operations:
            if (method, path) in PUBLIC:
                continue
            for auth in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
                response = http.request(
                    method,
                    concrete(path),
                    headers={**auth, "Idempotency-Key": "k1"},
                    json=BODIES.get(path, {}) if method == "POST" else None,
                    params=QUERIES.get(path),
                )
                if (method, path) in HIDDEN:  # not there at all, for a guesser
                    assert response.status_code == 404, (method, path, auth, response.text)
                    continue
                assert response.status_code == 401, (method, path, auth, response.text)
                assert response.headers["WWW-Authenticate"] == "Bearer"
                body = ErrorResponse.model_validate_json(response.content).error
                assert "sign in" in body.message.lower(), (method, path, body)


def test_login_and_health_answer_without_a_token(hall: RunningHall) -> None:
    assert httpx.get(f"{hall.url}/healthz").status_code == 200
    response = httpx.post(f"{hall.url}/auth/login", json={"staff_no": "1001", "password": "demo"})
    assert response.status_code == 200


async def test_a_workstation_takes_the_halls_clock_from_the_hall(
    hall: RunningHall, tmp_path: Path, _seeded_sqlite_file: Path
) -> None:
    """The test hall's clock stands still between the test's moves; a `--speed 30` demo hall
    runs thirty times faster, from its own start: the workstation follows the hall's."""
    client = hall.client()
    hall.clock.set(local("2026-12-11 17:43"))
    assert await client.clock() == w.HallClock(now=local("2026-12-11 17:43"), speed=0)
    await client.aclose()

    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(_seeded_sqlite_file, path)
    start = local("2026-12-11 17:00")
    app = create_app(HallSettings(sqlite_url(path), clock=ScaledClock(start, speed=30)))
    demo = ServerThread(app).start()
    try:
        demo_client = HallClient(demo.url)
        answer = await demo_client.clock()
        assert answer.speed == 30 and answer.now >= start
        await demo_client.aclose()
    finally:
        demo.stop()


def test_nothing_outside_the_api_answers_unless_the_docs_are_asked_for(
    hall: RunningHall, tmp_path: Path, _seeded_sqlite_file: Path
) -> None:
    """The OpenAPI document and its viewers answer without a token, so a hall serves them
    only when started with --api-docs (developers, the demo, the fuzz test)."""
    app = hall.server.server.config.app
    assert isinstance(app, FastAPI)
    assert not [r for r in app.routes if isinstance(r, Route) and not r.include_in_schema]
    for path in DOCS:
        response = httpx.get(f"{hall.url}{path}")
        assert response.status_code == 404, path
        assert "--api-docs" in response.json()["error"]["message"]

    path = tmp_path / "docs.sqlite3"
    path.write_bytes(_seeded_sqlite_file.read_bytes())
    documented = start_hall(sqlite_url(path), hall.clock, seeded=True, api_docs=True)
    try:
        for url in ("/openapi.json", "/docs", "/redoc"):
            assert httpx.get(f"{documented.url}{url}").status_code == 200, url
    finally:
        documented.server.stop()


# --- roles ----------------------------------------------------------------------------------


async def test_the_kiosk_only_issues_tickets(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    mine = await kiosk.issue("bdc-transfer")
    assert mine.status == TicketStatus.waiting

    assert (await refused(kiosk.sign_in(1))).code == "role_required"
    assert (await refused(kiosk.call_next(1))).code == "not_your_window"
    assert (await refused(kiosk.queue(1))).code == "window_not_visible"
    assert (await refused(kiosk.tickets_today())).code == "role_required"
    assert (await refused(kiosk.start(mine.id))).code == "illegal_transition"  # nobody called it

    # A failed print: the kiosk may void the waiting ticket it has just issued, nothing else.
    voided = await kiosk.cancel(mine.id, "printer jammed")
    assert voided.status == TicketStatus.cancelled
    by_the_lead = await zhang_wei.issue("bdc-transfer")
    not_its_own = await refused(kiosk.cancel(by_the_lead.id, "printer jammed"))
    assert (not_its_own.status, not_its_own.code) == (403, "not_yours_to_cancel")


async def test_a_ticket_is_read_only_by_the_departments_that_serve_it(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, wang_fang: HallClient
) -> None:
    deed = await kiosk.issue("bdc-transfer", notes="房产继承，材料三份")  # 不动产登记 only
    query = await kiosk.issue("bdc-query")  # 不动产登记's service, also served at 综合受理
    chen_ming = await signed_in(hall, "1003")  # 市场监管
    try:
        assert (await li_hua.ticket(deed.id)).notes == "房产继承，材料三份"
        assert (await wang_fang.ticket(query.id)).code == query.code  # window 8 serves it
        assert (await kiosk.ticket(deed.id)).code == deed.code
        for reader, ticket in ((chen_ming, deed), (chen_ming, query), (wang_fang, deed)):
            error = await refused(reader.ticket(ticket.id))
            assert (error.status, error.code) == (404, "ticket_not_found"), error
    finally:
        await chen_ming.aclose()


async def test_li_hua_acts_only_at_window_1(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient, wang_fang: HallClient
) -> None:
    transfer = await kiosk.issue("bdc-transfer")  # A001, window 1's service
    query = await kiosk.issue("bdc-query")  # C001, served at window 8 (综合受理)

    assert (await refused(li_hua.call_next(8))).code == "not_your_window"
    at_8 = await wang_fang.call_next(8)
    assert at_8.code == query.code
    for action in (
        li_hua.start(at_8.id),
        li_hua.recall(at_8.id),
        li_hua.no_show(at_8.id, "not here"),
        li_hua.park(at_8.id),
        li_hua.cancel(at_8.id, "not mine"),
    ):
        error = await refused(action)
        assert error.status == 403, error.code
        assert "window 8" in error.message or "not at your window" in error.message
    assert (await wang_fang.ticket(at_8.id)).status == TicketStatus.called

    assert (await refused(li_hua.queue(8))).code == "window_not_visible"
    assert (await refused(li_hua.sign_in(3))).code == "other_department"  # 市场监管
    assert (await refused(li_hua.issue("bdc-transfer"))).code == "role_required"
    assert (await refused(li_hua.tickets_today())).code == "role_required"
    waiting = await refused(li_hua.cancel(transfer.id, "duplicate"))
    assert (waiting.status, waiting.code) == (403, "not_yours_to_cancel")

    called = await li_hua.call_next(1)
    assert called.code == transfer.code
    assert (await li_hua.cancel(called.id, "came for another service")).status == (
        TicketStatus.cancelled
    )


async def test_a_department_lead_acts_within_their_department(
    hall: RunningHall, kiosk: HallClient, zhang_wei: HallClient
) -> None:
    add_staff(hall, "2002", "赵敏", "shichang", "clerk,lead")  # 市场监管 duty lead
    zhao_min = await signed_in(hall, "2002")
    license_ = await kiosk.issue("biz-license")  # D001, 市场监管
    transfer = await kiosk.issue("bdc-transfer")  # A001, 不动产登记

    assert [t.code for t in await zhao_min.tickets_today()] == [license_.code]
    assert [t.code for t in (await zhao_min.queue(3)).tickets] == [license_.code]
    assert (await refused(zhao_min.queue(1))).code == "window_not_visible"
    assert (await refused(zhao_min.sign_in(1))).code == "other_department"

    # Another department's ticket: not hers to cancel, nor even to know of (issue 10, item 6).
    outside = await refused(zhao_min.cancel(transfer.id, "duplicate"))
    assert (outside.status, outside.code) == (404, "ticket_not_found")
    assert (await zhang_wei.ticket(transfer.id)).status == TicketStatus.waiting  # unchanged
    assert (await refused(zhao_min.ticket(transfer.id))).status == 404  # not hers to read
    assert (await zhao_min.cancel(license_.id, "duplicate")).status == TicketStatus.cancelled

    # 张伟 leads the whole hall: every department is his.
    assert (await zhang_wei.cancel(transfer.id, "duplicate")).status == TicketStatus.cancelled
    await zhao_min.aclose()


async def test_the_admin_sees_and_manages_the_whole_hall_but_serves_no_window(
    hall: RunningHall, kiosk: HallClient, li_hua: HallClient
) -> None:
    set_password(hall, "admin", "admin-pass")
    admin = await signed_in(hall, "admin", "admin-pass")
    transfer = await kiosk.issue("bdc-transfer")
    await kiosk.issue("hukou")

    assert len(await admin.tickets_today()) == 2
    assert [t.code for t in (await admin.queue(1)).tickets] == [transfer.code]
    assert (await admin.counter(8)).window.number == 8
    assert (await admin.cancel(transfer.id, "citizen left")).status == TicketStatus.cancelled
    assert (await refused(admin.sign_in(9))).code == "role_required"
    await admin.aclose()
