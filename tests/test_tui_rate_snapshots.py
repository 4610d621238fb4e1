"""Snapshots of the rating pad at window 8, at 80x24 in Chinese and English: the question after
F001 户籍业务 is done there, and the reasons after a 2 (dissatisfied). Deterministic: no hall (the
pad is handed the completed case as the event stream would), a clock standing still.

Update on purpose only: `.venv/bin/pytest tests/test_tui_rate_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.clock import ManualClock
from clerkdesk.i18n import set_language
from clerkdesk.screens.rate.app import RateApp
from tests.conftest import local

NOW = local("2026-12-11 10:20")


@pytest.fixture(params=["zh", "en"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


def _completed_at_window_8() -> w.EventOut:
    """ticket.completed as the kiosk's stream carries it: number, service, window, state."""
    ticket = w.TicketOut(
        id=7,
        code="F001",
        service="hukou",
        service_name="户籍业务",
        status=w.TicketStatus.done,
        priority=w.Priority.normal,
        appointment_at=None,
        issued_at=local("2026-12-11 10:02"),
        local_date=NOW.date(),
        window=8,
        called_at=local("2026-12-11 10:08"),
        called_by=None,
        recall_count=0,
        started_at=None,
        finished_at=None,
        outcome=None,
        reason=None,
        notes="",
        estimated_minutes=10,
    )
    return w.EventOut(id=42, kind=w.EventKind.ticket_completed, at=NOW, ticket=ticket)


def _pad() -> RateApp:
    client = HallClient("http://127.0.0.1:9")  # never reached: the pad follows no stream here
    return RateApp(client, 8, ManualClock(NOW), label="综合受理 8号窗口", follow=False)


async def _case_done(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, RateApp)
    app.take(_completed_at_window_8())
    await pilot.pause()


async def _rated_two(pilot: Pilot[Any]) -> None:
    await _case_done(pilot)
    await pilot.press("2")
    await pilot.pause()


def test_the_question(snap_compare: Any, lang: str) -> None:
    assert snap_compare(_pad(), terminal_size=(80, 24), run_before=_case_done)


def test_the_reasons_after_a_two(snap_compare: Any, lang: str) -> None:
    assert snap_compare(_pad(), terminal_size=(80, 24), run_before=_rated_two)
