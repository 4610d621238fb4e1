"""Hand-offs between departments (转办) at the counter, without Textual: where a case may go,
what the message line says once the hall has moved it, the chain of a handed-over ticket in
words, the hall's refusals of a hand-off, and the hand-offs this clerk sent and may ask back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.api.errors import ApiError
from clerkdesk.i18n import _
from clerkdesk.state.display import duration, local_time


@dataclass(frozen=True)
class Target:
    """Where the clerk hands the case: a service, a window or a clerk (one of them), and the
    note that goes with it (what was done, what is missing)."""

    note: str
    service: str | None = None
    window: int | None = None
    staff_no: str | None = None


@dataclass
class Names:
    """The hall's departments and services by code, to name them in the chain."""

    departments: dict[str, str] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, hall: w.HallOut) -> Names:
        return cls(
            {d.code: d.name for d in hall.departments}, {s.code: s.name for s in hall.services}
        )

    def department(self, code: str) -> str:
        return self.departments.get(code, code)

    def service(self, code: str) -> str:
        return self.services.get(code, code)


def service_choices(hall: w.HallOut, own_department: str | None) -> list[tuple[str, str]]:
    """The services of the other departments, department by department (a hand-off goes to
    another department; the hall still decides)."""
    names = Names.of(hall)
    return [
        (s.code, f"{names.department(s.department)} · {s.name}  ({s.prefix})")
        for s in sorted(hall.services, key=lambda s: (s.department, s.code))
        if s.department != own_department
    ]


def go_to_text(move: w.HandOffOut, names: Names | None = None) -> str:
    """The message line once the hall has moved the case: where the citizen goes now."""
    if move.go_to_window is not None:
        return _("{ticket}: please go to window {n}").format(
            ticket=move.ticket, n=move.go_to_window
        )
    service = names.service(move.to_service) if names else move.to_service
    return _("{ticket}: handed to {service}; the citizen waits for its windows").format(
        ticket=move.ticket, service=service
    )


def sent_back_text(move: w.HandOffOut) -> str:
    if move.go_to_window is not None:
        return _("{ticket} sent back: please go to window {n}").format(
            ticket=move.ticket, n=move.go_to_window
        )
    return _("{ticket} sent back to its sender's department").format(ticket=move.ticket)


def back_asked_text(move: w.HandOffOut) -> str:
    return _("{ticket} comes back to your window once they finish it").format(ticket=move.ticket)


def handed_over(ticket: w.TicketOut | None) -> bool:
    """Did this ticket come from another counter (a hand-off, a send-back, a return)?"""
    return ticket is not None and ticket.handoffs > 0


# --- the chain on the ticket card --------------------------------------------------------------


def _who(move: w.HandOffOut, names: Names) -> str:
    """From which window and clerk, of which department: "window 3 陈明 · 市场监管"."""
    parts = []
    if move.from_window is not None:
        parts.append(_("window {n}").format(n=move.from_window))
    if move.from_staff_name:
        parts.append(move.from_staff_name)
    return " ".join([*parts, "· " + names.department(move.from_department)])


def _words(move: w.HandOffOut) -> str:
    return move.note.replace("\n", " / ")


def move_line(move: w.HandOffOut, names: Names, zone: ZoneInfo, facts: bool = True) -> str:
    """One move of the chain: when, from whom, to where, the note or why it came back; with
    `facts`, how long the citizen waited for the receiver and whether it was asked back."""
    at = local_time(move.at, zone)
    who = _who(move, names)
    if move.kind == w.HandOffKind.send_back:
        line = _("{at} sent back by {who}: “{reason}”").format(at=at, who=who, reason=_words(move))
    elif move.kind == w.HandOffKind.returned:
        line = _("{at} returned by {who}").format(at=at, who=who)
        if move.note:
            line += f": “{_words(move)}”"
    else:
        line = _("{at} {who} → {service}: “{note}”").format(
            at=at, who=who, service=names.service(move.to_service), note=_words(move)
        )
    if facts and move.called_at is not None:
        waited = duration(timedelta(seconds=move.waited_seconds))
        line += " · " + _("waited {span}").format(span=waited)
    if facts and move.back_asked_at is not None:
        line += " · " + _("asked back")
    return line


def chain_lines(detail: w.TicketDetail, names: Names, zone: ZoneInfo) -> list[str]:
    """The whole chain, oldest first, under the citizen's time in the hall."""
    return [in_hall_line(detail), *(move_line(m, names, zone) for m in detail.chain)]


def in_hall_line(detail: w.TicketDetail) -> str:
    line = _("{ticket} handed over {n}× · in the hall {span}").format(
        ticket=detail.code,
        n=len(detail.chain),
        span=duration(timedelta(seconds=detail.seconds_in_hall)),
    )
    if detail.flagged:
        line += " · " + _("flagged to the duty lead")
    return line


def compact_lines(detail: w.TicketDetail, names: Names, zone: ZoneInfo, keys: str) -> list[str]:
    """For a small terminal: the last move in one line (its note cut to fit), then the time in
    the hall and the key to the whole chain."""
    if not detail.chain:
        return []
    span = duration(timedelta(seconds=detail.seconds_in_hall))
    return [
        move_line(detail.chain[-1], names, zone, facts=False),
        _("in the hall {span} · {keys}: the whole chain").format(span=span, keys=keys),
    ]


# --- the hall's refusals of a hand-off ----------------------------------------------------------


