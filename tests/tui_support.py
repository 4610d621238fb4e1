"""Helpers for the workstation's Pilot and snapshot tests: an app on a real hall, and waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from textual.pilot import Pilot

from clerkdesk.app import AutoSignIn, ClerkDeskApp
from clerkdesk.config import Settings
from clerkdesk.credentials import TokenStore
from clerkdesk.screens.counter import CounterScreen
from clerkdesk.screens.lead.screen import DutyLeadScreen
from clerkdesk.state.session import Server, Workstation
from tests.conftest import RunningHall
from tests.keyring_memory import MemoryKeyring

FIXED_LABEL = "http://hall.example:8470"  # what the screens show instead of the random port
FAST = (0.05, 0.1, 0.2)


def workstation(
    hall: RunningHall,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    retry_delays: tuple[float, ...] = (0.01, 0.05),
    tokens: TokenStore | None = None,
) -> Workstation:
    return Workstation(
        Server(hall.url, FIXED_LABEL, hall.url),
        clock=hall.clock,
        tokens=tokens or TokenStore(backend=MemoryKeyring(), clock=hall.clock),
        transport=transport,
        retry_delays=retry_delays,
    )


def app_for(
    hall: RunningHall,
    *,
    staff_no: str | None = "1002",
    window: int = 8,
    ws: Workstation | None = None,
    settings: Settings | None = None,
    **kwargs: Any,
) -> ClerkDeskApp:
    """The workstation on `hall`, signing in by itself as `staff_no` at `window` (None: not)."""
    auto = AutoSignIn(staff_no, "demo", (window,)) if staff_no else None
    return ClerkDeskApp(
        ws or workstation(hall),
        settings=settings or Settings(),
        auto=auto,
        backoff=FAST,
        remember=False,
        **kwargs,
    )


async def wait_for(pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 15) -> None:
    """Let the app run until `condition()` holds (a real server answers asynchronously)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s for {condition}")
        await pilot.pause(0.01)


def counter(app: ClerkDeskApp) -> CounterScreen:
    screen = app.screen
    assert isinstance(screen, CounterScreen), f"on {type(screen).__name__}, not the counter"
    return screen


async def at_counter(pilot: Pilot[Any]) -> CounterScreen:
    """Wait until the counter shows the server's state and follows its events."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, CounterScreen) and app.screen.model.loaded)
    screen = counter(app)  # type: ignore[arg-type]
    await wait_for(pilot, lambda: screen._following)
    return screen


async def settled(pilot: Pilot[Any]) -> None:
    """Until every table has sized its columns to its rows (DataTable does it when idle; a
    snapshot taken before then would depend on the machine's load)."""
    from textual.widgets import DataTable

    from clerkdesk.widgets.textual_compat import columns_sized

    tables = list(pilot.app.screen.query(DataTable))
    await wait_for(pilot, lambda: all(columns_sized(t) for t in tables))


def screen_text(app: ClerkDeskApp) -> str:
    """Everything the screen shows, as plain text (for assertions on what the clerk sees)."""
    from textual.widgets import DataTable, Static

    parts: list[str] = []
    for widget in app.screen.query("*"):
        if isinstance(widget, DataTable):
            for row in range(widget.row_count):
                parts.append(" ".join(str(c) for c in widget.get_row_at(row)))
        elif isinstance(widget, Static):
            parts.append(str(widget.render()))
    return "\n".join(parts)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def at_duty_lead(pilot: Pilot[Any]) -> DutyLeadScreen:
    """Wait until the duty lead screen shows the hall's lists and follows its events."""
    app = pilot.app

    def ready() -> bool:
        screen = app.screen
        return isinstance(screen, DutyLeadScreen) and screen.desk.loaded and screen.link.stream_seen

    await wait_for(pilot, ready)
    screen = app.screen
    assert isinstance(screen, DutyLeadScreen)
    await wait_for(pilot, lambda: not screen._refreshing)
    return screen
