"""The counter's closing time: the banner from 30 minutes before this window's end, asking the
duty lead to extend, the decision as it arrives, and the warning at the end.

The hall says where the window stands (`GET /windows/{n}/closing`, with the hall's own `now`);
between reads the countdown runs on the injected clock. The status is read again on mount and
reconnect, when an event changes it (this window's tickets while the banner shows, extension
requests and decisions, the window's closing, the calendar), once a minute, and exactly at the
start of the notice and at the end. Reads run in a worker; offline, the last status stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.api.closing import ClosingClient
from clerkdesk.api.errors import HallClientError
from clerkdesk.i18n import _, ngettext
from clerkdesk.screens.counter_keys import key_display
from clerkdesk.screens.counter_live import CounterLive
from clerkdesk.screens.extension_dialog import ExtensionDialog
from clerkdesk.screens.hall_link import on_screen
from clerkdesk.widgets.closing_banner import ClosingBanner, banner_lines
from clerkdesk.workstation.actions import COUNTER_ACTIONS, EXTEND, Answer
from clerkdesk.workstation.display import local_time

READ_EVERY = timedelta(minutes=1)
EXTEND_ID = "counter.extend"
CLOSING_EVENTS = frozenset(
    {
        w.EventKind.extension_requested,
        w.EventKind.extension_decided,
        w.EventKind.window_closed,
        w.EventKind.overrun_recorded,
    }
)


@dataclass
class ClosingWatch:
    """The last closing status, and the workstation clock it is read against (no Textual)."""

    status: w.ClosingStatus | None = None
    read_at: datetime | None = None  # the workstation's clock when `status` was asked for
    due: datetime | None = None  # the workstation's clock at the next read
    offered: bool = False  # the extend action was offered at the last look
    warned: set[datetime] = field(default_factory=set)  # ends already warned about
    announced: set[int] = field(default_factory=set)  # decided requests already announced
    dirty: bool = False
    reading: bool = False

    def load(self, status: w.ClosingStatus, now: datetime) -> None:
        self.status, self.read_at = status, now
        due = now + READ_EVERY
        notice = self._notice_from()
        if notice is not None and status.window_end is not None:
            for moment in (notice, status.window_end):  # hall times, on the workstation clock
                at = moment - (status.now - now)
                if at > now:
                    due = min(due, at)
        self.due = due

    def _notice_from(self) -> datetime | None:
        """When the banner starts: `notice_minutes` before the scheduled end (an extension
        approved since keeps it up: the window is closing, only later)."""
        status = self.status
        if status is None or status.window_end is None:
            return None
        end = min(filter(None, (status.scheduled_end, status.window_end)))
        return end - timedelta(minutes=status.notice_minutes)

    def failed(self, now: datetime) -> None:
        """No answer (offline) or a refusal: keep the last status, try again in a minute."""
        self.due = now + READ_EVERY

    def is_due(self, now: datetime) -> bool:
        return self.due is not None and now >= self.due

    def hall_now(self, now: datetime) -> datetime:
        assert self.status is not None and self.read_at is not None
        return self.status.now + (now - self.read_at)

    def shown(self, now: datetime) -> bool:
        """From `notice_minutes` before the window's scheduled end, through any extension and
        past the end."""
        notice = self._notice_from()
        return notice is not None and self.hall_now(now) >= notice

    def pending(self) -> bool:
        extension = self.status.extension if self.status else None
        return extension is not None and extension.status == w.ExtensionStatus.pending

    def extend_offered(self, now: datetime) -> bool:
        return self.shown(now) and not self.pending()

    def end_reached(self, now: datetime) -> datetime | None:
        """The window's end, the first time it is seen reached (once per end)."""
        status = self.status
        if status is None or status.window_end is None or status.window_end in self.warned:
            return None
        if self.hall_now(now) < status.window_end:
            return None
        self.warned.add(status.window_end)
        return status.window_end


def decision_text(extension: w.ExtensionOut, zone: ZoneInfo) -> str:
    """The duty lead's decision, for the clerk: approved (the new end) or denied (why)."""
    if extension.status == w.ExtensionStatus.denied:
        name = extension.decided_by.name if extension.decided_by else "—"
        return _(
            "{name} denied the extension: {reason}. Past {end} you may serve on; "
            "it is recorded as overtime."
        ).format(
            name=name,
            reason=extension.decision_reason or "—",
            end=local_time(extension.base_end, zone),
        )
    minutes = extension.minutes_approved or extension.minutes_requested
    end = local_time(extension.ends_at or extension.base_end, zone)
    if extension.decided_by is None:
        return _("The hall's rule approved {minutes} min: the window now closes at {end}.").format(
            minutes=minutes, end=end
        )
    if minutes != extension.minutes_requested:
        return _(
            "{name} approved {minutes} min (you asked {asked}): the window now closes at {end}."
        ).format(
            name=extension.decided_by.name,
            minutes=minutes,
            asked=extension.minutes_requested,
            end=end,
        )
    return _("{name} approved {minutes} min: the window now closes at {end}.").format(
        name=extension.decided_by.name, minutes=minutes, end=end
    )