def opening_text(iso: object, zone: ZoneInfo) -> str:
    """The next opening in the hall's time zone, to the minute: "12-14 09:00"."""
    try:
        moment = datetime.fromisoformat(str(iso)).astimezone(zone)
    except ValueError:
        return "?"
    return moment.strftime("%m-%d %H:%M")


def explain_handoff(error: ApiError, zone: ZoneInfo) -> str | None:
    """A refusal of a hand-off, a send-back or a back-to-me in their own words (None: the usual
    words of clerkdesk.state.refusals)."""
    p = error.params
    code = error.code
    if code == "handoff_service_closed":
        if p.get("next_opening"):
            return _(
                "That service is closed now and opens again {when}: hand the case to an open "
                "one, or tell the citizen when to come back."
            ).format(when=opening_text(p["next_opening"], zone))
        return _("That service is closed now: hand the case to an open one.")
    if code == "handoff_target_missing":
        return _("Say where the case goes: a service, a window or a staff number.")
    if code == "handoff_target_twice":
        return _("Hand the case to a window or to a clerk, not both.")
    if code == "handoff_to_own_window":
        return _("{ticket} is at window {window} already: pick another target.").format(
            ticket=p.get("ticket", "?"), window=p.get("window", "?")
        )
    if code == "service_not_at_window":
        return _("Window {window} does not serve that service: pick another window.").format(
            window=p.get("window", "?")
        )
    if code == "window_serves_nothing":
        return _("Window {window} serves no service: pick another window.").format(
            window=p.get("window", "?")
        )
    if code == "staff_not_at_window":
        return _("Staff {staff} is at no window now: hand the case to their service.").format(
            staff=p.get("staff_no", "?")
        )
    if code == "staff_not_found":
        return _("No staff {staff} in this hall: check the number.").format(staff=p.get("key", "?"))
    if code == "not_handed_off":
        return _("{ticket} was not handed over by another counter.").format(
            ticket=p.get("ticket", "?")
        )
    if code == "not_the_sender":
        return _("Only the clerk who handed {ticket} off can ask it back.").format(
            ticket=p.get("ticket", "?")
        )
    if code == "case_finished":
        return _("{ticket} is finished already: there is nothing to ask back.").format(
            ticket=p.get("ticket", "?")
        )
    if code == "case_not_away":
        return _("{ticket} is not with another department now.").format(ticket=p.get("ticket", "?"))
    return None


# --- the hand-offs this clerk sent ---------------------------------------------------------------


@dataclass
class SentHandOffs:
    """The cases this clerk handed off, latest last: the one to ask back. Read from the hall
    (GET /me/hand-offs: today's, also after the workstation restarted), then kept up to date
    by the clerk's own hand-offs and the events of those cases."""

    staff_no: str
    moves: list[w.HandOffOut] = field(default_factory=list)
    away: set[int] = field(default_factory=set)
    """Tickets of mine another department has handed on further: still away, my move ended."""

    def sent(self, move: w.HandOffOut) -> None:
        self.moves = [m for m in self.moves if m.ticket_id != move.ticket_id] + [move]

    def load(self, mine: w.MyHandOffs) -> None:
        """The hall's list of my hand-offs. A move known here that is newer than the hall's
        for its ticket (sent while the list was on its way) is kept."""
        known = {m.ticket_id: m for m in self.moves}
        for move in mine.sent:
            there = known.get(move.ticket_id)
            if there is None or there.id <= move.id:
                known[move.ticket_id] = move
        self.moves = sorted(known.values(), key=lambda m: (m.at, m.id))
        self.away = set(mine.away)

    def heard(self, event: w.EventOut) -> bool:
        """A move of one of my cases: keep its latest state (asked back, done, handed on); a
        case that came back (sent back, returned) has nothing left to ask back. True when it
        was one of mine."""
        move = event.handoff
        if move is None or not any(m.ticket_id == move.ticket_id for m in self.moves):
            return False
        if any(m.id == move.id for m in self.moves):
            self.moves = [move if m.id == move.id else m for m in self.moves]
        elif move.kind != w.HandOffKind.hand_off:
            self.moves = [m for m in self.moves if m.ticket_id != move.ticket_id]
            self.away.discard(move.ticket_id)
        elif move.from_staff == self.staff_no:
            self.sent(move)
        elif move.state == w.HandOffState.open:
            self.away.add(move.ticket_id)  # handed on further: still away from me
        else:
            self.away.discard(move.ticket_id)  # finished (or closed) where it went on to
        return True

    def open_moves(self) -> list[w.HandOffOut]:
        """The cases still with another department and not yet asked back, latest first."""
        return [
            m
            for m in reversed(self.moves)
            if (m.state == w.HandOffState.open or m.ticket_id in self.away)
            and m.back_asked_at is None
        ]

    def last_open(self) -> w.HandOffOut | None:
        """The latest case still with another department and not yet asked back."""
        found = self.open_moves()
        return found[0] if found else None


def open_move_row(move: w.HandOffOut, names: Names | None, zone: ZoneInfo) -> str:
    """One of my open hand-offs, to pick the case to ask back: "D001 → 发票领用 · 09:20"."""
    service = names.service(move.to_service) if names else move.to_service
    return f"{move.ticket} → {service} · {local_time(move.at, zone)}"


def handoff_refusal(action: str) -> str:
    """Why a hand-off action the ticket's state allows is not offered now, in one line."""
    if action == "back_to_me":
        return _("No case you handed off is away now: there is nothing to ask back.")
    if action == "send_back":
        return _("This ticket was not handed over to you: there is nothing to send back.")
    return _("This ticket was not handed over: it has no chain to show.")
