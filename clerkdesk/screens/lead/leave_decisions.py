"""The duty lead's decisions on overtime claims and leave requests, as what they send: approving
asks for an optional note, denying for the reason the requester reads (the lead screen's
confirm and reason patterns). None: the lead changed their mind."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.i18n import N_, _
from clerkdesk.screens.dialogs import Ask, ReasonDialog
from clerkdesk.state.lead_leave import Item, LeaveDecision
from clerkdesk.state.leave_words import claim_text, hours_minutes, request_text


def _what(item: Item, zone: ZoneInfo) -> str:
    """ "王芳's leave 2026-12-14 Mon, 4 h", "王芳's overtime claim 12-10 18:00–19:50, 1 h 50 min"
    (the names as the hall gives them)."""
    if isinstance(item, lw.ClaimOut):
        return _("{name}'s overtime claim {claim}").format(
            name=item.staff.name, claim=claim_text(item, zone)
        )
    return _("{name}'s leave {leave}").format(name=item.staff.name, leave=request_text(item))


def approve(
    item: Item, balance: lw.LeaveBalanceOut | None, zone: ZoneInfo
) -> Ask[str | None, LeaveDecision]:
    what = _what(item, zone)

    def then(note: str | None) -> LeaveDecision | None:
        if note is None:
            return None
        if isinstance(item, lw.ClaimOut):
            claim_id = item.id
            return LeaveDecision(
                N_("Approve"),
                lambda c, k: c.approve_claim(claim_id, key=k, note=note),
                lambda a: _("Approved {what}: it is credited by the hall's rules.").format(
                    what=what
                ),
            )
        request_id = item.id
        return LeaveDecision(
            N_("Approve"),
            lambda c, k: c.approve_leave(request_id, key=k, note=note),
            lambda a: _("Approved {what}.").format(what=what),
        )

    question = _("Approve {what}?").format(what=what)
    if balance is not None:
        question += " " + _("Balance now {balance}.").format(
            balance=hours_minutes(balance.balance_minutes)
        )
    question += " " + _("A note is optional.")
    return Ask(ReasonDialog(question, required=False), then)


def deny(item: Item, zone: ZoneInfo) -> Ask[str | None, LeaveDecision]:
    what = _what(item, zone)
    name = item.staff.name

    def then(reason: str | None) -> LeaveDecision | None:
        if not reason:
            return None
        done = _("Denied {what}: {name} is told why.").format(what=what, name=name)
        if isinstance(item, lw.ClaimOut):
            claim_id = item.id
            return LeaveDecision(
                N_("Deny"), lambda c, k: c.deny_claim(claim_id, reason, key=k), lambda a: done
            )
        request_id = item.id
        return LeaveDecision(
            N_("Deny"), lambda c, k: c.deny_leave(request_id, reason, key=k), lambda a: done
        )

    question = _("Deny {what}? {name} reads the reason.").format(what=what, name=name)
    return Ask(ReasonDialog(question), then)
