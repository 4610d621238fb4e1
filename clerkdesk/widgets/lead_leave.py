"""The duty lead's second inbox: overtime claims and leave requests waiting for a decision, each
with the requester's current balance beside it, and the line under it that tells the
highlighted one in full. Shown only while something waits (the lead's screen is as before
otherwise)."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo

from textual.widgets import Static

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.i18n import N_, _, ngettext
from clerkdesk.state.display import local_time
from clerkdesk.state.lead_leave import Item, LeaveInbox, key_of
from clerkdesk.state.leave_words import (
    claim_text,
    claim_when,
    dates_text,
    days_text,
    hours_minutes,
    request_amount,
    request_text,
)
from clerkdesk.widgets.lead_inbox import clerk_name, clip
from clerkdesk.widgets.my_leave import KeyedTable


def kind_of(item: Item) -> str:
    return _("Overtime") if isinstance(item, lw.ClaimOut) else _("Comp leave")


def when_of(item: Item, zone: ZoneInfo) -> str:
    if isinstance(item, lw.ClaimOut):
        return claim_when(item, zone)
    return dates_text(item.first_date, item.last_date)


def amount_of(item: Item) -> str:
    return hours_minutes(item.minutes) if isinstance(item, lw.ClaimOut) else request_amount(item)


class LeaveInboxTable(KeyedTable):
    """Claims and leave requests waiting for the lead, oldest first."""

    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("kind", N_("Asks for")),
        ("staff", N_("Staff")),
        ("when", N_("When")),
        ("amount", N_("Time")),
        ("balance", N_("Balance")),
        ("reason", N_("Reason")),
    )

    def show(self, inbox: LeaveInbox, zone: ZoneInfo) -> None:
        items = inbox.items
        self.display = bool(items)
        balances = [inbox.balance_of(x) for x in items]
        facts = [
            (
                kind_of(x),
                clerk_name(x.staff, inbox.is_mine(x)),
                when_of(x, zone),
                amount_of(x),
                hours_minutes(b.balance_minutes) if b is not None else "…",
            )
            for x, b in zip(items, balances, strict=True)
        ]
        room = self.room_for_last(facts)
        self.fill(
            [
                (key_of(x), (*cells, clip(x.reason, room)))
                for x, cells in zip(items, facts, strict=True)
            ]
        )
        self.border_title = ngettext(
            "{n} claim or leave request waiting for your decision",
            "{n} claims and leave requests waiting for your decision",
            len(items),
        ).format(n=len(items))


class LeaveInboxDetail(Static):
    """The highlighted claim or leave request in full, with the requester's balance."""

    def show(self, item: Item | None, inbox: LeaveInbox, zone: ZoneInfo) -> None:
        self.display = item is not None
        if item is None:
            self.update("")
            return
        asked = local_time(item.requested_at, zone)
        reason = " ".join(item.reason.split())
        if isinstance(item, lw.ClaimOut):
            text = _("{name} claims overtime {claim} (asked at {time}): “{reason}”").format(
                name=item.staff.name, claim=claim_text(item, zone), time=asked, reason=reason
            )
        else:
            text = _("{name} asks for leave {leave} (asked at {time}): “{reason}”").format(
                name=item.staff.name, leave=request_text(item), time=asked, reason=reason
            )
        balance = inbox.balance_of(item)
        if balance is not None:
            facts = {
                "balance": hours_minutes(balance.balance_minutes),
                "days": days_text(balance.balance_days),
                "pending": hours_minutes(balance.pending_minutes),
            }
            if balance.pending_minutes:
                said = _("Balance {balance} ({days}), of it {pending} in requests waiting")
            else:
                said = _("Balance {balance} ({days})")
            text += " · " + said.format(**facts)
        if inbox.is_mine(item):
            text += " · " + _("Your own: another duty lead or an admin decides it.")
        self.update(text)
