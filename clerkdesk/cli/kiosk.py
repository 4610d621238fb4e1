"""`clerkdesk kiosk`: the ticket kiosk (取号机) in full screen, signed in with the kiosk role.

The hall from `--server`, `CLERKDESK_SERVER` or the config file (else the embedded hall, for a
one-window office). The kiosk's settings are `[kiosk]` in the config file:

    [kiosk]
    staff_no = "kiosk1"                # a staff number with the kiosk role
    password_file = "/etc/clerkdesk/kiosk-password"   # or CLERKDESK_KIOSK_PASSWORD
    status_url = "https://hall.example.gov.cn"        # where phones reach the hall (QR codes)
    idle_seconds = 30                  # back to the home screen after this long untouched
    [kiosk.printer]
    kind = "escpos"                    # screen | file | escpos | lp
    path = "/dev/usb/lp0"              # file, escpos
    # name = "KIOSK1"                  # lp: the CUPS queue; raw = true sends ESC/POS bytes

Without a password in the environment or a file, it asks in the terminal before going full
screen. The password stays in memory only, to sign in again when the sign-in ends at midnight.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from clerkdesk import config
from clerkdesk.i18n import _, set_language

if TYPE_CHECKING:  # imported when the kiosk starts, under `starting()`
    from clerkdesk.printing.printers import Printer
    from clerkdesk.state.kiosk import KioskSettings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kiosk = sub.add_parser(
        "kiosk", help=_("the ticket kiosk: full screen, signed in with the kiosk role")
    )
    kiosk.add_argument(
        "--staff",
        metavar="STAFF_NO",
        help=_("the kiosk's staff number (default: [kiosk] staff_no)"),
    )
    kiosk.add_argument("--lang", default=argparse.SUPPRESS, help="zh or en")


def run(args: argparse.Namespace) -> int:
    from clerkdesk.printing.printers import PrinterConfigError, printer_from_config
    from clerkdesk.state.kiosk import KioskConfigError, KioskSettings

    try:
        settings = config.load_settings()
        kiosk = KioskSettings.from_table(settings.extra.get("kiosk"))
        printer = printer_from_config(kiosk.printer)
        password = kiosk.password()
    except (config.ConfigError, KioskConfigError, PrinterConfigError) as exc:
        print(exc, file=sys.stderr)
        return 2
    set_language(getattr(args, "lang", None) or settings.language)
    staff_no = args.staff or kiosk.staff_no
    if password is None:
        password = _ask_password(staff_no)
        if password is None:
            return 2
    server_url = config.resolve_server(args.server, settings)
    embedded = None
    if server_url is None:
        from clerkdesk.cli.trouble import say_database_problem
        from clerkdesk.embedded import start_embedded
        from clerkdesk.hall.store.opening import DatabaseProblem

        try:
            embedded = start_embedded()
        except DatabaseProblem as problem:
            return say_database_problem(problem)
        server_url = embedded.server.url
    try:
        return run_kiosk(server_url, staff_no, password, kiosk, printer, follow=embedded is None)
    finally:
        if embedded is not None:
            embedded.stop()


def _ask_password(staff_no: str) -> str | None:
    if not sys.stdin.isatty():
        print(
            _(
                "The kiosk needs the password of {staff_no}: set CLERKDESK_KIOSK_PASSWORD or "
                "[kiosk] password_file in the config file, or start it in a terminal."
            ).format(staff_no=staff_no),
            file=sys.stderr,
        )
        return None
    try:
        password = getpass.getpass(_("Password of {staff_no}: ").format(staff_no=staff_no))
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return None
    return password or None


def run_kiosk(
    server_url: str,
    staff_no: str,
    password: str,
    settings: KioskSettings,
    printer: Printer,
    *,
    follow: bool = True,
) -> int:
    """The kiosk app on `server_url` until Ctrl+Q. `follow`: run on the hall's clock (a hall
    elsewhere, a demo at another speed); else on this computer's (the embedded hall)."""
    from clerkdesk.clock import Clock, FollowedClock, SystemClock
    from clerkdesk.kiosk import KioskApp
    from clerkdesk.launch import starting
    from clerkdesk.screens.kiosk import KioskContext
    from clerkdesk.state.kiosk import Idle, KioskDesk

    with starting():
        clock: Clock = FollowedClock() if follow else SystemClock()
        desk = KioskDesk(
            server_url,
            staff_no,
            password,
            clock,
            status_url=settings.status_url,
            align_clock=follow,
        )
        app = KioskApp(KioskContext(desk, printer, settings, Idle(settings.idle_seconds)))
    app.run()
    return 0


def demo_kiosk(args: argparse.Namespace) -> int:
    """`clerkdesk demo --kiosk`: the ticket kiosk of the demo hall running on this computer
    (another terminal's `clerkdesk demo`), or of the one at `--server`, signed in as kiosk1. The
    printer is the config's `[kiosk.printer]` (none: the ticket on the screen)."""
    from clerkdesk import demo_link
    from clerkdesk.demo import DEMO_PASSWORD
    from clerkdesk.printing.printers import PrinterConfigError, printer_from_config
    from clerkdesk.state.kiosk import KioskConfigError, KioskSettings

    try:
        settings = config.load_settings()
        kiosk = KioskSettings.from_table(settings.extra.get("kiosk"))
        printer = printer_from_config(kiosk.printer)
    except (config.ConfigError, KioskConfigError, PrinterConfigError) as exc:
        print(exc, file=sys.stderr)
        return 2
    set_language(getattr(args, "lang", None) or settings.language)
    found = demo_link.running()
    url = args.server or (found.url if found else None)
    if url is None:
        print(
            _(
                "No demo hall is running on this computer: start `clerkdesk demo` (or "
                "`clerkdesk demo --serve-only`) in another terminal first, then `clerkdesk demo "
                "--kiosk` here; or name the hall with --server URL."
            ),
            file=sys.stderr,
        )
        return 1
    return run_kiosk(url.rstrip("/"), "kiosk1", DEMO_PASSWORD, kiosk, printer)
