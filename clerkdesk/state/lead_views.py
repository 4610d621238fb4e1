"""The duty lead's two boards beside the inbox, kept without Textual: the department's comp-leave
balances (GET /leave/balances) and the open hand-offs (GET /hand-offs), with which hall events
mean "read that again", and the words their rows are made of.

The hall says who is in the department, what each balance is and which tickets were handed on
too often (its `handoff_flag_after`); the screen only orders and words it. How long an open
hand-off has waited goes on between reads on the hall's clock (the workstation's clock object).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api import schemas as w
from clerkdesk.i18n import _, ngettext
from clerkdesk.state.display import duration, local_time
from clerkdesk.state.handoff import Names
from clerkdesk.state.leave_words import hours_minutes


class View(StrEnum):
    """What the lower part of the lead's screen shows: today's decided requests and overruns,
    the department's balances, or the open hand-offs (the last two beside today's from 120
    columns on)."""

    today = "today"
    balances = "balances"
    handoffs = "handoffs"


WIDE = 120
"""From this many columns on, a board is shown with today's tables instead of in their place."""


def toggled(view: View, pressed: View, wide: bool) -> View:
    """The view after its key: a board's key shows it; pressed again on a narrow screen, back
    to today's (on a wide one today's is shown beside it anyway)."""
    if view == pressed and not wide:
        return View.today
    return pressed


# --- the department's balances --------------------------------------------------------------

BALANCE_READS = frozenset(
    {
        *w.LEDGER_EVENT_KINDS,  # a balance, what expires or the pending minutes moved
        w.EventKind.window_closed,  # overtime from an extension or a duty session
        w.EventKind.hall_updated,
        w.EventKind.reset,
    }
)


@dataclass
class BalanceBoard:
    answer: lw.LeaveBalancesOut | None = None

    @property
    def loaded(self) -> bool:
        return self.answer is not None

    @property
    def lines(self) -> list[lw.StaffBalanceOut]:
        return self.answer.staff if self.answer else []

    def find(self, staff_no: str | None) -> lw.StaffBalanceOut | None:
        return next((x for x in self.lines if x.staff.staff_no == staff_no), None)

    @staticmethod
    def reads_for(event: w.EventOut) -> bool:
        return event.kind in BALANCE_READS


def expiring_text(line: lw.StaffBalanceOut) -> str:
    """What expires within 30 days and from when: "2 h (12-20)"; "—" when nothing does."""
    if not line.expiring_minutes:
        return "—"
    when = f" ({line.next_expiry:%m-%d})" if line.next_expiry else ""
    return hours_minutes(line.expiring_minutes) + when


def balance_cells(line: lw.StaffBalanceOut, wide: bool, names: Names | None) -> list[str]:
    """One line of the balances table: who, balance, in days, expiring, pending (and, wide,
    the department and the coming duties)."""
    who = f"{line.staff.name} {line.staff.staff_no}"
    cells = [
        who,
        hours_minutes(line.balance_minutes),
        f"{line.balance_days:g}",
        expiring_text(line),
        hours_minutes(line.pending_minutes) if line.pending_minutes else "—",
    ]
    if wide:
        department = line.staff.department
        shown = names.department(department) if names and department else (department or "—")
        duties = str(line.coming_duties) if line.coming_duties else "—"
        cells = [cells[0], shown, *cells[1:], duties]
    return cells


def balances_title(board: BalanceBoard, names: Names | None) -> str:
    answer = board.answer
    if answer is None:
        return _("Balances: reading them from the hall…")
    if answer.department is None:
        return _("Comp-leave balances · the whole hall")
    name = names.department(answer.department) if names else answer.department
    return _("Comp-leave balances · {department}").format(department=name)


# --- the open hand-offs -----------------------------------------------------------------------


def _handoff_event(event: w.EventOut) -> bool:
    if event.handoff is not None:
        return True
    return event.ticket is not None and event.ticket.handoffs > 0  # called, finished, unpinned


