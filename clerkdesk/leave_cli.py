"""`clerkdesk leave [--json] [--all]`: one's comp leave (调休) as the hall keeps it: the balance in
minutes and days, what expires within 30 days, the ledger with each entry's source (its newest
50 entries; `--all`: the whole ledger, read page by page), coming duties.
`clerkdesk leave request DATE [--to DATE | --hours H] [--reason TEXT]` asks for leave;
`clerkdesk leave cancel ID` cancels one's request.

It talks to the hall through the API client, like the workstation: the server from `--server`,
`CLERKDESK_SERVER` or the config file (else the embedded hall), signed in with the token the
workstation stored for the config's staff number (or `--staff`). Where no sign-in is stored (a
computer without a credential store keeps none), it asks for the password in the terminal, signs
in for this one command and signs out again.

To hook into the CLI: `leave_cli.add_parser(sub)` beside the other sub-commands, and for
`args.command == "leave"` return `leave_cli.run(args)`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import sys
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from clerkdesk import config
from clerkdesk.i18n import N_, _, set_language

if TYPE_CHECKING:
    from clerkdesk.api import ledger_schemas as lw
    from clerkdesk.api.ledger import LedgerClient

KIND_NAMES = {
    "accrual": N_("accrual"),
    "taken": N_("leave taken"),
    "expiry": N_("expired"),
    "adjustment": N_("adjustment"),
}
STATUS_NAMES = {
    "pending": N_("pending"),
    "approved": N_("approved"),
    "denied": N_("denied"),
    "cancelled": N_("cancelled"),
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    leave = sub.add_parser(
        "leave", help=_("your comp leave: balance, what expires soon, the ledger, coming duties")
    )
    leave.add_argument("--json", action="store_true", help=_("print JSON instead of tables"))
    leave.add_argument(
        "--all",
        action="store_true",
        help=_("the whole ledger (read page by page) instead of its newest entries"),
    )
    leave.add_argument(
        "--staff", metavar="STAFF_NO", help=_("whose leave (default: who signed in here last)")
    )
    actions = leave.add_subparsers(dest="action")
    ask = actions.add_parser("request", help=_("ask for leave on whole dates or for some hours"))
    first = _("the first date, e.g. 2026-12-14")
    ask.add_argument("first_date", type=date.fromisoformat, help=first)
    length = ask.add_mutually_exclusive_group()
    length.add_argument("--to", type=date.fromisoformat, help=_("the last date (whole dates)"))
    length.add_argument("--hours", type=float, help=_("hours on the first date instead"))
    ask.add_argument("--reason", default="", help=_("why (shown to your duty lead)"))
    cancel = actions.add_parser("cancel", help=_("cancel one of your leave requests"))
    cancel.add_argument("request_id", type=int, help=_("the request's number"))
    cancel.add_argument("--reason", default="")


def run(args: argparse.Namespace) -> int:
    try:
        settings = config.load_settings()
    except config.ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    set_language(getattr(args, "lang", None) or settings.language)
    staff_no = getattr(args, "staff", None) or settings.staff_no
    server_url = config.resolve_server(args.server, settings)
    embedded = None
    if server_url is None:
        from clerkdesk.embedded import start_embedded

        embedded = start_embedded()
        identity, url = embedded.server.identity, embedded.server.url
    else:
        identity = url = server_url.rstrip("/")
    try:
        from clerkdesk.credentials import TokenStore

        stored = None
        if staff_no:
            store = TokenStore(allow_plaintext_file=settings.plaintext_token_file)
            stored = store.load(identity, staff_no)
        if stored is not None:
            return asyncio.run(_talk(url, stored.token, args))
        asked = _ask_sign_in(staff_no)
        if asked is None:
            return 2
        return asyncio.run(_talk(url, None, args, asked))
    finally:
        if embedded is not None:
            embedded.stop()


def _ask_sign_in(staff_no: str | None) -> tuple[str, str] | None:
    """Staff number and password typed in the terminal, for a computer that keeps no sign-in;
    None (said why) when nobody is there to type them."""
    if not sys.stdin.isatty():
        print(
            _(
                "No sign-in is kept on this computer: sign in at the workstation first, "
                "or run this command in a terminal to sign in here."
            ),
            file=sys.stderr,
        )
        return None
    try:
        if not staff_no:
            staff_no = input(_("Staff number: ")).strip()
        password = getpass.getpass(_("Password of {staff_no}: ").format(staff_no=staff_no))
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return None
    if not staff_no or not password:
        print(_("A staff number and a password are needed to sign in."), file=sys.stderr)
        return None
    return staff_no, password


async def _talk(
    url: str, token: str | None, args: argparse.Namespace, sign_in: tuple[str, str] | None = None
) -> int:
    """One command against the hall. With `sign_in` (staff number, password) it signs in for
    this command alone and signs out at the end, so no sign-in is left behind."""
    from clerkdesk.api.client import HallClient
    from clerkdesk.api.errors import HallClientError, Unauthorized
    from clerkdesk.api.ledger import LedgerClient
    from clerkdesk.state.ledger_refusals import explain_ledger
    from clerkdesk.state.refusals import explain

    async with HallClient(url, token) as client:
        if sign_in is not None:
            try:
                await client.login(*sign_in)
            except HallClientError as exc:
                print(explain(exc), file=sys.stderr)
                return 1
        try:
            zone = ZoneInfo((await client.me()).timezone)
            ledger = LedgerClient(client)
            if args.action == "request":
                return await _request(ledger, args)
            if args.action == "cancel":
                return await _cancel(ledger, args)
            return await _show(ledger, args, zone)
        except Unauthorized:
            print(_("Your sign-in has ended: sign in at the workstation again."), file=sys.stderr)
        except HallClientError as exc:
            print(explain_ledger(exc), file=sys.stderr)
        finally:
            if sign_in is not None and client.token is not None:
                with contextlib.suppress(HallClientError):
                    await client.logout()
    return 1


async def _show(ledger: LedgerClient, args: argparse.Namespace, zone: ZoneInfo) -> int:
    leave = await (ledger.my_whole_leave() if getattr(args, "all", False) else ledger.my_leave())
    if args.json:
        print(leave.model_dump_json())
    else:
        _print_leave(leave, zone)
    return 0


async def _request(ledger: LedgerClient, args: argparse.Namespace) -> int:
    asked = await ledger.request_leave(args.first_date, args.to, args.hours, args.reason)
    _print_request(asked, args.json)
    return 0


async def _cancel(ledger: LedgerClient, args: argparse.Namespace) -> int:
    cancelled = await ledger.cancel_leave(args.request_id, args.reason)
    _print_request(cancelled, args.json)
    return 0


def _print_request(request: lw.LeaveRequestOut, as_json: bool) -> None:
    if as_json:
        print(request.model_dump_json())
        return
    last = "" if request.last_date == request.first_date else f" – {request.last_date}"
    print(
        _("Leave request {id}: {first}{last}, {minutes} minutes, {status}.").format(
            id=request.id,
            first=request.first_date,
            last=last,
            minutes=request.minutes,
            status=_(STATUS_NAMES[request.status.value]),
        )
    )


def _print_leave(leave: lw.LeaveBalanceOut, zone: ZoneInfo) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        _(
            "{name} ({staff_no}): comp leave {minutes} minutes = {days} days "
            "({per_day} minutes a day); {pending} minutes asked for in pending requests."
        ).format(
            name=leave.staff.name,
            staff_no=leave.staff.staff_no,
            minutes=leave.balance_minutes,
            days=f"{leave.balance_days:g}",
            per_day=leave.minutes_per_day,
            pending=leave.pending_minutes,
        ),
        highlight=False,
    )
    expiring = Table(title=_("Expiring within 30 days"))
    for header in (_("Expires on"), _("Worked on"), _("Minutes left")):
        expiring.add_column(header)
    expiring.add_column(_("Source"), overflow="fold")
    for credit in leave.expiring_soon:
        expires = str(credit.expires_on or "")
        expiring.add_row(expires, str(credit.work_date), str(credit.remaining), credit.source)
    if leave.expiring_soon:
        console.print(expiring)
    else:
        console.print(_("Nothing expires within 30 days."))
    book = Table(title=_("Ledger"))
    for header in (_("Date"), _("Entry"), _("Change (min)")):
        book.add_column(header)
    book.add_column(_("Source"), overflow="fold")  # folded on a narrow terminal, never cut
    book.add_column(_("Expires"))
    book.add_column(_("Note"), overflow="fold")
    for entry in leave.ledger:
        book.add_row(
            str(entry.local_date),
            _(KIND_NAMES[entry.kind.value]),
            f"{entry.minutes:+d}",
            entry.source,
            str(entry.expires_on or ""),
            " · ".join(p for p in (entry.reason, entry.approved_by) if p),
        )
    console.print(book)
    shown, total = len(leave.ledger), leave.ledger_total
    if leave.older_before is not None and total is not None:
        console.print(
            _(
                "The newest {shown} of {total} ledger entries: `clerkdesk leave --all` shows "
                "them all."
            ).format(shown=shown, total=total),
            highlight=False,
        )
    duties = Table(title=_("Coming duties"))
    for header in (_("Date"), _("Hours"), _("Duty")):
        duties.add_column(header)
    for duty in leave.duties:
        hours = f"{duty.starts_at.astimezone(zone):%H:%M}-{duty.ends_at.astimezone(zone):%H:%M}"
        duties.add_row(str(duty.local_date), hours, duty.label)
    if leave.duties:
        console.print(duties)
    else:
        console.print(_("No coming duties."))
