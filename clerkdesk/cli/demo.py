"""`clerkdesk demo`: a fresh demo hall on a temporary SQLite file, demo staff, arriving citizens,
and the workstation signed in as a demo clerk (or, `--serve-only`, the hall alone)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from clerkdesk import demo_link
from clerkdesk.clock import Clock, ScaledClock, SystemClock
from clerkdesk.i18n import _
from clerkdesk.voice import VOICE_CHOICES

if TYPE_CHECKING:
    from clerkdesk.hall.server import ServerThread

DEMO_TIMEZONE = "Asia/Shanghai"  # the example hall's


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    demo.add_argument(
        "--board",
        action="store_true",
        help="the hall board of the demo hall running in another terminal (or at --server)",
    )
    demo.add_argument(
        "--voice", choices=VOICE_CHOICES, help="with --board: the languages calls are spoken in"
    )
    demo.add_argument(
        "--kiosk",
        action="store_true",
        help="the ticket kiosk of the demo hall running in another terminal (or at --server)",
    )


def demo_clock(text: str | None, speed: float, timezone: str = DEMO_TIMEZONE) -> Clock:
    if text is None and speed == 1.0:
        return SystemClock()
    if text is None:
        return ScaledClock(SystemClock().now().astimezone(ZoneInfo(timezone)), speed)
    start = datetime.fromisoformat(text)
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(timezone))
    return ScaledClock(start, speed)


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


def run(args: argparse.Namespace) -> int:
    """The demo hall lives in a temporary folder, removed when the demo ends."""
    if getattr(args, "board", False):
        return demo_board(args)
    if getattr(args, "kiosk", False):
        from clerkdesk.cli.kiosk import demo_kiosk

        return demo_kiosk(args)
    folder = tempfile.TemporaryDirectory(prefix="clerkdesk-demo-", ignore_cleanup_errors=True)
    try:
        return _demo(args, Path(folder.name))
    finally:
        folder.cleanup()


def _demo(args: argparse.Namespace, folder: Path) -> int:
    from clerkdesk.cli import trouble
    from clerkdesk.launch import starting

    with starting():  # no garbage collection while the demo hall is made (see there)
        from clerkdesk.demo import demo_database_url, demo_opening, prepare_demo_database
        from clerkdesk.hall.app import HallSettings, create_app
        from clerkdesk.hall.server import PortUnavailable, ServerThread
        from clerkdesk.hall.store.opening import DatabaseProblem, open_database

        clock = demo_clock(args.clock, args.speed)
        now = clock.now()  # one reading: the hall is open at it, or opens later
        try:
            url = open_database(
                demo_database_url(folder), lambda: prepare_demo_database(now, folder)
            )
        except DatabaseProblem as problem:
            return trouble.say_database_problem(problem)
        if args.clock is None:
            opening = demo_opening(url, now)
            if opening is not None:
                print(
                    _(
                        "The demo hall is closed now; its clock starts at the next opening, "
                        "{start}."
                    ).format(start=f"{opening:%Y-%m-%d %H:%M}")
                )
                clock = ScaledClock(opening, args.speed)
        demo_hall = create_app(HallSettings(url, clock=clock, api_docs=args.serve_only))
        try:
            server = ServerThread(demo_hall, args.host, args.port).start()
        except PortUnavailable as problem:
            return trouble.say_port_unavailable(problem)
    demo_link.announce(server.url)  # for `clerkdesk demo --board` in another terminal
    try:
        return _run_demo(server, url, clock, args)
    finally:
        demo_link.withdraw()


def _run_demo(server: ServerThread, url: str, clock: Clock, args: argparse.Namespace) -> int:
    if not args.serve_only:
        from clerkdesk.launch import run_demo_workstation

        try:
            return run_demo_workstation(
                server.url, url, clock, args, lambda: _run_simulator(server.url, args)
            )
        finally:
            server.stop()
    _tell_sign_ins(server.url, url, args)
    try:
        asyncio.run(serve_demo(server.url, args))
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def demo_board(args: argparse.Namespace) -> int:
    """`demo --board`: the hall board of the demo hall running on this computer (another
    terminal's `clerkdesk demo`), or of the one at `--server`, signed in as board1."""
    from clerkdesk import config
    from clerkdesk.cli.board import board_settings, start_board

    try:
        settings = config.load_settings()
    except config.ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    found = demo_link.running()
    url = args.server or (found.url if found else None)
    if url is None:
        print(
            _(
                "No demo hall is running on this computer: start `clerkdesk demo` (or `clerkdesk "
                "demo --serve-only`) in another terminal first, then `clerkdesk demo --board` "
                "here; or name the hall with --server URL."
            ),
            file=sys.stderr,
        )
        return 1
    voice = args.voice or str(board_settings(settings).get("voice") or "zh")
    return start_board(url.rstrip("/"), "board1", "demo", voice, label=_("demo hall"))


def _tell_sign_ins(server_url: str, database_url: str, args: argparse.Namespace) -> None:
    from clerkdesk.demo import DEMO_PASSWORD, demo_sign_ins

    print(_("ClerkDesk demo hall on {url}  (API described at {url}/docs)").format(url=server_url))
    print(_("Database: {url}").format(url=database_url))
    print(_("Sign in as (password for all: {password}):").format(password=DEMO_PASSWORD))
    print("\n".join(demo_sign_ins()))
    print(_("The hall board: `clerkdesk demo --board` in another terminal."))
    print(_("The ticket kiosk: `clerkdesk demo --kiosk` in another terminal."))
    print(
        _("Arrivals: {rate}/min at {speed}x. Ctrl+C stops.").format(
            rate=args.rate, speed=args.speed
        ),
        flush=True,
    )
