"""`clerkdesk rate --window 8 [--staff kiosk1]`: the rating pad at window 8 (好差评), a small
full-screen app facing the citizen.

It signs in with a role that may rate (the kiosk's: it sees tickets as the hall's screens do,
never a name or a note), asking for the password in the terminal, and keeps the password in
memory only, to sign in again when the day's sign-in ends. The hall: `--server`,
`CLERKDESK_SERVER` or the config file (the pad needs a hall service; the workstation's embedded
hall lives inside the workstation).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import sys

from clerkdesk import config
from clerkdesk.i18n import _, set_language


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rate = sub.add_parser("rate", help=_("the rating pad at a counter (好差评)"))
    rate.add_argument("--window", type=int, required=True, help=_("the counter's window number"))
    rate.add_argument(
        "--staff",
        metavar="STAFF_NO",
        help=_("the pad's sign-in, a kiosk account (asked for when not given)"),
    )


def run(args: argparse.Namespace) -> int:
    try:
        settings = config.load_settings()
    except config.ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    set_language(getattr(args, "lang", None) or settings.language)
    server = config.resolve_server(args.server, settings)
    if server is None:
        print(
            _(
                "The rating pad needs a hall service: give --server URL (or CLERKDESK_SERVER), "
                "e.g. the address `clerkdesk demo --serve-only` prints."
            ),
            file=sys.stderr,
        )
        return 2
    if not sys.stdin.isatty():
        print(_("Run the rating pad in a terminal: it asks for its password."), file=sys.stderr)
        return 2
    try:
        staff_no = args.staff or input(_("Staff number of the pad: ")).strip()
        password = getpass.getpass(_("Password of {staff_no}: ").format(staff_no=staff_no))
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return 2
    return asyncio.run(_run(server.rstrip("/"), staff_no, password, args.window))


async def _run(url: str, staff_no: str, password: str, window: int) -> int:
    from clerkdesk.api.client import HallClient
    from clerkdesk.api.errors import ApiError, HallClientError
    from clerkdesk.clock import FollowedClock
    from clerkdesk.screens.rate.app import RateApp

    client = HallClient(url)
    clock = FollowedClock()
    try:
        try:
            await client.login(staff_no, password)
            hall = await client.hall()
            told = await client.clock()
            clock.follow(told.now, told.speed, at=clock.monotonic())
        except ApiError as refusal:
            print(refusal.message, file=sys.stderr)
            return 1
        except HallClientError as trouble:
            print(str(trouble), file=sys.stderr)
            return 1
        labels = {w.number: w.label for w in hall.windows}
        if window not in labels:
            print(_("This hall has no window {n}.").format(n=window), file=sys.stderr)
            return 2

        async def relogin() -> None:
            await client.login(staff_no, password)

        app = RateApp(client, window, clock, label=labels[window], relogin=relogin)
        await app.run_async()
        return 0
    finally:
        with contextlib.suppress(HallClientError):
            await client.logout()
        await client.aclose()
