"""The async client of the hall service: one typed method per endpoint.

Every POST carries an Idempotency-Key; after a dropped connection the same request is sent again
with the same key, so it happens once. Refusals come back as typed errors carrying the server's
code and message. No Textual here: the workstation, the kiosk simulator and the benchmarks share
this client.
"""

from __future__ import annotations

import asyncio
import ssl
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError, HallUnreachable, error_for

if TYPE_CHECKING:
    from clerkdesk.api import report_schemas as rw

M = TypeVar("M", bound=BaseModel)
Sleep = Callable[[float], Awaitable[None]]
RETRY_DELAYS = (0.05, 0.25, 1.0)

_tickets = TypeAdapter(list[w.TicketOut])
_windows = TypeAdapter(list[w.WindowOut])


def new_key() -> str:
    return uuid.uuid4().hex


@cache
def _verified_tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()  # httpx's own default: certifi's CAs, SSL_CERT_* honoured


def tls_for(base_url: str) -> ssl.SSLContext | bool:
    """What to pass as httpx's `verify`: one verified TLS context per process for https (httpx
    would load the CA bundle again for every client: 60-100 ms each, every stream reconnect);
    nothing to verify for plain http (the embedded hall, a hall on the LAN)."""
    return _verified_tls() if base_url.lower().startswith("https://") else False


class HallClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._retry_delays = retry_delays
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": "clerkdesk"},
            verify=tls_for(self.base_url),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> HallClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # --- transport -------------------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> httpx.Response:
        headers = self.auth_headers()
        if method in ("POST", "DELETE"):
            headers["Idempotency-Key"] = key or new_key()
        attempts = len(self._retry_delays) + 1
        for attempt in range(attempts):
            try:
                response = await self._http.request(
                    method, path, json=json, params=params, headers=headers
                )
            except httpx.TransportError as exc:
                if attempt == attempts - 1:
                    raise HallUnreachable(_describe(exc, self.base_url)) from exc
                await self._sleep(self._retry_delays[attempt])
                continue
            if response.status_code >= 400:
                raise _refusal(response)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def _get(self, path: str, model: type[M], **params: Any) -> M:
        response = await self._send("GET", path, params=_drop_none(params))
        return model.model_validate_json(response.content)

    async def _post(
        self, path: str, model: type[M], body: BaseModel | None = None, key: str | None = None
    ) -> M:
        payload = body.model_dump(mode="json") if body is not None else {}
        response = await self._send("POST", path, json=payload, key=key)
        return model.model_validate_json(response.content)

    # --- health and sign-in ----------------------------------------------------------------

    async def health(self) -> w.Health:
        return await self._get("/healthz", w.Health)

    async def clock(self) -> w.HallClock:
        """The hall's time and speed: show and count down in it, not the PC's time."""
        return await self._get("/clock", w.HallClock)

    async def login(self, staff_no: str, password: str) -> w.LoginResponse:
        answer = await self._post(
            "/auth/login", w.LoginResponse, w.LoginRequest(staff_no=staff_no, password=password)
        )
        self.token = answer.token
        return answer

    async def logout(self) -> None:
        await self._send("POST", "/auth/logout")
        self.token = None

    async def me(self) -> w.MeOut:
        return await self._get("/me", w.MeOut)

    async def ping(self) -> w.Health:
        return await self._get("/ping", w.Health)

    # --- hall and windows ------------------------------------------------------------------

    async def hall(self) -> w.HallOut:
        return await self._get("/hall", w.HallOut)

    async def windows(self) -> list[w.WindowOut]:
        response = await self._send("GET", "/windows")
        return _windows.validate_json(response.content)

    async def sign_in(
        self, window: int, force: bool = False, key: str | None = None
    ) -> w.WindowSessionOut:
        return await self._post(
            f"/windows/{window}/sign-in", w.WindowSessionOut, w.WindowSignIn(force=force), key
        )

    async def sign_out(self, window: int, key: str | None = None) -> w.WindowOut:
        return await self._post(f"/windows/{window}/sign-out", w.WindowOut, key=key)

    async def pause(self, window: int, key: str | None = None) -> w.WindowOut:
        return await self._post(f"/windows/{window}/pause", w.WindowOut, key=key)

    async def resume(self, window: int, key: str | None = None) -> w.WindowOut:
        return await self._post(f"/windows/{window}/resume", w.WindowOut, key=key)

    async def queue(self, window: int) -> w.QueueOut:
        return await self._get(f"/windows/{window}/queue", w.QueueOut)

    async def counter(self, window: int) -> w.CounterState:
        return await self._get(f"/windows/{window}/counter", w.CounterState)

    # --- tickets ---------------------------------------------------------------------------

    async def issue(
        self,
        service: str,
        priority: w.Priority = w.Priority.normal,
        appointment_at: datetime | None = None,
        notes: str = "",
        key: str | None = None,
    ) -> w.TicketOut:
        body = w.IssueTicket(
            service=service, priority=priority, appointment_at=appointment_at, notes=notes
        )
        return await self._post("/tickets", w.TicketOut, body, key)

    async def call_next(self, window: int, key: str | None = None) -> w.TicketOut:
        return await self._post(f"/windows/{window}/call-next", w.TicketOut, key=key)

    async def call_ticket(
        self, window: int, ticket: str, reason: str = "", key: str | None = None
    ) -> w.TicketOut:
        body = w.CallSpecific(ticket=ticket, reason=reason)
        return await self._post(f"/windows/{window}/call", w.TicketOut, body, key)

    async def recall(self, ticket_id: int, key: str | None = None) -> w.TicketOut:
        return await self._post(f"/tickets/{ticket_id}/recall", w.TicketOut, key=key)

    async def start(self, ticket_id: int, key: str | None = None) -> w.TicketOut:
        return await self._post(f"/tickets/{ticket_id}/start", w.TicketOut, key=key)

    async def complete(
        self,
        ticket_id: int,
        outcome: w.Outcome = w.Outcome.done,
        notes: str = "",
        key: str | None = None,
    ) -> w.TicketOut:
        body = w.Complete(outcome=outcome, notes=notes)
        return await self._post(f"/tickets/{ticket_id}/complete", w.TicketOut, body, key)

    async def no_show(self, ticket_id: int, reason: str, key: str | None = None) -> w.TicketOut:
        body = w.NoShow(reason=reason)
        return await self._post(f"/tickets/{ticket_id}/no-show", w.TicketOut, body, key)

    async def park(
        self,
        ticket_id: int,
        position: w.QueuePosition = w.QueuePosition.back,
        reason: str = "",
        key: str | None = None,
    ) -> w.TicketOut:
        body = w.Park(position=position, reason=reason)
        return await self._post(f"/tickets/{ticket_id}/park", w.TicketOut, body, key)

    async def cancel(self, ticket_id: int, reason: str, key: str | None = None) -> w.TicketOut:
        body = w.Cancel(reason=reason)
        return await self._post(f"/tickets/{ticket_id}/cancel", w.TicketOut, body, key)

    async def reinstate(self, ticket_id: int, reason: str, key: str | None = None) -> w.TicketOut:
        """A no-show came back: to the front of the queue again (within the hall's policy)."""
        body = w.Reinstate(reason=reason)
        return await self._post(f"/tickets/{ticket_id}/reinstate", w.TicketOut, body, key)

    async def ticket(self, ticket_id: int) -> w.TicketDetail:
        """The ticket with its chain of hand-offs and the citizen's time in the hall."""
        return await self._get(f"/tickets/{ticket_id}", w.TicketDetail)

    async def ticket_by_code(self, code: str) -> w.TicketOut:
        """Today's ticket with this code (A023): the number a citizen holds up at the counter."""
        return await self._get(f"/tickets/by-code/{quote(code.strip(), safe='')}", w.TicketOut)

    async def tickets_today(self, status: w.TicketStatus | None = None) -> list[w.TicketOut]:
        params = {"status": status.value} if status else None
        response = await self._send("GET", "/tickets", params=params)
        return _tickets.validate_json(response.content)

    # --- the duty lead's hall: monitor and tide windows (issue 13) -------------------------

    async def hall_monitor(self) -> w.HallMonitorOut:
        return await self._get("/hall/monitor", w.HallMonitorOut)

    async def hall_day_report(self, local_date: date) -> rw.DayReportOut:
        """The day report of one service day (leads and admins)."""
        from clerkdesk.api import report_schemas as rw  # its models only when asked for

        return await self._get(f"/hall/day-report/{local_date.isoformat()}", rw.DayReportOut)

    async def open_tide(
        self,
        window: int,
        services: list[str],
        reason: str,
        until: datetime | None = None,
        clerk: str | None = None,
        key: str | None = None,
    ) -> w.TideOut:
        body = w.OpenTide(services=services, until=until, reason=reason, clerk=clerk)
        return await self._post(f"/windows/{window}/tide", w.TideOut, body, key)

    async def end_tide(self, window: int, key: str | None = None) -> w.TideOut:
        response = await self._send("DELETE", f"/windows/{window}/tide", key=key)
        return w.TideOut.model_validate_json(response.content)

    # --- hand-offs between departments (转办) ---------------------------------------------

    async def hand_off(
        self,
        ticket_id: int,
        note: str,
        *,
        service: str | None = None,
        window: int | None = None,
        staff_no: str | None = None,
        key: str | None = None,
    ) -> w.HandOffAnswer:
        """To another department's service, a window or a clerk, with the required note."""
        body = w.HandOff(service=service, window=window, staff_no=staff_no, note=note)
        return await self._post(f"/tickets/{ticket_id}/hand-off", w.HandOffAnswer, body, key)

    async def send_back(
        self, ticket_id: int, reason: str, key: str | None = None
    ) -> w.HandOffAnswer:
        body = w.SendBack(reason=reason)
        return await self._post(f"/tickets/{ticket_id}/send-back", w.HandOffAnswer, body, key)

    async def back_to_me(self, ticket_id: int, key: str | None = None) -> w.HandOffAnswer:
        """Ask a case you handed off back: it returns to your window when they finish it."""
        return await self._post(f"/tickets/{ticket_id}/back-to-me", w.HandOffAnswer, key=key)

    async def hand_offs(self) -> w.HandOffWatch:
        """The duty lead's watch: open hand-offs and today's (their department's)."""
        return await self._get("/hand-offs", w.HandOffWatch)

    async def my_hand_offs(self) -> w.MyHandOffs:
        """The cases this clerk handed off today (and any still open), and those away now."""
        return await self._get("/me/hand-offs", w.MyHandOffs)

    async def day_report(self) -> w.SameDayCompletion:
        """Same-day completion (当日办结) of the service day."""
        return await self._get("/reports/day", w.SameDayCompletion)


def _drop_none(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _refusal(response: httpx.Response) -> ApiError:
    try:
        body = w.ErrorResponse.model_validate_json(response.content).error
    except ValidationError:
        text = response.text[:200] or response.reason_phrase
        return error_for(response.status_code, f"http_{response.status_code}", text, {})
    return error_for(response.status_code, body.code, body.message, dict(body.params))


def _describe(exc: httpx.TransportError, base_url: str) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"cannot reach the hall service at {base_url}"
    if isinstance(exc, httpx.TimeoutException):
        return f"the hall service at {base_url} did not answer in time"
    return f"the connection to {base_url} dropped ({type(exc).__name__})"
