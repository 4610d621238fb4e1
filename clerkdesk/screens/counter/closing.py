"""The counter's closing time: the banner from 30 minutes before this window's end, asking the
duty lead to extend, the decision as it arrives, the warning at the end, and leaving the window
at its end: its closing, confirmed first and summed up after.

A helper the counter screen owns: the state is the counter model's `closing` watch
(clerkdesk.state.closing); this reads it from the hall in a worker, shows it in the
ClosingBanner, and sends the extension request through the screen's link. Offline, the last
status stays.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.screen import Screen

from clerkdesk.api import schemas as w
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.errors import HallClientError
from clerkdesk.i18n import _, ngettext
from clerkdesk.messages import WindowLeft
from clerkdesk.screens.counter.day_summary import DaySummaryDialog
from clerkdesk.screens.counter.extension_dialog import ExtensionDialog
from clerkdesk.screens.counter.intents import DayClosed, close_for_the_day
from clerkdesk.screens.dialogs import Ask, ConfirmDialog
from clerkdesk.screens.hall_link import HallLink, on_screen
from clerkdesk.state.actions import EXTEND, Answer, Intent
from clerkdesk.state.closing import closing_event_window, decision_text
from clerkdesk.state.counter import CounterModel
from clerkdesk.state.day_summary import close_question, summary_lines, summary_title
from clerkdesk.state.display import local_time
from clerkdesk.state.session import Workstation
from clerkdesk.widgets.closing_banner import ClosingBanner, banner_lines


class ClosingTime:
    def __init__(
        self,
        screen: Screen[Any],
        ws: Workstation,
        model: CounterModel,
        link: HallLink[Intent, Answer],
        *,
        keys: str,
        say: Callable[[str, bool], None],
    ) -> None:
        self.screen, self.ws, self.model, self.link = screen, ws, model, link
        self.keys = keys  # the extend action's keys, as the banner names them
        self._say = say
        self._day = DayClosed()  # the counts read just before closing the window

    @property
    def gone(self) -> bool:
        return self.link.gone

    # --- reading ------------------------------------------------------------------------------

    def request(self, force: bool = False) -> None:
        """Read the closing status again; unless `force`, only while the banner is shown (or
        nothing was read yet). Reads coalesce."""
        watch = self.model.closing
        if watch.wanted(self.ws.clock.now(), force) and not self.gone:
            watch.reading = True
            self.screen.run_worker(self._read(), group="closing")

    async def _read(self) -> None:
        watch = self.model.closing
        try:
            while watch.dirty and not self.gone:
                watch.dirty = False
                asked_at = self.ws.clock.now()  # the hall's `now` is taken right after this
                try:
                    status = await self.ws.closing.closing(self.model.window_number)
                except HallClientError:  # offline or refused: the last status stays
                    watch.failed(self.ws.clock.now())
                    return
                watch.load(status, asked_at)
                self.show()
        finally:
            watch.reading = False

    def tick(self) -> None:
        """Every second: the countdown, the warning at the end, and the periodic read."""
        if self.model.closing.is_due(self.ws.clock.now()):
            self.request(force=True)
        self.show()

    def heard(self, event: w.EventOut) -> None:
        """An event from the hall: read again if it changes this window's closing; announce a
        decision on this window's request."""
        if event.kind == w.EventKind.calendar_updated:
            self.request(force=True)
            return
        if closing_event_window(event) != self.model.window_number:
            return
        self.request(force=True)
        if event.kind == w.EventKind.extension_decided and event.extension is not None:
            self._announce(event.extension)

    # --- showing ------------------------------------------------------------------------------

    def end_now(self) -> datetime | None:
        """The window's end when it is reached now (leaving is then its closing), else None."""
        watch = self.model.closing
        status = watch.status
        if status is None or status.window_end is None:
            return None
        reached = watch.hall_now(self.ws.clock.now()) >= status.window_end
        return status.window_end if reached else None

    # --- leaving at the end: the window's closing ----------------------------------------------

    def close_for_the_day(self) -> Ask[bool, Intent] | None:
        """At or past the window's end, leaving is its closing: asked first, then closed (the
        hall records the actual end and any overrun). None before the end: a plain leave."""
        end = self.end_now()
        if end is None:
            return None
        window, zone = self.model.window_number, self.ws.zone
        question = close_question(window, end, self.model.counts, zone)

        def then(close: bool | None) -> Intent | None:
            if not close:
                return None
            self._day = DayClosed(self.model.counts)
            return close_for_the_day(window, self._day, zone)

        return Ask(ConfirmDialog(question, _("Close the window"), _("Not yet")), then)

    def closed(self, closing: w.WindowClosingOut, line: str) -> None:
        """The hall closed the window: the day's summary, then the window picker."""
        self.link.closed = True
        zone = self.ws.zone
        lines = summary_lines(closing, self._day.counts, zone)
        dialog = DaySummaryDialog(summary_title(closing, zone), lines)

        def back_to_the_windows(_none: None) -> None:
            self.screen.app.post_message(WindowLeft(line))

        self.screen.app.push_screen(dialog, back_to_the_windows)

    def extend_offered(self) -> bool:
        return self.model.closing.extend_offered(self.ws.clock.now())

    @on_screen
    def show(self) -> None:
        now, watch = self.ws.clock.now(), self.model.closing
        offered = self.model.held_by_me and watch.extend_offered(now)
        if offered != watch.offered:
            watch.offered = offered
            self.screen.refresh_bindings()
        banner = self.screen.query_one(ClosingBanner)
        if watch.status is None or not self.model.held_by_me or not watch.shown(now):
            banner.hide()
            return
        banner.show(watch.status, watch.hall_now(now), self.ws.zone, self.keys, offered)
        end = watch.end_reached(now)
        if end is not None:
            self.screen.notify(
                _(
                    "{end}: this window's end. You may serve on: the time past it is recorded "
                    "as overtime for the duty lead to confirm."
                ).format(end=local_time(end, self.ws.zone)),
                severity="warning",
                timeout=20,
                markup=False,
            )

    def _announce(self, extension: w.ExtensionOut) -> None:
        if not self.model.closing.to_announce(extension):
            return
        text = decision_text(extension, self.ws.zone)
        denied = extension.status == w.ExtensionStatus.denied
        self._say(text, denied)
        self.screen.notify(text, severity="warning" if denied else "information", markup=False)

    # --- asking to extend ---------------------------------------------------------------------

    def ask_to_extend(self) -> None:
        watch, window = self.model.closing, self.model.window_number
        status = watch.status
        if status is None:
            return

        def situation() -> str:  # read again each second while the dialog is open
            now = watch.hall_now(self.ws.clock.now())
            return banner_lines(watch.status or status, now, self.ws.zone, "", offered=False)[0]

        waiting = len(status.waiting)
        suggestion = (
            ngettext("{n} citizen still waiting", "{n} citizens still waiting", waiting).format(
                n=waiting
            )
            if waiting
            else ""
        )

        def chosen(answer: tuple[int, str] | None) -> None:
            if answer is None:
                return
            minutes, reason = answer
            self.link.send_once(
                Intent(
                    EXTEND,
                    lambda c, k: ClosingClient(c).request_extension(window, minutes, reason, key=k),
                    self._sent,
                )
            )

        dialog = ExtensionDialog(window, situation, status.suggested_minutes, suggestion)
        self.screen.app.push_screen(dialog, chosen)

    def _sent(self, answer: Answer) -> str:
        """The hall took the request: the banner shows it at once (then reads again)."""
        assert isinstance(answer, w.ExtensionOut)
        self.model.closing.sent(answer)
        self.request(force=True)
        self.show()
        if answer.status == w.ExtensionStatus.approved:  # the hall's rule approved it at once
            return decision_text(answer, self.ws.zone)
        return _("Asked the duty lead for {minutes} more minutes: the decision shows here.").format(
            minutes=answer.minutes_requested
        )
