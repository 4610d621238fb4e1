"""The duty lead's tables: requests waiting for a decision (with what deciding needs), today's
decided requests, today's overruns; and the line under the inbox that tells the highlighted
request in full. Columns are sized in terminal cells (a Chinese character takes two)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from textual.widgets import DataTable, Static

from clerkdesk.api import schemas as w
from clerkdesk.i18n import N_, _, ngettext
from clerkdesk.state.display import local_time, minutes_span
from clerkdesk.widgets.tables import Row, rebuild, translate_key_help

REASON_CELLS = 24  # the table shows the start of a reason; the detail line shows all of it

OVERRUN_NAMES: dict[w.OverrunStatus, str] = {
    w.OverrunStatus.pending: N_("to decide"),
    w.OverrunStatus.confirmed: N_("confirmed"),
    w.OverrunStatus.rejected: N_("rejected"),
    w.OverrunStatus.covered: N_("covered by extension"),
}


def clip(text: str, cells: int) -> str:
    """One line of at most `cells` terminal cells, ending in "…" when cut."""
    line = " ".join(text.split())
    if cell_len(line) <= cells:
        return line
    out, used = "", 0
    for char in line:
        if used + cell_len(char) > cells - 1:
            break
        out, used = out + char, used + cell_len(char)
    return out + "…"


def minutes(n: int) -> str:
    return minutes_span(n)


def minutes_left(end: datetime, now: datetime) -> int:
    """Whole minutes until `end`, rounded up; negative past it (as the hall counts them)."""
    return math.ceil((end - now).total_seconds() / 60)


def end_text(end: datetime | None, now: datetime, zone: ZoneInfo) -> str:
    """The window's end and the time to it: "17:30, in 20 min" or "17:30, 5 min past"."""
    if end is None:
        return "—"
    left = minutes_left(end, now)
    if left > 0:
        return _("{time}, in {span}").format(time=local_time(end, zone), span=minutes_span(left))
    return _("{time}, {span} past").format(time=local_time(end, zone), span=minutes_span(-left))


def clerk_name(staff: w.StaffOut, mine: bool) -> str:
    return _("{name} (you)").format(name=staff.name) if mine else staff.name


class LeadTable(DataTable[str]):
    """A table of one kind of item; rebuilt only when what it shows changes."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        translate_key_help(self)
        self.ids: list[int] = []
        self._shown: tuple[object, ...] | None = None

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()  # (key, N_-marked header)

    def columns_now(self) -> list[tuple[str, str]]:
        """The columns, headed in the current language."""
        return [(key, _(header)) for key, header in self.COLUMNS]

    def fill(self, ids: list[int], rows: Sequence[Row]) -> None:
        columns = self.columns_now()
        shown = (tuple(columns), tuple((k, tuple(c)) for k, c in rows))
        if shown == self._shown:
            return
        self._shown, self.ids = shown, ids
        rebuild(self, columns, rows)

    def highlighted(self) -> int | None:
        """The id of the item under the cursor, if any."""
        if self.ids and 0 <= self.cursor_row < len(self.ids):
            return self.ids[self.cursor_row]
        return None


class InboxTable(LeadTable):
    """Requests waiting for the lead, oldest first."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("window", N_("Window")),
        ("clerk", N_("Clerk")),
        ("asked", N_("Asks")),
        ("waiting", N_("Waiting")),
        ("needed", N_("Needs")),
        ("end", N_("Window ends")),
        ("reason", N_("Reason")),
    )

    def _room_for_reason(self, facts: Sequence[Sequence[str]]) -> int:
        """The reason takes what the other columns leave of the table's width (the detail line
        under the table shows it in full)."""
        width = self.content_size.width
        if not width:
            return REASON_CELLS
        headers = [label for _key, label in self.columns_now()][:-1]
        used = sum(
            max([cell_len(h)] + [cell_len(row[i]) for row in facts]) + 2
            for i, h in enumerate(headers)
        )
        return max(8, width - used - 2 - 2)  # the reason cell's padding, a scrollbar

    def show(
        self, items: list[w.ExtensionInboxItem], me: str, now: datetime, zone: ZoneInfo
    ) -> None:
        facts = [
            (
                str(x.extension.window),
                clerk_name(x.extension.staff, x.extension.staff.staff_no == me),
                minutes(x.extension.minutes_requested),
                str(len(x.waiting)),
                minutes(x.minutes_needed),
                end_text(x.window_end, now, zone),
            )
            for x in items
        ]
        room = self._room_for_reason(facts)
        rows = [
            (str(x.extension.id), (*cells, clip(x.extension.reason, room)))
            for x, cells in zip(items, facts, strict=True)
        ]
        self.fill([x.extension.id for x in items], rows)
        n = len(items)
        self.border_title = (
            ngettext(
                "{n} request waiting for your decision",
                "{n} requests waiting for your decision",
                n,
            ).format(n=n)
            if n
            else _("No request waiting for your decision")
        )


