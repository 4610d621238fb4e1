"""The rating pad at a counter (`clerkdesk rate --window 8`), without Textual: what it shows and
what it sends.

It follows the hall's events. When its window completes a case, it asks the citizen for 1-5,
then for an optional reason (a short list, or a few words of their own), sends the rating, says
thank you and waits for the next case. A case completed while another is being rated replaces
it (the citizen before has gone); a question nobody answers goes away after `ask_s`; a
completion older than that (replayed after the pad was offline) is not asked about.

A rating is sent with an Idempotency-Key made when the score is picked: sent again after a
dropped connection, it is counted once. Until the hall has it, it waits in `outbox`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.api import schemas as w

ASK_S = 90
"""Seconds a question waits for the citizen before the pad goes back to waiting."""
THANKS_S = 5
"""Seconds the thank-you stays up."""


class Phase(StrEnum):
    waiting = "waiting"  # for the window's next completed case
    score = "score"  # 1-5
    reason = "reason"  # an optional reason from the list
    comment = "comment"  # a few words of their own ("other")
    thanks = "thanks"


@dataclass(frozen=True)
class Case:
    ticket_id: int
    code: str
    service_name: str


@dataclass(frozen=True)
class Rating:
    """A rating to send (and send again, with the same key, until the hall has it)."""

    case: Case
    score: int
    reason: aw.RatingReason | None
    comment: str
    key: str


@dataclass
class RatingPad:
    window: int
    ask_s: int = ASK_S
    thanks_s: int = THANKS_S
    phase: Phase = Phase.waiting
    case: Case | None = None
    score: int | None = None
    since: datetime | None = None
    """When the current phase began (for its time-out)."""
    outbox: list[Rating] = field(default_factory=list)
    rated: int = 0
    """Ratings the hall has taken from this pad since it started."""

    # --- what comes from the hall ---------------------------------------------------------

    def on_event(self, event: w.EventOut, now: datetime) -> bool:
        """A case completed at this window is asked about (True: the pad changed)."""
        ticket = event.ticket
        if event.kind is not w.EventKind.ticket_completed or ticket is None:
            return False
        if ticket.window != self.window or ticket.status is not w.TicketStatus.done:
            return False
        if now - event.at > timedelta(seconds=self.ask_s):
            return False  # replayed after an outage: that citizen has gone
        self.case = Case(ticket.id, ticket.code, ticket.service_name)
        self._to(Phase.score, now)
        self.score = None
        return True

    # --- what the citizen presses ----------------------------------------------------------

    def pick_score(self, score: int, now: datetime) -> bool:
        if self.phase is not Phase.score or not 1 <= score <= 5:
            return False
        self.score = score
        self._to(Phase.reason, now)
        return True

    def reasons(self) -> tuple[aw.RatingReason, ...]:
        return aw.reasons_for(self.score or 5)

    def pick_reason(self, number: int, now: datetime) -> Rating | None:
        """The reason numbered `number` (1, 2, ...) in `reasons()`: "other" asks for the
        citizen's own words first (None); any other is the rating to send."""
        if self.phase is not Phase.reason or not 1 <= number <= len(self.reasons()):
            return None
        reason = self.reasons()[number - 1]
        if reason is aw.RatingReason.other:
            self._to(Phase.comment, now)
            return None
        return self._done(reason, "", now)

    def no_reason(self, now: datetime) -> Rating | None:
        """Send the score without a reason."""
        if self.phase is not Phase.reason:
            return None
        return self._done(None, "", now)

    def write(self, comment: str, now: datetime) -> Rating | None:
        """The citizen's own words (reason "other"); empty: the score alone."""
        if self.phase is not Phase.comment:
            return None
        text = comment.strip()[:200]
        return self._done(aw.RatingReason.other if text else None, text, now)

    def back(self, now: datetime) -> bool:
        """One step back: from the reasons to the score, from the words to the reasons."""
        if self.phase is Phase.reason:
            self._to(Phase.score, now)
            self.score = None
            return True
        if self.phase is Phase.comment:
            self._to(Phase.reason, now)
            return True
        return False

    # --- time and the hall's answers -------------------------------------------------------

    def tick(self, now: datetime) -> bool:
        """A question nobody answers goes away; the thank-you ends (True: the pad changed)."""
        if self.since is None or self.phase is Phase.waiting:
            return False
        limit = self.thanks_s if self.phase is Phase.thanks else self.ask_s
        if now - self.since < timedelta(seconds=limit):
            return False
        self._to(Phase.waiting, now)
        self.case = None
        self.score = None
        return True

    def taken(self, rating: Rating) -> None:
        """The hall has the rating (or had it already): it leaves the outbox."""
        if rating in self.outbox:
            self.outbox.remove(rating)
            self.rated += 1

    def dropped(self, rating: Rating) -> None:
        """The hall refused it for good (not completed, gone): it leaves the outbox."""
        if rating in self.outbox:
            self.outbox.remove(rating)

    def _done(self, reason: aw.RatingReason | None, comment: str, now: datetime) -> Rating:
        assert self.case is not None and self.score is not None
        rating = Rating(self.case, self.score, reason, comment, uuid.uuid4().hex)
        self.outbox.append(rating)
        self._to(Phase.thanks, now)
        return rating

    def _to(self, phase: Phase, now: datetime) -> None:
        self.phase = phase
        self.since = now
