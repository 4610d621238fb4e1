"""The hall monitor's state and wording, without Textual: the snapshot the screen shows, which
events make it read the hall again, how a window's state, a wait and a busy share are written,
and the tide window the lead asks for (a change sent exactly once through the screen's link).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.i18n import N_, _
from clerkdesk.state.display import duration

STATE_NAMES: dict[w.WindowState, str] = {
    w.WindowState.idle: N_("idle"),
    w.WindowState.calling: N_("calling"),
    w.WindowState.serving: N_("serving"),
    w.WindowState.paused: N_("paused"),
    w.WindowState.closed: N_("closed"),
}

QUIET_KINDS = frozenset(
    {
        *w.LEDGER_EVENT_KINDS,
        w.EventKind.calendar_updated,
    }
)
"""Events that change nothing the monitor shows: every other one makes it read the hall again."""

WIDE = 120
"""From this many columns on, the monitor draws a bar of each window's busy share."""


def reloads_for(event: w.EventOut) -> bool:
    return event.kind not in QUIET_KINDS


def window_state(window: w.WindowLoadOut) -> str:
    """ "serving", "idle · tide", "calling · extended"."""
    parts = [_(STATE_NAMES[window.state])]
    if window.tide is not None:
        parts.append(_("tide"))
    if window.extended:
        parts.append(_("extended"))
    if window.reserve and window.tide is None and window.state is w.WindowState.closed:
        parts.append(_("reserve"))
    return " · ".join(parts)


def wait_text(seconds: int | None) -> str:
    """A wait in words; None: no window is open for the service."""
    if seconds is None:
        return _("no window open")
    return duration(timedelta(seconds=seconds))


def since_text(since: datetime | None, now: datetime) -> str:
    return "" if since is None else duration(now - since)


def share_text(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def bar(share: float | None, cells: int = 10) -> str:
    """A bar of `cells` cells, full at 100 %."""
    if share is None:
        return " " * cells
    full = round(max(0.0, min(1.0, share)) * cells)
    return "█" * full + "░" * (cells - full)


def alert_line(alert: w.AlertOut) -> str:
    helpers = ", ".join(str(n) for n in alert.candidates) or _("none free")
    return _(
        "⚠ {service}: {waiting} waiting, longest {longest}, new arrival {estimate} · could "
        "help: {windows}"
    ).format(
        service=alert.service_name,
        waiting=alert.waiting,
        longest=wait_text(alert.longest_wait_s),
        estimate=wait_text(alert.estimated_wait_s),
        windows=helpers,
    )


def spread_text(spread: w.SpreadOut) -> str:
    if spread.spread is None or spread.std_dev is None:
        return _("Busy share: nobody signed in yet today")
    return _("Busy share {low}–{high}, spread {spread} (std dev {std}) over {n} windows").format(
        low=share_text(spread.lowest),
        high=share_text(spread.highest),
        spread=share_text(spread.spread),
        std=share_text(spread.std_dev),
        n=spread.windows,
    )


@dataclass
class HallWatch:
    """What the monitor shows: the latest snapshot, and a stamp that orders reads and answers."""

    snapshot: w.HallMonitorOut | None = None
    answers: int = 0

    @property
    def loaded(self) -> bool:
        return self.snapshot is not None

    def load(self, snapshot: w.HallMonitorOut) -> None:
        self.snapshot = snapshot

    def window(self, number: int | None) -> w.WindowLoadOut | None:
        if self.snapshot is None or number is None:
            return None
        return next((x for x in self.snapshot.windows if x.number == number), None)

    def suggestion(self, number: int | None) -> tuple[int | None, str | None]:
        """What the tide dialog offers: the highlighted window when it could help with an
        alert (else the first alert's first candidate; without alerts, the highlighted one),
        and the first alerted service it does not serve yet."""
        if self.snapshot is None:
            return number, None
        alerts = self.snapshot.alerts
        helping = [n for a in alerts for n in a.candidates]
        if helping and number not in helping:
            number = helping[0]
        window = self.window(number)
        serves = set(window.services) if window else set()
        service = next((a.service for a in alerts if a.service not in serves), None)
        return number, service


# --- the lead's tide windows ------------------------------------------------------------------


def parse_until(text: str, today: date, zone: ZoneInfo) -> datetime | None:
    """ "11:30" today in the hall; empty: until revoked. ValueError for anything else."""
    text = text.strip()
    if not text:
        return None
    hours, _sep, minutes = text.partition(":")
    moment = time(int(hours), int(minutes or 0))
    return datetime.combine(today, moment, zone)


@dataclass(frozen=True)
class TideChange:
    """Open (services given) or revoke a tide window; the key is made once."""

    window: int
    services: tuple[str, ...] = ()
    until: datetime | None = None
    reason: str = ""
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def opens(self) -> bool:
        return bool(self.services)

    @property
    def label(self) -> str:
        return N_("Open a tide window") if self.opens else N_("Revoke the tide window")

    async def send(self, client: HallClient) -> w.TideOut:
        if self.opens:
            return await client.open_tide(
                self.window, list(self.services), self.reason, until=self.until, key=self.key
            )
        return await client.end_tide(self.window, key=self.key)

    def done(self, answer: w.TideOut, zone: ZoneInfo) -> str:
        if not self.opens:
            return _("Window {n} calls its own services again.").format(n=answer.window)
        if answer.until is None:
            return _("Window {n} now calls {services} first, until you revoke it.").format(
                n=answer.window, services=", ".join(answer.services)
            )
        return _("Window {n} now calls {services} first, until {time}.").format(
            n=answer.window,
            services=", ".join(answer.services),
            time=answer.until.astimezone(zone).strftime("%H:%M"),
        )
