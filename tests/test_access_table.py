"""Who gets what: every route of the OpenAPI document × every kind of caller → the HTTP status.

Friday 2026-12-11 at 09:00 in the demo hall, over real HTTP (uvicorn on 127.0.0.1). The callers:

- own:   李华 (1001), clerk of 不动产登记 at window 1: the tickets and requests are hers
- other: 陈明 (1003), clerk of 市场监管, signed in at window 3
- lead:  张伟 (2001), the hall's duty lead (no department: the whole hall), at no window
- kiosk: the hall's ticket kiosk
- board: the hall board over the counters (叫号屏): what the kiosk gets, except where `BOARD` says
- admin: the hall's admin
- none:  no token at all
- out:   刘洋 (1004)'s token after he signed out

Each route's scene makes the request meaningful (a body that is valid, ids that exist, a ticket in
the state the action needs), so that the status says who may, not what was malformed. A hall that
answered a write with success is replaced by a fresh one before the next caller.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api.appointments import AppointmentsClient
from clerkdesk.api.client import HallClient, tls_for
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.kiosk import KioskClient
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.clock import ManualClock
from clerkdesk.demo import DEMO_PASSWORD
from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import Appointment, Staff
from tests.conftest import RunningHall, local, start_hall, stop_soon

WHO = ("own", "other", "lead", "kiosk", "admin", "none", "out")
SIGNED_IN = {
    "own": "1001",
    "other": "1003",
    "lead": "2001",
    "kiosk": "kiosk1",
    "admin": "admin",
    "board": "board1",
}


@dataclass
class Scene:
    """A fresh demo hall with everyone signed in; the route's own preparation adds the rest."""

    hall: RunningHall
    clients: dict[str, HallClient]
    tokens: dict[str, str | None]
    params: dict[str, Any]

    @property
    def li_hua(self) -> HallClient:
        return self.clients["own"]

    @property
    def kiosk(self) -> HallClient:
        return self.clients["kiosk"]


Prepare = Callable[[Scene], Awaitable[Any]]


async def nothing(_s: Scene) -> None:
    return None


async def waiting_ticket(s: Scene) -> None:
    s.params["ticket"] = await s.kiosk.issue("bdc-transfer")  # A001, 不动产登记
    s.params["ticket_id"] = s.params["ticket"].id


async def called_ticket(s: Scene) -> None:
    await waiting_ticket(s)
    await s.li_hua.call_next(1)
    s.hall.clock.advance(seconds=10)  # past the minimum interval between calls (a recall)


async def recalled_ticket(s: Scene) -> None:
    """Called, recalled once and a minute gone: the demo hall's policy lets a no-show be marked."""
    await called_ticket(s)
    await s.li_hua.recall(s.params["ticket_id"])
    s.hall.clock.advance(seconds=60)


async def no_show_ticket(s: Scene) -> None:
    await recalled_ticket(s)
    await s.li_hua.no_show(s.params["ticket_id"], "did not come")
    s.hall.clock.advance(seconds=60)  # came back a minute later: within the policy's minutes


async def serving_ticket(s: Scene) -> None:
    await called_ticket(s)
    await s.li_hua.start(s.params["ticket_id"])


async def handed_to_li_hua(s: Scene) -> None:
    """陈明 (window 3) hands a licence case to window 1; 李华 calls it there."""
    s.params["ticket"] = await s.kiosk.issue("biz-license")  # D001, 市场监管
    s.params["ticket_id"] = s.params["ticket"].id
    await s.clients["other"].call_next(3)
    await s.clients["other"].hand_off(s.params["ticket_id"], "缺不动产证明", window=1)
    await s.li_hua.call_next(1)


async def handed_off_by_li_hua(s: Scene) -> None:
    """李华 hands the case at window 1 to 市场监管's licence service (window 3)."""
    await serving_ticket(s)
    await s.li_hua.hand_off(s.params["ticket_id"], "需办营业执照", service="biz-license")


async def extension_request(s: Scene) -> None:
    asked = await ClosingClient(s.li_hua).request_extension(1, 20, "群众等候")
    s.params["extension_id"] = asked.id