def decision_text(x: w.ExtensionOut) -> str:
    if x.status == w.ExtensionStatus.approved:
        text = _("approved {n} min").format(n=x.minutes_approved or x.minutes_requested)
        return text + " " + _("(automatically)") if x.auto_approved else text
    if x.status == w.ExtensionStatus.denied:
        return clip(_("denied: {reason}").format(reason=x.decision_reason or ""), REASON_CELLS)
    if x.status == w.ExtensionStatus.withdrawn:
        return _("withdrawn: the window closed")
    return _("waiting")


class DecidedTable(LeadTable):
    """Today's requests that are decided, the latest decision first."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("window", N_("Window")),
        ("clerk", N_("Clerk")),
        ("asked", N_("Asked")),
        ("decision", N_("Decision")),
        ("ends", N_("New end")),
        ("by", N_("By")),
    )

    def show(self, items: list[w.ExtensionInboxItem], zone: ZoneInfo) -> None:
        rows = [
            (
                str(x.extension.id),
                (
                    str(x.extension.window),
                    x.extension.staff.name,
                    minutes(x.extension.minutes_requested),
                    decision_text(x.extension),
                    local_time(x.extension.ends_at, zone) if x.extension.ends_at else "—",
                    x.extension.decided_by.name if x.extension.decided_by else "—",
                ),
            )
            for x in items
        ]
        self.fill([x.extension.id for x in items], rows)
        self.border_title = _("Today's extensions")


def overrun_status(o: w.OverrunOut) -> str:
    name = _(OVERRUN_NAMES[o.status])
    if o.status == w.OverrunStatus.rejected and o.decision_reason:
        return clip(f"{name}: {o.decision_reason}", REASON_CELLS)
    return name


class OverrunTable(LeadTable):
    """Today's overruns (worked past the end without an approved extension), pending first."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self._pending: set[int] = set()

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("window", N_("Window")),
        ("clerk", N_("Clerk")),
        ("minutes", N_("Past the end")),
        ("end", N_("End")),
        ("closed", N_("Closed")),
        ("status", N_("Status")),
        ("by", N_("By")),
    )

    def show(self, overruns: list[w.OverrunOut], zone: ZoneInfo) -> None:
        """Pending first; once the highlighted one is decided, the cursor goes to the next."""
        chosen = self.highlighted()
        was_pending = chosen in self._pending
        rows = [
            (
                str(o.id),
                (
                    str(o.window),
                    o.staff.name,
                    minutes(o.minutes),
                    local_time(o.window_end, zone),
                    local_time(o.actual_end, zone),
                    overrun_status(o),
                    o.decided_by.name if o.decided_by else "—",
                ),
            )
            for o in overruns
        ]
        self.fill([o.id for o in overruns], rows)
        self._pending = {o.id for o in overruns if o.status == w.OverrunStatus.pending}
        if was_pending and chosen not in self._pending and self.row_count:
            self.move_cursor(row=0, animate=False)
        pending = len(self._pending)
        self.border_title = (
            ngettext(
                "Today's overruns · {n} to decide", "Today's overruns · {n} to decide", pending
            ).format(n=pending)
            if pending
            else _("Today's overruns")
        )


class RequestDetail(Static):
    """The highlighted request in full: who asked when, why, and what approving does."""

    def show(self, item: w.ExtensionInboxItem | None, mine: bool, zone: ZoneInfo) -> None:
        """The highlighted request in full; hidden while none is highlighted."""
        self.display = item is not None
        if item is None:
            self.update("")
            return
        x = item.extension
        text = _("{label} · {name} asked at {time}: “{reason}”").format(
            label=item.window_label,
            name=x.staff.name,
            time=local_time(x.requested_at, zone),
            reason=" ".join(x.reason.split()),
        )
        if mine:
            text += " · " + _("Your own request: another duty lead or an admin decides it.")
        else:
            new_end = x.base_end + timedelta(minutes=x.minutes_requested)
            text += " · " + _("Approving moves its end from {end} to {new_end}.").format(
                end=local_time(x.base_end, zone), new_end=local_time(new_end, zone)
            )
        self.update(text)


class CalendarWarning(Static):
    """Years whose official holiday swaps nobody has confirmed: day types may be wrong."""

    def show(self, years: list[int], may_confirm: bool) -> None:
        self.display = bool(years)
        if not years:
            return
        listed = ", ".join(str(y) for y in years)
        text = (
            _("The holiday swaps of {years} are unconfirmed: check them, then press y.")
            if may_confirm
            else _("The holiday swaps of {years} are unconfirmed: an admin checks the calendar.")
        )
        self.update("⚠ " + text.format(years=listed))
