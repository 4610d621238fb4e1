"""The queue table draws what DataTable itself would draw, character for character, style for
style, the row and column the mouse reports included, while it keeps cells it drew before (a
call moves every row up one; the frame showing the called ticket must not draw the queue anew).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable

from clerkdesk.api import schemas as w
from clerkdesk.widgets.queue_table import QueueTable
from tests.conftest import local

NINE_TWELVE = local("2026-12-11 09:12")


class PlainQueueTable(QueueTable):
    """The same table drawn by DataTable alone, every cell every time."""

    def _render_cell(self, *args: Any, **kwargs: Any) -> list[list[Segment]]:
        return DataTable._render_cell(self, *args, **kwargs)


class SideBySide(App[None]):
    CSS = "QueueTable { height: 12; }"

    def compose(self) -> ComposeResult:
        yield QueueTable(id="kept")
        yield PlainQueueTable(id="plain")


def _ticket(n: int, service: str, issued: datetime, **extra: Any) -> w.TicketOut:
    fields: dict[str, Any] = {
        "id": n,
        "code": f"F{n:03d}",
        "service": "hukou",
        "service_name": service,
        "status": w.TicketStatus.waiting,
        "priority": w.Priority.normal,
        "appointment_at": None,
        "issued_at": issued,
        "local_date": issued.date(),
        "window": None,
        "called_at": None,
        "called_by": None,
        "recall_count": 0,
        "started_at": None,
        "finished_at": None,
        "outcome": None,
        "reason": None,
        "notes": "",
        "estimated_minutes": 10,
    }
    fields.update(extra)
    return w.TicketOut.model_validate(fields)


def _drawn(table: QueueTable) -> list[list[tuple[str, str, dict[str, Any]]]]:
    """Every character on the table's lines with its style and its mouse meta."""
    width, height = table.size
    lines = table.render_lines(Region(0, 0, width, height))
    return [
        [
            (char, str(segment.style), dict(segment.style.meta))
            for segment in strip
            if segment.style is not None
            for char in segment.text
        ]
        for strip in lines
    ]


async def test_a_morning_of_calls_draws_the_queue_exactly_as_datatable_does() -> None:
    services = ["户籍业务", "社保卡补办", "不动产查询", "税务发票", "公积金提取", "企业变更登记"]
    tickets = [
        _ticket(n, services[n % len(services)], local("2026-12-11 09:00") + timedelta(minutes=n))
        for n in range(1, 15)
    ]
    green = _ticket(99, "户籍业务", local("2026-12-11 09:11"), notes="轮椅")
    async with SideBySide().run_test(size=(100, 30)) as pilot:
        kept = pilot.app.query_one("#kept", QueueTable)
        plain = pilot.app.query_one("#plain", QueueTable)
        now = NINE_TWELVE
        for moment, queue in (
            ("09:12, fourteen citizens wait", tickets),
            ("王芳 calls F001: every row moves up", tickets[1:]),
            ("a second later the waits tick", tickets[1:]),
            ("she calls F002", tickets[2:]),
            ("a green-channel citizen goes first", [green, *tickets[2:]]),
            ("she calls the green channel", tickets[2:]),
        ):
            now += timedelta(seconds=1)
            for table in (kept, plain):
                table.show(queue, now)
            await pilot.pause()
            for focus in (True, False):  # the cursor row looks different with the focus
                pilot.app.set_focus(kept if focus else None)
                await pilot.pause()
                drawn_kept = _drawn(kept)
                pilot.app.set_focus(plain if focus else None)
                await pilot.pause()
                assert drawn_kept == _drawn(plain), (moment, focus)
        assert kept._drawn_cells, "the table kept no drawn cells"
