"""What every live screen (the counter, the duty lead's) shares about its link to the hall:
online or not, the offline banner's probe until the hall answers, and drawing nothing once the
screen is going. Each screen says what to do when the link changes (`_link_changed`)."""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.css.query import NoMatches
from textual.screen import Screen

from clerkdesk.api.errors import ApiError, HallUnreachable
from clerkdesk.i18n import _
from clerkdesk.widgets.counter_bars import OfflineBanner

if TYPE_CHECKING:
    from clerkdesk.workstation.session import Workstation

F = TypeVar("F", bound=Callable[..., None])


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
