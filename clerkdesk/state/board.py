"""The hall board's state and wording, without Textual: the calls it announces, one after the
other, each shown for a minimum time and never overwritten by the next; the recent calls, the
queues, today's hours and the closing notice; how a call is written and spoken; and the board's
sign-in (a device that signs in again by itself when its sign-in ends at midnight).

Time is passed in: the display queue runs on a monotonic clock the screen reads (a test moves
it by hand), the staleness of a call on the hall's clock.
"""

from __future__ import annotations

import gettext
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from clerkdesk.api import board_schemas as bw
from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.i18n import CATALOG_OF, DOMAIN, LOCALE_DIR, N_, _

MIN_SHOW_S = 6.0
"""Each call stays in the large display at least this long (and while its voice speaks)."""
STALE_AFTER = timedelta(minutes=2)
"""A call heard this long after it was made (the board was offline) is listed, not announced."""
RECENT = bw.RECENT_CALLS

CALL_WORDS = N_("Ticket {ticket}, please go to window {window}")
CALLS = frozenset({w.EventKind.ticket_called, w.EventKind.ticket_recalled})
QUIET_KINDS = frozenset(
    {
        *w.LEDGER_EVENT_KINDS,
        w.EventKind.alert_raised,
        w.EventKind.alert_cleared,
        w.EventKind.handoff_back_asked,
    }
)
"""Events that change nothing the board shows: every other one makes it read GET /board again
(its queues, hours and closing notice)."""


@dataclass(frozen=True)
class BoardCall:
    """One call (or recall) of a ticket to a window. `event_id` 0: read from GET /board."""

    event_id: int
    ticket_id: int
    ticket: str
    service_name: str
    window: int
    at: datetime
    recall_count: int

    @property
    def times_called(self) -> int:
        return self.recall_count + 1

    @classmethod
    def of_event(cls, event: w.EventOut) -> BoardCall | None:
        t = event.ticket
        if event.kind not in CALLS or t is None or t.window is None:
            return None
        return cls(event.id, t.id, t.code, t.service_name, t.window, event.at, t.recall_count)

    @classmethod
    def of_board(cls, call: bw.BoardCallOut) -> BoardCall:
        return cls(
            0,
            call.ticket_id,
            call.ticket,
            call.service_name,
            call.window,
            call.called_at,
            call.recall_count,
        )


@dataclass
class CallQueue:
    """The calls waiting for the large display, in the order they were made. The one shown
    stays at least `min_show_s` (and while `busy`, its voice speaking) before the next replaces
    it; with nothing waiting it stays on. A call whose citizen has already come (the ticket was
    started, finished, parked or handed on before its turn) is dropped unshown."""

    min_show_s: float = MIN_SHOW_S
    pending: deque[BoardCall] = field(default_factory=deque)
    current: BoardCall | None = None
    shown_at: float | None = None

    def push(self, call: BoardCall) -> None:
        self.pending.append(call)

    def drop(self, ticket_id: int) -> None:
        if any(c.ticket_id == ticket_id for c in self.pending):
            self.pending = deque(c for c in self.pending if c.ticket_id != ticket_id)

    def clear(self) -> None:
        self.pending.clear()

    def due(self, now: float, busy: bool = False) -> bool:
        if not self.pending:
            return False
        if self.current is None or self.shown_at is None:
            return True
        return not busy and now - self.shown_at >= self.min_show_s

    def advance(self, now: float, busy: bool = False) -> BoardCall | None:
        """The next call, when its turn has come (`now` on the display's monotonic clock)."""
        if not self.due(now, busy):
            return None
        self.current = self.pending.popleft()
        self.shown_at = now
        return self.current


class Heard(Enum):
    nothing = "nothing"
    reread = "reread"  # read GET /board again (queues, hours, notice)
    reload = "reload"  # start again from GET /board (the hall's events were replaced)


