"""The hall board (叫号屏): the TV over the counters. The call being announced in large letters
("请 A023 号到 5 号窗口"), the recent calls, who waits for each service, today's hours and the
closing notice of an approved extension ("今日延时服务至 18:15").

It starts from GET /board and follows the event stream after the event that read was taken at
(reconnecting with Last-Event-ID: nothing is missed, nothing twice). Calls are queued: each
stays in the large display at least `min_show_s` on the screen's monotonic clock, and while its
announcement is spoken, before the next replaces it; a burst of calls is shown one after the
other, in order. A recall is announced again. Queues, hours and the notice are read again
after the events that change them (a burst costs a read every half second, never one each).
Offline, a line says so and the board keeps trying; a sign-in that ended (at midnight) is
renewed with the board's own credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import cast

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen

from clerkdesk.api import schemas as w
from clerkdesk.api.board import BoardClient
from clerkdesk.api.errors import ApiError, HallUnreachable, Unauthorized
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.clock import Clock, FollowedClock
from clerkdesk.i18n import _
from clerkdesk.state.board import (
    BoardCall,
    BoardLink,
    BoardState,
    CallQueue,
    Heard,
    closing_notice,
    hours_words,
    spoken_words,
)
from clerkdesk.state.refusals import explain
from clerkdesk.voice import Announcement, Speaker, Voice
from clerkdesk.widgets.board import (
    BoardHeader,
    CallBanner,
    HoursLine,
    NoticeLine,
    Queues,
    RecentCalls,
)

BACKOFF = (0.5, 1.0, 2.0, 5.0)
READ_GAP_S = 0.5
TICK_S = 0.2
WIDE = 120
SHOWN_KEPT = 200


class BoardScreen(Screen[None]):
    DEFAULT_CSS = """
    BoardScreen { layout: vertical; }
    BoardScreen #lists { height: 1fr; min-height: 5; }
    BoardScreen #banner { height: 2fr; }
    """

    def __init__(
        self,
        link: BoardLink,
        voice: Speaker,
        *,
        langs: tuple[str, ...] = ("zh",),
        clock: Clock,
        monotonic: Callable[[], float],
        backoff: tuple[float, ...] = BACKOFF,
        min_show_s: float | None = None,
        voice_notice: str = "",
    ) -> None:
        super().__init__()
        self.link, self.voice, self.langs = link, voice, langs
        self.clock, self.monotonic, self.backoff = clock, monotonic, backoff
        self.state = BoardState(CallQueue() if min_show_s is None else CallQueue(min_show_s))
        self.voice_notice = voice_notice
        self.online = False
        self.offline_reason = ""
        self.shown: list[BoardCall] = []  # what the large display showed, in order
        self.reads = 0
        self._reading = False
        self._wanted = False
        self._closed = False
        self._lost = False  # the stream dropped since it last connected

    # --- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield BoardHeader(id="header")
        yield NoticeLine(id="offline")
        yield CallBanner(id="banner")
        with Horizontal(id="lists"):
            yield RecentCalls(id="recent")
            yield Queues(id="queues")
        yield HoursLine(id="hours")
        yield NoticeLine(id="voice")

    def on_mount(self) -> None:
        if isinstance(self.voice, Voice):
            self.voice.failed = self.voice_failed
        self.query_one("#offline", NoticeLine).display = False
        voice_line = self.query_one("#voice", NoticeLine)
        voice_line.say(self.voice_notice)  # said once; each call does not repeat it
        voice_line.display = bool(self.voice_notice)
        self.query_one(CallBanner).show(None)
        self.set_interval(TICK_S, self.tick)
        self.run_worker(self.voice.run(), group="voice", exit_on_error=False)
        self.run_worker(self._start(), group="stream", exclusive=True)
        self.render_board()

    def on_unmount(self) -> None:
        self._closed = True
        self.app.workers.cancel_node(self)

    def on_resize(self, _event: events.Resize) -> None:
        self.render_board()

    # --- showing -------------------------------------------------------------------------------

    def tick(self) -> None:
        """The large display's turn: the next call once the one shown has had its time."""
        if self._closed:
            return
        call = self.state.queue.advance(self.monotonic(), busy=self.voice.busy)
        if call is not None:
            self.shown.append(call)
            del self.shown[:-SHOWN_KEPT]
            self.query_one(CallBanner).show(call)
            words = tuple((lang, spoken_words(call, lang)) for lang in self.langs)
            self.voice.say(Announcement(str(call.event_id or call.ticket_id), words))
        self._render_header()

    def _render_header(self) -> None:
        snapshot = self.state.snapshot
        name = snapshot.hall_name if snapshot else self.link.label
        now = self.clock.now().astimezone(self.state.zone)
        self.query_one(BoardHeader).show(name, f"{now:%Y-%m-%d  %H:%M}", self.size.width)

    def render_board(self) -> None:
        if self._closed or not self.is_mounted:
            return
        self._render_header()
        snapshot = self.state.snapshot
        zone = self.state.zone
        self.query_one(RecentCalls).show(self.state.recent, zone)
        if snapshot is None:
            return
        self.query_one(Queues).show(snapshot.queues, self.size.width >= WIDE)
        self.query_one(HoursLine).show(hours_words(snapshot), closing_notice(snapshot))

    def _offline(self, reason: str, refused: bool = False) -> None:
        """The hall does not answer (or refuses the board's sign-in): said on the top line
        until it answers again; the board keeps trying."""
        self.online = False
        self.offline_reason = reason
        line = self._offline_line()
        if line is None:
            return
        if refused:
            text = _("The hall refused the board's sign-in ({reason}): trying again…")
        else:
            text = _("The hall service does not answer: reconnecting…")
        line.say(text.format(reason=reason), offline=True)
        line.display = True

    def _online(self) -> None:
        self.online = True
        line = self._offline_line()
        if line is not None:
            line.display = False

    def _offline_line(self) -> NoticeLine | None:
        """None while the board is taken down: its widgets go before the screen is unmounted
        (and its stream worker cancelled), and the worker, finding the hall gone as the board
        exits, failed the app with NoMatches (tests/test_tui_board.py, under load)."""
        if self._closed:
            return None
        try:
            return self.query_one("#offline", NoticeLine)
        except NoMatches:
            return None

    def voice_failed(self, reason: str) -> None:
        """The voice stopped (espeak-ng or the player failed): said once, the board goes on."""
        line = self.query_one("#voice", NoticeLine)
        line.say(_("Voice off: {reason}.").format(reason=reason))
        line.display = True

    # --- reading -------------------------------------------------------------------------------

    async def _start(self) -> None:
        """Sign in if need be, read the board, then follow the stream after that read."""
        after = await self._read_until_answered(calls=True)
        if after is not None:
            await self._follow(after)

    async def _read_until_answered(self, *, calls: bool) -> int | None:
        for delay in itertools.chain((0.0,), self.backoff, itertools.repeat(self.backoff[-1])):
            if self._closed:
                return None
            await asyncio.sleep(delay)
            try:
                await self._follow_clock()
                if self.link.client.token is None:
                    await self.link.sign_in.sign_in(self.link.client)
                snapshot = await BoardClient(self.link.client).board()
            except HallUnreachable as exc:
                self._offline(exc.reason)
                continue
            except ApiError as exc:  # a refused sign-in (password changed?), a database away
                self.link.client.token = (
                    None if isinstance(exc, Unauthorized) else (self.link.client.token)
                )
                self._offline(explain(exc, self.state.zone), refused=True)
                continue
            self.reads += 1
            self.state.load(snapshot, calls=calls)
            if calls:
                self.query_one(CallBanner).show(self.state.queue.current)
            self._online()
            self.render_board()
            return snapshot.last_event_id
        return None  # pragma: no cover

    async def _sign_in_again(self) -> bool:
        """The board's own credentials, once more; False (and offline) when that fails."""
        self.link.client.token = None
        try:
            await self.link.sign_in.sign_in(self.link.client)
        except HallUnreachable as exc:
            self._offline(exc.reason)
            return False
        except ApiError as exc:
            self._offline(explain(exc, self.state.zone), refused=True)
            return False
        return True

    async def _follow_clock(self) -> None:
        if not isinstance(self.clock, FollowedClock):
            return
        asked = self.clock.monotonic()
        told = await self.link.client.clock()
        answered = self.clock.monotonic()
        self.clock.follow(told.now, told.speed, at=(asked + answered) / 2)

    async def _follow(self, after: int) -> None:
        """Follow the stream from `after` until the screen goes: from the start again after a
        reset (the hall's events were replaced), signed in again when the sign-in ends."""
        resume: int | None = after
        while not self._closed and resume is not None:
            subscription = EventSubscription(self.link.client, after=resume, backoff=self.backoff)
            try:
                stream = cast(AsyncGenerator[w.EventOut | StreamStatus], aiter(subscription))
                async with contextlib.aclosing(stream):
                    reset = await self._hear(stream)
            except Unauthorized:  # its sign-in ended (midnight): sign in again, go on
                self.link.client.token = None
                reread = await self._read_until_answered(calls=False)
                resume = None if reread is None else subscription.last_event_id
                continue
            if reset:
                resume = await self._read_until_answered(calls=True)

    async def _hear(self, stream: AsyncIterator[w.EventOut | StreamStatus]) -> bool:
        """Until the stream says the hall's events were replaced (True)."""
        async for item in stream:
            if isinstance(item, StreamStatus):
                if item.connected:
                    self._online()
                    if self._lost:
                        self.request_reread()  # what changed while the stream was away
                    self._lost = False
                else:
                    self._lost = True
                    self._offline(item.reason or "")
                continue
            heard = self.state.heard(item, self.clock.now())
            if heard is Heard.reload:
                return True
            if heard is Heard.reread:
                self.request_reread()
            self.render_board()
        return False

    def request_reread(self) -> None:
        """Read GET /board again; requests made while a read runs make one more read after it."""
        self._wanted = True
        if not self._reading and not self._closed:
            self._reading = True
            self.run_worker(self._reread(), group="reread")

    async def _reread(self) -> None:
        try:
            first = True
            while self._wanted and not self._closed:
                if not first:
                    await asyncio.sleep(READ_GAP_S)
                first = False
                self._wanted = False
                try:
                    snapshot = await BoardClient(self.link.client).board()
                except HallUnreachable as exc:
                    self._offline(exc.reason)
                    return  # the stream reconnects and asks again
                except Unauthorized:  # the sign-in ended (midnight): sign in again, read again
                    if not await self._sign_in_again():
                        return
                    self._wanted = True
                    continue
                except ApiError:
                    return
                self.reads += 1
                self.state.load(snapshot, calls=False)
                self.render_board()
        finally:
            self._reading = False
