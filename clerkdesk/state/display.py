"""How values read on screen: durations, hall-local times, state and outcome names, padding."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.cells import cell_len

from clerkdesk.api.schemas import Outcome, Priority, TicketStatus
from clerkdesk.i18n import N_, _

STATUS_NAMES: dict[TicketStatus, str] = {
    TicketStatus.waiting: N_("waiting"),
    TicketStatus.called: N_("called"),
    TicketStatus.serving: N_("serving"),
    TicketStatus.done: N_("done"),
    TicketStatus.no_show: N_("no-show"),
    TicketStatus.cancelled: N_("cancelled"),
}

OUTCOME_NAMES: dict[Outcome, str] = {
    Outcome.done: N_("Done: the case is handled"),
    Outcome.consultation: N_("Consultation only"),
    Outcome.materials_incomplete: N_("Materials incomplete: come back"),
    Outcome.wrong_service: N_("Wrong service: sent elsewhere"),
}

PRIORITY_NAMES: dict[Priority, str] = {
    Priority.transferred: N_("transferred"),
    Priority.green_channel: N_("green channel"),
    Priority.appointment: N_("appointment"),
    Priority.carried_over: N_("carried over"),
    Priority.normal: "",
}


def status_name(status: str) -> str:
    try:
        return _(STATUS_NAMES[TicketStatus(status)])
    except ValueError:
        return status


def priority_name(priority: Priority) -> str:
    name = PRIORITY_NAMES[priority]
    return _(name) if name else ""


def clock_span(delta: timedelta) -> str:
    """A running duration as M:SS, or H:MM:SS from an hour; never negative."""
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def local_time(moment: datetime, zone: ZoneInfo, seconds: bool = False) -> str:
    return moment.astimezone(zone).strftime("%H:%M:%S" if seconds else "%H:%M")


def pad(text: str, width: int) -> str:
    """Left-align `text` in `width` terminal cells (a Chinese character takes two)."""
    return text + " " * max(0, width - cell_len(text))
