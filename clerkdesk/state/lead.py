"""What the duty lead's screen shows, kept without Textual: the inbox of extension requests
(oldest first), today's decided requests and overruns, the calendar's unconfirmed years; which
hall events mean "read that again"; and the lead's decisions, each sent exactly once.

The server owns every decision; this only orders what it says. A read that began before the
answer to one of the lead's own decisions is stale (it would put the request back in the inbox
for a moment) and is dropped: a fresh read follows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from clerkdesk.api import schemas as w
from clerkdesk.api.client import new_key
from clerkdesk.api.closing import ClosingClient
from clerkdesk.i18n import N_, _

EXTENSIONS, OVERRUNS, CALENDAR = "extensions", "overruns", "calendar"
EVERYTHING = frozenset({EXTENSIONS, OVERRUNS, CALENDAR})
NOTHING: frozenset[str] = frozenset()

_READS: dict[w.EventKind, frozenset[str]] = {
    w.EventKind.extension_requested: frozenset({EXTENSIONS}),
    w.EventKind.extension_decided: frozenset({EXTENSIONS}),
    w.EventKind.overrun_recorded: frozenset({OVERRUNS}),
    w.EventKind.overrun_decided: frozenset({OVERRUNS}),
    w.EventKind.window_closed: frozenset({EXTENSIONS, OVERRUNS}),
    w.EventKind.calendar_updated: frozenset({CALENDAR, EXTENSIONS}),
    w.EventKind.hall_updated: EVERYTHING,
    w.EventKind.reset: EVERYTHING,
}


@dataclass(frozen=True)
class LeadAction:
    name: str  # the screen's action_<name>, also the binding id "lead.<name>"
    key: str
    label: str  # N_-marked: translate when shown
    help: str  # N_-marked: the command palette's longer description


LEAD_ACTIONS: tuple[LeadAction, ...] = (
    LeadAction("approve", "a", N_("Approve"), N_("Approve the request as asked")),
    LeadAction("approve_minutes", "m", N_("Minutes"), N_("Approve with other minutes")),
    LeadAction("deny", "d", N_("Deny"), N_("Deny the request, giving the reason")),
    LeadAction("confirm_overrun", "c", N_("Confirm"), N_("Confirm the highlighted overrun")),
    LeadAction("reject_overrun", "r", N_("Reject"), N_("Reject the overrun, giving the reason")),
    LeadAction("confirm_year", "y", N_("Confirm year"), N_("Confirm the year's holiday swaps")),
)
LEAD_ACTION_NAMES = frozenset(a.name for a in LEAD_ACTIONS)

Answer = w.ExtensionOut | w.OverrunOut | w.ConfirmedYearOut
Send = Callable[[ClosingClient, str], Awaitable[Answer]]
Done = Callable[[Answer], str]


@dataclass
class Decision:
    """One decision the lead means to send. Its Idempotency-Key is made once and kept until the
    server answers, so sending it again after a dropped connection decides only once."""

    label: str  # N_-marked
    send: Send
    done: Done  # the line to show once the server has answered
    key: str = field(default_factory=new_key)


def _oldest_first(item: w.ExtensionInboxItem) -> tuple[object, ...]:
    return (item.extension.requested_at, item.extension.id)


def _latest_decision_first(item: w.ExtensionInboxItem) -> tuple[object, ...]:
    x = item.extension
    return (-(x.decided_at or x.requested_at).timestamp(), -x.id)


def _pending_then_latest(overrun: w.OverrunOut) -> tuple[object, ...]:
    pending = overrun.status == w.OverrunStatus.pending
    moment = overrun.recorded_at if pending else (overrun.decided_at or overrun.recorded_at)
    return (not pending, moment.timestamp() * (1 if pending else -1), overrun.id)


@dataclass
class LeadDesk:
    staff_no: str
    inbox: list[w.ExtensionInboxItem] = field(default_factory=list)  # pending, oldest first
    decided: list[w.ExtensionInboxItem] = field(default_factory=list)  # today, latest first
    overruns: list[w.OverrunOut] = field(default_factory=list)  # pending first, then latest
    unconfirmed_years: list[int] = field(default_factory=list)
    loaded: bool = False
    answers: int = 0  # how many decision answers have been applied: a read's freshness stamp

    def load_extensions(self, items: list[w.ExtensionInboxItem], stamp: int) -> bool:
        """Today's requests and every pending one; False (nothing changed) if the read was stale."""
        if stamp < self.answers:
            return False
        pending = w.ExtensionStatus.pending
        self.inbox = sorted((x for x in items if x.extension.status == pending), key=_oldest_first)
        self.decided = sorted(
            (x for x in items if x.extension.status != pending), key=_latest_decision_first
        )
        self.loaded = True
        return True

    def load_overruns(self, overruns: list[w.OverrunOut], stamp: int) -> bool:
        if stamp < self.answers:
            return False
        self.overruns = sorted(overruns, key=_pending_then_latest)
        return True

    def load_calendar(self, today: w.CalendarToday) -> None:
        self.unconfirmed_years = sorted(today.unconfirmed_years)

    def apply(self, answer: Answer) -> None:
        """The answer to the lead's own decision, shown at once (before the next read)."""
        self.answers += 1
        if isinstance(answer, w.ExtensionOut):
            for item in self.inbox:
                if item.extension.id == answer.id:
                    self.inbox.remove(item)
                    decided = item.model_copy(update={"extension": answer})
                    self.decided = [decided, *self.decided]
                    break
        elif isinstance(answer, w.OverrunOut):
            self.overruns = sorted(
                [answer if o.id == answer.id else o for o in self.overruns],
                key=_pending_then_latest,
            )
        else:
            self.unconfirmed_years = [y for y in self.unconfirmed_years if y != answer.year]

    def is_mine(self, item: w.ExtensionInboxItem) -> bool:
        return item.extension.staff.staff_no == self.staff_no

    def offer(
        self,
        action: str,
        request: w.ExtensionInboxItem | None,
        overrun: w.OverrunOut | None,
        is_admin: bool,
    ) -> tuple[bool, bool]:
        """Is the lead's action offered on the highlighted request or overrun, and is that the
        lead's own (then it is shown, but off: someone else decides)?"""
        if action == "confirm_year":
            return is_admin and bool(self.unconfirmed_years), False
        if action in ("confirm_overrun", "reject_overrun"):
            return overrun is not None, bool(overrun and overrun.staff.staff_no == self.staff_no)
        return request is not None, bool(request and self.is_mine(request))

    def reads_for(self, event: w.EventOut) -> frozenset[str]:
        """What to read again after this event. Tickets and windows matter only while a request
        waits: they change its context (citizens waiting, minutes needed, the window's phase)."""
        found = _READS.get(event.kind)
        if found is not None:
            return found
        if not self.inbox:
            return NOTHING
        if event.ticket is not None:  # any window may call a ticket a pending window counts
            return frozenset({EXTENSIONS})
        windows = {item.extension.window for item in self.inbox}
        if event.window is not None and event.window.number in windows:
            return frozenset({EXTENSIONS})
        return NOTHING


def status_parts(me: w.MeOut | None, online: bool) -> list[str]:
    """The lead screen's status line: who, which hall, online or not."""
    parts = [_("Duty lead")]
    if me is not None:
        parts += [f"{me.staff.name} {me.staff.staff_no}", me.hall_name]
    parts.append(_("online") if online else _("offline"))
    return parts
