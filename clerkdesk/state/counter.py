"""What the counter screen shows, kept without Textual: fed by reads, answers and events.

The server owns every decision, the queue order included. Reads (`GET /windows/{n}/counter`)
replace the whole state; the answer to the clerk's own action is shown at once; an event that
touches this window only says "read again". A read that began before an answer arrived is
stale and is dropped (a fresh read follows the answer anyway). The window's closing time has
its own reads (`closing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.i18n import _
from clerkdesk.state.closing import ClosingWatch
from clerkdesk.state.display import local_time

IN_HAND = (w.TicketStatus.called, w.TicketStatus.serving)


@dataclass
class CounterModel:
    window_number: int
    staff_no: str
    window: w.WindowOut | None = None
    current: w.TicketOut | None = None
    queue: list[w.TicketOut] = field(default_factory=list)
    counts: w.DayCounts | None = None
    policy: w.CounterPolicyOut = field(default_factory=w.CounterPolicyOut)
    no_shows: list[w.TicketOut] = field(default_factory=list)  # still to reinstate, latest first
    last_event_id: int = 0
    answers: int = 0  # how many action answers have been applied: a read's freshness stamp
    closing: ClosingWatch = field(default_factory=ClosingWatch)

    @property
    def loaded(self) -> bool:
        return self.window is not None

    @property
    def held_by_me(self) -> bool:
        holder = self.window.holder if self.window else None
        return holder is not None and holder.staff.staff_no == self.staff_no

    @property
    def holder_name(self) -> str | None:
        holder = self.window.holder if self.window else None
        return holder.staff.name if holder else None

    @property
    def paused(self) -> bool:
        holder = self.window.holder if self.window else None
        return holder is not None and holder.paused

    @property
    def status(self) -> w.TicketStatus | None:
        return self.current.status if self.current else None

    def load(self, state: w.CounterState, stamp: int) -> bool:
        """Replace everything with a fresh read begun at `stamp`; False if it was stale."""
        if stamp < self.answers:
            return False
        self.window = state.window
        self.current = state.current
        self.queue = list(state.queue)
        self.counts = state.counts
        self.policy = state.policy
        self.no_shows = list(state.no_shows)
        self.last_event_id = max(self.last_event_id, state.last_event_id)
        return True

    def apply_ticket(self, ticket: w.TicketOut) -> None:
        """The server's answer to this clerk's action on a ticket."""
        self.answers += 1
        self.queue = [t for t in self.queue if t.id != ticket.id]
        self.no_shows = [t for t in self.no_shows if t.id != ticket.id]
        if ticket.status == w.TicketStatus.no_show and ticket.window == self.window_number:
            self.no_shows.insert(0, ticket)  # the reinstate dialog offers it at once
        if ticket.status in IN_HAND and ticket.window == self.window_number:
            self.current = ticket
        elif self.current is not None and self.current.id == ticket.id:
            self.current = None

    def apply_window(self, window: w.WindowOut) -> None:
        """The server's answer to pause, resume or leave."""
        self.answers += 1
        self.window = window

    def touches(self, event: w.EventOut) -> bool:
        """Does this event change what the counter shows? (Then read the counter again.)"""
        if event.id <= self.last_event_id and event.kind != w.EventKind.reset:
            return False
        if event.kind in (w.EventKind.reset, w.EventKind.hall_updated):
            return True
        if event.kind == w.EventKind.tide_ended and event.tide is not None:
            # Citizens handed to the tide window for its tide's services wait here now.
            mine = self.window.services if self.window else []
            if set(event.tide.services) & set(mine):
                return True
        if event.window is not None:
            return event.window.number == self.window_number
        ticket = event.ticket
        if ticket is None:
            return False
        services = self.window.services if self.window else []
        if self.window is not None and self.window.tide is not None:  # a tide window's too
            services = [*self.window.tide.services, *services]
        return (
            ticket.service in services
            or ticket.window == self.window_number
            or (self.current is not None and self.current.id == ticket.id)
        )


def window_title(model: CounterModel, zone: ZoneInfo) -> str:
    """The counter's header: the window, and while a lead has made it a tide window (潮汐窗口)
    the services it calls first and until when."""
    title = _("Window {n}").format(n=model.window_number)
    tide = model.window.tide if model.window else None
    if tide is None:
        return title
    services = "、".join(tide.service_names or tide.services)
    if tide.until is None:
        return _("{window} · tide → {services}").format(window=title, services=services)
    return _("{window} · tide → {services} until {time}").format(
        window=title, services=services, time=local_time(tide.until, zone)
    )


def status_parts(model: CounterModel, me: w.MeOut | None, online: bool) -> list[str]:
    """The status line: the window, the clerk, paused, who holds it (not me), online or not."""
    parts = [model.window.label if model.window else _("Window {n}").format(n=model.window_number)]
    if me is not None:
        parts.append(f"{me.staff.name} {me.staff.staff_no}")
    if model.paused:
        parts.append(_("paused"))
    if model.loaded and not model.held_by_me:
        parts.append(_("held by {name}").format(name=model.holder_name or "—"))
    parts.append(_("online") if online else _("offline"))
    return parts


def lost_window_text(window: int, holder: w.WindowSessionOut | None, zone: ZoneInfo) -> str:
    """Why the clerk no longer holds `window` (who took it over, and when), and what to do."""
    if holder is None:
        return _("You are no longer signed in at window {n}: pick a window.").format(n=window)
    return _("{name} took over window {n} at {time}: pick a window.").format(
        name=holder.staff.name, n=window, time=local_time(holder.started_at, zone)
    )


def taken_over_by(event: w.EventOut, window: int, staff_no: str) -> w.WindowSessionOut | None:
    """Someone else signed in at `window` (a take-over): who, from the hall's event."""
    shown = event.window
    if shown is None or shown.number != window or shown.holder is None:
        return None
    return shown.holder if shown.holder.staff.staff_no != staff_no else None
