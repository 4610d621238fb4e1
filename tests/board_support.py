"""Helpers for the hall board's Pilot and snapshot tests: the board app on a real hall, a
monotonic clock the test moves by hand, and a voice that only writes down what it was asked to
say."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.pilot import Pilot

from clerkdesk.api.client import HallClient
from clerkdesk.board import HallBoardApp
from clerkdesk.screens.board.screen import BoardScreen
from clerkdesk.state.board import BoardLink, BoardSignIn
from clerkdesk.voice import Announcement
from clerkdesk.widgets.board import CallBanner
from tests.conftest import RunningHall
from tests.tui_support import FAST, FIXED_LABEL, wait_for


class HandClock:
    """The board's monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


class NotedVoice:
    """Says nothing; notes each announcement. `busy` is set by the test (speaking or not)."""

    def __init__(self) -> None:
        self.said: list[Announcement] = []
        self.busy = False

    def say(self, announcement: Announcement) -> None:
        self.said.append(announcement)

    async def run(self) -> None:
        return None


def board_app(
    hall: RunningHall,
    *,
    monotonic: HandClock | None = None,
    voice: Any = None,
    voice_notice: str = "",
    langs: tuple[str, ...] = ("zh",),
    staff_no: str = "board1",
) -> HallBoardApp:
    link = BoardLink(
        HallClient(hall.url, retry_delays=(0.01, 0.05)),
        BoardSignIn(staff_no, "demo"),
        FIXED_LABEL,
    )
    return HallBoardApp(
        link,
        voice=voice or NotedVoice(),
        voice_notice=voice_notice,
        langs=langs,
        clock=hall.clock,
        monotonic=monotonic or HandClock(),
        backoff=FAST,
    )


def board_screen(app: HallBoardApp) -> BoardScreen:
    screen = app.screen
    assert isinstance(screen, BoardScreen), f"on {type(screen).__name__}, not the board"
    return screen


async def following(pilot: Pilot[Any]) -> BoardScreen:
    """Wait until the board has read the hall and follows its event stream."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.online)
    screen = board_screen(app)  # type: ignore[arg-type]
    await wait_for(pilot, lambda: screen.state.loaded and not screen._reading)
    return screen


def banner_call(screen: BoardScreen) -> str | None:
    call = screen.query_one(CallBanner).call
    return call.ticket if call else None


def shown_text(widget: Any) -> str:
    """What a widget of the board shows, as plain text."""
    console = Console(width=max(20, widget.size.width or 80), record=True, file=io.StringIO())
    console.print(widget.content)  # what it was last given to show: a table, a text
    return console.export_text()
