"""This window's waiting queue, in the order the server will call it, waits ticking."""

from __future__ import annotations

from datetime import datetime

from textual.widgets import DataTable

from clerkdesk.api import schemas as w
from clerkdesk.i18n import _
from clerkdesk.messages import TicketPicked
from clerkdesk.workstation.display import clock_span, priority_name

WAIT = "wait"


class QueueTable(DataTable[str]):
    """Rows keyed by ticket id; Enter on a row posts TicketPicked (to call it out of turn)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._tickets: list[w.TicketOut] = []

    def on_mount(self) -> None:
        self.add_column(_("No."), key="pos")
        self.add_column(_("Ticket"), key="code")
        self.add_column(_("Service"), key="service")
        self.add_column(_("Waited"), key=WAIT)
        self.add_column(_("Note"), key="note")

    def show(self, tickets: list[w.TicketOut], now: datetime) -> None:
        if [(t.id, t.priority, t.notes) for t in tickets] == [
            (t.id, t.priority, t.notes) for t in self._tickets
        ]:
            self._tickets = tickets
            self.tick(now)
            return
        self._tickets = tickets
        self.clear()
        for position, ticket in enumerate(tickets, 1):
            note = " ".join(x for x in (priority_name(ticket.priority), ticket.notes) if x)
            self.add_row(
                str(position),
                ticket.code,
                ticket.service_name,
                clock_span(now - ticket.issued_at),
                note,
                key=str(ticket.id),
            )

    def tick(self, now: datetime) -> None:
        for ticket in self._tickets:
            self.update_cell(str(ticket.id), WAIT, clock_span(now - ticket.issued_at))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        chosen = next((t for t in self._tickets if str(t.id) == event.row_key.value), None)
        if chosen is not None:
            self.post_message(TicketPicked(chosen.code))
