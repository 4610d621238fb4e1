from __future__ import annotations

from datetime import datetime

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import principal as auth
from clerkdesk.hall.access.me import me_of
from clerkdesk.hall.access.sign_in import (
    SignInGuard,
    too_many_tries,
    wrong_password,
)
from clerkdesk.hall.access.throttle import HeldBack
from clerkdesk.hall.routes.deps import HallDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.unit_of_work import HallContext
from clerkdesk.hall.wire import staff_out

router = RouteTable(tags=["sign-in"])


def _stored_hash(hall: HallContext, staff_no: str) -> str | None:
    with hall.session(write=False) as session, session.begin():
        return auth.stored_password_hash(session, staff_no)


def _issue_token(hall: HallContext, staff_no: str, now: datetime) -> w.LoginResponse | None:
    with hall.session(write=True) as session, session.begin():
        issued = auth.login(session, staff_no, now)
        if issued is None:
            return None
        token, staff, expires = issued
        return w.LoginResponse(token=token, expires_at=expires, staff=staff_out(session, staff))


@router.post("/auth/login", response_model=w.LoginResponse)
async def login(body: w.LoginRequest, request: Request, hall: HallDep) -> w.LoginResponse:
    """Sign in. A wrong password or an unknown staff number: 401 `bad_credentials` with
    `tries_left` (and, when it starts a wait, `retry_after_s`, `retry_after_min`); while the wait
    lasts: 429 `too_many_tries`; too many sign-ins at once: 503 `sign_in_busy`. Every wait also
    comes as `Retry-After`."""
    guard: SignInGuard = request.app.state.sign_in
    now = hall.clock.now()
    source = request.client.host if request.client else "unknown"
    try:
        attempt = guard.throttle.admit(source, body.staff_no, now)
    except HeldBack as held:
        raise too_many_tries(held.wait) from None
    try:
        # The hash is read in its own short transaction: the slow argon2 check then runs
        # outside any transaction, so sign-ins at the morning rush never hold the database.
        password_hash = await run_in_threadpool(_stored_hash, hall, body.staff_no)
        password_ok = await guard.checks.run(
            lambda: auth.password_matches(password_hash, body.password)
        )
        answer = None  # a wrong password writes nothing (no write transaction to wait for)
        if password_ok:
            answer = await run_in_threadpool(_issue_token, hall, body.staff_no, now)
        if answer is None:
            raise wrong_password(guard.throttle.failed(attempt, now))
        guard.throttle.succeeded(attempt)
        return answer
    finally:
        guard.throttle.release(attempt)  # nothing once settled; else the try did not count


@router.post("/auth/logout", status_code=204)
def logout(hall: HallDep, token: TokenDep) -> None:
    now = hall.clock.now()
    with hall.session(write=True) as session, session.begin():
        auth.logout(session, token, now)


@router.get("/me", response_model=w.MeOut)
async def me(hall: HallDep, token: TokenDep) -> Response:
    return await hall.read_soon(token, me_of)


@router.get("/ping", response_model=w.Health)
async def ping(hall: HallDep, token: TokenDep) -> Response:
    """A trivial authenticated answer: the HTTP floor the load benchmark compares against."""
    return await hall.read_soon(
        token,
        lambda _s, _who, now: w.Health(
            status="ok", version=hall.version, database=hall.engine.dialect.name, now=now
        ),
    )
