"""What "My leave" shows, kept without Textual: the person's balance, what expires soon, the
ledger with each entry's source in words (and the exact minutes worked, from the month's
overtime entries), their leave requests, coming duties; which hall events mean "read it again";
and the two changes the person makes (ask for leave, cancel a request), each sent exactly once.

The hall owns every figure: the balance shown is the hall's `balance_minutes`, never a sum made
here. A read that began before the answer to the person's own change is stale (the new request
would vanish for a moment) and is dropped: a fresh read follows.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api import schemas as w
from clerkdesk.api.client import new_key
from clerkdesk.api.ledger import LedgerClient
from clerkdesk.i18n import N_, _
from clerkdesk.state.leave_words import (
    NOT_CREDITED,
    entry_words,
    hours_minutes,
    kind_name,
    not_credited_words,
    request_text,
    signed,
    worked_words,
)

MONTHS_READ = 13  # months of overtime entries read for the exact minutes (the expiry is 12)
RECENT_DAYS = 30  # decided requests are listed until this long after their last date
LEDGER_EVENTS = frozenset(
    {
        *w.LEDGER_EVENT_KINDS,
    }
)
EVERYONE_READS = frozenset(
    {w.EventKind.reset, w.EventKind.hall_updated, w.EventKind.calendar_updated}
)


# --- asking for leave -----------------------------------------------------------------------


@dataclass(frozen=True)
class LeaveAsk:
    """Leave the person asks for: whole dates `first`..`last`, or `hours` on `first`."""

    first: date
    last: date | None
    hours: float | None
    reason: str


_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_HOURS_MINUTES = re.compile(r"^(\d{1,2}):(\d{2})$")


def read_date(text: str, since: date, within: int = 183) -> date | None:
    """ "2026-12-14", or "12-14": in the year of `since`, or in the next year when that is
    before `since` and the next year's is at most `within` days after it ("01-04" typed in
    December); a date typed in the past stays there (the hall says why not). None if not a
    date."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    found = _MONTH_DAY.match(text)
    if found is None:
        return None
    try:
        this_year = date(since.year, int(found[1]), int(found[2]))
    except ValueError:
        return None
    if this_year >= since:
        return this_year
    try:
        next_year = this_year.replace(year=since.year + 1)
    except ValueError:  # 02-29
        return this_year
    return next_year if (next_year - since).days <= within else this_year


def read_hours(text: str) -> float | None:
    """ "4", "4.5", "0.5" or "4:30"; None if it is none of these."""
    text = text.strip().replace("，", ".").replace(",", ".")
    found = _HOURS_MINUTES.match(text)
    if found is not None:
        return int(found[1]) + int(found[2]) / 60
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class FormProblem:
    """What to correct in the leave form, and in which field ("first", "last", "hours")."""

    field: str
    text: str


def read_ask(first: str, last: str, hours: str, reason: str, today: date) -> LeaveAsk | FormProblem:
    """The leave asked for, or what to correct (one sentence). The hall checks the rest."""
    start = read_date(first, today)
    if start is None:
        return FormProblem("first", _("Type the first date as 2026-12-14 (or 12-14)."))
    end = read_date(last, start, within=62) if last.strip() else None  # one request: 63 dates
    if last.strip() and end is None:
        return FormProblem(
            "last", _("Type the last date as 2026-12-16, or leave it empty for one day.")
        )
    if end is not None and end < start:
        return FormProblem("last", _("The last date comes before the first: check the two dates."))
    amount = read_hours(hours) if hours.strip() else None
    if hours.strip():
        if amount is None or not 0 < amount <= 24:
            return FormProblem(
                "hours", _("Type the hours as 4, 2.5 or 1:30 (at most 24), or leave them empty.")
            )
        if end is not None and end != start:
            return FormProblem(
                "hours", _("Leave by the hour is on one date: empty the last date or the hours.")
            )
        end = None
    if end == start:
        end = None
    return LeaveAsk(start, end, amount, " ".join(reason.split()))


# --- the changes the person sends (through the screen's HallLink) --------------------------

Send = Callable[[LedgerClient, str], Awaitable[lw.LeaveRequestOut]]


@dataclass
class LeaveChange:
    """One change the person means to make. Its Idempotency-Key is made once and kept until
    the hall answers, so sending it again after a dropped connection asks only once."""

    label: str  # N_-marked
    send: Send
    done: Callable[[lw.LeaveRequestOut], str]
    key: str = field(default_factory=new_key)