@dataclass
class HandOffBoard:
    watch: w.HandOffWatch | None = None
    read_at: datetime | None = None
    open: list[w.HandOffOut] = field(default_factory=list)  # the longest waiting first

    @property
    def loaded(self) -> bool:
        return self.watch is not None

    def load(self, watch: w.HandOffWatch) -> None:
        self.watch, self.read_at = watch, watch.now
        self.open = sorted(watch.open, key=lambda m: (m.at, m.id))

    @property
    def flag_after(self) -> int:
        return self.watch.flag_after if self.watch else 3

    def flagged_open(self) -> list[str]:
        """Codes of the tickets still away that were handed on too often, in the list's order."""
        return list(dict.fromkeys(m.ticket for m in self.open if m.flagged))

    def find(self, key: str | None) -> w.HandOffOut | None:
        return next((m for m in self.open if str(m.id) == key), None)

    @staticmethod
    def reads_for(event: w.EventOut) -> bool:
        return event.kind in (w.EventKind.hall_updated, w.EventKind.reset) or _handoff_event(event)


def waited(move: w.HandOffOut, now: datetime) -> timedelta:
    """How long the case has waited for its receiver: until the receiver called the citizen,
    else on to now (the hall's clock), as the hall counts it."""
    until = move.called_at or move.ended_at or now
    return max(timedelta(0), until - move.at)


def _window(number: int, wide: bool) -> str:
    return _("window {n}").format(n=number) if wide else str(number)


def from_text(move: w.HandOffOut, names: Names | None, wide: bool = False) -> str:
    """The sending side: "市场监管 3" (department, window; wide: "市场监管 · window 3")."""
    department = names.department(move.from_department) if names else move.from_department
    if move.from_window is None:
        return department
    return f"{department}{' · ' if wide else ' '}{_window(move.from_window, wide)}"


def to_text(move: w.HandOffOut, names: Names | None, wide: bool) -> str:
    """The receiving side: "税务 5" (a window), "税务 赵丽" (a clerk), "税务" (its service's
    queue); wide, with the service's name: "税务 · 发票领用 · window 5"."""
    department = names.department(move.to_department) if names else move.to_department
    service = names.service(move.to_service) if names else move.to_service
    if move.unpinned:
        target = _("queue")
    elif move.to_staff_name:
        target = move.to_staff_name
    elif move.to_window is not None:
        target = _window(move.to_window, wide)
    else:
        target = ""
    if wide:
        return " · ".join(part for part in (department, service, target) if part)
    return f"{department} {target}".strip()


def waited_text(move: w.HandOffOut, now: datetime) -> str:
    span = duration(waited(move, now))
    if move.called_at is not None:
        return _("{span}, called").format(span=span)
    return span


FLAG = "⚑"


def ticket_text(move: w.HandOffOut) -> str:
    return f"{FLAG} {move.ticket}" if move.flagged else move.ticket


def note_summary(move: w.HandOffOut) -> str:
    return " ".join(move.note.split())


def handoff_detail(
    move: w.HandOffOut, names: Names | None, zone: ZoneInfo, now: datetime, flag_after: int
) -> str:
    """The highlighted hand-off in full: when, from whom, to where, the note, how long it has
    waited, and why it is flagged."""
    who = " ".join(filter(None, [move.from_staff_name, move.from_staff and f"({move.from_staff})"]))
    text = _("{ticket}: {time} {who} · {origin} → {target}: “{note}” · waited {span}").format(
        ticket=move.ticket,
        time=local_time(move.at, zone),
        who=who,
        origin=from_text(move, names, wide=True),
        target=to_text(move, names, wide=True),
        note=note_summary(move),
        span=duration(waited(move, now)),
    )
    if move.unpinned:
        text += " · " + _("its window closed for the day: any window of the service calls it")
    if move.back_asked_at is not None:
        text += " · " + _("asked back by its sender")
    if move.flagged:
        text += " · " + flag_words([move.ticket], flag_after)
    return text


def flag_words(codes: list[str], flag_after: int) -> str:
    """Why these tickets are flagged to the lead, in one line."""
    return ngettext(
        "{mark} handed on more than {n} time: {tickets}",
        "{mark} handed on more than {n} times: {tickets}",
        flag_after,
    ).format(mark=FLAG, n=flag_after, tickets=", ".join(codes))