async def overrun(s: Scene) -> None:
    await waiting_ticket(s)
    s.hall.clock.set(local("2026-12-11 17:15"))
    await s.li_hua.call_next(1)
    await s.li_hua.start(s.params["ticket_id"])
    s.hall.clock.set(local("2026-12-11 17:40"))
    await s.li_hua.complete(s.params["ticket_id"])
    closed = await ClosingClient(s.li_hua).close_window(1)
    assert closed.overrun is not None
    s.params["overrun_id"] = closed.overrun.id


async def claim(s: Scene) -> None:
    """李华 claims an hour before opening (back-office work); nobody has decided it."""
    asked = await LedgerClient(s.li_hua).claim(
        local("2026-12-11 08:00"), local("2026-12-11 09:00"), "整理档案"
    )
    s.params["claim_id"] = asked.id


async def leave_request(s: Scene) -> None:
    """李华's claim approved by 张伟 (an hour of credit), then half an hour of leave asked."""
    await claim(s)
    await LedgerClient(s.clients["lead"]).approve_claim(s.params["claim_id"])
    asked = await LedgerClient(s.li_hua).request_leave(date(2026, 12, 14), hours=0.5)
    s.params["request_id"] = asked.id


async def status_link(s: Scene) -> None:
    """The kiosk printed A001: its QR code's status link (issue 15)."""
    await waiting_ticket(s)
    slip = await KioskClient(s.kiosk).slip(s.params["ticket_id"])
    s.params["token"] = slip.status_path.removeprefix("/t/")


async def booking(s: Scene) -> None:
    """The city's app booked 不动产转移登记 at 09:00 today for a citizen; its code is 424242."""
    booked = await AppointmentsClient(s.kiosk).book(
        "bdc-transfer", local("2026-12-11 09:00"), "13800138000", "周敏"
    )
    s.params["appointment_id"] = booked.id
    engine = make_engine(s.hall.database_url)
    try:
        with Session(engine) as session, session.begin():
            session.get_one(Appointment, booked.id).code = "424242"
    finally:
        engine.dispose()


async def done_ticket(s: Scene) -> None:
    await serving_ticket(s)
    await s.li_hua.complete(s.params["ticket_id"])


async def tide_window(s: Scene) -> None:
    """张伟 has re-pointed window 1 to 不动产登记查询 as well (a tide window)."""
    await s.clients["lead"].open_tide(1, ["bdc-query"], "查询排队")


@dataclass(frozen=True)
class Case:
    prepare: Prepare
    expected: tuple[int, int, int, int, int, int, int]  # in the order of WHO
    body: dict[str, Any] | None = None
    params: dict[str, Any] | None = None


def case(
    expected: tuple[int, int, int, int, int, int, int],
    prepare: Prepare = nothing,
    body: dict[str, Any] | None = None,
    **params: Any,
) -> Case:
    return Case(prepare, expected, body, params)


ALL = (200, 200, 200, 200, 200, 401, 401)  # any signed-in caller
PUBLIC = (200,) * 7
HOLDER = (200, 403, 403, 403, 403, 401, 401)  # only the clerk at the window
WATCH = (200, 403, 200, 403, 200, 401, 401)  # the holder and whoever oversees the window
AT_COUNTER = (200, 404, 403, 403, 403, 401, 401)  # another department: as if no such ticket
DECIDE = (403, 403, 200, 403, 200, 401, 401)
DECIDE_LEAVE = (403, 404, 200, 404, 200, 401, 401)  # not one's own; others: no such request