def ask_leave(ask: LeaveAsk) -> LeaveChange:
    def done(answer: lw.LeaveRequestOut) -> str:
        return _("Asked for {leave}: it waits for your duty lead's decision.").format(
            leave=request_text(answer)
        )

    return LeaveChange(
        N_("Ask for leave"),
        lambda c, k: c.request_leave(ask.first, ask.last, ask.hours, ask.reason, key=k),
        done,
    )


def cancel_leave(request: lw.LeaveRequestOut) -> LeaveChange:
    def done(answer: lw.LeaveRequestOut) -> str:
        return _("Your request for {leave} is cancelled.").format(leave=request_text(answer))

    return LeaveChange(N_("Cancel request"), lambda c, k: c.cancel_leave(request.id, key=k), done)


# --- what the screen shows ------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    """One line of the ledger as shown: an entry of the leave ledger, or overtime recorded
    without credit (over a cap, under the minimum)."""

    key: str
    on: date
    kind: str
    exact: str  # the minutes worked, for overtime ("" otherwise, "—" when not read)
    change: str  # the signed change to the balance
    words: str  # the source in words
    detail: str  # all of it, for the line under the table


def _month(on: date) -> str:
    return f"{on.year:04d}-{on.month:02d}"


def _pending_then_latest(request: lw.LeaveRequestOut) -> tuple[object, ...]:
    pending = request.status == lw.DecisionStatus.pending
    moment = request.requested_at.timestamp()
    return (not pending, moment if pending else -moment, request.id)


@dataclass
class MyLeave:
    staff_no: str
    balance: lw.LeaveBalanceOut | None = None
    requests: list[lw.LeaveRequestOut] = field(default_factory=list)  # own, pending first
    worked: dict[str, lw.OvertimeEntryOut] = field(default_factory=dict)  # by source
    claim_reasons: dict[int, str] = field(default_factory=dict)  # the person's claims' reasons
    loaded: bool = False
    answers: int = 0  # answers to the person's own changes applied: a read's freshness stamp

    def load(
        self, balance: lw.LeaveBalanceOut, requests: list[lw.LeaveRequestOut], stamp: int
    ) -> bool:
        """The hall's answer to a read; False (nothing changed) if the read was stale."""
        if stamp < self.answers:
            return False
        self.balance = balance
        self.requests = sorted(
            (r for r in requests if r.staff.staff_no == self.staff_no), key=_pending_then_latest
        )
        self.loaded = True
        return True

    def load_claims(self, claims: list[lw.ClaimOut]) -> None:
        self.claim_reasons = {c.id: c.reason for c in claims if c.staff.staff_no == self.staff_no}

    def claim_reason(self, source: str) -> str | None:
        """The reason the person gave for the claim behind `source` ("claim:3:2026-12-10")."""
        origin, _sep, rest = source.partition(":")
        number = rest.split(":")[0]
        if origin != "claim" or not number.isdigit():
            return None
        return self.claim_reasons.get(int(number))

    def months_wanted(self, today: date) -> list[str]:
        """The months whose overtime entries to read (newest first): this month's and the last
        (overtime recorded without credit shows only there), and each month with a credit
        whose entry is not known yet; at most MONTHS_READ."""
        last_month = today.replace(day=1) - timedelta(days=1)
        months = {_month(today), _month(last_month)}
        if self.balance is not None:
            months |= {
                _month(e.local_date)
                for e in self.balance.ledger
                if e.kind in (lw.LedgerKind.accrual, lw.LedgerKind.expiry)
                and e.source not in self.worked
            }
        return sorted(months, reverse=True)[:MONTHS_READ]

    def load_worked(self, entries: list[lw.OvertimeEntryOut]) -> None:
        for entry in entries:
            if entry.staff.staff_no == self.staff_no:
                self.worked[entry.source] = entry

    def apply(self, answer: lw.LeaveRequestOut) -> None:
        """The answer to the person's own change, shown at once (before the next read)."""
        self.answers += 1
        others = [r for r in self.requests if r.id != answer.id]
        self.requests = sorted([answer, *others], key=_pending_then_latest)
        if self.balance is not None:
            pending = sum(r.minutes for r in self.requests if r.status == lw.DecisionStatus.pending)
            self.balance = self.balance.model_copy(update={"pending_minutes": pending})

    def shown_requests(self, today: date) -> list[lw.LeaveRequestOut]:
        """Pending ones, then those not long past (the newest first)."""
        since = today - timedelta(days=RECENT_DAYS)
        return [
            r
            for r in self.requests
            if r.status == lw.DecisionStatus.pending or r.last_date >= since
        ]

    @staticmethod
    def cancellable(request: lw.LeaveRequestOut, today: date) -> bool:
        """Pending, or approved and not begun (the hall gives the time back)."""
        if request.status == lw.DecisionStatus.pending:
            return True
        return request.status == lw.DecisionStatus.approved and request.first_date > today

    def news(self, before: list[lw.LeaveRequestOut]) -> list[str]:
        """What a duty lead decided since `before` (the requests as they were)."""
        was = {r.id: r.status for r in before}
        told: list[str] = []
        for r in self.requests:
            if was.get(r.id) != lw.DecisionStatus.pending or r.status == was[r.id]:
                continue
            who = r.decided_by or _("The duty lead")
            if r.status == lw.DecisionStatus.approved:
                told.append(
                    _("{name} approved your leave: {leave}.").format(
                        name=who, leave=request_text(r)
                    )
                )
            elif r.status == lw.DecisionStatus.denied:
                told.append(
                    _("{name} did not approve your leave ({leave}): {reason}").format(
                        name=who, leave=request_text(r), reason=r.decision_reason or "—"
                    )
                )
        return told

    def ledger_lines(self, zone: ZoneInfo) -> list[LedgerLine]:
        """The ledger, newest first, with overtime recorded but not credited among it."""
        if self.balance is None:
            return []
        lines: list[tuple[tuple[object, ...], LedgerLine]] = []
        for entry in self.balance.ledger:
            worked = self.worked.get(entry.source)
            exact = ""
            if entry.kind == lw.LedgerKind.accrual:
                exact = hours_minutes(worked.exact_minutes) if worked else "—"
            words = entry_words(entry, worked, zone)
            detail = self._detail(entry, worked, words, self.claim_reason(entry.source))
            line = LedgerLine(
                f"entry:{entry.id}",
                entry.local_date,
                kind_name(entry.kind),
                exact,
                signed(entry.minutes),
                words,
                detail,
            )
            lines.append(((entry.local_date, entry.at.timestamp(), entry.id), line))
        credited = {e.source for e in self.balance.ledger}
        for source, worked in self.worked.items():
            if worked.credited_minutes > 0 or source in credited:
                continue
            words = worked_words(source, worked, zone)
            line = LedgerLine(
                f"overtime:{worked.id}",
                worked.local_date,
                _(NOT_CREDITED),
                hours_minutes(worked.exact_minutes),
                signed(0),
                words,
                f"{worked.local_date.isoformat()}: {words} · {not_credited_words(worked)}",
            )
            lines.append(((worked.local_date, worked.ends_at.timestamp(), -worked.id), line))
        return [line for _key, line in sorted(lines, key=lambda x: x[0], reverse=True)]

    @staticmethod
    def _detail(
        entry: lw.LedgerEntryOut,
        worked: lw.OvertimeEntryOut | None,
        words: str,
        claimed: str | None,
    ) -> str:
        parts = [f"{entry.local_date.isoformat()}: {words}"]
        if claimed:
            parts[0] += f" “{' '.join(claimed.split())}”"
        if worked is not None and entry.kind == lw.LedgerKind.accrual:
            text = _("{exact} worked, {credited} credited").format(
                exact=hours_minutes(worked.exact_minutes),
                credited=hours_minutes(worked.credited_minutes),
            )
            if worked.excess_minutes:
                text += " " + _("({excess} over the cap, not credited)").format(
                    excess=hours_minutes(worked.excess_minutes)
                )
            parts.append(text)
        if entry.expires_on is not None:
            parts.append(_("expires on {date}").format(date=entry.expires_on.isoformat()))
        return " · ".join(parts)

    def reads_for(self, event: w.EventOut) -> bool:
        """Does this event change what My leave shows?"""
        if event.kind in EVERYONE_READS:
            return True
        return (
            event.kind in LEDGER_EVENTS
            and event.ledger is not None
            and event.ledger.staff_no == self.staff_no
        )
