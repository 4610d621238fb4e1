"""Every message the workstation's widgets and screens post upwards, in one place."""

from __future__ import annotations

from textual.message import Message

from clerkdesk.api import schemas as w


class SignedIn(Message):
    """A staff member is signed in (by password or from the stored token)."""

    def __init__(self, me: w.MeOut) -> None:
        super().__init__()
        self.me = me


class SignedOut(Message):
    """The sign-in ended (logout, expiry, revoked): back to the sign-in screen."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__()
        self.reason = reason


class WindowTaken(Message):
    """The clerk now holds this window: open the counter."""

    def __init__(self, window: int) -> None:
        super().__init__()
        self.window = window


class WindowLeft(Message):
    """The clerk left the window (or lost it): back to the window picker."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__()
        self.reason = reason


class HallCreated(Message):
    """The first-run walk-through wrote the hall: sign in as its first admin."""

    def __init__(self, staff_no: str, password: str) -> None:
        super().__init__()
        self.staff_no = staff_no
        self.password = password


class TicketPicked(Message):
    """The clerk chose a ticket in the queue (Enter on its row)."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


class BackFromDutyLead(Message):
    """The lead leaves the duty lead screen: back to their counter (`window`), or the picker."""

    def __init__(self, window: int | None) -> None:
        super().__init__()
        self.window = window
