"""The hall service: a FastAPI application over one database."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from clerkdesk import __version__
from clerkdesk.api.schemas import ErrorBody, ErrorResponse
from clerkdesk.clock import Clock, SystemClock
from clerkdesk.hall.access.sign_in import SignInGuard
from clerkdesk.hall.errors import HallError
from clerkdesk.hall.events.hub import EventHub
from clerkdesk.hall.ledger.jobs import expire_daily
from clerkdesk.hall.monitor.watch import watch_hall
from clerkdesk.hall.ops.metrics import HallMetrics, MetricsMiddleware
from clerkdesk.hall.routes import (
    appointments,
    auth,
    board,
    closing,
    events,
    hall,
    handoffs,
    kiosk,
    ledger,
    monitor,
    ops,
    tickets,
    windows,
)
from clerkdesk.hall.routes.deps import ERRORS
from clerkdesk.hall.rules.ticket_states import IllegalTransition
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.unit_of_work import ANSWERS_KEPT, HallContext, StoredAnswer

log = logging.getLogger(__name__)


@dataclass
class HallSettings:
    database_url: str
    clock: Clock = field(default_factory=SystemClock)
    poll_interval: float = 0.5
    migrate: bool = True
    # /openapi.json, /docs and /redoc answer without a token, so they are off unless asked
    # for (`clerkdesk serve --api-docs`, the demo hall): only login and health are public.
    api_docs: bool = False
    # The hall's watcher (congestion alerts, expired tide windows): seconds between passes.
    watch_every_s: float = 5.0
    # GET /metrics: admins, or this token (`clerkdesk serve --metrics-token`). `metrics=False`
    # leaves out the middleware that counts requests (to measure what it costs).
    metrics_token: str | None = None
    metrics: bool = True
    log_requests: bool = False  # a line per request on `clerkdesk.access` (--log-format json)


def _error(
    status_code: int, code: str, message: str, params: dict[str, Any] | None = None
) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, params=params or {}))
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code)


def _field_name(loc: Sequence[object]) -> str:
    """`reason`, `header.Idempotency-Key`, `path.number`; `body` for the body as a whole (a
    JSON syntax error's location is a character position, not a field)."""
    if len(loc) == 2 and loc[0] == "body" and isinstance(loc[1], int):
        return "body"
    return ".".join(str(part) for part in loc if part != "body") or "body"


EXPECTED_TYPES = {"int_type": "a whole number", "bool_type": "true or false"}
"""Strict body fields (`schemas.Number`, `schemas.Flag`) refused for their JSON type."""


def _wrong_type(errors: Sequence[Any]) -> JSONResponse | None:
    """422 `wrong_type` naming the first body field given a value of the wrong JSON type (a
    string or a boolean for a number, a string or a number for a flag), else None."""
    for err in errors:
        loc = err.get("loc", ())
        expected = EXPECTED_TYPES.get(err.get("type", ""))
        if expected is None or not loc or loc[0] != "body":
            continue
        name = _field_name(loc)
        given = json.dumps(err.get("input"), default=str, ensure_ascii=False)
        given = given if len(given) <= 40 else f"{given[:37]}..."
        return _error(
            422,
            "wrong_type",
            f"{name} must be {expected} in JSON, not {given}: correct it and send again.",
            {"field": name, "expected": expected},
        )
    return None


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HallError)
    async def hall_error(_request: Request, exc: HallError) -> Response:
        response = _error(exc.status_code, exc.code, exc.message, exc.params)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(IllegalTransition)
    async def illegal(_request: Request, exc: IllegalTransition) -> Response:
        return _error(
            409,
            "illegal_transition",
            f"The ticket is {exc.current}: you cannot {exc.action.value} it now.",
            {"current": exc.current, "action": exc.action.value},
        )

    @app.exception_handler(StoredAnswer)
    async def stored(_request: Request, exc: StoredAnswer) -> Response:
        return Response(
            exc.body,
            status_code=exc.status_code,
            media_type="application/json",
            headers={"Idempotent-Replay": "true"},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> Response:
        wrong_type = _wrong_type(exc.errors())
        if wrong_type is not None:
            return wrong_type
        problems = [
            {
                "field": _field_name(err.get("loc", ())),
                "problem": err.get("msg", "invalid"),
            }
            for err in exc.errors()
        ]
        first = problems[0] if problems else {"field": "?", "problem": "invalid"}
        return _error(
            422,
            "invalid_input",
            f"{first['field']}: {first['problem']}. Correct it and send again.",
            {"problems": problems},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's own refusals (unreadable body, unknown path, wrong method) in our shape.
        hint = {
            400: "send the body as UTF-8 JSON with Content-Type: application/json",
            404: f"there is no {request.url.path} here; check the address (the API is "
            "described at /docs when the service runs with --api-docs)",
            405: f"{request.method} is not allowed on {request.url.path}; check the method",
        }.get(exc.status_code, "check the request and send it again")
        response = _error(exc.status_code, f"http_{exc.status_code}", f"{exc.detail}: {hint}.")
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(DataError)
    async def unstorable(_request: Request, exc: DataError) -> Response:
        # A last line: input validation should have refused the value with its field's name.
        log.warning("value the database refused: %s", exc)
        return _error(
            422,
            "invalid_input",
            "A value cannot be stored (a NUL character, or a number out of range): "
            "correct it and send again.",
        )

    @app.exception_handler(IntegrityError)
    async def integrity(_request: Request, exc: IntegrityError) -> Response:
        log.warning("integrity conflict: %s", exc)
        return _error(
            409, "conflict", "Someone else changed this at the same moment: reload and try again."
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _exc: Exception) -> Response:
        # Anything else is a defect: the answer is still JSON with a stable code, never
        # Starlette's plain-text page. The server re-raises afterwards, and logs the traceback.
        return _error(
            500,
            "internal_error",
            "The hall service failed on this request: try again; if it fails again, tell the "
            "admin the time (the server's log has the details).",
        )

    @app.exception_handler(OperationalError)
    async def database_down(_request: Request, exc: OperationalError) -> Response:
        log.error("database error: %s", exc)
        return _error(
            503,
            "database_unavailable",
            "The hall database is not answering: nothing was changed; try again shortly.",
        )


FIRST_HOUSEKEEPING_S = 60.0


async def _forget_old_answers(context: HallContext) -> None:
    """Retries come within seconds; remembered answers older than a day are dropped hourly. The
    first pass waits a minute: a start has more pressing work (a workstation on the embedded
    hall is signing in)."""
    await asyncio.sleep(FIRST_HOUSEKEEPING_S)
    while True:
        try:
            await asyncio.to_thread(
                context.forget_answers_before, context.clock.now() - ANSWERS_KEPT
            )
        except Exception:  # the database may be briefly away; next hour will do
            log.exception("could not drop old idempotent answers")
        await asyncio.sleep(3600)


def create_app(settings: HallSettings) -> FastAPI:
    engine = make_engine(settings.database_url)
    if settings.migrate:
        migrate.upgrade(engine)
    hub = EventHub(engine, poll_interval=settings.poll_interval)
    context = HallContext(engine, settings.clock, hub, __version__)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        housekeeping = asyncio.create_task(_forget_old_answers(context), name="housekeeping")
        expiry = asyncio.create_task(expire_daily(context), name="leave-expiry")
        watcher = asyncio.create_task(
            watch_hall(context, settings.watch_every_s), name="hall-watcher"
        )
        try:
            yield
        finally:
            watcher.cancel()
            expiry.cancel()
            housekeeping.cancel()
            await hub.stop()
            # A cancelled task's `asyncio.to_thread` job (the hub's read, the watcher's, the
            # expiry's) runs on to its end and only then gives its connection back: disposed
            # before that, the engine's old pool kept it open, and the SQLite file stayed in use
            # after the hall had stopped (`clerkdesk admin restore` said "stop it first", about
            # one time in seven in tests/test_backup.py).
            # The same for the reads of `read_soon`, on the hall's own threads (first: the
            # default executor takes no new job once shut down).
            await asyncio.to_thread(context.wait_for_readers)
            await asyncio.get_running_loop().shutdown_default_executor()
            engine.dispose()

    app = FastAPI(
        title="ClerkDesk hall service",
        version=__version__,
        lifespan=lifespan,
        description="Tickets, windows, staff sign-in and live events of a service centre.",
        openapi_url="/openapi.json" if settings.api_docs else None,
        docs_url="/docs" if settings.api_docs else None,
        redoc_url="/redoc" if settings.api_docs else None,
    )
    app.state.hall = context
    app.state.sign_in = SignInGuard()
    app.state.metrics = metrics = HallMetrics(context, settings.metrics_token)
    if settings.metrics or settings.log_requests:
        app.add_middleware(MetricsMiddleware, metrics=metrics, log_requests=settings.log_requests)
    _install_error_handlers(app)
    errors = ERRORS if settings.api_docs else None  # what they add is documentation
    for module in (hall, auth, windows, tickets, handoffs, events, closing, ledger, ops, monitor):
        module.router.install(app, errors=errors)
    kiosk.router.install(app, errors=errors)  # issue 15: the kiosk's reads, ticket status links
    appointments.router.install(app, errors=errors)  # issue 15: 预约 and 好差评
    board.router.install(app, errors=errors)  # the hall board (叫号屏)
    return app
