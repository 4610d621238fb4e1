"""Helpers for the kiosk's Pilot and snapshot tests: a kiosk app on a real hall, a clock for its
idle timer that moves only when told, printers that work or fail."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from textual.pilot import Pilot

from clerkdesk.kiosk import KioskApp
from clerkdesk.printing.printers import Cups, Printer, ScreenOnly, TextFile
from clerkdesk.screens.kiosk import KioskContext, KioskHomeScreen
from clerkdesk.state.kiosk import Idle, KioskDesk, KioskSettings
from tests.conftest import RunningHall
from tests.tui_support import wait_for

FIXED_URL = "http://hall.example:8470"  # the status links printed, instead of the test port


class IdleClock:
    """Real seconds for the kiosk's idle timer, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeLp:
    """`lp` as a runner: what it was asked to print, and the exit code it gives."""

    exit_code: int = 0
    jobs: list[tuple[list[str], bytes]] = field(default_factory=list)

    def __call__(self, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        self.jobs.append((argv, kwargs.get("input", b"")))
        stderr = b"lp: Error - The printer or class does not exist." if self.exit_code else b""
        return subprocess.CompletedProcess(argv, self.exit_code, b"", stderr)


def kiosk_app(
    hall: RunningHall,
    *,
    printer: Printer | None = None,
    idle: IdleClock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    retry_delays: tuple[float, ...] = (0.01, 0.05),
    idle_seconds: float = 30,
) -> KioskApp:
    desk = KioskDesk(
        hall.url,
        "kiosk1",
        "demo",
        hall.clock,
        status_url=FIXED_URL,
        transport=transport,
        retry_delays=retry_delays,
    )
    context = KioskContext(
        desk,
        printer or ScreenOnly(),
        KioskSettings(idle_seconds=idle_seconds, refresh_seconds=3600),
        Idle(idle_seconds, idle or IdleClock()),
        backoff=(0.05, 0.1, 0.2),
        print_timeout_s=5,
    )
    return KioskApp(context)


def text_file(path: Path) -> TextFile:
    return TextFile(path)


def lp(runner: Callable[..., Any]) -> Cups:
    return Cups("KIOSK1", runner=runner)


async def at_home(pilot: Pilot[Any]) -> KioskHomeScreen:
    """Wait until the home screen shows the hall's services."""
    app = pilot.app
    await wait_for(
        pilot, lambda: isinstance(app.screen, KioskHomeScreen) and app.screen.home is not None
    )
    screen = app.screen
    assert isinstance(screen, KioskHomeScreen)
    return screen
