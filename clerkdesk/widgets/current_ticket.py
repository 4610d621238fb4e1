"""The panel of the ticket at the counter: its number large, then service, waits, recalls, notes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from clerkdesk.api import schemas as w
from clerkdesk.i18n import _
from clerkdesk.state.display import (
    duration,
    local_time,
    priority_label,
    priority_name,
    status_name,
)
from clerkdesk.widgets.handoff_chain import HandOffChain
from clerkdesk.widgets.ticket_number import TicketNumber

META_LINES = 3


def ticket_lines(ticket: w.TicketOut, now: datetime, zone: ZoneInfo) -> list[str]:
    """The lines under the number: what the citizen came for and how long it has taken."""
    head = [ticket.service_name, status_name(ticket.status)]
    if ticket.started_at is not None:  # "serving 2 min 40 s" says the state and for how long
        head[1] = _("serving {span}").format(span=duration(now - ticket.started_at))
    if priority_name(ticket.priority):
        head.append(priority_label(ticket, zone))
    called = ticket.called_at or now
    facts = [
        _("waited {span}").format(span=duration(called - ticket.issued_at)),
        _("called {time}").format(time=local_time(called, zone)),
    ]
    if ticket.recall_count:
        facts.append(_("recalled {n}×").format(n=ticket.recall_count))
    lines = [" · ".join(head), " · ".join(facts)]
    if ticket.notes:
        lines.append(_("Notes: {notes}").format(notes=ticket.notes.replace("\n", " / ")))
    return lines


class CurrentTicket(Vertical):
    DEFAULT_CSS = """
    CurrentTicket {
        width: 1fr;
    }
    CurrentTicket .ticket-meta {
        text-align: center;
    }
    """

    def compose(self) -> ComposeResult:
        yield TicketNumber(classes="ticket-number")
        yield Static("", classes="ticket-meta")
        yield HandOffChain(id="handoff-chain")  # shown for a handed-over ticket only

    def on_mount(self) -> None:
        # A fixed height: a new ticket then repaints these lines without a screen layout.
        self.query_one(".ticket-meta", Static).styles.height = META_LINES

    def show(self, ticket: w.TicketOut | None, now: datetime, zone: ZoneInfo, idle: str) -> None:
        """Data flows down: the screen hands over the ticket and the time, nothing is fetched."""
        number = self.query_one(TicketNumber)
        number.placeholder = idle
        number.code = ticket.code if ticket else None
        meta = self.query_one(".ticket-meta", Static)
        meta.update("\n".join(ticket_lines(ticket, now, zone)) if ticket else "", layout=False)
