"""Signing in under attack and under load, over HTTP against a real hall on 127.0.0.1. Each
place is a loopback address of its own (127.0.0.x), so the hall sees them as different sources;
the hall clock moves only when the test moves it (09:00 on Friday 2026-12-11).

- A stranger guessing the admin's password slows themselves down, not the admin.
- One place trying many staff numbers is held back, other places are not.
- Password checks run a few at a time; the morning rush queues, a flood is refused at once.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from clerkdesk.demo import DEMO_PASSWORD
from clerkdesk.hall.access import principal
from clerkdesk.hall.access.sign_in import PasswordChecks, SignInGuard
from clerkdesk.hall.access.throttle import ACCOUNT, PAIR, SOURCE, Backoff
from tests.conftest import RunningHall
from tests.test_auth import set_password

ADMIN_PASSWORD = "admin-pass"


_places: dict[tuple[str, str], httpx.AsyncClient] = {}


async def login_from(hall: RunningHall, place: str, staff_no: str, password: str) -> httpx.Response:
    """A sign-in sent from `place` (a loopback address), on that place's own connections."""
    http = _places.get((hall.url, place))
    if http is None:
        transport = httpx.AsyncHTTPTransport(local_address=place)
        http = _places[hall.url, place] = httpx.AsyncClient(
            base_url=hall.url, transport=transport, timeout=20
        )
    return await http.post("/auth/login", json={"staff_no": staff_no, "password": password})


@pytest.fixture(autouse=True)
async def _close_places() -> AsyncIterator[None]:
    yield
    for http in _places.values():
        await http.aclose()
    _places.clear()


def error(response: httpx.Response) -> tuple[int, str, dict[str, Any]]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["params"]


def guard(hall: RunningHall) -> SignInGuard:
    app = hall.server.server.config.app
    assert isinstance(app, FastAPI)
    sign_in: SignInGuard = app.state.sign_in
    return sign_in


async def test_a_stranger_guessing_the_admins_password_never_locks_the_admin_out(
    hall: RunningHall,
) -> None:
    set_password(hall, "admin", ADMIN_PASSWORD)
    office = "127.0.0.1"
    assert (await login_from(hall, office, "admin", ADMIN_PASSWORD)).status_code == 200

    # Six addresses guess five times each at 09:00: twenty guesses are checked, then every
    # place the admin never signed in from is held for a while.
    answers = [
        error(await login_from(hall, f"127.0.0.{n}", "admin", "guess"))[:2]
        for n in range(10, 16)
        for _ in range(5)
    ]
    assert answers == [(401, "bad_credentials")] * 20 + [(429, "too_many_tries")] * 10
    # From the admin's own office the admin signs in at once.
    assert (await login_from(hall, office, "admin", ADMIN_PASSWORD)).status_code == 200

    # The guessing goes on for an hour, every four minutes from every address: the guessers
    # are held ever longer, the admin signs in from the office every time.
    checked = 0
    for _ in range(15):
        hall.clock.advance(minutes=4)
        for n in range(10, 16):
            answer = await login_from(hall, f"127.0.0.{n}", "admin", "guess")
            assert error(answer)[1] in ("bad_credentials", "too_many_tries")
            checked += answer.status_code == 401
        assert (await login_from(hall, office, "admin", ADMIN_PASSWORD)).status_code == 200
    assert 0 < checked <= 15  # one guess a round at most, of the 90 sent

    # From a place the admin never signed in at, all that guessing costs a minute at most.
    elsewhere = await login_from(hall, "127.0.0.20", "admin", ADMIN_PASSWORD)
    if elsewhere.status_code != 200:
        status, code, params = error(elsewhere)
        assert (status, code) == (429, "too_many_tries")
        assert 0 < params["retry_after_s"] <= 60
        hall.clock.advance(seconds=params["retry_after_s"])
        elsewhere = await login_from(hall, "127.0.0.20", "admin", ADMIN_PASSWORD)
    assert elsewhere.status_code == 200