# fmt: off
TABLE: dict[tuple[str, str], Case] = {
    #                                                    own  other lead kiosk admin none out
    ("GET", "/healthz"):                            case(PUBLIC),
    ("POST", "/auth/login"):                        case(PUBLIC, body={"staff_no": "1002", "password": "demo"}),  # noqa: E501
    ("POST", "/auth/logout"):                       case((204, 204, 204, 204, 204, 401, 204)),
    ("GET", "/me"):                                 case(ALL),
    ("GET", "/ping"):                               case(ALL),
    ("GET", "/hall"):                               case(ALL),
    ("GET", "/windows"):                            case(ALL),
    ("POST", "/windows/{number}/sign-in"):          case((200, 403, 200, 403, 403, 401, 401), body={"force": False}, number=2),  # noqa: E501
    ("POST", "/windows/{number}/sign-out"):         case(HOLDER, number=1),
    ("POST", "/windows/{number}/pause"):            case(HOLDER, number=1),
    ("POST", "/windows/{number}/resume"):           case(HOLDER, number=1),
    ("POST", "/windows/{number}/call-next"):        case(HOLDER, waiting_ticket, number=1),
    ("POST", "/windows/{number}/call"):             case(HOLDER, waiting_ticket, body={"ticket": "A001"}, number=1),  # noqa: E501
    ("GET", "/windows/{number}/queue"):             case(WATCH, number=1),
    ("GET", "/windows/{number}/counter"):           case(WATCH, number=1),
    ("POST", "/tickets"):                           case((403, 403, 201, 201, 201, 401, 401), body={"service": "bdc-transfer"}),  # noqa: E501
    ("GET", "/tickets"):                            case((403, 403, 200, 403, 200, 401, 401)),
    ("GET", "/tickets/{ticket_id}"):                case((200, 404, 200, 200, 200, 401, 401), waiting_ticket),  # noqa: E501
    ("GET", "/tickets/by-code/{code}"):             case((200, 404, 200, 200, 200, 401, 401), waiting_ticket, code="A001"),  # noqa: E501
    ("POST", "/tickets/{ticket_id}/recall"):        case(AT_COUNTER, called_ticket),
    ("POST", "/tickets/{ticket_id}/start"):         case(AT_COUNTER, called_ticket),
    ("POST", "/tickets/{ticket_id}/complete"):      case(AT_COUNTER, serving_ticket, body={"outcome": "done", "notes": ""}),  # noqa: E501
    ("POST", "/tickets/{ticket_id}/no-show"):       case(AT_COUNTER, recalled_ticket, body={"reason": "did not come"}),  # noqa: E501
    ("POST", "/tickets/{ticket_id}/park"):          case(AT_COUNTER, called_ticket, body={"position": "back", "reason": ""}),  # noqa: E501
    ("POST", "/tickets/{ticket_id}/cancel"):        case((200, 404, 200, 403, 200, 401, 401), called_ticket, body={"reason": "duplicate"}),  # noqa: E501
    ("POST", "/tickets/{ticket_id}/reinstate"):     case((200, 404, 200, 403, 200, 401, 401), no_show_ticket, body={"reason": "came back"}),  # noqa: E501
    ("POST", "/tickets/{ticket_id}/hand-off"):      case(AT_COUNTER, serving_ticket, body={"service": "biz-license", "note": "需办营业执照"}),  # noqa: E501
    ("POST", "/tickets/{ticket_id}/send-back"):     case(HOLDER, handed_to_li_hua, body={"reason": "材料不全"}),  # noqa: E501
    ("POST", "/tickets/{ticket_id}/back-to-me"):    case(HOLDER, handed_off_by_li_hua),
    ("GET", "/hand-offs"):                          case(DECIDE),
    ("GET", "/me/hand-offs"):                       case((200, 200, 200, 403, 200, 401, 401)),
    ("GET", "/reports/day"):                        case(DECIDE),
    ("GET", "/clock"):                              case(PUBLIC),
    ("GET", "/events"):                             case(ALL),
    ("GET", "/calendar/today"):                     case(ALL),
    ("GET", "/calendar/days/{local_date}"):         case(ALL, local_date="2026-12-11"),
    ("POST", "/admin/calendar/confirm-year"):       case((403, 403, 403, 403, 200, 401, 401), body={"year": 2027}),  # noqa: E501
    ("GET", "/windows/{number}/closing"):           case(WATCH, number=1),
    ("POST", "/windows/{number}/extensions"):       case((201, 403, 403, 403, 403, 401, 401), body={"minutes": 20, "reason": "群众等候"}, number=1),  # noqa: E501
    ("POST", "/windows/{number}/close"):            case(HOLDER, number=1),
    ("GET", "/extensions"):                         case(ALL),
    ("GET", "/extensions/{extension_id}"):          case((200, 404, 200, 404, 200, 401, 401), extension_request),  # noqa: E501
    ("POST", "/extensions/{extension_id}/approve"): case(DECIDE, extension_request, body={"minutes": 20}),  # noqa: E501
    ("POST", "/extensions/{extension_id}/deny"):    case(DECIDE, extension_request, body={"reason": "2号窗口可接办"}),  # noqa: E501
    ("GET", "/overruns"):                           case(ALL),
    ("POST", "/overruns/{overrun_id}/confirm"):     case(DECIDE, overrun, body={"note": ""}),
    ("POST", "/overruns/{overrun_id}/reject"):      case(DECIDE, overrun, body={"reason": "不认可"}),  # noqa: E501
    ("GET", "/me/leave"):                           case(ALL),
    ("GET", "/staff/{staff_no}/leave"):             case((200, 404, 200, 404, 200, 401, 401), staff_no="1001"),  # noqa: E501
    ("GET", "/leave/balances"):                     case(DECIDE),
    ("GET", "/overtime"):                           case(ALL),
    ("GET", "/overtime/claims"):                    case(ALL),
    ("POST", "/overtime/claims"):                   case((201, 201, 201, 403, 201, 401, 401), body={"starts_at": "2026-12-11T07:00:00+08:00", "ends_at": "2026-12-11T08:00:00+08:00", "reason": "整理档案"}),  # noqa: E501
    ("POST", "/overtime/claims/{claim_id}/approve"): case(DECIDE_LEAVE, claim, body={}),
    ("POST", "/overtime/claims/{claim_id}/deny"):   case(DECIDE_LEAVE, claim, body={"reason": "无记录"}),  # noqa: E501
    ("GET", "/leave-requests"):                     case(ALL),
    ("POST", "/leave-requests"):                    case((201, 409, 409, 403, 409, 401, 401), leave_request, body={"first_date": "2026-12-15", "hours": 0.25}),  # noqa: E501
    ("POST", "/leave-requests/{request_id}/approve"): case(DECIDE_LEAVE, leave_request, body={}),
    ("POST", "/leave-requests/{request_id}/deny"):  case(DECIDE_LEAVE, leave_request, body={"reason": "人手不足"}),  # noqa: E501
    ("POST", "/leave-requests/{request_id}/cancel"): case((200, 404, 403, 404, 200, 401, 401), leave_request, body={}),  # noqa: E501
    ("GET", "/duty-roster"):                        case(ALL),
    ("POST", "/duty-roster"):                       case((403, 403, 201, 403, 201, 401, 401), body={"staff_no": "1001", "date": "2026-12-12"}),  # noqa: E501
    ("GET", "/hall/monitor"):                       case(DECIDE),
    ("GET", "/hall/day-report/{local_date}"):       case(DECIDE, local_date="2026-12-11"),
    ("POST", "/windows/{number}/tide"):             case((403, 403, 201, 403, 201, 401, 401), body={"services": ["bdc-query"], "reason": "查询排队"}, number=1),  # noqa: E501
    ("DELETE", "/windows/{number}/tide"):           case(DECIDE, tide_window, number=1),
    ("GET", "/kiosk/services"):                     case((403, 403, 200, 200, 200, 401, 401)),
    ("GET", "/kiosk/tickets/{ticket_id}/slip"):     case((403, 403, 403, 200, 200, 401, 401), waiting_ticket),  # noqa: E501
    ("GET", "/t/{token}"):                          case(PUBLIC, status_link),  # whoever holds the ticket  # noqa: E501
    ("GET", "/appointments/services"):              case(ALL),
    ("GET", "/appointments/slots"):                 case(ALL, query="?service=hukou"),
    ("GET", "/appointments"):                       case(DECIDE),
    ("POST", "/appointments"):                      case((403, 403, 201, 201, 201, 401, 401), body={"service": "hukou", "start": "2026-12-12T09:00:00+08:00", "phone": "13800138000"}),  # noqa: E501
    ("POST", "/appointments/check-in"):             case((403, 403, 201, 201, 201, 401, 401), booking, body={"code": "424242"}),  # noqa: E501
    ("GET", "/appointments/by-code/{code}"):        case((403, 403, 200, 200, 200, 401, 401), booking, code="424242"),  # noqa: E501
    ("GET", "/appointments/{appointment_id}"):      case((403, 403, 200, 200, 200, 401, 401), booking),  # noqa: E501
    ("POST", "/appointments/{appointment_id}/cancel"): case((403, 403, 200, 200, 200, 401, 401), booking, body={"code": "424242"}),  # noqa: E501
    ("POST", "/tickets/{ticket_id}/rating"):        case((403, 403, 403, 201, 403, 401, 401), done_ticket, body={"score": 5}),  # noqa: E501
    ("GET", "/metrics"):                            case((404, 404, 404, 404, 200, 404, 404)),  # admins (or the scrape token): others, no such route  # noqa: E501
    ("GET", "/board"):                              case(ALL),
}
# fmt: on

