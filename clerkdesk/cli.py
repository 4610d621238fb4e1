"""`clerkdesk`: the workstation, the hall service, the demo and the admin commands."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from clerkdesk import __version__, config
from clerkdesk.clock import Clock, ScaledClock, SystemClock
from clerkdesk.i18n import _, set_language


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="run the hall service")
    serve.add_argument("--db", help="database URL (default: SQLite in the user data dir)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8470)
    serve.add_argument(
        "--api-docs",
        action="store_true",
        help="serve /openapi.json and /docs (they answer without a token)",
    )


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="a demo hall with arriving citizens")
    demo.add_argument("--serve-only", action="store_true", help="run the server, no workstation")
    demo.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--rate", type=float, default=2.0, help="arrivals per hall minute")
    demo.add_argument(
        "--clock", help="start the hall clock at this local time, e.g. 2026-12-11T17:10"
    )
    demo.add_argument(
        "--speed", type=float, default=1.0, help="run the hall clock this much faster"
    )
    demo.add_argument("--lang", default=argparse.SUPPRESS, help="zh or en")
    demo.add_argument("--staff", default="1002", help="the demo clerk to sign in as")


def _add_admin(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = sub.add_parser("admin", help="manage a hall's database directly")
    admin.add_argument("--db", help="database URL (default: SQLite in the user data dir)")
    verbs = admin.add_subparsers(dest="verb", required=True)
    load = verbs.add_parser("import", help="load or update a whole hall from a TOML file")
    load.add_argument("hall_file", type=Path)
    password = verbs.add_parser("set-password", help="set a staff member's password")
    password.add_argument("staff_no")
    from clerkdesk import admin_calendar

    admin_calendar.add_parser(verbs)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="clerkdesk", description=__doc__)
    top.add_argument("--version", action="version", version=f"clerkdesk {__version__}")
    top.add_argument(
        "--server",
        help="hall service URL (default: CLERKDESK_SERVER, the config "
        "file, else the embedded hall)",
    )
    top.add_argument("--lang", help="zh or en (default: from the locale)")
    sub = top.add_subparsers(dest="command")
    _add_serve(sub)
    _add_demo(sub)
    _add_admin(sub)
    sub.add_parser("logout", help="forget the stored sign-in and end it on the server")
    return top


def _demo_clock(text: str | None, speed: float, timezone: str = "Asia/Shanghai") -> Clock:
    if text is None and speed == 1.0:
        return SystemClock()
    start = datetime.now(ZoneInfo(timezone))
    if text is not None:
        start = datetime.fromisoformat(text)
        if start.tzinfo is None:
            start = start.replace(tzinfo=ZoneInfo(timezone))
    return ScaledClock(start, speed)


def cmd_serve(args: argparse.Namespace) -> int:
    from clerkdesk.hall.app import HallSettings, create_app
    from clerkdesk.hall.server import serve_forever

    url = args.db or config.default_database_url()
    app = create_app(HallSettings(database_url=url, api_docs=args.api_docs))
    print(
        _("ClerkDesk hall service on {url}  (database: {database})").format(
            url=f"http://{args.host}:{args.port}", database=_safe(url)
        )
    )
    serve_forever(app, args.host, args.port)
    return 0


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


async def _run_simulator(server_url: str, args: argparse.Namespace) -> None:
    from clerkdesk.api.client import HallClient
    from clerkdesk.demo import DEMO_PASSWORD, ArrivalSimulator

    async with HallClient(server_url) as kiosk:
        await kiosk.login("kiosk1", DEMO_PASSWORD)
        services = [s.code for s in (await kiosk.hall()).services]
        await ArrivalSimulator(kiosk, services, args.rate, args.speed).run()


async def serve_demo(server_url: str, args: argparse.Namespace) -> None:
    """`demo --serve-only`: citizens arrive (if `--rate` is above 0) until Ctrl+C; with no
    arrivals the hall still serves until then."""
    if args.rate > 0:
        await _run_simulator(server_url, args)
    await asyncio.Event().wait()


def cmd_demo(args: argparse.Namespace) -> int:
    """The demo hall lives in a temporary folder, removed when the demo ends."""
    folder = tempfile.TemporaryDirectory(prefix="clerkdesk-demo-", ignore_cleanup_errors=True)
    try:
        return _demo(args, Path(folder.name))
    finally:
        folder.cleanup()


def _demo(args: argparse.Namespace, folder: Path) -> int:
    from clerkdesk.launch import starting

    with starting():  # no garbage collection while the demo hall is made (see there)
        from clerkdesk.demo import (
            DEMO_PASSWORD,
            demo_sign_ins,
            demo_start,
            prepare_demo_database,
        )
        from clerkdesk.hall.app import HallSettings, create_app
        from clerkdesk.hall.server import ServerThread

        clock = _demo_clock(args.clock, args.speed)
        url = prepare_demo_database(clock.now(), folder)
        if args.clock is None:
            start = demo_start(url, clock.now())
            if start != clock.now():
                print(
                    _(
                        "The demo hall is closed now; its clock starts at the next opening, "
                        "{start}."
                    ).format(start=start)
                )
                clock = ScaledClock(start, args.speed)
        demo_hall = create_app(HallSettings(url, clock=clock, api_docs=args.serve_only))
        server = ServerThread(demo_hall, args.host, args.port).start()
    if not args.serve_only:
        from clerkdesk.launch import run_demo_workstation

        try:
            return run_demo_workstation(
                server.url, url, clock, args, lambda: _run_simulator(server.url, args)
            )
        finally:
            server.stop()
    print(_("ClerkDesk demo hall on {url}  (API described at {url}/docs)").format(url=server.url))
    print(_("Database: {url}").format(url=url))
    print(_("Sign in as (password for all: {password}):").format(password=DEMO_PASSWORD))
    print("\n".join(demo_sign_ins()))
    print(
        _("Arrivals: {rate}/min at {speed}x. Ctrl+C stops.").format(
            rate=args.rate, speed=args.speed
        )
    )
    try:
        asyncio.run(serve_demo(server.url, args))
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def cmd_admin(args: argparse.Namespace) -> int:
    # Here, not at the top: a workstation on a remote hall needs no SQLAlchemy (0.2 s to import).
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from clerkdesk.hall.access.principal import hash_password
    from clerkdesk.hall.setup import hall_file
    from clerkdesk.hall.store import migrate
    from clerkdesk.hall.store.engine import make_engine
    from clerkdesk.hall.store.models import Staff

    url = args.db or config.default_database_url()
    if args.verb == "import":  # a bad file is refused before the database is even opened
        try:
            spec = hall_file.load_hall_file(args.hall_file)
        except hall_file.HallFileError as exc:
            print(_("Nothing was imported. {reason}").format(reason=exc), file=sys.stderr)
            return 2
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        if args.verb == "calendar":
            from clerkdesk import admin_calendar

            return admin_calendar.run(args, engine, SystemClock())
        if args.verb == "import":
            try:
                with Session(engine) as session, session.begin():
                    report = hall_file.import_hall(session, spec, SystemClock().now())
            except hall_file.HallFileError as exc:
                print(_("Nothing was imported. {reason}").format(reason=exc), file=sys.stderr)
                return 2
            print(
                _("Hall {hall} loaded into {database}").format(
                    hall=report.hall, database=_safe(url)
                )
            )
            for line in report.created:
                print(_("  created     {what}").format(what=line))
            for line in report.deactivated:
                print(_("  deactivated {what}").format(what=line))
            for staff_no, password in report.first_passwords.items():
                print(
                    _(
                        "  first password for {staff_no}: {password}  (change it: "
                        "clerkdesk admin set-password {staff_no})"
                    ).format(staff_no=staff_no, password=password)
                )
            return 0
        if args.verb == "set-password":
            password = getpass.getpass(
                _("New password for {staff_no}: ").format(staff_no=args.staff_no)
            )
            if len(password) < 4:
                print(
                    _("Passwords need at least 4 characters; nothing was changed."),
                    file=sys.stderr,
                )
                return 2
            with Session(engine) as session, session.begin():
                staff = session.scalars(
                    select(Staff).where(Staff.staff_no == args.staff_no)
                ).one_or_none()
                if staff is None:
                    print(
                        _("No staff number {staff_no}; nothing was changed.").format(
                            staff_no=args.staff_no
                        ),
                        file=sys.stderr,
                    )
                    return 2
                staff.password_hash = hash_password(password)
                staff.failed_logins = 0
                staff.locked_until = None
            print(_("Password of {staff_no} changed.").format(staff_no=args.staff_no))
            return 0
    finally:
        engine.dispose()
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in ("serve", "demo", "admin"):  # the workstation sets it from its settings
        set_language(getattr(args, "lang", None))
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "demo":
        return cmd_demo(args)
    if args.command == "admin":
        return cmd_admin(args)
    from clerkdesk import launch

    if args.command == "logout":
        return launch.logout(args)
    return launch.run_workstation(args)


if __name__ == "__main__":
    raise SystemExit(main())
