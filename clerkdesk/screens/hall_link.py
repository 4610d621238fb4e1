"""What every live screen (the counter, the duty lead's) shares about its link to the hall:
online or not, the offline banner and its probe until the hall answers, reading again when the
hall is back, the hall's refusals (a sign-in that ended, the reason said on the message line),
drawing nothing once the screen is going, and sending what the person means to change exactly
once.

`HallLink` is a helper the screen owns, not a base class: the screen hands it how to read again
and redraw, how a change is sent, how its answer is shown and how a refusal is worded.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from textual.css.query import NoMatches
from textual.screen import Screen

from clerkdesk.api.errors import ApiError, HallClientError, HallUnreachable, Unauthorized
from clerkdesk.api.events import StreamStatus
from clerkdesk.i18n import _
from clerkdesk.messages import SignedOut
from clerkdesk.state.refusals import explain
from clerkdesk.state.session import Workstation
from clerkdesk.widgets.counter_bars import OfflineBanner, StatusLine

BACKOFF = (0.5, 1.0, 2.0, 5.0)  # seconds between tries to reach the hall again
F = TypeVar("F", bound=Callable[..., None])
A = TypeVar("A")
Explain = Callable[[ApiError, ZoneInfo], str]


class Change(Protocol):
    """One change a person means to make (a clerk's `Intent`, a lead's `Decision`): its
    Idempotency-Key is made once and kept until the hall answers."""

    @property
    def label(self) -> str: ...  # N_-marked

    @property
    def key(self) -> str: ...


C = TypeVar("C", bound=Change)


class Going(Protocol):
    @property
    def gone(self) -> bool: ...


def screen_gone(screen: Screen[Any]) -> bool:
    """Left, unmounted, or the app is ending (its widgets may already be removed)."""
    return (
        not screen.is_attached or not screen.app.is_running or screen not in screen.app.screen_stack
    )


def on_screen(method: F) -> F:
    """For methods that draw: nothing when the screen is going (left, switched away, or the app
    is ending, when its widgets may already be gone)."""

    @functools.wraps(method)
    def drawing(self: Going, *args: Any, **kwargs: Any) -> None:
        if self.gone:
            return
        try:
            method(self, *args, **kwargs)
        except NoMatches:
            if not self.gone:
                raise

    return drawing  # type: ignore[return-value]


class HallLink(Generic[C, A]):
    """A screen's link to the hall. The screen says how to read what it shows again (`reread`,
    when the hall is back and after a refusal) and draw what depends on the link (`redraw`),
    where a line goes (`say`), how a change is sent (`deliver`), how the hall's answer is shown
    (`delivered`), how its refusals are worded (`explain`), and what a refusal means beyond
    its words (`taken`: True when the screen has dealt with it, e.g. a window taken over)."""

    def __init__(
        self,
        screen: Screen[Any],
        ws: Workstation,
        backoff: tuple[float, ...],
        *,
        reread: Callable[[], None],
        redraw: Callable[[], None],
        say: Callable[[str, bool], None],
        deliver: Callable[[C], Awaitable[A]],
        delivered: Callable[[C, A], None],
        explain: Explain = explain,
        taken: Callable[[ApiError], bool] = lambda error: False,
    ) -> None:
        self.screen, self.ws, self.backoff = screen, ws, backoff
        self._reread, self._redraw, self._say = reread, redraw, say
        self._deliver, self._delivered = deliver, delivered
        self._explain, self._taken = explain, taken
        self.stream_up = True
        self.stream_seen = False  # the event stream has answered at least once
        self.unreachable: str | None = None  # why the last call got no answer (None: it did)
        self.retry_at: float | None = None  # time.monotonic() of the next try, for the banner
        self.closed = False  # left or unmounted: late answers change nothing on screen
        self.pending: C | None = None  # sent or waiting to be sent, until the hall answers
        self.in_flight = False

    @property
    def gone(self) -> bool:
        """Left, unmounted or the app is ending: late answers change nothing on screen."""
        return self.closed or screen_gone(self.screen)

    @property
    def online(self) -> bool:
        return self.stream_up and self.unreachable is None

    def offline_reason(self) -> str:
        return _("the hall service at {server} does not answer").format(server=self.ws.server.label)

    def heard(self, status: StreamStatus) -> None:
        """The event stream (re)connected or dropped: online or not, and the next try."""
        was = self.online
        if status.connected and self.stream_seen and not self.stream_up:  # back: the hall's
            self.screen.run_worker(self._follow_clock(), group="clock", exclusive=True)  # clock
        self.stream_up = status.connected
        self.stream_seen = self.stream_seen or status.connected
        if status.retry_in_s is not None:
            self.retry_at = time.monotonic() + status.retry_in_s
        if was != self.online or not status.connected:
            self.changed()

    async def _follow_clock(self) -> None:
        """The hall may have moved on (a demo restarted, another speed): take its clock again;
        a hall that is back but does not answer yet is asked again, as the link's probe asks."""
        for delay in (0.0, *self.backoff):
            if self.gone:
                return
            await asyncio.sleep(delay)
            try:
                await self.ws.follow_hall_clock()
                return
            except HallUnreachable:
                continue
            except HallClientError:
                return

    def lost(self, reason: str) -> None:
        """A call got no answer: offline, and ask the hall's health until it answers."""
        if self.gone:
            return
        self.unreachable = reason
        self.changed()
        self.screen.run_worker(self._probe(), group="probe", exclusive=True)

    async def _probe(self) -> None:
        """Ask the hall's health until it answers; then everything resumes by itself."""
        for delay in itertools.chain(self.backoff, itertools.repeat(self.backoff[-1])):
            self.retry_at = time.monotonic() + delay
            if self.gone:
                return
            self.screen.query_one(OfflineBanner).show(self.offline_reason(), self.retry_at)
            await asyncio.sleep(delay)
            try:
                await self.ws.client.health()
            except HallUnreachable as exc:
                self.unreachable = exc.reason
                continue
            except ApiError:
                pass
            self.unreachable = None
            self.changed()
            return

    def changed(self) -> None:
        """Online or not: the banner; back online, read again and send what waits."""
        if self.gone:
            return
        try:
            banner = self.screen.query_one(OfflineBanner)
        except NoMatches:  # not composed yet
            return
        if self.online:
            banner.hide()
            self._reread()
            self.run_pending()
        else:
            banner.show(self.offline_reason(), self.retry_at)
        self._redraw()

    def failed(self, error: ApiError) -> None:
        """The hall refused a read or a change: a sign-in that ended goes back to signing in;
        what the screen takes on itself (`taken`) is its own; else the reason, in words."""
        if self.gone:
            return
        if isinstance(error, Unauthorized):
            self.screen.post_message(SignedOut(explain(error, self.ws.zone)))
        elif not self._taken(error):
            self._say(self._explain(error, self.ws.zone), True)

    # --- sending a change exactly once ---------------------------------------------------------

    def still_sending(self) -> bool:
        """True, and says so, while a change waits for the hall's answer."""
        if self.pending is None:
            return False
        self._say(
            _("Still sending “{action}”: wait for its answer.").format(
                action=_(self.pending.label)
            ),
            True,
        )
        return True

    def send_once(self, change: C) -> None:
        """One change at a time: a second waits for no one, it is refused with the reason."""
        if self.still_sending():
            return
        self.pending = change
        self.run_pending()

    def run_pending(self) -> None:
        """Send the pending change now if the hall is reachable; else when it is again."""
        if self.pending is not None and not self.in_flight and self.online and not self.gone:
            self.in_flight = True
            self.screen.query_one(StatusLine).busy = True
            self.screen.run_worker(self._send_pending(self.pending), group="send")

    async def _send_pending(self, change: C) -> None:
        try:
            answer = await self._deliver(change)
        except HallUnreachable as exc:
            self._say(
                _("“{action}” got no answer: it will be sent again, once.").format(
                    action=_(change.label)
                ),
                True,
            )
            self.lost(exc.reason)  # kept pending: sent again with its key once back online
            return
        except ApiError as exc:
            self.pending = None
            self.failed(exc)
            self._reread()
            if not self.gone:
                self._redraw()
            return
        finally:
            self.in_flight = False
            if not self.gone:
                self.screen.query_one(StatusLine).busy = False
        self.pending = None
        self._delivered(change, answer)