# The hall board gets what the kiosk gets (both are the hall's devices, neither is staff), except
# here: it issues no ticket, sees no slots, books, checks in or rates nothing, and no ticket is
# its to look up or act on, answered as if there were no such ticket (it sees numbers on the
# public event stream and in GET /board, never a ticket).
BOARD: dict[tuple[str, str], int] = {
    ("POST", "/tickets"): 403,
    ("GET", "/appointments/services"): 403,
    ("GET", "/appointments/slots"): 403,
    ("POST", "/appointments"): 403,
    ("POST", "/appointments/check-in"): 403,
    ("GET", "/appointments/by-code/{code}"): 403,
    ("GET", "/appointments/{appointment_id}"): 403,
    ("POST", "/appointments/{appointment_id}/cancel"): 403,
    ("POST", "/tickets/{ticket_id}/rating"): 403,
    ("GET", "/kiosk/services"): 403,
    ("GET", "/kiosk/tickets/{ticket_id}/slip"): 403,
    ("GET", "/tickets/{ticket_id}"): 404,
    ("GET", "/tickets/by-code/{code}"): 404,
    **{
        ("POST", f"/tickets/{{ticket_id}}/{action}"): 404
        for action in (
            "recall",
            "start",
            "complete",
            "no-show",
            "park",
            "cancel",
            "hand-off",
            "send-back",
            "back-to-me",
        )
    },
}
CALLERS = (*WHO, "board")


