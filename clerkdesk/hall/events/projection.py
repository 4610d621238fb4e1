"""Each event as its subscriber may see it (DESIGN.md, "Audiences").

An event row carries everything; before it leaves the hall it is projected for the signed-in
staff member reading the stream, live and on replay alike:

- **full**: admins, hall-wide staff (no department: the hall's duty lead), and a department's
  clerks and leads for the tickets their department serves — the service is the department's,
  a window of the department serves it, the ticket was called to one of its windows, or the
  department is in its chain of hand-offs (转办: sent or received it) — the rule `GET
  /tickets/{id}` applies. They alone read a hand-off's note, reasons and names.
- **staff**: a clerk or lead of another department: the ticket without the citizen's `notes`
  and the `reason` written about the case.
- **public**: the kiosk and the hall board (叫号屏): a ticket's number, service, window and
  state only; the fields the contract still requires carry their empty value (`notes` "",
  `priority` normal, the rest None). The window itself is what the hall displays anyway, but
  not who sits there: a window's holder keeps only that the window is held (and paused), with
  no staff number or name, and no tide (its reason and who opened it are the staff's). The
  staff's matters (extension requests, overruns, closings, confirmed years) are left out.
  Of a hand-off it keeps the ticket's code, the services, departments and windows (where the
  citizen goes: "请 C023 号到 12 号窗口"), never the note, the reasons or who handled it.

Pure: plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from clerkdesk.api import schemas as w


class View(StrEnum):
    full = "full"
    staff = "staff"
    public = "public"


@dataclass(frozen=True, slots=True)
class Audience:
    """Who reads a stream: their roles and their department's code (None: hall-wide)."""

    roles: frozenset[w.Role]
    department: str | None

    @property
    def public(self) -> bool:
        return is_public(self.roles)


@dataclass(frozen=True, slots=True)
class ServingDepartments:
    """Which departments serve a ticket: per service code, its own department and those of the
    windows that serve it; per window number, the window's department."""

    by_service: Mapping[str, frozenset[str]] = field(default_factory=dict)
    by_window: Mapping[int, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        services: Iterable[tuple[str, str | None]],
        windows: Iterable[tuple[int, str | None, Iterable[str]]],
    ) -> ServingDepartments:
        """From (service code, department code) and (window number, department code, service
        codes) rows."""
        by_service: dict[str, set[str]] = {}
        for service, department in services:
            by_service.setdefault(service, set()).update([department] if department else [])
        by_window: dict[int, str] = {}
        for number, department, served in windows:
            if department is None:
                continue
            by_window[number] = department
            for service in served:
                by_service.setdefault(service, set()).add(department)
        return cls({code: frozenset(d) for code, d in by_service.items()}, by_window)

    def serve(self, ticket: w.TicketOut) -> frozenset[str]:
        departments = self.by_service.get(ticket.service, frozenset())
        window = self.by_window.get(ticket.window) if ticket.window is not None else None
        return departments if window is None else departments | {window}


def ticket_view(audience: Audience, ticket: w.TicketOut, serving: ServingDepartments) -> View:
    if audience.public:
        return View.public
    if w.Role.admin in audience.roles or audience.department is None:
        return View.full
    if audience.department in serving.serve(ticket):
        return View.full
    if audience.department in ticket.chain_departments:
        return View.full
    return View.staff


def project_ticket(ticket: w.TicketOut, view: View) -> w.TicketOut:
    if view is View.full:
        return ticket
    if view is View.staff:
        if not ticket.notes and ticket.reason is None:
            return ticket
        return ticket.model_copy(update={"notes": "", "reason": None})
    return ticket.model_copy(
        update={
            "priority": w.Priority.normal,
            "appointment_at": None,
            "called_by": None,
            "started_at": None,
            "finished_at": None,
            "outcome": None,
            "reason": None,
            "notes": "",
            "handoffs": 0,
            "chain_departments": [],
        }
    )


NOBODY = w.StaffOut(id=0, staff_no="", name="", department=None, roles=[])
"""Who holds a window, as the public view shows it: someone, nobody in particular."""


def is_public(roles: frozenset[w.Role]) -> bool:
    """The kiosk, the hall board: a reader who is none of the staff."""
    return not roles & {w.Role.admin, w.Role.lead, w.Role.clerk}


def public_window(window: w.WindowOut) -> w.WindowOut:
    """A window as the kiosk and the board see it: held or not (and paused), by nobody named."""
    holder = window.holder
    if holder is not None:
        holder = holder.model_copy(update={"staff": NOBODY, "took_over_from": None})
    if holder is window.holder and window.tide is None:
        return window
    return window.model_copy(update={"holder": holder, "tide": None})


_PERSONAL_OF_HANDOFF = {
    "note": "",
    "end_reason": None,
    "from_staff_name": None,
    "to_staff_name": None,
}
_STAFF_OF_HANDOFF = {**_PERSONAL_OF_HANDOFF, "from_staff": None, "to_staff": None}


def project_handoff(handoff: w.HandOffOut, view: View) -> w.HandOffOut:
    """A hand-off as a view of its ticket may see it: all of it (full), without the note,
    the reason and the names (staff), without anyone's staff number either (public)."""
    if view is View.full:
        return handoff
    hidden = _PERSONAL_OF_HANDOFF if view is View.staff else _STAFF_OF_HANDOFF
    return handoff.model_copy(update=hidden)


def may_see_ledger(audience: Audience, ledger: w.LedgerEventOut) -> bool:
    """Whose overtime or leave changed: admins, hall-wide staff and the person's own department
    (the person and their duty lead); never the kiosk or another department."""
    if audience.public:
        return False
    if w.Role.admin in audience.roles or audience.department is None:
        return True
    return audience.department == ledger.department


_STAFF_MATTERS = {
    "extension": None,
    "overrun": None,
    "closing": None,
    "year": None,
    "tide": None,
}

WATCHERS = frozenset({w.Role.lead, w.Role.admin})
"""Who sees congestion alerts (and the hall monitor): the duty leads and admins."""


def may_see_alert(audience: Audience) -> bool:
    return not audience.roles.isdisjoint(WATCHERS)


def project(event: w.EventOut, audience: Audience, serving: ServingDepartments) -> w.EventOut:
    """The event as `audience` may see it (the same object when nothing is held back)."""
    update: dict[str, object] = {}
    if event.ticket is not None:
        view = ticket_view(audience, event.ticket, serving)
        ticket = project_ticket(event.ticket, view)
        if ticket is not event.ticket:
            update["ticket"] = ticket
        if event.handoff is not None:
            handoff = project_handoff(event.handoff, view)
            if handoff is not event.handoff:
                update["handoff"] = handoff
    elif event.handoff is not None:  # never written without its ticket; hold it back if so
        update["handoff"] = None
    if audience.public:
        update.update({name: None for name in _STAFF_MATTERS if getattr(event, name) is not None})
        if event.window is not None and (window := public_window(event.window)) is not event.window:
            update["window"] = window
    if event.ledger is not None and not may_see_ledger(audience, event.ledger):
        update["ledger"] = None
    if event.alert is not None and not may_see_alert(audience):
        update["alert"] = None
    return event.model_copy(update=update) if update else event
