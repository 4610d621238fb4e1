"""The duty lead's boards beside the inbox: the department's comp-leave balances and the open
hand-offs (with the line under them that tells the highlighted one in full), and the warning at
the top when a ticket still away was handed on more often than the hall allows."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual.widgets import Static

from clerkdesk.i18n import N_, _, ngettext
from clerkdesk.state.handoff import Names
from clerkdesk.state.lead_views import (
    BalanceBoard,
    HandOffBoard,
    balance_cells,
    balances_title,
    flag_words,
    from_text,
    handoff_detail,
    note_summary,
    ticket_text,
    to_text,
    waited_text,
)
from clerkdesk.widgets.lead_inbox import clip
from clerkdesk.widgets.my_leave import KeyedTable


class BalancesTable(KeyedTable):
    """One line per staff member of the department: balance, in days, what expires within 30
    days, minutes asked for in pending requests (wide: the department and coming duties)."""

    NARROW: ClassVar[tuple[tuple[str, str], ...]] = (
        ("staff", N_("Staff")),
        ("balance", N_("Balance")),
        ("days", N_("Days")),
        ("expiring", N_("Expires ≤30 d")),
        ("pending", N_("Pending")),
    )
    WIDE: ClassVar[tuple[tuple[str, str], ...]] = (
        ("staff", N_("Staff")),
        ("department", N_("Department")),
        ("balance", N_("Balance")),
        ("days", N_("Days")),
        ("expiring", N_("Expires ≤30 d")),
        ("pending", N_("Pending")),
        ("duties", N_("Duties")),
    )
    COLUMNS = NARROW

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.wide = False

    def columns_now(self) -> list[tuple[str, str]]:
        return [(key, _(header)) for key, header in (self.WIDE if self.wide else self.NARROW)]

    def show(self, board: BalanceBoard, names: Names | None, wide: bool) -> None:
        self.wide = wide
        rows = [(line.staff.staff_no, balance_cells(line, wide, names)) for line in board.lines]
        self.fill(rows)
        self.border_title = balances_title(board, names)


class HandOffsTable(KeyedTable):
    """The open hand-offs of the lead's department (sent or received), the longest waiting
    first: ticket (⚑ when handed on too often), from, to, how long it has waited, the note."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("ticket", N_("Ticket")),
        ("from", N_("From")),
        ("to", N_("To")),
        ("waited", N_("Waited")),
        ("note", N_("Note")),
    )

    def show(self, board: HandOffBoard, names: Names | None, now: datetime, wide: bool) -> None:
        facts = [
            (
                ticket_text(m),
                from_text(m, names, wide),
                to_text(m, names, wide),
                waited_text(m, now),
            )
            for m in board.open
        ]
        room = self.room_for_last(facts)
        self.fill(
            [
                (str(m.id), (*cells, clip(note_summary(m), room)))
                for m, cells in zip(board.open, facts, strict=True)
            ]
        )
        n = len(board.open)
        if not board.loaded:
            title = _("Open hand-offs: reading them from the hall…")
        elif not n:
            title = _("No hand-off open")
        else:
            title = ngettext("{n} open hand-off", "{n} open hand-offs", n).format(n=n)
            flagged = len(board.flagged_open())
            if flagged:
                title += " · " + ngettext("{n} flagged", "{n} flagged", flagged).format(n=flagged)
        self.border_title = title


class HandOffDetail(Static):
    """The highlighted open hand-off in full."""

    _shown = ""

    def show(
        self,
        board: HandOffBoard,
        key: str | None,
        names: Names | None,
        zone: ZoneInfo,
        now: datetime,
        shown: bool,
    ) -> None:
        move = board.find(key) if shown else None
        text = handoff_detail(move, names, zone, now, board.flag_after) if move else ""
        self.display = move is not None
        if text != self._shown:
            self._shown = text
            self.update(text)


class FlagWarning(Static):
    """At the top while a ticket still away was handed on more often than the hall allows."""

    _shown = ""

    def show(self, board: HandOffBoard, keys: str) -> None:
        """Called every second (with the waits): redrawn only when its words change."""
        codes = board.flagged_open()
        text = (
            flag_words(codes, board.flag_after)
            + " · "
            + _("{keys}: the open hand-offs").format(keys=keys)
            if codes
            else ""
        )
        self.display = bool(codes)
        if text != self._shown:
            self._shown = text
            self.update(text)