def expected_of(route: tuple[str, str]) -> dict[str, int]:
    expected = dict(zip(WHO, TABLE[route].expected, strict=True))
    expected["board"] = BOARD.get(route, expected["kiosk"])
    return expected


# --- the halls -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A demo hall file in which everyone has signed in already (tokens in its database), 李华
    holds window 1, 陈明 window 3, and 刘洋 has signed out again: each copy starts there."""

    path: Path
    tokens: dict[str, str | None]


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory, _seeded_sqlite_file: Path) -> Template:
    path = tmp_path_factory.mktemp("access") / "hall.sqlite3"
    _copy(_seeded_sqlite_file, path)
    engine = make_engine(sqlite_url(path))
    try:
        with Session(engine) as session, session.begin():
            demo = session.scalars(select(Staff).where(Staff.staff_no == "2001")).one()
            admin = session.scalars(select(Staff).where(Staff.staff_no == "admin")).one()
            admin.password_hash = demo.password_hash
    finally:
        engine.dispose()
    hall = start_hall(sqlite_url(path), ManualClock(local("2026-12-11 09:00")), seeded=True)
    try:
        with httpx.Client(base_url=hall.url, verify=tls_for(hall.url)) as http:

            def post(path: str, token: str | None, body: Any = None) -> Any:
                headers = {"Idempotency-Key": uuid.uuid4().hex}
                if token is not None:
                    headers["Authorization"] = f"Bearer {token}"
                response = http.post(path, json=body, headers=headers)
                assert response.status_code < 300, response.text
                return response.json() if response.content else None

            def login(staff_no: str) -> str:
                body = {"staff_no": staff_no, "password": DEMO_PASSWORD}
                return str(post("/auth/login", None, body)["token"])

            tokens: dict[str, str | None] = {who: login(no) for who, no in SIGNED_IN.items()}
            post("/windows/1/sign-in", tokens["own"], {"force": False})
            post("/windows/3/sign-in", tokens["other"], {"force": False})
            tokens |= {"none": None, "out": login("1004")}
            post("/auth/logout", tokens["out"])
    finally:
        hall.server.stop()
    return Template(path, tokens)


@dataclass
class Halls:
    template: Template
    folder: Path
    started: list[RunningHall]
    clients: list[HallClient]

    async def scene(self, route: Case) -> Scene:
        path = self.folder / f"{uuid.uuid4().hex}.sqlite3"
        _copy(self.template.path, path)
        hall = start_hall(sqlite_url(path), ManualClock(local("2026-12-11 09:00")), seeded=True)
        self.started.append(hall)
        tokens = self.template.tokens
        clients = {who: HallClient(hall.url, token=tokens[who]) for who in SIGNED_IN}
        self.clients.extend(clients.values())
        scene = Scene(hall, clients, tokens, dict(route.params or {}))
        await route.prepare(scene)
        return scene


@pytest.fixture
async def halls(_template: Template, tmp_path: Path) -> AsyncIterator[Halls]:
    made = Halls(_template, tmp_path, [], [])
    yield made
    for client in made.clients:
        await client.aclose()
    for hall in made.started:
        stop_soon(hall)


async def answer(scene: Scene, method: str, path: str, body: Any, who: str) -> int:
    token = scene.tokens[who]
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    url = path.format(**{k: v for k, v in scene.params.items() if k != "ticket"})
    url += scene.params.get("query", "")
    # verify: httpx would build a TLS context (~35 ms of CPU) for each of these plain-HTTP clients
    async with httpx.AsyncClient(
        base_url=scene.hall.url, timeout=10, verify=tls_for(scene.hall.url)
    ) as raw:
        if method == "GET" and path == "/events":  # an endless stream: its answer's start only
            async with raw.stream("GET", url, headers=headers) as response:
                return response.status_code
        response = await raw.request(method, url, json=body, headers=headers)
        return response.status_code


# --- the tests ---------------------------------------------------------------------------------


def test_the_table_covers_every_route_of_the_api(_template: Template, tmp_path: Path) -> None:
    path = tmp_path / "hall.sqlite3"
    _copy(_template.path, path)
    clock = ManualClock(local("2026-12-11 09:00"))
    app = create_app(HallSettings(sqlite_url(path), clock=clock, api_docs=True))
    try:
        document = app.openapi()
    finally:
        app.state.hall.engine.dispose()
    routes = {(m.upper(), p) for p, operations in document["paths"].items() for m in operations}
    assert set(TABLE) - routes == set(), "in the table, not in the API"
    assert routes - set(TABLE) == set(), "routes without an access row: add them to TABLE"
    assert set(BOARD) - set(TABLE) == set(), "the board's exceptions name routes of the table"


# A success that leaves every other caller's scene as it was (a sign-in adds a token, a sign-out
# ends only the caller's own, a kiosk ticket is one more waiting): the hall is kept after it.
KEEPS_THE_SCENE = {("POST", "/auth/login"), ("POST", "/auth/logout"), ("POST", "/tickets")}


@pytest.mark.parametrize("route", list(TABLE), ids=[f"{m} {p}" for m, p in TABLE])
async def test_who_gets_what(route: tuple[str, str], halls: Halls) -> None:
    method, path = route
    row = TABLE[route]
    expected = expected_of(route)
    # The refused first: a success may change what the next caller meets (a fresh hall then).
    order = sorted(CALLERS, key=lambda who: expected[who] < 300)
    scene: Scene | None = None
    got: dict[str, int] = {}
    for who in order:
        if scene is None:
            scene = await halls.scene(row)
        got[who] = await answer(scene, method, path, row.body, who)
        changed = method in ("POST", "DELETE") and got[who] < 300 and route not in KEEPS_THE_SCENE
        if changed:
            scene = None
    assert {who: got[who] for who in CALLERS} == expected
