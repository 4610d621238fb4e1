"""The hall monitor's widgets: the queues per service, the windows with their state and busy
share (a bar of it on a wide terminal), the congestion alerts with the windows that could help,
and the busy-share spread. Columns are sized in terminal cells (a Chinese character takes two)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual.widgets import DataTable, Static

from clerkdesk.api import schemas as w
from clerkdesk.i18n import N_, _, ngettext
from clerkdesk.state.monitor import (
    alert_line,
    bar,
    share_text,
    since_text,
    spread_text,
    wait_text,
    window_state,
)
from clerkdesk.widgets.lead_inbox import clip
from clerkdesk.widgets.tables import Row, fits, rebuild, translate_key_help

NAME_CELLS = 16  # a service's name in the compact view
Shown = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, tuple[str, ...]], ...]]
"""What a table shows: its columns (key, header) and its rows (key, cells)."""


class MonitorTable(DataTable[str]):
    """A table rebuilt only when what it shows changes; compact or wide."""

    COLUMNS: ClassVar[tuple[tuple[str, str, bool], ...]] = ()  # (key, N_ header, wide only)

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        translate_key_help(self)
        self.keys: list[str] = []
        self._shown: Shown | None = None

    def columns_now(self, wide: bool) -> list[tuple[str, str]]:
        return [
            (key, _(header)) for key, header, only_wide in self.COLUMNS if wide or not only_wide
        ]

    def fill(self, rows: list[tuple[str, dict[str, str]]], wide: bool) -> None:
        columns = self.columns_now(wide)
        built: list[Row] = [(key, [cells[c] for c, _h in columns]) for key, cells in rows]
        shown: Shown = (tuple(columns), tuple((k, tuple(c)) for k, c in built))
        if shown == self._shown:
            return
        before, self._shown = self._shown, shown
        keys = [key for key, _cells in rows]
        if before is not None and before[0] == shown[0] and keys == self.keys and fits(self, built):
            # The same rows (a burst of events, the clock's tick): only the cells that changed,
            # in place, not 200 rows built again.
            for (key, cells), (_key, old) in zip(built, before[1], strict=True):
                for index, (column, _header) in enumerate(columns):
                    if cells[index] != old[index]:
                        self.update_cell(key, column, cells[index])
            return
        self.keys = keys
        rebuild(self, columns, built)

    def highlighted(self) -> str | None:
        if self.keys and 0 <= self.cursor_row < len(self.keys):
            return self.keys[self.cursor_row]
        return None


class ServiceLoadTable(MonitorTable):
    COLUMNS: ClassVar[tuple[tuple[str, str, bool], ...]] = (
        ("alert", N_("!"), False),
        ("service", N_("Service"), False),
        ("department", N_("Department"), True),
        ("waiting", N_("Waiting"), False),
        ("longest", N_("Longest"), False),
        ("estimate", N_("New arrival"), False),
        ("open", N_("Open"), True),
    )

    def show(self, services: list[w.ServiceLoadOut], wide: bool) -> None:
        rows = [
            (
                s.service,
                {
                    "alert": "⚠" if s.alert is not None else "",
                    "service": s.service_name if wide else clip(s.service_name, NAME_CELLS),
                    "department": s.department,
                    "waiting": str(s.waiting),
                    "longest": wait_text(s.longest_wait_s) if s.waiting else "—",
                    "estimate": wait_text(s.estimated_wait_s) if s.waiting else "—",
                    "open": str(s.open_windows),
                },
            )
            for s in services
        ]
        self.fill(rows, wide)
        waiting = sum(s.waiting for s in services)
        self.border_title = ngettext("{n} citizen waiting", "{n} citizens waiting", waiting).format(
            n=waiting
        )


class WindowLoadTable(MonitorTable):
    COLUMNS: ClassVar[tuple[tuple[str, str, bool], ...]] = (
        ("window", N_("Window"), False),
        ("label", N_("Name"), True),
        ("state", N_("State"), False),
        ("clerk", N_("Clerk"), False),
        ("ticket", N_("Ticket"), False),
        ("since", N_("For"), False),
        ("busy", N_("Busy"), False),
        ("bar", N_("Busy share today"), True),
    )

    def show(self, windows: list[w.WindowLoadOut], now: datetime, wide: bool) -> None:
        rows = [
            (
                str(x.number),
                {
                    "window": str(x.number),
                    "label": x.label,
                    "state": window_state(x),
                    "clerk": x.clerk_name or "",
                    "ticket": x.ticket or "",
                    "since": since_text(x.ticket_since, now),
                    "busy": share_text(x.busy_share),
                    "bar": bar(x.busy_share, 20),
                },
            )
            for x in windows
        ]
        self.fill(rows, wide)
        open_ = sum(1 for x in windows if x.state is not w.WindowState.closed)
        self.border_title = _("Windows: {open} of {n} open").format(open=open_, n=len(windows))


class AlertPanel(Static):
    """The congestion alerts, one line each; nothing when the hall flows."""

    def show(self, alerts: list[w.AlertOut]) -> None:
        self.display = bool(alerts)
        self.update("\n".join(alert_line(a) for a in alerts))


class SpreadLine(Static):
    def show(self, spread: w.SpreadOut) -> None:
        self.update(spread_text(spread))
