"""How appointments (预约) and ratings (好差评) read on screen: the kiosk's and the rating
screen's shared words (N_-marked; translate with `_()` when shown), and the refusals of the
appointment API in the citizen's words."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clerkdesk.api.appointment_schemas import AppointmentStatus, RatingReason, SessionKind
from clerkdesk.i18n import N_, _

SCORE_NAMES: dict[int, str] = {
    5: N_("Very satisfied"),
    4: N_("Satisfied"),
    3: N_("Fair"),
    2: N_("Dissatisfied"),
    1: N_("Very dissatisfied"),
}

REASON_NAMES: dict[RatingReason, str] = {
    RatingReason.quick: N_("Quick service"),
    RatingReason.friendly: N_("Friendly"),
    RatingReason.clear: N_("Clear explanations"),
    RatingReason.long_wait: N_("Waited too long"),
    RatingReason.slow: N_("Slow service"),
    RatingReason.unfriendly: N_("Unfriendly"),
    RatingReason.unclear: N_("Unclear explanations"),
    RatingReason.come_again: N_("Asked to come again"),
    RatingReason.other: N_("Other (write it)"),
}

SESSION_NAMES: dict[SessionKind, str] = {
    SessionKind.ordinary: N_("workday"),
    SessionKind.weekend: N_("weekend duty"),
    SessionKind.holiday: N_("holiday duty"),
}

APPOINTMENT_STATUS_NAMES: dict[AppointmentStatus, str] = {
    AppointmentStatus.booked: N_("booked"),
    AppointmentStatus.checked_in: N_("checked in"),
    AppointmentStatus.cancelled: N_("cancelled"),
    AppointmentStatus.missed: N_("missed"),
}


def score_name(score: int) -> str:
    return _(SCORE_NAMES[score]) if score in SCORE_NAMES else str(score)


def reason_name(reason: RatingReason) -> str:
    return _(REASON_NAMES[reason])


def _local(text: Any, zone: ZoneInfo | None) -> str:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    if zone is not None:
        moment = moment.astimezone(zone)
    return f"{moment:%m-%d %H:%M}"


def refusal_text(code: str, params: dict[str, Any], zone: ZoneInfo | None = None) -> str | None:
    """A refusal of the appointment or rating API in the citizen's words (None: not one of
    these codes; show the server's message)."""
    if code == "check_in_too_early":
        return _("Too early: check in from {time}.").format(
            time=_local(params.get("check_in_from"), zone)
        )
    if code == "appointment_missed":
        text = _("The appointment was missed (check-in closed at {time}): take a normal ticket.")
        return text.format(time=_local(params.get("check_in_until"), zone))
    if code == "appointment_cancelled":
        return _("This appointment was cancelled: book again or take a normal ticket.")
    if code == "already_checked_in":
        return _("Already checked in: your ticket is {ticket}.").format(
            ticket=params.get("ticket", "")
        )
    if code == "appointment_not_found":
        return _("No appointment today with this code: check the six digits.")
    if code == "slot_full":
        free = [_local(t, zone) for t in params.get("next_free") or []]
        if free:
            return _("This time is fully booked. Free: {times}.").format(times=", ".join(free))
        return _("This time is fully booked, and no later time has a place.")
    if code == "already_booked":
        text = _("This phone already has an appointment for this service that day ({time}).")
        return text.format(time=_local(params.get("start"), zone))
    if code == "already_rated":
        return _("This case has been rated already. Thank you!")
    if code == "not_completed":
        return _("This case is not completed yet: rate it once it is done.")
    return None