def keys_shown(keys: str) -> str:
    """Remapped keys as the footer writes them: "f11,y" reads "F11 y"."""
    return " ".join(
        k.upper() if re.fullmatch(r"f\d+", k) else k for k in (k.strip() for k in keys.split(","))
    )


class CounterClosing(CounterLive):
    """Between CounterLive and CounterScreen, which provides the widgets, `say` and rendering."""

    def __init__(self) -> None:
        super().__init__()
        self.closing_watch = ClosingWatch()

    # --- reading ------------------------------------------------------------------------------

    def request_closing(self, force: bool = False) -> None:
        """Read the closing status again; unless `force`, only while the banner is shown (or
        nothing was read yet). Reads coalesce."""
        watch = self.closing_watch
        if not force and watch.status is not None and not watch.shown(self.ws.clock.now()):
            return
        watch.dirty = True
        if not watch.reading and not self.gone:
            watch.reading = True
            self.run_worker(self._read_closing(), group="closing")

    async def _read_closing(self) -> None:
        watch = self.closing_watch
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
                self.show_closing()
        finally:
            watch.reading = False

    def closing_tick(self) -> None:
        """Every second: the countdown, the warning at the end, and the periodic read."""
        if self.closing_watch.is_due(self.ws.clock.now()):
            self.request_closing(force=True)
        self.show_closing()

    def closing_heard(self, event: w.EventOut) -> None:
        """An event from the hall: read again if it changes this window's closing; announce a
        decision on this window's request."""
        if event.kind == w.EventKind.calendar_updated:
            self.request_closing(force=True)
            return
        if event.kind not in CLOSING_EVENTS:
            return
        found = event.window or event.extension or event.overrun or event.closing
        number = found.number if isinstance(found, w.WindowOut) else getattr(found, "window", None)
        if number != self.model.window_number:
            return
        self.request_closing(force=True)
        if event.kind == w.EventKind.extension_decided and event.extension is not None:
            self._announce(event.extension)

    # --- showing ------------------------------------------------------------------------------

    def extend_offered(self) -> bool:
        return self.closing_watch.extend_offered(self.ws.clock.now())

    def _extend_keys(self) -> str:
        keymap: dict[str, str] = getattr(self.app, "_keymap", {})  # Textual's, from config.toml
        if EXTEND_ID in keymap:
            return keys_shown(keymap[EXTEND_ID])
        return key_display(next(a for a in COUNTER_ACTIONS if a.name == "extend"))

    @on_screen
    def show_closing(self) -> None:
        now, watch = self.ws.clock.now(), self.closing_watch
        offered = self.model.held_by_me and watch.extend_offered(now)
        if offered != watch.offered:
            watch.offered = offered
            self.refresh_bindings()
        banner = self.query_one(ClosingBanner)
        if watch.status is None or not self.model.held_by_me or not watch.shown(now):
            banner.hide()
            return
        hall_now = watch.hall_now(now)
        banner.show(watch.status, hall_now, self.ws.zone, self._extend_keys(), offered)
        end = watch.end_reached(now)
        if end is not None:
            self.notify(
                _(
                    "{end}: this window's end. You may serve on: the time past it is recorded "
                    "as overtime for the duty lead to confirm."
                ).format(end=local_time(end, self.ws.zone)),
                severity="warning",
                timeout=20,
                markup=False,
            )

    def _announce(self, extension: w.ExtensionOut) -> None:
        watch = self.closing_watch
        decided = (w.ExtensionStatus.approved, w.ExtensionStatus.denied)
        if extension.id in watch.announced or extension.status not in decided:
            return
        watch.announced.add(extension.id)
        text = decision_text(extension, self.ws.zone)
        denied = extension.status == w.ExtensionStatus.denied
        self.say(text, error=denied)
        self.notify(text, severity="warning" if denied else "information", markup=False)

    # --- asking to extend ---------------------------------------------------------------------

    def action_extend(self) -> None:
        watch, window = self.closing_watch, self.model.window_number
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
            self.send(
                EXTEND,
                lambda c, k: ClosingClient(c).request_extension(window, minutes, reason, key=k),
                self._extension_sent,
            )

        dialog = ExtensionDialog(window, situation, status.suggested_minutes, suggestion)
        self.app.push_screen(dialog, chosen)

    def _extension_sent(self, answer: Answer) -> str:
        """The hall took the request: the banner shows it at once (then reads again)."""
        assert isinstance(answer, w.ExtensionOut)
        watch = self.closing_watch
        if watch.status is not None:
            watch.status = watch.status.model_copy(update={"extension": answer})
        self.request_closing(force=True)
        self.show_closing()
        if answer.status == w.ExtensionStatus.approved:  # the hall's rule approved it at once
            watch.announced.add(answer.id)
            return decision_text(answer, self.ws.zone)
        return _("Asked the duty lead for {minutes} more minutes: the decision shows here.").format(
            minutes=answer.minutes_requested
        )
