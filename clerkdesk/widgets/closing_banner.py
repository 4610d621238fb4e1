"""The closing banner: from 30 minutes before this window's end, and past it, two lines saying
how long is left, who still waits and the minutes they need, the extension request and its key.

`banner_lines` builds the text (no Textual, so it can be measured); `ClosingBanner` shows it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from textual.widgets import Static

from clerkdesk.api import schemas as w
from clerkdesk.i18n import _, ngettext
from clerkdesk.state.display import duration, local_time

WIDTH = 78
"""The banner's text width at 80 columns (its padding takes two)."""


def _waiting(status: w.ClosingStatus) -> str:
    n, minutes = len(status.waiting), status.minutes_needed
    if n == 0:
        if minutes > 0:
            return _("nobody else waiting, about {minutes} min needed").format(minutes=minutes)
        return _("nobody waiting")
    return ngettext(
        "{n} waiting, about {minutes} min needed", "{n} waiting, about {minutes} min needed", n
    ).format(n=n, minutes=minutes)


def _extension(extension: w.ExtensionOut | None, zone: ZoneInfo) -> str:
    """The latest request of this stretch, as the clerk needs to know it ("" when none)."""
    if extension is None:
        return ""
    if extension.status == w.ExtensionStatus.pending:
        return _("Asked {minutes} min at {time}: the duty lead decides").format(
            minutes=extension.minutes_requested, time=local_time(extension.requested_at, zone)
        )
    if extension.status == w.ExtensionStatus.approved:
        minutes = extension.minutes_approved or extension.minutes_requested
        if extension.decided_by is None:
            return _("The hall's rule approved {minutes} min").format(minutes=minutes)
        return _("{name} approved {minutes} min").format(
            name=extension.decided_by.name, minutes=minutes
        )
    if extension.status == w.ExtensionStatus.denied:
        name = extension.decided_by.name if extension.decided_by else "—"
        return _("{name} denied it: {reason}").format(
            name=name, reason=extension.decision_reason or "—"
        )
    return ""  # withdrawn: nothing left to say


def _hint(status: w.ClosingStatus, keys: str) -> str:
    if status.suggested_minutes > 0:
        return _("{keys}: ask to extend, {minutes} min suggested").format(
            keys=keys, minutes=status.suggested_minutes
        )
    return _("{keys}: ask to extend").format(keys=keys)


def _fit(parts: list[str], width: int) -> str:
    """The parts joined by " · ", the least important (last) left out while it is too wide."""
    parts = [part for part in parts if part]
    while len(parts) > 1 and cell_len(" · ".join(parts)) > width:
        parts.pop()
    return " · ".join(parts)


def banner_lines(
    status: w.ClosingStatus,
    hall_now: datetime,
    zone: ZoneInfo,
    keys: str,
    offered: bool,
    width: int = WIDTH,
) -> tuple[str, str]:
    """The banner's two lines at `hall_now` (the hall's clock, not the PC's), for `width`
    cells. `offered`: the extend action is offered now, so its key `keys` is named."""
    assert status.window_end is not None  # shown only for a window in an open stretch
    end, left = local_time(status.window_end, zone), status.window_end - hall_now
    extended = status.scheduled_end is not None and status.window_end > status.scheduled_end
    request = _extension(status.extension, zone)
    hint = _hint(status, keys) if offered else ""
    if left.total_seconds() > 0:
        if extended:
            when = _("Extended to {end}, {left} left").format(end=end, left=duration(left))
        else:
            when = _("Closes at {end}, {left} left").format(end=end, left=duration(left))
        return _fit([when, _waiting(status)], width), _fit([request, hint], width)
    if -left < timedelta(minutes=1):  # overruns count whole minutes (rules.overrun_minutes)
        past = _("Past the end ({end}) by {over}: from one minute on, overtime").format(
            end=end, over=duration(-left)
        )
    else:
        past = _("Past the end ({end}) by {over}: overtime, for the duty lead to confirm").format(
            end=end, over=duration(-left)
        )
    return past, _fit([_waiting(status), request, hint], width)


class ClosingBanner(Static):
    """Hidden until this window's end is near; two lines while shown (never a layout change
    while it counts down)."""

    DEFAULT_CSS = """
    ClosingBanner {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)  # a denial's reason is the lead's own text
        self.display = False
        self._text = ""

    def show(
        self, status: w.ClosingStatus, hall_now: datetime, zone: ZoneInfo, keys: str, offered: bool
    ) -> None:
        width = self.content_size.width or WIDTH
        text = "\n".join(banner_lines(status, hall_now, zone, keys, offered, width))
        if not self.display:
            self.display = True
        if text != self._text:
            self._text = text
            self.update(text, layout=False)

    def hide(self) -> None:
        if self.display:
            self.display = False
            self._text = ""
