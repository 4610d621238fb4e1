"""How values read on screen: durations, hall-local times, state and outcome names, padding."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.cells import cell_len

from clerkdesk.api.schemas import Outcome, Priority, TicketOut, TicketStatus
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


def priority_label(ticket: TicketOut, zone: ZoneInfo | None) -> str:
    """The priority as the counter shows it; an appointment with its slot ("appointment
    10:00": the citizen booked that time, 预约)."""
    if ticket.priority == Priority.appointment and ticket.appointment_at and zone is not None:
        return _("appointment {time}").format(time=local_time(ticket.appointment_at, zone))
    return priority_name(ticket.priority)


def duration(delta: timedelta) -> str:
    """A span of time in words, never read as a clock time: "26 s", "18 min 26 s", "15 min",
    "1 h 05 min" (from an hour on, without the seconds); never negative."""
    total = max(0, int(delta.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        if minutes == 0:
            return _("{h} h").format(h=hours)
        return _("{h} h {m} min").format(h=hours, m=f"{minutes:02d}")
    if minutes and secs:
        return _("{m} min {s} s").format(m=minutes, s=f"{secs:02d}")
    if minutes:
        return _("{n} min").format(n=minutes)
    return _("{s} s").format(s=secs)


def minutes_span(minutes: int) -> str:
    """A whole number of minutes as `duration` writes it ("45 min", "1 h 05 min")."""
    return duration(timedelta(minutes=max(0, minutes)))


def local_time(moment: datetime, zone: ZoneInfo, seconds: bool = False) -> str:
    return moment.astimezone(zone).strftime("%H:%M:%S" if seconds else "%H:%M")


def pad(text: str, width: int) -> str:
    """Left-align `text` in `width` terminal cells (a Chinese character takes two)."""
    return text + " " * max(0, width - cell_len(text))
