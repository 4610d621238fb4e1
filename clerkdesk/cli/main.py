"""The `clerkdesk` command line: which command runs, in which language."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from clerkdesk import __version__, leave_cli, ledger_cli, rate_cli
from clerkdesk.cli import admin, board, demo, kiosk, report, serve
from clerkdesk.i18n import set_language


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="clerkdesk",
        description="ClerkDesk: the workstation, the hall service, the demo and the admin "
        "commands.",
    )
    top.add_argument("--version", action="version", version=f"clerkdesk {__version__}")
    top.add_argument(
        "--server",
        help="hall service URL (default: CLERKDESK_SERVER, the config "
        "file, else the embedded hall)",
    )
    top.add_argument("--lang", help="zh or en (default: from the locale)")
    sub = top.add_subparsers(dest="command")
    serve.add_parser(sub)
    demo.add_parser(sub)
    admin.add_parser(sub)
    sub.add_parser("logout", help="forget the stored sign-in and end it on the server")
    for more in (ledger_cli, leave_cli, report, rate_cli, kiosk):  # sub-commands, own modules
        more.add_parser(sub)
    board.add_parser(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in ("serve", "demo", "admin", "report"):  # the workstation: its settings
        set_language(getattr(args, "lang", None))
    if args.command == "serve":
        return serve.run(args)
    if args.command == "demo":
        return demo.run(args)
    if args.command in ("export", "leave", "rate"):
        return {"export": ledger_cli, "leave": leave_cli, "rate": rate_cli}[args.command].run(args)
    if args.command == "admin":
        return admin.run(args)
    if args.command == "report":
        return report.run(args)
    if args.command == "board":
        return board.run(args)
    if args.command == "kiosk":  # the ticket kiosk (issue 15)
        return kiosk.run(args)
    from clerkdesk import launch

    if args.command == "logout":
        return launch.logout(args)
    return launch.run_workstation(args)
