from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import principal as auth
from clerkdesk.hall.errors import HallError
from clerkdesk.hall.routes.deps import HallDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.store.models import Hall, Staff, WindowSession
from clerkdesk.hall.wire import session_out, staff_out

router = RouteTable(tags=["sign-in"])


@router.post("/auth/login", response_model=w.LoginResponse)
def login(body: w.LoginRequest, hall: HallDep) -> w.LoginResponse:
    now = hall.clock.now()
    refusal: HallError | None = None
    with hall.session(write=False) as session, session.begin():
        password_hash = auth.stored_password_hash(session, body.staff_no)
    password_ok = auth.password_matches(password_hash, body.password)
    # A wrong password is refused but still counted: the transaction commits either way.
    with hall.session(write=True) as session, session.begin():
        try:
            token, staff, expires = auth.login(session, body.staff_no, password_ok, now)
        except HallError as exc:
            refusal = exc
        else:
            answer = w.LoginResponse(
                token=token, expires_at=expires, staff=staff_out(session, staff)
            )
    if refusal is not None:
        raise refusal
    return answer


@router.post("/auth/logout", status_code=204)
def logout(hall: HallDep, token: TokenDep) -> None:
    now = hall.clock.now()
    with hall.session(write=True) as session, session.begin():
        auth.logout(session, token, now)


def _me(session: Session, who: auth.Principal, _now: datetime) -> w.MeOut:
    hall_row = session.get_one(Hall, who.hall_id)
    mine = session.scalars(
        select(WindowSession).where(
            WindowSession.staff_id == who.staff_id, WindowSession.ended_at.is_(None)
        )
    ).one_or_none()
    return w.MeOut(
        staff=staff_out(session, session.get_one(Staff, who.staff_id)),
        hall=hall_row.code,
        hall_name=hall_row.name,
        timezone=hall_row.timezone,
        session=session_out(session, mine) if mine else None,
        token_expires_at=who.token_expires_at,
    )


@router.get("/me", response_model=w.MeOut)
def me(hall: HallDep, token: TokenDep) -> w.MeOut:
    return hall.read(token, _me)


@router.get("/ping", response_model=w.Health)
def ping(hall: HallDep, token: TokenDep) -> w.Health:
    """A trivial authenticated answer: the HTTP floor the load benchmark compares against."""
    return hall.read(
        token,
        lambda _s, _who, now: w.Health(
            status="ok", version=hall.version, database=hall.engine.dialect.name, now=now
        ),
    )
