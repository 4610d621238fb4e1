"""What every live screen (the counter, the duty lead's) shares about its link to the hall:
online or not, the offline banner's probe until the hall answers, drawing nothing once the
screen is going, and sending what the person means to change exactly once. Each screen says
what to do when the link changes (`_link_changed`) and how a change is sent and shown
(`_deliver`, `_delivered`, `_refused`)."""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from textual.css.query import NoMatches
from textual.screen import Screen

from clerkdesk.api.errors import ApiError, HallUnreachable
from clerkdesk.i18n import _
from clerkdesk.widgets.counter_bars import OfflineBanner, StatusLine

if TYPE_CHECKING:
    from clerkdesk.workstation.session import Workstation

F = TypeVar("F", bound=Callable[..., None])


class Change(Protocol):
    """One change a person means to make (a clerk's `Intent`, a lead's `Decision`): its
    Idempotency-Key is made once and kept until the hall answers."""

    @property
    def label(self) -> str: ...  # N_-marked

    @property
    def key(self) -> str: ...


def on_screen(method: F) -> F:
    """For methods that draw: nothing when the screen is going (left, switched away, or the app
    is ending, when its widgets may already be gone)."""

    @functools.wraps(method)
    def drawing(self: HallLink, *args: Any, **kwargs: Any) -> None:
        if self.gone:
            return
        try:
            method(self, *args, **kwargs)
        except NoMatches:
            if not self.gone:
                raise

    return drawing  # type: ignore[return-value]


class HallLink(Screen[None]):
    if TYPE_CHECKING:
        ws: Workstation
        backoff: tuple[float, ...]

        def _link_changed(self) -> None: ...

    stream_up = True
    stream_seen = False  # the event stream has answered at least once
    unreachable: str | None = None  # why the last call got no answer (None: it did)
    retry_at: float | None = None  # time.monotonic() of the next try, for the banner
    closed = False  # left or unmounted: late answers change nothing on screen
    pending: Change | None = None  # sent or waiting to be sent, until the hall answers
    in_flight = False

    @property
    def gone(self) -> bool:
        """Left, unmounted or the app is ending: late answers change nothing on screen. (While
        the screen is being removed its widgets go first: Textual marks it `_pruning`.)"""
        return self.closed or not self.is_attached or self._pruning

    @property
    def online(self) -> bool:
        return self.stream_up and self.unreachable is None

    def _offline_reason(self) -> str:
        return _("the hall service at {server} does not answer").format(server=self.ws.server.label)

    def _lost(self, reason: str) -> None:
        if self.gone:
            return
        self.unreachable = reason
        self._link_changed()
        self.run_worker(self._probe(), group="probe", exclusive=True)

    async def _probe(self) -> None:
        """Ask the hall's health until it answers; then everything resumes by itself."""
        for delay in itertools.chain(self.backoff, itertools.repeat(self.backoff[-1])):
            self.retry_at = time.monotonic() + delay
            if self.gone:
                return
            self.query_one(OfflineBanner).show(self._offline_reason(), self.retry_at)
            await asyncio.sleep(delay)
            try:
                await self.ws.client.health()
            except HallUnreachable as exc:
                self.unreachable = exc.reason
                continue
            except ApiError:
                pass
            self.unreachable = None
            self._link_changed()
            return

    # --- sending a change exactly once ---------------------------------------------------------

    def say(self, text: str, error: bool = False) -> None:
        """One line to the person at the screen (each screen has its place for it)."""
        raise NotImplementedError

    async def _deliver(self, change: Any) -> Any:
        """Send `change` with its own Idempotency-Key; the hall's answer."""
        raise NotImplementedError

    def _delivered(self, change: Any, answer: Any) -> None:
        """The hall has answered `change`: show it."""
        raise NotImplementedError

    def _refused(self, error: ApiError) -> None:
        """The hall refused the change: say why and read again."""
        raise NotImplementedError

    def still_sending(self) -> bool:
        """True, and says so, while a change waits for the hall's answer."""
        if self.pending is None:
            return False
        self.say(
            _("Still sending “{action}”: wait for its answer.").format(
                action=_(self.pending.label)
            ),
            error=True,
        )
        return True

    def send_once(self, change: Change) -> None:
        """One change at a time: a second waits for no one, it is refused with the reason."""
        if self.still_sending():
            return
        self.pending = change
        self.run_pending()

    def run_pending(self) -> None:
        """Send the pending change now if the hall is reachable; else when it is again."""
        if self.pending is not None and not self.in_flight and self.online and not self.gone:
            self.in_flight = True
            self.query_one(StatusLine).busy = True
            self.run_worker(self._send_pending(self.pending), group="send")

    async def _send_pending(self, change: Change) -> None:
        try:
            answer = await self._deliver(change)
        except HallUnreachable as exc:
            self.say(
                _("“{action}” got no answer: it will be sent again, once.").format(
                    action=_(change.label)
                ),
                error=True,
            )
            self._lost(exc.reason)  # kept pending: sent again with its key once back online
            return
        except ApiError as exc:
            self.pending = None
            self._refused(exc)
            return
        finally:
            self.in_flight = False
            if not self.gone:
                self.query_one(StatusLine).busy = False
        self.pending = None
        self._delivered(change, answer)
