"""How comp leave (调休) reads on screen: balances in hours and minutes ("12 h 30 min" /
"12 小时 30 分") and in days, ledger kinds, request states, an entry's source in words, and the
hall's refusal beyond the balance with the balance it gave. No Textual here."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api.errors import ApiError, HallClientError
from clerkdesk.i18n import N_, _, ngettext
from clerkdesk.state.display import local_time
from clerkdesk.state.ledger_refusals import explain_ledger

KIND_NAMES: dict[lw.LedgerKind, str] = {
    lw.LedgerKind.accrual: N_("credited"),
    lw.LedgerKind.taken: N_("leave taken"),
    lw.LedgerKind.expiry: N_("expired"),
    lw.LedgerKind.adjustment: N_("adjustment"),
}
NOT_CREDITED = N_("not credited")

STATUS_NAMES: dict[lw.DecisionStatus, str] = {
    lw.DecisionStatus.pending: N_("pending"),
    lw.DecisionStatus.approved: N_("approved"),
    lw.DecisionStatus.denied: N_("denied"),
    lw.DecisionStatus.cancelled: N_("cancelled"),
}

DAY_TYPE_NAMES: dict[str, str] = {
    "workday": N_("workday"),
    "rest_day": N_("rest day"),
    "statutory_holiday": N_("statutory holiday"),
}

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def hours_minutes(minutes: int) -> str:
    """A whole number of minutes as hours and minutes, never negative: "12 h 30 min", "8 h",
    "45 min", "0 min" (in Chinese "12 小时 30 分", "8 小时", "45 分钟")."""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return _("{h} h {m} min").format(h=hours, m=f"{rest:02d}")
    if hours:
        return _("{h} h").format(h=hours)
    return _("{n} min").format(n=rest)


def signed(minutes: int) -> str:
    """A ledger change: "+1 h 45 min", "-4 h", "0 min"."""
    if minutes == 0:
        return hours_minutes(0)
    return ("+" if minutes > 0 else "-") + hours_minutes(minutes)


def days_text(days: float) -> str:
    """ "1.56 days", "1 day" (in Chinese "1.56 天")."""
    shown = f"{days:g}"
    return ngettext("{n} day", "{n} days", 1 if shown == "1" else 2).format(n=shown)


def weekday(on: date) -> str:
    return _(WEEKDAYS[on.weekday()])


def day_text(on: date) -> str:
    """ "2026-12-14 Mon" ("2026-12-14 周一")."""
    return f"{on.isoformat()} {weekday(on)}"


def dates_text(first: date, last: date) -> str:
    """One date, or a span: "2026-12-14 Mon", "2026-12-14 – 12-16"."""
    if first == last:
        return day_text(first)
    end = last.isoformat() if last.year != first.year else last.strftime("%m-%d")
    return f"{first.isoformat()} – {end}"


def request_amount(request: lw.LeaveRequestOut) -> str:
    """How much leave a request takes: "4 h", "2 days = 16 h"."""
    if request.by_hours:
        return hours_minutes(request.minutes)
    days = (request.last_date - request.first_date).days + 1
    span = ngettext("{n} day", "{n} days", days).format(n=days)
    return _("{days}, {time}").format(days=span, time=hours_minutes(request.minutes))


def request_text(request: lw.LeaveRequestOut) -> str:
    """The request in a few words: "2026-12-14 Mon, 4 h"."""
    return _("{dates}, {amount}").format(
        dates=dates_text(request.first_date, request.last_date), amount=request_amount(request)
    )


def status_name(status: lw.DecisionStatus) -> str:
    return _(STATUS_NAMES[status])


def kind_name(kind: lw.LedgerKind) -> str:
    return _(KIND_NAMES[kind])


def _number(text: str) -> str:
    """The number of "12" or of "4.7" (duty 4 at closing 7)."""
    return text.split(".")[0]


def origin_words(source: str) -> str:
    """What an overtime source was, in a few words (a table's column): "Extension",
    "Claim 3" (延时服务, 加班申报 3)."""
    origin, _sep, rest = source.partition(":")
    fact = rest.split(":")[0]
    if origin == "extension":
        return _("Extension")
    if origin == "overrun":
        return _("Overrun, confirmed")
    if origin == "duty":
        return _("Rostered duty")
    if origin == "claim":
        return _("Claim {n}").format(n=_number(fact))
    if origin == "leave":
        return _("Leave request {n}").format(n=_number(fact))
    return source


def worked_words(source: str, worked: lw.OvertimeEntryOut | None, zone: ZoneInfo) -> str:
    """An overtime source in words, with the time worked and its day type when known:
    "Extension 17:30–18:05", "Rostered duty 09:00–12:00, rest day"."""
    words = origin_words(source)
    if worked is None:
        return words
    span = f"{local_time(worked.starts_at, zone)}–{local_time(worked.ends_at, zone)}"
    words = f"{words} {span}"
    if worked.day_type != "workday" and worked.day_type in DAY_TYPE_NAMES:
        words = _("{what}, {day_type}").format(
            what=words, day_type=_(DAY_TYPE_NAMES[worked.day_type])
        )
    return words


def entry_words(
    entry: lw.LedgerEntryOut, worked: lw.OvertimeEntryOut | None, zone: ZoneInfo
) -> str:
    """A ledger entry's source in words, as the clerk reads it."""
    if entry.kind == lw.LedgerKind.accrual:
        return worked_words(entry.source, worked, zone)
    if entry.kind == lw.LedgerKind.expiry:
        return _("Expired unused: {what}").format(what=worked_words(entry.source, worked, zone))
    what = origin_words(entry.source)
    if entry.kind == lw.LedgerKind.taken:
        parts = [what, entry.reason or ""]
        if entry.approved_by:
            parts.append(_("approved by {name}").format(name=entry.approved_by))
        return " · ".join(p for p in parts if p)
    if entry.source.startswith("leave:") and entry.minutes > 0:
        return _("{what} cancelled: the time is given back").format(what=what)
    parts = [what, entry.reason or ""]
    if entry.approved_by:
        parts.append(_("by {name}").format(name=entry.approved_by))
    return " · ".join(p for p in parts if p)


def not_credited_words(worked: lw.OvertimeEntryOut) -> str:
    """Why overtime is recorded but gives no leave: over a cap, or under the minimum."""
    if worked.excess_minutes > 0:
        return _("over the hall's cap: recorded, not credited")
    return _("under the hall's minimum: recorded, not credited")


def beyond_balance(params: dict[str, object]) -> str:
    """The hall's refusal of leave beyond the balance, with the balance from its answer."""

    def minutes(name: str) -> int:
        try:
            return int(str(params.get(name, 0)))
        except ValueError:
            return 0

    wanted, balance = minutes("wanted_minutes"), minutes("balance_minutes")
    pending = minutes("pending_minutes")
    facts = {
        "wanted": hours_minutes(wanted),
        "free": hours_minutes(max(0, minutes("available_minutes") - pending)),
        "balance": hours_minutes(balance),
        "days": days_text(float(str(params.get("balance_days", 0)))),
        "pending": hours_minutes(pending),
    }
    if pending:
        text = _(
            "Not enough comp leave: this leave needs {wanted}, {free} is free. Your balance is "
            "{balance} ({days}), and {pending} of it is asked for in requests still waiting."
        )
    else:
        text = _(
            "Not enough comp leave: this leave needs {wanted}, {free} is free. Your balance is "
            "{balance} ({days})."
        )
    return text.format(**facts)


def explain_leave(error: HallClientError, zone: ZoneInfo | None = None) -> str:
    """A refused leave action in the clerk's words (beyond the balance: with the balance)."""
    if isinstance(error, ApiError) and error.code == "not_enough_leave":
        return beyond_balance(error.params)
    return explain_ledger(error, zone)


def balance_line(balance: lw.LeaveBalanceOut) -> str:
    """ "Balance 12 h 30 min = 1.56 days (a leave day is 8 h)" and what waits for a decision."""
    text = _("Balance {balance} = {days} (a leave day is {per_day})").format(
        balance=hours_minutes(balance.balance_minutes),
        days=days_text(balance.balance_days),
        per_day=hours_minutes(balance.minutes_per_day),
    )
    if balance.pending_minutes:
        text += " · " + _("{pending} pending approval").format(
            pending=hours_minutes(balance.pending_minutes)
        )
    return text


def expiring_line(balance: lw.LeaveBalanceOut) -> str:
    """What expires within 30 days, and the first date it does."""
    credits = [c for c in balance.expiring_soon if c.remaining > 0]
    if not credits:
        return _("Nothing expires within 30 days.")
    total = sum(c.remaining for c in credits)
    first = min(c.expires_on for c in credits if c.expires_on is not None)
    return _("{time} expires within 30 days, the first on {date}: take it before then.").format(
        time=hours_minutes(total), date=day_text(first)
    )


def duty_hours(duty: lw.DutyOut, zone: ZoneInfo) -> str:
    return f"{local_time(duty.starts_at, zone)}–{local_time(duty.ends_at, zone)}"


def claim_when(claim: lw.ClaimOut, zone: ZoneInfo) -> str:
    """When the claimed time was worked: "12-10 18:00–19:50"."""
    start, end = claim.starts_at.astimezone(zone), claim.ends_at.astimezone(zone)
    return f"{start:%m-%d} {start:%H:%M}–{end:%H:%M}"


def claim_text(claim: lw.ClaimOut, zone: ZoneInfo) -> str:
    """The claim in a few words: "12-10 18:00–19:50, 1 h 50 min"."""
    return _("{dates}, {amount}").format(
        dates=claim_when(claim, zone), amount=hours_minutes(claim.minutes)
    )
