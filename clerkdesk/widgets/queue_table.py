"""This window's waiting queue, in the order the server will call it, waits ticking."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from textual.widgets import DataTable

from clerkdesk.api import schemas as w
from clerkdesk.i18n import _
from clerkdesk.messages import TicketPicked
from clerkdesk.state.display import duration, priority_label
from clerkdesk.widgets.tables import fits, rebuild, translate_key_help
from clerkdesk.widgets.textual_compat import CellsKeptTable

WAIT = "wait"
WAIT_CELLS = 11  # "59 min 59 s": a wait ticks in place, the column keeps its width


class QueueTable(CellsKeptTable):
    """Rows keyed by ticket id; Enter on a row posts TicketPicked (to call it out of turn). A
    call moves every row up one: the cells it moves are found drawn (CellsKeptTable)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        translate_key_help(self)
        self._tickets: list[w.TicketOut] = []
        self.zone: ZoneInfo | None = None
        """The hall's zone, for an appointment's slot time (set by the screen)."""

    def _columns(self) -> list[tuple[str, str]]:
        return [
            ("pos", _("No.")),
            ("code", _("Ticket")),
            ("service", _("Service")),
            (WAIT, _("Waited")),
            ("note", _("Note")),
        ]

    def on_mount(self) -> None:
        rebuild(self, self._columns(), [], {WAIT: WAIT_CELLS})

    def _cells(self, position: int, ticket: w.TicketOut, now: datetime) -> tuple[str, ...]:
        note = " ".join(x for x in (priority_label(ticket, self.zone), ticket.notes) if x)
        return (
            str(position),
            ticket.code,
            ticket.service_name,
            duration(now - ticket.issued_at),
            note,
        )

    def show(self, tickets: list[w.TicketOut], now: datetime) -> None:
        """Show the server's queue. The usual changes (a ticket called away, new ones at the
        end) touch only their rows; anything else rebuilds the table."""
        before = [(t.id, t.priority, t.notes) for t in self._tickets]
        after = [(t.id, t.priority, t.notes) for t in tickets]
        kept = [entry for entry in before if entry in after]
        rows = [(str(t.id), self._cells(i, t, now)) for i, t in enumerate(tickets, 1)]
        if after[: len(kept)] != kept or not fits(self, rows[len(kept) :]):
            self._tickets = tickets
            rebuild(self, self._columns(), rows, {WAIT: WAIT_CELLS})
            return
        for entry in before:
            if entry not in after:
                self.remove_row(str(entry[0]))
        for key, cells in rows[len(kept) :]:
            self.add_row(*cells, key=key)
        for position, ticket in enumerate(tickets[: len(kept)], 1):
            if before.index((ticket.id, ticket.priority, ticket.notes)) + 1 != position:
                self.update_cell(str(ticket.id), "pos", str(position))
        self._tickets = tickets
        self.tick(now)

    def tick(self, now: datetime) -> None:
        for ticket in self._tickets:
            self.update_cell(str(ticket.id), WAIT, duration(now - ticket.issued_at))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        chosen = next((t for t in self._tickets if str(t.id) == event.row_key.value), None)
        if chosen is not None:
            self.post_message(TicketPicked(chosen.code))
