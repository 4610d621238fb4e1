"""My leave's widgets: the balance and what expires soon, the person's leave requests, the
ledger with each entry's source in words (and the line under it telling the highlighted entry in
full), coming duties. Columns are sized in terminal cells (a Chinese character takes two); the
last column of a table takes what the others leave and is cut with "…" (the detail line shows
the whole)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from textual.widgets import DataTable, Static

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.i18n import N_, _
from clerkdesk.state.leave import LedgerLine
from clerkdesk.state.leave_words import (
    balance_line,
    dates_text,
    day_text,
    duty_hours,
    expiring_line,
    request_amount,
    status_name,
)
from clerkdesk.widgets.lead_inbox import clip
from clerkdesk.widgets.tables import Row, rebuild, translate_key_help


class KeyedTable(DataTable[str]):
    """A table of items known by a string key; rebuilt only when what it shows changes."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()  # (key, N_-marked header)

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        translate_key_help(self)
        self.keys: list[str] = []
        self._shown: tuple[object, ...] | None = None

    def columns_now(self) -> list[tuple[str, str]]:
        return [(key, _(header)) for key, header in self.COLUMNS]

    def room_for_last(self, facts: Sequence[Sequence[str]]) -> int:
        """The cells the last column gets: what the other columns leave of the width (and of
        a scrollbar, when the rows are more than the table shows)."""
        width = self.content_size.width or self.app.size.width - 2
        headers = [label for _key, label in self.columns_now()][:-1]
        used = sum(
            max([cell_len(h)] + [cell_len(row[i]) for row in facts]) + 2
            for i, h in enumerate(headers)
        )
        scrollbar = 2 if len(facts) > max(0, self.content_size.height - 1) else 0
        return max(10, width - used - 2 - scrollbar)  # the last cell's padding

    def fill(self, rows: Sequence[Row]) -> None:
        columns = self.columns_now()
        shown = (tuple(columns), tuple((k, tuple(c)) for k, c in rows))
        if shown == self._shown:
            return
        self._shown, self.keys = shown, [key for key, _cells in rows]
        self.show_header = bool(rows)  # an empty table is its title alone
        rebuild(self, columns, rows)

    def highlighted(self) -> str | None:
        if self.keys and 0 <= self.cursor_row < len(self.keys):
            return self.keys[self.cursor_row]
        return None


class LeaveSummary(Static):
    """Whose leave, the balance in hours and minutes and in days, what expires soon."""

    def show(self, who: str, balance: lw.LeaveBalanceOut | None) -> None:
        title = _("My leave · {who}").format(who=who) if who else _("My leave")
        if balance is None:
            self.update(f"{title}\n{_('Reading your leave from the hall…')}")
            return
        self.set_class(bool(balance.expiring_soon), "expiring")
        self.update(f"{title}\n{balance_line(balance)}\n{expiring_line(balance)}")


class RequestsTable(KeyedTable):
    """The person's leave requests: pending first, then the latest."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("id", N_("No.")),
        ("dates", N_("Dates")),
        ("leave", N_("Time off")),
        ("status", N_("Status")),
        ("reason", N_("Reason")),
    )

    def show(self, requests: list[lw.LeaveRequestOut]) -> None:
        facts = [
            (
                str(r.id),
                dates_text(r.first_date, r.last_date),
                request_amount(r),
                status_name(r.status),
            )
            for r in requests
        ]
        room = self.room_for_last(facts)
        reasons = [
            r.decision_reason if r.status == lw.DecisionStatus.denied else r.reason
            for r in requests
        ]
        self.fill(
            [
                (str(r.id), (*cells, clip(reason or "", room)))
                for r, cells, reason in zip(requests, facts, reasons, strict=True)
            ]
        )
        pending = sum(1 for r in requests if r.status == lw.DecisionStatus.pending)
        if not requests:
            self.border_title = _("No leave requests · a asks for leave")
        elif pending:
            self.border_title = _("My leave requests · {n} waiting").format(n=pending)
        else:
            self.border_title = _("My leave requests")


class LedgerTable(KeyedTable):
    """The ledger, newest first: every change to the balance and where it came from."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("date", N_("Date")),
        ("kind", N_("Entry")),
        ("exact", N_("Worked")),
        ("change", N_("Balance ±")),
        ("source", N_("Source")),
    )

    def show(self, lines: list[LedgerLine]) -> None:
        facts = [(x.on.isoformat(), x.kind, x.exact, x.change) for x in lines]
        room = self.room_for_last(facts)
        self.fill(
            [(x.key, (*cells, clip(x.words, room))) for x, cells in zip(lines, facts, strict=True)]
        )
        self.border_title = _("Ledger") if lines else _("Ledger · no entries yet")


class EntryDetail(Static):
    """The highlighted ledger entry in full."""

    def show(self, line: LedgerLine | None) -> None:
        self.display = line is not None
        self.update(line.detail if line is not None else "")


class DutiesTable(KeyedTable):
    """The person's coming rostered duties (weekend, holiday and night sessions)."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("date", N_("Date")),
        ("hours", N_("Hours")),
        ("duty", N_("Duty")),
    )

    def show(self, duties: list[lw.DutyOut], zone: ZoneInfo) -> None:
        facts = [(day_text(d.local_date), duty_hours(d, zone)) for d in duties]
        room = self.room_for_last(facts)
        self.fill(
            [
                (str(d.id), (*cells, clip(d.label, room)))
                for d, cells in zip(duties, facts, strict=True)
            ]
        )
        self.border_title = _("Coming duties") if duties else _("No coming duties")
