"""The counter's closing time, kept without Textual: the last closing status the hall gave, the
workstation clock it is read against, when to read it again, and the words for the duty lead's
decision.

The hall says where the window stands (`GET /windows/{n}/closing`, with the hall's own `now`);
between reads the countdown runs on the injected clock. The status is read again on mount and
reconnect, when an event changes it (this window's tickets while the banner shows, extension
requests and decisions, the window's closing, the calendar), once a minute, and exactly at the
start of the notice and at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.i18n import _
from clerkdesk.state.display import local_time

READ_EVERY = timedelta(minutes=1)
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
    """The last closing status, and the workstation clock it is read against."""

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

    def wanted(self, now: datetime, force: bool) -> bool:
        """Is a read wanted now? Unless `force`, only while the banner is shown (or nothing
        was read yet). Marks the status dirty; True when no read is under way to take it."""
        if not force and self.status is not None and not self.shown(now):
            return False
        self.dirty = True
        return not self.reading

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

    def to_announce(self, extension: w.ExtensionOut) -> bool:
        """A decision on this window's request not yet announced (then it is, from now on)."""
        decided = (w.ExtensionStatus.approved, w.ExtensionStatus.denied)
        if extension.id in self.announced or extension.status not in decided:
            return False
        self.announced.add(extension.id)
        return True

    def sent(self, extension: w.ExtensionOut) -> None:
        """The hall took this window's request: the banner shows it at once."""
        if self.status is not None:
            self.status = self.status.model_copy(update={"extension": extension})
        if extension.status == w.ExtensionStatus.approved:  # the hall's rule approved it at once
            self.announced.add(extension.id)


def closing_event_window(event: w.EventOut) -> int | None:
    """The window whose closing this event changes (None: not a closing event)."""
    if event.kind not in CLOSING_EVENTS:
        return None
    found = event.window or event.extension or event.overrun or event.closing
    return found.number if isinstance(found, w.WindowOut) else getattr(found, "window", None)


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