@dataclass
class BoardState:
    """What the board shows: GET /board's answer, then what the event stream adds."""

    queue: CallQueue = field(default_factory=CallQueue)
    snapshot: bw.BoardOut | None = None
    recent: list[BoardCall] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        return self.snapshot is not None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.snapshot.timezone if self.snapshot else "Asia/Shanghai")

    def load(self, snapshot: bw.BoardOut, *, calls: bool) -> None:
        """A read of GET /board; `calls`: take its recent calls too (the first read, a reset)."""
        self.snapshot = snapshot
        if calls:
            self.recent = [BoardCall.of_board(c) for c in snapshot.calls]
            self.queue.clear()
            # The latest call stays on the display (not spoken again) until the next one: a
            # board switched on mid-morning shows what was called last, not an empty screen.
            self.queue.current = self.recent[0] if self.recent else None
            self.queue.shown_at = None

    def heard(self, event: w.EventOut, hall_now: datetime) -> Heard:
        """An event of the stream: a call is listed (and queued for the large display unless
        it is stale); a ticket that moved on leaves the display queue."""
        if event.kind is w.EventKind.reset:
            return Heard.reload
        call = BoardCall.of_event(event)
        if call is not None:
            self.recent = [call, *(c for c in self.recent if c.ticket_id != call.ticket_id)]
            del self.recent[RECENT:]
            if hall_now - call.at <= STALE_AFTER:
                self.queue.push(call)
        elif event.ticket is not None and event.ticket.status is not w.TicketStatus.called:
            self.queue.drop(event.ticket.id)
        return Heard.nothing if event.kind in QUIET_KINDS else Heard.reread


# --- wording ----------------------------------------------------------------------------------


def call_words(call: BoardCall) -> str:
    """ "请 A023 号到 5 号窗口" / "Ticket A023, please go to window 5"."""
    return _(CALL_WORDS).format(ticket=call.ticket, window=call.window)


def times_called_words(call: BoardCall) -> str:
    """ "" for a first call; "第 2 次呼叫" / "call 2" for a recall."""
    if call.times_called < 2:
        return ""
    return _("call {n}").format(n=call.times_called)


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    return f"{start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M}"


def hours_words(board: bw.BoardOut) -> str:
    """Today's opening hours, or when the hall opens next."""
    zone = ZoneInfo(board.timezone)
    if board.hours:
        spans = "  ".join(_span(h.start, h.end, zone) for h in board.hours)
        text = _("Open today {hours}").format(hours=spans)
    else:
        text = _("Closed today")
    if not board.open_now and board.next_opening is not None:
        opening = board.next_opening.astimezone(zone)
        same_day = opening.date() == board.at.astimezone(zone).date()
        when = f"{opening:%H:%M}" if same_day else f"{opening:%m-%d %H:%M}"
        text += " · " + _("opens {when}").format(when=when)
    return text


def closing_notice(board: bw.BoardOut) -> str:
    """ "今日延时服务至 18:15" while an approved extension runs; else ""."""
    if board.extended_until is None:
        return ""
    until = board.extended_until.astimezone(ZoneInfo(board.timezone))
    return _("Extended service today until {time}").format(time=f"{until:%H:%M}")


# --- what is spoken --------------------------------------------------------------------------

ZH_DIGITS = "零一二三四五六七八九"


def spoken_ticket(code: str, lang: str) -> str:
    """A ticket's number as a voice reads it out: each digit on its own ("A零二三";
    "A, 0, 2, 3"), never "twenty-three"."""
    if lang == "zh":
        return "".join(ZH_DIGITS[int(ch)] if ch.isdigit() else ch for ch in code)
    return ", ".join(code)


def translator(lang: str) -> gettext.NullTranslations:
    """The catalog of `lang` ("zh", "en"), whatever the board's own language is."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOG_OF[lang]], fallback=True)


def spoken_words(call: BoardCall, lang: str) -> str:
    words = translator(lang).gettext(CALL_WORDS)
    return words.format(ticket=spoken_ticket(call.ticket, lang), window=call.window)


# --- the board's sign-in ---------------------------------------------------------------------


@dataclass
class BoardSignIn:
    """The board's staff number and password, kept in memory for the day: its sign-in ends at
    local midnight like everyone's, and a TV on the wall signs in again by itself."""

    staff_no: str
    password: str = field(repr=False)

    async def sign_in(self, client: HallClient) -> w.LoginResponse:
        return await client.login(self.staff_no, self.password)


@dataclass
class BoardLink:
    """The board's hall: its client (signed in or not yet), its credentials, and how to name
    the hall until the board has read it."""

    client: HallClient
    sign_in: BoardSignIn
    label: str
