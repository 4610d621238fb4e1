from __future__ import annotations

from clerkdesk.api import schemas as w
from clerkdesk.hall.access import principal as auth
from clerkdesk.hall.access.me import me_of
from clerkdesk.hall.errors import HallError
from clerkdesk.hall.routes.deps import HallDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable
from clerkdesk.hall.wire import staff_out

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


@router.get("/me", response_model=w.MeOut)
def me(hall: HallDep, token: TokenDep) -> w.MeOut:
    return hall.read(token, me_of)


@router.get("/ping", response_model=w.Health)
def ping(hall: HallDep, token: TokenDep) -> w.Health:
    """A trivial authenticated answer: the HTTP floor the load benchmark compares against."""
    return hall.read(
        token,
        lambda _s, _who, now: w.Health(
            status="ok", version=hall.version, database=hall.engine.dialect.name, now=now
        ),
    )
