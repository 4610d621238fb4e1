"""The duty lead's decisions as what they send: each asks what it needs (a dialog), then gives
one decision (None: the lead changed their mind)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.i18n import N_, _
from clerkdesk.screens.dialogs import Ask, ConfirmDialog, ReasonDialog
from clerkdesk.screens.lead.dialogs import ApproveMinutesDialog
from clerkdesk.state.display import local_time
from clerkdesk.state.lead import Answer, Decision


def _extension(answer: Answer) -> w.ExtensionOut:
    assert isinstance(answer, w.ExtensionOut)
    return answer


def _overrun(answer: Answer) -> w.OverrunOut:
    assert isinstance(answer, w.OverrunOut)
    return answer


def approve(item: w.ExtensionInboxItem, minutes: int | None, zone: ZoneInfo) -> Decision:
    """Approve as asked (`minutes` None) or for these minutes."""
    x = item.extension

    def done(answer: Answer) -> str:
        out = _extension(answer)
        return _("Approved {n} min for window {window}: it now ends at {time}.").format(
            n=out.minutes_approved,
            window=out.window,
            time=local_time(out.ends_at, zone) if out.ends_at else "—",
        )

    return Decision(N_("Approve"), lambda c, k: c.approve_extension(x.id, minutes, key=k), done)


def approve_minutes(item: w.ExtensionInboxItem, zone: ZoneInfo) -> Ask[int | None, Decision]:
    x = item.extension
    if item.waiting or item.minutes_needed:
        question = _(
            "Window {window}, {name}: asked {asked} min; the citizens waiting need about "
            "{needed} min. Approve how many?"
        )
    else:
        question = _(
            "Window {window}, {name}: asked {asked} min; nobody waits now. Approve how many?"
        )
    question = question.format(
        window=x.window,
        name=x.staff.name,
        asked=x.minutes_requested,
        needed=item.minutes_needed,
    )

    def then(minutes: int | None) -> Decision | None:
        return approve(item, minutes, zone) if minutes is not None else None

    return Ask(ApproveMinutesDialog(question, x.minutes_requested), then)


def deny(item: w.ExtensionInboxItem) -> Ask[str | None, Decision]:
    x = item.extension

    def then(reason: str | None) -> Decision | None:
        if not reason:
            return None
        return Decision(
            N_("Deny"),
            lambda c, k: c.deny_extension(x.id, reason, key=k),
            lambda a: _("Denied window {window}'s request: {name} is told why.").format(
                window=x.window, name=x.staff.name
            ),
        )

    question = _("Deny window {window}'s request ({name}, {n} min)? {name} reads the reason.")
    text = question.format(window=x.window, name=x.staff.name, n=x.minutes_requested)
    return Ask(ReasonDialog(text), then)


def decide_overrun(o: w.OverrunOut, confirm: bool) -> Ask[str | None, Decision]:
    """Confirm (a note is optional) or reject (with the reason) an overrun."""

    def done(answer: Answer) -> str:
        out = _overrun(answer)
        text = (
            _("Confirmed window {window}'s {n} min past the end.")
            if out.status == w.OverrunStatus.confirmed
            else _("Rejected window {window}'s {n} min past the end.")
        )
        return text.format(window=out.window, n=out.minutes)

    def then(reason: str | None) -> Decision | None:
        if reason is None:
            return None
        if confirm:
            return Decision(N_("Confirm"), lambda c, k: c.confirm_overrun(o.id, reason, k), done)
        return Decision(N_("Reject"), lambda c, k: c.reject_overrun(o.id, reason, k), done)

    facts = {"window": o.window, "name": o.staff.name, "n": o.minutes}
    if confirm:
        question = _("Confirm window {window}'s {n} min past the end ({name})? A note is optional.")
        return Ask(ReasonDialog(question.format(**facts), required=False), then)
    question = _("Reject window {window}'s {n} min past the end ({name})? Give the reason.")
    return Ask(ReasonDialog(question.format(**facts)), then)


def confirm_year(year: int) -> Ask[bool, Decision]:
    def then(yes: bool | None) -> Decision | None:
        if not yes:
            return None
        return Decision(
            N_("Confirm year"),
            lambda c, k: c.confirm_year(year, k),
            lambda a: _("The calendar of {year} is confirmed.").format(year=year),
        )

    question = _(
        "Do the hall calendar's holidays and swapped workdays for {year} match the official "
        "notice? Confirming removes the warning for every lead."
    ).format(year=year)
    return Ask(ConfirmDialog(question, _("Confirm the year"), _("Cancel")), then)
