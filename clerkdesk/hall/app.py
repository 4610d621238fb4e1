"""The hall service: a FastAPI application over one database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError

from clerkdesk import __version__
from clerkdesk.api.schemas import ErrorBody, ErrorResponse
from clerkdesk.clock import Clock, SystemClock
from clerkdesk.hall import migrate
from clerkdesk.hall.context import HallContext, StoredAnswer
from clerkdesk.hall.db import make_engine
from clerkdesk.hall.errors import HallError
from clerkdesk.hall.event_hub import EventHub
from clerkdesk.hall.routes import auth, events, hall, tickets, windows
from clerkdesk.hall.rules.ticket_states import IllegalTransition

log = logging.getLogger(__name__)


@dataclass
class HallSettings:
    database_url: str
    clock: Clock = field(default_factory=SystemClock)
    poll_interval: float = 0.5
    migrate: bool = True


def _error(
    status_code: int, code: str, message: str, params: dict[str, Any] | None = None
) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, params=params or {}))
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code)


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
        problems = [
            {
                "field": ".".join(str(part) for part in err.get("loc", ()) if part != "body"),
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

    @app.exception_handler(IntegrityError)
    async def integrity(_request: Request, exc: IntegrityError) -> Response:
        log.warning("integrity conflict: %s", exc)
        return _error(
            409, "conflict", "Someone else changed this at the same moment: reload and try again."
        )

    @app.exception_handler(OperationalError)
    async def database_down(_request: Request, exc: OperationalError) -> Response:
        log.error("database error: %s", exc)
        return _error(
            503,
            "database_unavailable",
            "The hall database is not answering: nothing was changed; try again shortly.",
        )


def create_app(settings: HallSettings) -> FastAPI:
    engine = make_engine(settings.database_url)
    if settings.migrate:
        migrate.upgrade(engine)
    hub = EventHub(engine, poll_interval=settings.poll_interval)
    context = HallContext(engine, settings.clock, hub, __version__)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            engine.dispose()

    app = FastAPI(
        title="ClerkDesk hall service",
        version=__version__,
        lifespan=lifespan,
        description="Tickets, windows, staff sign-in and live events of a service centre.",
    )
    app.state.hall = context
    _install_error_handlers(app)
    for module in (hall, auth, windows, tickets, events):
        app.include_router(module.router)
    return app