async def test_one_place_trying_many_staff_numbers_is_held_back_and_others_are_not(
    hall: RunningHall,
) -> None:
    sprayer = "127.0.0.2"
    for n in range(1, 30):  # each number's own four tries left, until the place has fewer
        answer = await login_from(hall, sprayer, f"{3000 + n}", "123456")
        assert error(answer) == (401, "bad_credentials", {"tries_left": min(4, 30 - n)})
    thirtieth = error(await login_from(hall, sprayer, "3029", "123456"))
    assert thirtieth == (
        401,
        "bad_credentials",
        {"tries_left": 0, "retry_after_s": 30, "retry_after_min": 1},
    )
    refused = await login_from(hall, sprayer, "1001", DEMO_PASSWORD)
    assert error(refused)[:2] == (429, "too_many_tries")
    assert refused.headers["Retry-After"] == "30"

    # 李华 at her own workstation is not that place.
    assert (await login_from(hall, "127.0.0.3", "1001", DEMO_PASSWORD)).status_code == 200
    hall.clock.advance(seconds=30)
    assert (await login_from(hall, sprayer, "1002", DEMO_PASSWORD)).status_code == 200


@pytest.fixture
def slow_checks(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Semaphore]:
    """Password checks that wait until the test lets them finish; each one announces itself."""
    finish, started = threading.Event(), threading.Semaphore(0)
    real = principal.password_matches

    def held(password_hash: str | None, password: str) -> bool:
        started.release()
        finish.wait(timeout=30)
        return real(password_hash, password)

    monkeypatch.setattr(principal, "password_matches", held)
    return finish, started


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def test_password_checks_run_two_at_a_time_and_a_flood_beyond_the_queue_is_refused(
    hall: RunningHall, slow_checks: tuple[threading.Event, threading.Semaphore]
) -> None:
    finish, started = slow_checks
    checks = guard(hall).checks = PasswordChecks(slots=2, queue=3)
    staff = ["1001", "1002", "1003", "1004", "2001"]
    first = [
        asyncio.create_task(login_from(hall, f"127.0.0.{30 + n}", no, DEMO_PASSWORD))
        for n, no in enumerate(staff)
    ]
    await asyncio.wait_for(_until(lambda: checks.admitted == 5), timeout=20)
    assert started.acquire(timeout=5) and started.acquire(timeout=5)

    flood = await login_from(hall, "127.0.0.40", "kiosk1", DEMO_PASSWORD)
    assert error(flood) == (503, "sign_in_busy", {"retry_after_s": 1})
    assert flood.headers["Retry-After"] == "1"
    assert not started.acquire(blocking=False)  # two checks ran; three waited their turn

    finish.set()
    answers = await asyncio.wait_for(asyncio.gather(*first), timeout=20)
    assert [a.status_code for a in answers] == [200] * 5
    assert checks.admitted == 0
    assert (await login_from(hall, "127.0.0.40", "kiosk1", DEMO_PASSWORD)).status_code == 200


async def test_the_morning_rush_from_one_office_queues_and_everyone_signs_in(
    hall: RunningHall,
) -> None:
    """Twelve sign-ins at once through one address (a proxy, a NAT): all succeed."""
    staff = ["1001", "1002", "1003", "1004", "2001", "kiosk1"] * 2
    answers = await asyncio.gather(
        *(login_from(hall, "127.0.0.1", no, DEMO_PASSWORD) for no in staff)
    )
    assert [a.status_code for a in answers] == [200] * 12


@pytest.mark.parametrize(
    ("rule", "failures", "wait"),
    [
        (PAIR, 4, timedelta(0)),
        (PAIR, 5, timedelta(minutes=1)),
        (PAIR, 6, timedelta(minutes=2)),
        (PAIR, 8, timedelta(minutes=8)),
        (PAIR, 9, timedelta(minutes=15)),
        (PAIR, 10_000, timedelta(minutes=15)),
        (SOURCE, 29, timedelta(0)),
        (SOURCE, 30, timedelta(seconds=30)),
        (SOURCE, 35, timedelta(minutes=15)),
        (ACCOUNT, 19, timedelta(0)),
        (ACCOUNT, 20, timedelta(seconds=10)),
        (ACCOUNT, 22, timedelta(seconds=40)),
        (ACCOUNT, 500, timedelta(minutes=1)),  # however many guesses: a minute at most
    ],
)
def test_the_wait_grows_with_each_wrong_password_up_to_its_cap(
    rule: Backoff, failures: int, wait: timedelta
) -> None:
    assert rule.wait_after(failures) == wait
